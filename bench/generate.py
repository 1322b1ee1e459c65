"""Deterministic benchmark data for ``kpi``: a plan, its database, a history of updates, a CSV.

Two scales:

- ``desk``: the real ``targets/2025.yaml`` (99 items) and a year of weekly updates per item
  (about 52 each, plus the milestones reached).
- ``district``: a generated plan of 10,000 items (six areas, twenty sections each) and 1,000,000
  updates spread over the year.

For each scale, under ``WORK/<scale>/``:

- ``plan.yaml``     the targets file (a copy of the real one for ``desk``);
- ``plan.sqlite``   the database right after ``kpi load plan.yaml``: a plan and no updates
                    (what ``kpi import`` starts from);
- ``kpi.sqlite``    the same plus the history, inserted straight into ``updates`` and ``voids``
                    with ``sqlite3.executemany`` (indexes dropped first and made again after, one
                    transaction);
- ``updates.csv``   the same history as a CSV (``code,date,value,note,by``) for ``kpi import``;
- ``updates-chunk.csv`` its first 100,000 rows (the first weeks of the year);
- ``manifest.json`` what was generated and from what: the cache is reused only while the
                    parameters, this file and the schema (``kpi/store/schema.py``, the migrations
                    in ``kpi/store/migrations/``) are unchanged.

The database is made by ``kpi load`` (the tool's own schema and migrations); only the history is
written behind its back, using the columns the ``updates`` table has at the time.

Run alone: ``python bench/generate.py --scale district --work /tmp/kpi-bench``.
Standard library only; needs the ``kpi`` console script for ``kpi load``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEED = 20250702
YEAR = 2025
START = dt.date(YEAR, 1, 1)
END = dt.date(YEAR, 12, 31)
TODAY = "2025-07-02"
VOID_SHARE = 0.005  # one update in two hundred is voided
NOTE_SHARE = 0.15
CHUNK_ROWS = 100_000  # the first weeks of the history: an import small enough to finish
BULK_ROWS = 50_000  # desk: the spreadsheet imported while 32 people record (the concurrency case)

# Many plans: twelve organisations, each with one five-year plan (2021–2025) of 100 items and a
# weekly record per item for the five years, all in one database; and one of them alone.
PLAN_COUNT = 12
PLAN_ITEMS = 100
PLAN_AREAS, PLAN_SECTIONS = 5, 4  # 20 sections of 5 items
PLAN_ALONE = 7  # the plan also loaded into a database of its own
NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]

OFFICES = [
    "党政办",
    "党建办",
    "经济发展办",
    "营商办",
    "社区服务办",
    "社区管理办",
    "社区自治办",
    "社区平安办",
    "城运中心",
    "综治中心",
    "社区事务受理服务中心",
    "纪工委",
    "武装部",
    "文化活动中心",
    "司法所",
    "城管中队",
]
AREA_TITLES = [
    "加快培育新质生产力,塑造高质量发展新优势",
    "推进城区精细治理,打造宜居宜业新城区",
    "聚焦民生关切,提升群众获得感",
    "坚持和发展新时代“枫桥经验”,筑牢平安底线",
    "深化基层党建引领,激发社区自治活力",
    "加强自身建设,提升履职能力",
]
VERBS = ["推进", "完善", "优化", "开展", "建设", "提升", "落实", "深化", "加强", "组织", "打造"]
THEMES = [
    "社区食堂",
    "为老助餐点",
    "营商服务",
    "楼宇党建",
    "垃圾分类",
    "加装电梯",
    "社区微更新",
    "睦邻点",
    "志愿服务",
    "平安小区",
    "消防隐患整治",
    "文化活动",
    "就业援助",
    "企业走访",
    "人才公寓",
    "停车管理",
    "绿化养护",
    "民生实事",
    "健康驿站",
    "法律服务",
    "15分钟社区生活圈",
    "一网统管",
]
# (title, unit, accumulate, direction)
INDICATORS = [
    ("招引企业", "家", "sum", "up"),
    ("新增就业岗位", "个", "sum", "up"),
    ("志愿服务时长", "小时", "sum", "up"),
    ("社区活动", "场", "sum", "up"),
    ("矛盾纠纷调解", "件", "sum", "up"),
    ("加装电梯", "台", "sum", "up"),
    ("区级税收", "亿元", "level", "up"),
    ("工单满意率", "%", "level", "up"),
    ("楼宇入驻率", "%", "level", "up"),
    ("刑事案件发案数", "起", "level", "down"),
    ("商务楼宇空置率", "%", "level", "down"),
]
STAFF = [
    ("张敏", "zhangmin"),
    ("李伟", "liwei"),
    ("王芳", "wangfang"),
    ("刘洋", "liuyang"),
    ("陈静", "chenjing"),
    ("杨磊", "yanglei"),
    ("赵丽", "zhaoli"),
    ("黄强", "huangqiang"),
]
NOTES = [
    "本周走访企业3家",
    "已召开推进会",
    "方案已报街道党工委审议",
    "受天气影响,施工延后一周",
    "居民意见征询完成",
    "已完成招投标",
    "按计划推进",
    "滞后原因:资金尚未到位",
]
VOID_REASONS = ["重复填报", "数字填错", "日期填错"]


@dataclass(frozen=True)
class Period:
    """A plan's year (as ``plan.year``) and its period, which records and milestones stay inside."""

    year: int
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


THE_YEAR = Period(YEAR, START, END)


@dataclass(frozen=True)
class Scale:
    name: str
    items: int  # 0: the real targets/2025.yaml
    updates: int  # 0: weekly, one per item and week


SCALES = {
    "desk": Scale("desk", 0, 0),
    "district": Scale("district", 10_000, 1_000_000),
}


@dataclass(frozen=True)
class Dataset:
    """Where one scale's files are, and what is in them."""

    scale: str
    root: Path
    manifest: dict[str, Any]

    @property
    def plan_yaml(self) -> Path:
        return self.root / "plan.yaml"

    @property
    def plan_db(self) -> Path:
        return self.root / "plan.sqlite"

    @property
    def db(self) -> Path:
        return self.root / "kpi.sqlite"

    @property
    def csv(self) -> Path:
        return self.root / "updates.csv"

    @property
    def chunk_csv(self) -> Path:
        return self.root / "updates-chunk.csv"

    @property
    def bulk_csv(self) -> Path:
        return self.root / f"bulk-{BULK_ROWS // 1000}k.csv"


# --------------------------------------------------------------------------------------------
# The environment every kpi command runs in


def kpi_env(db: Path) -> dict[str, str]:
    """The bench's fixed environment: the database, the date, no colour, Chinese, 120 columns."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KPI_", "_KPI_", "COMP_")) and k not in {"FORCE_COLOR", "COLUMNS"}
    }
    env.update(
        KPI_DB=str(db), KPI_TODAY=TODAY, NO_COLOR="1", KPI_LANG="zh", COLUMNS="120", TERM="dumb"
    )
    return env


# The files that decide the schema: the declaration and the migrations that make it. The older
# layout (kpi/models.py, kpi/migrations/) is looked at too, so a checkout of either is covered.
SCHEMA_FILES = ("kpi/store/schema.py", "kpi/models.py")
SCHEMA_DIRS = ("kpi/store/migrations", "kpi/migrations")


def schema_fingerprint() -> str:
    """A hash of the files that decide the schema: a change there invalidates the cached data."""
    h = hashlib.sha256()
    files = [REPO / f for f in SCHEMA_FILES]
    for folder in SCHEMA_DIRS:
        files += sorted((REPO / folder).rglob("*.py"))
    for path in files:
        if path.is_file():
            h.update(str(path.relative_to(REPO)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _generator_fingerprint() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# The district plan


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def _month_end(month: int, period: Period) -> dt.date:
    """The last day of ``month`` in the period's last year."""
    if month == 12:
        return period.end
    return dt.date(period.end.year, month + 1, 1) - dt.timedelta(days=1)


def district_plan_yaml(
    n_items: int,
    rng: random.Random,
    *,
    period: Period = THE_YEAR,
    n_areas: int = 6,
    per_area: int = 20,
    plan_id: str | None = None,
    organisation: str = "新江湾城街道",
    infos: list[ItemInfo] | None = None,
) -> tuple[str, str]:
    """A valid targets file of ``n_items`` items; returns (text, the code of an indicator to show).

    With ``plan_id``, the ``plan:`` block names the plan (``id``) and its ``organisation``, as a
    database of several plans needs; ``infos``, if given, receives each item as generated."""
    n_sections = n_areas * per_area
    counts = [
        n_items // n_sections + (1 if s < n_items % n_sections else 0) for s in range(n_sections)
    ]
    if period == THE_YEAR:
        title = f"{organisation}{period.year}年主要工作安排(基准测试,{n_items}项)"
    else:
        title = f"{organisation}{period.start.year}—{period.end.year}年主要工作安排(基准测试,{n_items}项)"
    named = [f"  id: {plan_id}", f"  organisation: {_q(organisation)}"] if plan_id else []
    out: list[str] = [
        "# 基准测试生成的计划:结构同 docs/plan-format.md,内容为合成数据。",
        "plan:",
        *named,
        f"  year: {period.year}",
        f"  title: {_q(title)}",
        f"  source: {_q(f'基准测试合成数据(种子 {SEED})')}",
        f"  start: {period.start.isoformat()}",
        f"  end: {period.end.isoformat()}",
        "  rules:",
        "    stale_days: 14",
        "    mode: points",
        "    yellow: 10",
        "    red: 30",
        "offices:",
        *(f"  - {o}" for o in OFFICES),
        "areas:",
    ]
    show_code = ""
    middle = n_items // 2
    position = 0
    for a in range(n_areas):
        acode = str(a + 1)
        out += [f"  - code: {_q(acode)}", f"    title: {_q(AREA_TITLES[a])}", "    sections:"]
        for s in range(per_area):
            scode = f"{acode}.{s + 1}"
            theme = THEMES[(a * per_area + s) % len(THEMES)]
            out += [
                f"      - code: {_q(scode)}",
                f"        title: {_q(f'{VERBS[s % len(VERBS)]}{theme}工作({scode})')}",
                "        items:",
            ]
            for n in range(counts[a * per_area + s]):
                code = f"{scode}.{n + 1}"
                want_indicator = position == middle
                lines, info = _item_yaml(
                    code, theme, rng, force_indicator=want_indicator, period=period
                )
                out += lines
                if infos is not None:
                    infos.append(info)
                if want_indicator:
                    show_code = code
                position += 1
    return "\n".join(out) + "\n", show_code


def _item_yaml(
    code: str, theme: str, rng: random.Random, *, force_indicator: bool, period: Period
) -> tuple[list[str], ItemInfo]:
    """The item's lines of YAML, and the item as the history generator needs it."""
    ind = "          "
    lead_office = rng.choice(OFFICES)
    others = rng.sample([o for o in OFFICES if o != lead_office], rng.choice((0, 0, 1, 2)))
    deadline = period.end if rng.random() < 0.8 else _month_end(rng.randint(6, 11), period)
    is_indicator = force_indicator or rng.random() < 0.3
    lines = [f"{ind[:-2]}- code: {_q(code)}"]
    if is_indicator:
        title, unit, accumulate, direction = rng.choice(INDICATORS)
        if force_indicator:
            title, unit, accumulate, direction = INDICATORS[0]
        title = f"{title}({code})"
        lines += [
            f"{ind}kind: indicator",
            f"{ind}title: {_q(title)}",
            f"{ind}text: {_q(f'围绕{theme},全年{title}持续增长,按季度通报进展。')}",
        ]
    else:
        verb = rng.choice(VERBS)
        title = f"{verb}{theme}第{code}项"
        lines += [
            f"{ind}kind: task",
            f"{ind}title: {_q(title)}",
            f"{ind}text: {_q(f'{verb}{theme},形成可复制可推广的经验做法,年底前完成评估({code})。')}",
        ]
    lines.append(f"{ind}lead_office: {lead_office}")
    if others:
        lines.append(f"{ind}other_offices: [{', '.join(others)}]")
    if rng.random() < 0.3:
        lines.append(f"{ind}lead: 分管副主任")
    lines += [f"{ind}deadline: {deadline.isoformat()}", f"{ind}assigned: [lead_office, deadline]"]
    if is_indicator:
        more, base, target = _indicator_yaml(
            ind, unit, accumulate, direction, deadline, rng, period
        )
        lines += more
        return lines, ItemInfo(code, "indicator", accumulate, base, target, deadline, ())
    more, milestones = _milestones_yaml(ind, code, deadline, rng, period)
    lines += more
    return lines, ItemInfo(code, "task", "sum", None, None, deadline, milestones)


def _indicator_yaml(
    ind: str,
    unit: str,
    accumulate: str,
    direction: str,
    deadline: dt.date,
    rng: random.Random,
    period: Period,
) -> tuple[list[str], float, float]:
    """The indicator's lines, its baseline and its target."""
    lines = [
        f"{ind}unit: {_q(unit)}",
        f"{ind}direction: {direction}",
        f"{ind}accumulate: {accumulate}",
    ]
    if unit == "%":
        base = round(rng.uniform(60, 95), 1) if direction == "up" else round(rng.uniform(5, 20), 1)
    elif unit == "亿元":
        base = round(rng.uniform(1, 20), 2)
    else:
        base = float(rng.randint(20, 800))
    if direction == "down":
        target = round(base * rng.uniform(0.8, 0.95), 2)
        note = "暂定:比2024年下降5%至20%"
    else:
        growth = rng.choice((0.0, 0.05, 0.1))
        target = (
            round(base * (1 + growth), 2)
            if accumulate == "level"
            else float(round(base * (1 + growth)))
        )
        target = min(target, 100.0) if unit == "%" else target
        target = max(target, base) if direction == "up" else target
        note = "暂定:与2024年实际持平" if growth == 0 else f"暂定:比2024年增长{int(growth * 100)}%"
    completion = round(rng.uniform(1.02, 1.3), 2) if rng.random() < 0.4 else None
    source = f"全年完成{_num(base)}{unit}" + (
        f"(完成进度{int(completion * 100)}%)" if completion else ""
    )
    lines += [
        f"{ind}baseline:",
        f"{ind}  value: {_num(base)}",
        f"{ind}  year: {period.year - 1}",
        f"{ind}  source: {_q(source)}",
    ]
    if completion:
        lines.append(f"{ind}  completion: {completion}")
    lines += [
        f"{ind}target:",
        f"{ind}  value: {_num(target)}",
        f"{ind}  basis: assumed",
        f"{ind}  note: {_q(note)}",
    ]
    if rng.random() < 0.2 and deadline == period.end:
        lines.append(f"{ind}checkpoints:")
        if period.start.year == period.end.year:  # quarterly
            y = period.year
            steps = [(f"{y}-03-31", 0.2), (f"{y}-06-30", 0.5), (f"{y}-09-30", 0.75)]
        else:  # at the end of each year but the last
            years = range(period.start.year, period.end.year)
            steps = [
                (f"{y}-12-31", round((k + 1) / (len(years) + 1), 2)) for k, y in enumerate(years)
            ]
        lines += [f"{ind}  - {{date: {d}, share: {share}}}" for d, share in steps]
    return lines, float(_num(base)), float(_num(target))


def _milestones_yaml(
    ind: str, code: str, deadline: dt.date, rng: random.Random, period: Period
) -> tuple[list[str], tuple[tuple[str, dt.date, float], ...]]:
    """The task's milestone lines, and its milestones (code, date, share) as kpi reads them."""
    n = rng.choice((0, 0, 1, 2, 3, 4))
    if not n:
        return [], ()
    span = (deadline - period.start).days
    days = sorted(rng.sample(range(20, span + 1), n))
    with_share = rng.random() < 0.5
    shares = sorted(rng.sample(range(10, 100, 5), n)) if with_share else []
    lines = [f"{ind}milestones:"]
    out = []
    for k, day in enumerate(days):
        date = period.start + dt.timedelta(days=day)
        lines += [
            f"{ind}  - code: {_q(f'{code}-{k + 1}')}",
            f"{ind}    title: {_q(('完成方案', '启动实施', '中期评估', '完成验收')[k])}",
            f"{ind}    date: {date.isoformat()}",
        ]
        if with_share:
            lines.append(f"{ind}    share: {shares[k] / 100}")
        lines.append(f"{ind}    assigned: [date]")
        out.append((f"{code}-{k + 1}", date, shares[k] / 100 if with_share else (k + 1) / n))
    return lines, tuple(out)


# --------------------------------------------------------------------------------------------
# The history


@dataclass(frozen=True)
class ItemInfo:
    code: str
    kind: str
    accumulate: str
    baseline: float | None
    target: float | None
    deadline: dt.date
    milestones: tuple[tuple[str, dt.date, float], ...]  # code, date, share


def read_items(db: Path) -> list[ItemInfo]:
    """The plan's items as ``kpi load`` stored them, in plan order."""
    con = sqlite3.connect(db)
    try:
        ms: dict[str, list[tuple[str, dt.date, float]]] = {}
        for code, item_code, date, share in con.execute(
            "SELECT code, item_code, date, share FROM milestones WHERE NOT retired ORDER BY position"
        ):
            ms.setdefault(item_code, []).append((code, dt.date.fromisoformat(date), share))
        rows = con.execute(
            "SELECT code, kind, accumulate, baseline, target, deadline FROM items "
            "WHERE NOT retired ORDER BY position"
        ).fetchall()
    finally:
        con.close()

    def value(text: str | None) -> float | None:  # baseline and target are JSON objects
        return None if text is None else (json.loads(text) or {}).get("value")

    return [
        ItemInfo(c, k, acc, value(b), value(t), dt.date.fromisoformat(d), tuple(ms.get(c, ())))
        for c, k, acc, b, t, d in rows
    ]


# One update as generated: (date, minute of the day, code, item_code, kind, value, note, staff)
Gen = tuple[str, int, str, str, str, float | None, str | None, int]


def _days_weekly(period: Period) -> list[int]:
    """The day offsets of every Friday of the period (2025: 52, from 2025-01-03)."""
    first_friday = (4 - period.start.weekday()) % 7
    return list(range(first_friday, period.days, 7))


def _item_history(
    item: ItemInfo, days: list[int], rng: random.Random, dates: list[str], period: Period
) -> list[Gen]:
    """Plausible records for one item on the given day offsets (sorted)."""
    out: list[Gen] = []
    pace = rng.uniform(0.45, 1.25)
    staff = rng.randrange(len(STAFF))
    n_days = period.days

    def note() -> str | None:
        return rng.choice(NOTES) if rng.random() < NOTE_SHARE else None

    if item.kind == "task":
        reached = [(c, d) for c, d, _ in item.milestones if rng.random() < 0.85]
        # The last milestone, if it carries the whole task (share 1), finishes it: no `done` then.
        finished = any(share >= 1 for c, _, share in item.milestones if c in dict(reached))
        done_days = {
            c: min(max((d - period.start).days + rng.randint(-3, 7), 0), n_days - 1)
            for c, d in reached
        }
        regular = days[: max(len(days) - len(done_days), 1)]
        if len(regular) < len(days):  # spread the regular records over the whole year again
            step = len(days) / len(regular)
            regular = [days[int(k * step)] for k in range(len(regular))]
        share = 0.0
        for k, day in enumerate(regular):
            elapsed = (day + 1) / n_days
            share = max(share, min(0.99, round(pace * elapsed + rng.uniform(-0.05, 0.05), 2)))
            last = k == len(regular) - 1
            if last and pace >= 1.0 and not finished:
                # Finished: the last record of all (kpi refuses a milestone after the task is done).
                day = max(day, *done_days.values()) if done_days else day
                out.append(
                    (
                        dates[day],
                        1080,
                        item.code,
                        item.code,
                        "done",
                        None,
                        note(),
                        staff,
                    )
                )
            else:
                out.append(
                    (
                        dates[day],
                        rng.randrange(480, 1080),
                        item.code,
                        item.code,
                        "percent",
                        share,
                        note(),
                        staff,
                    )
                )
        for c, day in done_days.items():
            out.append(
                (dates[day], rng.randrange(480, 1080), c, item.code, "done", None, note(), staff)
            )
        return out
    target = item.target or 100.0
    if item.accumulate == "sum":
        each = pace * target / max(len(days), 1)
        for day in days:
            value = round(each * rng.uniform(0.5, 1.5), 2)
            out.append(
                (
                    dates[day],
                    rng.randrange(480, 1080),
                    item.code,
                    item.code,
                    "add",
                    value,
                    note(),
                    staff,
                )
            )
        return out
    base = item.baseline if item.baseline is not None else target * 0.9
    spread = abs(target - base) * 0.05 + 0.01
    for day in days:
        elapsed = (day + 1) / n_days
        value = round(base + (target - base) * pace * elapsed + rng.uniform(-spread, spread), 2)
        out.append(
            (
                dates[day],
                rng.randrange(480, 1080),
                item.code,
                item.code,
                "set",
                max(value, 0.0),
                note(),
                staff,
            )
        )
    return out


def history(
    items: list[ItemInfo], total: int, rng: random.Random, period: Period = THE_YEAR
) -> list[Gen]:
    """Every record, oldest first: weekly per item (``total`` 0) or ``total`` spread over items."""
    n_days = period.days
    dates = [(period.start + dt.timedelta(days=d)).isoformat() for d in range(n_days)]
    rows: list[Gen] = []
    for n, item in enumerate(items):
        if total:
            count = total // len(items) + (1 if n < total % len(items) else 0)
            days = sorted(rng.choices(range(n_days), k=count))
        else:
            days = _days_weekly(period)
        rows.extend(_item_history(item, days, rng, dates, period))
    if total:
        # Milestones reached replace regular records, so the total is exact; trim or pad to it.
        del rows[total:]
        while len(rows) < total:
            rows.append(rows[len(rows) % len(items)])
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def _update_columns(con: sqlite3.Connection) -> list[str]:
    return [r[1] for r in con.execute("PRAGMA table_info(updates)")]


def insert_history(db: Path, rows: list[Gen], rng: random.Random) -> tuple[int, int]:
    """Write ``rows`` into ``updates`` (and some ``voids``) in one transaction; (updates, voids)."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        columns = _update_columns(con)
        (plan,) = con.execute("SELECT id FROM plans ORDER BY id LIMIT 1").fetchone()
        known = {"id", "plan_id", "code", "item_code", "date", "kind", "value", "note", "by",
                 "os_user", "recorded_at", "origin"}  # fmt: skip
        missing = [
            r[1]
            for r in con.execute("PRAGMA table_info(updates)")
            if r[1] not in known and r[3] and r[4] is None  # NOT NULL without a default
        ]
        if missing:
            raise SystemExit(
                f"generate: updates has new required columns {missing}; update bench/generate.py"
            )
        cols = ["id", "plan_id", "code", "item_code", "date", "kind", "value", "note", "by",
                "os_user", "recorded_at"]  # fmt: skip
        if "origin" in columns:
            cols.append("origin")
        indexes = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'updates' "
            "AND sql IS NOT NULL"
        ).fetchall()
        con.execute("BEGIN")
        for name, _ in indexes:
            con.execute(f'DROP INDEX "{name}"')

        def records() -> Iterator[tuple[Any, ...]]:
            for n, (date, minute, code, item_code, kind, value, note, staff) in enumerate(rows, 1):
                name, login = STAFF[staff]
                stamp = f"{date} {minute // 60:02d}:{minute % 60:02d}:00.000000"
                rec: tuple[Any, ...] = (
                    n,
                    plan,
                    code,
                    item_code,
                    date,
                    kind,
                    value,
                    note,
                    name,
                    login,
                    stamp,
                )
                yield (*rec, "cli") if len(cols) == 12 else rec

        placeholders = ", ".join("?" for _ in cols)
        quoted = ", ".join(f'"{c}"' for c in cols)
        con.executemany(f"INSERT INTO updates ({quoted}) VALUES ({placeholders})", records())
        void_ids = sorted(rng.sample(range(1, len(rows) + 1), int(len(rows) * VOID_SHARE)))
        voids = []
        for uid in void_ids:
            date, _minute, *_rest, staff = rows[uid - 1]
            name, login = STAFF[staff]
            voids.append((uid, rng.choice(VOID_REASONS), name, login, f"{date} 18:00:00.000000"))
        con.executemany(
            'INSERT INTO voids (update_id, reason, "by", os_user, voided_at) VALUES (?, ?, ?, ?, ?)',
            voids,
        )
        for _, sql in indexes:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return len(rows), len(void_ids)


def csv_value(kind: str, value: float | None) -> str:
    """A record's value as ``kpi update``/``kpi done`` (and ``kpi import``) take it."""
    if kind == "add":
        return f"+{value:g}"
    if kind == "set":
        return f"={value:g}"
    if kind == "percent":
        return f"{round((value or 0.0) * 100, 2):g}%"
    return "完成"


def write_csv(path: Path, rows: Iterable[Gen]) -> None:
    """The history as ``kpi import`` reads it: ``code,date,value,note,by`` (ledger.COLUMNS),
    the value written as people type it: +5 adds, =3.2 sets, 60% for a task, 完成 for done."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "date", "value", "note", "by"])
        for date, _minute, code, _item, kind, value, note, staff in rows:
            w.writerow([code, date, csv_value(kind, value), note or "", STAFF[staff][0]])
    tmp.replace(path)


def bulk_rows(items: list[ItemInfo], n: int, rng: random.Random, last: dt.date) -> list[Gen]:
    """``n`` records spread over the items, dated from the year's start to ``last``, oldest first:
    additions and levels for indicators, percentages for tasks, never ``done`` (so a file imported
    into a database that has its year of history already is never refused for finishing twice)."""
    span = (last - START).days + 1
    dates = [(START + dt.timedelta(days=d)).isoformat() for d in range(span)]
    rows: list[Gen] = []
    per_item = max(n // len(items), 1)
    for k in range(n):
        item = items[rng.randrange(len(items))]
        day = rng.randrange(span)
        note = rng.choice(NOTES) if rng.random() < NOTE_SHARE else None
        staff = rng.randrange(len(STAFF))
        target = item.target or 100.0
        if item.kind == "task":
            # Four places (12.34%), so that a row seldom repeats a record stored already.
            kind, value = "percent", round(min(0.95, (day + 1) / span * rng.uniform(0.5, 1.1)), 4)
        elif item.accumulate == "sum":
            kind, value = "add", round(target / per_item * rng.uniform(0.2, 1.0), 2)
        else:
            base = item.baseline if item.baseline is not None else target * 0.9
            kind, value = "set", round(max(base + (target - base) * (day + 1) / span, 0.0), 2)
        rows.append((dates[day], rng.randrange(480, 1080) + k % 7, item.code, item.code, kind,
                     value, note, staff))  # fmt: skip
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


# --------------------------------------------------------------------------------------------
# Many plans in one database


FIVE_YEARS = Period(2021, dt.date(2021, 1, 1), dt.date(2025, 12, 31))


class GenerateError(Exception):
    """Data that kpi refused to take (one line: the command and what it said)."""


DISTRICT_PLAN = f"district-{YEAR}"  # the district scale's plan (``plan.id``)


def plan_id(n: int) -> str:
    return f"d{n:02d}-{FIVE_YEARS.year}"


@dataclass(frozen=True)
class PlansDataset:
    """Twelve plans in ``many.sqlite``; ``lone.sqlite`` holds plan ``alone`` by itself."""

    root: Path
    manifest: dict[str, Any]

    @property
    def many_db(self) -> Path:
        return self.root / "many.sqlite"

    @property
    def lone_db(self) -> Path:
        return self.root / "lone.sqlite"

    @property
    def alone(self) -> str:
        return plan_id(PLAN_ALONE)

    def yaml(self, n: int) -> Path:
        return self.root / f"d{n:02d}.yaml"

    def csv(self, n: int) -> Path:
        return self.root / f"d{n:02d}.csv"


def _kpi(kpi: Path, args: list[str], db: Path, cwd: Path, **env: str) -> None:
    proc = subprocess.run(
        [str(kpi), *args], env={**kpi_env(db), **env}, cwd=cwd, capture_output=True, text=True
    )
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        last = said[-1].strip() if said else ""
        raise GenerateError(f"`kpi {' '.join(args)}` exited {proc.returncode}: {last}"[:240])


def _load_and_import(kpi: Path, ds: PlansDataset, n: int, db: Path) -> None:
    """``kpi load dNN.yaml``, then ``kpi --plan dNN-2021 import dNN.csv`` as of the period's end."""
    pid = plan_id(n)
    try:
        _kpi(kpi, ["load", str(ds.yaml(n))], db, ds.root)
    except GenerateError:  # perhaps a new plan must be named to be loaded
        _kpi(kpi, ["--plan", pid, "load", str(ds.yaml(n))], db, ds.root)
    end = {"KPI_TODAY": FIVE_YEARS.end.isoformat()}
    # Synthetic history: a noisy year-to-date total dips now and then, which kpi asks about.
    _kpi(kpi, ["--plan", pid, "import", "--yes", str(ds.csv(n))], db, ds.root, **end)


def ensure_plans(work: Path, kpi: Path, *, force: bool = False, log: Any = print) -> PlansDataset:
    """Twelve plans' files and the two databases under ``work/plans``, unless cached.

    Everything goes through ``kpi load`` and ``kpi --plan ID import``: the schema of a database of
    several plans is the tool's business, and the bench does not write behind its back here.
    Raises ``GenerateError`` if kpi refuses a file (for one, if it knows no ``plan.id``)."""
    root = work / "plans"
    key = {
        "scale": "plans",
        "plans": PLAN_COUNT,
        "items": PLAN_ITEMS,
        "period": [FIVE_YEARS.start.isoformat(), FIVE_YEARS.end.isoformat()],
        "alone": PLAN_ALONE,
        "seed": SEED,
        "generator": _generator_fingerprint(),
        "schema": schema_fingerprint(),
    }
    manifest_path = root / "manifest.json"
    ds = PlansDataset(root, {})
    if not force and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        ds = PlansDataset(root, manifest)
        if manifest.get("key") == key and ds.many_db.exists() and ds.lone_db.exists():
            return ds
        log("[plans] cache out of date (parameters, generator or schema changed); regenerating")
    root.mkdir(parents=True, exist_ok=True)
    manifest_path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    records = 0
    for n in range(1, PLAN_COUNT + 1):
        rng = random.Random(f"{SEED}-plans-{n}")
        infos: list[ItemInfo] = []
        text, _ = district_plan_yaml(
            PLAN_ITEMS,
            rng,
            period=FIVE_YEARS,
            n_areas=PLAN_AREAS,
            per_area=PLAN_SECTIONS,
            plan_id=plan_id(n),
            organisation=f"第{NUMERALS[n - 1]}街道",
            infos=infos,
        )
        ds.yaml(n).write_text(text, encoding="utf-8")
        rows = history(infos, 0, rng, FIVE_YEARS)
        write_csv(ds.csv(n), rows)
        records += len(rows)
    made = time.perf_counter() - t0
    t0 = time.perf_counter()
    for db in (ds.many_db, ds.lone_db):
        _remove_db(db)
    for n in range(1, PLAN_COUNT + 1):
        _load_and_import(kpi, ds, n, ds.many_db)
    _load_and_import(kpi, ds, PLAN_ALONE, ds.lone_db)
    for db in (ds.many_db, ds.lone_db):
        checkpoint(db)
    loaded = time.perf_counter() - t0
    manifest = {
        "key": key,
        "plans": [plan_id(n) for n in range(1, PLAN_COUNT + 1)],
        "items": PLAN_COUNT * PLAN_ITEMS,
        "updates": records,
        "alone": plan_id(PLAN_ALONE),
        "today": TODAY,
        "seconds": {"files": round(made, 2), "kpi_load_import": round(loaded, 2)},
        "bytes": {
            "many.sqlite": ds.many_db.stat().st_size,
            "lone.sqlite": ds.lone_db.stat().st_size,
        },
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    log(
        f"[plans] generated {PLAN_COUNT} plans of {PLAN_ITEMS} items, {records} records "
        f"(files {made:.1f}s, kpi load and import {loaded:.1f}s)"
    )
    return PlansDataset(root, manifest)


# --------------------------------------------------------------------------------------------
# Putting it together


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def checkpoint(db: Path) -> None:
    """Fold the WAL into the main file, so copying the file copies the database."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def copy_db(src: Path, dst: Path) -> None:
    _remove_db(dst)
    shutil.copyfile(src, dst)


def kpi_load(kpi: Path, plan: Path, db: Path, cwd: Path) -> None:
    _remove_db(db)
    proc = subprocess.run(
        [str(kpi), "load", str(plan)], env=kpi_env(db), cwd=cwd, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(
            f"generate: `kpi load {plan}` failed ({proc.returncode}): {proc.stderr.strip()}"
        )
    checkpoint(db)


def _manifest_key(scale: Scale) -> dict[str, Any]:
    return {
        "scale": scale.name,
        "items": scale.items,
        "updates": scale.updates,
        "seed": SEED,
        "generator": _generator_fingerprint(),
        "schema": schema_fingerprint(),
        "plan_sha": hashlib.sha256((REPO / "targets" / "2025.yaml").read_bytes()).hexdigest()[:16]
        if scale.items == 0
        else None,
    }


def ensure(
    scale_name: str, work: Path, kpi: Path, *, force: bool = False, log: Any = print
) -> Dataset:
    """The scale's files under ``work``, generated unless a matching cache is there."""
    scale = SCALES[scale_name]
    root = work / scale.name
    key = _manifest_key(scale)
    manifest_path = root / "manifest.json"
    if not force and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        ds = Dataset(scale.name, root, manifest)
        wanted = [ds.plan_yaml, ds.plan_db, ds.db, ds.csv, ds.chunk_csv]
        if (
            manifest.get("key") == key
            and all(p.exists() for p in wanted)
            and (scale.items or ds.bulk_csv.exists())
        ):
            return ds
        log(
            f"[{scale.name}] cache out of date (parameters, generator or schema changed); regenerating"
        )
    root.mkdir(parents=True, exist_ok=True)
    manifest_path.unlink(missing_ok=True)
    rng = random.Random(f"{SEED}-{scale.name}")
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    if scale.items:
        text, show_code = district_plan_yaml(
            scale.items, rng, plan_id=DISTRICT_PLAN, organisation="新江湾城街道"
        )
        (root / "plan.yaml").write_text(text, encoding="utf-8")
    else:
        shutil.copyfile(REPO / "targets" / "2025.yaml", root / "plan.yaml")
        show_code = "1.1.2"  # 重点企业“服务包”, an indicator
    timings["plan_yaml"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    plan_db = root / "plan.sqlite"
    kpi_load(kpi, root / "plan.yaml", plan_db, root)
    timings["kpi_load"] = time.perf_counter() - t0

    items = read_items(plan_db)
    t0 = time.perf_counter()
    rows = history(items, scale.updates, rng)
    timings["history"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    db = root / "kpi.sqlite"
    copy_db(plan_db, db)
    n_updates, n_voids = insert_history(db, rows, rng)
    timings["insert"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    write_csv(root / "updates.csv", rows)
    write_csv(root / "updates-chunk.csv", rows[:CHUNK_ROWS])
    if not scale.items:  # desk: the spreadsheet of the concurrency case, from its own seed
        bulk = bulk_rows(
            items, BULK_ROWS, random.Random(f"{SEED}-bulk"), dt.date.fromisoformat(TODAY)
        )
        write_csv(root / f"bulk-{BULK_ROWS // 1000}k.csv", bulk)
    timings["csv"] = time.perf_counter() - t0

    manifest = {
        "key": key,
        "items": len(items),
        "indicators": sum(1 for i in items if i.kind == "indicator"),
        "milestones": sum(len(i.milestones) for i in items),
        "updates": n_updates,
        "voids": n_voids,
        "show_item": show_code,
        "chunk_rows": min(CHUNK_ROWS, n_updates),
        "today": TODAY,
        "seconds": {k: round(v, 2) for k, v in timings.items()},
        "bytes": {
            "plan.yaml": (root / "plan.yaml").stat().st_size,
            "kpi.sqlite": db.stat().st_size,
            "updates.csv": (root / "updates.csv").stat().st_size,
            "updates-chunk.csv": (root / "updates-chunk.csv").stat().st_size,
        },
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    log(
        f"[{scale.name}] generated {len(items)} items, {n_updates} updates, {n_voids} voids in "
        + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    )
    return Dataset(scale.name, root, manifest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--scale",
        choices=[*SCALES, "plans"],
        action="append",
        help="repeatable; default desk and district (plans: twelve plans in one database)",
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/kpi-bench"))
    parser.add_argument("--kpi", type=Path, default=REPO / ".venv" / "bin" / "kpi")
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    args = parser.parse_args(argv)
    for name in args.scale or ["desk", "district"]:
        if name == "plans":
            try:
                many = ensure_plans(args.work, args.kpi.absolute(), force=args.force)
            except GenerateError as exc:
                print(f"generate: plans: {exc}", file=sys.stderr)
                return 1
            print(json.dumps({"scale": name, "root": str(many.root), **many.manifest}, indent=2))
            continue
        ds = ensure(name, args.work, args.kpi.absolute(), force=args.force)
        print(
            json.dumps(
                {"scale": name, "root": str(ds.root), **ds.manifest}, ensure_ascii=False, indent=2
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
