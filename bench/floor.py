"""The floors: what each benchmarked ``kpi`` command costs when done with the standard library.

Each subcommand reads the same database (``KPI_DB``, as of ``KPI_TODAY``) and prints what the
command prints, in plain text or JSON, with ``sqlite3``, a few SQL queries and ``print``. It is
what a careful hand-written script would cost, so ``kpi``'s time divided by the floor's is the
price of the framework and of the design.

    floor.py help                      argparse help for the same commands (vs ``kpi --help``)
    floor.py complete                  COMP_WORDS/COMP_CWORD → candidates (vs Tab completion)
    floor.py status [--json]           every item's status (vs ``kpi status [--format json]``)
    floor.py show CODE                 one item and its history (vs ``kpi show CODE``)
    floor.py weekly                    the week's summary (vs ``kpi report weekly``)
    floor.py import FILE.csv           csv + one ``executemany`` (vs ``kpi import FILE``)
    floor.py load FILE.yaml            ``yaml.load(text, Loader=yaml.CSafeLoader)`` (vs ``kpi load``)

``help`` lists kpi's global options and commands with argparse. ``status``, ``show``, ``weekly``
and ``import`` take ``--plan ID`` (else ``KPI_PLAN``; ``complete`` reads ``--plan`` from the words
typed, as kpi's completion does); without it the
plan is chosen as kpi chooses (schema 0004: plans keyed by ``plans.id``): the only plan not
retired; else the one whose period holds today; else the one whose period ends last, if only one
does and none holds today. The day is today moved into the plan's period.

The plan is the version in effect on that day (``plan_versions``: the newest whose ``effective``
is on or before it, else the first): its areas, sections, items and milestones from the plan's own
tables when that is the newest version, else from the version's ``snapshot`` (JSON). An item's
``baseline`` and ``target`` are JSON text, parsed per item; retired rows are left out.

Status is two queries over ``updates``, voided records (``voids``) left out, dated up to the day,
each per item of the plan a few correlated subqueries down the indexes kpi made (as kpi's own):

- the last date, from the covering index ``ix_updates_progress`` (plan_id, item_code, date, id,
  kind, code, value); whether the item is done and the milestones done with their first day, from
  the partial index of done records; the sum of its additions;
- the newest ``set``/``percent`` record, a walk back from the day, and the newest non-empty note
  (the partial index of noted records).

An item's value is its newest set plus what was added after it (only items with both a set and
additions need one more small query each), as kpi's ``fold`` has it. Then plain arithmetic per
item, by kpi's rules (``kpi.core.status``, ``lights``, ``expected``): 序时进度 from checkpoints,
milestones or the elapsed share; completion by the target's kind (at least, lower is better,
positive growth); lights for figures to reach (the gap in points or as a ratio, overdue is red),
ceilings, ranges and monitored figures; stale; the forecast. ``status --json`` writes one record
a line, as kpi does (json's fast encoder); the table is one line an item and the counts per area.

``show`` finds the item as kpi does (a code, a milestone's code, else the one title holding what
was typed), reads its whole history (voided records marked) in one query and folds it in Python.
``weekly`` counts the day and a week before (each with the plan in effect then, read once when
both have the same version; the two counts side by side in two threads with a connection each, as
kpi does) and reads the week's records. ``complete`` chooses the plan as kpi's completion does and
offers the codes starting with what was typed, else the titles holding it (``code title`` when
several). ``import`` reads the rows of ``csv.reader`` into a list, then one ``executemany`` into ``updates``
(``plan_id``, ``code``, ``item_code`` — a milestone's from ``milestones`` —, ``date``, ``kind``,
``value``, ``note``, ``by``, ``os_user``, ``recorded_at`` in UTC, ``origin`` ``import:FILE``) in
one transaction, without kpi's checks, into the table with its indexes (kpi's import, from
50,000 rows on, drops them and builds them after: the floor is the plain insert). Only ``load``
imports a third-party module (PyYAML, which is what it measures).
"""

from __future__ import annotations

import os
import sys
from typing import Any

COMMANDS = [
    ("status", "按领域和板块列出计划：基数、目标、完成值、完成率、序时差和状态。"),
    ("show", "一个条目的全部情况：报告原文、基数及出处、目标、进度和填报记录。"),
    ("update", "填报进展：指标填数值，任务填完成百分比。"),
    ("done", "标记任务或其节点已完成。"),
    ("undo", "作废本人最近一条记录（记录保留并标为作废）。"),
    (
        "void",
        "作废一条记录并说明原因（权限启用后：本单位条目的记录，督查人员和管理员可作废任一记录）；"
        "更正数值即作废后重新填报。",
    ),
    ("history", "全部填报记录，按时间先后，作废的有标记。"),
    ("report", "给领导看的进度汇总。"),
    ("load", "从目标文件载入（同步）计划：按编号对应，删去的条目退役。"),
    ("audit", "审计记录：每条填报、作废、撤销、计划导入（版本和文件哈希）和授权，谁、何时。"),
    ("import", "从表格导入填报记录：先逐行检查，全部无误才一次写入。"),
    ("export", "导出状态和记录：Excel 台账、CSV 或 JSON。"),
    ("rollover", "由本年度计划生成下一年度目标文件：以本年记录为基数。"),
    ("access", "权限：谁可以填报、作废、导入计划和授权（init、grant、revoke、list）。"),
    ("db", "升级、备份和检查数据库。"),
    ("plans", "列出数据库中的全部计划：编号、单位、名称、计划期、条目数、记录数、现行版本。"),
]
ITEM_COMMANDS = {"show", "update", "done", "history"}
GLOBAL_OPTIONS = {"--db", "--plan", "-p", "--lang"}

VALID = "u.plan_id = :p AND u.date <= :d AND u.id NOT IN (SELECT update_id FROM voids)"
# Per item, a few steps down its indexes: the last date (``ix_updates_progress``), done and the
# milestones done as "code date" in date order (the partial index of done records), the sum of
# additions (and whether there are any).
AGG_SQL = f"""
SELECT i.code,
       (SELECT u.date FROM updates u WHERE u.item_code = i.code AND {VALID}
        ORDER BY u.date DESC, u.id DESC LIMIT 1),
       EXISTS (SELECT 1 FROM updates u
               WHERE u.item_code = i.code AND u.kind = 'done' AND u.code = i.code AND {VALID}),
       (SELECT sum(u.value) FROM updates u
        WHERE u.item_code = i.code AND u.kind = 'add' AND u.code = i.code AND {VALID}),
       (SELECT group_concat(m.code || ' ' || m.date) FROM (
            SELECT u.code, u.date FROM updates u
            WHERE u.item_code = i.code AND u.kind = 'done' AND u.code <> i.code AND {VALID}
            ORDER BY u.date) m)
FROM items i
WHERE i.plan_id = :p {{only}}
"""
# Per item: its newest set (id, date, value) and its newest note, each a walk back from :d.
LATEST_SQL = f"""
SELECT i.code, s.id, s.date, s.value,
       (SELECT u.note FROM updates u
        WHERE u.item_code = i.code AND u.note IS NOT NULL AND u.note <> '' AND {VALID}
        ORDER BY u.date DESC, u.id DESC LIMIT 1)
FROM items i LEFT JOIN updates s ON s.id = (
    SELECT u.id FROM updates u
    WHERE u.item_code = i.code AND u.code = i.code AND u.kind IN ('set', 'percent') AND {VALID}
    ORDER BY u.date DESC, u.id DESC LIMIT 1)
WHERE i.plan_id = :p {{only}}
"""
# What was added after an item's newest set (only for items that have both).
ADDED_AFTER_SQL = f"""
SELECT sum(u.value) FROM updates u
WHERE {VALID} AND u.item_code = :code AND u.code = :code AND u.kind = 'add'
  AND (u.date > :sd OR (u.date = :sd AND u.id > :sid))
"""
ITEM_COLUMNS = (
    "code",
    "title",
    "kind",
    "unit",
    "direction",
    "accumulate",
    "baseline",
    "target",
    "lead_office",
    "deadline",
    "checkpoints",
    "area_code",
    "section_code",
    "text",
)


class Refused(Exception):
    """What kpi would refuse, in one line."""


def _connect() -> Any:
    import sqlite3

    return sqlite3.connect(os.environ["KPI_DB"])


def _today() -> Any:
    import datetime as dt

    given = os.environ.get("KPI_TODAY")
    return dt.date.fromisoformat(given) if given else dt.date.today()


def _take_plan(args: list[str]) -> tuple[str | None, list[str]]:
    """``--plan ID`` (or ``-p ID``) taken out of ``args``, else ``KPI_PLAN``."""
    rest, chosen, it = [], None, iter(args)
    for a in it:
        if a in ("--plan", "-p"):
            chosen = next(it, None)
        elif a.startswith("--plan="):
            chosen = a.split("=", 1)[1]
        else:
            rest.append(a)
    return chosen or os.environ.get("KPI_PLAN") or None, rest


def choose_plan(con: Any, chosen: str | None, today: Any) -> str:
    """The plan kpi works on (``State._choose``): the one asked for, else the only plan in use,
    else the one whose period holds today, else the one with the latest period."""
    heads = con.execute('SELECT id, start, "end", retired FROM plans ORDER BY start, id').fetchall()
    ids = "、".join(h[0] for h in heads)
    if chosen:
        if not any(h[0] == chosen for h in heads):
            raise Refused(f"no plan {chosen} (plans: {ids})")
        return chosen
    active = [h for h in heads if not h[3]]
    if not active:
        raise Refused(f"no plan in use (plans: {ids or 'none'})")
    if len(active) == 1:
        return str(active[0][0])
    day = today.isoformat()
    current = [h for h in active if h[1] <= day <= h[2]]
    if len(current) == 1:
        return str(current[0][0])
    latest = max(h[2] for h in active)
    recent = [h for h in active if h[2] == latest]
    if len(recent) == 1 and not current:
        return str(recent[0][0])
    raise Refused("choose a plan with --plan: " + "、".join(h[0] for h in current or active))


def _version_in_effect(con: Any, plan_id: str, day: Any) -> tuple[int | None, bool]:
    """(version in effect on ``day``, whether it is the newest); (None, True) without versions."""
    newest, on_day, first = con.execute(
        "SELECT max(version), max(CASE WHEN effective <= ? THEN version END), min(version) "
        "FROM plan_versions WHERE plan_id = ?",
        (day.isoformat(), plan_id),
    ).fetchone()
    if newest is None:
        return None, True
    on_day = first if on_day is None else on_day
    return on_day, on_day == newest


def _json(value: Any) -> Any:
    """A JSON column: text in the tables, already parsed in a version's snapshot."""
    import json

    if value == "[]":  # most items: no checkpoints
        return []
    return json.loads(value) if isinstance(value, str) else value


def plan_day(con: Any, plan_id: str) -> Any:
    """Today, moved into the period of the plan as it stands (``State.as_of``)."""
    import datetime as dt

    start, end = con.execute('SELECT start, "end" FROM plans WHERE id = ?', (plan_id,)).fetchone()
    return min(max(_today(), dt.date.fromisoformat(start)), dt.date.fromisoformat(end))


class Plan:
    """One plan as in effect on a day: its head and its four small tables, read whole (or the
    one item ``only``)."""

    def __init__(self, con: Any, plan_id: str, day: Any = None, only: str | None = None) -> None:
        import datetime as dt

        self.id = plan_id
        head = con.execute(
            'SELECT id, year, title, start, "end", rules FROM plans WHERE id = ?', (plan_id,)
        ).fetchone()
        self.day = day = plan_day(con, plan_id) if day is None else day
        version, newest = _version_in_effect(con, plan_id, day)
        snapshot = None
        if not newest:
            found = con.execute(
                "SELECT snapshot FROM plan_versions WHERE plan_id = ? AND version = ?",
                (plan_id, version),
            ).fetchone()
            snapshot = found[0] if found else None
        if snapshot:
            areas, sections, items, milestones, head = self._from_snapshot(snapshot, only)
        else:
            areas, sections, items, milestones = self._from_tables(con, plan_id, only)
        self.year: int = head[1]
        self.title: str = head[2]
        self.start = dt.date.fromisoformat(str(head[3])[:10])
        self.end = dt.date.fromisoformat(str(head[4])[:10])
        self.rules: dict[str, Any] = _json(head[5])
        self.areas: dict[str, str] = {code: title for code, title in areas}
        self.sections: dict[str, str] = {code: title for code, title in sections}
        self.milestones: dict[str, list[tuple[str, str, Any, float]]] = {}
        for code, item_code, title, date, share in milestones:
            self.milestones.setdefault(item_code, []).append(
                (code, title, dt.date.fromisoformat(str(date)[:10]), share)
            )
        self.items: list[tuple[Any, ...]] = []
        for row in items:
            (code, title, kind, unit, direction, accumulate, baseline, target, office, deadline,
             checkpoints, area, section, text) = row  # fmt: skip
            steps = [(dt.date.fromisoformat(d), s) for d, s in _json(checkpoints)]
            self.items.append(
                (code, title, kind, unit, direction, accumulate, _json(baseline), _json(target),
                 office, dt.date.fromisoformat(str(deadline)[:10]), steps, area, section, text)
            )  # fmt: skip

    @staticmethod
    def _from_tables(con: Any, plan_id: str, only: str | None) -> tuple[list[Any], ...]:
        current = "WHERE plan_id = ? AND NOT retired"
        areas = con.execute(
            f"SELECT code, title FROM areas {current} ORDER BY position", (plan_id,)
        ).fetchall()
        sections = con.execute(
            f"SELECT code, title FROM sections {current} ORDER BY position", (plan_id,)
        ).fetchall()
        one, params = ("", (plan_id,)) if only is None else (" AND {} = ?", (plan_id, only))
        items = con.execute(
            f"SELECT {', '.join(ITEM_COLUMNS)} FROM items {current}{one.format('code')} "
            "ORDER BY position",
            params,
        ).fetchall()
        milestones = con.execute(
            f"SELECT code, item_code, title, date, share FROM milestones {current}"
            f"{one.format('item_code')} ORDER BY position",
            params,
        ).fetchall()
        return areas, sections, items, milestones

    @staticmethod
    def _from_snapshot(text: str, only: str | None) -> tuple[Any, ...]:
        import json

        data = json.loads(text)

        def rows(name: str, *cols: str, key: str | None = None) -> list[tuple[Any, ...]]:
            return [
                tuple(r[c] for c in cols)
                for r in data[name]
                if not r.get("retired") and (only is None or key is None or r[key] == only)
            ]

        h = data["head"]
        head = (h["id"], h["year"], h["title"], h["start"], h["end"], h["rules"])
        return (
            rows("areas", "code", "title"),
            rows("sections", "code", "title"),
            rows("items", *ITEM_COLUMNS, key="code"),
            rows("milestones", "code", "item_code", "title", "date", "share", key="item_code"),
            head,
        )


# -- progress: what the status rules need from the records ---------------------------------

# (value, done, {milestone: first day done}, last date, latest note)
Progress = tuple[float | None, bool, dict[str, str], str | None, str | None]
NO_PROGRESS: Progress = (None, False, {}, None, None)


def progress(con: Any, plan_id: str, day: Any, only: str | None = None) -> dict[str, Progress]:
    """Every item's progress on ``day`` (or one item's), counted by the database."""
    params = {"p": plan_id, "d": day.isoformat(), "code": only}
    agg = {
        r[0]: r[1:]
        for r in con.execute(
            AGG_SQL.replace("{only}", "AND i.code = :code" if only else ""), params
        )
        if r[1] is not None  # no record yet
    }
    out: dict[str, Progress] = {}
    for code, set_id, set_date, set_value, note in con.execute(
        LATEST_SQL.replace("{only}", "AND i.code = :code" if only else ""), params
    ):
        found = agg.get(code)
        if found is None:
            continue
        last, done, added, ms = found
        if set_id is None:
            value = added
        elif added is None:
            value = set_value
        else:
            (after,) = con.execute(
                ADDED_AFTER_SQL, {**params, "code": code, "sd": set_date, "sid": set_id}
            ).fetchone()
            value = (set_value or 0.0) + (after or 0.0)
        reached: dict[str, str] = {}
        if ms:
            for pair in ms.split(","):
                m_code, _, m_date = pair.partition(" ")
                reached.setdefault(m_code, m_date)
        out[code] = (value, bool(done), reached, last, note)
    return out


def fold(item_code: str, history: list[tuple[Any, ...]], day: str) -> Progress:
    """An item's progress from its history (id, code, date, kind, value, note, …, void reason)."""
    value: float | None = None
    done = False
    reached: dict[str, str] = {}
    last = note = None
    for row in history:
        code, date, kind, number, text, voided = row[1], row[2], row[3], row[4], row[5], row[-1]
        if voided is not None or date > day:
            continue
        last = date
        if text:
            note = text
        if code != item_code:
            if kind == "done":
                reached.setdefault(code, date)
        elif kind in ("set", "percent"):
            value = number
        elif kind == "add":
            value = (value or 0.0) + (number or 0.0)
        elif kind == "done":
            done = True
    return value, done, reached, last, note


# -- the status rules, in plain arithmetic ---------------------------------------------------


def _elapsed(start: Any, end: Any, day: Any) -> float:
    if day < start:
        return 0.0
    if day >= end:
        return 1.0
    return float(((day - start).days + 1) / ((end - start).days + 1))


def _interpolate(points: list[tuple[Any, float]], day: Any) -> float:
    """Piecewise-linear share through (date, share) points; on a date two share, the larger."""
    import itertools

    if day <= points[0][0]:
        return max(s for d, s in points if d == points[0][0])
    for (d0, s0), (d1, s1) in itertools.pairwise(points):
        if day == d1:
            return max(s for d, s in points if d == d1)
        if day < d1:
            return float(s0 + (s1 - s0) * (day - d0).days / (d1 - d0).days)
    return points[-1][1]


def _r(x: float | None, places: int = 6) -> float | None:
    return None if x is None or x != x or x in (float("inf"), float("-inf")) else round(x, places)


def status_of(plan: Plan, item: tuple[Any, ...], prog: Progress, day: Any) -> dict[str, Any]:
    """One item's status on ``day`` as a record of the JSON contract (a subset of kpi's)."""
    import datetime as dt

    (code, title, kind, unit, direction, accumulate, baseline, target, office, deadline, steps,
     area, section, text) = item  # fmt: skip
    value, done, reached, last, note = prog
    milestones = plan.milestones.get(code, [])
    indicator = kind == "indicator"
    # 序时进度
    origin = plan.start - dt.timedelta(days=1)
    steps = steps or [(d, s) for _, _, d, s in milestones]
    if not steps:
        level = indicator and accumulate == "level"
        expected = 1.0 if level else _elapsed(plan.start, deadline, day)
    else:
        points = [(origin, 0.0), *steps]
        if points[-1][0] < deadline and points[-1][1] < 1.0:
            points.append((deadline, 1.0))
        expected = min(1.0, _interpolate(points, day))
    # completion
    t_kind = (target or {}).get("kind") or "at_least" if indicator else "at_least"
    t_value: Any = (target or {}).get("value")
    positive = bool((target or {}).get("positive"))
    b_value: Any = baseline["value"] if baseline else None
    completion: float | None = None
    actual = value
    if indicator:
        if value is not None and t_kind == "at_least" and t_value is not None:
            if direction == "down":
                completion = (b_value - value) / (b_value - t_value)
            elif positive:
                if t_value == 0:
                    completion = 1.0 if value > 0 else 0.0
                else:
                    share = value / t_value
                    grew = value > t_value * (1 + 1e-9) or share < 1
                    completion = share if grew else 1 - 1e-6
            elif t_value == 0:
                completion = 1.0 if value >= 0 else 0.0
            else:
                completion = value / t_value
    else:
        shares = [s for c, _, _, s in milestones if c in reached]
        if done:
            completion = 1.0
        elif value is not None or shares:
            completion = max(value or 0.0, max(shares, default=0.0))
        actual = completion
    # the light
    rules = plan.rules
    overdue_ms: list[str] = []
    overdue = False
    if t_kind == "at_least":
        finished = completion is not None and completion >= 1 - 1e-9
        overdue_ms = [
            c for c, _, d, _ in milestones if d < day and c not in reached and not finished
        ]
        late = deadline < day and not finished
        if positive and deadline <= day and not finished:
            late = True
        overdue = bool(overdue_ms) or late
        if finished:
            light = "done"
        elif overdue:
            light = "red"
        elif completion is None:
            light = "none"
        else:
            if rules.get("mode") == "ratio":
                behind = None if expected <= 0 else round((1 - completion / expected) * 100, 6)
            else:
                behind = round((expected - completion) * 100, 6)
            if behind is None or behind <= rules.get("yellow", 10.0):
                light = "green"
            else:
                light = "yellow" if behind <= rules.get("red", 30.0) else "red"
    elif t_kind == "monitor":
        light = "monitor"
    elif actual is None:
        light = "none"
    else:
        ended = day >= deadline
        heading = actual / expected if expected > 0 else None
        if t_kind == "at_most":
            if actual > t_value + 1e-9:
                light = "red"
            elif ended:
                light = "done"
            elif accumulate != "level" and heading is not None and heading > t_value + 1e-9:
                light = "yellow"
            else:
                light = "green"
        else:  # range
            low, high = target["low"], target["high"]
            inside = low - 1e-9 <= actual <= high + 1e-9
            if accumulate == "level" or ended:
                light = "red" if not inside else "done" if ended else "green"
            elif actual > high + 1e-9:
                light = "red"
            elif heading is not None and not low - 1e-9 <= heading <= high + 1e-9:
                light = "yellow"
            else:
                light = "green"
    done_now = light == "done"
    # remaining, stale, forecast
    remaining: float | None
    if indicator:
        if t_kind != "at_least" or t_value is None:
            remaining = None
        else:
            now = (
                actual
                if actual is not None
                else (b_value if direction == "down" and baseline else 0.0)
            )
            remaining = max(now - t_value, 0.0) if direction == "down" else max(t_value - now, 0.0)
    else:
        remaining = max(1.0 - (completion or 0.0), 0.0)
    since = dt.date.fromisoformat(last) if last else origin
    due = expected > 0 or t_kind != "at_least"
    stale = not done_now and due and (day - since).days >= rules.get("stale_days", 14)
    forecast = None
    if actual is not None:
        if done_now:
            forecast = actual
        elif _elapsed(plan.start, plan.end, day) >= 0.1:
            if indicator and accumulate == "level":
                forecast = actual
            elif expected > 0:
                forecast = min(actual / expected, 1.0) if not indicator else actual / expected
    b, tg = baseline or {}, target or {}
    return {
        "plan": plan.id,
        "code": code,
        "title": title,
        "area": {"code": area, "title": plan.areas.get(area)},
        "section": {"code": section, "title": plan.sections.get(section)},
        "kind": kind,
        "unit": unit,
        "text": text,
        "baseline": {"value": b_value, "year": b.get("year"), "source": b.get("source")},
        "target": {
            "kind": tg.get("kind"),
            "value": _r(t_value),
            "basis": tg.get("basis"),
            "min": tg.get("low"),
            "max": tg.get("high"),
            "source": tg.get("source"),
            "note": tg.get("note"),
        },
        "actual": _r(actual),
        "remaining": _r(remaining),
        "completion": _r(completion),
        "expected": _r(expected),
        "gap_points": None
        if completion is None
        else _r(round((completion - expected) * 100, 6), 2),
        "status": light,
        "overdue": overdue,
        "overdue_milestones": overdue_ms,
        "milestones": [
            {"code": c, "title": t, "date": d.isoformat(), "share": s, "done": reached.get(c)}
            for c, t, d, s in milestones
        ],
        "lead_office": office,
        "deadline": deadline.isoformat(),
        "last_update": last,
        "stale": stale,
        "forecast": _r(forecast),
        "latest_note": note,
        "as_of": day.isoformat(),
    }


def statuses(con: Any, plan: Plan, day: Any) -> list[dict[str, Any]]:
    """Every item of ``plan`` on ``day``, in plan order."""
    found = progress(con, plan.id, day)
    return [status_of(plan, i, found.get(i[0], NO_PROGRESS), day) for i in plan.items]


# -- the commands ----------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}".rstrip("0").rstrip(".")


def _line(r: dict[str, Any]) -> str:
    return (
        f"{r['code']:<10} {r['title'][:24]:<24} {r['lead_office']:<10} "
        f"{_num(r['baseline']['value']):>10} {_num(r['target']['value']):>10} "
        f"{_num(r['actual']) if r['kind'] == 'indicator' else _pct(r['actual']):>10} "
        f"{_pct(r['completion']):>8} {'—' if r['gap_points'] is None else r['gap_points']:>8} "
        f"{r['status']}"
    )


def _area_counts(plan: Plan, records: list[dict[str, Any]]) -> list[str]:
    counts: dict[str, dict[str, int]] = {code: {} for code in plan.areas}
    for r in records:
        area = counts.setdefault(r["area"]["code"], {})
        area[r["status"]] = area.get(r["status"], 0) + 1
    return [
        f"{code} {plan.areas.get(code)}: " + " ".join(f"{k} {v}" for k, v in sorted(c.items()))
        for code, c in counts.items()
    ]


def _open(args: list[str]) -> tuple[Any, str, list[str]]:
    chosen, rest = _take_plan(args)
    con = _connect()
    return con, choose_plan(con, chosen, _today()), rest


def status(args: list[str]) -> None:
    con, plan_id, rest = _open(args)
    plan = Plan(con, plan_id)
    records = statuses(con, plan, plan.day)
    if "--json" in rest:
        import json

        # One record a line, as kpi writes it (json's fast encoder; ``indent`` is the slow one).
        dumps = json.dumps
        print("[\n" + ",\n".join(dumps(r, ensure_ascii=False) for r in records) + "\n]")
        return
    lines = [f"{plan.id} {plan.title} as of {plan.day.isoformat()}"]
    section = None
    for r in records:
        if r["section"]["code"] != section:
            section = r["section"]["code"]
            lines.append(f"\n{section} {r['section']['title']}")
        lines.append(_line(r))
    lines.append("")
    lines += _area_counts(plan, records)
    print("\n".join(lines))


def _item_of(con: Any, plan_id: str, text: str) -> str | None:
    """The item ``text`` names (``plans.item_of``): a code, a milestone's code, else the one
    title (then milestone title) holding it."""
    query = text.strip()
    for table, column in (("items", "code"), ("milestones", "item_code")):
        found = con.execute(
            f"SELECT {column} FROM {table} WHERE plan_id = ? AND NOT retired AND code = ?",
            (plan_id, query),
        ).fetchone()
        if found:
            return str(found[0])
    folded = query.casefold()
    for table, column in (("items", "code"), ("milestones", "item_code")):
        hits = {
            code
            for code, title in con.execute(
                f"SELECT {column}, title FROM {table} WHERE plan_id = ? AND NOT retired", (plan_id,)
            )
            if folded in title.casefold()
        }
        if hits:
            return hits.pop() if len(hits) == 1 else None
    return None


def show(args: list[str]) -> None:
    con, plan_id, rest = _open(args)
    item_code = _item_of(con, plan_id, rest[0])
    if item_code is None:
        raise Refused(f"no item {rest[0]}")
    plan = Plan(con, plan_id, only=item_code)
    if not plan.items:
        raise Refused(f"{item_code} is not in the plan in effect on {plan.day.isoformat()}")
    history = con.execute(
        'SELECT u.id, u.code, u.date, u.kind, u.value, u.note, u."by", u.os_user, u.recorded_at, '
        "u.origin, v.reason FROM updates u LEFT JOIN voids v ON v.update_id = u.id "
        "WHERE u.plan_id = ? AND u.item_code = ? ORDER BY u.date, u.id",
        (plan_id, item_code),
    ).fetchall()
    day = plan.day
    r = status_of(plan, plan.items[0], fold(item_code, history, day.isoformat()), day)
    b, tg = r["baseline"], r["target"]
    out = [
        _line(r),
        r["text"],
        f"baseline {b['year']}: {_num(b['value'])} — {b['source']}",
        f"target ({tg['kind']}, {tg['basis']}): {_num(tg['value'])} {tg['source'] or tg['note']}",
        f"expected {_pct(r['expected'])}, last update {r['last_update']}, stale {r['stale']}",
    ]
    for m in r["milestones"]:
        out.append(f"  {m['code']} {m['title']} {m['date']} {_pct(m['share'])} {m['done'] or ''}")
    out += ["  #{} {} {} {} {} {} {} {} {} {} {}".format(*row) for row in history]
    print("\n".join(out))


def weekly(args: list[str]) -> None:
    import datetime as dt
    from concurrent.futures import ThreadPoolExecutor

    con, plan_id, _ = _open(args)
    day = plan_day(con, plan_id)
    start, week_before = day - dt.timedelta(days=6), day - dt.timedelta(days=7)

    def counted(d: Any) -> dict[str, Progress]:
        mine = _connect()  # a connection per thread: SQLite counts both days at once
        try:
            return progress(mine, plan_id, d)
        finally:
            mine.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        found = pool.map(counted, [day, week_before])
        # Meanwhile the plan in effect on each day, read once when both days have the same.
        read: dict[Any, Plan] = {}
        plans = []
        for d in (day, week_before):
            key = _version_in_effect(con, plan_id, d)
            if key not in read:
                read[key] = Plan(con, plan_id, d)
            plans.append(read[key])
        counts = list(found)
    plan, plan_before = plans
    now = [status_of(plan, i, counts[0].get(i[0], NO_PROGRESS), day) for i in plan.items]
    then = [
        status_of(plan_before, i, counts[1].get(i[0], NO_PROGRESS), week_before)
        for i in plan_before.items
    ]
    before = {r["code"]: r["status"] for r in then}
    year, week, _ = day.isocalendar()
    out = [f"{plan.id} {plan.title} week {year}-W{week:02d}, as of {day.isoformat()}"]
    out += _area_counts(plan, now)
    out.append("\nthis week:")
    titles = {i[0]: i[1] for i in plan.items}
    for row in con.execute(
        'SELECT u.id, u.code, u.item_code, u.date, u.kind, u.value, u.note, u."by" FROM updates u '
        "WHERE u.plan_id = ? AND u.date >= ? AND u.date <= ? "
        "AND u.id NOT IN (SELECT update_id FROM voids) ORDER BY u.date, u.id",
        (plan_id, start.isoformat(), day.isoformat()),
    ):
        if row[2] in titles:
            out.append("  #{} {} {} {} {} {} {}".format(*row[:2], *row[3:]) + f" {titles[row[2]]}")
    out.append("\nred and yellow:")
    for r in sorted(
        (r for r in now if r["status"] in ("red", "yellow")),
        key=lambda r: (
            r["status"] != "red",
            r["gap_points"] if r["gap_points"] is not None else -1e9,
        ),
    ):
        out.append("  " + _line(r) + f"  {r['latest_note'] or ''}")
    due, overdue = [], []
    for r in now:
        if r["status"] == "done":
            continue
        for m in r["milestones"]:
            if m["done"]:
                continue
            days = (dt.date.fromisoformat(m["date"]) - day).days
            if 0 <= days <= 14:
                due.append((m["date"], m["code"], m["title"], days))
            elif days < 0:
                overdue.append((m["date"], m["code"], m["title"], days))
    for name, rows in (("due", due), ("overdue", overdue)):
        out.append(f"\nmilestones {name}:")
        for date, m_code, title, days in sorted(rows):
            out.append(f"  {m_code} {title} {date} ({days:+d} days)")
    out.append("\nstale, by office:")
    stale: dict[str, list[str]] = {}
    for r in now:
        if r["stale"]:
            since = (
                (day - dt.date.fromisoformat(r["last_update"])).days if r["last_update"] else "—"
            )
            stale.setdefault(r["lead_office"], []).append(f"{r['code']} {r['title']} ({since})")
    for office in sorted(stale, key=lambda o: (-len(stale[o]), o)):
        out.append(f"  {office}: " + ", ".join(stale[office]))
    out.append("\nchanged since last week:")
    for r in now:
        if r["code"] in before and before[r["code"]] != r["status"]:
            out.append(f"  {r['code']} {before[r['code']]} → {r['status']}")
    print("\n".join(out))


def _completion_plan(con: Any, chosen: str | None, today: Any) -> str | None:
    """The plan completion uses (``kpi.cli.quick.plan_id``): the one asked for if in use, else
    the one in use whose period holds today, else the one ending last; None if there is none."""
    day = today.isoformat()
    rows = con.execute(
        'SELECT id, start, "end" FROM plans WHERE NOT retired ORDER BY start, id'
    ).fetchall()
    if chosen:
        rows = [r for r in rows if r[0] == chosen]
    if not rows:
        return None
    current = [r for r in rows if r[1] <= day <= r[2]]
    return str((current or sorted(rows, key=lambda r: r[2]))[-1][0])


def complete(args: list[str]) -> None:
    import shlex

    words = shlex.split(os.environ.get("COMP_WORDS", ""))
    cword = int(os.environ.get("COMP_CWORD", "0"))
    incomplete = words[cword] if cword < len(words) else ""
    before = words[1:cword]
    given: dict[str, str] = {}
    while len(before) > 1 and before[0] in GLOBAL_OPTIONS:
        given[before[0]] = before[1]
        before = before[2:]
    if not before:
        for name, _ in COMMANDS:
            if name.startswith(incomplete):
                print(name)
        return
    if len(before) != 1 or before[0] not in ITEM_COMMANDS or incomplete.startswith("-"):
        return
    if not os.path.isfile(os.environ.get("KPI_DB", "")):  # completion never makes a database
        return
    con = _connect()
    chosen = given.get("--plan") or given.get("-p") or os.environ.get("KPI_PLAN")
    plan_id = _completion_plan(con, chosen, _today())
    if plan_id is None:
        return
    typed = incomplete.strip()
    names = (
        "SELECT code, title FROM (SELECT code, title, 0 AS t, position FROM items "
        "WHERE plan_id = :p AND NOT retired AND {cond} UNION ALL "
        "SELECT code, title, 1, position FROM milestones WHERE plan_id = :p AND NOT retired "
        "AND {cond}) ORDER BY t, position"
    )
    found = con.execute(
        names.format(cond="substr(code, 1, length(:typed)) = :typed"),
        {"p": plan_id, "typed": typed},
    ).fetchall()
    if not found and typed:
        found = con.execute(
            names.format(cond="instr(title, :typed) > 0"), {"p": plan_id, "typed": typed}
        ).fetchall()
    if len(found) > 1:
        lines = [f"{code} {title}" for code, title in found]
        if not all(code.startswith(typed) for code, _ in found):
            lines.append(typed)
        print("\n".join(lines))
    elif found:
        print(found[0][0])


def help_(args: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="kpi",
        description="kpi —— 新江湾城街道年度工作安排进度跟踪（对照上年基数）。",
        add_help=False,
        epilog="示例：\n  kpi                      一屏概况：各状态项数、最落后的几项、待更新\n"
        "  kpi status --sort gap    全部条目，最落后的在前\n"
        '  kpi update 招引企业 5 --note "本周新签约5家"\n'
        "  kpi report weekly --out reports/{year}-W{week}.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db",
        help="数据库文件或地址。不写时依次用：环境变量 KPI_DB，~/.config/kpi/config.toml 中的 db，"
        "当前目录下的 db/kpi.sqlite。［环境变量：KPI_DB］",
    )
    parser.add_argument("--lang", help="语言：zh（中文）或 en（英文）。［环境变量：KPI_LANG］")
    parser.add_argument(
        "-p",
        "--plan",
        help="要查看或填报的计划（其 id，如 xjw-2025）；kpi status 和 kpi report weekly 可写 all "
        "并列查看全部计划。默认：只有一个计划时用它，否则用期内包含今天的那个。［环境变量：KPI_PLAN］",
    )
    parser.add_argument(
        "--plan-version",
        help="写 latest：按现行计划重算过去（默认按每一天当时有效的计划版本）。",
    )
    parser.add_argument("--debug", action="store_true", help="出错时显示调用栈。")
    parser.add_argument("-V", "--version", action="store_true", help="显示版本并退出。")
    parser.add_argument(
        "--install-completion",
        action="store_true",
        help="为当前的 shell 安装 Tab 补全（之后新开一个终端）。",
    )
    parser.add_argument(
        "--show-completion",
        action="store_true",
        help="显示当前 shell 的补全脚本，可复制后自行安装。",
    )
    parser.add_argument("-h", "--help", action="store_true", help="显示本帮助并退出。")
    sub = parser.add_subparsers(title="命令", metavar="命令")
    for name, text in COMMANDS:
        sub.add_parser(name, help=text)
    parser.print_help()


def import_(args: list[str]) -> None:
    """csv.reader, the value's syntax to (kind, value), one executemany in one transaction."""
    import csv
    import datetime as dt
    import getpass

    con, plan_id, rest = _open(args)
    path = rest[0]
    con.isolation_level = None
    milestones = dict(
        con.execute(
            "SELECT code, item_code FROM milestones WHERE plan_id = ? AND NOT retired", (plan_id,)
        ).fetchall()
    )
    user = getpass.getuser()
    # Times are kept as UTC text, as kpi's SQLite engine writes them.
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    origin = f"import:{os.path.basename(path)}"

    def kind_value(text: str) -> tuple[str, float | None]:
        if text[0] == "+":
            return "add", float(text[1:])
        if text[0] == "=":
            return "set", float(text[1:])
        if text[-1] == "%":
            return "percent", float(text[:-1]) / 100
        return "done", None

    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)  # code,date,value,note,by
        for code, date, value, note, by in reader:
            kind, number = kind_value(value)
            item_code = milestones.get(code, code)
            rows.append((plan_id, code, item_code, date, kind, number, note or None, by, user, now, origin))  # fmt: skip
    con.execute("BEGIN IMMEDIATE")
    con.executemany(
        'INSERT INTO updates (plan_id, code, item_code, date, kind, value, note, "by", os_user, '
        "recorded_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    con.execute("COMMIT")
    print(f"imported {len(rows)} records")


def load(args: list[str]) -> None:
    import yaml

    with open(args[0], encoding="utf-8") as fh:
        text = fh.read()
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    print(f"parsed {len(data['areas'])} areas")


FLOORS = {
    "help": help_,
    "complete": complete,
    "status": status,
    "show": show,
    "weekly": weekly,
    "import": import_,
    "load": load,
}


if __name__ == "__main__":
    try:
        FLOORS[sys.argv[1]](sys.argv[2:])
    except Refused as exc:
        print(f"floor: {exc}", file=sys.stderr)
        sys.exit(1)
