"""Who may do what: the rules, the same on SQLite (kpi's guard) and on PostgreSQL (the server's).

On PostgreSQL each person is a role of their own, made here with a name no other test shares
(the test role needs CREATEROLE: `.ci/run` gives it); each allowed and refused action is tried
through kpi and again through raw SQL as the same role.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kpi.cli import app
from kpi.core import rights
from kpi.core.plan import Plan
from kpi.core.records import Update
from kpi.core.rights import GrantEvent, Refused, Rights
from kpi.env import Env
from tests.conftest import MID_YEAR, TEST_DB_URL, Run

ON_SERVER = pytest.mark.skipif(not TEST_DB_URL, reason="needs a PostgreSQL server")
ON_SQLITE = pytest.mark.skipif(bool(TEST_DB_URL), reason="on a server, identity is current_user")
# 3.1.2 is led by 社区服务办, 1.1.5 by 经济发展办 (营商办 another office of it).
ZHANG_REFUSED = "错误：1.1.5 由经济发展办牵头，您（{who}）无权填报；请联系管理员授权"


def _event(n: int, action: str, role: str, level: str, office: str | None = None, plan=None):  # type: ignore[no-untyped-def]
    return GrantEvent(n, action, role, level, office, plan, by="boss", at=None)  # type: ignore[arg-type]


# -- the rules, pure ---------------------------------------------------------------------------


def test_rights_are_grant_events_folded_in_order() -> None:
    events = [
        _event(1, "grant", "zhang", "staff", "社区服务办"),
        _event(2, "grant", "zhang", "staff", "经济发展办"),
        _event(3, "revoke", "zhang", "staff", "经济发展办"),
        _event(4, "grant", "li", "admin", plan="xjw-2025"),
    ]
    held = {g.key for g in rights.effective(events)}
    assert held == {("zhang", "staff", "社区服务办", None), ("li", "admin", None, "xjw-2025")}
    li = Rights.of("li", events)
    assert li.has("admin", "xjw-2025") and li.has("supervisor", "xjw-2025")
    assert not li.has("admin", "xjw-2026") and not li.has("admin", None)
    assert Rights.of("nobody", []).unrestricted  # nothing granted yet: everything allowed


def test_staff_record_their_offices_items_and_other_offices_if_the_plan_says(plan: Plan) -> None:
    zhang = Rights.of("zhang", [_event(1, "grant", "zhang", "staff", "营商办")])
    item = plan.item("1.1.5")  # led by 经济发展办, 营商办 another office of it
    assert not rights.may_record(zhang, plan, item)
    with pytest.raises(Refused) as refused:
        rights.check_record(zhang, plan, item)
    assert refused.value.message == "1.1.5 由经济发展办牵头，您（zhang）无权填报；请联系管理员授权"
    shared = replace(plan, rules=replace(plan.rules, other_offices_record=True))
    assert rights.may_record(zhang, shared, shared.item("1.1.5"))
    assert rights.may_void(zhang, shared, shared.item("1.1.5"))
    assert not rights.may_void(zhang, plan, item)
    # A right on another plan is no right on this one.
    elsewhere = Rights.of("zhang", [_event(1, "grant", "zhang", "staff", "经济发展办", "other")])
    assert not rights.may_record(elsewhere, plan, item)


def test_the_import_hook_refuses_a_batch_with_any_item_not_ones_own(plan: Plan) -> None:
    zhang = Rights.of("zhang", [_event(1, "grant", "zhang", "staff", "社区服务办")])
    mine = Update(0, "3.1.2", "3.1.2", dt.date(2025, 7, 1), "percent", 0.5)
    theirs = replace(mine, code="1.1.5", item_code="1.1.5", kind="add", value=3.0)
    rights.check_records(zhang, plan, [mine])
    with pytest.raises(Refused) as refused:
        rights.check_records(zhang, plan, [mine, theirs, theirs])
    assert refused.value.message.startswith("1.1.5 由经济发展办牵头")
    assert refused.value.details == []


def test_granting_adds_only_what_is_not_held_and_revoking_matches_what_is_given() -> None:
    events = [_event(1, "grant", "zhang", "staff", "社区服务办")]
    new = rights.grants_to_add(events, "zhang", "staff", ["社区服务办", "营商办"], None, "boss")
    assert [(e.action, e.office) for e in new] == [("grant", "营商办")]
    events += [_event(2, "grant", "zhang", "reader", plan="xjw-2025")]
    gone = rights.grants_to_revoke(events, "zhang", None, [], None, "boss")
    assert {(e.level, e.office) for e in gone} == {("staff", "社区服务办"), ("reader", None)}
    assert rights.grants_to_revoke(events, "zhang", "admin", [], None, "boss") == []
    with pytest.raises(Refused):
        rights.check_grant(Rights.of("zhang", events), None)
    with pytest.raises(Refused):
        rights.check_grant(Rights.of("zhang", []), None)  # not set up yet: kpi access init first


# -- on SQLite: kpi's guard, identity from the real uid ----------------------------------------


_TICKS = itertools.count()


def _tick() -> dt.datetime:
    """A clock a second on at each reading, so that every step has a time of its own."""
    start = dt.datetime(2025, 7, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return start + dt.timedelta(seconds=next(_TICKS))


def _as(user: str) -> Run:
    """The command line as run by the account ``user`` (the real uid's, on SQLite)."""
    runner = CliRunner(mix_stderr=False)

    def invoke(*args: str, today: str = MID_YEAR, input: str | None = None) -> Any:
        env = Env(
            variables={**os.environ, "KPI_TODAY": today},
            today=dt.date.fromisoformat(today),
            user=user,
            cwd=Path.cwd(),
            clock=_tick,
        )
        return runner.invoke(app, list(args), obj=env, input=input)

    return invoke


def _records(run: Run) -> list[dict[str, Any]]:
    return json.loads(run("history", "-f", "json").stdout)


@ON_SQLITE
def test_the_same_rules_on_sqlite_guard_against_mistakes() -> None:
    boss, zhang, li, sup = _as("boss"), _as("zhang"), _as("li"), _as("sup")
    assert (
        zhang("update", "1.1.5", "1", "-m", "进展").exit_code == 0
    )  # nothing granted yet: as it always was
    refused = boss("access", "grant", "zhang", "--office", "社区服务办", "--as", "staff")
    assert refused.exit_code == 2 and "kpi access init" in refused.stderr
    assert boss("access", "init").exit_code == 0
    assert zhang("access", "init").exit_code == 2  # once set up, only an admin sets up again
    for who, office in (("zhang", "社区服务办"), ("li", "经济发展办")):
        assert boss("access", "grant", who, "--office", office, "--as", "staff").exit_code == 0
    assert boss("access", "grant", "sup", "--as", "supervisor").exit_code == 0

    assert zhang("update", "3.1.2", "40%", "-m", "进展").exit_code == 0
    assert zhang("done", "3.1.2-1").exit_code == 0
    before = len(_records(boss))
    result = zhang("update", "1.1.5", "3", "-m", "进展")
    assert (result.exit_code, result.stderr.strip()) == (2, ZHANG_REFUSED.format(who="zhang"))
    assert len(_records(boss)) == before  # nothing written
    assert li("update", "1.1.5", "3", "-m", "进展").exit_code == 0
    voided = li("void", "2", "--reason", "不是我的")
    assert voided.exit_code == 2
    assert voided.stderr.strip() == (
        "错误：记录 #2（3.1.2）由社区服务办牵头，您（li）无权作废；"
        "督查人员、管理员或该单位的填报人员可以作废"
    )
    assert sup("void", "4", "--reason", "数字有误").exit_code == 0
    assert (
        sup("update", "3.1.2", "50%", "-m", "进展").exit_code == 2
    )  # a supervisor voids, never records
    assert zhang("undo", "--yes").exit_code == 0
    assert li("load").exit_code == 2 and "只有管理员" in li("load").stderr
    assert li("load", "--dry-run").exit_code == 0  # writes nothing: anyone's
    assert li("plans", "retire", "xjw-2025").exit_code == 2
    assert li("access", "grant", "li", "--office", "社区服务办", "--as", "staff").exit_code == 2
    # An import is held to the same rights, row by row: nothing of a file with another office's row.
    Path("mixed.csv").write_text(
        "编号,日期,数值,进展情况\n3.1.2,2025-07-01,55%,周报\n1.1.5,2025-07-01,+1,代填\n"
    )
    before = len(_records(boss))
    mixed = zhang("import", "mixed.csv")
    assert (mixed.exit_code, mixed.stderr.strip()) == (2, ZHANG_REFUSED.format(who="zhang"))
    assert len(_records(boss)) == before
    assert zhang("import", "mixed.csv", "--dry-run").exit_code == 2
    Path("mine.csv").write_text("编号,日期,数值,进展情况\n3.1.2,2025-07-01,55%,周报\n")
    assert zhang("import", "mine.csv").exit_code == 0
    assert boss("access", "revoke", "zhang").exit_code == 0
    assert zhang("update", "3.1.2", "60%", "-m", "进展").exit_code == 2  # revoked: nothing left
    listed = json.loads(boss("access", "list", "-f", "json").stdout)
    assert listed["enforced_by"] == "kpi" and listed["account"] == "boss"
    assert {(r["role"], r["level"]) for r in listed["rights"]} == {
        ("boss", "admin"),
        ("li", "staff"),
        ("sup", "supervisor"),
    }


# -- on PostgreSQL: the server enforces them ---------------------------------------------------


@dataclass(frozen=True)
class People:
    zhang: str  # staff of 社区服务办
    li: str  # staff of 经济发展办
    sup: str  # supervisor
    adm: str  # admin
    reader: str
    group: str
    password: str
    schema: str

    def url(self, role: str) -> str:
        from sqlalchemy.engine import make_url

        assert TEST_DB_URL is not None
        url = make_url(TEST_DB_URL).set(username=role, password=self.password)
        return url.render_as_string(hide_password=False) + (
            f"?options=-csearch_path%3D{self.schema}"
        )

    def sql(self, role: str) -> Any:
        """A raw psycopg connection as ``role``, in autocommit: each statement on its own."""
        import psycopg
        from sqlalchemy.engine import make_url

        assert TEST_DB_URL is not None
        url = make_url(TEST_DB_URL)
        return psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            dbname=url.database,
            user=role,
            password=self.password,
            options=f"-csearch_path={self.schema}",
            autocommit=True,
        )


@pytest.fixture
def people() -> Iterator[People]:
    """Five roles of their own for this test, and the group role its `kpi access init` makes;
    all dropped afterwards, with every privilege they were given."""
    from sqlalchemy import text

    from tests.conftest import _server

    engine = _server()
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user")):
            pytest.skip("the test role needs CREATEROLE (.ci/run gives it)")
    tag = f"kpit_{uuid.uuid4().hex[:8]}"
    schema = os.environ["KPI_DB"].rsplit("%3D", 1)[1]
    found = People(
        *(f"{tag}_{n}" for n in ("zhang", "li", "sup", "adm", "reader", "users")),
        password=uuid.uuid4().hex,
        schema=schema,
    )
    roles = [found.zhang, found.li, found.sup, found.adm, found.reader]
    with engine.begin() as conn:
        for role in roles:
            conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{found.password}'"))
    yield found
    with engine.begin() as conn:
        database = conn.scalar(text("SELECT current_database()"))
        if conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :g"), {"g": found.group}):
            for what in ("ALL TABLES IN SCHEMA", "ALL SEQUENCES IN SCHEMA", "SCHEMA"):
                conn.execute(text(f"REVOKE ALL ON {what} {schema} FROM {found.group}"))
            conn.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM {found.group}'))
            roles.append(found.group)
        for role in roles:
            conn.execute(text(f"DROP ROLE {role}"))


def _set_up(run: Run, p: People) -> tuple[Run, Run, Run, Run]:
    """The owner loads the plan and sets rights up; the admin grants the others theirs."""
    assert run("load").exit_code == 0
    done = run("access", "init", "--admin", p.adm, "--group", p.group)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"已启用权限，由数据库服务器执行：用户组 {p.group}")

    def as_role(role: str) -> Run:
        return lambda *args, **kw: run("--db", p.url(role), *args, **kw)

    adm = as_role(p.adm)
    for role, office in ((p.zhang, "社区服务办"), (p.li, "经济发展办")):
        granted = adm("access", "grant", role, "--office", office, "--as", "staff")
        assert granted.exit_code == 0, granted.stderr
        assert f"{role} 已在用户组 {p.group} 中，可以登录使用 kpi" in granted.stdout
    assert adm("access", "grant", p.sup, "--as", "supervisor").exit_code == 0
    assert adm("access", "grant", p.reader, "--as", "reader", "--plan", "xjw-2025").exit_code == 0
    return adm, as_role(p.zhang), as_role(p.li), as_role(p.sup)


_INSERT = (
    'INSERT INTO updates (plan_id, code, item_code, date, kind, value, "by", os_user, '
    "recorded_at, origin) VALUES ('xjw-2025', %s, %s, '2025-07-01', %s, %s, 'x', %s, "
    "'2020-01-01', 'cli') RETURNING id, recorded_at"
)


@ON_SERVER
def test_staff_supervisor_and_admin_through_kpi_on_the_server(run: Run, people: People) -> None:
    p = people
    adm, zhang, li, sup = _set_up(run, p)
    assert zhang("update", "3.1.2", "40%", "-m", "进展").exit_code == 0
    result = zhang("update", "1.1.5", "3", "-m", "进展")
    assert (result.exit_code, result.stderr.strip()) == (2, ZHANG_REFUSED.format(who=p.zhang))
    assert li("update", "1.1.5", "3", "-m", "本周").exit_code == 0
    records = _records(run)
    assert [(r["code"], r["os_user"]) for r in records] == [("3.1.2", p.zhang), ("1.1.5", p.li)]
    assert li("void", "1", "--reason", "x").exit_code == 2
    assert sup("void", "2", "--reason", "数字有误").exit_code == 0
    assert sup("update", "3.1.2", "50%", "-m", "进展").exit_code == 2
    assert zhang("undo", "--yes").exit_code == 0
    refused = zhang("load")
    assert refused.exit_code == 2 and f"您（{p.zhang}）无权" in refused.stderr
    assert adm("load").exit_code == 0  # an admin loads (nothing changed here)
    assert (
        zhang("access", "grant", p.zhang, "--office", "经济发展办", "--as", "staff").exit_code == 2
    )
    reader = run("--db", p.url(p.reader), "update", "3.1.2", "60%", "-m", "进展")
    assert reader.exit_code == 2
    # Someone with no right at all cannot even read.
    revoked = adm("access", "revoke", p.reader)
    assert f"{p.reader} 已无任何权限，已移出用户组 {p.group}" in revoked.stdout
    outsider = run("--db", p.url(p.reader), "status")
    assert outsider.exit_code == 2 and "还不是 kpi 的用户" in outsider.stderr
    # An import obeys the same rules (kpi says so first; the server would refuse it too): one
    # line, nothing written.
    Path("sheet.csv").write_text("编号,日期,数值\n1.1.5,2025-07-01,+2\n", encoding="utf-8")
    imported = zhang("import", "sheet.csv")
    assert (imported.exit_code, imported.stderr.strip()) == (2, ZHANG_REFUSED.format(who=p.zhang))
    assert len(_records(run)) == 2
    listed = json.loads(adm("access", "list", "-f", "json").stdout)
    assert listed["enforced_by"] == "postgresql" and listed["group"] == p.group
    # Setting up again brings everything up to date and grants nothing twice; only the owner may.
    again = run("access", "init", "--admin", p.adm, "--group", p.group)
    assert again.exit_code == 0 and f"{p.adm} 已是管理员" in again.stdout
    not_owner = adm("access", "init")
    assert not_owner.exit_code == 2 and "须由数据库所有者（kpi）运行" in not_owner.stderr


@ON_SERVER
def test_raw_sql_as_the_same_roles_is_held_to_the_same_rules(run: Run, people: People) -> None:
    from psycopg import errors

    p = people
    _, zhang, li, _ = _set_up(run, p)
    assert li("update", "1.1.5", "3", "-m", "进展").exit_code == 0  # record #1, 经济发展办's
    with p.sql(p.zhang) as conn:
        refused = [
            # another office's item
            (_INSERT, ("1.1.5", "1.1.5", "add", 5, p.zhang)),
            # in someone else's name
            (_INSERT, ("3.1.2", "3.1.2", "percent", 0.5, p.li)),
            # another office's record, voided or undone
            (
                'INSERT INTO voids (update_id, kind, reason, "by", os_user, voided_at) '
                "VALUES (1, 'void', 'x', 'x', %s, now())",
                (p.zhang,),
            ),
            (
                'INSERT INTO voids (update_id, kind, reason, "by", os_user, voided_at) '
                "VALUES (1, 'undo', 'x', 'x', %s, now())",
                (p.zhang,),
            ),
            # a right, a plan version
            (
                'INSERT INTO grant_events (action, role, level, "by", at) '
                "VALUES ('grant', %s, 'admin', %s, now())",
                (p.zhang, p.zhang),
            ),
            (
                'INSERT INTO plan_versions (plan_id, version, effective, file, sha256, "by", '
                "loaded_at, added, changed, retired, unchanged, changes) VALUES ('xjw-2025', 9, "
                "'2025-01-01', 'f', 's', %s, now(), 0, 0, 0, 0, '{}')",
                (p.zhang,),
            ),
            # change or erase anything
            ("UPDATE updates SET value = 99 WHERE id = 1", ()),
            ("DELETE FROM updates", ()),
            ("DELETE FROM voids", ()),
            ("TRUNCATE grant_events", ()),
            ("UPDATE grant_events SET level = 'admin'", ()),
        ]
        for sql, args in refused:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(sql, args)
        # Changing the plan (to lead an item) is an admin's: no row is touched.
        moved = conn.execute("UPDATE items SET lead_office = '社区服务办' WHERE code = '1.1.5'")
        assert moved.rowcount == 0
        # Allowed: one's own office's item, in one's own name, at the server's time.
        row = conn.execute(_INSERT, ("3.1.2", "3.1.2", "percent", 0.5, p.zhang)).fetchone()
        assert row is not None and row[1].year != 2020
        conn.execute(
            'INSERT INTO voids (update_id, kind, reason, "by", os_user, voided_at) '
            "VALUES (%s, 'undo', 'x', 'x', %s, now())",
            (row[0], p.zhang),
        )
    with p.sql(p.sup) as conn:  # a supervisor voids any record
        conn.execute(
            'INSERT INTO voids (update_id, kind, reason, "by", os_user, voided_at) '
            "VALUES (1, 'void', '数字有误', 'x', %s, now())",
            (p.sup,),
        )
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(_INSERT, ("3.1.2", "3.1.2", "percent", 0.6, p.sup))
    with p.sql(p.adm) as conn:  # not even an admin changes the audit trail
        for sql in ("DELETE FROM grant_events", "UPDATE plan_versions SET file = 'x'"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(sql)
    assert [r["voided"] for r in _records(run)] == [True, True]
    assert zhang("history").exit_code == 0
