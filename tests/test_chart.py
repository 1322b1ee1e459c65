"""The terminal chart of ``kpi show``: bars per month against 序时进度 in plain characters.

Pure tests of ``kpi.formats.chart`` (exact lines), then the chart as ``kpi show`` draws it: the
values of ``kpi.core.status.trend``, within 80 columns, no colour codes in a pipe.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from kpi.cli.views import month_ends
from kpi.core.plan_file import parse_plan
from kpi.core.records import Update
from kpi.core.status import expected_share, item_status, trend
from kpi.core.text import width
from kpi.formats.chart import axis_label, month_labels, progress_chart, unit_scale
from tests.conftest import REPO, Run

SMALL = REPO / "tests" / "data" / "small.yaml"


def test_bars_ticks_target_and_axis_exactly() -> None:
    lines = progress_chart(["1月", "2月", "3月"], [None, 0.25, 0.5], [0.25, 0.5, 0.75], width=40)
    assert lines == [
        "100% ┤┈┈┈┈┈┈┈┈┈┈┈┈┈┈┈ 目标",
        "     │",
        " 75% ┤          ─  ─",
        "     │",
        " 50% ┤     ─  ─  ██",
        "     │           ██",
        " 25% ┤─  ─  ██   ██",
        "     │      ██   ██",
        "  0% └───────────────",
        "       1月  2月  3月",
        "██ 完成率（月末）  ─ 序时进度",
        "┈ 目标 100%",
    ]


def test_an_indicator_reads_in_its_unit_and_may_pass_its_target() -> None:
    lines = progress_chart(["1月", "2月"], [0.1, 1.25], [0.5, 1.0], scale=(8.0, "亿元"), width=40)
    assert lines == [
        "10 ┤      ██",
        "   │      ██",
        " 8 ┤┈┈┈┈┈─██─┈ 目标",  # the target row, 序时进度 at 100% on it
        "   │      ██",
        " 6 ┤      ██",
        "   │      ██",
        " 4 ┤─  ─  ██",
        "   │      ██",
        " 2 ┤      ██",
        "   │ ▆▆   ██",  # 10% is 0.8 of the lowest row: an eighth-block
        " 0 └──────────",
        "     1月  2月",
        "██ 完成率（月末）  ─ 序时进度",
        "┈ 目标 8 亿元",
    ]


def test_a_little_done_still_shows_and_nothing_done_shows_nothing() -> None:
    lines = progress_chart(["1月", "2月"], [0.001, 0.0], [0.0, 0.0], width=40)
    bottom = lines[7]
    assert bottom == "     │ ▁▁", bottom
    assert progress_chart(["1月"], [-0.4], [0.0], width=40)[7] == "     │"  # gone backwards


def test_a_year_fits_80_columns_and_a_narrow_screen_keeps_the_latest_months() -> None:
    months = month_labels()
    done = [m / 12 * 0.9 for m in range(1, 13)]
    expected = [m / 12 for m in range(1, 13)]
    wide = progress_chart(months, done, expected, scale=(175.5, "家"), width=76)
    assert max(width(line) for line in wide) <= 76
    assert _under_the_axis(wide) == months  # every month named, in order
    narrow = progress_chart(months, done, expected, width=30)
    assert max(width(line) for line in narrow) <= 30
    assert _under_the_axis(narrow)[-1] == "12月" and "1月" not in _under_the_axis(narrow)


def _under_the_axis(lines: list[str]) -> list[str]:
    axis = next(n for n, line in enumerate(lines) if "└" in line)
    return lines[axis + 1].split()


def test_axis_words() -> None:
    assert axis_label(0.5, None) == "50%"
    assert axis_label(0.25, (234.0, "家")) == "58.5"
    assert axis_label(1.0, (234.0, "家"), unit=True) == "234 家"


def test_which_items_read_in_their_unit() -> None:
    plan = parse_plan(SMALL.read_text(encoding="utf-8"), "small.yaml")
    assert unit_scale(plan.item("1.1.1")) == (234.0, "家")  # counts up to its target
    assert unit_scale(plan.item("2.1.1")) is None  # a task: percent
    assert unit_scale(plan.item("2.2.1")) is None  # lower is better: percent of the way


def test_the_chart_of_kpi_show_is_the_status_trend(run: Run) -> None:
    assert run("load", str(SMALL)).exit_code == 0
    for value, day in (("40", "2025-03-10"), ("+30", "2025-06-27")):
        assert run("update", "1.1.1", value, "--date", day, "--note", "签约").exit_code == 0
    out = run("show", "1.1.1", "--as-of", "2025-07-02").stdout
    assert "按月走势" in out and "┈ 目标 234 家" in out and "\x1b[" not in out
    assert max(width(line) for line in out.splitlines()) <= 80
    assert "▁" not in out.split("按月走势")[0]  # the sparkline is gone, the chart below the facts

    plan = parse_plan(SMALL.read_text(encoding="utf-8"), "small.yaml")
    item = plan.item("1.1.1")
    updates = [
        Update(1, "1.1.1", "1.1.1", dt.date(2025, 3, 10), "add", 40.0),
        Update(2, "1.1.1", "1.1.1", dt.date(2025, 6, 27), "add", 30.0),
    ]
    days = month_ends(plan.start, dt.date(2025, 7, 2))
    values = trend(plan, item, updates, days)
    assert values[-1] == item_status(plan, item, updates, dt.date(2025, 7, 2)).completion
    lines = progress_chart(
        [f"{d.month}月" for d in days],
        values,
        [expected_share(plan, item, d) for d in days],
        scale=unit_scale(item),
        width=76,
    )
    inside = [line[2:-2].rstrip() for line in out.splitlines() if line.startswith("│")]
    start = inside.index(lines[0])
    assert inside[start : start + len(lines)] == lines


def test_the_chart_module_imports_no_terminal_library() -> None:
    code = (
        "import sys, kpi.formats.chart\n"
        "bad = {'rich', 'typer', 'click', 'sqlite3', 'sqlalchemy'} & set(sys.modules)\n"
        "print(sorted(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
