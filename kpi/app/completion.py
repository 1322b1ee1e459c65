"""What Tab offers, read from the database a command would use: the items' codes and titles,
the plan's offices and areas, the plans.

It runs at every key press, so it never creates or upgrades a database — with no database yet
it offers nothing — and it reads what it needs in one or two queries. The plan is the one a
command would work on: ``--plan`` (or ``KPI_PLAN``), else the one in use whose period holds
today, else the latest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from kpi.env import Env
from kpi.errors import KpiError

if TYPE_CHECKING:
    from kpi.core.plan import Plan
    from kpi.store import Store

T = TypeVar("T")


def _open_existing(db: str | None, env: Env) -> Store | None:
    from kpi.store import Store, locate

    found = locate(db, env)
    found.close()
    if found.path is not None and not found.path.is_file():
        return None
    return Store.open(db, env)


def _plan_id(store: Store, chosen: str | None, env: Env) -> str | None:
    plans = [p for p in store.plan_heads() if not p.retired]
    chosen = chosen or env.get("KPI_PLAN")
    if chosen:
        plans = [p for p in plans if p.id == chosen]
    if not plans:
        return None
    current = [p for p in plans if p.start <= env.today <= p.end]
    return (current or sorted(plans, key=lambda p: p.end))[-1].id


def _reading(
    db: str | None, env: Env, chosen: str | None, use: Callable[[Store, str | None], T], empty: T
) -> T:
    """``use(store, plan id)`` on the database, if it exists; ``empty`` if not, or on an error
    (a key press never shows one)."""
    try:
        store = _open_existing(db, env)
        if store is None:
            return empty
        try:
            return use(store, _plan_id(store, chosen, env))
        finally:
            store.close()
    except KpiError:
        return empty


def item_names(db: str | None, env: Env, chosen: str | None) -> list[tuple[str, str]]:
    """Every code of the plan (items and milestones) with its title."""
    return _reading(db, env, chosen, lambda s, plan: s.plan(plan).names() if plan else [], [])


def plan(db: str | None, env: Env, chosen: str | None) -> Plan | None:
    """The plan a command would work on, for its offices and areas."""
    return _reading(db, env, chosen, lambda s, plan: s.plan(plan).load() if plan else None, None)


def plans(db: str | None, env: Env) -> list[tuple[str, str]]:
    """The plans in use: id, and organisation with title."""

    def use(store: Store, _: str | None) -> list[tuple[str, str]]:
        return [(p.id, f"{p.organisation} {p.title}") for p in store.plan_heads() if not p.retired]

    return _reading(db, env, None, use, [])
