"""No lost data: migrations, backups, checks, many writers at once, and a process killed mid-write."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from kpi.core.records import Update
from kpi.store import SCHEMA_VERSION, Store
from tests.conftest import TEST_DB_URL, Run, sqlite_only

ON_SQLITE = TEST_DB_URL is None


def _db_path() -> Path:
    return Path("db") / "kpi.sqlite"


def _history(run: Run) -> list[dict[str, object]]:
    result = run("history", "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to compare a database before and after."""
    tables = (
        "plans",
        "areas",
        "sections",
        "items",
        "milestones",
        "updates",
        "voids",
        "plan_versions",
    )
    with store.db.engine.connect() as conn:
        return {
            name: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {name}"))), key=repr)
            for name in tables
        }


# -- migrations -------------------------------------------------------------------------------


def _alembic_config(conn: object) -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "kpi.store:migrations")
    config.attributes["connection"] = conn
    return config


def _old_plan_rows(plan) -> dict[str, list[dict[str, object]]]:  # type: ignore[no-untyped-def]
    """The plan as the year-keyed schema (0001–0003) held it: written out here, so that the
    upgrade is tested against rows the old kpi made, not against today's code."""
    year = plan.year
    rows: dict[str, list[dict[str, object]]] = {
        "areas": [],
        "sections": [],
        "items": [],
        "milestones": [],
    }
    for n, area in enumerate(plan.areas):
        rows["areas"].append(
            {
                "plan_year": year,
                "code": area.code,
                "title": area.title,
                "position": n,
                "retired": False,
            }
        )
        for section in area.sections:
            rows["sections"].append(
                {
                    "plan_year": year,
                    "code": section.code,
                    "area_code": area.code,
                    "title": section.title,
                    "position": len(rows["sections"]),
                    "retired": False,
                }
            )
    for n, i in enumerate(plan.items):
        b, tg = i.baseline, i.target
        rows["items"].append(
            {
                "plan_year": year,
                "code": i.code,
                "area_code": i.area_code,
                "section_code": i.section_code,
                "kind": i.kind,
                "title": i.title,
                "text": i.text,
                "lead_office": i.lead_office,
                "other_offices": json.dumps(list(i.other_offices), ensure_ascii=False),
                "lead": i.lead,
                "deadline": i.deadline,
                "assigned": json.dumps(list(i.assigned)),
                "unit": i.unit,
                "direction": i.direction,
                "accumulate": "level" if i.accumulate == "ytd" else i.accumulate,
                "baseline_value": b.value if b else None,
                "baseline_year": b.year if b else None,
                "baseline_source": b.source if b else None,
                "baseline_completion": b.completion if b else None,
                "baseline_growth": b.growth if b else None,
                "target_value": (tg.value if tg.value is not None else 1.0) if tg else None,
                "target_basis": tg.basis if tg else None,
                "target_source": tg.source if tg else None,
                "target_note": (tg.note or "暂定") if tg else None,
                "checkpoints": json.dumps([[c.date.isoformat(), c.share] for c in i.checkpoints]),
                "position": n,
                "retired": False,
            }
        )
        for m in i.milestones:
            rows["milestones"].append(
                {
                    "plan_year": year,
                    "code": m.code,
                    "item_code": i.code,
                    "title": m.title,
                    "date": m.date,
                    "share": m.share,
                    "assigned": json.dumps(list(m.assigned)),
                    "position": len(rows["milestones"]),
                    "retired": False,
                }
            )
    return rows


def _insert(conn, table: str, rows: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    names = list(rows[0])
    conn.execute(
        text(
            f"INSERT INTO {table} ({', '.join(chr(34) + n + chr(34) for n in names)}) "
            f"VALUES ({', '.join(':' + n for n in names)})"
        ),
        rows,
    )


def test_a_filled_database_of_the_year_keyed_schema_is_upgraded_without_loss(
    run: Run, plan
) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from sqlalchemy import create_engine

    from kpi.env import Env
    from kpi.store import locate

    # A database as kpi 0.1 left it (schema 0003): the plan by year, 40 records, one voided.
    target = locate(None, Env(variables=dict(os.environ)))
    if target.path is not None:
        target.path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(target.url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0003")  # type: ignore[arg-type]
        conn.execute(
            text(
                'INSERT INTO plans (year, title, source, start, "end", rules, offices) VALUES '
                "(2025, :title, :source, :start, :end, :rules, :offices)"
            ),
            {
                "title": plan.title,
                "source": plan.source,
                "start": plan.start,
                "end": plan.end,
                "rules": json.dumps(
                    {"stale_days": 14, "mode": "points", "yellow": 10.0, "red": 30.0}
                ),
                "offices": json.dumps(list(plan.offices), ensure_ascii=False),
            },
        )
        for table, rows in _old_plan_rows(plan).items():
            _insert(conn, table, rows)
        _insert(
            conn,
            "updates",
            [
                {
                    "id": n,
                    "plan_year": 2025,
                    "code": "1.1.5" if n % 2 else "3.1.3",
                    "item_code": "1.1.5" if n % 2 else "3.1.3",
                    "date": dt.date(2025, 1, 1) + dt.timedelta(days=n * 4),
                    "kind": "add" if n % 2 else "percent",
                    "value": n if n % 2 else n / 100,
                    "note": f"第{n}条",
                    "by": "张三",
                    "os_user": "zhang",
                    "recorded_at": dt.datetime(2025, 7, 1, 8),
                    "origin": "cli",
                }
                for n in range(1, 41)
            ],
        )
        _insert(
            conn,
            "voids",
            [
                {
                    "update_id": 3,
                    "reason": "填错",
                    "by": "张三",
                    "os_user": "zhang",
                    "voided_at": dt.datetime(2025, 7, 1, 9),
                }
            ],
        )
        _insert(
            conn,
            "loads",
            [
                {
                    "plan_year": 2025,
                    "file": "targets/2025.yaml",
                    "sha256": "x",
                    "by": "test",
                    "loaded_at": dt.datetime(2025, 1, 2, 8),
                    "added": 99,
                    "changed": 0,
                    "retired": 0,
                    "unchanged": 0,
                }
            ],
        )
    engine.dispose()

    # Every command refuses the old schema with one line saying what to do …
    refused = run("status")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        f"错误：数据库结构是旧版本（0003），本工具需要 {SCHEMA_VERSION}；"
        "请先备份（kpi db backup 文件），再运行 kpi db upgrade"
    )
    # … and `kpi db upgrade` keeps every record, under the plan of its year.
    upgraded = run("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.startswith(f"数据库已从 0003 升级到 {SCHEMA_VERSION}")
    history = _history(run)
    assert len(history) == 40 and sum(r["voided"] for r in history) == 1
    assert {r["note"] for r in history} == {f"第{n}条" for n in range(1, 41)}
    plans = json.loads(run("plans", "-f", "json").stdout)
    assert [(p["id"], p["records"], p["items"]) for p in plans] == [("2025", 40, len(plan.items))]
    before = json.loads(run("status", "-f", "json").stdout)
    assert next(r for r in before if r["code"] == "1.1.5")["actual"] == sum(range(1, 41, 2)) - 3
    assert run("db", "upgrade").stdout.strip() == f"数据库已是最新结构（{SCHEMA_VERSION}）"
    assert run("db", "check").exit_code == 0, run("db", "check").stderr

    # Loading today's file (which names its plan xjw-2025) takes the old plan over, records and all.
    loaded = run("load")
    assert loaded.exit_code == 0, loaded.output
    assert "已接管旧版数据库中的计划 2025" in loaded.stdout
    plans = json.loads(run("plans", "-f", "json").stdout)
    assert [(p["id"], p["records"]) for p in plans] == [("xjw-2025", 40)]
    after = {r["code"]: r for r in json.loads(run("status", "-f", "json").stdout)}
    assert (
        after["1.1.5"]["actual"] == sum(range(1, 41, 2)) - 3
        and after["1.1.5"]["plan"] == "xjw-2025"
    )
    assert len(_history(run)) == 40
    assert run("db", "check").exit_code == 0


def test_the_models_and_the_migrations_describe_the_same_schema(run: Run) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import kpi.store.schema  # noqa: F401  (the tables, on SQLModel's metadata)

    run("status")
    store = Store.open()
    with store.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_a_foreign_database_is_refused(tmp_path: Path, run: Run) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE updates (x)")
    result = run("--db", str(other), "status")
    assert result.exit_code == 1
    assert "不是本工具的数据库" in result.stderr


# -- backups and checks -------------------------------------------------------------------------


@sqlite_only
def test_backup_while_others_write_and_restore(run: Run, tmp_path: Path) -> None:
    run("update", "1.1.5", "100")
    store = Store.open()
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        n = 0
        while not stop.is_set() and n < 200:
            n += 1
            store.plan("xjw-2025").add_update(
                Update(0, "1.1.5", "1.1.5", dt.date(2025, 7, 1), "add", 1.0, None, "w", "w"),
            )
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = run("db", "backup", "backups/kpi-2025-07-02.sqlite")
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("已备份到 backups/kpi-2025-07-02.sqlite（")
    copy = tmp_path / "backups" / "kpi-2025-07-02.sqlite"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = conn.execute("SELECT count(*) FROM updates").fetchone()[0]
    assert 1 <= copied <= 1 + len(written)
    assert stat.S_IMODE(copy.stat().st_mode) & 0o002 == 0  # not world-writable
    # Restore: stop recording, put the copy in place of the database.
    run("update", "1.1.5", "+7", "--note", "备份之后")
    store.close()
    os.replace(copy, _db_path())
    for suffix in ("-wal", "-shm"):
        Path(f"{_db_path()}{suffix}").unlink(missing_ok=True)
    restored = _history(run)
    assert len(restored) == copied and all(r["note"] != "备份之后" for r in restored)


def test_backup_of_a_server_database_points_to_pg_dump(run: Run) -> None:
    if ON_SQLITE:
        pytest.skip("needs a PostgreSQL database")
    result = run("db", "backup", "x.sqlite")
    assert result.exit_code == 2 and "pg_dump" in result.stderr


def test_check_finds_records_pointing_nowhere(run: Run) -> None:
    run("update", "1.1.5", "100")
    assert run("db", "check").stdout.startswith("数据库检查通过：")
    store = Store.open()
    with store.db.engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO updates (plan_id, code, item_code, date, kind, value, "by", '
                "os_user, recorded_at, origin) VALUES ('xjw-2025', '9.9.9', '9.9.9', '2025-07-01', "
                "'add', 1, 'x', 'x', '2025-07-01 08:00:00', 'cli')"
            )
        )
    result = run("db", "check")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "错误：数据库检查发现 1 个问题："
    assert lines[1].strip() == "记录 #2 指向计划 xjw-2025 中不存在的条目 9.9.9"


@sqlite_only
def test_a_new_database_file_is_not_world_writable(run: Run) -> None:
    run("status")
    mode = stat.S_IMODE(_db_path().stat().st_mode)
    assert mode & 0o002 == 0 and mode & 0o600 == 0o600


# -- many writers at once -----------------------------------------------------------------------

WRITERS, EACH = 8, 100


def _write_many(url: str, writer: int, start: object) -> None:
    store = Store.open(url)
    start.wait()  # type: ignore[attr-defined]
    for n in range(EACH):
        store.plan("xjw-2025").add_update(
            Update(
                0,
                "1.1.5",
                "1.1.5",
                dt.date(2025, 6, 1),
                "add",
                1.0,
                f"{writer}:{n}",
                f"w{writer}",
                f"w{writer}",
            ),
        )
    store.close()


def test_eight_writers_at_once_lose_nothing(run: Run) -> None:
    run("status")  # creates the database and loads the plan
    url = os.environ.get("KPI_DB") or str(_db_path().resolve())
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WRITERS)  # all begin writing at the same moment
    writers = [context.Process(target=_write_many, args=(url, w, start)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
    assert [p.exitcode for p in writers] == [0] * WRITERS  # none failed
    notes = [r["note"] for r in _history(run)]
    assert len(notes) == WRITERS * EACH
    assert sorted(notes) == sorted(f"{w}:{n}" for w in range(WRITERS) for n in range(EACH))
    status = {r["code"]: r for r in json.loads(run("status", "-f", "json").stdout)}
    assert status["1.1.5"]["actual"] == WRITERS * EACH


# -- a process killed in the middle of a write ----------------------------------------------------

# Runs kpi with every write transaction slowed: after its Nth statement, inside the transaction,
# it says so and waits to be killed.
_KILLABLE = textwrap.dedent(
    """
    import sys, time
    from kpi.store import engine

    after = int(sys.argv[1])
    written = 0

    def counted(original):
        def run(self, *args, **kwargs):
            global written
            result = original(self, *args, **kwargs)
            if not (len(args) > 1 and not args[1]):  # a write of no rows writes nothing
                written += 1
                if written == after:
                    print("IN-TRANSACTION", flush=True)
                    time.sleep(60)
            return result
        return run

    engine.Transaction.execute = counted(engine.Transaction.execute)
    engine.Transaction.executemany = counted(engine.Transaction.executemany)
    from kpi.cli import main
    sys.argv = ["kpi", *sys.argv[2:]]
    main()
    """
)


def _prepare(kind: str, tmp_path: Path) -> tuple[list[str], int]:
    """The command to kill, and after how many statements of its transaction."""
    if kind == "load":
        changed = tmp_path / "changed.yaml"
        changed.write_text(
            Path("targets/2025.yaml")
            .read_text(encoding="utf-8")
            .replace("title: 招引企业", "title: 招引优质企业"),
            encoding="utf-8",
        )
        return ["load", str(changed)], 1  # the changed item written, the load not yet logged
    rows = "".join(f"1.1.5,2025-06-{day:02d},1,第{day}天\n" for day in range(1, 29))
    (tmp_path / "week.csv").write_text("编号,日期,数值,进展情况\n" + rows, encoding="utf-8")
    return ["import", str(tmp_path / "week.csv")], 1  # all 28 rows inserted, not committed


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("kind", ["load", "import"])
def test_killing_a_write_midway_leaves_the_database_as_it_was(
    run: Run, tmp_path: Path, kind: str, sig: int
) -> None:
    run("update", "1.1.5", "100")
    before = _snapshot(Store.open())
    args, after = _prepare(kind, tmp_path)
    env = {**os.environ, "KPI_TODAY": "2025-07-02"}
    env.pop("KPI_DEBUG", None)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE, str(after), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"IN-TRANSACTION"
    child.send_signal(sig)
    child.wait(timeout=30)
    assert child.returncode != 0
    assert b"Traceback" not in child.stderr.read()  # type: ignore[union-attr]
    assert _snapshot(Store.open()) == before
    assert run("db", "check").exit_code == 0
    assert run(*args).exit_code == 0  # and it goes through afterwards


def test_a_bulk_import_rebuilds_the_indexes_it_dropped(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kpi.store.records

    run("load")
    indexes = (
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'updates' ORDER BY 1"
    )
    store = Store.open()
    before = [r[0] for r in store.db.rows(indexes)] if ON_SQLITE else []
    monkeypatch.setattr(kpi.store.records, "BULK_ROWS", 2)  # what 50,000 rows would do
    rows = "".join(f"1.1.5,2025-06-{day:02d},1\n" for day in range(1, 6))
    (tmp_path / "bulk.csv").write_text("编号,日期,数值\n" + rows, encoding="utf-8")
    assert run("import", str(tmp_path / "bulk.csv")).exit_code == 0
    if ON_SQLITE:
        assert [r[0] for r in Store.open().db.rows(indexes)] == before
        assert "ix_updates_progress" in before
    assert json.loads(run("show", "1.1.5", "-f", "json").stdout)["actual"] == 5
    assert run("db", "check").exit_code == 0
