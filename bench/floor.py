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

Status is two queries, voided records left out: the items, each with its latest value and note
as of the date by a correlated subquery over the index on ``(plan_year, item_code, date, …)``
(``ix_updates_item_date``, or since migration 0003 ``ix_updates_progress``); and, in one pass
grouped by item, the last date, the sum of additions (a count), whether the task is done and which
milestones are. Then plain arithmetic per item. Only ``load`` imports a third-party module (PyYAML, which is what it measures).
"""

from __future__ import annotations

import os
import sys
from typing import Any

COMMANDS = [
    (
        "load",
        "Load (sync) the plan from a targets file: items matched by code, removed ones retired.",
    ),
    ("status", "The plan by area and section: baseline, target, actual, completion, gap, light."),
    (
        "show",
        "Everything about one item: the report's text, baseline and source, target, progress, history.",
    ),
    ("update", "Record progress: an amount for an indicator, or the share done of a task."),
    ("done", "Mark a task or one of its milestones as finished."),
    ("undo", "Void your own last record (it stays in the history, marked void)."),
    (
        "void",
        "Void any record, with a reason; to correct a figure, void it and record the right one.",
    ),
    ("history", "Every record, oldest first, voided ones marked."),
    ("import", "Import updates from a CSV or Excel file, all or nothing."),
    ("export", "Export status and history to CSV, Excel or JSON."),
    ("report", "Progress summaries for leaders."),
    ("db", "Database maintenance."),
]
ITEM_COMMANDS = {"show", "update", "done", "history"}

NOT_VOID = "NOT EXISTS (SELECT 1 FROM voids v WHERE v.update_id = u.id)"
MINE = f"u.plan_year = i.plan_year AND u.item_code = i.code AND u.date <= :d AND {NOT_VOID}"
# The items, each with its latest value and latest note as of :d: correlated subqueries that walk
# the index (plan_year, item_code, date) backwards from :d and stop at the first valid record.
ITEMS_SQL = f"""
SELECT i.code, i.title, i.kind, i.unit, i.direction, i.accumulate,
       i.baseline_value, i.baseline_year, i.baseline_source, i.target_value, i.target_basis,
       i.lead_office, i.deadline, i.checkpoints, i.area_code, i.section_code,
       (SELECT u.value FROM updates u
        WHERE {MINE} AND u.code = i.code AND u.kind IN ('set', 'percent')
        ORDER BY u.date DESC, u.id DESC LIMIT 1) AS latest_value,
       (SELECT u.note FROM updates u WHERE {MINE} AND u.note IS NOT NULL
        ORDER BY u.date DESC, u.id DESC LIMIT 1) AS latest_note
FROM items i
WHERE i.plan_year = :y AND NOT i.retired {{only}}
ORDER BY i.position
"""
# What needs every record up to :d, per item, in one pass: the last date, the sum of additions,
# whether the task is done, the milestones done. For one item, the index. For the whole plan, an
# index that covers these columns if the schema has one (0003's ix_updates_progress); otherwise a
# scan of the table beats 10,000 index walks that each pay a table lookup per record.
AGG_SQL = f"""
SELECT u.item_code, max(u.date),
       sum(CASE WHEN u.kind = 'add' THEN u.value END),
       sum(u.kind = 'done' AND u.code = u.item_code),
       group_concat(CASE WHEN u.kind = 'done' AND u.code <> u.item_code THEN u.code END)
FROM updates u {{hint}}
WHERE u.plan_year = :y AND u.date <= :d AND {NOT_VOID} {{only}}
GROUP BY u.item_code
"""


def _connect() -> Any:
    import sqlite3

    return sqlite3.connect(os.environ["KPI_DB"])


def _today() -> Any:
    import datetime as dt

    given = os.environ.get("KPI_TODAY")
    return dt.date.fromisoformat(given) if given else dt.date.today()


class Plan:
    """The plan's head, areas, sections and milestones: the small tables, read whole."""

    def __init__(self, con: Any) -> None:
        import datetime as dt
        import json

        today = _today()
        heads = con.execute('SELECT year, start, "end", rules FROM plans ORDER BY year').fetchall()
        current = [h for h in heads if h[0] <= today.year] or heads
        year, start, end, rules = current[-1]
        self.year: int = year
        self.start = dt.date.fromisoformat(start)
        self.end = dt.date.fromisoformat(end)
        self.rules: dict[str, Any] = json.loads(rules)
        self.day = min(max(today, self.start), self.end)
        self.areas = dict(
            con.execute(
                "SELECT code, title FROM areas WHERE plan_year = ? AND NOT retired ORDER BY position",
                (year,),
            ).fetchall()
        )
        self.sections = dict(
            con.execute(
                "SELECT code, title FROM sections WHERE plan_year = ? AND NOT retired", (year,)
            ).fetchall()
        )
        self.milestones: dict[str, list[tuple[str, str, Any, float]]] = {}
        for code, item_code, title, date, share in con.execute(
            "SELECT code, item_code, title, date, share FROM milestones "
            "WHERE plan_year = ? AND NOT retired ORDER BY position",
            (year,),
        ):
            self.milestones.setdefault(item_code, []).append(
                (code, title, dt.date.fromisoformat(date), share)
            )


def _covering(con: Any) -> bool:
    """Whether an index of ``updates`` holds every column the per-item pass reads."""
    need = {"plan_year", "item_code", "date", "kind", "code", "value"}
    for row in con.execute("PRAGMA index_list(updates)"):
        if need <= {r[2] for r in con.execute(f'PRAGMA index_info("{row[1]}")')}:
            return True
    return False


def _interpolate(points: list[tuple[Any, float]], day: Any) -> float:
    import itertools

    if day <= points[0][0]:
        return points[0][1]
    for (d0, s0), (d1, s1) in itertools.pairwise(points):
        if day <= d1:
            return float(s0 + (s1 - s0) * (day - d0).days / max((d1 - d0).days, 1))
    return points[-1][1]


def statuses(con: Any, plan: Plan, day: Any, only: str | None = None) -> list[dict[str, Any]]:
    """Every item's status on ``day`` (or one item's), as records of the JSON contract."""
    import datetime as dt
    import json

    params = {"y": plan.year, "d": day.isoformat(), "code": only}
    agg_sql = AGG_SQL.replace("{only}", "AND u.item_code = :code" if only else "")
    agg_sql = agg_sql.replace("{hint}", "" if only or _covering(con) else "NOT INDEXED")
    agg = {r[0]: r[1:] for r in con.execute(agg_sql, params)}
    sql = ITEMS_SQL.replace("{only}", "AND i.code = :code" if only else "")
    rows = con.execute(sql, params).fetchall()
    rules = plan.rules
    stale_days = rules.get("stale_days", 14)
    yellow, red = rules.get("yellow", 10.0), rules.get("red", 30.0)
    origin = plan.start - dt.timedelta(days=1)
    out = []
    for (code, title, kind, unit, direction, accumulate, b_value, b_year, b_source, t_value,
         t_basis, office, deadline, checkpoints, area, section, latest, note) in rows:  # fmt: skip
        last, added, done, ms_done = agg.get(code, (None, None, 0, None))
        value = added if kind == "indicator" and accumulate == "sum" else latest
        deadline = dt.date.fromisoformat(deadline)
        milestones = plan.milestones.get(code, [])
        steps = [(dt.date.fromisoformat(d), s) for d, s in json.loads(checkpoints)] or [
            (d, s) for _, _, d, s in milestones
        ]
        if steps:
            points = [(origin, 0.0), *steps]
            if points[-1][0] < deadline and points[-1][1] < 1:
                points.append((deadline, 1.0))
            expected = min(1.0, _interpolate(points, day))
        elif day >= deadline:
            expected = 1.0
        else:
            expected = ((day - plan.start).days + 1) / ((deadline - plan.start).days + 1)
        reached = set(ms_done.split(",")) if ms_done else set()
        if kind == "indicator":
            actual = value
            completion = None
            if value is not None:
                completion = (
                    (b_value - value) / (b_value - t_value)
                    if direction == "down"
                    else value / t_value
                )
            base = b_value if direction == "down" and b_value is not None else 0.0
            now = base if value is None else value
            remaining = max(now - t_value, 0.0) if direction == "down" else max(t_value - now, 0.0)
        else:
            shares = [s for c, _, _, s in milestones if c in reached]
            completion = (
                1.0
                if done
                else (max([value or 0.0, *shares]) if value is not None or shares else None)
            )
            actual = completion
            remaining = max(1.0 - (completion or 0.0), 0.0)
        finished = completion is not None and completion >= 1 - 1e-9
        overdue_ms = [
            c for c, _, d, _ in milestones if d < day and c not in reached and not finished
        ]
        overdue = bool(overdue_ms) or (deadline < day and not finished)
        gap = None if completion is None else round(round((completion - expected) * 100, 6), 2)
        if finished:
            light = "done"
        elif overdue:
            light = "red"
        elif completion is None:
            light = "none"
        else:
            behind = round((expected - completion) * 100, 6)
            light = "green" if behind <= yellow else "yellow" if behind <= red else "red"
        since = dt.date.fromisoformat(last) if last else origin
        out.append(
            {
                "code": code,
                "title": title,
                "area": {"code": area, "title": plan.areas.get(area)},
                "section": {"code": section, "title": plan.sections.get(section)},
                "kind": kind,
                "unit": unit,
                "baseline": {"value": b_value, "year": b_year, "source": b_source},
                "target": {"value": t_value, "basis": t_basis},
                "actual": None if actual is None else round(actual, 6),
                "remaining": round(remaining, 6),
                "completion": None if completion is None else round(completion, 6),
                "expected": round(expected, 6),
                "gap_points": gap,
                "status": light,
                "overdue": overdue,
                "overdue_milestones": overdue_ms,
                "lead_office": office,
                "deadline": deadline.isoformat(),
                "last_update": last,
                "stale": not finished and (day - since).days >= stale_days,
                "latest_note": note,
                "as_of": day.isoformat(),
            }
        )
    return out


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


def status(args: list[str]) -> None:
    con = _connect()
    plan = Plan(con)
    records = statuses(con, plan, plan.day)
    if "--json" in args:
        import json

        print(json.dumps(records, ensure_ascii=False, indent=2))
        return
    print(f"{plan.year} as of {plan.day.isoformat()}")
    section = None
    for r in records:
        if r["section"]["code"] != section:
            section = r["section"]["code"]
            print(f"\n{section} {r['section']['title']}")
        print(_line(r))
    print()
    for code, title in plan.areas.items():
        counts: dict[str, int] = {}
        for r in records:
            if r["area"]["code"] == code:
                counts[r["status"]] = counts.get(r["status"], 0) + 1
        print(f"{code} {title}: " + " ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def show(args: list[str]) -> None:
    con = _connect()
    plan = Plan(con)
    code = args[0]
    found = con.execute(
        "SELECT item_code FROM milestones WHERE plan_year = ? AND code = ?", (plan.year, code)
    ).fetchone()
    item_code = found[0] if found else code
    (r,) = statuses(con, plan, plan.day, only=item_code)
    print(_line(r))
    print(f"baseline {r['baseline']['year']}: {r['baseline']['source']}")
    print(f"expected {_pct(r['expected'])}, last update {r['last_update']}, stale {r['stale']}")
    for m_code, title, date, share in plan.milestones.get(item_code, []):
        print(f"  {m_code} {title} {date.isoformat()} {_pct(share)}")
    for row in con.execute(
        'SELECT u.id, u.code, u.date, u.kind, u.value, u.note, u."by", u.recorded_at, v.reason '
        "FROM updates u LEFT JOIN voids v ON v.update_id = u.id "
        "WHERE u.plan_year = ? AND u.item_code = ? ORDER BY u.date, u.id",
        (plan.year, item_code),
    ):
        print("  #{} {} {} {} {} {} {} {} {}".format(*row))


def weekly(args: list[str]) -> None:
    import datetime as dt

    con = _connect()
    plan = Plan(con)
    day = plan.day
    now = statuses(con, plan, day)
    before = {r["code"]: r["status"] for r in statuses(con, plan, day - dt.timedelta(days=7))}
    year, week, _ = day.isocalendar()
    print(f"{plan.year} week {year}-W{week:02d}, as of {day.isoformat()}")
    for code, title in plan.areas.items():
        counts: dict[str, int] = {}
        for r in now:
            if r["area"]["code"] == code:
                counts[r["status"]] = counts.get(r["status"], 0) + 1
        print(f"{code} {title}: " + " ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print("\nthis week:")
    for row in con.execute(
        'SELECT u.id, u.code, u.date, u.kind, u.value, u.note, u."by", i.title '
        "FROM updates u JOIN items i ON i.plan_year = u.plan_year AND i.code = u.item_code "
        f"WHERE u.plan_year = ? AND u.date > ? AND u.date <= ? AND {NOT_VOID} ORDER BY u.date, u.id",
        (plan.year, (day - dt.timedelta(days=7)).isoformat(), day.isoformat()),
    ):
        print("  #{} {} {} {} {} {} {} {}".format(*row))
    print("\nred and yellow:")
    for r in sorted(
        (r for r in now if r["status"] in ("red", "yellow")),
        key=lambda r: (
            r["status"] != "red",
            r["gap_points"] if r["gap_points"] is not None else -1e9,
        ),
    ):
        print("  " + _line(r) + f"  {r['latest_note'] or ''}")
    print("\nmilestones due or overdue:")
    by_code = {r["code"]: r for r in now}
    for item_code, ms in plan.milestones.items():
        rec = by_code.get(item_code)
        if rec is None or rec["status"] == "done":
            continue
        for m_code, title, date, _ in ms:
            days = (date - day).days
            if days <= 14 and (days >= 0 or m_code in rec["overdue_milestones"]):
                print(f"  {m_code} {title} {date.isoformat()} ({days:+d} days)")
    print("\nstale, by office:")
    stale: dict[str, list[str]] = {}
    for r in now:
        if r["stale"]:
            stale.setdefault(r["lead_office"], []).append(f"{r['code']} {r['title']}")
    for office in sorted(stale, key=lambda o: (-len(stale[o]), o)):
        print(f"  {office}: " + ", ".join(stale[office]))
    print("\nchanged since last week:")
    for r in now:
        if before.get(r["code"], r["status"]) != r["status"]:
            print(f"  {r['code']} {before[r['code']]} → {r['status']}")


def complete(args: list[str]) -> None:
    import shlex

    words = shlex.split(os.environ.get("COMP_WORDS", ""))
    cword = int(os.environ.get("COMP_CWORD", "0"))
    incomplete = words[cword] if cword < len(words) else ""
    if cword == 1:
        for name, _ in COMMANDS:
            if name.startswith(incomplete):
                print(name)
        return
    if cword == 2 and words[1] in ITEM_COMMANDS:
        con = _connect()
        (year,) = con.execute(
            "SELECT max(year) FROM plans WHERE year <= ?", (_today().year,)
        ).fetchone()
        like = incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for (code,) in con.execute(
            "SELECT code FROM items WHERE plan_year = :y AND NOT retired AND code LIKE :p ESCAPE '\\' "
            "UNION ALL SELECT code FROM milestones "
            "WHERE plan_year = :y AND NOT retired AND code LIKE :p ESCAPE '\\'",
            {"y": year, "p": like},
        ):
            print(code)


def help_(args: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="kpi",
        description="kpi — 新江湾城街道年度工作安排进度跟踪 (track the annual work plan against last year).",
    )
    parser.add_argument(
        "--db", help="Database file or URL [default: db/kpi.sqlite]. [env var: KPI_DB]"
    )
    parser.add_argument("--lang", help="Language: zh or en. [env var: KPI_LANG]")
    parser.add_argument("--debug", action="store_true", help="Show tracebacks.")
    parser.add_argument(
        "--install-completion",
        action="store_true",
        help="Install completion for the current shell.",
    )
    parser.add_argument(
        "--show-completion", action="store_true", help="Show completion for the current shell."
    )
    sub = parser.add_subparsers(title="Commands", metavar="COMMAND")
    for name, text in COMMANDS:
        sub.add_parser(name, help=text)
    parser.print_help()


def import_(args: list[str]) -> None:
    """csv.reader, the value's syntax to (kind, value), one executemany in one transaction."""
    import csv
    import datetime as dt
    import getpass

    path = args[0]
    con = _connect()
    con.isolation_level = None
    (plan,) = con.execute(
        "SELECT id FROM plans WHERE year <= ? ORDER BY year DESC, id LIMIT 1", (_today().year,)
    ).fetchone()
    has_origin = any(r[1] == "origin" for r in con.execute("PRAGMA table_info(updates)"))
    user = getpass.getuser()
    now = dt.datetime.now().replace(microsecond=0).isoformat(sep=" ") + ".000000"
    extra = (f"import:{os.path.basename(path)}",) if has_origin else ()

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
            item_code = code.split("-")[0]
            rows.append(
                (plan, code, item_code, date, kind, number, note or None, by, user, now, *extra)
            )
    cols = 'plan_id, code, item_code, date, kind, value, note, "by", os_user, recorded_at'
    cols += ", origin" if has_origin else ""
    marks = ", ".join("?" for _ in range(len(rows[0]))) if rows else ""
    con.execute("BEGIN IMMEDIATE")
    con.executemany(f"INSERT INTO updates ({cols}) VALUES ({marks})", rows)
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
    FLOORS[sys.argv[1]](sys.argv[2:])
