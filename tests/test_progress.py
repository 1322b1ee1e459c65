"""One fold, and its twins checked against it: the database's progress (``Store.progress``),
the stored state an import starts from (``StoredRecords.state``) and the tally an import takes
row by row (``kpi.core.progress.Tally``) all come to what ``fold`` makes of the same records.

`kpi status` and the weekly summary count in SQL so that a year of records never has to be
loaded; an import checks a million rows without holding them; the rules stay in one place only
if every way agrees on every history, which this checks on random histories — values missing,
voids, several records a day, rows in any order of days — on whichever engine the suite runs.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.core.plan import Plan
from kpi.core.plan_file import parse_plan
from kpi.core.progress import Tally, fold, valid_until
from kpi.core.records import Update
from kpi.core.status import plan_status, plan_status_from
from kpi.store import Store
from tests.conftest import REPO, Run

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
    store.plan("xjw-2025").add_updates(_history(plan, rng, 120))
    stored = store.plan("xjw-2025").updates()
    for u in rng.sample(stored, 10):
        store.plan("xjw-2025").void(u.id, reason="测试", by="t", os_user="t")
    stored = store.plan("xjw-2025").updates()
    for day in (
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 31),
        dt.date(2025, 7, 2),
        dt.date(2025, 12, 31),
    ):
        in_db = store.plan("xjw-2025").progress(day)
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
    store.plan("xjw-2025").add_updates(
        [
            Update(0, i.code, i.code, day, "set", v, None, "t", "t")
            for i, v in zip(indicators, values, strict=True)
        ],
    )
    found = store.plan("xjw-2025").progress_on([day, dt.date(2025, 7, 2)])
    for counted in found:
        assert [counted[i.code].value for i in indicators] == values
    store.close()


# -- every twin of the fold, property-tested against it -----------------------------------------


SMALL = parse_plan((REPO / "tests" / "data" / "small.yaml").read_text(encoding="utf-8"), "small")
START = dt.date(2025, 1, 1)


@st.composite
def records(draw: st.DrawFn, item_code: str, *, stored: bool = True) -> list[Update]:
    """Records of one item of the small plan: days that repeat (so that the order within a day
    matters), values missing where a record may have none, milestones done twice."""
    item = SMALL.item(item_code)
    n = draw(st.integers(0, 12))
    out = []
    for k in range(n):
        day = START + dt.timedelta(days=draw(st.integers(0, 40)) * 7)
        note = draw(st.sampled_from([None, "", "进展", f"第{k}条"]))
        if item.milestones and draw(st.booleans()):
            m = draw(st.sampled_from(item.milestones))
            out.append(Update(k + 1, m.code, item.code, day, "done", None, note, "t", "t"))
            continue
        kinds = ("add", "set") if item.is_indicator else ("percent", "done")
        kind = draw(st.sampled_from(kinds))
        if kind == "done":
            value = None
        elif kind == "percent":
            value = draw(st.sampled_from([0.1, 0.25, 0.5, 1.0]))
        else:
            # No value at all only where the database could hold one (a row older than its
            # checks): the fold and its twins must still agree on it.
            value = draw(
                st.one_of(st.integers(-5, 50).map(float), st.none())
                if stored
                else st.integers(-5, 50).map(float)
            )
        out.append(Update(k + 1, item.code, item.code, day, kind, value, note, "t", "t"))  # type: ignore[arg-type]
    return out


def _same(a: object, b: object) -> None:
    from kpi.core.progress import Progress

    assert isinstance(a, Progress) and isinstance(b, Progress)
    if a.value is None or b.value is None:
        assert a.value is b.value is None
    else:
        assert a.value == pytest.approx(b.value, abs=1e-9)
    assert (a.done, a.milestones_done, a.last_date) == (b.done, b.milestones_done, b.last_date)


CODES = st.sampled_from(["1.1.1", "1.1.2", "2.1.1", "2.1.2", "2.1.3", "2.2.1"])


@settings(max_examples=300)
@given(data=st.data())
def test_a_tally_taken_in_file_order_is_the_fold_of_everything(data: st.DataObject) -> None:
    """Stored records, then an import's rows in the file's order (any days): the tally equals
    the fold of all of them, each row after the stored records of its day."""
    code = data.draw(CODES)
    item = SMALL.item(code)
    stored = sorted(data.draw(records(code)), key=lambda u: (u.date, u.id))
    rows = data.draw(records(code, stored=False))
    before = fold(item, stored)
    sets = [u for u in stored if u.code == code and u.kind in ("set", "percent")]
    last_set = (sets[-1].date, sets[-1].value) if sets else (None, None)
    adds: dict[dt.date, float] = {}
    for u in stored:
        if (
            u.code == code
            and u.kind == "add"
            and (not sets or (u.date, u.id) > (sets[-1].date, sets[-1].id))
        ):
            adds[u.date] = adds.get(u.date, 0.0) + (u.value or 0.0)
    tally = Tally(item, before, last_set, adds)
    for row in rows:
        tally.apply(row.code, row.date, row.kind, row.value)
    pending = [
        Update(10_000 + n, r.code, r.item_code, r.date, r.kind, r.value, r.note, "t", "t")
        for n, r in enumerate(rows)
    ]
    everything = sorted([*stored, *pending], key=lambda u: (u.date, u.id))
    _same(tally.progress(), fold(item, everything))


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One database with the small plan, emptied of records before each example: a SQLite file,
    or a schema of its own on the server the suite runs against."""
    import uuid

    from kpi.env import Env
    from tests.conftest import TEST_DB_URL, _server

    folder = tmp_path_factory.mktemp("fold")
    url = str(folder / "kpi.sqlite")
    schema = f"test_fold_{uuid.uuid4().hex[:12]}"
    if TEST_DB_URL:
        from sqlalchemy import text

        with _server().begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in TEST_DB_URL else "?"
        url = f"{TEST_DB_URL}{separator}options=-csearch_path%3D{schema}"
    store = Store.open(url, Env(cwd=folder))
    store.sync_plan(SMALL, file="small.yaml", sha256="0", by="t", dry_run=False)
    yield store
    store.close()
    if TEST_DB_URL:
        with _server().begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def _fresh(store: Store, history: list[Update], voided: list[int]) -> list[Update]:
    """The records ``history`` stored anew (ids of their own), ``voided`` of them voided."""
    with store.db.write() as tx:
        tx.execute("DELETE FROM voids")
        tx.execute("DELETE FROM updates")
    if history:
        store.plan(SMALL.id).add_updates(history)
    saved = store.plan(SMALL.id).updates()
    for n in voided:
        if n < len(saved):
            store.plan(SMALL.id).void(saved[n].id, reason="测试", by="t", os_user="t")
    return store.plan(SMALL.id).updates()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_database_folds_as_fold_and_an_import_starts_where_it_should(
    small_db: Store, data: st.DataObject
) -> None:
    """On random histories (values missing, voids, several records a day): the database's
    progress is the fold's on every item, and the state an import starts from, taken further
    by a tally, is the fold of the stored records and the rows together."""
    from kpi.sheets.checks import StoredState

    history = [u for code in ("1.1.1", "2.1.1", "2.1.3") for u in data.draw(records(code))]
    voided = data.draw(st.lists(st.integers(0, 30), max_size=4, unique=True))
    stored = _fresh(small_db, history, voided)
    day = data.draw(st.sampled_from([START, dt.date(2025, 4, 1), dt.date(2025, 12, 31)]))
    counted = small_db.plan(SMALL.id).progress(day)
    for item in SMALL.items:
        expected = fold(item, valid_until(stored, item.code, day))
        got = counted.get(item.code)
        if got is None:
            assert expected.last_date is None, item.code
        else:
            _same(got, expected)
    state = StoredState(*small_db.plan(SMALL.id).stored_records().state(dt.date(2025, 12, 31)))
    code = data.draw(st.sampled_from(["1.1.1", "2.1.3"]))
    item = SMALL.item(code)
    rows = data.draw(records(code, stored=False))
    tally = Tally(
        item,
        state.progress.get(code),
        state.last_set.get(code, (None, None)),
        state.adds_after.get(code),
    )
    for row in rows:
        tally.apply(row.code, row.date, row.kind, row.value)
    valid = valid_until(stored, code, dt.date(2025, 12, 31))
    top = max((u.id for u in stored), default=0)
    pending = [
        Update(top + 1 + n, r.code, r.item_code, r.date, r.kind, r.value, r.note, "t", "t")
        for n, r in enumerate(rows)
    ]
    _same(tally.progress(), fold(item, sorted([*valid, *pending], key=lambda u: (u.date, u.id))))
