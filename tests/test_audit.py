"""The audit trail: `kpi history` says who voided a record, when and why; `kpi audit` lists every
record, void, undo, plan load and grant with its actor and time, as a table and as JSON."""

from __future__ import annotations

import json
from typing import Any

from kpi.core.plan_file import file_sha256
from tests.conftest import PLAN_FILE, Run
from tests.test_access import ON_SERVER, ON_SQLITE, People, _as, _set_up, people  # noqa: F401


def _audit(run: Run, *args: str) -> list[dict[str, Any]]:
    result = run("audit", "-f", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _steps(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["actor"], e["action"]) for e in found]


@ON_SQLITE
def test_every_step_is_in_the_audit_with_who_and_when() -> None:
    boss, zhang, sup = _as("boss"), _as("zhang"), _as("sup")
    assert boss("load").exit_code == 0
    assert boss("access", "init").exit_code == 0
    assert (
        boss("access", "grant", "zhang", "--office", "社区服务办", "--as", "staff").exit_code == 0
    )
    assert boss("access", "grant", "sup", "--as", "supervisor").exit_code == 0
    assert zhang("update", "3.1.2", "40%", "-m", "进展", "--by", "张三").exit_code == 0
    assert zhang("update", "3.1.2", "45%", "-m", "进展").exit_code == 0
    assert zhang("undo", "--yes").exit_code == 0
    assert sup("void", "1", "--reason", "数字有误").exit_code == 0
    assert boss("access", "revoke", "sup").exit_code == 0

    found = _audit(boss)
    assert _steps(found) == [
        ("boss", "load"),
        ("boss", "grant"),
        ("boss", "grant"),
        ("boss", "grant"),
        ("zhang", "record"),
        ("zhang", "record"),
        ("zhang", "undo"),
        ("sup", "void"),
        ("boss", "revoke"),
    ]
    load = found[0]
    assert (load["version"], load["sha256"], load["plan"]) == (
        1,
        file_sha256(PLAN_FILE),
        "xjw-2025",
    )
    assert found[4]["by"] == "张三" and found[4]["id"] == 1
    assert found[7]["reason"] == "数字有误" and found[7]["id"] == 1
    assert all(e["at"] for e in found)
    assert _steps(_audit(boss, "--who", "sup")) == [
        ("boss", "grant"),
        ("sup", "void"),
        ("boss", "revoke"),
    ]
    assert _steps(_audit(boss, "--who", "张三")) == [("zhang", "record")]
    assert _audit(boss, "--since", "2025-07-03") == []  # the clock here: 2025-07-02 09:00 on
    assert len(_audit(boss, "--since", "2025-07-02")) == len(found)
    table = boss("audit").stdout
    assert "审计记录（9 条）" in table and "导入计划" in table and "撤销授权" in table
    assert file_sha256(PLAN_FILE)[:12] in table
    # The history says who voided each record, when and why.
    history = boss("history").stdout
    assert "［已作废：数字有误］ sup" in history and "作废" in history
    assert "撤销" in history
    records = json.loads(boss("history", "-f", "json").stdout)
    assert [(r["void_kind"], r["voided_by"]) for r in records] == [
        ("void", "sup"),
        ("undo", "zhang"),
    ]
    assert all(r["voided_at"] for r in records)


@ON_SQLITE
def test_an_empty_audit_and_its_formats(run: Run) -> None:
    assert "（没有记录）" in run("audit").stdout
    assert run("audit", "-f", "json").stdout.strip() == "[]"
    assert run("audit", "-f", "csv").exit_code == 2


@ON_SERVER
def test_a_supervisors_void_on_the_server_shows_who_and_when(run: Run, people: People) -> None:  # noqa: F811
    p = people
    _, zhang, _, sup = _set_up(run, p)
    assert zhang("update", "3.1.2", "40%", "-m", "进展").exit_code == 0
    assert sup("void", "1", "--reason", "数字有误").exit_code == 0
    found = _audit(zhang)  # anyone with a right reads the whole trail
    assert _steps(found)[-2:] == [(p.zhang, "record"), (p.sup, "void")]
    assert [a for a, s in _steps(found) if s == "grant"] == ["kpi", p.adm, p.adm, p.adm, p.adm]
    assert found[0]["action"] == "load" and found[0]["sha256"] == file_sha256(PLAN_FILE)
    history = zhang("history").stdout  # the columns wrap at 80: the words are there
    assert "［已作废：数字有误］" in history and p.sup in history and "作废" in history
    record = json.loads(zhang("history", "-f", "json").stdout)[0]
    assert record["voided_by"] == p.sup and record["voided_at"] and record["void_kind"] == "void"
