"""`kpi import` at its bounds: hostile files refused in one line, typed-input safety of cells,
rows that move a figure far out of line, mistakes listed in full up to a bound, the check again
inside the write transaction, and memory that does not grow with the rows."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Prepare, Run, loaded
from tests.test_import import history, statuses, write_csv


@pytest.fixture(autouse=True)
def _loaded(prepare: Prepare) -> None:
    prepare("loaded", loaded)


def _refused(result: Any, message: str) -> None:
    """Exit 2, the message, on one line (the first of stderr), and no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    first = result.stderr.splitlines()[0]
    assert message in first, first
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr


def _xlsx(path: str, sheet: bytes | None = None, *, extra: dict[str, bytes] | None = None) -> Path:
    """A valid workbook of one sheet (code, date, value), its sheet XML replaced if given."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["code", "date", "value"])
    ws.append(["1.1.5", "2025-06-30", 5])
    buffer = io.BytesIO()
    wb.save(buffer)
    target = Path(path)
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if sheet is not None and info.filename == "xl/worksheets/sheet1.xml":
                data = sheet
            out.writestr(info.filename, data)
        for member, data in (extra or {}).items():
            out.writestr(member, data)
    return target


_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"%s<sheetData>%s</sheetData></worksheet>"
)


def _rows(*rows: str, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return _SHEET % (dim, "".join(rows).encode())


def _row(number: int, *cells: tuple[str, str]) -> str:
    inner = "".join(
        f'<c r="{ref}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for ref, v in cells
    )
    return f'<row r="{number}">{inner}</row>'


HEADER = _row(1, ("A", "code"), ("B", "date"), ("C", "value"))


# -- spreadsheets beyond sane bounds ------------------------------------------------------------


def test_a_zip_bomb_is_refused_in_seconds_with_bounded_memory(tmp_path: Path) -> None:
    """A 600 MB sheet of blanks packed into well under 1 MB: refused from the zip's table of
    contents, by a process that may not grow past 1 GB, in a few seconds."""
    bomb = tmp_path / "bomb.xlsx"
    _xlsx(str(bomb))
    # Deflate a megabyte of blanks once, flushed so that the next megabyte deflates alike: the
    # same bytes 600 times are a valid stream of 600 MB (zlib would take seconds to find them).
    block = b" " * 2**20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.flush()

    class Again:
        def compress(self, data: bytes) -> bytes:
            return packed

        def flush(self) -> bytes:
            return end

    with (
        zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml.bak", "w") as member,
    ):
        member._compressor = Again()  # type: ignore[attr-defined]
        for _ in range(600):
            member.write(block)
    assert bomb.stat().st_size < 2**20
    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30)); "
        "from kpi.cli import main; sys.argv = ['kpi', 'import', sys.argv[1]]; main()"
    )
    env = {**os.environ, "KPI_TODAY": "2025-07-02"}
    env.pop("KPI_DEBUG", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script, str(bomb)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert time.monotonic() - started < 10
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert "bomb.xlsx 解压后有 600 MB，超过上限 512 MB" in done.stderr


def test_a_member_packed_far_tighter_than_any_sheet_is_refused(run: Run) -> None:
    sheet = _rows(
        HEADER + " " * 3 * 2**20 + _row(2, ("A", "1.1.5"), ("B", "2025-06-30"), ("C", "5"))
    )
    _xlsx("packed.xlsx", sheet)
    started = time.monotonic()
    result = run("import", "packed.xlsx")
    assert time.monotonic() - started < 5
    _refused(result, "packed.xlsx 中的 xl/worksheets/sheet1.xml 解压后有 3 MB，是压缩后的")
    assert history(run) == []


def test_a_sheet_past_excel_s_last_row_is_refused(run: Run) -> None:
    _xlsx("rows.xlsx", _rows(HEADER, _row(1_048_577, ("A", "1.1.5"))))
    started = time.monotonic()
    result = run("import", "rows.xlsx")
    assert time.monotonic() - started < 5
    _refused(result, "rows.xlsx 超过 Excel 的上限 1,048,576 行")
    assert history(run) == []


def test_a_row_past_excel_s_last_column_is_refused(run: Run) -> None:
    _xlsx("wide.xlsx", _rows(HEADER, _row(2, ("A", "1.1.5"), ("XFE", "x"))))
    _refused(run("import", "wide.xlsx"), "wide.xlsx 第2行有 16,385 列，超过上限 16,384 列")


def test_a_sheet_declaring_a_huge_size_is_read_as_the_rows_it_has(run: Run) -> None:
    sheet = _rows(
        HEADER,
        _row(2, ("A", "1.1.5"), ("B", "2025-06-30"), ("C", "5")),
        dimension="A1:XFD1048576",
    )
    _xlsx("declared.xlsx", sheet)
    started = time.monotonic()
    result = run("import", "declared.xlsx")
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 5
    assert statuses(run)["1.1.5"]["actual"] == 5


def test_a_csv_of_a_million_columns_names_the_first_few(run: Run) -> None:
    header = "code,date,value," + ",".join(f"x{n}" for n in range(1_000_000))
    Path("wide.csv").write_text(header + "\n1.1.5,2025-06-30,5\n", encoding="utf-8")
    result = run("import", "wide.csv")
    _refused(result, "wide.csv 第1行有 ")
    first = result.stderr.splitlines()[0]
    assert "列，超过上限 16,384 列（其中有：“x0”、“x1”、“x2”、“x3”、“x4”）" in first
    assert len(first) < 300
    assert history(run) == []


def test_a_header_of_many_unknown_columns_names_five_and_counts_them(run: Run) -> None:
    header = ["code", "date", "value", *(f"列{n}" for n in range(40))]
    write_csv("u.csv", [header, ["1.1.5", "2025-06-30", "5"]])
    result = run("import", "u.csv")
    _refused(result, "u.csv 第1行表头有未知的列：“列0”、“列1”、“列2”、“列3”、“列4” 等，共 40 列")


def test_a_csv_cell_over_the_size_limit_names_its_row(run: Run) -> None:
    rows = [["code", "date", "value", "note"], ["1.1.5", "2025-06-30", "5", "ok"]]
    rows.append(["1.1.5", "2025-06-30", "5", "长" * 200_000])
    write_csv("big.csv", rows)
    result = run("import", "big.csv")
    _refused(result, "big.csv 第3行有一格超过 131072 个字符")
    assert "field larger" not in result.stderr
    assert history(run) == []


def test_a_csv_line_without_an_end_is_refused_by_its_row(run: Run) -> None:
    Path("long.csv").write_text("code,date,value\n" + "x" * (2**20 + 10), encoding="utf-8")
    _refused(run("import", "long.csv"), "long.csv 第2行有一格超过 131072 个字符")


def test_a_nul_in_a_csv_cell_names_row_column_and_position(run: Run) -> None:
    Path("nul.csv").write_bytes(
        "code,date,value,note\n1.1.5,2025-06-30,5,签约\x00两家\n1.1\x005,2025-06-30,5,\n".encode()
    )
    result = run("import", "nul.csv")
    _refused(result, "nul.csv 有 2 处错误，未导入任何记录。")
    assert "nul.csv 第2行“note”列：note 的第 3 个字符 U+0000 是不可见的控制字符" in result.stderr
    assert "nul.csv 第3行“code”列：code 的第 4 个字符 U+0000 是不可见的控制字符" in result.stderr
    assert history(run) == []


def test_a_pipe_is_read_once_and_checked_like_a_file(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "sheet.csv"
    os.mkfifo(fifo)
    text = "code,date,value\n1.1.5,2025-06-30,5\n1.1.5,2025-06-30,+2\n"

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as pipe:
            pipe.write(text)

    writer = threading.Thread(target=feed)
    writer.start()
    result = run("import", str(fifo))
    writer.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert statuses(run)["1.1.5"]["actual"] == 7


# -- what people typed ----------------------------------------------------------------------------


UNSAFE = [
    ("进展情况", "签约\u202e005+家", "进展情况 的第 3 个字符 U+202E 是不可见的控制字符"),
    ("进展情况", "\x1b]0;pwned\x07新签约", "进展情况 的第 1 个字符 U+001B 是不可见的控制字符"),
    ("进展情况", "新\x85签约", "进展情况 的第 2 个字符 U+0085 是不可见的控制字符"),
    ("填报人", "王\u200b芳", "填报人 的第 2 个字符 U+200B 是不可见的控制字符"),
    ("填报人", "王芳\n李明", "填报人 的第 3 个字符是换行或 Tab（U+000A）；请写在一行内"),
    ("进展情况", "长" * 2001, "进展情况 有 2001 个字，超过上限 2000 字"),
    ("填报人", "名" * 65, "填报人 有 65 个字，超过上限 64 字"),
    ("编号", "1.1.5\u2066", "编号 的第 6 个字符 U+2066 是不可见的控制字符"),
]


def test_unsafe_or_overlong_text_is_a_row_error_naming_column_character_and_place(
    run: Run,
) -> None:
    rows = [
        ["编号", "日期", "数值", "进展情况", "填报人"],
        ["1.1.5", "2025-06-30", "5", "好", "王芳"],
    ]
    for column, text, _ in UNSAFE:
        row = ["1.1.5", "2025-06-30", "5", "好", "王芳"]
        row[rows[0].index(column)] = text
        rows.append(row)
    write_csv("u.csv", rows)
    result = run("import", "u.csv")
    _refused(result, f"u.csv 有 {len(UNSAFE)} 处错误，未导入任何记录。")
    for n, (column, _, problem) in enumerate(UNSAFE, start=3):
        assert f"u.csv 第{n}行“{column}”列：{problem}" in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert history(run) == []


def test_text_stays_text(run: Run) -> None:
    rows = [
        ["编号", "日期", "数值", "进展情况", "填报人"],
        ["1.1.5", "2025-06-30", "5", "=1+2", "@SUM(A1)"],
        ["1.1.5", "2025-06-29", "1", "第一行\n第二行\t（表格）", "-王芳"],
    ]
    write_csv("u.csv", rows)
    assert run("import", "u.csv").exit_code == 0
    got = sorted((r["note"], r["by"]) for r in history(run))
    assert got == [("=1+2", "@SUM(A1)"), ("第一行\n第二行\t（表格）", "-王芳")]


# -- mistakes listed ------------------------------------------------------------------------------


def test_the_first_mistakes_are_listed_in_full_and_the_rest_counted(run: Run) -> None:
    rows = [["code", "date", "value"]] + [["1.1.5", "2025-06-30", f"x{n}"] for n in range(250)]
    write_csv("bad.csv", rows)
    result = run("import", "bad.csv")
    _refused(result, "bad.csv 有 250 处错误，未导入任何记录。 bad.csv 第2行“value”列：")
    lines = result.stderr.splitlines()
    assert len(lines) == 201
    assert "bad.csv 第201行“value”列：“x199”不是数字" in lines[-2]
    assert lines[-1].strip() == "……另有 50 处错误未列出"


# -- slips ----------------------------------------------------------------------------------------

SLIPPY = [
    ["编号", "日期", "数值"],
    ["1.1.5", "2025-06-02", "+5"],
    ["1.1.5", "2025-06-03", "+500"],  # 招引企业: 234 a year, not 500 in a day
    ["1.1.7", "2025-05-31", "=3.2"],
    ["1.1.7", "2025-06-30", "=1.1"],  # 区级税收 is a year-to-date total: it never goes down
]


def test_a_dry_run_lists_rows_far_out_of_line(run: Run) -> None:
    write_csv("u.csv", SLIPPY)
    result = run("import", "u.csv", "--dry-run")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "其中 2 行的数值变动异常（多半是笔误），正式导入需加 --yes：" in out
    assert (
        "u.csv 第3行“数值”列：1.1.5 这一条把数值从 5 变为 505 家，变动超过目标的两倍（468）" in out
    )
    assert "u.csv 第5行“数值”列：1.1.7 是年累计数，这一条把累计从 3.2 降到 1.1 亿元" in out
    assert history(run) == []


def test_a_real_import_of_slips_needs_yes(run: Run) -> None:
    write_csv("u.csv", SLIPPY)
    result = run("import", "u.csv")
    _refused(result, "u.csv 有 2 行的数值变动异常（多半是笔误），未导入任何记录；")
    assert "u.csv 第3行“数值”列：1.1.5 这一条把数值从 5 变为 505 家" in result.stderr
    assert history(run) == []
    result = run("import", "u.csv", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "其中 2 行的数值变动异常，已按 --yes 导入：" in result.stdout
    assert len(history(run)) == 4


def test_a_slip_is_judged_against_the_stored_figure(run: Run) -> None:
    assert run("update", "1.1.7", "5", "--date", "2025-05-31").exit_code == 0
    write_csv("u.csv", [["编号", "日期", "数值"], ["1.1.7", "2025-06-30", "=4.5"]])
    _refused(run("import", "u.csv"), "u.csv 有 1 行的数值变动异常")
    write_csv("ok.csv", [["编号", "日期", "数值"], ["1.1.7", "2025-06-30", "=5.5"]])
    assert run("import", "ok.csv").exit_code == 0


def test_a_running_total_that_would_not_be_finite_is_a_row_error(run: Run) -> None:
    rows = [
        ["编号", "日期", "数值"],
        ["1.1.5", "2025-06-01", "1e308"],
        ["1.1.5", "2025-06-02", "1e308"],
    ]
    write_csv("u.csv", rows)
    result = run("import", "u.csv", "--yes")
    _refused(result, "u.csv 第3行“数值”列：1.1.5 记录后的累计不是有限数字")
    assert history(run) == []


# -- checked again inside the transaction --------------------------------------------------------


def _meanwhile(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    """Someone else runs ``kpi ARGS`` after the import's first check, before its write."""
    from kpi.store import records

    original = records.add_updates

    def late(*a: Any, **k: Any) -> Any:
        env = {**os.environ, "KPI_TODAY": "2025-07-02"}
        env.pop("KPI_DEBUG", None)
        done = subprocess.run(
            [sys.executable, "-m", "kpi", *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return original(*a, **k)

    monkeypatch.setattr(records, "add_updates", late)


def test_a_milestone_done_meanwhile_refuses_the_import(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_csv("u.csv", [["编号", "日期", "数值"], ["3.1.1-1", "2025-04-28", "完成"]])
    _meanwhile(monkeypatch, "done", "3.1.1-1", "--date", "2025-04-27")
    _refused(run("import", "u.csv"), "u.csv 第2行“数值”列：3.1.1-1 已记录为完成")
    assert [r["date"] for r in history(run)] == ["2025-04-27"]


def test_a_row_recorded_meanwhile_is_recorded_once(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_csv("u.csv", [["编号", "日期", "数值"], ["1.1.5", "2025-06-30", "+5"]])
    _meanwhile(monkeypatch, "import", "u.csv")
    result = run("import", "u.csv")
    assert result.exit_code == 0, result.stderr
    assert "都已导入过" in result.stdout
    assert statuses(run)["1.1.5"]["actual"] == 5


def test_a_file_changed_between_the_check_and_the_write_writes_nothing(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpi.store import records

    write_csv("u.csv", [["编号", "日期", "数值"], ["1.1.5", "2025-06-30", "+5"]])
    original = records.add_updates

    def edited(*a: Any, **k: Any) -> Any:
        with Path("u.csv").open("a", encoding="utf-8") as sheet:
            sheet.write("1.1.5,2025-06-30,abc\r\n")
        return original(*a, **k)

    monkeypatch.setattr(records, "add_updates", edited)
    _refused(run("import", "u.csv"), "u.csv 在导入过程中被改动了；请等文件保存好后重新导入")
    assert history(run) == []


# -- memory ---------------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_rows(run: Run, tmp_path: Path) -> None:
    """Ten thousand more rows cost what one piece of the write costs, not their records."""
    import tracemalloc

    def peak(n: int) -> int:
        rows = [["code", "date", "value", "note"]]
        rows += [["1.1.5", f"2025-06-{1 + k % 28:02d}", "+1", f"第{k}条"] for k in range(n)]
        write_csv(tmp_path / f"rows-{n}.csv", rows)
        tracemalloc.start()
        try:
            result = run("import", str(tmp_path / f"rows-{n}.csv"))
            assert result.exit_code == 0, result.stderr
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1_000), peak(11_000)
    assert large - small < 2 * 2**20, (small, large)
