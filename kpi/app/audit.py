"""``kpi audit``: every record, void, undo, plan load and grant, with who did it and when, read
from the append-only tables (``kpi.store.audit``)."""

from __future__ import annotations

import datetime as dt

from kpi.app.workspace import ALL, Workspace
from kpi.store.audit import AuditEvent

__all__ = ["AuditEvent", "trail"]


def trail(ws: Workspace, *, since: str | None = None, who: str | None = None) -> list[AuditEvent]:
    """Every step, oldest first, from local midnight of ``since``, by ``who``, of the plan asked
    for (``--plan``; every plan otherwise)."""
    from kpi.core.values import parse_date

    start = None
    if since is not None:
        day = parse_date(since, today=ws.today, default_year=ws.today.year)
        start = dt.datetime.combine(day, dt.time()).astimezone()  # from local midnight
    plan_id = ws.chosen if ws.chosen and ws.chosen != ALL else None
    return ws.store().audit(since=start, who=(who or "").strip() or None, plan_id=plan_id)
