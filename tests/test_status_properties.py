"""Properties of the status rules that must hold for any history of updates (hypothesis).

A small plan built here: S a sum indicator (target 100), L a level indicator (baseline 50, target
80), D a lower-is-better indicator (baseline 100, target 80), T a task with milestones T-1…T-3 (the
last at 0.9 on 10-31, so 序时进度 rises to 1 at the deadline).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpi.core.plan import Area, Baseline, Checkpoint, Item, Milestone, Plan, Rules, Section, Target
from kpi.core.records import Update
from kpi.core.status import (
    SEVERITY,
    ItemStatus,
    Light,
    PlanStatus,
    expected_share,
    item_status,
    plan_status,
)

D = dt.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
RANK = {light: n for n, light in enumerate(SEVERITY)}  # red < yellow < none < green < done


def _indicator(code: str, section: str, **kw: object) -> Item:
    fields: dict[str, object] = {"deadline": END, "unit": "个", **kw}
    return Item(
        code=code,
        kind="indicator",
        title=f"指标{code}",
        text=f"指标{code}",
        area_code=section.split(".")[0],
        section_code=section,
        lead_office="A",
        **fields,  # type: ignore[arg-type]
    )


S = _indicator("S", "1.1", target=Target("assumed", value=100, note="暂定"))
L = _indicator(
    "L",
    "1.1",
    accumulate="level",
    baseline=Baseline(50, 2024, "2024年50个"),
    target=Target("assumed", value=80, note="暂定"),
    checkpoints=(Checkpoint(D(2025, 3, 31), 0.2), Checkpoint(D(2025, 9, 30), 0.8)),
)
DOWN = _indicator(
    "D",
    "2.1",
    direction="down",
    accumulate="level",
    baseline=Baseline(100, 2024, "2024年100个"),
    target=Target("assumed", value=80, note="暂定"),
)
T = Item(
    code="T",
    kind="task",
    title="任务T",
    text="任务T",
    area_code="2",
    section_code="2.2",
    lead_office="A",
    deadline=END,
    milestones=(
        Milestone("T-1", "T", "节点1", D(2025, 3, 31), 0.3),
        Milestone("T-2", "T", "节点2", D(2025, 6, 30), 0.6),
        Milestone("T-3", "T", "节点3", D(2025, 10, 31), 0.9),
    ),
)
PLAN = Plan(
    id="test-2025",
    organisation="测试街道",
    year=2025,
    title="测试计划",
    source="测试",
    start=START,
    end=END,
    rules=Rules(),
    offices=("A",),
    areas=(
        Area("1", "领域1", (Section("1.1", "1", "板块1.1", ("S", "L")),)),
        Area(
            "2",
            "领域2",
            (Section("2.1", "2", "板块2.1", ("D",)), Section("2.2", "2", "板块2.2", ("T",))),
        ),
    ),
    items=(S, L, DOWN, T),
)
INDICATORS = ("S", "L", "D")
TARGET = {"S": 100.0, "L": 80.0}

# --------------------------------------------------------------------------------------------
# Strategies

days = st.dates(min_value=START, max_value=END)
# update dates: often one of a few days, so that records share a day and their order matters
update_days = st.one_of(
    st.sampled_from([START, D(2025, 3, 31), D(2025, 6, 30), D(2025, 7, 2), END]), days
)
amounts = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)
shares = st.floats(min_value=0, max_value=1, allow_nan=False, allow_infinity=False)


# (code, item_code, kind) of every record valid in PLAN, with its value
RECORDS = st.one_of(
    st.tuples(st.sampled_from([(c, c, k) for c in INDICATORS for k in ("add", "set")]), amounts),
    st.tuples(st.just(("T", "T", "percent")), shares),
    st.tuples(
        st.sampled_from([("T", "T", "done")] + [(f"T-{n}", "T", "done") for n in (1, 2, 3)]),
        st.none(),
    ),
)


def histories(
    max_size: int = 12, first: int = 1, void: bool = False
) -> st.SearchStrategy[list[Update]]:
    """Updates of kinds valid for their items, with unique ids (``first`` and up) in an order
    unrelated to their dates; with ``void``, about one in five has been voided."""
    voided = st.integers(0, 4).map(lambda n: n == 0) if void else st.just(False)
    rows = st.lists(
        st.tuples(RECORDS, update_days, voided, st.integers(0, 9_999)),
        max_size=max_size,
        unique_by=lambda row: row[3],
    )
    return rows.map(
        lambda rs: [
            Update(first + n, code, item, day, kind, value, voided=v)  # type: ignore[arg-type]
            for ((code, item, kind), value), day, v, n in rs
        ]
    )


HISTORIES = histories()
MIXED = histories(void=True)  # most tests: histories with some voided records
LATER = histories(max_size=6, first=100_000)


def status(updates: list[Update], day: dt.date, code: str) -> ItemStatus:
    return item_status(PLAN, PLAN.item(code), updates, day)


def not_worse(before: ItemStatus, after: ItemStatus) -> bool:
    return RANK[after.light] >= RANK[before.light]


# --------------------------------------------------------------------------------------------
# More progress never worsens a light


@settings(max_examples=150, deadline=None)
@given(
    ups=MIXED,
    code=st.sampled_from(["S", "L"]),
    first=st.tuples(st.sampled_from(["add", "set"]), amounts),
    extra_day=days,
    extra=positive,
    day=days,
)
def test_another_add_never_worsens_an_indicator(
    ups: list[Update],
    code: str,
    first: tuple[str, float],
    extra_day: dt.date,
    extra: float,
    day: dt.date,
) -> None:
    # a first report on 1 January, so that there are data to compare on any day
    kind, value = first
    ups = [*ups, Update(9_999, code, code, START, kind, value)]  # type: ignore[arg-type]
    more = Update(id=10_000, code=code, item_code=code, date=extra_day, kind="add", value=extra)
    before, after = status(ups, day, code), status([*ups, more], day, code)
    assert before.completion is not None and after.completion is not None
    assert after.completion >= before.completion
    assert not_worse(before, after), (before.light, after.light)


@settings(max_examples=150, deadline=None)
@given(
    ups=MIXED,
    code=st.sampled_from(INDICATORS),
    first=st.tuples(st.sampled_from(["add", "set"]), amounts),
    pick=st.integers(0),
    delta=positive,
    day=days,
)
def test_a_better_value_never_worsens_an_indicator(
    ups: list[Update], code: str, first: tuple[str, float], pick: int, delta: float, day: dt.date
) -> None:
    """Raising one add or set of an up indicator, or lowering one of a down indicator."""
    kind, value = first
    ups = [*ups, Update(9_999, code, code, START, kind, value)]  # type: ignore[arg-type]
    mine = [n for n, u in enumerate(ups) if u.item_code == code]
    n = mine[pick % len(mine)]
    old = ups[n].value
    assert old is not None
    better = old + delta if code != "D" else max(old - delta, 0.0)
    changed = [*ups[:n], dataclasses.replace(ups[n], value=better), *ups[n + 1 :]]
    for d in (day, ups[n].date, END):
        before, after = status(ups, d, code), status(changed, d, code)
        assert before.completion is not None and after.completion is not None
        assert after.completion >= before.completion
        assert not_worse(before, after), (d, before.light, after.light)


@settings(max_examples=150, deadline=None)
@given(ups=MIXED, first=shares, pick=st.integers(0), delta=positive, day=days)
def test_a_higher_percent_never_worsens_a_task(
    ups: list[Update], first: float, pick: int, delta: float, day: dt.date
) -> None:
    ups = [*ups, Update(9_999, "T", "T", START, "percent", first)]
    percents = [n for n, u in enumerate(ups) if u.kind == "percent"]
    n = percents[pick % len(percents)]
    old = ups[n].value
    assert old is not None
    changed = [*ups[:n], dataclasses.replace(ups[n], value=min(old + delta, 1.0)), *ups[n + 1 :]]
    before, after = status(ups, day, "T"), status(changed, day, "T")
    assert before.completion is not None and after.completion is not None
    assert after.completion >= before.completion
    assert not_worse(before, after), (before.light, after.light)


@settings(max_examples=150, deadline=None)
@given(
    ups=MIXED,
    first=st.none() | shares,
    code=st.sampled_from(["T", "T-1", "T-2", "T-3"]),
    when=days,
    day=days,
)
def test_a_done_record_never_worsens_a_task(
    ups: list[Update], first: float | None, code: str, when: dt.date, day: dt.date
) -> None:
    if first is not None:
        ups = [*ups, Update(9_999, "T", "T", START, "percent", first)]
    done = Update(id=10_000, code=code, item_code="T", date=when, kind="done")
    before, after = status(ups, day, "T"), status([*ups, done], day, "T")
    assert set(after.overdue_milestones) <= set(before.overdue_milestones)
    if before.completion is None or after.completion is None:
        return  # no data before: nothing to compare the light with
    assert after.completion >= before.completion
    assert not_worse(before, after), (before.light, after.light)


# --------------------------------------------------------------------------------------------
# Status as of d depends only on the valid updates dated up to d


@st.composite
def day_and_future(draw: st.DrawFn) -> tuple[dt.date, list[Update], list[Update]]:
    day = draw(st.dates(min_value=START, max_value=END - dt.timedelta(days=1)))
    past = draw(MIXED)
    left = (END - day).days  # days after d, up to the end of the period
    future = [
        dataclasses.replace(u, date=day + dt.timedelta(days=1 + (u.date - START).days % left))
        for u in draw(LATER)
    ]
    assert all(day < u.date <= END for u in future)
    return day, past, future


@settings(max_examples=150, deadline=None)
@given(case=day_and_future())
def test_updates_after_d_never_change_status_on_d(
    case: tuple[dt.date, list[Update], list[Update]],
) -> None:
    day, past, future = case
    for item in PLAN.items:
        assert item_status(PLAN, item, [*past, *future], day) == item_status(PLAN, item, past, day)


@settings(max_examples=150, deadline=None)
@given(ups=HISTORIES, voided=histories(first=100_000), day=days)
def test_voided_updates_never_count(ups: list[Update], voided: list[Update], day: dt.date) -> None:
    void = [dataclasses.replace(u, voided=True, void_reason="录错") for u in voided]
    for item in PLAN.items:
        assert item_status(PLAN, item, [*void, *ups], day) == item_status(PLAN, item, ups, day)


@settings(max_examples=150, deadline=None)
@given(ups=MIXED, data=st.data(), day=days)
def test_order_of_the_updates_does_not_matter(
    ups: list[Update], data: st.DataObject, day: dt.date
) -> None:
    shuffled = data.draw(st.permutations(ups))
    assert plan_status(PLAN, shuffled, day).items == plan_status(PLAN, ups, day).items


# --------------------------------------------------------------------------------------------
# Roll-ups and values


@settings(max_examples=150, deadline=None)
@given(ups=MIXED, day=days)
def test_rollups_show_the_worst_light_and_add_up(ups: list[Update], day: dt.date) -> None:
    ps: PlanStatus = plan_status(PLAN, ups, day)
    by_code = {s.item.code: s for s in ps.items}
    assert ps.overall is not None
    groups = [(ps.overall, list(ps.items))]
    groups += [(ps.sections[s.code], [by_code[c] for c in s.item_codes]) for s in PLAN.sections()]
    for area in PLAN.areas:
        members = [by_code[c] for s in area.sections for c in s.item_codes]
        groups.append((ps.areas[area.code], members))
    for roll, members in groups:
        assert roll.total == len(members) == sum(roll.counts.values())
        for light in SEVERITY:
            assert roll.counts[light] == sum(1 for s in members if s.light is light)
        assert all(RANK[roll.worst] <= RANK[s.light] for s in members)
        assert roll.worst in {s.light for s in members}
        assert roll.done_share == roll.counts[Light.DONE] / roll.total
        assert roll.stale == sum(1 for s in members if s.stale)
        # D worse than its baseline has a negative completion, so no lower bound here
        assert roll.mean_completion is not None and roll.mean_completion <= 1


@settings(max_examples=150, deadline=None)
@given(ups=MIXED, day=days)
def test_completion_is_never_capped(ups: list[Update], day: dt.date) -> None:
    for code, target in TARGET.items():
        s = status(ups, day, code)
        if s.actual is None:
            assert s.completion is None
            continue
        assert s.completion == s.actual / target
        assert s.remaining == max(target - s.actual, 0.0)
        assert s.exceeded is (s.actual / target > 1 + 1e-9)
    d = status(ups, day, "D")
    if d.actual is not None:
        assert d.completion == (100 - d.actual) / 20
        assert d.remaining == max(d.actual - 80, 0.0)


@settings(max_examples=150, deadline=None)
@given(ups=MIXED, day=days)
def test_a_task_share_stays_within_zero_and_one(ups: list[Update], day: dt.date) -> None:
    s = status(ups, day, "T")
    if s.completion is not None:
        assert 0 <= s.completion <= 1
        assert s.remaining == 1 - s.completion
    assert (s.light is Light.DONE) == (s.completion is not None and s.completion >= 1 - 1e-9)


@settings(max_examples=150, deadline=None)
@given(
    code=st.sampled_from([i.code for i in PLAN.items]),
    a=st.dates(min_value=D(2024, 11, 1), max_value=D(2026, 2, 28)),
    b=st.dates(min_value=D(2024, 11, 1), max_value=D(2026, 2, 28)),
)
def test_expected_share_is_a_share_and_never_falls(code: str, a: dt.date, b: dt.date) -> None:
    item = PLAN.item(code)
    early, late = sorted((a, b))
    x, y = expected_share(PLAN, item, early), expected_share(PLAN, item, late)
    assert 0 <= x <= y <= 1


@st.composite
def scheduled_items(draw: st.DrawFn) -> Item:
    """A task or indicator with any deadline and valid checkpoints or milestones (as plan.py checks)."""
    deadline = draw(st.dates(min_value=D(2025, 1, 15), max_value=END))
    dates = sorted(draw(st.lists(st.dates(START, deadline), min_size=1, max_size=5)))
    raw = sorted(draw(st.lists(shares, min_size=len(dates), max_size=len(dates))))
    base = _indicator(
        "X", "1.1", target=Target("assumed", value=100, note="暂定"), deadline=deadline
    )
    if draw(st.booleans()):
        assume(len(set(dates)) == len(dates))  # checkpoints: dates rising, shares not falling
        return dataclasses.replace(
            base, checkpoints=tuple(Checkpoint(d, s) for d, s in zip(dates, raw, strict=True))
        )
    assume(len(set(raw)) == len(raw) and raw[0] > 0)  # milestones: shares rising
    return dataclasses.replace(
        base,
        kind="task",
        unit=None,
        target=None,
        milestones=tuple(
            Milestone(f"X-{n}", "X", f"节点{n}", d, s)
            for n, (d, s) in enumerate(zip(dates, raw, strict=True), start=1)
        ),
    )


@settings(max_examples=100, deadline=None)
@given(item=scheduled_items())
def test_expected_share_never_falls_for_any_schedule(item: Item) -> None:
    day, last = D(2024, 12, 25), 0.0
    while day <= D(2026, 1, 5):
        share = expected_share(PLAN, item, day)
        assert 0 <= share <= 1
        assert share >= last - 1e-12, (day, share, last)  # one ulp of rounding is no fall
        last = share
        day += dt.timedelta(days=1)
