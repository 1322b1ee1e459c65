"""`kpi load`: the targets file is synced into the database by code, never replaced."""

from __future__ import annotations

import json
from pathlib import Path

from kpi.store import Store
from tests.conftest import TEST_DB_URL, Run


def _edit(old: str, new: str, path: str = "targets/2025.yaml") -> None:
    text = Path(path).read_text(encoding="utf-8")
    assert old in text, old
    Path(path).write_text(text.replace(old, new, 1), encoding="utf-8")


def _codes(run: Run) -> list[str]:
    return [r["code"] for r in json.loads(run("status", "-f", "json").stdout)]


def test_first_command_on_an_empty_database_loads_the_default_plan(run: Run) -> None:
    result = run("status")
    assert result.exit_code == 0, result.output
    loaded = "数据库为空，已载入 targets/2025.yaml（105 项）。"
    if TEST_DB_URL:
        assert result.stderr.strip().splitlines() == [loaded]
    else:
        # The new database is named in full, so that a user in the wrong folder notices at once.
        created = f"已新建数据库 {Path('db/kpi.sqlite').resolve()}"
        assert result.stderr.strip().splitlines() == [created, loaded]
    assert "新江湾城街道2025年主要工作安排 · 截至 2025-07-02 · 时间进度 50.1%" in result.stdout
    assert run("status").stderr == ""  # only once


def test_load_reports_what_it_added_and_loading_twice_changes_nothing(run: Run) -> None:
    first = run("load")
    assert first.exit_code == 0
    assert first.stdout.startswith("已载入 targets/2025.yaml（计划 xjw-2025）：新增 ")
    second = run("load")
    assert second.exit_code == 0
    assert second.stdout.startswith("targets/2025.yaml（计划 xjw-2025）与数据库一致，无变化（")


def test_dry_run_shows_the_difference_and_writes_nothing(run: Run) -> None:
    dry = run("load", "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.startswith("试运行 targets/2025.yaml（计划 xjw-2025，未写入）：将新增 ")
    assert Store.open().plans() == []
    run("load")
    _edit("title: 招引企业", "title: 招引优质企业")
    dry = run("load", "-n")
    assert "修改 1" in dry.stdout and "修改: 1.1.5" in dry.stdout
    assert "招引企业" in run("show", "1.1.5").stdout


def test_changed_text_and_targets_update_in_place(run: Run) -> None:
    run("load")
    run("update", "1.1.5", "100")
    _edit("title: 招引企业", "title: 招引优质企业")
    result = run("load")
    assert "新增 0，修改 1，退役 0" in result.stdout
    record = json.loads(run("show", "1.1.5", "-f", "json").stdout)
    assert record["title"] == "招引优质企业"
    assert record["actual"] == 100  # the history is untouched


def test_a_removed_item_is_retired_with_its_history_kept_and_comes_back(run: Run) -> None:
    run("load")
    run("update", "1.1.7", "=3.2")
    original = Path("targets/2025.yaml").read_text(encoding="utf-8")
    start = original.index('          - code: "1.1.7"')
    end = original.index('      - code: "1.2"')
    Path("targets/2025.yaml").write_text(original[:start] + original[end:], encoding="utf-8")
    result = run("load")
    assert "退役 1" in result.stdout and "退役: 1.1.7" in result.stdout
    assert "1.1.7" not in _codes(run)
    store = Store.open()
    assert [u.value for u in store.plan("xjw-2025").updates(item_code="1.1.7")] == [3.2]
    assert store.plan("xjw-2025").retired_codes() == {"1.1.7"}
    Path("targets/2025.yaml").write_text(original, encoding="utf-8")
    back = run("load")
    assert "修改 1" in back.stdout
    assert json.loads(run("show", "1.1.7", "-f", "json").stdout)["actual"] == 3.2


def test_an_added_item_appears(run: Run) -> None:
    run("load")
    _edit(
        '      - code: "1.2"',
        """          - code: "1.1.8"
            kind: task
            title: 新增测试任务
            text: 测试
            lead_office: 经济发展办
      - code: "1.2\"""",
    )
    result = run("load")
    assert "新增 1" in result.stdout and "新增: 1.1.8" in result.stdout
    assert "1.1.8" in _codes(run)


def test_a_bad_file_changes_nothing(run: Run) -> None:
    run("load")
    _edit("title: 招引企业", "title: 招引优质企业\n            unti: 家")
    result = run("load")
    assert result.exit_code == 2
    assert "未知字段“unti”" in result.stderr
    assert "招引企业" in run("show", "1.1.5").stdout
