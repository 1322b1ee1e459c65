"""At the desk: the status table at 80 and 120 columns, `kpi` alone, click's errors and the help in
the chosen language, the words `--light` and `--office` take, Tab completion, the user's own
setting of the database, questions, and progress bars."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from kpi.cli import app
from kpi.core.plan_file import parse_plan
from kpi.core.text import width
from kpi.env import Env, account_name
from kpi.formats.words import num, title_with_unit
from tests.conftest import MID_YEAR, PLAN_FILE, Prepare, Run, sqlite_only

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


def _build(run: Run) -> None:
    assert run("load").exit_code == 0
    for args in RECORDS:
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)


@pytest.fixture(autouse=True)
def _recorded(prepare: Prepare) -> None:
    prepare("desk", _build)


# -- the status table ---------------------------------------------------------------------------

ITEM_ROW = re.compile(r"^(\d+\.\d+\.\d+)\s")
# What may never be split across lines: a run of letters or digits with the character after it
# (3.0版, B站, 12345热线), and a parenthesised unit.
WHOLE = re.compile(r"[(（][^()（）]{1,12}[)）]|[0-9A-Za-z][0-9A-Za-z.]*[^\x00-\x7f(（]?")


def item_rows(lines: list[str]) -> dict[str, list[str]]:
    """Each item's lines: the one starting with its code and the indented ones under it."""
    rows: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if m := ITEM_ROW.match(line):
            current = m.group(1)
            rows[current] = [line]
        elif current and line.startswith(" ") and line.strip():
            rows[current].append(line)
        else:
            current = None
    return rows


def check_table(out: str, columns: int, records: dict[str, dict]) -> dict[str, list[str]]:
    """The properties every status table holds, row by row; returns the rows."""
    lines = out.splitlines()
    assert "\x1b[" not in out
    for line in lines:
        assert width(line) <= columns, line
        assert line == line.rstrip(), f"trailing spaces: {line!r}"
    rows = item_rows(lines)
    assert set(rows) == set(records)
    for code, row in rows.items():
        r = records[code]
        assert len(row) <= 2, row
        item = PLAN.item(code)
        wholes = [
            *WHOLE.findall(title_with_unit(item)),
            item.lead_office,
            num(r["baseline"]["value"]) if r["baseline"]["value"] is not None else "",
            num(r["actual"]) if item.is_indicator and r["actual"] is not None else "",
        ]
        for text in filter(None, wholes):
            assert any(text in line for line in row), (code, text, row)
        # The title in full: the first piece of the title column in each line, run together.
        start = len(row[0]) - len(row[0][len(code) :].lstrip())
        pieces = [re.split(r"\s{2,}", line[start:].strip())[0] for line in row]
        assert "".join(pieces).startswith(title_with_unit(item)), (code, row)
    return rows


def _records(run: Run) -> dict[str, dict]:
    return {r["code"]: r for r in json.loads(run("status", "-f", "json").stdout)}


def test_at_80_columns_every_item_takes_at_most_two_lines_and_nothing_is_split(run: Run) -> None:
    out = run("status").stdout
    rows = check_table(out, 80, _records(run))
    assert len(rows) == len(PLAN.items) == 105
    # The longest title, with its unit and its office, in two lines; 3.0版 whole.
    assert re.match(r"5\.3\.5 +人人议事厅", rows["5.3.5"][0])
    assert any("(个)" in line and "社区自治办" in line for line in rows["5.3.5"])
    assert any("3.0版" in line for line in rows["4.1.4"])


def test_at_80_columns_exactly(run: Run) -> None:
    lines = run("status", "--area", "1").stdout.splitlines()
    assert lines[:18] == [
        "新江湾城街道2025年主要工作安排 · 截至 2025-07-02 · 时间进度 50.1%",
        "1 加快培育新质生产力,塑造高质量发展新优势",
        "编号   任务/指标                       基数  目标 完成值 完成率 序时差 状态",
        "─" * 80,
        "1.1    全区域构建产业发展格局  绿2 无数据5",
        "1.1.1  湾谷尚浦“一北一南”营商服务                             —      — 无数据 待",
        "       营商办",
        "1.1.2  重点企业“服务包”(家)  营商办      10   10*             —      — 无数据 待",
        "1.1.3  杨“数”浦新质秀带创新区                                 —      — 无数据 待",
        "       经济发展办",
        "1.1.4  绘制产业链图谱  经济发展办                             —      — 无数据 待",
        "1.1.5  招引企业(家)                     234  234*    115  49.1%   −1.0 绿",
        "       经济发展办                                  差119",
        "1.1.6  壮大“腰部”企业  经济发展办                             —      — 无数据 待",
        "1.1.7  区级税收贡献(亿元)              7.75 7.75*    3.6  46.5%   −3.7 绿",
        "       经济发展办                                 差4.15",
        "1.2    全过程促进产学研用融合  无数据2",
        "1.2.1  构建产学研用创新联合体                                 —      — 无数据 待",
    ]
    assert lines[-4:] == [
        "完成率＝完成值÷目标；序时差＝完成率−序时进度（百分点）；",
        "* 暂定目标（报告未写明）；绿＝达进度（落后不超过10点）；黄＝欠进度；",
        "红＝落后超过30点；逾期＝节点或时限已过未完成；监测＝只记录、不评灯；",
        "待＝待更新（14天未填报）。",
    ]


def test_at_120_columns_the_latest_note_has_a_column(run: Run) -> None:
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("COLUMNS", "120")
    try:
        out = run("status").stdout
    finally:
        monkeypatch.undo()
    rows = check_table(out, 120, _records(run))
    header = next(line for line in out.splitlines() if line.startswith("编号"))
    assert header.endswith("最新进展")
    assert any("助餐助洁已开展" in line for line in rows["3.1.3"])
    # A long note takes two lines, cut after a whole word with …, its unit never split.
    note = rows["5.2.7"]
    assert len(note) == 2 and "商务楼宇12个" in note[0]
    assert "（人 / 次）" in note[1] or note[1].endswith("…")
    assert all("3.0版" in line or "3.0" not in line for line in rows["4.1.4"])
    assert rows["1.1.5"] == [
        "1.1.5   招引企业(家)                              234  234*    115  49.1%   −1.0 绿"
        "         二季度签约，含耐克、B站两家",
        "        经济发展办                                           差119"
        "                          链主企业的上下游配套企业",
    ]
    assert rows["3.2.3"][0].endswith("−13.5 黄     待  场次偏少，下半年补足")


def test_columns_empty_for_every_row_shown_are_left_out(run: Run) -> None:
    out = run("status", "--light", "无数据").stdout
    header = next(line for line in out.splitlines() if line.startswith("编号"))
    assert "完成值" not in header and "完成率" not in header and "序时差" not in header
    assert "基数" in header and "目标" in header


def test_stale_is_a_dim_mark_of_its_own_explained_in_the_legend(run: Run) -> None:
    from kpi.cli.tables import status_lines
    from kpi.core.status import plan_status

    out = run("status").stdout
    assert "待＝待更新（14天未填报）" in out
    row = item_rows(out.splitlines())["1.1.4"]
    assert row[0].endswith("无数据 待")
    # In colour: the light in its colour, the mark dim, never yellow.
    ps = plan_status(PLAN, [], PLAN.start.replace(month=7, day=2))
    coloured = "\n".join(status_lines(ps, ps.items, width=80, color=True))
    assert "\x1b[2m待\x1b[0m" in coloured
    assert "\x1b[33m待" not in coloured and "\x1b[1;33m待" not in coloured


def test_sort_gap_puts_the_worst_first_and_the_monitored_apart(run: Run) -> None:
    records = json.loads(run("status", "--sort", "gap", "-f", "json").stdout)
    order = ["red", "yellow", "none", "green", "done"]
    judged = [r for r in records if r["status"] != "monitor"]
    ranks = [order.index(r["status"]) for r in judged]
    assert ranks == sorted(ranks)
    assert all(r["status"] == "monitor" for r in records[len(judged) :])
    out = run("status", "--sort", "gap").stdout
    lines = out.splitlines()
    apart = lines.index("监测指标（只记录、不评灯，不算落后）")
    rows = list(item_rows(lines[apart:]))
    assert rows and all(PLAN.item(c).monitored for c in rows)
    codes = list(item_rows(lines[:apart]))
    assert codes == [r["code"] for r in judged]


def test_monitored_figures_are_never_shown_behind(run: Run) -> None:
    row = item_rows(run("status").stdout.splitlines())["3.2.5"]
    assert "监测" in row[0] and "红" not in row[0] and "黄" not in row[0]
    assert json.loads(run("status", "-l", "监测", "-f", "json").stdout)[0]["status"] == "monitor"


def test_a_pipe_gets_no_colour_and_no_padding_and_no_color_is_honoured() -> None:
    from rich.console import Console

    from kpi.cli.tables import status_lines
    from kpi.core.status import plan_status

    ps = plan_status(PLAN, [], PLAN.start.replace(month=7, day=2))
    plain = status_lines(ps, ps.items, width=80, color=False)
    assert all("\x1b" not in x and x == x.rstrip() for x in plain)
    env = {"NO_COLOR": "1", "TERM": "xterm-256color"}
    console = Console(force_terminal=True, _environ=env)
    assert console.no_color  # what `kpi status` asks before it colours


# -- `kpi` alone ---------------------------------------------------------------------------------


def test_kpi_alone_shows_a_one_screen_summary(run: Run) -> None:
    result = run()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) <= 24 and all(width(x) <= 80 for x in lines)
    assert lines[0] == "新江湾城街道2025年主要工作安排 · 截至 2025-07-02 · 时间进度 50.1%"
    assert lines[1].startswith("共 105 项：完成 0  绿 ")
    assert "监测 7" in lines[1]
    assert any(x.startswith("最需关注（6 项，红黄灯共 ") for x in lines)
    assert any(x.startswith("待更新 ") and "最多的单位：" in x for x in lines)
    assert "kpi --help" in result.stdout
    assert run("--help").stdout.startswith("用法：kpi [选项] 命令 [参数]...")


# -- click's errors, in one line of the chosen language -----------------------------------------


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (
            ("update", "1.1.5"),
            "错误：缺少参数 VALUE；用法：kpi update ITEM VALUE",
            "Error: missing argument VALUE; usage: kpi update ITEM VALUE",
        ),
        (
            ("statsu",),
            "错误：没有命令“statsu”（是否要用 status？）；用 kpi --help 查看全部命令",
            "Error: no command “statsu” (did you mean status?); kpi --help lists the commands",
        ),
        (
            ("status", "--stal"),
            "错误：没有选项 --stal（是否要用 --sort、--stale？）；用 kpi status --help 查看全部选项",
            "Error: no option --stal (did you mean --sort, --stale?); "
            "kpi status --help lists the options",
        ),
        (
            ("status", "--format", "xml"),
            "错误：--format 不能是“xml”；可选：table、json、csv、md",
            "Error: --format cannot be “xml”; choose from: table, json, csv, md",
        ),
        (
            ("status", "--light", "紫"),
            "错误：没有状态“紫”；可选：完成 绿 黄 红 无数据 监测 逾期 超额",
            "Error: no light “紫”; choose from: done green yellow red no-data monitored "
            "overdue over",
        ),
        (
            ("void", "abc", "--reason", "x"),
            "错误：ID 应为整数，不是“abc”；用法：kpi void ID",
            "Error: ID should be a whole number, not “abc”; usage: kpi void ID",
        ),
        (
            ("void", "1"),
            "错误：缺少选项 --reason；用法：kpi void ID",
            "Error: missing option --reason; usage: kpi void ID",
        ),
        (
            ("show", "1.1.5", "extra"),
            "错误：多出了参数：extra；用法：kpi show ITEM",
            "Error: unexpected extra arguments: extra; usage: kpi show ITEM",
        ),
        (
            ("db", "chek"),
            "错误：没有命令“chek”（是否要用 check？）；用 kpi db --help 查看全部命令",
            "Error: no command “chek” (did you mean check?); kpi db --help lists the commands",
        ),
        (
            ("status", "--as-of"),
            "错误：选项 --as-of 后面要写一个值",
            "Error: option --as-of needs a value",
        ),
    ],
)
def test_usage_errors_are_one_line_in_the_chosen_language(
    run: Run, args: tuple[str, ...], zh: str, en: str
) -> None:
    for lang, expected in (("zh", zh), ("en", en)):
        result = run("--lang", lang, *args)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr == expected + "\n"


def _at_a_terminal(*args: str, input: str) -> Result:
    """The command as a person at a terminal runs it (questions may be asked)."""
    env = Env(
        variables=dict(os.environ),
        today=dt.date.fromisoformat(MID_YEAR),
        user=account_name(),  # whose records kpi undo voids
        interactive=True,
        cwd=Path.cwd(),
    )
    return CliRunner(mix_stderr=False).invoke(app, list(args), input=input, obj=env)


def test_ctrl_c_at_a_question_is_one_line_and_exit_130(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    def interrupted(*args: object, **kwargs: object) -> str:
        raise click.exceptions.Abort  # what click.prompt raises on Ctrl-C

    monkeypatch.setattr(click, "prompt", interrupted)
    result = _at_a_terminal("undo", input="")
    assert result.exit_code == 130
    assert result.stderr == "错误：已中断，未写入。\n"


def test_a_question_takes_shi_and_fou(run: Run) -> None:
    from kpi.cli.ask import answer

    assert answer("是") is answer("y") is answer("Yes") is answer("好") is True
    assert answer("否") is answer("n") is answer("不") is False
    assert answer("也许") is None
    assert _at_a_terminal("undo", input="").exit_code == 1  # the default: no
    no = _at_a_terminal("undo", input="否\n")
    assert no.exit_code == 1 and "[是/否，默认否]" in no.stdout
    again = _at_a_terminal("undo", input="也许\n是\n")
    assert again.exit_code == 0, again.output
    assert "请回答 是 或 否" in again.stdout and "已作废" in again.stdout


def test_version(run: Run) -> None:
    from kpi import __version__

    assert run("--version").stdout == f"kpi {__version__}\n"


# -- the words --light and --office take ---------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("红", "red"), ("red", "red"), ("黄", "yellow"), ("Yellow", "yellow"), ("绿", "green"),
        ("green", "green"), ("完成", "done"), ("无数据", "none"), ("no-data", "none"),
        ("none", "none"), ("监测", "monitor"), ("monitored", "monitor"), ("绿 达进度", "green"),
    ],
)  # fmt: skip
def test_light_takes_the_words_the_tool_prints(run: Run, word: str, status: str) -> None:
    result = run("status", "--light", word, "-f", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {r["status"] for r in records} <= {status}


def test_light_overdue_and_exceeded(run: Run) -> None:
    overdue = json.loads(run("status", "-l", "逾期", "-f", "json").stdout)
    assert overdue and all(r["overdue"] for r in overdue)
    run("update", "3.2.2", "30", "--note", "超额")
    over = json.loads(run("status", "-l", "超额", "-f", "json").stdout)
    assert [r["code"] for r in over] == ["3.2.2"]


def test_office_by_a_unique_fragment(run: Run) -> None:
    records = json.loads(run("status", "--office", "平安", "-f", "json").stdout)
    assert records and {r["lead_office"] for r in records} == {"社区平安办"}
    result = run("status", "--office", "社区")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：“社区”对应多个单位：")


# -- help in both languages, every command ------------------------------------------------------

_WALK = r"""
import json, os, sys
from typer.main import get_command
from typer.testing import CliRunner
from kpi.locale import set_language

set_language(os.environ["KPI_LANG"])  # before the commands are defined: their help is in it
from kpi.cli import app

paths = []
def walk(cmd, path):
    paths.append(path)
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        walk(sub, [*path, name])
walk(get_command(app), [])
runner = CliRunner(mix_stderr=False)
out = {}
for path in paths:
    shown = runner.invoke(app, [*path, "--help"])
    bad = runner.invoke(app, [*path, "--no-such-option"])
    out[" ".join(["kpi", *path])] = [shown.exit_code, shown.stdout, bad.exit_code, bad.stderr]
print(json.dumps(out))
"""


def _help_of_every_command(lang: str) -> dict[str, list]:
    env = {**os.environ, "KPI_LANG": lang, "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-c", _WALK], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_has_whole_help_in_80_columns_ending_with_examples(lang: str) -> None:
    from kpi.locale import CATALOGUES

    words = CATALOGUES[lang]
    helps = _help_of_every_command(lang)
    assert len(helps) >= 20
    for path, (code, shown, bad_code, bad) in helps.items():
        assert code == 0, path
        lines = shown.splitlines()
        assert all(width(x) <= 80 for x in lines), (path, max(lines, key=width))
        assert lines[0].startswith(words["help.label_usage"] + path), path
        # It ends with examples, each a real kpi command line.
        heading = words["examples.status"].splitlines()[0]
        tail = lines[lines.index("  " + heading) + 1 :]
        assert tail and all(x.startswith("    kpi") or x.startswith("      ") for x in tail), path
        # An unknown option: one line, exit 2 (kpi update takes what follows as its values,
        # a negative number among them).
        assert bad_code == 2 and bad.count("\n") == 1, (path, bad)
        key = "usage.missing_argument" if path == "kpi update" else "usage.no_such_option"
        assert bad.startswith(words["cli.error_prefix"] + words[key].split("{")[0]), (path, bad)
        if lang == "zh":
            for english in ("Usage", "Options", "Arguments", "Commands", "Show this message"):
                assert english not in shown, (path, english)
    # Every word of every command's help, also in the list of its group: nothing cut.
    everything = _flat(" ".join(h[1] for h in helps.values()))
    for key in ("help.status", "help.plans", "help.light_words", "help.db_where", "help.weekly"):
        assert _flat(words[key]) in everything, key
    assert _flat(words["help.plans"]) in _flat(helps["kpi"][1])


# -- Tab completion -------------------------------------------------------------------------------


def _complete(words: str, shell: str = "bash", **env: str) -> list[str]:
    script = Path(sys.executable).with_name("kpi")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kpi"]
    variables = {**os.environ, "_KPI_COMPLETE": f"complete_{shell}", "KPI_TODAY": MID_YEAR, **env}
    if shell == "bash":
        parts = words.split(" ")
        variables |= {"COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)}
    else:
        variables["_TYPER_COMPLETE_ARGS"] = words
    done = subprocess.run(
        command, env=variables, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_titles_complete_to_codes() -> None:
    assert _complete("kpi update 招引") == ["1.1.5"]
    several = _complete("kpi update 招商")
    assert "1.3.2 校友招商等组合式招商" in several and "1.3.3 建立重点企业招商名录库" in several
    assert _complete("kpi show 3.1.1-") == [
        "3.1.1-1 完成设计和功能布局",
        "3.1.1-2 完成装修和系统联调试运行",
        "3.1.1-3 新中心对外试运行",
        "3.1.1-4 新中心正式启用",
    ] or all(x.startswith("3.1.1-") for x in _complete("kpi show 3.1.1-"))
    assert _complete("kpi done 3.1.6-2") == ["3.1.6-2"]


def test_zsh_and_fish_show_titles_beside_codes() -> None:
    zsh = "\n".join(_complete("kpi update 招引", "zsh"))
    assert "1.1.5" in zsh and "招引企业" in zsh
    fish = _complete("kpi show 1.1.5", "fish", _TYPER_COMPLETE_FISH_ACTION="get-args")
    assert fish == ["1.1.5\t招引企业"]


def test_option_values_complete() -> None:
    offices = _complete("kpi status --office 平安")
    assert offices == ["社区平安办"]
    assert len(_complete("kpi status --office 社区")) > 1
    areas = "\n".join(_complete("kpi status --area ", "zsh"))
    assert all(f'"{n}"' in areas for n in "123456") and "加快培育新质生产力" in areas
    assert _complete("kpi --plan x") == ["xjw-2025"]
    assert _complete("kpi status --light 无") == ["无数据"]
    assert set(_complete("kpi status --light ")) >= {"红", "黄", "绿", "完成", "无数据", "监测"}


def test_completion_reads_the_users_setting_and_never_makes_a_database(tmp_path: Path) -> None:
    settings = tmp_path / "home" / ".config" / "kpi"
    settings.mkdir(parents=True)
    shared = tmp_path / "db" / "kpi.sqlite"  # the database the fixture made
    (settings / "config.toml").write_text(f'db = "{shared}"\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": ""}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("kpi"))],
        env={
            **os.environ,
            **env,
            "_KPI_COMPLETE": "complete_bash",
            "COMP_WORDS": "kpi show 招引",
            "COMP_CWORD": "2",
        },
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.stdout.split() == ["1.1.5"]
    assert not (elsewhere / "db").exists()


# -- the database the user set ------------------------------------------------------------------


def _settings(folder: Path, text: str) -> Path:
    path = folder / "kpi" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@sqlite_only  # a settings file names a file; KPI_DB (the server) comes first
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


@sqlite_only  # a settings file names a file; KPI_DB (the server) comes first
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


@sqlite_only  # with KPI_DB set the settings file is not read
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


# -- progress bars --------------------------------------------------------------------------------


def test_progress_shows_on_a_terminal_only() -> None:
    import io

    from rich.console import Console

    from kpi.cli.progress import Counted, bar

    pipe = io.StringIO()
    with bar(Console(file=pipe), show=True) as b:
        b.step("读取", total=3)
        assert list(Counted([1, 2, 3], b, then="保存")) == [1, 2, 3]
    assert pipe.getvalue() == ""
    screen = io.StringIO()
    with bar(Console(file=screen, force_terminal=True, width=80), show=True) as b:
        b.step("读取", total=3)
        assert list(Counted([1, 2, 3], b, then="保存")) == [1, 2, 3]
    assert "读取" in screen.getvalue() or "保存" in screen.getvalue()
    quiet = io.StringIO()
    with bar(Console(file=quiet, force_terminal=True), show=False) as b:
        b.step("读取")
    assert quiet.getvalue() == ""


def test_load_and_export_say_only_their_line_in_a_pipe(run: Run, tmp_path: Path) -> None:
    result = run("export", "--out", str(tmp_path / "t.xlsx"))
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("已导出 ") and result.stderr.count("\n") == 1
    loaded = run("load")
    assert loaded.stderr == "" and loaded.stdout.count("\n") == 1
