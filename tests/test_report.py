"""`kpi report weekly`: the summary leaders read, in every format, as cron makes it.

Text and Markdown are compared with golden files made from a small fixed plan and history; run
with ``KPI_UPDATE_GOLDEN=1`` to rewrite them after a deliberate change, and read the diff.
"""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import REPO, Prepare, Run

SMALL = REPO / "tests" / "data" / "small.yaml"
GOLDEN = REPO / "tests" / "golden"
AS_OF = "2025-07-02"

HISTORY = [
    ("update", "1.1.1", "40", "--date", "2025-03-10", "--by", "张三", "--note", "一季度签约"),
    ("done", "2.1.1-1", "--date", "2025-03-28", "--by", "李四", "--note", "开工待审批"),
    ("update", "2.1.2", "30%", "--date", "2025-04-15", "--by", "李四", "--note", "助餐点试运行"),
    ("update", "1.1.2", "=3.1", "--date", "2025-05-20", "--by", "张三"),
    ("update", "2.2.1", "92", "--date", "2025-06-10", "--by", "王五", "--note", "整治推进中"),
    ("update", "1.1.1", "+30", "--date", "2025-06-27", "--by", "张三", "--note", "新签约30家"),
    ("update", "2.1.3", "290", "--date", "2025-06-30", "--by", "李四", "--note", "新增结对"),
    ("update", "2.1.2", "40%", "--date", "2025-07-01", "--by", "李四", "--note", "人手不足"),
]


def _build(run: Run) -> None:
    assert run("load", str(SMALL)).exit_code == 0
    for args in HISTORY:
        result = run(*args, today=AS_OF)
        assert result.exit_code == 0, (args, result.output)


@pytest.fixture
def history(run: Run, prepare: Prepare) -> Run:
    prepare("small-history", _build)
    return run


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KPI_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def test_text_matches_the_golden_file(history: Run) -> None:
    result = history("report", "weekly", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    _golden("weekly.txt", result.stdout)


def test_markdown_matches_the_golden_file(history: Run) -> None:
    result = history("report", "weekly", "--as-of", AS_OF, "--format", "md")
    assert result.exit_code == 0, result.output
    _golden("weekly.md", result.stdout)


def test_the_text_fits_80_columns(history: Run) -> None:
    from rich.cells import cell_len

    out = history("report", "weekly", "--as-of", AS_OF).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80


def test_json_structure_and_the_same_numbers_as_status(history: Run) -> None:
    report = json.loads(history("report", "weekly", "--as-of", AS_OF, "-f", "json").stdout)
    assert (report["year"], report["week"], report["as_of"]) == (2025, 27, AS_OF)
    assert report["window"] == {"start": "2025-06-26", "end": AS_OF}
    status = json.loads(history("status", "--as-of", AS_OF, "-f", "json").stdout)
    counts = {
        light: sum(1 for r in status if r["status"] == light)
        for light in report["overall"]["counts"]
    }
    assert report["overall"]["counts"] == counts
    assert report["overall"]["total"] == len(status) == 6
    assert [u["code"] for u in report["updates"]] == ["1.1.1", "2.1.3", "2.1.2"]
    attention = {r["code"]: r["status"] for r in report["attention"]}
    assert attention == {s["code"]: s["status"] for s in status if s["status"] in ("red", "yellow")}
    assert [m["code"] for m in report["milestones_overdue"]] == ["2.1.1-2"]
    assert [(c["code"], c["from"], c["to"], c["direction"]) for c in report["changes"]] == [
        ("1.1.1", "red", "yellow", "better"),  # 70 of 234 by now
        ("1.1.2", "green", "yellow", "worse"),  # 3.1 of 8 fell more than 10 points behind
        ("2.1.3", "none", "green", "better"),  # first record
    ]  # 2.2.1: 92 (from 100 toward 80) is 40% of the way: red both weeks, a level is judged whole
    stale = {
        office: [x["code"] for x in items] for office, items in report["stale_by_office"].items()
    }
    assert stale == {"社区平安办": ["2.2.1"], "社区服务办": ["2.1.1"], "经济发展办": ["1.1.2"]}


def test_week_over_week_any_past_week_is_reproduced(history: Run) -> None:
    last_week = json.loads(
        history("report", "weekly", "--as-of", "2025-06-25", "-f", "json").stdout
    )
    this_week = json.loads(history("report", "weekly", "--as-of", AS_OF, "-f", "json").stdout)
    assert last_week["week"] == 26 and this_week["week"] == 27
    before = {r["code"]: r["status"] for r in last_week["attention"]}
    assert before["1.1.1"] == "red"
    assert {c["code"]: c["from"] for c in this_week["changes"]}["1.1.1"] == "red"
    # Recording more today does not change what last week's report says.
    history("update", "1.1.1", "100", "--note", "补录", today=AS_OF)
    again = json.loads(history("report", "weekly", "--as-of", "2025-06-25", "-f", "json").stdout)
    assert again == last_week


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page(history: Run) -> None:
    html = history("report", "weekly", "--as-of", AS_OF, "-f", "html").stdout
    page = _Page()
    page.feed(html)
    assert html.startswith("<!DOCTYPE html>")
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not any(v and re.search(r"https?:|//", v) for _, v in page.attrs)
    assert "@media print" in html and "@page" in html and 'name="viewport"' in html
    text = "".join(page.text)
    for words in (
        "一、各领域进度",
        "二、本周进展",
        "三、需关注",
        "四、节点",
        "五、催办清单",
        "六、与上周相比",
    ):
        assert words in text
    assert "黄 欠进度" in text and "红 滞后·逾期" in text
    assert html.count('class="bar"') >= 6 and 'class="mark"' in html


HOSTILE = (
    '<script>alert(1)</script> "><img src=x onerror=alert(2)> | **粗体** [链接](http://x) \n换行'
)


def test_hostile_notes_are_escaped_everywhere(history: Run) -> None:
    assert (
        history(
            "update", "2.1.2", "45%", "--note", HOSTILE, "--by", "<b>某人</b>", today=AS_OF
        ).exit_code
        == 0
    )
    html = history("report", "weekly", "--as-of", AS_OF, "-f", "html").stdout
    assert "<script>" not in html and "<img" not in html and "<b>某人" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    )
    md = history("report", "weekly", "--as-of", AS_OF, "-f", "md").stdout
    rows = [line for line in md.splitlines() if "粗体" in line]
    assert rows
    for row in rows:
        assert "<script>" not in row and "\\*\\*粗体\\*\\*" in row and "\\[链接\\]" in row
    this_week = md[md.index("## 二、本周进展") : md.index("## 三、")]
    table = [line for line in this_week.splitlines() if line.startswith("|")]
    assert len({len(re.findall(r"(?<!\\)\|", line)) for line in table}) == 1  # no row broken


def test_out_fills_placeholders_creates_folders_and_writes_whole_files(
    history: Run, tmp_path: Path
) -> None:
    result = history(
        "report", "weekly", "--as-of", AS_OF, "-f", "html", "--out", "reports/{year}-W{week}.html"
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == "已写入 reports/2025-W27.html"
    written = tmp_path / "reports" / "2025-W27.html"
    assert written.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["2025-W27.html"]  # no temp files
    history("report", "weekly", "--as-of", AS_OF, "--out", "out/{date}.txt")
    assert (tmp_path / "out" / "2025-07-02.txt").read_text(encoding="utf-8").startswith("测试街道")
    bad = history("report", "weekly", "--out", "reports/{month}.html")
    assert bad.exit_code == 2 and "占位符“month”未知" in bad.stderr


def test_fail_on_exits_3_when_such_items_exist(history: Run) -> None:
    red = history("report", "weekly", "--as-of", AS_OF, "--fail-on", "red")
    assert red.exit_code == 3
    assert red.stderr.strip() == "有 2 项为红（--fail-on red）"
    yellow = history("report", "weekly", "--as-of", AS_OF, "--fail-on", "yellow")
    assert yellow.exit_code == 3 and "有 5 项为红、黄" in yellow.stderr
    early = history("report", "weekly", "--as-of", "2025-01-20", "--fail-on", "red")
    assert early.exit_code == 0


def test_english_report(history: Run) -> None:
    out = history("--lang", "en", "report", "weekly", "--as-of", AS_OF).stdout
    assert "progress, week 27 of 2025" in out and "3. Needs attention" in out


# -- mail -------------------------------------------------------------------------------------------


def test_mail_is_sent_as_text_and_html_to_a_real_smtp_server(
    history: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.handlers import Message as MessageHandler

    received: list[Message] = []

    class Keep(MessageHandler):  # type: ignore[misc]
        def handle_message(self, message: Message) -> None:
            received.append(message)

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = aiosmtpd.Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("KPI_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("KPI_SMTP_PORT", str(port))
        monkeypatch.setenv("KPI_MAIL_FROM", "kpi@xjwc.example")
        result = history("report", "weekly", "--as-of", AS_OF, "--mail-to", "head@xjwc.example")
        assert result.exit_code == 0, result.output
        assert "已发送至 head@xjwc.example" in result.stderr
    finally:
        controller.stop()
    [message] = received
    parsed = email.message_from_bytes(message.as_bytes())
    subject = str(email.header.make_header(email.header.decode_header(parsed["Subject"])))
    assert subject == "测试街道2025年工作安排 · 2025年第27周进度周报（截至 2025-07-02）"
    assert parsed.get_content_type() == "multipart/alternative"
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode("utf-8")
        for p in parsed.walk()
        if not p.is_multipart()
    }
    assert "三、需关注（红灯、黄灯）" in parts["text/plain"]
    assert parts["text/html"].startswith("<!DOCTYPE html>")


def test_mail_without_a_server_says_how_to_set_one(
    history: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KPI_SMTP_HOST", raising=False)
    result = history("report", "weekly", "--mail-to", "a@b.example")
    assert result.exit_code == 2
    assert "请设置 KPI_SMTP_HOST" in result.stderr


def test_unreachable_mail_server_is_one_line(history: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KPI_SMTP_PORT", "1")  # nothing listens there
    result = history("report", "weekly", "--mail-to", "a@b.example")
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：无法通过 127.0.0.1:1 发送邮件")
    assert len(result.stderr.strip().splitlines()) == 1


# -- cron -------------------------------------------------------------------------------------------


def _kpi_command() -> list[str]:
    script = Path(sys.executable).with_name("kpi")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kpi"]


def test_cron_bare_environment(history: Run, tmp_path: Path) -> None:
    """The README's crontab line: no terminal, no LANG, HOME as the working directory."""
    home = tmp_path / "home"
    home.mkdir()
    db = os.environ.get("KPI_DB") or (tmp_path / "db" / "kpi.sqlite").resolve()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "KPI_DB": str(db), "KPI_TODAY": AS_OF}
    command = [*_kpi_command(), "report", "weekly", "--out", "reports/{year}-W{week}.html"]
    done = subprocess.run(
        ["env", "-i", *[f"{k}={v}" for k, v in env.items()], *command],
        cwd=home,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    page = (home / "reports" / "2025-W27.html").read_text(encoding="utf-8")
    assert "测试街道2025年工作安排" in page
    # Without --out, what cron mails is the plain text, in UTF-8, without colour codes.
    text = subprocess.run(
        ["env", "-i", *[f"{k}={v}" for k, v in env.items()], *command[:-2]],
        cwd=home,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert text.returncode == 0
    out = text.stdout.decode("utf-8")
    assert "\x1b[" not in out and "三、需关注（红灯、黄灯）" in out


# -- a real browser -----------------------------------------------------------------------------------

CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")
def test_html_renders_in_headless_chromium(history: Run, tmp_path: Path) -> None:
    history("report", "weekly", "--as-of", AS_OF, "-f", "html", "--out", "page.html")
    page = tmp_path / "page.html"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ]
    assert CHROMIUM is not None
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    assert "三、需关注（红灯、黄灯）" in dom.stdout.decode("utf-8")
    shot = tmp_path / "page.png"
    subprocess.run(
        [CHROMIUM, *flags, "--window-size=400,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_long_lists_are_cut_for_reading_and_say_how_many_are_left_out(history: Run) -> None:
    import datetime as dt

    from kpi.report.markdown import to_markdown_report
    from kpi.report.text import to_text
    from kpi.report.weekly import build_weekly, for_reading
    from kpi.store import Store

    store = Store.open()
    plan = store.plan("test-2025").load()
    rep = build_weekly(plan, store.plan("test-2025").updates(), dt.date(2025, 7, 2))
    cut = for_reading(rep, limit=2)
    assert len(cut.records) == 2 and cut.omitted["records"] == 1
    assert len(cut.attention) == 2 and cut.omitted["attention"] == 3
    assert for_reading(rep).omitted == {}  # an office's summary is never cut
    text = to_text(rep)
    assert "另有" not in text
    import kpi.report.weekly as report

    report.READING_LIMIT, saved = 2, report.READING_LIMIT
    try:
        for out in (to_text(rep), to_markdown_report(rep)):
            assert (
                "另有 3 条未列出；完整清单见 kpi report weekly --format json 或 kpi status" in out
            )
    finally:
        report.READING_LIMIT = saved
    full = json.loads(history("report", "weekly", "--as-of", AS_OF, "-f", "json").stdout)
    assert len(full["attention"]) == 5  # JSON keeps everything


def test_a_long_week_lists_the_first_records_and_counts_them_all(run: Run) -> None:
    """A page lists the week's first 300 records and says how many there were and how many are
    left out; JSON has every one."""
    assert run("load", str(SMALL)).exit_code == 0
    days = ["2025-06-26", "2025-06-27", "2025-06-28", "2025-06-29", "2025-06-30", "2025-07-01"]
    rows = "".join(f"1.1.1,{days[n % 6]},+1,第{n}条\n" for n in range(305))
    Path("week.csv").write_text("code,date,value,note\n" + rows, encoding="utf-8")
    assert run("import", "week.csv", today=AS_OF).exit_code == 0
    assert run("undo", "--yes", today=AS_OF).exit_code == 0  # a voided record is not counted
    text = run("report", "weekly", today=AS_OF).stdout
    assert "2025-06-26 至 2025-07-02，共 304 条填报。" in text
    assert "……另有 4 条未列出" in text
    listed = [line for line in text.splitlines() if re.search(r"第\d+条", line)]
    assert len(listed) == 300
    data = json.loads(run("report", "weekly", "--format", "json", today=AS_OF).stdout)
    assert len(data["updates"]) == 304
    assert {"id", "organisation", "year", "title"} <= data["plan"].keys()  # which plan it is
