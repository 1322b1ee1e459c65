"""The targets-file validator: a good file parses; every mistake is refused with one exact line.

Each bad file is the small valid plan ``GOOD`` below with ONE mistake in it. The expected messages
are written out by hand from the Chinese catalogue (``kpi/messages.py``), never built with ``t()``,
so that a changed message, line or column fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kpi.core.plan import Plan
from kpi.core.plan_file import parse_plan
from kpi.errors import PlanError

# A minimal valid plan: one area, one section, one indicator and one task with two milestones.
# The line numbers in the comments on the right are what the expected messages below refer to.
GOOD = """\
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
              note: 暂定:与2024年实际持平
          - code: "1.1.2"
            kind: task
            title: 制定方案
            text: 制定行动方案。
            lead_office: 党政办
            deadline: 2025-06-30
            milestones:
              - code: "1.1.2-1"
                title: 征求意见稿
                date: 2025-03-31
                share: 0.5
              - code: "1.1.2-2"
                title: 印发
                date: 2025-05-31
                share: 1.0
"""
# Line map of GOOD (1-based):  2 id · 3 organisation · 4 year · 5 title · 7 start · 8 end · 9 offices · 14 section code ·
# 17 indicator code · 18 kind · 21 lead_office · 22 unit · 23 baseline · 24 value · 25 year ·
# 26 source · 27 target · 28 value · 29 basis · 30 note · 31 task code · 33 title · 35 lead_office ·
# 36 deadline · 38 milestones (first) · 40 date · 41 share · 42 second milestone · 44 date · 45 share

REFUSED_1 = "bad.yaml 有 1 处错误，未写入任何内容。 "
INDICATOR_KEYS = (
    "code, kind, title, text, lead_office, unit, target, other_offices, lead, deadline, assigned, "
    "checkpoints, direction, accumulate, negative, baseline"
)
TASK_KEYS = (
    "code, kind, title, text, lead_office, other_offices, lead, deadline, assigned, checkpoints, "
    "milestones"
)

Edit = tuple[str, str] | str  # (old, new) replaced once in GOOD, or a whole file's text


def bad_text(edit: Edit) -> str:
    """GOOD with one edit; the text to replace must occur exactly once, so the edit is exact."""
    if isinstance(edit, str):
        return edit
    old, new = edit
    assert GOOD.count(old) == 1, f"{old!r} must occur once in GOOD"
    return GOOD.replace(old, new)


def refusal(text: str) -> PlanError:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "bad.yaml")
    return caught.value


CASES = [
    # -- keys ---------------------------------------------------------------------------------
    pytest.param(
        ("            deadline: 2025-06-30", "            deadlin: 2025-06-30"),
        f"{REFUSED_1}bad.yaml:36:13: item (task) 中有未知字段“deadlin”，是否应为“deadline”；"
        f"可用字段：{TASK_KEYS}",
        id="unknown-key-with-hint",
    ),
    pytest.param(
        (
            "            lead_office: 党政办\n",
            "            备注: 无\n            lead_office: 党政办\n",
        ),
        f"{REFUSED_1}bad.yaml:35:13: item (task) 中有未知字段“备注”；可用字段：{TASK_KEYS}",
        id="unknown-key-without-hint",
    ),
    pytest.param(
        (
            "            title: 制定方案\n",
            "            title: 制定方案\n            title: 制定计划\n",
        ),
        f"{REFUSED_1}bad.yaml:34:13: item (task) 中字段“title”重复；请删去一个",
        id="duplicate-key",
    ),
    pytest.param(
        ("  source: 测试报告\n", ""),
        f"{REFUSED_1}bad.yaml:2:3: plan 缺少字段：source；请补上",
        id="missing-required-key",
    ),
    pytest.param(
        ("            unit: 家\n", ""),
        f"{REFUSED_1}bad.yaml:17:13: item (indicator) 缺少字段：unit；请补上",
        id="indicator-without-unit",
    ),
    pytest.param(
        ("              basis: assumed\n", ""),
        f"{REFUSED_1}bad.yaml:28:15: target 缺少字段：basis；请补上",
        id="target-without-basis",
    ),
    # -- codes --------------------------------------------------------------------------------
    pytest.param(
        ('code: "1.1.2"\n', 'code: "1.1.1"\n'),
        f"{REFUSED_1}bad.yaml:31:19: 编号“1.1.1”重复（首次出现在 bad.yaml:17:19）；编号必须唯一",
        id="duplicate-item-code",
    ),
    pytest.param(
        ('"1.1.2-2"', '"1.1.2-1"'),
        f"{REFUSED_1}bad.yaml:42:23: 编号“1.1.2-1”重复（首次出现在 bad.yaml:38:23）；编号必须唯一",
        id="duplicate-milestone-code",
    ),
    pytest.param(
        ('"1.1.1"', '"1.2.1"'),
        f"{REFUSED_1}bad.yaml:17:19: item.code“1.2.1”应以“1.1.”开头；请按所属板块或任务编号",
        id="item-code-outside-its-section",
    ),
    pytest.param(
        ('"1.1.2-2"', '"1.1.3-2"'),
        f"{REFUSED_1}bad.yaml:42:23: milestone.code“1.1.3-2”应以“1.1.2-”开头；请按所属板块或任务编号",
        id="milestone-code-outside-its-task",
    ),
    pytest.param(
        ('code: "1.1"\n', "code: 1.1\n"),
        f"{REFUSED_1}bad.yaml:14:15: section.code“1.1”不是合法编号；"
        '请用数字、字母和“.”“-”，并加引号，如 "3.1.2"',
        id="code-unquoted-reads-as-a-number",
    ),
    pytest.param(
        ('"1.1.1"', '"1.1/1"'),
        f"{REFUSED_1}bad.yaml:17:19: item.code“1.1/1”不是合法编号；"
        '请用数字、字母和“.”“-”，并加引号，如 "3.1.2"',
        id="code-with-invalid-character",
    ),
    # -- values -------------------------------------------------------------------------------
    pytest.param(
        ("value: 234\n              year", "value: 1,120\n              year"),
        f"{REFUSED_1}bad.yaml:24:22: baseline.value 应为数字，不是“1,120”；不要带单位或千分位逗号",
        id="text-where-a-number-is-expected",
    ),
    pytest.param(
        ("value: 234\n              basis", "value: .nan\n              basis"),
        f"{REFUSED_1}bad.yaml:28:22: target.value 不是有限数字（“.nan”）；请填写实际数值",
        id="nan-value",
    ),
    pytest.param(
        ("value: 234\n              basis", "value: .inf\n              basis"),
        f"{REFUSED_1}bad.yaml:28:22: target.value 不是有限数字（“.inf”）；请填写实际数值",
        id="inf-value",
    ),
    pytest.param(
        ("value: 234\n              year", "value: -5\n              year"),
        f"{REFUSED_1}bad.yaml:24:22: baseline.value 不能小于 0（现为 -5）",
        id="negative-value",
    ),
    pytest.param(
        ("  year: 2025\n", "  year: 2025年\n"),
        f"{REFUSED_1}bad.yaml:4:9: plan.year 应为不小于 1990 的整数，不是“2025年”",
        id="year-not-an-integer",
    ),
    pytest.param(
        ("title: 制定方案", "title: 2025"),
        f"{REFUSED_1}bad.yaml:33:20: item.title 应为文字，不是“2025”；如需数字样式的文字请加引号",
        id="number-where-text-is-expected",
    ),
    pytest.param(
        ("source: 全年招引企业234家", 'source: ""'),
        f"{REFUSED_1}bad.yaml:26:23: baseline.source 不能为空；请填写内容",
        id="empty-source",
    ),
    pytest.param(
        (
            "              source: 全年招引企业234家\n",
            "              source: 全年招引企业234家\n              completion: 0\n",
        ),
        f"{REFUSED_1}bad.yaml:27:27: baseline.completion 应为比例（117% 写作 1.17），不是 0",
        id="completion-zero",
    ),
    pytest.param(
        ("kind: indicator", "kind: indicater"),
        f"{REFUSED_1}bad.yaml:18:19: item.kind 不能是“indicater”；可选：indicator | task",
        id="unknown-kind",
    ),
    # -- dates --------------------------------------------------------------------------------
    pytest.param(
        ("date: 2025-03-31", "date: 2025-02-30"),
        f"{REFUSED_1}bad.yaml:40:23: milestone.date 的日期 2025-02-30 不存在；请改为真实日期（YYYY-MM-DD）",
        id="impossible-date",
    ),
    pytest.param(
        ("deadline: 2025-06-30", "deadline: 2026-06-30"),
        f"{REFUSED_1}bad.yaml:36:23: item.deadline 2026-06-30 不在计划期 2025-01-01 至 2025-12-31 内；请改日期",
        id="date-outside-the-plan-period",
    ),
    pytest.param(
        ("end: 2025-12-31", "end: 2024-12-31"),
        f"{REFUSED_1}bad.yaml:8:8: plan.end 2024-12-31 早于 plan.start 2025-01-01；请检查计划期",
        id="end-before-start",
    ),
    pytest.param(
        ("date: 2025-05-31", "date: 2025-07-31"),
        f"{REFUSED_1}bad.yaml:44:23: 日期 2025-07-31 晚于完成时限 2025-06-30；请调整",
        id="milestone-after-deadline",
    ),
    pytest.param(
        ("year: 2024", "year: 2025"),
        f"{REFUSED_1}bad.yaml:25:21: baseline.year 2025 应早于计划年度 2025",
        id="baseline-year-not-before-plan-year",
    ),
    # -- targets ------------------------------------------------------------------------------
    pytest.param(
        ("basis: assumed", "basis: stated"),
        f"{REFUSED_1}bad.yaml:28:15: basis: stated 的目标须有 source（报告原文）；报告未写明的请用 basis: assumed",
        id="stated-target-without-source",
    ),
    pytest.param(
        ("              note: 暂定:与2024年实际持平\n", ""),
        f"{REFUSED_1}bad.yaml:28:15: basis: assumed 的目标须有 note，说明如何确定（如“暂定：与2024年实际持平”）",
        id="assumed-target-without-note",
    ),
    pytest.param(
        (
            "            unit: 家\n",
            "            unit: 家\n            direction: down\n            accumulate: level\n",
        ),
        f"{REFUSED_1}bad.yaml:30:15: 1.1.1 为越低越好（direction: down），目标值应低于基数",
        id="down-target-not-below-baseline",
    ),
    pytest.param(
        (
            "            unit: 家\n",
            "            unit: 家\n            direction: down\n            accumulate: sum\n",
        ),
        f"{REFUSED_1}bad.yaml:23:24: 1.1.1 为越低越好（direction: down），须写 accumulate: level（填报当前水平，而非累加）",
        id="down-needs-a-level",
    ),
    # -- offices ------------------------------------------------------------------------------
    pytest.param(
        ("lead_office: 经济发展办", "lead_office: 经济发展"),
        f"{REFUSED_1}bad.yaml:21:26: 牵头单位“经济发展”不在 offices 列表中，是否应为“经济发展办”；请改名或加入 offices",
        id="unknown-lead-office-with-hint",
    ),
    pytest.param(
        ("lead_office: 党政办\n", "lead_office: 党政办\n            other_offices: [经济发展]\n"),
        f"{REFUSED_1}bad.yaml:36:29: item.other_offices 不能是“经济发展”；可选：党政办 | 经济发展办",
        id="unknown-other-office",
    ),
    # -- milestones and rules -----------------------------------------------------------------
    pytest.param(
        ("date: 2025-05-31", "date: 2025-03-15"),
        f"{REFUSED_1}bad.yaml:42:17: milestones 须按日期先后排列，share 逐项增加",
        id="milestone-dates-out-of-order",
    ),
    pytest.param(
        ("share: 1.0", "share: 1.5"),
        f"{REFUSED_1}bad.yaml:45:24: milestone.share 应为 0 到 1 之间的比例（如 0.5 表示一半），不是 1.5",
        id="milestone-share-above-one",
    ),
    pytest.param(
        ("share: 0.5", "share: 0"),
        f"{REFUSED_1}bad.yaml:41:24: milestone.share 应为 0 到 1 之间的比例（如 0.5 表示一半），不是 0",
        id="milestone-share-zero",
    ),
    pytest.param(
        ("                share: 0.5\n", ""),
        f"{REFUSED_1}bad.yaml:38:15: milestones 的 share 要么都写，要么都不写",
        id="some-milestone-shares-missing",
    ),
    pytest.param(
        ("  end: 2025-12-31\n", "  end: 2025-12-31\n  rules:\n    yellow: 40\n    red: 30\n"),
        f"{REFUSED_1}bad.yaml:10:5: rules 的阈值应满足 0 ≤ yellow（40） < red（30） ≤ 100",
        id="rules-thresholds-reversed",
    ),
    # -- the file as a whole ------------------------------------------------------------------
    pytest.param(
        ("            title: 制定方案", "\t    title: 制定方案"),
        "bad.yaml:33:1: YAML 不能用 Tab 缩进；请改用空格",
        id="tab-in-indentation",
    ),
    pytest.param(
        GOOD.replace("  ", "\t"),
        "bad.yaml:2:1: YAML 不能用 Tab 缩进；请改用空格",
        id="tab-indented-file",
    ),
    pytest.param(
        ("title: 测试计划", "title: 测试: 计划"),
        "bad.yaml:5:12: YAML 语法错误（mapping values are not allowed in this context）；"
        "请检查这一行的缩进、冒号和引号",
        id="yaml-syntax-error",
        marks=pytest.mark.skipif(
            not yaml.__with_libyaml__, reason="the problem text is libyaml's wording"
        ),
    ),
    pytest.param(
        "",
        "bad.yaml: 文件为空；请写入 plan、offices、areas 三部分（见 docs/plan-format.md）",
        id="empty-file",
    ),
    pytest.param(
        "# 只有注释\n\n",
        "bad.yaml: 文件为空；请写入 plan、offices、areas 三部分（见 docs/plan-format.md）",
        id="comments-only-file",
    ),
    pytest.param(
        "- plan\n- offices\n- areas\n",
        f"{REFUSED_1}bad.yaml:1:1: 文件 应为“键: 值”的映射；请检查缩进",
        id="list-instead-of-mapping",
    ),
]


def test_the_real_plan_parses(plan: Plan) -> None:
    assert plan.year == 2025
    assert len(plan.areas) == 6
    assert len(list(plan.sections())) == 20
    assert len(plan.items) >= 60


def test_the_small_fixture_is_valid() -> None:
    """Every bad file below is this one with one mistake, so this one must be clean."""
    plan = parse_plan(GOOD, "good.yaml")
    assert [a.code for a in plan.areas] == ["1"]
    assert [s.item_codes for s in plan.sections()] == [("1.1.1", "1.1.2")]
    indicator, task = plan.items
    assert (indicator.kind, indicator.unit, indicator.baseline.value) == ("indicator", "家", 234)
    assert [(m.code, m.share) for m in task.milestones] == [("1.1.2-1", 0.5), ("1.1.2-2", 1.0)]


@pytest.mark.parametrize(("edit", "expected"), CASES)
def test_one_mistake_gives_one_exact_line(edit: Edit, expected: str) -> None:
    error = refusal(bad_text(edit))
    assert error.message == expected
    assert error.details == []
    assert "\n" not in error.message


def test_misspelt_required_key_gets_a_hint_and_is_reported_missing() -> None:
    error = refusal(bad_text(("unit: 家", "unti: 家")))
    assert error.message == (
        "bad.yaml 有 2 处错误，未写入任何内容。 bad.yaml:22:13: item (indicator) 中有未知字段“unti”，"
        f"是否应为“unit”；可用字段：{INDICATOR_KEYS}"
    )
    assert error.details == ["bad.yaml:17:13: item (indicator) 缺少字段：unit；请补上"]


def test_unclosed_quote_is_reported_where_it_opens() -> None:
    error = refusal(bad_text(("title: 测试计划", "title: '测试计划")))
    assert re.fullmatch(
        r"bad\.yaml:5:10: YAML 语法错误（.+）；请检查这一行的缩进、冒号和引号", error.message
    )


def test_unclosed_quote_is_refused_as_a_syntax_error() -> None:
    """Whatever line it names, an unclosed quote is one YAML syntax error, not a crash."""
    error = refusal(bad_text(("title: 测试计划", "title: '测试计划")))
    assert re.fullmatch(
        r"bad\.yaml:\d+:\d+: YAML 语法错误（.+）；请检查这一行的缩进、冒号和引号", error.message
    )
    assert error.details == []


def test_fullwidth_colon_is_reported_on_its_own_line() -> None:
    error = refusal(bad_text(("unit: 家", "unit： 家")))
    assert error.message.startswith("bad.yaml:22:")
    assert "全角" in error.message or "“：”" in error.message


def test_missing_kind_is_one_mistake() -> None:
    error = refusal(bad_text(("            kind: indicator\n", "")))
    assert error.message.startswith(REFUSED_1 + "bad.yaml:17:13: ")
    assert "缺少字段：kind" in error.message
    assert error.details == []


def test_plan_year_must_match_the_period() -> None:
    with pytest.raises(PlanError, match=r"bad\.yaml:\d+:\d+: "):
        parse_plan(bad_text(("  year: 2025\n", "  year: 2026\n")), "bad.yaml")


def test_several_mistakes_are_all_reported_and_nothing_is_returned() -> None:
    text = bad_text(("title: 测试计划", 'title: ""'))
    for old, new in (
        ("lead_office: 经济发展办", "lead_office: 经济发展"),
        ("value: 234\n              year", "value: 1,120\n              year"),
        ("share: 1.0", "share: 1.5"),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    result = None
    with pytest.raises(PlanError) as caught:
        result = parse_plan(text, "bad.yaml")
    assert result is None
    error = caught.value
    assert error.message == (
        "bad.yaml 有 4 处错误，未写入任何内容。 bad.yaml:5:10: plan.title 不能为空；请填写内容"
    )
    assert error.details == [
        "bad.yaml:21:26: 牵头单位“经济发展”不在 offices 列表中，是否应为“经济发展办”；请改名或加入 offices",
        "bad.yaml:24:22: baseline.value 应为数字，不是“1,120”；不要带单位或千分位逗号",
        "bad.yaml:45:24: milestone.share 应为 0 到 1 之间的比例（如 0.5 表示一半），不是 1.5",
    ]


# -- the command line ---------------------------------------------------------------------------


def _files() -> dict[str, bytes]:
    """Everything in the working folder, to show that a refused load wrote nothing."""
    return {str(p): p.read_bytes() for p in sorted(Path(".").rglob("*")) if p.is_file()}


def test_load_refuses_a_bad_file_in_one_line_and_writes_nothing(run, plan: Plan) -> None:
    Path("bad.yaml").write_text(
        bad_text(("lead_office: 经济发展办", "lead_office: 经济发展")), encoding="utf-8"
    )
    before = _files()
    result = run("load", "bad.yaml")
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "错误：bad.yaml 有 1 处错误，未写入任何内容。 bad.yaml:21:26: 牵头单位“经济发展”不在 offices "
        "列表中，是否应为“经济发展办”；请改名或加入 offices"
    ]
    assert "Traceback" not in result.stdout + result.stderr
    assert _files() == before

    # The database is untouched: the good default file would still add everything.
    dry = run("load", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    counts = re.search(r"将新增 (\d+)，修改 (\d+)，退役 (\d+)，未变 (\d+)。", dry.stdout)
    assert counts, dry.stdout
    everything = (
        len(plan.areas)
        + len(list(plan.sections()))
        + len(plan.items)
        + sum(len(i.milestones) for i in plan.items)
    )
    assert tuple(int(n) for n in counts.groups()) == (everything, 0, 0, 0)


def test_load_lists_every_mistake_under_the_error_line(run) -> None:
    text = bad_text(("lead_office: 经济发展办", "lead_office: 经济发展"))
    Path("bad.yaml").write_text(text.replace("share: 1.0", "share: 1.5"), encoding="utf-8")
    result = run("load", "bad.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "错误：bad.yaml 有 2 处错误，未写入任何内容。 bad.yaml:21:26: 牵头单位“经济发展”不在 offices "
        "列表中，是否应为“经济发展办”；请改名或加入 offices",
        "  bad.yaml:45:24: milestone.share 应为 0 到 1 之间的比例（如 0.5 表示一半），不是 1.5",
    ]


def test_load_refuses_a_gbk_encoded_plan(run) -> None:
    text = Path("targets/2025.yaml").read_text(encoding="utf-8")
    Path("gbk.yaml").write_bytes(text.encode("gbk"))
    before = _files()
    result = run("load", "gbk.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "错误：gbk.yaml: 文件是 GBK 编码；请用 UTF-8 另存（如 iconv -f GBK -t UTF-8）"
    ]
    assert "Traceback" not in result.stderr
    assert _files() == before
