"""Nothing lost, nothing leaked, nothing injected: each behaviour of issue 10, one test each.

- typed text: control and invisible characters refused where people type (notes, ``--by``,
  ``--reason``, the reason asked at a prompt), naming the character and its place; lengths
  bounded; full-width codes read as codes;
- plan files whose aliases would expand them beyond any plan;
- the database: ``--out`` never over a database, files that are not kpi's, non-finite values,
  a full disk, a read-only folder, a newer or broken schema, SQLite URLs, true messages;
- passwords of database URLs in no message, no ``--debug`` traceback, no exception text;
- files: ``--out`` templates, temporary files of a killed run, the modes the umask gives;
- concurrency, as real processes: imports, ``kpi done`` and ``kpi undo`` at the same moment.

The mail server's side (TLS, certificates, logins) is in ``tests/test_mail.py``; one-line
refusals that fit the pattern of ``tests/test_hostile.py`` are in its corpus as well.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from kpi.cli import app
from kpi.core.plan_file import (
    MAX_EXPANDED_CHARS,
    MAX_EXPANDED_NODES,
    expanded_size,
    load_yaml,
    parse_plan,
)
from kpi.core.recording import new_update
from kpi.env import Env
from kpi.errors import InputError, PlanError
from kpi.store import Store, locate
from kpi.store.urls import redact, safe_url, secrets_of
from tests.conftest import MID_YEAR, PLAN_FILE, TEST_DB_URL, Run

on_sqlite = pytest.mark.skipif(bool(TEST_DB_URL), reason="a SQLite file's behaviour")
CONTROL = "的第 {n} 个字符 {char} 是不可见的控制字符；请删除它（常见于从网页或文档粘贴的文字）"


def _records(run: Run) -> list[dict[str, Any]]:
    result = run("history", "-f", "json")
    assert result.exit_code == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def _refused(result: Any, message: str, code: int = 2) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == f"错误：{message}\n"


def loaded_template(factory: pytest.TempPathFactory) -> Path | None:
    """A SQLite database with the real plan loaded, made once (None on PostgreSQL)."""
    if TEST_DB_URL:
        return None
    db = factory.mktemp("loaded") / "kpi.sqlite"
    env = {"KPI_TODAY": MID_YEAR, "KPI_DB": None, "KPI_DEBUG": "1"}
    made = CliRunner(mix_stderr=False).invoke(
        app, ["--db", str(db), "load", str(PLAN_FILE)], env=env
    )
    assert made.exit_code == 0, made.output
    return db


def copy_loaded(template: Path | None, run: Run) -> None:
    """This test's database, the plan loaded: a copy of the template, or a load on a server."""
    if template is None:
        assert run("load").exit_code == 0
        return
    Path("db").mkdir()
    shutil.copyfile(template, Path("db") / "kpi.sqlite")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    return loaded_template(tmp_path_factory)


@pytest.fixture
def loaded(run: Run, template: Path | None) -> Run:
    copy_loaded(template, run)
    return run


# -- what people type -------------------------------------------------------------------------


NOTES = [  # with those of the corpus (OSC, BEL, C1, U+202E, U+200B, U+2066): every kind
    ("本周\x1b[31m签约", 3, "U+001B"),  # an ANSI colour
    ("签约\x00", 3, "U+0000"),
    ("签约\r5家", 3, "U+000D"),
    ("签约\u200f", 3, "U+200F"),  # right-to-left mark
    ("签约家\u2069", 4, "U+2069"),  # pop directional isolate
]


def test_a_note_with_a_control_or_invisible_character_is_refused(loaded: Run) -> None:
    for typed, n, char in NOTES:
        result = loaded("update", "1.1.5", "5", "--note", typed)
        _refused(result, "--note " + CONTROL.format(n=n, char=char))
    assert _records(loaded) == []


def test_a_note_keeps_its_lines_and_tabs(loaded: Run) -> None:
    assert loaded("update", "1.1.5", "120", "-m", "第一行\n\t第二行").exit_code == 0
    assert _records(loaded)[0]["note"] == "第一行\n\t第二行"


def test_by_and_the_reason_of_a_void_are_checked_alike(loaded: Run) -> None:
    by = loaded("update", "1.1.5", "120", "--by", "王\u202e芳")
    _refused(by, "--by " + CONTROL.format(n=2, char="U+202E"))
    two_lines = loaded("update", "1.1.5", "120", "--by", "王芳\n李明")
    _refused(two_lines, "--by 的第 3 个字符是换行或 Tab（U+000A）；请写在一行内")
    assert _records(loaded) == []
    assert loaded("update", "1.1.5", "120").exit_code == 0
    reason = loaded("void", "1", "--reason", "重复\x1b[2J")
    _refused(reason, "--reason " + CONTROL.format(n=3, char="U+001B"))
    void_by = loaded("void", "1", "--reason", "重复", "--by", "\u2067王芳")
    _refused(void_by, "--by " + CONTROL.format(n=1, char="U+2067"))
    assert not _records(loaded)[0]["voided"]


def test_lengths_are_bounded(loaded: Run) -> None:
    long_note = loaded("update", "1.1.5", "120", "-m", "进" * 2001)
    _refused(long_note, "--note 有 2001 个字，超过上限 2000 字；请缩短")
    long_name = loaded("update", "1.1.5", "120", "--by", "王" * 65)
    _refused(long_name, "--by 有 65 个字，超过上限 64 字；请缩短")
    long_reason = loaded("void", "1", "--reason", "因" * 2001)
    _refused(long_reason, "--reason 有 2001 个字，超过上限 2000 字；请缩短")
    assert _records(loaded) == []
    assert loaded("update", "1.1.5", "120", "-m", "进" * 2000, "--by", "王" * 64).exit_code == 0
    assert len(_records(loaded)[0]["note"]) == 2000


def test_the_reason_asked_at_a_terminal_is_checked_too(loaded: Run) -> None:
    env = Env(
        variables=dict(os.environ),
        today=dt.date.fromisoformat(MID_YEAR),
        user="tester",
        interactive=True,
        cwd=Path.cwd(),
    )
    runner = CliRunner(mix_stderr=False)
    result = runner.invoke(app, ["update", "1.1.5", "5"], obj=env, input="企业\x1b[8m延后\n")
    assert result.exit_code == 2
    assert result.stderr.endswith("错误：--note " + CONTROL.format(n=3, char="U+001B") + "\n")
    assert _records(loaded) == []


def test_new_update_checks_for_every_caller_naming_its_field(plan: Any) -> None:
    """An import calls ``new_update`` too, naming the cell instead of the option."""
    item = plan.item("1.1.5")
    day = dt.date(2025, 7, 1)
    with pytest.raises(InputError) as caught:
        new_update(item, "add", 5.0, day, "a\u202eb", None, "u", note_field="第 3 行 进展情况")
    assert caught.value.message == "第 3 行 进展情况 " + CONTROL.format(n=2, char="U+202E")
    with pytest.raises(InputError) as caught:
        new_update(item, "add", 5.0, day, None, "x" * 65, "u", by_field="第 3 行 填报人")
    assert caught.value.message == "第 3 行 填报人 有 65 个字，超过上限 64 字；请缩短"
    made = new_update(item, "add", 5.0, day, "  说明 \n", "  王芳 ", "u")
    assert (made.note, made.by, made.os_user) == ("说明", "王芳", "u")
    assert new_update(item, "add", 5.0, day, "   ", "", "u").by == "u"


def test_full_width_codes_work_on_the_command_line(loaded: Run) -> None:
    assert loaded("update", "１．１．５", "120").exit_code == 0
    assert loaded("done", "３.１.１－１").exit_code == 0
    assert "1.1.5 招引企业" in loaded("show", "１.１.５").stdout
    assert [r["code"] for r in json.loads(loaded("history", "１.１.５", "-f", "json").stdout)] == [
        "1.1.5"
    ]
    assert [r["code"] for r in _records(loaded)] == ["1.1.5", "3.1.1-1"]


def test_the_recording_account_is_the_real_uid_whatever_user_says(
    loaded: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pwd

    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    assert loaded("update", "1.1.5", "120").exit_code == 0
    # On a server, who records is the database role (current_user); on SQLite, the real uid.
    expected = urlsplit(TEST_DB_URL).username if TEST_DB_URL else pwd.getpwuid(os.getuid()).pw_name
    assert _records(loaded)[0]["os_user"] == expected


# -- plan files that expand -------------------------------------------------------------------

EXPANDED = (
    "{name}: 别名（&、*）展开后超过 2,000,000 个值或 33,554,432 个字，不像计划文件；"
    "请把各项直接写出，不要用别名复制"
)


def _aliased_plan(items: int, text_bytes: int) -> str:
    """The real plan's head, then ``items`` tasks whose text is one anchored text."""
    head = PLAN_FILE.read_text(encoding="utf-8").split("\nareas:")[0]
    lines = [head, "areas:", '  - code: "9"', "    title: 展开", "    sections:"]
    lines += ['      - code: "9.1"', "        title: 展开", "        items:"]
    text = "很长的内容" * (text_bytes // 15)
    for n in range(items):
        lines += [f'          - code: "9.1.{n + 1}"', "            kind: task"]
        lines += [f"            title: 任务{n + 1}"]
        lines += [f"            text: &big {text}" if n == 0 else "            text: *big"]
        lines += ["            lead_office: 党政办"]
    return "\n".join(lines) + "\n"


def test_a_4_MB_plan_that_expands_into_a_gigabyte_is_refused_in_seconds(run: Run) -> None:
    text = _aliased_plan(300, 4_200_000)
    assert 4_000_000 < len(text.encode()) < 4_500_000  # 300 × 4.2 MB: 1.26 GB once expanded
    Path("bomb.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = run("load", "bomb.yaml")
    assert time.monotonic() - started < 5
    _refused(result, EXPANDED.format(name="bomb.yaml"))
    store = Store.open()
    try:
        assert store.plans() == []  # nothing was loaded
    finally:
        store.close()


def test_an_alias_inside_itself_is_refused() -> None:
    for loop in ("offices: &x [党政办, *x]", "offices: &x {a: [1, {b: *x}]}"):
        text = PLAN_FILE.read_text(encoding="utf-8").replace("offices:", loop + "\nx:", 1)
        with pytest.raises(PlanError) as caught:
            parse_plan(text, "loop.yaml")
        assert caught.value.message == EXPANDED.format(name="loop.yaml")


def test_the_bounds_leave_room_for_any_real_plan() -> None:
    _, node = load_yaml(PLAN_FILE.read_text(encoding="utf-8"), "2025.yaml")
    nodes, chars = expanded_size(node)
    assert (nodes, chars) == (3549, 24395)  # a 10,000-item plan: 407,733 and 2.6 million
    assert nodes * 500 < MAX_EXPANDED_NODES and chars * 1000 < MAX_EXPANDED_CHARS
    # Aliases that copy a little are a plan's own business.
    assert len(parse_plan(_aliased_plan(20, 300), "small.yaml").items) == 20


# -- the database -----------------------------------------------------------------------------

IN_USE = "{path} 是正在使用的数据库（或它的 -wal/-shm 文件），不会覆盖它；请换一个输出文件名"
A_DATABASE = "{path} 是一个数据库文件，不会覆盖它；请换一个输出文件名"


def _db_file() -> Path:
    return Path.cwd() / "db" / "kpi.sqlite"


def _sql(*statements: str, **params: Any) -> None:
    """Statements run straight on this test's database, whichever engine it is, whatever its
    schema says."""
    db = locate(None, Env(variables=dict(os.environ), cwd=Path.cwd()))
    try:
        with db.write() as tx:
            for statement in statements:
                tx.execute(statement, **params)
    finally:
        db.close()


def _shown() -> str:
    """How messages name this test's database."""
    store = Store.open()
    try:
        return store.shown
    finally:
        store.close()


@on_sqlite
def test_out_never_replaces_the_database_in_use_or_any_database(loaded: Run) -> None:
    assert loaded("update", "1.1.5", "120").exit_code == 0
    os.symlink("db/kpi.sqlite", "link.out")
    os.link("db/kpi.sqlite", "hard.out")
    shutil.copyfile(_db_file(), "other.sqlite")
    cases = [
        (("export", "--format", "json", "--out", "db/kpi.sqlite"), IN_USE),
        (("report", "weekly", "--out", "db/kpi.sqlite"), IN_USE),
        (("rollover", "--force", "--out", "db/kpi.sqlite"), IN_USE),
        (("db", "backup", "db/kpi.sqlite"), IN_USE),
        (("export", "--format", "csv", "--out", "db/kpi.sqlite-wal"), IN_USE),
        (("report", "weekly", "--out", "db/../db/kpi.sqlite-shm"), IN_USE),
        (("rollover", "--force", "--out", "link.out"), IN_USE),
        (("db", "backup", "hard.out"), IN_USE),
        (("export", "--out", "other.sqlite"), A_DATABASE),
        (("db", "backup", "other.sqlite"), A_DATABASE),
    ]
    before = _db_file().read_bytes(), Path("other.sqlite").read_bytes()
    for args, message in cases:
        _refused(loaded(*args), message.format(path=args[-1]))
    assert (_db_file().read_bytes(), Path("other.sqlite").read_bytes()) == before
    assert not Path("db/kpi.sqlite-wal").exists() or Path("db/kpi.sqlite-wal").stat().st_size < 1
    assert len(_records(loaded)) == 1


def test_a_file_that_is_not_a_kpi_database_is_refused_never_initialised(run: Run) -> None:
    Path("empty.sqlite").write_bytes(b"")
    Path("notes.sqlite").write_text("会议纪要\n", encoding="utf-8")
    sqlite3.connect("bare.sqlite").execute("PRAGMA user_version = 1").connection.close()
    other = sqlite3.connect("other.sqlite")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    here = Path.cwd()
    cases = {
        "empty.sqlite": "{path} 是空文件，不是数据库；请删除它，或用 --db 指定正确的数据库",
        "notes.sqlite": "{path} 不是 SQLite 数据库；请用 --db 指定正确的数据库文件",
        "bare.sqlite": "{path} 是空的 SQLite 数据库，不是本工具建立的；请用 --db 指定不存在的新文件名，或正确的数据库",
        "other.sqlite": "{path} 不是本工具的数据库（缺少版本记录）；请用 --db 指定正确的数据库",
    }
    for name, message in cases.items():
        before = Path(name).read_bytes()
        code = 2 if name in ("empty.sqlite", "notes.sqlite") else 1
        _refused(run("--db", name, "status"), message.format(path=here / name), code)
        assert Path(name).read_bytes() == before, name
    assert sorted(p.name for p in here.iterdir()) == sorted([*cases, "targets"])


def test_a_running_total_that_would_not_be_finite_is_refused(loaded: Run) -> None:
    assert loaded("update", "1.1.5", "1e308", "-m", "大", "--yes").exit_code == 0
    again = loaded("update", "1.1.5", "1e308", "-m", "大", "--yes")
    _refused(again, "1.1.5 记录后的累计不是有限数字；请检查数值（是否多写了位数）")
    assert len(_records(loaded)) == 1


def test_a_stored_value_that_is_not_finite_harms_no_command(loaded: Run) -> None:
    """Written behind kpi's back (an old version, a hand edit): reported, never crashing."""
    from kpi.store.records import INSERT

    stamp = dt.datetime(2025, 7, 1, 9, tzinfo=dt.UTC)
    row = {
        "plan_id": "xjw-2025",
        "code": "1.1.5",
        "item_code": "1.1.5",
        "date": dt.date(2025, 6, 30),
        "kind": "add",
        "value": float("inf"),
        "note": None,
        "by": "x",
        "os_user": "x",
        "recorded_at": stamp,
        "origin": "cli",
    }
    if not TEST_DB_URL:
        row["recorded_at"] = "2025-07-01 09:00:00.000000"
        row["date"] = "2025-06-30"
    _sql(INSERT, **row)

    def strict(text: str) -> Any:
        def refuse(name: str) -> None:
            raise AssertionError(f"{name} in JSON")

        return json.loads(text, parse_constant=refuse)

    for args in (("status", "-f", "json"), ("show", "1.1.5", "-f", "json")):
        result = loaded(*args)
        assert result.exit_code == 0, result.stderr
        strict(result.stdout)
    assert loaded("export", "-f", "json", "--out", "all.json").exit_code == 0
    strict(Path("all.json").read_text(encoding="utf-8"))
    assert loaded("report", "weekly", "-f", "json").exit_code == 0
    assert loaded("rollover", "--out", "next.yaml").exit_code == 0
    check = loaded("db", "check")
    assert check.exit_code == 1
    assert check.stderr.splitlines()[1].strip() == (
        "记录 #1（1.1.5）的数值 inf 不是有限数字；请用 kpi void 作废它"
    )


@on_sqlite
def test_a_full_disk_says_the_disk_is_full(loaded: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite refused more pages (what a full disk gives), and a report that could not be
    synced; tests/test_trust.py::test_a_real_full_disk fills a real file system."""
    import errno

    real_connect = sqlite3.connect

    def tight(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return conn

    def no_room(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    db = _db_file()
    with monkeypatch.context() as patched:
        patched.setattr(sqlite3, "connect", tight)
        update = loaded("update", "1.1.5", "120", "-m", "进展" * 1000)
        backup = loaded("db", "backup", "copy.sqlite")
    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", no_room)
        report = loaded("report", "weekly", "--out", "reports/w.txt")
    _refused(update, f"磁盘已满，{db} 未写入任何内容；请清理磁盘空间后重试", 1)
    _refused(backup, "磁盘已满，备份 copy.sqlite 未写成；请清理磁盘空间，或备份到别的磁盘", 1)
    _refused(
        report, "磁盘已满，reports/w.txt 未写入；请清理磁盘空间后重试，或用 --out 写到别的磁盘", 1
    )
    assert _records(loaded) == []
    assert sorted(p.name for p in Path.cwd().iterdir()) == ["db", "reports", "targets"]
    assert list(Path("reports").iterdir()) == []


@contextlib.contextmanager
def _tmpfs(size: str) -> Iterator[Path]:
    """A small file system of its own, where one can be mounted (root, with the right)."""
    where = Path.cwd() / "small"
    where.mkdir()
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        pytest.skip("no tmpfs can be mounted here")
    made = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("no tmpfs can be mounted here")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


@on_sqlite
def test_a_real_full_disk(loaded: Run) -> None:
    with _tmpfs("512k") as disk:
        db = disk / "kpi.sqlite"
        shutil.copyfile(_db_file(), db)
        with (disk / "filler").open("wb") as filler, contextlib.suppress(OSError):
            filler.write(b"\0" * 2**20)
        results = {
            "update": loaded("--db", str(db), "update", "1.1.5", "120"),
            "backup": loaded("db", "backup", str(disk / "copy.sqlite")),
            "report": loaded("report", "weekly", "--out", str(disk / "w.html")),
            "export": loaded("export", "--out", str(disk / "all.xlsx")),
            "new": loaded("--db", str(disk / "new.sqlite"), "status"),
        }
        left = sorted(p.name for p in disk.iterdir())
    full = "磁盘已满，{} 未写入任何内容；请清理磁盘空间后重试"
    written = "磁盘已满，{} 未写入；请清理磁盘空间后重试，或用 --out 写到别的磁盘"
    _refused(results["update"], full.format(db), 1)
    _refused(
        results["backup"],
        f"磁盘已满，备份 {disk}/copy.sqlite 未写成；请清理磁盘空间，或备份到别的磁盘",
        1,
    )
    _refused(results["report"], written.format(disk / "w.html"), 1)
    _refused(results["export"], written.format(disk / "all.xlsx"), 1)
    _refused(results["new"], full.format(disk / "new.sqlite"), 1)
    assert [n for n in left if not n.startswith("kpi.sqlite")] == ["filler"]


def _unprivileged(folder: Path) -> list[str]:
    """A prefix that runs a command bound by file permissions: none for an ordinary user; for
    root (tests run as root in CI, and root writes anywhere), setpriv without the capabilities
    that override them. Skips where neither makes ``folder`` unwritable."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("setpriv is needed to drop root's override of permissions")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'w')"],
        capture_output=True,
        check=False,
    )
    if probe.returncode == 0:
        (folder / "probe").unlink()
        pytest.skip("permissions do not stop this process from writing")
    return prefix


def _start(prefix: list[str], *args: str, **env: str) -> subprocess.Popen[str]:
    """kpi as a user runs it (no KPI_DEBUG), in this test's folder, in the background."""
    variables = {k: v for k, v in os.environ.items() if k not in ("KPI_DEBUG", "KPI_TODAY")}
    variables.update(KPI_TODAY=MID_YEAR, NO_COLOR="1", LANG="C.UTF-8", **env)
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "kpi", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=variables,
    )


def _finish(*procs: subprocess.Popen[str]) -> list[tuple[int, str, str]]:
    """Each process's exit code, stdout and stderr, once all have ended."""
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        done.append((proc.returncode, out, err))
    return done


@on_sqlite
def test_reads_work_from_a_read_only_folder_and_a_write_says_read_only(loaded: Run) -> None:
    assert loaded("update", "1.1.5", "120", "-m", "上半年").exit_code == 0
    folder = Path.cwd() / "db"
    assert sorted(p.name for p in folder.iterdir()) == ["kpi.sqlite"]  # WAL, closed cleanly
    os.chmod(folder, 0o555)
    try:
        prefix = _unprivileged(folder)
        status, url, write, backup = _finish(
            _start(prefix, "history", "-f", "json"),
            _start(prefix, "--db", f"sqlite:///{folder}/kpi.sqlite?mode=ro", "show", "1.1.5"),
            _start(prefix, "update", "1.1.5", "5", "-m", "下半年"),
            _start(prefix, "db", "backup", "db/copy.sqlite"),
        )
        left = sorted(p.name for p in folder.iterdir())
    finally:
        os.chmod(folder, 0o755)
    assert status[0] == 0, status[2]
    assert [r["note"] for r in json.loads(status[1])] == ["上半年"]
    assert url[0] == 0 and "1.1.5 招引企业" in url[1], url[2]
    read_only = (
        f"错误：数据库 {folder}/kpi.sqlite 只读，未写入任何内容；请检查文件和文件夹的写权限\n"
    )
    assert (write[0], write[2]) == (1, read_only)
    assert (backup[0], backup[2]) == (
        1,
        "错误：无法在文件夹 db 中写入备份 db/copy.sqlite：Permission denied；请换一个可写的文件夹\n",
    )
    assert left == ["kpi.sqlite"]
    assert len(_records(loaded)) == 1


def test_sqlite_urls_are_recognised_as_sqlite(run: Run) -> None:
    here = Path.cwd()
    made = run("--db", "sqlite+pysqlite:///db/made.sqlite", "update", "1.1.5", "120")
    assert made.exit_code == 0, made.stderr
    assert made.stderr.startswith(f"已新建数据库 {here}/db/made.sqlite\n")
    read = run("--db", f"sqlite:///{here}/db/made.sqlite?mode=ro", "status", "-f", "json")
    assert read.exit_code == 0, read.stderr
    assert {r["code"]: r["actual"] for r in json.loads(read.stdout)}["1.1.5"] == 120
    write = run("--db", "sqlite:///db/made.sqlite?mode=ro", "update", "1.1.5", "5")
    _refused(
        write, f"数据库 {here}/db/made.sqlite 只读，未写入任何内容；请检查文件和文件夹的写权限", 1
    )
    missing = run("--db", "sqlite:///db/none.sqlite?mode=ro", "status")
    _refused(
        missing, f"数据库 {here}/db/none.sqlite 不存在（只读打开不会新建）；请检查 --db 或 KPI_DB"
    )
    assert not (here / "db" / "none.sqlite").exists()


def test_a_file_name_with_a_question_mark_is_a_file_name(run: Run) -> None:
    assert run("--db", "db/周报?第27周#1.sqlite", "update", "1.1.5", "120").exit_code == 0
    again = run("--db", "db/周报?第27周#1.sqlite", "history", "-f", "json")
    assert [r["actual"] if "actual" in r else r["value"] for r in json.loads(again.stdout)] == [120]
    assert sorted(p.name for p in Path("db").iterdir()) == ["周报?第27周#1.sqlite"]


def test_a_database_made_by_a_newer_kpi_says_so(loaded: Run) -> None:
    shown = _shown()
    _sql("UPDATE alembic_version SET version_num = '0099'")
    newer = f"{shown} 由更新版本的 kpi 建立（结构版本 0099）；请升级 kpi 后再用"
    for args in (("status",), ("update", "1.1.5", "5"), ("db", "upgrade"), ("db", "check")):
        _refused(loaded(*args), newer, 1)
    _sql("DELETE FROM alembic_version")
    empty = f"{shown} 缺少结构版本记录（alembic_version 为空）；请从备份恢复，或联系维护人员"
    for args in (("status",), ("db", "upgrade")):
        _refused(loaded(*args), empty, 1)


# -- passwords --------------------------------------------------------------------------------

SECRET = "Zq7-s3cr3t"
OPEN = "无法打开数据库 {url}："
BAD_URL = "无法使用数据库地址 {url}：{problem}；请检查 --db 或 KPI_DB"
ENCODED = "".join(f"%{b:02X}" for b in SECRET.encode())
URLS = {
    "refused": (f"postgresql+psycopg://kpi:{SECRET}@127.0.0.1:1/kpi", 1, OPEN),
    "no-host": (f"postgresql+psycopg://u:{SECRET}@/", 1, OPEN),
    "slash-in-it": (f"postgresql+psycopg://kpi:pa/{SECRET}@127.0.0.1:1/kpi", 1, OPEN),
    "hash-in-it": (f"postgresql+psycopg://kpi:{SECRET}#x@127.0.0.1:1/kpi", 1, OPEN),
    "encoded": (f"postgresql+psycopg://kpi:{ENCODED}@127.0.0.1:1/kpi", 1, OPEN),
    "in-the-query": (f"postgresql+psycopg://kpi@127.0.0.1:1/kpi?password={SECRET}", 1, OPEN),
    "unknown-driver": (
        f"postgresql+nosuch://u:{SECRET}@127.0.0.1/x",
        2,
        BAD_URL.replace("{problem}", "Can't load plugin: sqlalchemy.dialects:postgresql.nosuch"),
    ),
    "unknown-scheme": (
        f"foo://u:{SECRET}@127.0.0.1/x",
        2,
        BAD_URL.replace("{problem}", "Can't load plugin: sqlalchemy.dialects:foo"),
    ),
    "bad-port": (
        f"postgresql+psycopg://kpi:{SECRET}@127.0.0.1:abc/kpi",
        2,
        BAD_URL.replace("{problem}", "invalid literal for int() with base 10: 'abc'"),
    ),
}
if TEST_DB_URL:  # the real server, with a wrong password
    from sqlalchemy.engine import make_url

    URLS["wrong-password"] = (
        make_url(TEST_DB_URL).set(password=SECRET).render_as_string(hide_password=False),
        1,
        OPEN,
    )


@pytest.mark.parametrize("name", list(URLS))
def test_a_database_password_appears_in_no_message(run: Run, name: str) -> None:
    url, code, message = URLS[name]
    for args in (("--db", url, "status"), ("--db", url, "update", "1.1.5", "5")):
        result = run(*args)
        assert result.exit_code == code, result.stderr
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1
        line = result.stderr.removeprefix("错误：").rstrip("\n")
        expected = message.format(url=safe_url(url))
        assert line == expected if not expected.endswith("：") else line.startswith(expected)
        assert "cr3t" not in result.stderr and "***" in result.stderr


def test_a_database_password_appears_in_no_debug_traceback(
    run: Run, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--debug prints the traceback, which cron mails: through the program's entry, as a user
    runs it (one of them as a real process, its password in KPI_DB)."""
    from kpi.cli import main

    proc = _start([], "--debug", "status", KPI_DB=URLS["refused"][0])
    monkeypatch.setenv("KPI_TODAY", MID_YEAR)
    for name, (url, _, _) in URLS.items():
        monkeypatch.setattr(sys, "argv", ["kpi", "--debug", "--db", url, "status"])
        with pytest.raises(SystemExit) as ended:
            main()
        out, err = capsys.readouterr()
        assert ended.value.code == 1, (name, err)
        assert "Traceback" in err, name
        assert "cr3t" not in out + err, (name, err)
    [(code, out, err)] = _finish(proc)
    assert code == 1 and "Traceback" in err and "cr3t" not in out + err, err


def test_masking_finds_every_form_of_a_password() -> None:
    assert safe_url("postgresql://kpi:p@ss/w?rd#1@db.example:5432/kpi") == (
        "postgresql://kpi:***@db.example:5432/kpi"
    )
    assert safe_url("postgresql://kpi@db/kpi?sslmode=require&password=x1") == (
        "postgresql://kpi@db/kpi?sslmode=require&password=***"
    )
    assert safe_url("postgresql://[::1]:5432/kpi") == "postgresql://[::1]:5432/kpi"
    assert safe_url("postgresql://u:p@[::1]:5432/kpi") == "postgresql://u:***@[::1]:5432/kpi"
    url = f"postgresql+psycopg://kpi:p@{SECRET}@127.0.0.1/kpi"
    # SQLAlchemy reads "p" as the password and the rest as the host, which the driver names.
    said = f"failed to resolve host '{SECRET}@127.0.0.1': Name or service not known"
    assert redact(said, url) == "failed to resolve host '***@127.0.0.1': Name or service not known"
    assert set(secrets_of(f"postgresql://kpi:{ENCODED}@h/kpi")) == {ENCODED, SECRET}


# -- files --------------------------------------------------------------------------------------


def test_the_temporary_file_of_an_interrupted_report_is_removed_by_the_next_run(
    loaded: Run,
) -> None:
    reports = Path("reports")
    reports.mkdir()
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = reports / f".2025-W27.html.{ended.pid}.tmp"  # a run killed while writing
        busy = reports / f".2025-W27.html.{running.pid}.tmp"  # a run writing right now
        stale.write_text("<html>半", encoding="utf-8")
        busy.write_text("<html>", encoding="utf-8")
        result = loaded("report", "weekly", "-f", "html", "--out", "reports/{year}-W{week}.html")
        assert result.exit_code == 0, result.stderr
        assert sorted(p.name for p in reports.iterdir()) == sorted([busy.name, "2025-W27.html"])
    finally:
        running.kill()
        running.wait()


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _modes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
        for p in sorted(root.rglob("*"))
        if "targets" not in p.parts
    }


WRITTEN = [
    ("update", "1.1.5", "120"),  # a new database, in a new folder
    ("report", "weekly", "--out", "reports/{year}/W{week}.html"),
    ("export", "--out", "out/all.xlsx"),
    ("db", "backup", "backups/copy.sqlite"),
    ("rollover", "--out", "next/2026.yaml"),
]
MADE = [
    "backups",
    "backups/copy.sqlite",
    "db",
    "db/kpi.sqlite",
    "next",
    "next/2026.yaml",
    "out",
    "out/all.xlsx",
    "reports",
    "reports/2025",
    "reports/2025/W27.html",
]


@pytest.mark.parametrize("mask", [0o002, 0o077, 0o022])
def test_files_and_folders_follow_the_umask(run: Run, mask: int) -> None:
    here = Path.cwd()
    with _umask(mask):
        for args in WRITTEN:
            result = run("--db", "db/kpi.sqlite", *args)
            assert result.exit_code == 0, (args, result.stderr)
        # Its -wal and -shm, while it is written.
        wal = sqlite3.connect(here / "db" / "kpi.sqlite", isolation_level=None)
        wal.execute("BEGIN IMMEDIATE")
        wal.execute("UPDATE plans SET title = title")
        modes = _modes(here)
        wal.execute("ROLLBACK")
        wal.close()
    assert sorted(modes) == sorted([*MADE, "db/kpi.sqlite-shm", "db/kpi.sqlite-wal"])
    for name, mode in modes.items():
        want = (0o777 if "." not in name else 0o666) & ~mask
        assert mode == want, (name, oct(mode), oct(want))
    if mask == 0o022:
        assert not [n for n, m in modes.items() if m & 0o002], "world-writable"


def test_a_new_database_follows_the_umask_of_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("KPI_DB", "KPI_DEBUG")}
    env.update(KPI_TODAY=MID_YEAR, NO_COLOR="1")
    done = subprocess.run(
        ["sh", "-c", f"umask 007 && exec {sys.executable} -m kpi update 1.1.5 120"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "db").stat().st_mode) == 0o770
    assert stat.S_IMODE((tmp_path / "db" / "kpi.sqlite").stat().st_mode) == 0o660


# -- at the same moment, as real processes ----------------------------------------------------

# Each process does what takes time (starting Python, importing kpi) first, says it is ready,
# and waits for the word to go: then all run their command at the same moment.
_AT_ONCE = """
import os, sys, time
from kpi.cli import main
import kpi.cli.io_cmd, kpi.cli.record_cmd, kpi.sheets.read, kpi.sheets.rows
if "://" in os.environ.get("KPI_DB", ""):
    import psycopg, sqlalchemy.dialects.postgresql.psycopg
folder, me = sys.argv[1], sys.argv[2]
open(os.path.join(folder, "ready-" + me), "w").close()
while not os.path.exists(os.path.join(folder, "go")):
    time.sleep(0.002)
sys.argv = ["kpi", *sys.argv[3:]]
main()
"""


def _at_once(*commands: tuple[str, ...]) -> list[tuple[int, str, str]]:
    folder = Path.cwd() / "barrier"
    folder.mkdir()
    variables = {k: v for k, v in os.environ.items() if k not in ("KPI_DEBUG", "KPI_TODAY")}
    variables.update(KPI_TODAY=MID_YEAR, NO_COLOR="1", LANG="C.UTF-8")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _AT_ONCE, str(folder), str(n), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=variables,
        )
        for n, args in enumerate(commands)
    ]
    deadline = time.monotonic() + 60
    while len(list(folder.glob("ready-*"))) < len(commands):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.005)
    (folder / "go").touch()
    return _finish(*procs)


def test_four_imports_of_one_sheet_at_once_record_each_row_once(loaded: Run) -> None:
    rows = "".join(f"1.1.5,2025-06-{day:02d},1,第{day}天\n" for day in range(1, 11))
    Path("week.csv").write_text("编号,日期,数值,进展情况\n" + rows, encoding="utf-8")
    results = _at_once(*[("import", "week.csv")] * 4)
    assert [code for code, _, _ in results] == [0] * 4, [err for _, _, err in results]
    said = sorted(out.splitlines()[0] for _, out, _ in results)
    nothing = "week.csv 的 10 条记录都已导入过（与已有记录相同），未写入任何内容。"
    assert said == sorted(["已导入 10 条（week.csv）", nothing, nothing, nothing])
    assert sorted(r["note"] for r in _records(loaded)) == sorted(f"第{d}天" for d in range(1, 11))


def test_eight_done_of_one_milestone_at_once_record_one(loaded: Run) -> None:
    results = _at_once(*[("done", "3.1.1-1")] * 8)
    refused = "错误：3.1.1-1 已记录为完成；如有误，用 kpi history 找到记录后 kpi void\n"
    assert sorted(code for code, _, _ in results) == [0] + [2] * 7
    assert sorted(err for code, _, err in results if code) == [refused] * 7
    assert [r["code"] for r in _records(loaded)] == ["3.1.1-1"]


def test_two_undos_at_once_void_two_records_never_one_twice(loaded: Run) -> None:
    for value in ("100", "10", "5"):
        assert loaded("update", "1.1.5", value).exit_code == 0
    results = _at_once(("undo", "--yes"), ("undo", "--yes"))
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    said = sorted(out.strip() for _, out, _ in results)
    assert said == [
        "已作废 #2 1.1.5 2025-07-02 +10 家（记录保留在历史中）",
        "已作废 #3 1.1.5 2025-07-02 +5 家（记录保留在历史中）",
    ]
    assert [r["voided"] for r in _records(loaded)] == [False, True, True]
