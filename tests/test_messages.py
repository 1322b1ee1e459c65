"""One catalogue, two languages: every message exists in both, with the same fields, and the
command line speaks the language asked for, help included."""

from __future__ import annotations

import ast
import os
import re
import string
import subprocess
import sys
from pathlib import Path

from kpi.locale import EN, ZH
from tests.conftest import REPO


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_every_message_with_the_same_fields() -> None:
    assert set(ZH) == set(EN)
    for key in ZH:
        assert _fields(ZH[key]) == _fields(EN[key]), key


_KEY = re.compile(r"^[a-z_]+\.[a-z_.]+$")


def _asked_for() -> tuple[set[str], list[str]]:
    """Every message key the code names — in ``t(…)``, in a checker's ``error``/``fail``, or as
    the value of a table of keys — and every ``t(…)`` whose key is built (and so unchecked)."""
    keys: set[str] = set()
    built: list[str] = []
    for path in (REPO / "kpi").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "t":
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        keys.add(first.value)
                    elif not isinstance(first, ast.Name | ast.Subscript | ast.Attribute):
                        built.append(f"{path.relative_to(REPO)}:{node.lineno}")
                elif name in {"error", "fail"} and len(node.args) > 1:
                    second = node.args[1]
                    if isinstance(second, ast.Constant) and isinstance(second.value, str):
                        keys.add(second.value)
            elif isinstance(node, ast.Dict):
                keys.update(
                    v.value
                    for v in node.values
                    if isinstance(v, ast.Constant)
                    and isinstance(v.value, str)
                    and _KEY.match(v.value)
                )
    return keys, built


def test_every_message_the_code_asks_for_exists() -> None:
    keys, built = _asked_for()
    assert len(keys) > 300
    assert not sorted(keys - set(ZH)), "unknown message keys"
    assert not built, (
        "a key built at run time (an f-string, a sum) escapes this test: " + ", ".join(built)
    )


def test_an_unknown_key_fails_loudly() -> None:
    import pytest

    from kpi.locale import t

    with pytest.raises(KeyError):
        t("record.needs_reasn")


def _kpi(*args: str, lang: str | None = None) -> str:
    script = Path(sys.executable).with_name("kpi")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kpi"]
    env = {k: v for k, v in os.environ.items() if k != "KPI_LANG"}
    env["COLUMNS"] = "100"
    if lang:
        env["KPI_LANG"] = lang
    done = subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_help_is_chinese_by_default_and_english_when_asked() -> None:
    zh = _kpi("--help")
    assert "按领域和板块列出计划" in zh and "填报进展" in zh
    en = _kpi("--lang", "en", "--help")
    assert "The plan by area and section" in en and "Record progress" in en
    assert "Record progress" in _kpi("update", "--help", lang="en")
    update = _kpi("update", "--help")
    assert "编号（如 1.1.1）或名称中唯一的几个字" in update  # arguments have help too
    assert "+5 表示增加 5" in update
