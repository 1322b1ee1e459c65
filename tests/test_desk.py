"""At the desk: the status table at 80 and 120 columns, `kpi` alone, click's errors and the help in
the chosen language, the words `--light` and `--office` take, Tab completion, the user's own
setting of the database, questions, and progress bars."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpi.core.plan_file import parse_plan
from tests.conftest import PLAN_FILE, Run

PLAN = parse_plan(PLAN_FILE.read_text(encoding="utf-8"), "targets/2025.yaml")

# Records as staff make them (example figures, not the office's), long notes among them.
RECORDS = [
    ("update", "招引企业", "60", "--date", "2025-03-31", "--note", "一季度签约"),
    ("update", "招引企业", "+55", "--date", "2025-06-30", "--note", "二季度签约，含耐克、B站两家链主企业的上下游配套企业"),
    ("update", "1.1.7", "=3.6", "--date", "2025-06-30"),
    ("done", "3.1.1-1", "--date", "2025-04-25"),
    ("done", "3.1.1-2", "--date", "2025-06-20"),
    ("update", "3.1.3", "45%", "--date", "2025-06-28", "--note", "助餐助洁已开展"),
    ("update", "3.1.4", "298", "--date", "2025-06-30"),
    ("update", "3.2.2", "8", "--date", "2025-06-15", "--note", "招聘会等8场"),
    ("update", "3.2.3", "410", "--date", "2025-06-15", "--note", "场次偏少，下半年补足"),
    ("update", "4.1.4", "40%", "--date", "2025-06-30", "--note", "3.0版升级方案已报街道党工委审议，服务站选址在江湾体育场地铁站旁"),
    ("update", "5.2.7", "20", "--date", "2025-06-30", "--note", "商务楼宇12个、商业广场3个，每月1次（人 / 次）"),
    ("update", "5.3.5", "7", "--date", "2025-06-30"),
    ("update", "3.2.5", "=321.5", "--date", "2025-06-30"),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _recorded(run: Run) -> None:
    assert run("load").exit_code == 0
    for args in RECORDS:
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)


# -- the database the user set ------------------------------------------------------------------


def _settings(folder: Path, text: str) -> Path:
    path = folder / "kpi" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_folder_without_db_uses_the_database_set_in_the_users_settings(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    _settings(config, f'db = "{tmp_path / "db" / "kpi.sqlite"}"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("status", "-f", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no new database, nothing loaded
    assert {r["code"]: r for r in json.loads(result.stdout)}["1.1.5"]["actual"] == 115
    assert not (elsewhere / "db").exists()
    # KPI_DB and --db come first.
    monkeypatch.setenv("KPI_DB", str(tmp_path / "other.sqlite"))
    made = run("status", "-f", "json")
    assert f"已新建数据库 {tmp_path / 'other.sqlite'}" in made.stderr


def test_the_settings_file_under_home_and_a_relative_path(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(home))
    _settings(home / ".config", 'db = "shared.sqlite"\n')
    result = run("status", "-f", "json")
    made = home / ".config" / "kpi" / "shared.sqlite"
    assert f"已新建数据库 {made}" in result.stderr and made.exists()


def test_a_broken_settings_file_is_named_in_one_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = _settings(tmp_path / "xdg", "db = /srv/kpi\n")
    result = run("status")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误：设置文件 {path} 格式有误（")
    assert result.stderr.count("\n") == 1
    _settings(tmp_path / "xdg", "db = 5\n")
    assert "中的 db 应为数据库文件路径或地址" in run("status").stderr
