"""The plan: its areas, sections, items and milestones, as plain frozen objects.

The status rules, the reports and the tests use these without a database or a terminal. A plan
comes from a targets file (``plan_file`` reads it, ``plan_check`` checks it) or from the database,
which stores the same objects (see ``kpi.store``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from kpi.errors import Ambiguous, InputError, NotFound
from kpi.locale import t

Kind = Literal["indicator", "task"]
Direction = Literal["up", "down"]
# sum: each record adds; ytd: each record is the year-to-date total; level: the current state.
Accumulate = Literal["sum", "ytd", "level"]
Basis = Literal["stated", "assumed"]
# at_least: reach it; at_most: a ceiling; range: keep within; monitor: watched, never judged.
TargetKind = Literal["at_least", "at_most", "range", "monitor"]


@dataclass(frozen=True, slots=True)
class Rules:
    """How lights are given: thresholds in points behind 序时进度 (or in percent, ``ratio`` mode),
    and whether the other offices of an item (责任单位) may record it as its lead office may."""

    stale_days: int = 14
    mode: Literal["points", "ratio"] = "points"
    yellow: float = 10.0
    red: float = 30.0
    other_offices_record: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """Another figure for the same thing, from a sentence that disagrees with the baseline's."""

    value: float
    source: str
    year: int | None = None
    excerpt: bool = False


@dataclass(frozen=True, slots=True)
class Baseline:
    value: float
    year: int
    source: str
    completion: float | None = None  # the share of that year's target the report states
    growth: float | None = None  # the year-on-year growth the report states
    excerpt: bool = False  # ``source`` is part of a sentence, not a whole one
    also: tuple[Source, ...] = ()

    @property
    def implied_target(self) -> float | None:
        """234 at 117% implies a target of 200."""
        if not self.completion:
            return None
        return self.value / self.completion

    @property
    def implied_prior(self) -> float | None:
        """7.75 at +8.8% implies 7.12 the year before."""
        if self.growth is None or self.growth <= -1:
            return None
        return self.value / (1 + self.growth)


@dataclass(frozen=True, slots=True)
class Target:
    """What an indicator is judged against.

    ``value`` is the figure to reach (``at_least``) or not to pass (``at_most``); with ``growth``
    it is derived from the baseline (411 × 1.055 = 433.6) and never shown as the report's; with
    ``positive`` any growth over the baseline will do. ``range`` keeps within ``low``..``high``;
    ``monitor`` has no figure: it is watched, never judged.
    """

    basis: Basis
    kind: TargetKind = "at_least"
    value: float | None = None
    growth: float | None = None  # the rate the value is derived from (0.055 for 5.5%)
    positive: bool = False  # growth: positive — any growth over the baseline
    about: bool = False  # 左右: the figure is approximate
    low: float | None = None  # range
    high: float | None = None
    source: str | None = None
    note: str | None = None

    @property
    def provisional(self) -> bool:
        """A target the report does not state is 暂定 (provisional)."""
        return self.basis != "stated"

    @property
    def derived(self) -> bool:
        """The value is worked out from the baseline, not written in the plan."""
        return self.growth is not None or self.positive

    @property
    def judged(self) -> bool:
        return self.kind != "monitor"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    date: dt.date
    share: float


@dataclass(frozen=True, slots=True)
class Milestone:
    code: str
    item_code: str
    title: str
    date: dt.date
    share: float
    assigned: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    kind: Kind
    title: str
    text: str
    area_code: str
    section_code: str
    lead_office: str
    deadline: dt.date
    other_offices: tuple[str, ...] = ()
    lead: str | None = None
    assigned: tuple[str, ...] = ()
    unit: str | None = None
    direction: Direction = "up"
    accumulate: Accumulate = "sum"
    negative: bool = False  # values may be below zero (a growth rate, a balance)
    baseline: Baseline | None = None
    target: Target | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    milestones: tuple[Milestone, ...] = ()

    @property
    def is_indicator(self) -> bool:
        return self.kind == "indicator"

    @property
    def monitored(self) -> bool:
        """A monitored figure (监测指标): recorded and shown, never given a light."""
        return self.target is not None and self.target.kind == "monitor"

    @property
    def target_kind(self) -> TargetKind:
        return self.target.kind if self.target is not None else "at_least"

    @property
    def offices(self) -> tuple[str, ...]:
        return (self.lead_office, *self.other_offices)


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    area_code: str
    title: str
    item_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """One plan of one organisation for one period, known by its ``id`` (``xjw-2025``)."""

    id: str
    organisation: str
    year: int
    title: str
    source: str
    start: dt.date
    end: dt.date
    rules: Rules
    offices: tuple[str, ...]
    areas: tuple[Area, ...]
    items: tuple[Item, ...]
    _by_code: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)
    _milestones: dict[str, Milestone] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code.update((i.code, i) for i in self.items)
        self._milestones.update((m.code, m) for i in self.items for m in i.milestones)

    def item(self, code: str) -> Item:
        return self._by_code[code]

    def milestone(self, code: str) -> Milestone | None:
        return self._milestones.get(code)

    def has(self, code: str) -> bool:
        return code in self._by_code or code in self._milestones

    def sections(self) -> Iterator[Section]:
        for area in self.areas:
            yield from area.sections

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def find(self, query: str) -> Item | Milestone:
        """An item or milestone by code, or by a unique fragment of its title."""
        query = query.strip()
        if not query:
            raise InputError(t("item.empty"))
        if query in self._by_code:
            return self._by_code[query]
        if query in self._milestones:
            return self._milestones[query]
        folded = query.casefold()
        hits: list[Item | Milestone] = [i for i in self.items if folded in i.title.casefold()]
        if not hits:
            hits = [m for m in self._milestones.values() if folded in m.title.casefold()]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise Ambiguous(
                t("item.ambiguous", query=query, n=len(hits)),
                details=[f"{h.code}  {h.title}" for h in hits],
            )
        raise NotFound(t("item.not_found", query=query, hint=self._nearest(query)))

    def _nearest(self, query: str) -> str:
        names = {i.code: i.title for i in self.items}
        names.update((m.code, m.title) for m in self._milestones.values())
        codes = difflib.get_close_matches(query, list(names), n=3, cutoff=0.5)
        by_title = {title: code for code, title in names.items()}
        titles = difflib.get_close_matches(query, list(by_title), n=3, cutoff=0.2)
        near = list(dict.fromkeys(codes + [by_title[x] for x in titles]))[:4]
        if not near:
            return t("item.try_status")
        return t("item.did_you_mean", items="、".join(f"{c} {names[c]}" for c in near))


@dataclass(frozen=True, slots=True)
class PlanHead:
    """A plan as the choice of plan needs it: who, what, when, whether in use."""

    id: str
    organisation: str
    year: int
    title: str
    start: dt.date
    end: dt.date
    retired: bool


@dataclass(frozen=True, slots=True)
class PlanInfo(PlanHead):
    """A plan as ``kpi plans`` lists it: with its counts and its current version."""

    items: int
    records: int
    last_record: dt.date | None
    version: int | None
    effective: dt.date | None
