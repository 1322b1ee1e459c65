"""The database works out progress (Store.progress) exactly as status.fold does from the records.

`kpi status` and the weekly summary count in SQL so that a year of records never has to be
loaded; the rules stay in one place only if both ways agree on every history, which this checks
on random histories (seeded, so a failure can be replayed) on whichever engine the suite runs.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from kpi.core.plan import Plan
from kpi.core.progress import fold, valid_until
from kpi.core.records import Update
from kpi.core.status import plan_status, plan_status_from
from kpi.store import Store
from tests.conftest import Run

KINDS = {"indicator": ("add", "add", "set"), "task": ("percent", "done")}


def _history(plan: Plan, rng: random.Random, n: int) -> list[Update]:
    items = [i for i in plan.items if i.code.startswith(("1.1.", "3.1.", "3.2."))]
    out = []
    for _ in range(n):
        item = rng.choice(items)
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
        note = rng.choice([None, None, "", "进展", f"第{rng.randrange(100)}条"])
        if item.milestones and rng.random() < 0.3:
            m = rng.choice(item.milestones)
            out.append(Update(0, m.code, item.code, day, "done", None, note, "t", "t"))
            continue
        kind = rng.choice(KINDS[item.kind])
        value = (
            None
            if kind == "done"
            else (rng.random() if kind == "percent" else rng.randrange(0, 50))
        )
        out.append(Update(0, item.code, item.code, day, kind, value, note, "t", "t"))  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize("seed", range(6))
def test_the_database_and_fold_agree_on_random_histories(run: Run, plan: Plan, seed: int) -> None:
    run("load")
    store = Store.open()
    rng = random.Random(seed)
    store.add_updates("xjw-2025", _history(plan, rng, 120))
    stored = store.updates("xjw-2025")
    for u in rng.sample(stored, 10):
        store.void("xjw-2025", u.id, reason="测试", by="t", os_user="t")
    stored = store.updates("xjw-2025")
    for day in (
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 31),
        dt.date(2025, 7, 2),
        dt.date(2025, 12, 31),
    ):
        in_db = store.progress("xjw-2025", day)
        by_item: dict[str, list[Update]] = {}
        for u in stored:
            by_item.setdefault(u.item_code, []).append(u)
        for item in plan.items:
            expected = fold(item, valid_until(by_item.get(item.code, []), item.code, day))
            got = in_db.get(item.code)
            if got is None:
                assert expected.last_date is None, (item.code, day)
                continue
            assert (
                got.value == pytest.approx(expected.value)
                if expected.value is not None
                else got.value is None
            )
            assert (got.done, got.milestones_done, got.last_date, got.latest_note) == (
                expected.done,
                expected.milestones_done,
                expected.last_date,
                expected.latest_note,
            ), (item.code, day)
        assert plan_status_from(plan, in_db, day).items == plan_status(plan, stored, day).items
    store.close()


def test_values_the_database_counts_come_back_to_the_last_bit(run: Run, plan: Plan) -> None:
    """On SQLite the counts travel as text (one JSON text per query): every double must read
    back as itself, the awkward ones too (15 or 17 digits of ``%g`` would not)."""
    run("load")
    store = Store.open()
    indicators = [i for i in plan.items if i.kind == "indicator"][:6]
    values = [0.1 + 0.2, 1 / 3, 2.0**53 + 2, 1.2234152160095278e300, 5e-324, 123456.78901234567]
    day = dt.date(2025, 3, 1)
    store.add_updates(
        "xjw-2025",
        [
            Update(0, i.code, i.code, day, "set", v, None, "t", "t")
            for i, v in zip(indicators, values, strict=True)
        ],
    )
    found = store.progress_on("xjw-2025", [day, dt.date(2025, 7, 2)])
    for counted in found:
        assert [counted[i.code].value for i in indicators] == values
    store.close()
