"""The weekly progress summary: statuses → a report model → text, Markdown and JSON.

Leaders never type commands; they read what cron writes every Monday. Everything here is computed
from the plan and the history as of one date, so any past week can be reproduced exactly:

- the week is the ISO week of the as-of date; "this week" is the seven days ending on it, so a
  Monday-morning run reports the whole week just gone;
- changes since last week compare each item's light as of the date with its light seven days
  earlier;
- the 催办 list groups items nobody has updated for ``stale_days`` by their lead office.

The HTML form lives in ``report_html``; this module has no terminal and no database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kpi.formats import light_word, md_cell, pct, points, to_markdown
from kpi.messages import t
from kpi.plan import Item, Milestone, Plan
from kpi.status import ItemStatus, Light, PlanStatus, Rollup, Update, plan_status

WINDOW_DAYS = 7
LOOKAHEAD_DAYS = 14
# Rows per list that a person reads (text, Markdown, HTML): an office's summary never reaches it;
# a district's (thousands of late items, tens of thousands of records a week) would be unreadable
# and slow to lay out. JSON always holds everything.
READING_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Record:
    """One update of the week, in words."""

    update: Update
    item: Item
    milestone: Milestone | None


@dataclass(frozen=True, slots=True)
class Due:
    milestone: Milestone
    item: Item
    days: int  # until its date (negative: days overdue)


@dataclass(frozen=True, slots=True)
class Change:
    status: ItemStatus
    before: Light

    @property
    def better(self) -> bool:
        from kpi.status import SEVERITY

        return SEVERITY.index(self.status.light) > SEVERITY.index(self.before)


@dataclass(frozen=True, slots=True)
class StaleItem:
    status: ItemStatus
    days: int | None  # since the last record; None when nothing was ever recorded


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    plan: Plan
    as_of: dt.date
    year: int
    week: int
    window_start: dt.date
    status: PlanStatus
    records: tuple[Record, ...]
    attention: tuple[ItemStatus, ...]  # red then yellow, furthest behind first
    due: tuple[Due, ...]  # milestones due in the next two weeks
    overdue: tuple[Due, ...]
    stale: dict[str, tuple[StaleItem, ...]]  # lead office → its items to update
    changes: tuple[Change, ...]
    omitted: dict[str, int] = field(default_factory=dict)  # list → rows left out for reading

    @property
    def overall(self) -> Rollup:
        assert self.status.overall is not None
        return self.status.overall

    @property
    def areas(self) -> list[Rollup]:
        return [self.status.areas[a.code] for a in self.plan.areas]

    def count(self, light: Light) -> int:
        return self.overall.counts.get(light, 0)


def window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The seven days a summary as of ``as_of`` covers, and the day a week before it."""
    return as_of - dt.timedelta(days=WINDOW_DAYS - 1), as_of - dt.timedelta(days=WINDOW_DAYS)


def build_weekly(plan: Plan, updates: Sequence[Update], as_of: dt.date) -> WeeklyReport:
    """The summary of the week ending ``as_of``, from the plan and every record."""
    start, week_before = window(as_of)
    return build_weekly_from(
        plan,
        plan_status(plan, updates, as_of),
        plan_status(plan, updates, week_before),
        [u for u in updates if start <= u.date <= as_of],
        as_of,
    )


def build_weekly_from(
    plan: Plan, now: PlanStatus, before: PlanStatus, week: Sequence[Update], as_of: dt.date
) -> WeeklyReport:
    """The summary from the statuses on ``as_of`` and a week before, and the week's records."""
    window_start, _ = window(as_of)
    year, week_no, _ = as_of.isocalendar()
    records = tuple(
        Record(u, plan.item(u.item_code), plan.milestone(u.code))
        for u in sorted(week, key=lambda u: (u.date, u.id))
        if not u.voided and window_start <= u.date <= as_of and plan.has(u.item_code)
    )
    attention = tuple(
        sorted(
            (s for s in now.items if s.light in (Light.RED, Light.YELLOW)),
            key=lambda s: (
                s.light != Light.RED,
                s.gap_points if s.gap_points is not None else -1e9,
            ),
        )
    )
    due: list[Due] = []
    overdue: list[Due] = []
    for s in now.items:
        for m in s.item.milestones:
            if m.code in s.milestones_done or s.light == Light.DONE:
                continue
            days = (m.date - as_of).days
            if 0 <= days <= LOOKAHEAD_DAYS:
                due.append(Due(m, s.item, days))
            elif days < 0:
                overdue.append(Due(m, s.item, days))
    due.sort(key=lambda d: (d.milestone.date, d.milestone.code))
    overdue.sort(key=lambda d: (d.milestone.date, d.milestone.code))

    stale: dict[str, list[StaleItem]] = {}
    for s in now.items:
        if s.stale:
            since = (as_of - s.last_update).days if s.last_update else None
            stale.setdefault(s.item.lead_office, []).append(StaleItem(s, since))
    ordered_offices = sorted(stale, key=lambda office: (-len(stale[office]), office))

    previous = {s.item.code: s.light for s in before.items}
    changes = tuple(
        Change(s, previous[s.item.code])
        for s in now.items
        if s.item.code in previous and previous[s.item.code] != s.light
    )
    return WeeklyReport(
        plan=plan,
        as_of=as_of,
        year=year,
        week=week_no,
        window_start=window_start,
        status=now,
        records=records,
        attention=attention,
        due=tuple(due),
        overdue=tuple(overdue),
        stale={office: tuple(stale[office]) for office in ordered_offices},
        changes=changes,
    )


def for_reading(rep: WeeklyReport, limit: int | None = None) -> WeeklyReport:
    """The report with each list cut to ``limit`` rows (the most urgent first), saying how many
    were left out; unchanged when every list is short (or when it was cut already)."""
    if rep.omitted:
        return rep
    limit = READING_LIMIT if limit is None else limit
    omitted: dict[str, int] = {}

    def cut(name: str, rows: tuple[Any, ...], keep: int = limit) -> tuple[Any, ...]:
        if len(rows) > keep:
            omitted[name] = len(rows) - keep
        return rows[:keep]

    per_office = max(1, limit // max(1, len(rep.stale)))
    return replace(
        rep,
        records=cut("records", rep.records),
        attention=cut("attention", rep.attention),
        overdue=cut("overdue", rep.overdue),
        due=cut("due", rep.due),
        stale={
            office: cut(f"stale:{office}", rows, per_office) for office, rows in rep.stale.items()
        },
        changes=cut("changes", rep.changes),
        omitted=omitted,
    )


def more(rep: WeeklyReport, name: str) -> str | None:
    """The line saying how many rows of a list were left out, if any were."""
    n = rep.omitted.get(name, 0)
    return t("report.more", n=n) if n else None


# -- shared words -------------------------------------------------------------------------------


def record_words(r: Record) -> str:
    from kpi.render import describe

    return describe(r.update, r.item.unit)


def record_title(r: Record) -> str:
    return f"{r.item.title} › {r.milestone.title}" if r.milestone else r.item.title


def heading(rep: WeeklyReport) -> str:
    return t(
        "report.title",
        title=rep.plan.title,
        year=rep.year,
        week=rep.week,
        as_of=rep.as_of.isoformat(),
    )


def summary_line(rep: WeeklyReport) -> str:
    o = rep.overall
    return t(
        "report.summary",
        elapsed=pct(rep.status.elapsed),
        work=pct(o.mean_completion),
        total=o.total,
        done=rep.count(Light.DONE),
        green=rep.count(Light.GREEN),
        yellow=rep.count(Light.YELLOW),
        red=rep.count(Light.RED),
        none=rep.count(Light.NONE),
        stale=o.stale,
    )


def window_line(rep: WeeklyReport) -> str:
    return t(
        "report.window",
        start=rep.window_start.isoformat(),
        end=rep.as_of.isoformat(),
        n=len(rep.records),
    )


def stale_since(item: StaleItem) -> str:
    if item.days is None:
        return t("report.never")
    return t("report.days_ago", days=item.days)


def due_when(d: Due) -> str:
    if d.days < 0:
        return t("report.overdue_by", days=-d.days)
    return t("report.due_in", days=d.days)


# -- JSON -----------------------------------------------------------------------------------------


def to_json(rep: WeeklyReport) -> str:
    from kpi.formats import status_record, update_record

    def rollup(r: Rollup) -> dict[str, Any]:
        return {
            "code": r.code,
            "title": r.title,
            "total": r.total,
            "counts": {light.value: r.counts.get(light, 0) for light in Light},
            "worst": r.worst.value,
            "completion": None if r.mean_completion is None else round(r.mean_completion, 6),
            "stale": r.stale,
        }

    data = {
        "plan": {"year": rep.plan.year, "title": rep.plan.title},
        "year": rep.year,
        "week": rep.week,
        "as_of": rep.as_of.isoformat(),
        "window": {"start": rep.window_start.isoformat(), "end": rep.as_of.isoformat()},
        "elapsed": round(rep.status.elapsed, 6),
        "overall": rollup(rep.overall),
        "areas": [rollup(r) for r in rep.areas],
        "updates": [
            {**update_record(r.update), "title": record_title(r), "unit": r.item.unit}
            for r in rep.records
        ],
        "attention": [status_record(rep.plan, s) for s in rep.attention],
        "milestones_due": [_due_record(d) for d in rep.due],
        "milestones_overdue": [_due_record(d) for d in rep.overdue],
        "stale_by_office": {
            office: [
                {
                    "code": x.status.item.code,
                    "title": x.status.item.title,
                    "last_update": x.status.last_update.isoformat()
                    if x.status.last_update
                    else None,
                    "days": x.days,
                }
                for x in items
            ]
            for office, items in rep.stale.items()
        },
        "changes": [
            {
                "code": c.status.item.code,
                "title": c.status.item.title,
                "from": c.before.value,
                "to": c.status.light.value,
                "direction": "better" if c.better else "worse",
            }
            for c in rep.changes
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _due_record(d: Due) -> dict[str, Any]:
    return {
        "code": d.milestone.code,
        "title": d.milestone.title,
        "item_code": d.item.code,
        "item_title": d.item.title,
        "date": d.milestone.date.isoformat(),
        "lead_office": d.item.lead_office,
        "days": d.days,
    }


# -- Markdown -------------------------------------------------------------------------------------


def to_markdown_report(rep: WeeklyReport) -> str:
    rep = for_reading(rep)

    def left_out(*names: str) -> list[str]:
        return (
            ["", *(md_cell(line) for line in (more(rep, n) for n in names) if line)]
            if any(rep.omitted.get(n) for n in names)
            else []
        )

    out: list[str] = [f"# {md_cell(heading(rep))}", ""]
    for line in summary_line(rep).splitlines():
        out += [md_cell(line), ""]
    out += [f"## {t('report.by_area')}", ""]
    out.append(
        to_markdown(
            [t("col.code"), t("col.area"), t("col.items"), *_count_headers(), t("col.mean")],
            [_area_row(r) for r in rep.areas] + [_area_row(rep.overall, t("status.overall"))],
        )
    )
    out += ["", f"## {t('report.this_week')}", "", md_cell(window_line(rep)), ""]
    if rep.records:
        out.append(
            to_markdown(
                [
                    t("col.date"),
                    t("col.code"),
                    t("col.title"),
                    t("col.record"),
                    t("col.by"),
                    t("col.note"),
                ],
                [
                    [
                        r.update.date,
                        r.update.code,
                        record_title(r),
                        record_words(r),
                        r.update.by,
                        r.update.note,
                    ]
                    for r in rep.records
                ],
            )
        )
        out += left_out("records")
    out += ["", f"## {t('report.attention')}", ""]
    if rep.attention:
        out.append(
            to_markdown(
                [
                    t("col.code"),
                    t("col.title"),
                    t("col.office"),
                    t("col.completion"),
                    t("col.expected"),
                    t("col.gap"),
                    t("col.status"),
                    t("col.reason"),
                ],
                [
                    [
                        s.item.code,
                        s.item.title,
                        s.item.lead_office,
                        pct(s.completion),
                        pct(s.expected),
                        points(s.gap_points),
                        light_word(s),
                        s.latest_note or "",
                    ]
                    for s in rep.attention
                ],
            )
        )
        out += left_out("attention")
    else:
        out.append(md_cell(t("report.none_attention")))
    out += ["", f"## {t('report.milestones')}", ""]
    rows = [
        [
            d.milestone.code,
            f"{d.item.title} › {d.milestone.title}",
            d.item.lead_office,
            d.milestone.date,
            due_when(d),
        ]
        for d in [*rep.overdue, *rep.due]
    ]
    if rows:
        out.append(
            to_markdown(
                [t("col.code"), t("col.title"), t("col.office"), t("col.date"), t("col.status")],
                rows,
            )
        )
        out += left_out("overdue", "due")
    else:
        out.append(md_cell(t("report.none_due")))
    out += ["", f"## {t('report.stale', days=rep.plan.rules.stale_days)}", ""]
    if rep.stale:
        for office, items in rep.stale.items():
            listed = "；".join(
                f"{x.status.item.code} {x.status.item.title}（{stale_since(x)}）" for x in items
            )
            more_here = more(rep, f"stale:{office}")
            total = len(items) + rep.omitted.get(f"stale:{office}", 0)
            listed += f"；{more_here}" if more_here else ""
            out.append(f"- **{md_cell(office)}**（{total}）：{md_cell(listed)}")
    else:
        out.append(md_cell(t("report.none_stale")))
    out += ["", f"## {t('report.changes')}", ""]
    if rep.changes:
        for c in rep.changes:
            arrow = t("report.better") if c.better else t("report.worse")
            line = f"{c.status.item.code} {c.status.item.title}：{light_word(c.before)} → {light_word(c.status)}（{arrow}）"
            out.append(f"- {md_cell(line)}")
        out += left_out("changes")
    else:
        out.append(md_cell(t("report.no_changes")))
    text = "\n".join(part.rstrip("\n") for part in out)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def _area_row(r: Rollup, title: str | None = None) -> list[Any]:
    return [r.code, title or r.title, r.total, *_counts(r), pct(r.mean_completion)]


def _count_headers() -> list[str]:
    from kpi.render import COUNT_ORDER

    return [t(f"light.{light.value}").split()[0] for light in COUNT_ORDER]


def _counts(r: Rollup) -> list[int]:
    from kpi.render import COUNT_ORDER

    return [r.counts.get(light, 0) for light in COUNT_ORDER]


# -- text (terminal and cron mail) --------------------------------------------------------------


def to_text(rep: WeeklyReport, *, width: int = 80, color: bool = False) -> str:
    """The summary as plain text for a mail or a file at ``width`` columns (ANSI colours on a
    terminal when ``color``); plain grids, so that a district's thousands of items take a moment."""
    from kpi.render import LIGHT_STYLE
    from kpi.textgrid import Cell, grid, styled

    rep = for_reading(rep)
    lines: list[str] = []

    def left_out(*names: str) -> None:
        lines.extend(line for line in (more(rep, name) for name in names) if line)

    def light_cell(s: ItemStatus | Light) -> Cell:
        light = s if isinstance(s, Light) else s.light
        return Cell(light_word(s), LIGHT_STYLE[light])

    def section(key: str, **fields: Any) -> None:
        lines.extend(["", styled(t(key, **fields), "bold", color)])

    def table(headers: Sequence[str], rows: Sequence[Sequence[Cell | str]], **kw: Any) -> None:
        lines.extend(grid(headers, rows, width=width, color=color, **kw))

    lines.append(styled(heading(rep), "bold", color))
    lines.extend(summary_line(rep).split("\n"))

    section("report.by_area")
    area_rows: list[list[Cell | str]] = [[str(x) for x in _area_row(r)] for r in rep.areas]
    area_rows.append([Cell(str(x), "bold") for x in _area_row(rep.overall, t("status.overall"))])
    table(
        [t("col.code"), t("col.area"), t("col.items"), *_count_headers(), t("col.mean")],
        area_rows,
        right=range(2, 9),
    )

    section("report.this_week")
    lines.append(window_line(rep))
    if rep.records:
        table(
            [
                t("col.date"),
                t("col.code"),
                t("col.title"),
                t("col.record"),
                t("col.by"),
                t("col.note"),
            ],
            [
                [
                    rec.update.date.strftime("%m-%d"),
                    rec.update.code,
                    record_title(rec),
                    record_words(rec),
                    rec.update.by,
                    rec.update.note or "",
                ]
                for rec in rep.records
            ],
            flexible=2,
        )
        left_out("records")

    section("report.attention")
    if rep.attention:
        table(
            [
                t("col.code"),
                t("col.title"),
                t("col.office"),
                t("col.completion"),
                t("col.gap"),
                t("col.status"),
            ],
            [
                [
                    s.item.code,
                    s.item.title
                    + (f"\n{t('col.reason')}：{s.latest_note}" if s.latest_note else ""),
                    s.item.lead_office,
                    pct(s.completion),
                    points(s.gap_points),
                    light_cell(s),
                ]
                for s in rep.attention
            ],
            right=(3, 4),
        )
        left_out("attention")
    else:
        lines.append(t("report.none_attention"))

    section("report.milestones")
    if rep.overdue or rep.due:
        table(
            [t("col.code"), t("col.title"), t("col.office"), t("col.date"), t("col.status")],
            [
                [
                    d.milestone.code,
                    f"{d.item.title} › {d.milestone.title}",
                    d.item.lead_office,
                    d.milestone.date.strftime("%m-%d"),
                    Cell(due_when(d), "red" if d.days < 0 else None),
                ]
                for d in [*rep.overdue, *rep.due]
            ],
        )
        left_out("overdue", "due")
    else:
        lines.append(t("report.none_due"))

    section("report.stale", days=rep.plan.rules.stale_days)
    if rep.stale:
        for office, items in rep.stale.items():
            total = len(items) + rep.omitted.get(f"stale:{office}", 0)
            lines.append(styled(f"{office}（{total}）", "bold", color))
            lines.extend(
                f"  {x.status.item.code} {x.status.item.title}（{stale_since(x)}）" for x in items
            )
            left_out(f"stale:{office}")
    else:
        lines.append(t("report.none_stale"))

    section("report.changes")
    if rep.changes:
        for c in rep.changes:
            before, after = light_cell(c.before), light_cell(c.status)
            lines.append(
                f"{c.status.item.code} {c.status.item.title}："
                f"{styled(before.text, before.style, color)} → {styled(after.text, after.style, color)}"
                f"（{t('report.better') if c.better else t('report.worse')}）"
            )
        left_out("changes")
    else:
        lines.append(t("report.no_changes"))
    return "\n".join(lines) + "\n"
