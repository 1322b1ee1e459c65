"""`--plan all`: the district's view of every plan in use, side by side (and plans kept apart).

Two plans of two organisations with the same item codes share one database: each keeps its own
records and status; `kpi --plan all status`, `report weekly` and `export` show both, ranked worst
first by the gap between the share of work done and the time elapsed, then by red items.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import Prepare, Run
from tests.test_report import HISTORY, SMALL

AS_OF = "2025-07-02"
A, B = "test-2025", "other-2025"
B_RECORDS = [
    ("update", "1.1.1", "+200", "--date", "2025-05-10", "--by", "赵六", "--note", "另一街道签约"),
    ("update", "2.1.2", "80%", "--date", "2025-06-30", "--by", "赵六"),
]


def _other_plan(folder: Path, plan_id: str = B, organisation: str = "另一街道") -> Path:
    """The small plan under another id and organisation: the same codes, another office's plan."""
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace("id: test-2025", f"id: {plan_id}", 1)
    text = text.replace("organisation: 测试街道", f"organisation: {json.dumps(organisation)}", 1)
    text = text.replace("title: 测试街道2025年工作安排", f"title: {plan_id} 的工作安排", 1)
    path = folder / f"{plan_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _two(run: Run) -> None:
    """Plan A with the weekly summary's history, plan B (same codes) with two records of its own."""
    assert run("load", str(SMALL)).exit_code == 0
    for args in HISTORY:
        result = run("--plan", A, *args, today=AS_OF)
        assert result.exit_code == 0, (args, result.output)
    loaded = run("load", str(_other_plan(Path.cwd())))
    assert loaded.exit_code == 0, loaded.output
    for args in B_RECORDS:
        result = run("--plan", B, *args, "--yes", today=AS_OF)
        assert result.exit_code == 0, (args, result.output)


@pytest.fixture
def two(run: Run, prepare: Prepare) -> Run:
    """The database `_two` builds, for this test."""
    prepare("district-two", _two)
    return run


def _status(run: Run, plan: str, *args: str) -> list[dict]:
    result = run("--plan", plan, "status", "--as-of", AS_OF, "-f", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _district(run: Run, *args: str) -> list[dict]:
    result = run("--plan", "all", "status", "--as-of", AS_OF, "-f", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- plans kept apart ------------------------------------------------------------------------------


def test_two_plans_with_the_same_codes_keep_their_records_apart(two: Run) -> None:
    a = {r["code"]: r for r in _status(two, A)}
    b = {r["code"]: r for r in _status(two, B)}
    assert set(a) == set(b)  # the same codes …
    assert (a["1.1.1"]["actual"], b["1.1.1"]["actual"]) == (70, 200)  # … and their own records
    assert (a["2.1.2"]["actual"], b["2.1.2"]["actual"]) == (0.4, 0.8)
    assert {r["plan"] for r in a.values()} == {A} and {r["plan"] for r in b.values()} == {B}
    history = json.loads(two("--plan", B, "history", "-f", "json").stdout)
    assert sorted(r["by"] for r in history) == ["赵六", "赵六"]
    assert two("db", "check").exit_code == 0


def test_one_plans_status_is_unchanged_by_the_others_records(run: Run, tmp_path: Path) -> None:
    assert run("load", str(SMALL)).exit_code == 0
    for args in HISTORY:
        assert run("--plan", A, *args, today=AS_OF).exit_code == 0
    alone = _status(run, A)
    table = run("--plan", A, "status", "--as-of", AS_OF).stdout
    assert run("load", str(_other_plan(tmp_path))).exit_code == 0
    for args in B_RECORDS:
        assert run("--plan", B, *args, "--yes", today=AS_OF).exit_code == 0
    assert _status(run, A) == alone
    assert run("--plan", A, "status", "--as-of", AS_OF).stdout == table


# -- kpi --plan all status ---------------------------------------------------------------------------

FIELDS = [
    "rank",
    "id",
    "organisation",
    "title",
    "start",
    "end",
    "as_of",
    "clamped",
    "items",
    "counts",
    "monitored",
    "completion",
    "elapsed",
    "gap_points",
    "light",
    "stale",
    "red_items",
]
RED_FIELDS = [
    "code",
    "title",
    "lead_office",
    "completion",
    "expected",
    "gap_points",
    "overdue",
    "overdue_milestones",
    "deadline",
    "last_update",
    "latest_note",
]


def test_plan_all_lists_both_plans_ranked_with_exact_fields(two: Run) -> None:
    rows = _district(two)
    assert [(r["rank"], r["id"], r["organisation"]) for r in rows] == [
        (1, B, "另一街道"),  # most of its work unreported, so not done: further behind 序时进度
        (2, A, "测试街道"),
    ]
    for row in rows:
        assert list(row) == FIELDS
        items = _status(two, row["id"])
        weekly = json.loads(
            two("--plan", row["id"], "report", "weekly", "--as-of", AS_OF, "-f", "json").stdout
        )
        lights = [r["status"] for r in items]
        assert row["counts"] == {
            x: lights.count(x) for x in ("done", "green", "yellow", "red", "none")
        }
        assert row["monitored"] == lights.count("monitor") == 0
        assert row["items"] == len(items) == 6
        assert row["completion"] == weekly["overall"]["completion"]
        assert row["elapsed"] == weekly["elapsed"] == pytest.approx(183 / 365, abs=1e-6)
        assert row["gap_points"] == round((row["completion"] - row["elapsed"]) * 100, 2)
        assert row["stale"] == sum(r["stale"] for r in items)
        assert (row["as_of"], row["clamped"]) == (AS_OF, False)
        assert (row["start"], row["end"]) == ("2025-01-01", "2025-12-31")
        red = [r for r in items if r["status"] == "red"]
        assert sorted(r["code"] for r in row["red_items"]) == sorted(r["code"] for r in red)
        by_code = {r["code"]: r for r in red}
        for item in row["red_items"]:
            assert list(item) == RED_FIELDS
            assert item == {k: by_code[item["code"]][k] for k in RED_FIELDS}
    assert rows[0]["gap_points"] < rows[1]["gap_points"]


def test_each_plan_is_read_with_the_version_in_effect_on_each_day(two: Run, tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8").replace("target: {value: 234,", "target: {value: 100,")
    changed = tmp_path / "changed.yaml"
    changed.write_text(text, encoding="utf-8")
    loaded = two("load", str(changed), "--effective", "2025-06-30", today=AS_OF)
    assert loaded.exit_code == 0, loaded.output
    for day in ("2025-06-25", AS_OF):
        row = next(r for r in _district(two, "--as-of", day) if r["id"] == A)
        own = json.loads(two("--plan", A, "report", "weekly", "--as-of", day, "-f", "json").stdout)
        assert row["completion"] == own["overall"]["completion"]
    week = json.loads(_weekly(two, "-f", "json"))
    a = next(p for p in week["plans"] if p["id"] == A)
    own = json.loads(two("--plan", A, "report", "weekly", "--as-of", AS_OF, "-f", "json").stdout)
    # 1.1.1: 40 of 234 last week (red), 70 of 100 this week: the new target, in effect since 06-30
    assert ("1.1.1", "red", "better") in [
        (c["code"], c["from"], c["direction"]) for c in own["changes"]
    ]
    better = sum(c["direction"] == "better" for c in own["changes"])
    assert a["changes"] == {"better": better, "worse": len(own["changes"]) - better}


def test_the_ranking_rule_gap_then_red_items_then_id() -> None:
    from kpi.report.district.model import rank_key

    class Row:
        def __init__(self, id: str, gap: float | None, red: int) -> None:
            self.id, self.gap_points, self.red = id, gap, red

        def count(self, light: object) -> int:
            return self.red

    rows = [
        Row("e", None, 9),
        Row("d", -2.0, 1),
        Row("c", -2.0, 3),
        Row("b", -10.0, 0),
        Row("a", -2.0, 3),
    ]
    ordered = sorted(rows, key=rank_key)  # type: ignore[arg-type]
    assert [r.id for r in ordered] == ["b", "a", "c", "d", "e"]


def test_a_retired_plan_is_left_out(two: Run) -> None:
    assert two("plans", "retire", B).exit_code == 0
    assert [r["id"] for r in _district(two)] == [A]
    assert "另一街道" not in two("--plan", "all", "status", "--as-of", AS_OF).stdout


def test_the_table_fits_80_columns_without_colour_in_a_pipe(two: Run) -> None:
    from rich.cells import cell_len

    result = two("--plan", "all", "status", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert "\x1b[" not in out
    table = out.splitlines()
    b, a = (next(n for n, line in enumerate(table) if line.startswith(p)) for p in (B, A))
    assert b < a  # worst first
    assert "红灯项目（按计划）" in out and f"1. {B} 另一街道：红灯 1 项" in out
    assert out.index(f"2. {A} 测试街道：红灯 2 项") < out.index("2.2.1  安全隐患投诉")


def test_env_plan_all_csv_and_markdown(two: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_PLAN", "all")
    csv = two("status", "--as-of", AS_OF, "-f", "csv")
    assert csv.exit_code == 0, csv.output
    lines = csv.stdout.splitlines()
    assert lines[0].startswith(
        "rank,id,organisation,title,start,end,as_of,clamped,items,counts.done"
    )
    assert [line.split(",")[1] for line in lines[1:]] == [B, A]
    md = two("status", "--as-of", AS_OF, "-f", "md").stdout
    assert md.startswith("# 各计划进度对比（截至 2025-07-02，共 2 个计划）")
    assert f"### 2. {A} 测试街道：红灯 2 项" in md and "| 计划 | 单位 | 项数 |" in md


def test_a_day_outside_the_periods_is_said_once(two: Run) -> None:
    result = two("--plan", "all", "status", "--as-of", "2026-01-15", "-f", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines() == [
        f"2026-01-15 不在计划 {B}、{A} 的计划期内，这些计划各按其计划期内最近的一天计算。"
    ]
    rows = json.loads(result.stdout)
    assert {(r["as_of"], r["clamped"]) for r in rows} == {("2025-12-31", True)}
    assert two("--plan", "all", "status", "--as-of", AS_OF).stderr == ""


def test_filters_and_one_plan_commands_are_refused_with_all(two: Run) -> None:
    refused = two("--plan", "all", "status", "--light", "red")
    assert refused.exit_code == 2 and "--plan all 不能与" in refused.stderr
    assert two("--plan", "all", "update", "1.1.1", "+1").exit_code == 2
    csv = two("--plan", "all", "export", "--format", "csv")
    assert csv.exit_code == 2 and "只导出 Excel 工作簿" in csv.stderr


# -- kpi --plan all report weekly ------------------------------------------------------------------


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


def _weekly(run: Run, *args: str) -> str:
    result = run("--plan", "all", "report", "weekly", "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_weekly_json_has_each_plans_week(two: Run) -> None:
    report = json.loads(_weekly(two, "-f", "json"))
    assert (report["year"], report["week"], report["as_of"]) == (2025, 27, AS_OF)
    assert report["window"] == {"start": "2025-06-26", "end": AS_OF}
    assert report["ranking"] == ["gap_points", "red", "id"]
    plans = {p["id"]: p for p in report["plans"]}
    assert [p["id"] for p in report["plans"]] == [B, A]
    own = json.loads(two("--plan", A, "report", "weekly", "--as-of", AS_OF, "-f", "json").stdout)
    a = plans[A]
    assert a["records"] == len(own["updates"]) == 3
    better = sum(c["direction"] == "better" for c in own["changes"])
    worse = len(own["changes"]) - better
    assert a["changes"] == {"better": better, "worse": worse} == {"better": 2, "worse": 1}
    assert a["stale_by_office"] == {o: len(x) for o, x in own["stale_by_office"].items()}
    assert plans[B]["records"] == 1  # 2.1.2 on 06-30; 1.1.1 in May is before the week
    assert report["totals"]["records"] == 4 and report["totals"]["plans"] == 2
    assert {k: v for k, v in a.items() if k in FIELDS} == _district(two)[1]


def test_weekly_text_and_markdown(two: Run) -> None:
    from rich.cells import cell_len

    text = _weekly(two)
    assert text.startswith("各计划进度周报 · 2025年第27周（截至 2025-07-02，共 2 个计划）")
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    for words in ("一、各计划进度", "二、本周变化", "三、红灯项目", "四、催办"):
        assert words in text
    assert "社区平安办 1 项" in text  # 催办 counts per plan and lead office
    md = _weekly(two, "-f", "md")
    assert md.startswith("# 各计划进度周报")
    assert "## 二、本周变化（与上周相比）" in md and f"### 2. {A} 测试街道：红灯" in md
    week = md[md.index("## 二、") : md.index("## 三、")]
    assert f"| {A} | 测试街道 | 3 | 2 | 1 |" in week


def test_weekly_html_is_one_self_contained_page(two: Run) -> None:
    html = _weekly(two, "-f", "html")
    page = _Page()
    page.feed(html)
    assert html.startswith("<!DOCTYPE html>")
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not any(v and re.search(r"https?:|//", v) for _, v in page.attrs)
    assert "@media print" in html and 'name="viewport"' in html and "max-width: 40rem" in html
    assert "<h3>" in html and html.count('class="bar"') >= 2 and "<svg" in html
    text = "".join(page.text)
    assert "测试街道" in text and "另一街道" in text and "红 滞后" in text


def test_weekly_out_and_fail_on_red(two: Run, tmp_path: Path) -> None:
    result = two(
        "--plan", "all", "report", "weekly", "--as-of", AS_OF, "-f", "html",
        "--out", "reports/district-{year}-W{week}.html", "--fail-on", "red",
    )  # fmt: skip
    assert result.exit_code == 3
    assert (tmp_path / "reports" / "district-2025-W27.html").read_text().endswith("</html>\n")
    assert "--fail-on red" in result.stderr


# -- kpi --plan all export -----------------------------------------------------------------------------


def test_the_workbook_has_a_summary_and_a_sheet_per_plan(run: Run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    assert run("load", str(SMALL)).exit_code == 0
    for args in HISTORY:
        assert run("--plan", A, *args, today=AS_OF).exit_code == 0
    hostile = '=HYPERLINK("x")/[第二]街道:很长很长很长很长的名字*?'
    assert run("load", str(_other_plan(tmp_path, organisation=hostile))).exit_code == 0
    result = run("--plan", "all", "export", "--as-of", AS_OF, "--out", "all.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "已导出 all.xlsx（2 个计划，12 项）"
    book = load_workbook(tmp_path / "all.xlsx")
    assert book.sheetnames[0] == "汇总" and book.sheetnames[2] == f"{A} 测试街道"  # worst first
    other = book.sheetnames[1]
    assert len(other) <= 31 and not re.search(r"[\[\]:*?/\\]", other) and other.startswith(B)
    summary = book["汇总"]
    assert summary["A2"].value == "排名" and summary["B3"].value == B
    rows = [[c.value for c in row] for row in summary.iter_rows(min_row=3, max_col=4)]
    assert rows == [
        [1, B, hostile, f"{B} 的工作安排"],
        [2, A, "测试街道", "测试街道2025年工作安排"],
    ]
    assert summary.print_title_rows == "$2:$2" and summary.page_setup.orientation == "landscape"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    ledger = book[f"{A} 测试街道"]
    codes = [ledger.cell(row=n, column=2).value for n in range(3, ledger.max_row + 1)]
    assert {"1.1.1", "2.2.1"} <= set(codes)


def test_sheet_names_are_cut_cleaned_and_unique() -> None:
    from kpi.sheets.district import sheet_names

    long = "x" * 40
    names = sheet_names(["汇总", "a/b:c", long, long, "'q'", "A/B:C"], {"Summary"})
    assert names[:2] == ["汇总", "abc"]
    assert names[2] == "x" * 31 and names[3] == "x" * 29 + "~2"
    assert names[4] == "q" and names[5] == "ABC~2"
    assert sheet_names(["summary"], {"Summary"}) == ["summary~2"]
