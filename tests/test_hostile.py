"""Hostile input: broken files, absurd values, odd options — refused in one line, nothing changed.

``tests/test_plan_validation.py`` covers one mistake at a time in a well-formed targets file, and
``tests/test_cli.py`` the common bad values. This file adds what a careless, unlucky or hostile user
feeds the tool: files that are not YAML or not text at all, files that are huge or built to explode,
tags that would run code under an unsafe loader, and command-line values at every edge. For each,
the command must exit with the documented code, print exactly one line on stderr starting with
``错误：`` (click's own usage errors too, with the usage or where to find it), never a traceback,
and leave the database exactly as it was.

The second half fuzzes the parsers with hypothesis: ``parse_plan`` only ever raises ``PlanError``
with one-line messages that say where, and the value parsers only ever raise ``InputError`` and
return finite, non-negative numbers and real dates.

Cases marked ``xfail(strict=True)`` assert the RIGHT behaviour for a bug the corpus found; when the
bug is fixed, the mark must go.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kpi.cli import app
from kpi.core.plan import Plan
from kpi.core.plan_file import parse_plan
from kpi.core.values import parse_date, parse_number, parse_percent
from kpi.errors import InputError, PlanError
from tests.conftest import MID_YEAR, PLAN_FILE, REPO, Run

# -- a small valid plan, the base of most bad files -----------------------------------------------

MINI = """\
plan:
  id: test-2025
  organisation: 测试街道
  year: 2025
  title: 测试计划
  source: 测试报告
  start: 2025-01-01
  end: 2025-12-31
offices: [党政办, 经济发展办]
areas:
  - code: "1"
    title: 经济发展
    sections:
      - code: "1.1"
        title: 产业布局
        items:
          - code: "1.1.1"
            kind: indicator
            title: 招引企业
            text: 全年招引企业。
            lead_office: 经济发展办
            unit: 家
            baseline:
              value: 234
              year: 2024
              source: 全年招引企业234家
            target:
              value: 234
              basis: assumed
              note: 暂定
          - code: "1.1.2"
            kind: task
            title: 制定方案
            text: 制定行动方案。
            lead_office: 党政办
            deadline: 2025-06-30
            checkpoints:
              - date: 2025-03-31
                share: 0.5
"""
# Line map (1-based): 2 id · 3 organisation · 4 year · 5 title · 7 start · 9 offices · 11 area code · 14 section code ·
# 17 indicator code · 20 text · 21 lead_office · 24 baseline value · 28 target value ·
# 31 task code · 37 checkpoints · 38 checkpoint date · 39 share; line 40 is past the end.

SECOND_AREA = """\
  - code: "1"
    title: 社会事业
    sections:
      - code: "1.2"
        title: 民生
        items:
          - code: "1.2.1"
            kind: task
            title: 办实事
            text: 办好民生实事。
            lead_office: 党政办
"""

SECOND_SECTION = """\
      - code: "1.1"
        title: 重复板块
        items:
          - code: "1.1.3"
            kind: task
            title: 办实事
            text: 办好民生实事。
            lead_office: 党政办
"""

# The "billion laughs": nine levels of nine references each, 9**9 strings if expanded.
LAUGHS = (
    "["
    + ", ".join(
        [
            '&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
            *(f"&a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)),
        ]
    )
    + "]"
)

REFUSED = "bad.yaml 有 1 处错误，未写入任何内容。 "
NOT_UTF8 = "{name}: 不是 UTF-8 文本；请另存为 UTF-8 编码"
BINARY = "{name}: 这是二进制文件，不是 YAML 文本；请选择 targets/ 下的 .yaml 文件"
EMPTY = "{name}: 文件为空；请写入 plan、offices、areas 三部分（见 docs/plan-format.md）"
NOT_NUMBER = "“{v}”不是数字；请写如 5、+5（增加）或 =120（累计）的数值"
NOT_FINITE = "“{v}”不是有限数字；请填写实际数值"
IMPOSSIBLE_DATE = "日期“{v}”不存在；请写真实日期，如 2025-03-31"
NOT_DATE = "无法识别日期“{v}”；请写 YYYY-MM-DD，如 2025-03-31"
EXPANDED = (
    "{name}: 别名（&、*）展开后超过 2,000,000 个值或 33,554,432 个字，不像计划文件；"
    "请把各项直接写出，不要用别名复制"
)
SYNTAX = r"YAML 语法错误（.+）；请检查这一行的缩进、冒号和引号"

DIR = object()  # in Case.files: make a directory
Content = str | bytes | object | Callable[[], bytes]


def edited(old: str, new: str, base: str = MINI) -> str:
    """MINI with one exact edit: the text to replace occurs exactly once."""
    assert base.count(old) == 1, old
    return base.replace(old, new)


def huge_prose() -> bytes:
    """20 MB of pasted report text: no structure, no colon."""
    para = "新江湾城街道坚持以人民为中心，全面推进社区治理和民生服务各项工作。" * 4 + "\n"
    data = para.encode("utf-8")
    return data * (20_000_000 // len(data))


def random_bytes() -> bytes:
    import random

    rnd = random.Random(20250702)
    return bytes(rnd.randrange(256) for _ in range(4096)) + b"\x00\x00"


def tiny_png() -> bytes:
    """A real 1×1 PNG image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Case:
    """One hostile command: what to run, in what folder, and the one line it must print."""

    args: tuple[str, ...]
    expect: str | re.Pattern[str] | None  # stderr's one line without 错误：; None for usage errors
    code: int | tuple[int, ...] = 2
    files: dict[str, Content] = field(default_factory=dict)
    chmod: dict[str, int] = field(default_factory=dict)
    today: str = MID_YEAR
    seconds: float = 5.0  # the command must answer within this
    env: dict[str, str] = field(default_factory=dict)  # variables set for the command


def load(name: str, content: Content, expect: str | re.Pattern[str], **kw: Any) -> Case:
    return Case(("load", name), expect, files={name: content}, **kw)


def bad(old: str, new: str, expect: str | re.Pattern[str], base: str = MINI) -> Case:
    return load("bad.yaml", edited(old, new, base), expect)


def cli(*args: str, expect: str | re.Pattern[str] | None, **kw: Any) -> Case:
    return Case(tuple(args), expect, **kw)


def xfail(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(reason=reason, strict=True)


P = pytest.param
R = re.compile


def sqlite_file(*statements: str) -> Callable[[], bytes]:
    """A SQLite database made by ``statements`` (not kpi's, or kpi's gone wrong), as bytes."""

    def make() -> bytes:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "x.sqlite"
            con = sqlite3.connect(path)
            for statement in statements:
                con.execute(statement)
            con.commit()
            con.close()
            return path.read_bytes()

    return make


def aliased_texts(items: int = 400, size: int = 100_000) -> bytes:
    """MINI with ``items`` tasks whose text is one anchored text of ``size`` characters."""
    entries = []
    for n in range(items):
        text = f"&big {'长' * size}" if n == 0 else "*big"
        entries.append(
            f'          - code: "1.1.{n + 3}"\n            kind: task\n'
            f"            title: 任务{n}\n            text: {text}\n"
            "            lead_office: 党政办\n"
        )
    return (MINI + "".join(entries)).encode("utf-8")


CONTROL = (
    "{what} 的第 {n} 个字符 {char} 是不可见的控制字符；请删除它（常见于从网页或文档粘贴的文字）"
)
PLACEHOLDER = "--out 中的占位符“{name}”未知；可用 {{year}}、{{week}}、{{date}}"
IN_USE = "{path} 是正在使用的数据库（或它的 -wal/-shm 文件），不会覆盖它；请换一个输出文件名"
SMTP = {"KPI_SMTP_HOST": "localhost", "KPI_MAIL_FROM": "kpi@xjwc.example"}
MAIL_TO = ("report", "weekly", "--mail-to")
ALEMBIC = "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"

CASES = [
    # == targets files fed to `kpi load FILE` ====================================================
    # -- not YAML, not text -------------------------------------------------------------------
    P(load("empty.yaml", b"", EMPTY.format(name="empty.yaml")), id="load-empty-file"),
    P(
        load("blank.yaml", " \n\t\n   \n", EMPTY.format(name="blank.yaml")),
        id="load-whitespace-only",
    ),
    P(
        load("notes.yaml", "\ufeff# 2025年计划\n# 待填写\n", EMPTY.format(name="notes.yaml")),
        id="load-bom-and-comments-only",
    ),
    P(
        load("markers.yaml", "---\n...\n", R(r"markers\.yaml(:\d+:\d+)?: .+|markers\.yaml 有 .+")),
        id="load-document-markers-only",
    ),
    P(load("rand.yaml", random_bytes, BINARY.format(name="rand.yaml")), id="load-random-bytes"),
    P(load("pixel.yaml", tiny_png, BINARY.format(name="pixel.yaml")), id="load-png-image"),
    P(
        load(
            "logo.yaml",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
            BINARY.format(name="logo.yaml"),
        ),
        id="load-png-header",
    ),
    P(
        load("utf16.yaml", MINI.encode("utf-16"), NOT_UTF8.format(name="utf16.yaml")),
        id="load-utf16-with-bom",
    ),
    P(
        load(
            "gbk.yaml",
            "# 2025年计划（GBK 编码）\nplan:\n  year: 2025\n".encode("gbk"),
            "gbk.yaml: 文件是 GBK 编码；请用 UTF-8 另存（如 iconv -f GBK -t UTF-8）",
        ),
        id="load-gbk-chinese-only-in-a-comment",
    ),
    P(
        load(
            "latin1.yaml",
            edited("  title: 测试计划", "  title: Café plan").encode("latin-1", "ignore"),
            NOT_UTF8.format(name="latin1.yaml"),
        ),
        id="load-latin1",
    ),
    P(
        load("nul.yaml", edited("测试计划", "测试\x00计划"), BINARY.format(name="nul.yaml")),
        id="load-nul-inside-utf8-text",
    ),
    P(
        load(
            "bell.yaml",
            edited("测试计划", "测试\x07计划"),
            "bell.yaml:5:12: 含有不可见的控制字符 U+0007；请删除它（常见于从网页或文档粘贴的文字）",
        ),
        id="load-control-character",
    ),
    # -- YAML syntax ----------------------------------------------------------------------------
    P(
        load(
            "tab.yaml",
            edited('  - code: "1"', '\t- code: "1"'),
            "tab.yaml:11:1: YAML 不能用 Tab 缩进；请改用空格",
        ),
        id="load-tab-before-a-list-entry",
    ),
    P(
        bad("  title: 测试计划", '  title: "测试计划', R(rf"bad\.yaml:5:\d+: {SYNTAX}")),
        id="load-unclosed-double-quote",
    ),
    P(
        bad(
            "offices: [党政办, 经济发展办]",
            "offices: [党政办, 经济发展办",
            R(rf"bad\.yaml:\d+:\d+: {SYNTAX}"),
        ),
        id="load-unclosed-flow-list",
    ),
    P(
        load("twice.yaml", MINI + "---\n" + MINI, R(rf"twice\.yaml:40:1: {SYNTAX}")),
        id="load-two-documents",
    ),
    P(
        bad(
            "  title: 测试计划",
            "  title: 测试\u2028计划",
            "bad.yaml:5:12: 含有不可见的控制字符 U+2028；请删除它（常见于从网页或文档粘贴的文字）",
        ),
        id="load-unicode-line-separator",
    ),
    P(
        load(
            "crlf.yaml",
            edited("  title: 测试计划\n", "  title: 测试计划\n  title: 重复\n").replace(
                "\n", "\r\n"
            ),
            "crlf.yaml 有 1 处错误，未写入任何内容。 crlf.yaml:6:3: plan 中字段“title”重复；请删去一个",
        ),
        id="load-crlf-line-numbers",
    ),
    P(
        load(
            "nested.yaml",
            "plan: " + "[" * 5000 + "]" * 5000 + "\n",
            R(rf"nested\.yaml:1:\d+: {SYNTAX}"),
        ),
        id="load-deeply-nested-flow",
    ),
    P(
        load(
            "nested.yaml",
            "".join("  " * n + f"k{n}:\n" for n in range(3000)) + "  " * 3000 + "v: 1\n",
            R(rf"nested\.yaml:\d+:\d+: {SYNTAX}"),
        ),
        id="load-deeply-nested-block",
    ),
    # -- bombs, tags and sizes -----------------------------------------------------------------
    P(
        bad(
            "  title: 测试计划",
            f"  title: {LAUGHS}",
            EXPANDED.format(name="bad.yaml"),
        ),
        id="load-billion-laughs-as-a-title",
    ),
    P(
        bad(
            "            lead_office: 党政办\n",
            f"            lead_office: 党政办\n            other_offices: {LAUGHS}\n",
            EXPANDED.format(name="bad.yaml"),
        ),
        id="load-billion-laughs-as-a-list-of-offices",
    ),
    P(
        bad(
            "  title: 测试计划",
            "  title: !!python/object/apply:os.system ['echo pwned > pwned.txt']",
            REFUSED + "bad.yaml:5:10: plan.title 应为单个值，而不是列表或映射",
        ),
        id="load-python-object-apply-tag",
    ),
    P(
        bad(
            "  title: 测试计划",
            "  title: !!python/name:os.system",
            R(r"bad\.yaml 有 1 处错误，未写入任何内容。 bad\.yaml:5:10: plan\.title .+"),
        ),
        id="load-python-name-tag",
    ),
    P(
        bad(
            "            unit: 家\n",
            "            unit: 家\n            direction: !!bool maybe\n",
            R(r"bad\.yaml 有 1 处错误，未写入任何内容。 bad\.yaml:23:24: item\.direction .+"),
        ),
        id="load-bool-tag-on-a-non-boolean",
    ),
    P(
        load("big.yaml", huge_prose, R(r"big\.yaml(:\d+:\d+)?[: ].+")),
        id="load-20-MB-of-prose",
    ),
    P(
        bad(
            "              value: 234\n              basis",
            f"              value: {'9' * 5000}\n              basis",
            R(
                r"bad\.yaml 有 1 处错误，未写入任何内容。 bad\.yaml:28:22: target\.value (?!的日期).+"
            ),
        ),
        id="load-5000-digit-number",
    ),
    # -- plan mistakes the validation tests do not make ------------------------------------------
    P(
        load(
            "bad.yaml",
            MINI + SECOND_AREA,
            REFUSED + "bad.yaml:40:11: 编号“1”重复（首次出现在 bad.yaml:11:11）；编号必须唯一",
        ),
        id="load-duplicate-area-code",
    ),
    P(
        load(
            "bad.yaml",
            MINI + SECOND_SECTION,
            REFUSED + "bad.yaml:40:15: 编号“1.1”重复（首次出现在 bad.yaml:14:15）；编号必须唯一",
        ),
        id="load-duplicate-section-code",
    ),
    P(
        bad(
            "offices: [党政办, 经济发展办]\n",
            "offices: [党政办, 经济发展办]\nowner: 张三\n",
            REFUSED + "bad.yaml:10:1: 文件 中有未知字段“owner”；可用字段：plan, offices, areas",
        ),
        id="load-unknown-top-level-key",
    ),
    P(
        bad(
            "  year: 2025\n",
            "  year: 2025\n  <<: {owner: 张三}\n",
            REFUSED
            + "bad.yaml:5:3: plan 中有未知字段“<<”；可用字段：id, organisation, title, source, start, end, year, rules",
        ),
        id="load-merge-key",
    ),
    P(
        bad(
            "offices: [党政办, 经济发展办]",
            "offices: [党政办, 经济发展办, '']",
            REFUSED + "bad.yaml:9:23: offices 不能为空；请填写内容",
        ),
        id="load-empty-office-name",
    ),
    P(
        bad(
            "  year: 2025",
            '  year: "20\n\n  25"',
            R(r"bad\.yaml 有 1 处错误，未写入任何内容。 bad\.yaml:4:9: plan\.year [^\n]+"),
        ),
        id="load-value-with-a-line-break",
    ),
    P(
        bad(
            "              value: 234\n              basis",
            "              value: 1,120\n              basis",
            REFUSED + "bad.yaml:28:22: target.value 应为数字，不是“1,120”；不要带单位或千分位逗号",
        ),
        id="load-target-with-thousands-separator",
    ),
    P(
        bad(
            "              value: 234\n              basis",
            "              value: ６４１.４２\n              basis",
            REFUSED
            + "bad.yaml:28:22: target.value 应为数字，不是“６４１.４２”；不要带单位或千分位逗号",
        ),
        id="load-full-width-digits",
    ),
    P(
        bad(
            "              value: 234\n              year",
            "              value: 641.42万\n              year",
            REFUSED
            + "bad.yaml:24:22: baseline.value 应为数字，不是“641.42万”；不要带单位或千分位逗号",
        ),
        id="load-number-with-scale-word",
    ),
    P(
        bad(
            "              value: 234\n              basis",
            "              value: 1e999\n              basis",
            REFUSED + "bad.yaml:28:22: target.value 应为数字，不是“1e999”；不要带单位或千分位逗号",
        ),
        id="load-1e999",
    ),
    P(
        bad(
            "                share: 0.5",
            "                share: .nan",
            REFUSED + "bad.yaml:39:24: checkpoint.share 不是有限数字（“.nan”）；请填写实际数值",
        ),
        id="load-nan-share",
    ),
    P(
        bad(
            "  start: 2025-01-01",
            "  start: 2025-02-30",
            REFUSED
            + "bad.yaml:7:10: plan.start 的日期 2025-02-30 不存在；请改为真实日期（YYYY-MM-DD）",
        ),
        id="load-impossible-plan-start",
    ),
    P(
        bad(
            "  start: 2025-01-01",
            "  start: 2025/3/1",
            REFUSED + "bad.yaml:7:10: plan.start 应为日期 YYYY-MM-DD，不是“2025/3/1”",
        ),
        id="load-slashed-date",
    ),
    P(
        bad(
            "              - date: 2025-03-31",
            "              - date: 3月31日",
            REFUSED + "bad.yaml:38:23: checkpoint.date 应为日期 YYYY-MM-DD，不是“3月31日”",
        ),
        id="load-chinese-date",
    ),
    # -- the file itself --------------------------------------------------------------------------
    P(
        load("adir.yaml", DIR, "无法读取计划文件 adir.yaml：Is a directory"),
        id="load-a-directory",
    ),
    P(
        Case(
            ("load", "nosuch.yaml"),
            "找不到计划文件 nosuch.yaml；请用 kpi load 文件路径 指定，或在 targets/ 下放置 <year>.yaml",
        ),
        id="load-a-missing-file",
    ),
    P(
        Case(
            ("load", "secret.yaml"),
            "无法读取计划文件 secret.yaml：Permission denied",
            files={"secret.yaml": MINI},
            chmod={"secret.yaml": 0},
        ),
        id="load-an-unreadable-file",
        marks=pytest.mark.skipif(
            hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file"
        ),
    ),
    # == values typed on the command line =========================================================
    # -- numbers for an indicator (1.1.5 招引企业, 家, adds up) -------------------------------------
    P(cli("update", "1.1.5", "NaN", expect=NOT_FINITE.format(v="NaN")), id="update-NaN"),
    P(
        cli(
            "update",
            "1.1.5",
            "-inf",
            expect="“-inf”是负数；记录不能为负，更正请用 kpi void 作废原记录后重新填报",
        ),
        id="update-minus-inf-is-a-negative-value",
    ),
    P(cli("update", "1.1.5", "5-", expect=NOT_NUMBER.format(v="5-")), id="update-trailing-minus"),
    P(cli("update", "1.1.5", "5..5", expect=NOT_NUMBER.format(v="5..5")), id="update-two-dots"),
    P(cli("update", "1.1.5", "1,12", expect=NOT_NUMBER.format(v="1,12")), id="update-bad-grouping"),
    P(
        cli("update", "1.1.5", "1,120,0", expect=NOT_NUMBER.format(v="1,120,0")),
        id="update-bad-grouping-tail",
    ),
    P(cli("update", "1.1.5", "", expect=NOT_NUMBER.format(v="")), id="update-empty-value"),
    P(
        cli("update", "1.1.5", "   ", expect=R(r"“\s*”" + re.escape(NOT_NUMBER.format(v="")[2:]))),
        id="update-blank-value",
    ),
    P(
        cli("update", "1.1.5", "５％", expect=R(r"“(５％|5%)”不是数字；.+")),
        id="update-full-width-percent-for-an-indicator",
    ),
    P(
        cli("update", "1.1.5", "50%", expect=NOT_NUMBER.format(v="50%")),
        id="update-percent-for-an-indicator",
    ),
    P(
        cli("update", "1.1.5", "+", expect=NOT_NUMBER.format(v="+")),
        id="update-plus-alone",
    ),
    P(
        cli("update", "1.1.5", "=", expect=NOT_NUMBER.format(v="=")),
        id="update-equals-alone",
    ),
    P(
        cli("update", "1.1.5", "++5", expect=NOT_NUMBER.format(v="++5")),
        id="update-double-plus",
    ),
    P(
        cli("update", "1.1.5", "=+5", expect=NOT_NUMBER.format(v="=+5")),
        id="update-equals-plus",
    ),
    P(
        cli("update", "1.1.5", "+-5", expect=R(r"“[+]?-5”是负数；记录不能为负.+")),
        id="update-plus-minus",
    ),
    P(
        cli("update", "1.1.5", "1" * 10_000, expect=NOT_FINITE.format(v="1" * 200 + "…")),
        id="update-10000-digit-value",
    ),
    P(
        cli("update", "1.1.5", "x" * 10_000, expect=NOT_NUMBER.format(v="x" * 200 + "…")),
        id="update-10000-character-value",
    ),
    P(
        cli("update", "1.1.5", "5\n6", expect=R(r"“5.{1,2}6”不是数字；.+")),
        id="update-value-with-a-newline",
    ),
    # -- percentages for a task (3.1.3) --------------------------------------------------------
    P(
        cli("update", "3.1.3", "200%", expect="“200%”超出 0–100%；请写完成百分比，如 60%"),
        id="update-200-percent",
    ),
    P(
        cli(
            "update",
            "3.1.3",
            "abc",
            expect="3.1.3 是任务，请写完成百分比（如 60%）或“完成”，不是“abc”",
        ),
        id="update-task-abc",
    ),
    P(
        cli(
            "update",
            "3.1.3",
            "nan%",
            expect="3.1.3 是任务，请写完成百分比（如 60%）或“完成”，不是“nan%”",
        ),
        id="update-task-nan",
    ),
    P(
        cli("update", "3.1.3", "1e999%", expect=R(r"“1e999%?”不是有限数字；.+")),
        id="update-task-1e999",
    ),
    P(
        cli("update", "3.1.3", "--", "-5", expect=R(r"“-5%?”是负数；.+")),
        id="update-task-negative",
    ),
    P(
        cli("update", "3.1.3", "--", "-5%", expect=R(r"“-5%?”是负数；.+")),
        id="update-task-negative-percent",
    ),
    # -- dates ----------------------------------------------------------------------------------
    P(
        cli(
            "update",
            "3.1.3",
            "50%",
            "--date",
            "2025-13-01",
            expect=IMPOSSIBLE_DATE.format(v="2025-13-01"),
        ),
        id="date-month-13",
    ),
    P(
        cli("done", "3.1.3", "--date", "2025-00-10", expect=IMPOSSIBLE_DATE.format(v="2025-00-10")),
        id="date-month-0",
    ),
    P(
        cli("done", "3.1.3", "--date", "0000-01-01", expect=IMPOSSIBLE_DATE.format(v="0000-01-01")),
        id="date-year-0",
    ),
    P(
        cli("update", "1.1.5", "5", "-d", "99999-01-01", expect=NOT_DATE.format(v="99999-01-01")),
        id="date-five-digit-year",
    ),
    P(
        cli("done", "3.1.1-1", "--date", "2025-2-30", expect=IMPOSSIBLE_DATE.format(v="2025-2-30")),
        id="date-february-30-short-form",
    ),
    P(
        cli(
            "update", "3.1.3", "50%", "--date", "31/12/2025", expect=NOT_DATE.format(v="31/12/2025")
        ),
        id="date-day-first",
    ),
    P(
        cli(
            "update",
            "3.1.3",
            "50%",
            "--date",
            "昨天",
            today="2025-01-01",
            expect="日期 2024-12-31 不在 2025 年计划期（2025-01-01 至 2025-12-31）内；"
            "请用 --date 写计划期内的日期",
        ),
        id="date-yesterday-before-the-period",
    ),
    P(
        cli("update", "3.1.3", "50%", "--date", "", expect=R(r".*日期.*")),
        id="date-empty",
    ),
    P(
        cli("status", "--as-of", "2025-02-30", expect=IMPOSSIBLE_DATE.format(v="2025-02-30")),
        id="status-as-of-february-30",
    ),
    P(
        cli(
            "show", "1.1.5", "--as-of", "2025-13-01", expect=IMPOSSIBLE_DATE.format(v="2025-13-01")
        ),
        id="show-as-of-month-13",
    ),
    P(
        cli("history", "--since", "2025-02-30", expect=IMPOSSIBLE_DATE.format(v="2025-02-30")),
        id="history-since-february-30",
    ),
    # -- items ----------------------------------------------------------------------------------
    P(
        cli("update", "9.9.9", "5", expect="没有找到“9.9.9”。用 kpi status 查看全部编号。"),
        id="update-unknown-code",
    ),
    P(
        cli("show", "x" * 10_000, expect=f"没有找到“{'x' * 200}…”。用 kpi status 查看全部编号。"),
        id="show-10000-character-item",
    ),
    P(
        cli("update", "", "5", expect=R(r".+")),
        id="update-empty-item",
    ),
    P(
        cli("done", " ", expect=R(r".+")),
        id="done-blank-item",
    ),
    # -- records --------------------------------------------------------------------------------
    P(cli("void", "abc", "--reason", "x", expect=None), id="void-non-numeric-id"),
    P(
        cli("void", "0", "--reason", "x", expect="没有编号为 #0 的记录；用 kpi history 查看"),
        id="void-0",
    ),
    P(cli("void", "-1", "--reason", "x", expect=None), id="void-minus-1-is-an-option"),
    P(
        cli(
            "void", "--reason", "x", "--", "-1", expect="没有编号为 #-1 的记录；用 kpi history 查看"
        ),
        id="void-minus-1-after-double-dash",
    ),
    P(
        cli("void", "3", "--reason", "再次", expect="记录 #3 已作废过；用 kpi history 查看"),
        id="void-an-already-voided-record",
    ),
    P(
        cli(
            "void",
            "99999999999999999999",
            "--reason",
            "x",
            expect="没有编号为 #99999999999999999999 的记录；用 kpi history 查看",
        ),
        id="void-id-beyond-64-bits",
    ),
    # -- options --------------------------------------------------------------------------------
    P(cli("status", "--light", "紫", expect=None), id="status-light-not-a-light"),
    P(cli("status", "--format", "xml", expect=None), id="status-format-xml"),
    P(
        cli(
            "show",
            "1.1.5",
            "-f",
            "csv",
            expect="此命令只支持 --format table、json 或 html，不支持 csv",
        ),
        id="show-format-csv",
    ),
    P(
        cli(
            "--db",
            "adir",
            "status",
            files={"adir": DIR},
            expect="adir 是目录；--db 请指向数据库文件，如 db/kpi.sqlite",
        ),
        id="db-is-a-directory",
    ),
    P(
        cli(
            "--db",
            "notes.txt",
            "update",
            "1.1.5",
            "5",
            files={"notes.txt": "会议纪要：本周完成招引企业 5 家。\n" * 50},
            code=(1, 2),
            expect=R(r"[^\n]*notes\.txt[^\n]*"),
        ),
        id="db-is-a-text-file",
    ),
    P(
        cli(
            "--db",
            "garbage.db",
            "status",
            files={"garbage.db": random_bytes},
            code=(1, 2),
            expect=R(r"[^\n]*garbage\.db[^\n]*"),
        ),
        id="db-is-random-bytes",
    ),
    P(
        cli(
            "--db",
            "notes.txt/kpi.sqlite",
            "status",
            files={"notes.txt": "纪要\n"},
            code=(1, 2),
            expect=R(r"[^\n]*notes\.txt[^\n]*"),
        ),
        id="db-under-a-file",
    ),
    # == issue 10: nothing lost, nothing leaked, nothing injected ================================
    # -- text where people type -----------------------------------------------------------------
    P(
        cli(
            "update",
            "1.1.5",
            "5",
            "--note",
            "本周\x1b]0;已完成\x07",
            expect=CONTROL.format(what="--note", n=3, char="U+001B"),
        ),
        id="update-note-with-an-osc-sequence",
    ),
    P(
        cli(
            "update",
            "1.1.5",
            "5",
            "--note",
            "新签约\u202e5家",
            expect=CONTROL.format(what="--note", n=4, char="U+202E"),
        ),
        id="update-note-with-a-bidi-override",
    ),
    P(
        cli(
            "done",
            "3.1.3",
            "--note",
            "完成\x9b2J",
            expect=CONTROL.format(what="--note", n=3, char="U+009B"),
        ),
        id="done-note-with-a-c1-control",
    ),
    P(
        cli(
            "update",
            "1.1.5",
            "5",
            "--by",
            "王\u200b芳",
            expect=CONTROL.format(what="--by", n=2, char="U+200B"),
        ),
        id="update-by-with-a-zero-width-space",
    ),
    P(
        cli(
            "update",
            "1.1.5",
            "5",
            "--by",
            "王芳\n李明",
            expect="--by 的第 3 个字符是换行或 Tab（U+000A）；请写在一行内",
        ),
        id="update-by-on-two-lines",
    ),
    P(
        cli(
            "update",
            "1.1.5",
            "5",
            "--note",
            "进" * 2001,
            expect="--note 有 2001 个字，超过上限 2000 字；请缩短",
        ),
        id="update-note-of-2001-characters",
    ),
    P(
        cli(
            "update",
            "1.1.5",
            "5",
            "--by",
            "王" * 65,
            expect="--by 有 65 个字，超过上限 64 字；请缩短",
        ),
        id="update-by-of-65-characters",
    ),
    P(
        cli(
            "void",
            "1",
            "--reason",
            "重复\x07",
            expect=CONTROL.format(what="--reason", n=3, char="U+0007"),
        ),
        id="void-reason-with-a-bell",
    ),
    P(
        cli(
            "void",
            "1",
            "--reason",
            "重复",
            "--by",
            "\u2066王芳",
            expect=CONTROL.format(what="--by", n=1, char="U+2066"),
        ),
        id="void-by-with-an-isolate",
    ),
    # -- plan files that expand -----------------------------------------------------------------
    P(
        load("texts.yaml", aliased_texts, EXPANDED.format(name="texts.yaml")),
        id="load-one-text-aliased-400-times",
    ),
    P(
        bad(
            "offices: [党政办, 经济发展办]",
            "offices: &o [党政办, 经济发展办, *o]",
            EXPANDED.format(name="bad.yaml"),
        ),
        id="load-an-alias-inside-itself",
    ),
    # -- --out ------------------------------------------------------------------------------------
    P(
        cli(
            "report",
            "weekly",
            "--out",
            "r/{week:>99999999}.txt",
            expect=PLACEHOLDER.format(name="week:>99999999"),
        ),
        id="report-out-format-spec",
    ),
    P(
        cli(
            "report", "weekly", "--out", "r/{week!r}.txt", expect=PLACEHOLDER.format(name="week!r")
        ),
        id="report-out-conversion",
    ),
    P(
        cli(
            "report",
            "weekly",
            "--out",
            "r/{year[0]}.txt",
            expect=PLACEHOLDER.format(name="year[0]"),
        ),
        id="report-out-index",
    ),
    P(
        cli(
            "report",
            "weekly",
            "--out",
            "r/{date.year}.txt",
            expect=PLACEHOLDER.format(name="date.year"),
        ),
        id="report-out-attribute",
    ),
    P(
        cli("report", "weekly", "--out", "r/{0}.txt", expect=PLACEHOLDER.format(name="0")),
        id="report-out-positional",
    ),
    P(
        cli("report", "weekly", "--out", "r/{}.txt", expect=PLACEHOLDER.format(name="")),
        id="report-out-empty-field",
    ),
    P(
        cli("report", "weekly", "--out", "r/{user}.txt", expect=PLACEHOLDER.format(name="user")),
        id="report-out-unknown-field",
    ),
    P(
        cli(
            "report",
            "weekly",
            "--out",
            "r/{year",
            expect="--out 的文件名模板“r/{year”无法读取（expected '}' before end of string）；"
            "可用 {year}、{week}、{date}",
        ),
        id="report-out-unclosed-brace",
    ),
    P(
        cli(
            "report",
            "weekly",
            "--out",
            "r/" + "a" * 5000,
            expect="--out 生成的路径有 5002 个字符，太长；请缩短",
        ),
        id="report-out-5000-characters",
    ),
    P(
        cli("export", "--out", "db/kpi.sqlite", expect=IN_USE.format(path="db/kpi.sqlite")),
        id="export-out-the-database",
    ),
    P(
        cli(
            "report",
            "weekly",
            "--out",
            "db/kpi.sqlite-wal",
            expect=IN_USE.format(path="db/kpi.sqlite-wal"),
        ),
        id="report-out-the-wal",
    ),
    P(
        cli(
            "rollover",
            "--force",
            "--out",
            "./db/../db/kpi.sqlite",
            expect=IN_USE.format(path="db/../db/kpi.sqlite"),
        ),
        id="rollover-out-the-database-by-another-name",
    ),
    P(
        cli("db", "backup", "db/kpi.sqlite", expect=IN_USE.format(path="db/kpi.sqlite")),
        id="db-backup-onto-the-database",
    ),
    P(
        cli(
            "export",
            "--format",
            "json",
            "--out",
            "old.sqlite",
            files={"old.sqlite": sqlite_file("CREATE TABLE t (x)")},
            expect="old.sqlite 是一个数据库文件，不会覆盖它；请换一个输出文件名",
        ),
        id="export-out-another-database",
    ),
    # -- databases that are not what they seem ------------------------------------------------------
    P(
        cli(
            "--db",
            "empty.sqlite",
            "status",
            files={"empty.sqlite": b""},
            expect=R(
                r"/\S+/empty\.sqlite 是空文件，不是数据库；请删除它，或用 --db 指定正确的数据库"
            ),
        ),
        id="db-an-empty-file",
    ),
    P(
        cli(
            "--db",
            "newer.sqlite",
            "status",
            files={
                "newer.sqlite": sqlite_file(ALEMBIC, "INSERT INTO alembic_version VALUES ('0099')")
            },
            code=1,
            expect=R(
                r"/\S+/newer\.sqlite 由更新版本的 kpi 建立（结构版本 0099）；请升级 kpi 后再用"
            ),
        ),
        id="db-made-by-a-newer-kpi",
    ),
    P(
        cli(
            "--db",
            "nover.sqlite",
            "status",
            files={"nover.sqlite": sqlite_file(ALEMBIC)},
            code=1,
            expect=R(
                r"/\S+/nover\.sqlite 缺少结构版本记录（alembic_version 为空）；"
                r"请从备份恢复，或联系维护人员"
            ),
        ),
        id="db-with-an-empty-alembic-version",
    ),
    P(
        cli(
            "--db",
            "broken.sqlite",
            "status",
            files={"broken.sqlite": lambda: b"SQLite format 3\x00" + random_bytes()},
            code=1,
            expect=R(
                r"数据库 /\S+/broken\.sqlite 已损坏（file is not a database）；"
                r"请用 kpi db check 检查，或从备份恢复"
            ),
        ),
        id="db-damaged",
    ),
    P(
        cli(
            "--db",
            "sqlite:///db/kpi.sqlite?mode=ro",
            "update",
            "1.1.5",
            "5",
            "-m",
            "x",
            code=1,
            expect=R(
                r"数据库 /\S+/db/kpi\.sqlite 只读，未写入任何内容；请检查文件和文件夹的写权限"
            ),
        ),
        id="db-read-only-url-refuses-a-write",
    ),
    P(
        cli(
            "--db",
            "sqlite:///db/none.sqlite?mode=ro",
            "status",
            expect=R(
                r"数据库 /\S+/db/none\.sqlite 不存在（只读打开不会新建）；请检查 --db 或 KPI_DB"
            ),
        ),
        id="db-read-only-url-of-nothing",
    ),
    P(
        cli(
            "--db",
            "postgresql+nosuch://kpi:s3cr3t@127.0.0.1/kpi",
            "status",
            expect="无法使用数据库地址 postgresql+nosuch://kpi:***@127.0.0.1/kpi："
            "Can't load plugin: sqlalchemy.dialects:postgresql.nosuch；请检查 --db 或 KPI_DB",
        ),
        id="db-url-of-an-unknown-driver-with-a-password",
    ),
    P(
        cli(
            "--db",
            "postgresql+psycopg://kpi:pa/s3cr3t@127.0.0.1:x/kpi",
            "status",
            expect="无法使用数据库地址 postgresql+psycopg://kpi:***@127.0.0.1:x/kpi："
            "invalid literal for int() with base 10: 'x'；请检查 --db 或 KPI_DB",
        ),
        id="db-url-with-a-slash-in-its-password",
    ),
    P(
        cli(
            "status",
            today="2025-13-01",
            expect="KPI_TODAY 的值“2025-13-01”不是日期；请写 YYYY-MM-DD（它只用于测试和重现某一天），或删去它",
        ),
        id="kpi-today-not-a-date",
    ),
    # -- mail, refused before anything is sent -------------------------------------------------------
    P(
        cli(
            *MAIL_TO,
            "head@xjwc.example\r\nBcc: spy@evil.example",
            env=SMTP,
            expect="--mail-to 的地址“head@xjwc.example<U+000D>↵Bcc: spy@evil.example”"
            "含有换行或控制字符；请只写一个邮件地址",
        ),
        id="mail-to-with-a-line-break",
    ),
    P(
        cli(
            *MAIL_TO,
            "主任",
            env=SMTP,
            expect="--mail-to 的地址“主任”不是有效的邮件地址；请写成 name@example.org",
        ),
        id="mail-to-not-an-address",
    ),
    P(
        cli(
            *MAIL_TO,
            "a@b.example,c@d.example",
            env=SMTP,
            expect="--mail-to 的地址“a@b.example,c@d.example”不是有效的邮件地址；请写成 name@example.org",
        ),
        id="mail-to-two-addresses-in-one",
    ),
    P(
        cli(
            *MAIL_TO,
            "x" * 65 + "@xjwc.example",
            env=SMTP,
            expect="--mail-to 的地址“"
            + "x" * 65
            + "@xjwc.example”不是有效的邮件地址；请写成 name@example.org",
        ),
        id="mail-to-with-a-local-part-too-long",
    ),
    P(
        cli(
            *MAIL_TO,
            "head@xjwc.example",
            env={**SMTP, "KPI_MAIL_FROM": "kpi@xjwc.example\nBcc: spy@evil.example"},
            expect="KPI_MAIL_FROM 的地址“kpi@xjwc.example↵Bcc: spy@evil.example”"
            "含有换行或控制字符；请只写一个邮件地址",
        ),
        id="mail-from-with-a-line-break",
    ),
    *(
        P(
            cli(
                *MAIL_TO,
                "head@xjwc.example",
                env={**SMTP, "KPI_SMTP_PORT": port},
                expect=f"KPI_SMTP_PORT 的值“{port}”不是端口号；请写 1 到 65535 之间的数字（通常 25、465 或 587）",
            ),
            id=f"mail-smtp-port-{name}",
        )
        for name, port in (
            ("with-a-letter", "25a"),
            ("too-big", "99999"),
            ("zero", "0"),
            ("in-full-width-digits", "５８７"),
            ("negative", "-25"),
        )
    ),
    P(
        cli(
            *MAIL_TO,
            "head@xjwc.example",
            env={**SMTP, "KPI_SMTP_HOST": "mail\r\n.example"},
            expect="KPI_SMTP_HOST 的值“mail<U+000D>↵.example”不是主机名；请写服务器的名称或地址",
        ),
        id="mail-smtp-host-with-a-line-break",
    ),
    P(
        cli(
            *MAIL_TO,
            "head@xjwc.example",
            env={**SMTP, "KPI_SMTP_SSL": "1", "KPI_SMTP_STARTTLS": "1"},
            expect="KPI_SMTP_SSL 与 KPI_SMTP_STARTTLS 只能设一个：465 端口用 SSL，587 端口用 STARTTLS",
        ),
        id="mail-ssl-and-starttls",
    ),
    P(
        cli(
            *MAIL_TO,
            "head@xjwc.example",
            env={**SMTP, "KPI_SMTP_USER": "kpi", "KPI_SMTP_PASSWORD": "pw"},
            expect="不会在未加密的连接上把密码发给 localhost；请设置 KPI_SMTP_STARTTLS=1 或 "
            "KPI_SMTP_SSL=1（确需明文时设 KPI_SMTP_INSECURE=1）",
        ),
        id="mail-a-password-over-a-plain-connection",
    ),
]


# -- the database every corpus case starts from ---------------------------------------------------


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real plan loaded once, with three records: #1 and #2 live, #3 voided."""
    db = tmp_path_factory.mktemp("hostile-template") / "kpi.sqlite"
    runner = CliRunner(mix_stderr=False)
    env = {"KPI_TODAY": MID_YEAR, "KPI_DEBUG": "1", "NO_COLOR": "1", "KPI_DB": None}
    for args in (
        ["load", str(PLAN_FILE)],
        ["update", "1.1.5", "120", "--date", "2025-06-30", "--note", "上半年签约"],
        ["update", "3.1.3", "60%"],
        ["update", "1.1.7", "1", "--note", "重点企业税收延后入库"],
        ["void", "3", "--reason", "填错"],
    ):
        result = runner.invoke(app, ["--db", str(db), *args], env=env)
        assert result.exit_code == 0, (args, result.output, result.exception)
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to copy
    finally:
        con.close()
    return db


def _dump(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def _files(root: Path) -> dict[str, str]:
    """Every file outside db/, by content hash: a refused command writes nowhere."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == "db" or not path.is_file():
            continue
        try:
            out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
        except PermissionError:
            out[str(rel)] = f"unreadable {path.stat().st_size}"
    return out


@pytest.fixture
def world(template_db: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], tuple[str, Any]]:
    """This test's folder, holding a copy of the template database; returns a snapshot function.

    The corpus compares SQLite dumps, so it runs on the default SQLite file whatever
    KPI_TEST_DB_URL says: what it tests is input handling, not the storage engine.
    """
    monkeypatch.delenv("KPI_DB", raising=False)
    root = Path.cwd()
    (root / "db").mkdir()
    shutil.copyfile(template_db, root / "db" / "kpi.sqlite")

    def snapshot() -> tuple[str, Any]:
        return _dump(root / "db" / "kpi.sqlite"), _files(root)

    return snapshot


def _materialize(case: Case) -> None:
    for name, content in case.files.items():
        path = Path(name)
        if content is DIR:
            path.mkdir()
            continue
        if callable(content):
            content = content()
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            assert isinstance(content, bytes)
            path.write_bytes(content)
    for name, mode in case.chmod.items():
        os.chmod(name, mode)


def _one_line(case: Case, stderr: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, f"{len(lines)} lines on stderr:\n" + "\n".join(lines[:6])
    [line] = lines
    assert line.startswith("错误："), line
    message = line.removeprefix("错误：")
    assert not message.startswith("内部错误"), line
    if isinstance(case.expect, re.Pattern):
        assert case.expect.fullmatch(message), message[:500]
    else:
        assert message == case.expect


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_refused_in_one_line_and_changes_nothing(
    case: Case, run: Run, world: Callable[[], tuple[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    _materialize(case)
    before = world()
    started = time.monotonic()
    result = run(*case.args, today=case.today)
    elapsed = time.monotonic() - started
    after = world()

    # KPI_DEBUG=1: anything but a clean exit surfaces here instead of as 内部错误.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    codes = case.code if isinstance(case.code, tuple) else (case.code,)
    assert result.exit_code in codes, (result.exit_code, result.output[:500])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    if case.expect is None:  # click's own usage error: one line too, what to type instead
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("错误："), result.stderr
        assert any(w in result.stderr for w in ("用法：kpi", "--help", "可选：")), result.stderr
    else:
        _one_line(case, result.stderr)
    assert elapsed < case.seconds, f"took {elapsed:.1f} s"
    assert after == before, "the database or the folder changed"
    assert not Path("pwned.txt").exists()


def test_the_base_files_are_valid() -> None:
    """Every bad file above is MINI with one mistake, so MINI (and its additions) must be clean."""
    plan = parse_plan(MINI, "mini.yaml")
    assert [i.code for i in plan.items] == ["1.1.1", "1.1.2"]
    with_area = SECOND_AREA.replace('code: "1"', 'code: "2"').replace('"1.2', '"2.1')
    assert len(parse_plan(MINI + with_area, "mini.yaml").areas) == 2
    with_section = SECOND_SECTION.replace('"1.1"', '"1.2"').replace('"1.1.3"', '"1.2.1"')
    assert len(list(parse_plan(MINI + with_section, "mini.yaml").sections())) == 2


def test_the_corpus_is_large_enough() -> None:
    """Large, and wide: every kind of hostile input keeps a good number of cases."""
    ids = [p.id for p in CASES]
    assert len(ids) >= 140
    assert len(set(ids)) == len(ids)
    kinds = {
        "load-": 45,
        "update-": 30,
        "date-": 8,
        "db-": 12,
        "mail-": 12,
        "report-out-": 9,
        "void-": 8,
    }
    for prefix, least in kinds.items():
        n = sum(i.startswith(prefix) for i in ids)
        assert n >= least, f"{n} cases of {prefix}…"


# -- unbounded input, in a child process that can be stopped ---------------------------------------

UNBOUNDED_SECONDS = 5.0
UNBOUNDED = {
    # A 20 MB list of five million entries: libyaml composes every node before any check runs.
    "20-MB-list": "big.yaml",
    # An endless file: Path.read_bytes never returns.
    "dev-zero": "/dev/zero",
}


Outcome = tuple[int | None, str, float, bool]  # exit code (None: killed), stderr, seconds, db same


class _Children:
    """``kpi load`` of each file above, as users run it (no KPI_DEBUG), in the background."""

    def __init__(self, template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.procs: dict[str, tuple[subprocess.Popen[bytes], float, Path, str]] = {}
        self.results: dict[str, Outcome] = {}
        for key, target in UNBOUNDED.items():
            root = tmp_path_factory.mktemp(f"unbounded-{key}")
            (root / "db").mkdir()
            shutil.copyfile(template_db, root / "db" / "kpi.sqlite")
            if target == "big.yaml":
                (root / "big.yaml").write_bytes(b"- x\n" * 5_000_000)
            env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
            env.update(
                KPI_TODAY=MID_YEAR,
                KPI_LANG="zh",
                NO_COLOR="1",
                PYTHONPATH=str(REPO),
                LANG="C.UTF-8",
            )
            before = _dump(root / "db" / "kpi.sqlite")
            proc = subprocess.Popen(
                [sys.executable, "-m", "kpi", "load", target],
                cwd=root,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=_cap_memory,
            )
            self.procs[key] = (proc, time.monotonic(), root, before)

    def result(self, key: str) -> Outcome:
        if key not in self.results:
            proc, started, root, before = self.procs[key]
            killed = False
            try:
                _, err = proc.communicate(
                    timeout=max(0.1, started + UNBOUNDED_SECONDS - time.monotonic())
                )
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
                killed = True
            elapsed = time.monotonic() - started
            same = _dump(root / "db" / "kpi.sqlite") == before
            code = None if killed else proc.returncode
            self.results[key] = (code, err.decode("utf-8", "replace"), elapsed, same)
        return self.results[key]

    def stop(self) -> None:
        for proc, *_ in self.procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


def _cap_memory() -> None:
    """1 GiB of address space: an endless read fails fast instead of eating the machine."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.fixture(scope="module", autouse=True)
def unbounded_loads(
    template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_Children]:
    """Started with the module, so the children run while the corpus does; killed after 5 s."""
    children = _Children(template_db, tmp_path_factory)
    yield children
    children.stop()


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(
            "20-MB-list",
        ),
        pytest.param(
            "dev-zero",
        ),
    ],
)
def test_unbounded_input_is_refused_quickly(key: str, unbounded_loads: _Children) -> None:
    code, stderr, _elapsed, unchanged = unbounded_loads.result(key)
    assert code is not None, f"still running after {UNBOUNDED_SECONDS} s"
    assert code == 2, (code, stderr[-500:])
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), stderr[-500:]
    assert "内部错误" not in stderr
    assert unchanged


# -- fuzzing the targets-file parser ---------------------------------------------------------------

FUZZ_NAME = "fuzz.yaml"
_LOCATED = re.compile(r"fuzz\.yaml:(\d+):(\d+): \S")
_WHOLE_FILE = re.compile(r"fuzz\.yaml: \S")
_REFUSED = re.compile(r"fuzz\.yaml 有 (\d+) 处错误，未写入任何内容。 (.*)", re.DOTALL)
PLAN_TEXT = PLAN_FILE.read_text(encoding="utf-8")
PLAN_LINES = PLAN_TEXT.splitlines(keepends=True)

# Characters that once gave multi-line messages (control characters: libyaml's ReaderError; "!":
# tags whose ConstructorError was quoted whole; quotes, backslashes and block indicators: scalars
# holding line breaks, quoted raw). Some properties leave them out; test_parse_plan_on_any_text
# keeps them.
KNOWN_BAD = "!\"'\\|>\x85\u2028\u2029"
SAFE_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters=KNOWN_BAD
) | st.sampled_from(list("\t\n\r :-?[]{},#&*%@`.0123456789"))
ANY_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
    list("\t\n\r\x00\x07 :-?[]{},#&*!|>'\"%@`\\")
)


def check_plan(text: str) -> None:
    """parse_plan returns a Plan or raises PlanError; every line of it is one line that says where."""
    try:
        plan = parse_plan(text, FUZZ_NAME)
    except PlanError as exc:
        lines = [exc.message, *exc.details]
        for line in lines:
            assert "\n" not in line and "\r" not in line, repr(line[:300])
        refused = _REFUSED.fullmatch(exc.message)
        if refused:
            assert int(refused.group(1)) == len(lines), exc.message[:300]
            located = [refused.group(2), *exc.details]
        else:
            assert not exc.details
            located = [exc.message]
        n_lines = len(text.splitlines()) + 1
        for line in located:
            match = _LOCATED.match(line)
            if match:
                assert 1 <= int(match.group(1)) <= n_lines, line[:300]
                assert int(match.group(2)) >= 1, line[:300]
            else:
                assert _WHOLE_FILE.match(line), line[:300]
    else:
        assert isinstance(plan, Plan)


@st.composite
def line_mutations(draw: st.DrawFn, chars: st.SearchStrategy[str]) -> str:
    """The real targets file with one to three lines deleted, duplicated, swapped or typed into."""
    lines = list(PLAN_LINES)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert"]))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            at = draw(st.integers(0, len(lines[i])))
            typed = draw(st.text(chars, min_size=1, max_size=6))
            lines[i] = lines[i][:at] + typed + lines[i][at:]
    return "".join(lines)


PLAN_DATA = yaml.safe_load(PLAN_TEXT)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _paths(value, (*path, n))


PLAN_PATHS = [p for p in _paths(PLAN_DATA) if p]
_SAFE_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters=KNOWN_BAD),
    max_size=12,
)
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.dates()
    | _SAFE_TEXT
    | st.sampled_from(["2025-02-30", "1,120", "６４１.４２", "indicator", "task", "up", "down"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_SAFE_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _missing(container: dict[Any, Any] | list[Any], step: Any) -> bool:
    if isinstance(container, dict):
        return step not in container
    return not isinstance(step, int) or not 0 <= step < len(container)


@st.composite
def value_mutations(draw: st.DrawFn) -> str:
    """The real plan with one to three values replaced, keys dropped or keys added, dumped again."""
    data = copy.deepcopy(PLAN_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PLAN_PATHS))
        parent: Any = data
        last = path[-1]
        for step in path[:-1]:  # an earlier mutation may have changed the way
            if not isinstance(parent, dict | list) or _missing(parent, step):
                break
            parent = parent[step]
        if not isinstance(parent, dict | list) or _missing(parent, last):
            continue
        kind = draw(st.sampled_from(["replace", "delete", "add"]))
        if kind == "replace":
            parent[last] = draw(VALUES)
        elif kind == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(_SAFE_TEXT | st.sampled_from(["code", "kind", "rules", "target"]))] = draw(
                VALUES
            )
        else:
            parent.insert(last, copy.deepcopy(parent[last]))
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False)


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(SAFE_CHARS, max_size=200))
def test_parse_plan_on_arbitrary_text(text: str) -> None:
    check_plan(text)


@FAST
@given(line_mutations(SAFE_CHARS.filter(lambda c: c not in "\r\n")))
def test_parse_plan_on_line_mutations_of_the_real_file(text: str) -> None:
    check_plan(text)


@settings(FAST, max_examples=30)
@given(value_mutations())
def test_parse_plan_on_value_mutations_of_the_real_file(text: str) -> None:
    check_plan(text)


@settings(max_examples=60, deadline=None)
@given(st.text(ANY_CHARS, max_size=200) | line_mutations(ANY_CHARS))
@example("plan: \x07")
@example(edited("  title: 测试计划", "  title: !shout 测试计划"))
@example(edited("  year: 2025", '  year: "20\\n25"'))
def test_parse_plan_on_any_text(text: str) -> None:
    check_plan(text)


# -- fuzzing what people type ---------------------------------------------------------------------

UNITS = sorted({i.unit for i in parse_plan(PLAN_TEXT, "x").items if i.unit})
NUMBERISH = st.from_regex(r"\A[+=\-]?[0-9０-９,.eE+\-_٣]{0,10}[%％万]?\Z") | st.text(max_size=30)
DATEISH = (
    st.from_regex(r"\A[0-9０-９]{0,5}[-/.年]?[0-9]{0,3}[-/.月]?[0-9]{0,3}[日号]?\Z")
    | st.sampled_from(["今天", "昨天", "前天", "today", "Yesterday", " 今天 "])
    | st.text(max_size=30)
)


@settings(max_examples=300, deadline=None)
@given(NUMBERISH, st.none() | st.sampled_from(UNITS))
def test_parse_number_returns_a_finite_non_negative_number_or_refuses(
    text: str, unit: str | None
) -> None:
    try:
        number = parse_number(text, unit=unit)
    except InputError:
        return
    assert isinstance(number, float)
    assert math.isfinite(number) and number >= 0, (text, number)


@settings(max_examples=300, deadline=None)
@given(NUMBERISH)
def test_parse_percent_returns_a_share_or_refuses(text: str) -> None:
    try:
        share = parse_percent(text)
    except InputError:
        return
    assert math.isfinite(share) and 0 <= share <= 1, (text, share)


@settings(max_examples=300, deadline=None)
@given(
    DATEISH,
    st.dates(min_value=dt.date(1990, 1, 3), max_value=dt.date(2100, 12, 31)),
    st.none() | st.integers(1990, 2100),
)
def test_parse_date_returns_a_real_date_or_refuses(
    text: str, today: dt.date, default_year: int | None
) -> None:
    try:
        day = parse_date(text, today=today, default_year=default_year)
    except InputError:
        return
    assert type(day) is dt.date, (text, day)
