"""The 台账 as a leader prints it: A4 landscape, as wide as the page, the header on every page, a
footer with the page and the day, text big enough to read, and nothing cut off.

The workbook is read back with openpyxl for its print settings and its group rows, and converted
once to PDF with LibreOffice, whose pages poppler (pdfinfo, pdftotext) measures. The conversion
is skipped where LibreOffice is not installed; CI installs it, with the fonts it needs: a Chinese
one, and Carlito, which has Calibri's widths and so lays the columns out as Excel does.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import statistics
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from kpi.core.plan import Plan
from kpi.formats.words import title_with_unit
from tests.conftest import Run

LEDGER = "kpi-台账-2025-07-02.xlsx"
LEDGER_HEADERS = [
    "序号", "编号", "工作任务", "牵头单位", "完成时限", "2024基数", "2025目标", "完成值",
    "完成率", "序时进度", "状态", "最新进展",
]  # fmt: skip
HISTORY_HEADERS = [
    "编号", "工作任务", "日期", "记录", "进展情况", "填报人", "登录名", "录入时间", "已作废",
    "作废原因",
]  # fmt: skip
AREAS = [
    "一、加快培育新质生产力,塑造高质量发展新优势",
    "二、聚焦系统集成数智赋能,绘就人民城市新图景",
]
LONG_NOTE = (
    "改造方案已经街道党工委会议审议通过，报区民政局备案；施工单位招标工作同步启动，"
    "预计七月底前完成招标并进场施工，九月底前恢复运营。"
)
FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(A1:A9)"]
SOFFICE = shutil.which("soffice")


@pytest.fixture(autouse=True)
def _recorded(run: Run) -> None:
    """The real plan with records of every kind: indicators, a task, a milestone with a long
    note, notes that look like formulas, and a void one."""
    rows = [
        ["编号", "日期", "数值", "进展情况", "填报人"],
        ["1.1.5", "2025-06-30", "120", FORMULAS[0], "王小明"],
        ["1.1.7", "2025-06-30", "=3.2", FORMULAS[1], ""],
        ["3.1.3", "2025-06-01", "35%", FORMULAS[2], ""],
        ["2.2.3", "2025-06-01", "10%", FORMULAS[3], ""],
        ["1.4.1", "2025-05-31", "完成", "方案已印发", ""],
        ["3.1.6-1", "2025-04-28", "完成", LONG_NOTE, "李华"],
        ["2.1.3", "2025-06-01", "1", "录错了", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    Path("u.csv").write_text(buffer.getvalue(), encoding="utf-8")
    assert run("import", "u.csv").exit_code == 0
    history = json.loads(run("history", "-f", "json").stdout)
    wrong = next(r["id"] for r in history if r["note"] == "录错了")
    assert run("void", str(wrong), "--reason", "重复填报").exit_code == 0
    result = run("export")
    assert result.exit_code == 0, result.stderr


def _workbook(path: str | Path = LEDGER) -> Any:
    from openpyxl import load_workbook

    return load_workbook(path)


# --------------------------------------------------------------------------------------------
# What the workbook says about printing, read back with openpyxl


def test_both_sheets_print_on_a4_landscape_fitted_to_the_width() -> None:
    wb = _workbook()
    for ws, title_rows in ((wb["台账"], "$2:$2"), (wb["填报记录"], "$1:$1")):
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert int(setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title  # as many pages long
        assert ws.print_title_rows == title_rows, ws.title  # the header on every page
        footer = ws.oddFooter
        assert footer.center.text == "第 &P 页，共 &N 页"
        assert footer.right.text == "截至 2025-07-02"
        assert footer.left.text == f"新江湾城街道2025年主要工作安排督查督办台账·{ws.title}"
        margins = ws.page_margins
        assert 0.25 <= min(margins.left, margins.right, margins.top, margins.bottom) <= 1
    assert wb["台账"].freeze_panes == "A3" and wb["填报记录"].freeze_panes == "A2"


def test_areas_and_sections_are_group_rows_and_items_fold_under_them(plan: Plan) -> None:
    ws = _workbook()["台账"]
    assert [c.value for c in ws[2]] == LEDGER_HEADERS
    groups: list[tuple[int, str]] = []
    items: list[str] = []
    for row in ws.iter_rows(min_row=3):
        first, code = row[0], row[1]
        level = ws.row_dimensions[first.row].outline_level
        if code.value is None:  # a group row: its words in the first cell, the rest empty
            assert isinstance(first.value, str) and first.font.bold, first.coordinate
            assert first.fill.fgColor.rgb.endswith(("D9D9D9", "F2F2F2")), first.coordinate
            assert all(c.value is None for c in row[1:]), first.coordinate
            assert not first.alignment.wrap_text  # one line, running over the empty cells
            groups.append((level, first.value))
        else:
            assert level == 2, code.value
            items.append(code.value)
    assert items == [i.code for i in plan.items]  # every item once, in plan order
    expected: list[tuple[int, str]] = []
    for n, area in enumerate(plan.areas):
        expected.append((0, f"{'一二三四五六'[n]}、{area.title}"))
        expected += [(1, f"{s.code} {s.title}") for s in area.sections]
    assert groups == expected
    assert [text for _, text in groups[:1]] == AREAS[:1]
    assert ws.max_row == 2 + len(plan.items) + len(plan.areas) + len(list(plan.sections()))
    assert ws.sheet_properties.outlinePr.summaryBelow is False  # fold buttons on group rows
    assert ws.auto_filter.ref == f"A2:L{ws.max_row}"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:L1"]  # the title alone is merged


def test_the_text_columns_take_the_room_and_rows_are_as_tall_as_their_text() -> None:
    ws = _workbook()["台账"]
    widths = {
        h: ws.column_dimensions[chr(ord("A") + n)].width for n, h in enumerate(LEDGER_HEADERS)
    }
    total = sum(widths.values())
    # Excel's units are about 5.25 pt: 165 of them at most fit A4 at 0.85 scale, 11 pt → 9.4 pt.
    assert total <= 165, widths
    assert widths["工作任务"] + widths["最新进展"] >= 0.35 * total, widths
    rows = {ws.cell(row=r, column=2).value: r for r in range(3, ws.max_row + 1)}
    note = ws.cell(row=rows["3.1.6"], column=12)
    assert note.value == LONG_NOTE and note.alignment.wrap_text
    assert ws.row_dimensions[rows["3.1.6"]].height >= 3 * 15  # the long note's lines
    assert ws.row_dimensions[rows["1.1.1"]].height is None  # one line: the default height


def test_the_records_sheet_names_each_records_task(plan: Plan) -> None:
    ws = _workbook()["填报记录"]
    assert [c.value for c in ws[1]] == HISTORY_HEADERS
    by_code = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    assert by_code["1.1.5"][1].value == title_with_unit(plan.item("1.1.5")) == "招引企业(家)"
    assert by_code["3.1.6-1"][1].value == "升级改造睿达路为老助餐点（节点：完成改造方案）"
    assert by_code["3.1.6-1"][4].value == LONG_NOTE
    assert by_code["2.1.3"][8].value == "是" and by_code["2.1.3"][1].font.strike
    assert all(by_code[code][1].alignment.wrap_text for code in by_code)


def test_no_cell_is_a_formula_and_numbers_stay_numbers(plan: Plan) -> None:
    wb = _workbook()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate)
    ws = wb["台账"]
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "1.1.5")
    item = plan.item("1.1.5")
    assert item.baseline and item.target
    assert [c.value for c in row[5:8]] == [item.baseline.value, item.target.value, 120]
    assert row[8].value == pytest.approx(120 / item.target.value)
    assert row[8].number_format == "0.0%"
    assert row[10].value == "绿 达进度" and row[10].fill.fgColor.rgb.endswith("C6EFCE")
    assert row[11].value == FORMULAS[0]


def test_english_group_rows_and_footer(run: Run) -> None:
    assert run("--lang", "en", "export").exit_code == 0
    ws = _workbook("kpi-ledger-2025-07-02.xlsx")["Ledger"]
    assert ws["A3"].value == "1. 加快培育新质生产力,塑造高质量发展新优势"
    assert ws["A4"].value == "1.1 全区域构建产业发展格局"
    assert ws.oddFooter.center.text == "Page &P of &N"
    assert ws.oddFooter.right.text == "As of 2025-07-02"


# --------------------------------------------------------------------------------------------
# The printed pages: LibreOffice's PDF, measured


def _poppler(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=True)
    return done.stdout


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_printed_ledger_reads_well_on_a4(plan: Plan, tmp_path: Path) -> None:
    assert SOFFICE is not None
    out = tmp_path / "pdf"
    done = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(out), LEDGER],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    pdf = out / LEDGER.replace(".xlsx", ".pdf")
    assert done.returncode == 0 and pdf.is_file(), done.stderr

    info = _poppler("pdfinfo", "-f", "1", "-l", "999", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info, re.M)
    assert len(sizes) == pages, info  # every page A4 …
    assert all(float(w) > float(h) for w, h in sizes), sizes  # … and landscape

    texts = [_poppler("pdftotext", "-raw", "-f", str(p), "-l", str(p), str(pdf), "-") for p in range(1, pages + 1)]  # fmt: skip
    ledger = [p for p, text in enumerate(texts, start=1) if "督查督办台账·台账" in text]
    records = [p for p, text in enumerate(texts, start=1) if "督查督办台账·填报记录" in text]
    assert ledger == list(range(1, len(ledger) + 1)) and records, texts
    assert len(ledger) + len(records) == pages
    assert 3 <= len(ledger) <= 6, f"the 台账 prints on {len(ledger)} pages"
    for p, text in enumerate(texts, start=1):
        flat = _squeeze(text)
        headers = LEDGER_HEADERS if p in ledger else HISTORY_HEADERS
        assert all(h in flat for h in headers), (p, [h for h in headers if h not in flat])
        assert f"第{p}页，共{pages}页" in flat, p  # the footer: page n of N …
        assert "截至2025-07-02" in flat, p  # … and the day
        assert "###" not in text, p  # a number too wide for its column

    # Nothing cut off: every area, section and task whole, the long note whole on both sheets.
    printed = _squeeze("".join(texts[p - 1] for p in ledger))
    wanted = [
        *AREAS,
        *(f"{s.code}{s.title}" for s in plan.sections()),
        *(title_with_unit(i) for i in plan.items),
        LONG_NOTE,
    ]
    assert not [w for w in wanted if _squeeze(w) not in printed]
    assert LONG_NOTE in _squeeze("".join(texts[p - 1] for p in records))

    # Big enough to read: a Chinese character is one em wide, so a word of them gives the size
    # the text printed at, whatever the font; word boxes are taller still (ascent and descent).
    for p in ledger + records:
        boxes = [
            (float(x0), float(y0), float(x1), float(y1), word)
            for x0, y0, x1, y1, word in _WORD.findall(
                _poppler("pdftotext", "-bbox", "-f", str(p), "-l", str(p), str(pdf), "-")
            )
        ]
        ems = [
            (x1 - x0) / len(word)
            for x0, _, x1, _, word in boxes
            if len(word) >= 2 and all(unicodedata.east_asian_width(c) in "WF" for c in word)
        ]
        # Smaller here than in Excel where Calibri is missing and Carlito, its widths, too.
        assert statistics.median(ems) >= 9, (p, statistics.median(ems))  # the cells
        assert min(ems) >= 8, (p, min(ems))  # the footer too
        assert min(y1 - y0 for _, y0, _, y1, _ in boxes) >= 8, p
