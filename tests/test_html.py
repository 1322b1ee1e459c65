"""The HTML pages and their charts: SVG from facts (exact), the weekly page and one item's page as
files that need nothing else, and the same pages in a real browser at a phone's width, a
desktop's and on A4 paper.

The browser tests run Chromium headless and skip where there is none; the page is measured by a
copy of it with a small script added (the page itself has none), framed at 390 pixels.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as html_lib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kpi.core.plan import Plan
from kpi.core.plan_file import parse_plan
from kpi.core.records import Update
from kpi.core.status import Light, item_status
from kpi.report import svg
from kpi.report.layout import Bar
from kpi.report.weekly import item_trend
from tests.conftest import Prepare, Run
from tests.test_report import AS_OF, HISTORY, SMALL

CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)
DAY = dt.date(2025, 7, 2)


def _build(run: Run) -> None:
    assert run("load", str(SMALL)).exit_code == 0
    for args in HISTORY:
        result = run(*args, today=AS_OF)
        assert result.exit_code == 0, (args, result.output)


@pytest.fixture
def history(run: Run, prepare: Prepare) -> Run:
    prepare("html-history", _build)
    return run


@pytest.fixture(scope="module")
def small() -> Plan:
    return parse_plan(SMALL.read_text(encoding="utf-8"), "small.yaml")


def _svgs(page: str) -> list[ET.Element]:
    """Every chart of a page, parsed as XML (which fails on anything ill-formed)."""
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", page, re.S)]


def _self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    lowered = page.lower()
    assert "<script" not in lowered and "<link" not in lowered and "<img" not in lowered
    assert "http://" not in lowered and "https://" not in lowered and "url(" not in lowered
    assert "@import" not in lowered and "@font-face" not in lowered


# -- the bars ---------------------------------------------------------------------------------------


def test_bars_are_filled_to_the_completion_with_the_mark_at_the_expected_share() -> None:
    bars = [
        Bar("1 经济<发展>&“x”", 0.25, 0.5, Light.RED, "红 滞后"),
        Bar("2 民生", None, 0.5, Light.NONE, "无数据"),
        Bar("全部", 1.3, 0.5, Light.DONE, "完成", total=True),
    ]
    text = svg.bar_chart(bars)
    root = ET.fromstring(text)
    assert root.tag == "svg" and root.get("width") == "100%" and root.get("role") == "img"
    fills = root.findall("rect[@class='fill']")
    assert [(r.get("width"), r.get("fill")) for r in fills] == [
        ("20%", svg.COLOURS[Light.RED]),  # a quarter of the bar's 80%
        ("80%", svg.COLOURS[Light.DONE]),  # past the target: the whole bar, no further
    ]
    marks = root.findall("line[@class='expected']")
    assert [m.get("x1") for m in marks] == ["40%"] * 3  # 序时进度 50%: half of the bar
    words = "".join(root.itertext())
    for said in (
        "红 滞后",
        "1 经济<发展>&“x”",
        "25.0%",
        "无数据",
        "—",
        "130.0%",
        "序时进度 50.1%"[:5],
    ):
        assert said in words, said
    assert "<发展>" not in text and "&lt;发展&gt;&amp;" in text
    assert "序时进度 50.0%" in words  # one 序时进度 for all: said once, under the bars


def test_a_long_area_title_goes_on_two_lines_then_is_cut() -> None:
    long = "加快培育新质生产力,塑造高质量发展新优势" * 3
    root = ET.fromstring(svg.bar_chart([Bar(long, 0.5, 0.5, Light.GREEN, "绿 达进度")]))
    first = root.find("text")
    assert first is not None
    spans = [s.text or "" for s in first.findall("tspan")]
    assert spans[0] == "绿 达进度" and len(spans) == 3 and spans[2].endswith("…")
    assert long.startswith(spans[1] + spans[2][:-1])


# -- one item's trend ---------------------------------------------------------------------------


def _updates() -> list[Update]:
    return [
        Update(1, "1.1.1", "1.1.1", dt.date(2025, 3, 10), "add", 40.0),
        Update(2, "1.1.1", "1.1.1", dt.date(2025, 5, 1), "add", 500.0, voided=True),
        Update(3, "1.1.1", "1.1.1", dt.date(2025, 6, 27), "add", 30.0),
        Update(4, "1.1.2", "1.1.2", dt.date(2025, 4, 1), "set", 1.0),  # another item's
    ]


def _lines(root: ET.Element, cls: str) -> list[tuple[str | None, ...]]:
    return [
        (e.get("x1"), e.get("y1"), e.get("x2"), e.get("y2"), e.get("stroke-dasharray"))
        for e in root.findall(f"line[@class='{cls}']")
    ]


def test_the_trend_is_the_status_step_by_step(small: Plan) -> None:
    item = small.item("1.1.1")
    trend = item_trend(small, item, _updates(), DAY)
    assert trend.done == (
        (dt.date(2025, 1, 1), None),
        (dt.date(2025, 3, 10), 40 / 234),
        (dt.date(2025, 6, 27), 70 / 234),
        (DAY, 70 / 234),
    )
    assert trend.done[-1][1] == item_status(small, item, _updates(), DAY).completion
    assert trend.expected == (
        (dt.date(2024, 12, 31), 0.0),
        (DAY, 183 / 365),
        (dt.date(2025, 12, 31), 1.0),
    )


def test_the_trend_chart_draws_the_expected_line_where_it_belongs(small: Plan) -> None:
    item = small.item("1.1.1")
    root = ET.fromstring(svg.trend_chart(item_trend(small, item, _updates(), DAY), Light.YELLOW))
    # x: 13% + 71% × days since 2024-12-31 ÷ 365; y: 20 px (100%) down to 150 px (0%).
    assert _lines(root, "expected") == [
        ("13%", "150", "48.6%", "84.82", None),  # 183 days: 50.1%, solid up to the day
        ("48.6%", "84.82", "84%", "20", "4 3"),  # to 100% at the year's end, dashed
    ]
    assert _lines(root, "done") == [
        ("26.42%", "127.78", "47.62%", "127.78", None),  # 40 of 234 from 03-10 (day 69)
        ("47.62%", "127.78", "47.62%", "111.11", None),  # +30 on 06-27 (day 178): 70 of 234
        ("47.62%", "111.11", "48.6%", "111.11", None),
    ]
    [target] = root.findall("line[@class='target']")
    assert (target.get("y1"), target.get("y2")) == ("20", "20")
    words = "".join(root.itertext())
    assert "目标 234 家" in words and "29.9%" in words and "50.1%" in words
    assert [c.get("fill") for c in root.findall("circle")] == [svg.COLOURS[Light.YELLOW]]


def test_a_task_reads_in_percent_and_an_indicator_gone_backwards_below_zero(small: Plan) -> None:
    task = small.item("2.1.1")
    done = [Update(1, "2.1.1-1", "2.1.1", dt.date(2025, 3, 28), "done")]
    words = "".join(
        ET.fromstring(svg.trend_chart(item_trend(small, task, done, DAY), Light.RED)).itertext()
    )
    assert "目标 100%" in words and "33.3%" in words
    down = small.item("2.2.1")  # from 100 toward 80: 110 is half the way backwards
    worse = [Update(1, "2.2.1", "2.2.1", dt.date(2025, 5, 1), "set", 110.0)]
    root = ET.fromstring(svg.trend_chart(item_trend(small, down, worse, DAY), Light.RED))
    words = "".join(root.itertext())
    assert "-50%" in words and "0%" in words and "100%" in words and "−50.0%" not in words


def test_a_runaway_value_keeps_the_axis_readable(small: Plan) -> None:
    typo = [Update(1, "1.1.1", "1.1.1", dt.date(2025, 6, 1), "add", 7020.0)]  # 30 × the target
    root = ET.fromstring(
        svg.trend_chart(item_trend(small, small.item("1.1.1"), typo, DAY), Light.DONE)
    )
    axis = [e.text for e in root.findall("text[@text-anchor='end']") if e.get("dx") == "-4"]
    assert axis == ["0", "1872", "3744", "5616"]  # every 800%


def test_words_in_a_chart_are_escaped(small: Plan) -> None:
    item = dataclasses.replace(small.item("1.1.1"), title='<script>x</script>&"', unit="<b>")
    text = svg.trend_chart(item_trend(small, item, _updates(), DAY), Light.RED)
    assert "<script>" not in text and "<b>" not in text
    root = ET.fromstring(text)
    title = root.find("title")
    assert title is not None and '<script>x</script>&"' in (title.text or "")
    assert "目标 234 <b>" in "".join(root.itertext())


# -- the weekly page ------------------------------------------------------------------------------


def test_the_weekly_page_draws_its_charts_and_needs_nothing_else(history: Run) -> None:
    page = history("report", "weekly", "--as-of", AS_OF, "-f", "html").stdout
    _self_contained(page)
    charts = _svgs(page)
    # 2.2.1 (a reduction, judged as a level against its whole target) and 2.1.1 (overdue) are red
    assert [c.get("class") for c in charts] == ["chart bars", "chart trend", "chart trend"]
    bars, _, trend = charts
    assert len(bars.findall("line[@class='expected']")) == 3  # two areas and the whole plan
    assert "红 滞后" in "".join(bars.itertext())
    _, figure = re.findall(r'<figure class="trend">.*?</figure>', page, re.S)
    assert "2.1.1 新建社区事务受理服务中心" in figure and "红 滞后·逾期" in figure
    assert "33.3%" in "".join(trend.itertext())  # one milestone of three
    assert "红灯项目走势" in page and 'class="cards' in page and "@media print" in page


def test_trends_change_the_html_and_nothing_else(history: Run) -> None:
    from kpi.report.data import to_json
    from kpi.report.html import to_html
    from kpi.report.markdown import to_markdown_report
    from kpi.report.text import to_text
    from kpi.report.weekly import build_weekly, charted, with_trends
    from kpi.store import Store

    store = Store.open()
    plan = store.plan("test-2025").load()
    rep = build_weekly(plan, store.plan("test-2025").updates(), DAY)
    red = [s.item.code for s in charted(rep)]
    assert red == ["2.2.1", "2.1.1"]
    pictured = with_trends(rep, {c: store.plan("test-2025").updates(item_code=c) for c in red})
    assert list(pictured.trends) == ["2.2.1", "2.1.1"]
    for draw in (to_text, to_markdown_report, to_json):
        assert draw(pictured) == draw(rep)
    assert "<figure" not in to_html(rep) and '<figure class="trend">' in to_html(pictured)
    as_json = json.loads(history("report", "weekly", "--as-of", AS_OF, "-f", "json").stdout)
    assert "trends" not in as_json


def test_hostile_words_stay_words_in_the_charts(history: Run) -> None:
    note = '<script>alert(1)</script><svg onload=alert(2)> "&'
    assert history("update", "2.1.2", "10%", "--note", note, today=AS_OF).exit_code == 0
    page = history("report", "weekly", "--as-of", AS_OF, "-f", "html").stdout
    assert "<script>" not in page and "<svg onload" not in page
    assert len(_svgs(page)) == 4  # 2.1.2 went red: a third trend


def test_the_report_layers_import_no_terminal_and_no_database() -> None:
    code = (
        "import sys\n"
        "import kpi.report.html, kpi.report.svg, kpi.report.item_html, kpi.report.layout\n"
        "import kpi.report.weekly, kpi.report.text, kpi.report.markdown, kpi.report.data\n"
        "import kpi.formats.chart\n"
        "bad = {'rich', 'typer', 'click', 'sqlite3', 'sqlalchemy'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- one item's page ------------------------------------------------------------------------------


def test_show_html_is_one_page_of_the_item(history: Run, tmp_path: Path) -> None:
    result = history("show", "2.1.1", "--as-of", AS_OF, "-f", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    _self_contained(page)
    [chart] = _svgs(page)
    assert "33.3%" in "".join(chart.itertext())
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page))
    for said in (
        "2.1.1 新建社区事务受理服务中心 · 截至 2025-07-02",
        "在国泓路392弄高标准建设新的社区事务受理服务中心。",
        "红 滞后·逾期",
        "2.1.1-2",
        "开工建设",
        "已完成 2025-03-28",
        "开工待审批",
        "填报记录",
    ):
        assert said in text, said
    written = history("show", "2.1.1", "--as-of", AS_OF, "-f", "html", "--out", "items/{date}.html")
    assert written.exit_code == 0 and written.stderr.strip() == "已写入 items/2025-07-02.html"
    assert (tmp_path / "items" / "2025-07-02.html").read_text(encoding="utf-8") == page
    refused = history("show", "2.1.1", "--out", "x.html")
    assert refused.exit_code == 2 and "--out 只用于 --format html" in refused.stderr
    assert not (tmp_path / "x.html").exists()


def test_show_html_of_an_item_with_nothing_recorded_has_no_chart(history: Run) -> None:
    page = history("show", "2.1.3", "--as-of", "2025-03-01", "-f", "html").stdout
    assert "<svg" not in page and "无数据" in page and "2.1.3" in page


# -- in a browser -----------------------------------------------------------------------------------

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

# Added to a copy of the page, framed at the width asked for: what sticks out, which tables are
# tables, and whether each row that has a light shows it on the screen.
PROBE = """<script>
var w = document.documentElement.clientWidth, out = {width: w, wide: [], hidden: [], tables: []};
document.querySelectorAll("body *").forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.width && r.right > w + 0.5) out.wide.push(e.tagName + "." + e.className + " " + r.right);
});
document.querySelectorAll("table.cards").forEach(function (t) {
  out.tables.push(getComputedStyle(t).display);
  t.querySelectorAll("tbody tr").forEach(function (tr) {
    var lights = Array.prototype.slice.call(tr.querySelectorAll(".light"));
    if (!lights.length) return;
    var seen = lights.some(function (l) {
      var r = l.getBoundingClientRect();
      return r.width > 0 && r.left >= 0 && r.right <= w + 0.5;
    });
    if (!seen) out.hidden.push(tr.textContent.slice(0, 60));
  });
});
parent.document.getElementById("probe").textContent = JSON.stringify(out);
</script>"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


def _measure(tmp_path: Path, page: Path, width: int) -> dict[str, object]:
    inner = page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>")
    frame = (
        '<!DOCTYPE html><html><body style="margin:0"><pre id="probe"></pre>'
        f'<iframe style="border:0" width="{width}" height="20000" '
        f'srcdoc="{html_lib.escape(inner, quote=True)}"></iframe></body></html>'
    )
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(frame, encoding="utf-8")
    dom = _chromium(tmp_path, "--window-size=1400,1000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout.decode("utf-8"), re.S)
    assert found and found.group(1), dom.stdout[-500:]
    measured: dict[str, object] = json.loads(html_lib.unescape(found.group(1)))
    return measured


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")
def test_a_phone_a_desktop_and_a4_paper(history: Run, tmp_path: Path) -> None:
    # Words that do not wrap by themselves, where a phone has least room.
    history("update", "2.1.2", "10%", "--note", "滞后原因" + "x" * 120, today=AS_OF)
    history("update", "1.1.2", "=3.2", "--by", "某某" * 20, "--note", "y" * 80, today=AS_OF)
    assert history("report", "weekly", "--as-of", AS_OF, "-f", "html", "--out", "week.html")
    page = tmp_path / "week.html"
    keep = os.environ.get("KPI_SCREENSHOTS")  # a folder to keep the pictures in, to look at

    for width in (1280, 390) if keep else ():  # pictures to look at, when asked for
        shot = tmp_path / f"week-{width}.png"
        _chromium(tmp_path, f"--window-size={width},2400", f"--screenshot={shot}", page.as_uri())
        assert _png_size(shot) == (width, 2400)
        shutil.copy(shot, Path(keep) / shot.name)

    phone = _measure(tmp_path, page, 390)
    assert phone["width"] == 390
    assert phone["wide"] == [], phone["wide"]  # nothing sticks out: no sideways scrolling
    assert phone["hidden"] == [], phone["hidden"]  # every row with a light shows it
    assert set(phone["tables"]) == {"block"}  # type: ignore[arg-type]  # cards
    desk = _measure(tmp_path, page, 1280)
    assert desk["wide"] == [], desk["wide"]  # long words wrap on a desktop too
    assert set(desk["tables"]) == {"table"}  # type: ignore[arg-type]

    pdf = tmp_path / "week.pdf"
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if keep:
        shutil.copy(pdf, Path(keep) / pdf.name)
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert size, info.stdout
    assert abs(float(size.group(1)) - 595.28) < 2 and abs(float(size.group(2)) - 841.89) < 2
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    from kpi.core.status import plan_status
    from kpi.formats.words import light_word
    from kpi.store import Store

    store = Store.open()
    plan = store.plan("test-2025").load()
    reds = [
        s
        for s in plan_status(plan, store.plan("test-2025").updates(), DAY).items
        if s.light == Light.RED
    ]
    assert len(reds) == 3  # 2.1.1 overdue, 2.1.2 now behind, 2.2.1 short of its whole target
    for s in reds:
        assert s.item.code in flat and re.sub(r"\s+", "", light_word(s)) in flat, s.item.code
