"""Tab completion: the values an argument or option can take, worked out at every key press.

It runs at every key press, so it never creates or upgrades a database: with no database yet,
it offers nothing.
"""

from __future__ import annotations

import typer

from kpi.env import Env
from kpi.errors import KpiError


def complete_item(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """ITEM: the codes that start with what was typed, with their titles."""
    from kpi.store import Store, locate

    env = Env.from_process()
    db = ctx.find_root().params.get("db")
    try:
        database = locate(db, env)
        if database.path is not None and not database.path.is_file():
            return []
        database.close()
        store = Store.open(db, env)
        try:
            plans = [p for p in store.plan_heads() if not p.retired]
            chosen = ctx.find_root().params.get("plan") or env.get("KPI_PLAN")
            if chosen:
                plans = [p for p in plans if p.id == chosen]
            if not plans:
                return []
            current = [p for p in plans if p.start <= env.today <= p.end]
            plan = (current or sorted(plans, key=lambda p: p.end))[-1]
            names = store.names(plan.id)
        finally:
            store.close()
    except KpiError:
        return []
    return [(code, title) for code, title in names if code.startswith(incomplete)]
