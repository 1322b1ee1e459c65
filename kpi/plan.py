"""The plan: a year's areas, sections, items and milestones, and the targets file they come from.

The objects here are plain frozen dataclasses so that the status rules, the reports and the tests
can use them without a database or a terminal. ``parse_plan`` turns the YAML text of a targets file
into a ``Plan`` and refuses the whole file if anything in it is wrong, naming ``file:line:column``
for every mistake. The database stores the same objects (see ``store``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kpi.errors import Ambiguous, InputError, NotFound, PlanError
from kpi.messages import t

Kind = Literal["indicator", "task"]
Direction = Literal["up", "down"]
Accumulate = Literal["sum", "level"]
Basis = Literal["stated", "assumed"]


@dataclass(frozen=True, slots=True)
class Rules:
    """How lights are given: thresholds in points behind 序时进度 (or in percent, ``ratio`` mode)."""

    stale_days: int = 14
    mode: Literal["points", "ratio"] = "points"
    yellow: float = 10.0
    red: float = 30.0


@dataclass(frozen=True, slots=True)
class Baseline:
    value: float
    year: int
    source: str
    completion: float | None = None  # the share of that year's target the report states
    growth: float | None = None  # the year-on-year growth the report states

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
    value: float
    basis: Basis
    source: str | None = None
    note: str | None = None

    @property
    def provisional(self) -> bool:
        """A target the report does not state is 暂定 (provisional)."""
        return self.basis != "stated"


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
    baseline: Baseline | None = None
    target: Target | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    milestones: tuple[Milestone, ...] = ()

    @property
    def is_indicator(self) -> bool:
        return self.kind == "indicator"


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


# --------------------------------------------------------------------------------------------
# The targets file


_CODE = re.compile(r"^[0-9A-Za-z]+(?:[.\-][0-9A-Za-z]+)*$")
_ASSIGNABLE_ITEM = ("lead_office", "deadline", "other_offices", "lead")
_ASSIGNABLE_MILESTONE = ("date", "share")


def load_yaml(text: str, filename: str) -> tuple[Any, Any]:
    """Compose the YAML into nodes (which know their line and column) with the C loader if present."""
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        code = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        raise PlanError(_control_char(text, filename, chr(code))) from None
    except yaml.MarkedYAMLError as exc:
        raise PlanError(_syntax_message(text, filename, exc)) from None
    except yaml.YAMLError as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PlanError(t("plan.yaml_syntax", where=filename, problem=problem)) from None
    finally:
        loader.dispose()
    return loader, node


_FULLWIDTH_KEY = re.compile(r"^\s*-?\s*[A-Za-z_]+\s*：")


def _syntax_message(text: str, filename: str, exc: Any) -> str:
    """One line for a YAML syntax error, at the line a person has to fix.

    libyaml reports some mistakes where it noticed them, not where they are: an unclosed quote at
    the end of the file, a full-width colon (what a Chinese input method types) on the next line.
    """
    lines = text.splitlines()
    problem = exc.problem or exc.context or "?"
    mark = exc.problem_mark or exc.context_mark
    if exc.context and "quoted scalar" in exc.context and exc.context_mark is not None:
        mark = exc.context_mark  # where the quote opens
    first = exc.context_mark.line if exc.context_mark is not None else 0
    last = mark.line if mark is not None else len(lines) - 1
    for n in range(max(0, first), min(last, len(lines) - 1) + 1):
        if _FULLWIDTH_KEY.match(lines[n]):
            return t(
                "plan.yaml_fullwidth_colon", where=f"{filename}:{n + 1}:{lines[n].index('：') + 1}"
            )
    for n in range(0, min(last, len(lines) - 1) + 1):
        # A double quote opened and never closed: YAML reads on to the next quote, lines later.
        if _UNBALANCED_QUOTE.match(lines[n]):
            where = f"{filename}:{n + 1}:{lines[n].index(chr(34)) + 1}"
            return t("plan.yaml_syntax", where=where, problem=t("plan.unclosed_quote"))
    if mark is None:
        return t("plan.yaml_syntax", where=filename, problem=problem)
    where = f"{filename}:{mark.line + 1}:{mark.column + 1}"
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in line[: mark.column + 1] or "tab" in problem.lower():
        return t("plan.yaml_tab", where=where)
    return t("plan.yaml_syntax", where=where, problem=problem)


def _where_char(text: str, filename: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    return f"{filename}:{line}:{position - (text.rfind(chr(10), 0, position) + 1) + 1}"


def _control_char(text: str, filename: str, char: str) -> str:
    position = max(text.find(char), 0)
    return t(
        "plan.control_char", where=_where_char(text, filename, position), char=f"U+{ord(char):04X}"
    )


# Line separators that YAML counts as line breaks but editors do not: they would shift every
# line number after them, so they are refused where they stand.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
_UNBALANCED_QUOTE = re.compile(r'^[^#"]*"(?:[^"\\]|\\.)*$')


def parse_plan(text: str, filename: str = "targets.yaml") -> Plan:
    """Check a targets file whole and return its plan; raise ``PlanError`` listing every mistake."""
    if not text.strip():
        raise PlanError(t("plan.empty", where=filename))
    odd = _ODD_BREAKS.search(text)
    if odd:
        raise PlanError(_control_char(text, filename, odd.group()))
    loader, node = load_yaml(text, filename)
    if node is None:
        raise PlanError(t("plan.empty", where=filename))
    checker = _Checker(filename, loader)
    plan = checker.plan(node)
    if checker.errors or plan is None:
        errors = checker.errors
        raise PlanError(
            t("plan.refused", file=filename, n=len(errors)) + " " + errors[0],
            details=errors[1:],
        )
    return plan


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


class _Invalid(Exception):
    """A value was wrong; the error is already recorded."""


class _Checker:
    """Walks the YAML nodes, converting them to plan objects and recording every mistake."""

    def __init__(self, filename: str, loader: Any) -> None:
        self.filename = filename
        self.loader = loader
        self.errors: list[str] = []
        self.codes: dict[str, str] = {}  # code → where it was first defined
        self.start = dt.date.min
        self.end = dt.date.max
        self.year = 0
        self.offices: set[str] = set()

    # -- reporting ----------------------------------------------------------------------------

    def where(self, node: Any) -> str:
        mark = node.start_mark
        return f"{self.filename}:{mark.line + 1}:{mark.column + 1}"

    def error(self, node: Any, message: str, /, **kw: Any) -> None:
        self.errors.append(f"{self.where(node)}: {t(message, **kw)}")

    def fail(self, node: Any, message: str, /, **kw: Any) -> _Invalid:
        self.error(node, message, **kw)
        return _Invalid()

    # -- node shapes --------------------------------------------------------------------------

    def mapping(
        self, node: Any, what: str, required: Sequence[str], optional: Sequence[str]
    ) -> dict[str, tuple[Any, Any]]:
        """Key → (key node, value node), refusing unknown, duplicate and missing keys."""
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, "plan.not_mapping", what=what)
        allowed = list(required) + list(optional)
        out: dict[str, tuple[Any, Any]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or key not in allowed:
                near = difflib.get_close_matches(str(key), allowed, n=1)
                hint = t("plan.did_you_mean", name=near[0]) if near else ""
                self.error(
                    key_node,
                    "plan.unknown_key",
                    key=key,
                    what=what,
                    hint=hint,
                    allowed=", ".join(allowed),
                )
                continue
            if key in out:
                self.error(key_node, "plan.duplicate_key", key=key, what=what)
                continue
            out[key] = (key_node, value_node)
        missing = [k for k in required if k not in out]
        if missing:
            self.error(node, "plan.missing_keys", what=what, keys=", ".join(missing))
            raise _Invalid()
        return out

    def sequence(self, node: Any, what: str, *, allow_empty: bool = False) -> list[Any]:
        import yaml

        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "plan.not_list", what=what)
        if not node.value and not allow_empty:
            raise self.fail(node, "plan.empty_list", what=what)
        return list(node.value)

    def scalar(self, node: Any, what: str) -> Any:
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "plan.not_scalar", what=what)
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError:
            if node.tag.endswith(":timestamp"):
                # The resolver took it for a date, but no such day exists (2025-02-30).
                raise self.fail(node, "plan.impossible_date", what=what, value=node.value) from None
            raise self.fail(node, "plan.bad_value", what=what, problem=_short(node.value)) from None
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise self.fail(node, "plan.bad_value", what=what, problem=problem) from None
        except Exception:  # a tag such as !!bool maybe that its constructor cannot read
            raise self.fail(node, "plan.bad_value", what=what, problem=_short(node.value)) from None

    def text(self, node: Any, what: str) -> str:
        value = self.scalar(node, what)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.fail(node, "plan.empty_text", what=what)
        if not isinstance(value, str):
            raise self.fail(node, "plan.not_text", what=what, value=node.value)
        return value.strip()

    def code(self, node: Any, what: str, *, prefix: str | None, sep: str = ".") -> str:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(node, "plan.bad_code", what=what, value=node.value)
        code = str(value).strip()
        if isinstance(value, float) or not _CODE.match(code):
            raise self.fail(node, "plan.bad_code", what=what, value=node.value)
        if prefix is not None and not code.startswith(prefix + sep):
            raise self.fail(node, "plan.code_prefix", code=code, what=what, prefix=prefix + sep)
        if code in self.codes:
            raise self.fail(node, "plan.duplicate_code", code=code, first=self.codes[code])
        self.codes[code] = self.where(node)
        return code

    def number(self, node: Any, what: str, *, minimum: float | None = 0.0) -> float:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(node, "plan.not_number", what=what, value=node.value)
        number = float(value)
        if not math.isfinite(number):
            raise self.fail(node, "plan.not_finite", what=what, value=node.value)
        if minimum is not None and number < minimum:
            raise self.fail(node, "plan.too_small", what=what, value=node.value, minimum=minimum)
        return number

    def share(self, node: Any, what: str) -> float:
        number = self.number(node, what)
        if not 0 < number <= 1:
            raise self.fail(node, "plan.bad_share", what=what, value=node.value)
        return number

    def integer(self, node: Any, what: str, *, minimum: int) -> int:
        value = self.scalar(node, what)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(node, "plan.not_integer", what=what, value=node.value, minimum=minimum)
        return value

    def date(self, node: Any, what: str, *, in_period: bool = True) -> dt.date:
        value = self.scalar(node, what)
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            raise self.fail(node, "plan.not_date", what=what, value=node.value)
        if in_period and not self.start <= value <= self.end:
            raise self.fail(
                node, "plan.date_outside", what=what, value=value, start=self.start, end=self.end
            )
        return value

    def choice(self, node: Any, what: str, choices: Sequence[str]) -> Any:
        value = self.scalar(node, what)
        if value not in choices:
            raise self.fail(
                node, "plan.bad_choice", what=what, value=node.value, choices=" | ".join(choices)
            )
        return value

    def names(self, node: Any, what: str, choices: Sequence[str] | None = None) -> tuple[str, ...]:
        import yaml

        out = []
        entries = self.sequence(node, what, allow_empty=True)
        nested = next((sub for sub in entries if not isinstance(sub, yaml.ScalarNode)), None)
        if nested is not None:  # one message for a list of lists, not one per entry
            raise self.fail(nested, "plan.not_scalar", what=what)
        for sub in entries:
            name = self.attempt(self.text, sub, what)  # one bad name does not lose the others
            if name is None:
                continue
            if choices is not None and name not in choices:
                self.error(
                    sub, "plan.bad_choice", what=what, value=name, choices=" | ".join(choices)
                )
                continue
            out.append(name)
        return tuple(out)

    def attempt(self, fn: Any, *args: Any, **kw: Any) -> Any:
        """Run one check; on a mistake, record it and go on so every mistake is reported."""
        try:
            return fn(*args, **kw)
        except _Invalid:
            return None

    # -- the plan -----------------------------------------------------------------------------

    def plan(self, node: Any) -> Plan | None:
        try:
            top = self.mapping(node, "文件", ["plan", "offices", "areas"], [])
            head = self.mapping(
                top["plan"][1], "plan", ["year", "title", "source", "start", "end"], ["rules"]
            )
        except _Invalid:
            return None
        year = self.attempt(self.integer, head["year"][1], "plan.year", minimum=1990)
        title = self.attempt(self.text, head["title"][1], "plan.title")
        source = self.attempt(self.text, head["source"][1], "plan.source")
        start = self.attempt(self.date, head["start"][1], "plan.start", in_period=False)
        end = self.attempt(self.date, head["end"][1], "plan.end", in_period=False)
        if start and end and end <= start:
            self.error(head["end"][1], "plan.end_before_start", start=start, end=end)
        elif start and end:
            self.start, self.end = start, end
            if year and year not in (start.year, end.year):
                self.error(head["year"][1], "plan.year_period", year=year, start=start, end=end)
        self.year = year or 0
        rules = Rules()
        if "rules" in head:
            rules = self.attempt(self.rules, head["rules"][1]) or rules
        offices = self.attempt(self.names, top["offices"][1], "offices") or ()
        self.offices = set(offices)
        areas: list[Area] = []
        items: list[Item] = []
        area_nodes = self.attempt(self.sequence, top["areas"][1], "areas") or []
        for area_node in area_nodes:
            parsed = self.attempt(self.area, area_node, items)
            if parsed:
                areas.append(parsed)
        if self.errors:
            return None
        assert year and title and source and start and end
        return Plan(year, title, source, start, end, rules, offices, tuple(areas), tuple(items))

    def rules(self, node: Any) -> Rules:
        keys = self.mapping(node, "rules", [], ["stale_days", "mode", "yellow", "red"])
        default = Rules()
        stale = default.stale_days
        if "stale_days" in keys:
            stale = self.integer(keys["stale_days"][1], "rules.stale_days", minimum=1)
        mode = default.mode
        if "mode" in keys:
            mode = self.choice(keys["mode"][1], "rules.mode", ["points", "ratio"])
        yellow = self.number(keys["yellow"][1], "rules.yellow") if "yellow" in keys else 10.0
        red = self.number(keys["red"][1], "rules.red") if "red" in keys else 30.0
        if not 0 <= yellow < red <= 100:
            raise self.fail(node, "plan.bad_thresholds", yellow=yellow, red=red)
        return Rules(stale, mode, yellow, red)

    def area(self, node: Any, items: list[Item]) -> Area:
        keys = self.mapping(node, "area", ["code", "title", "sections"], [])
        code = self.code(keys["code"][1], "area.code", prefix=None)
        title = self.text(keys["title"][1], "area.title")
        sections = []
        for section_node in self.sequence(keys["sections"][1], "area.sections"):
            section = self.attempt(self.section, section_node, code, items)
            if section:
                sections.append(section)
        return Area(code, title, tuple(sections))

    def section(self, node: Any, area_code: str, items: list[Item]) -> Section:
        keys = self.mapping(node, "section", ["code", "title", "items"], [])
        code = self.code(keys["code"][1], "section.code", prefix=area_code)
        title = self.text(keys["title"][1], "section.title")
        codes = []
        for item_node in self.sequence(keys["items"][1], "section.items"):
            item = self.attempt(self.item, item_node, area_code, code)
            if item:
                items.append(item)
                codes.append(item.code)
        return Section(code, area_code, title, tuple(codes))

    def item(self, node: Any, area_code: str, section_code: str) -> Item:
        import yaml

        common = ["code", "kind", "title", "text", "lead_office"]
        optional = ["other_offices", "lead", "deadline", "assigned", "checkpoints"]
        kind_node = None
        if isinstance(node, yaml.MappingNode):
            kind_node = next(
                (v for k, v in node.value if getattr(k, "value", None) == "kind"), None
            )
        if kind_node is None:
            code_node = None
            if isinstance(node, yaml.MappingNode):
                code_node = next(
                    (v for k, v in node.value if getattr(k, "value", None) == "code"), None
                )
            code = code_node.value if code_node is not None else "?"
            raise self.fail(node, "plan.missing_kind", code=code)
        kind = self.choice(kind_node, "item.kind", ["indicator", "task"])
        if kind == "indicator":
            required = [*common, "unit", "target"]
            optional = [*optional, "direction", "accumulate", "baseline"]
        else:
            required, optional = common, [*optional, "milestones"]
        keys = self.mapping(node, f"item ({kind})", required, optional)
        code = self.code(keys["code"][1], "item.code", prefix=section_code)
        title = self.attempt(self.text, keys["title"][1], "item.title")
        text = self.attempt(self.text, keys["text"][1], "item.text")
        lead_office = self.attempt(self.office, keys["lead_office"][1])
        others: tuple[str, ...] = ()
        if "other_offices" in keys:
            others = self.attempt(
                self.names, keys["other_offices"][1], "item.other_offices", sorted(self.offices)
            )
        lead = self.attempt(self.text, keys["lead"][1], "item.lead") if "lead" in keys else None
        deadline = self.end
        if "deadline" in keys:
            deadline = self.attempt(self.date, keys["deadline"][1], "item.deadline") or self.end
        assigned: tuple[str, ...] = ()
        if "assigned" in keys:
            assigned = self.attempt(
                self.names, keys["assigned"][1], "item.assigned", _ASSIGNABLE_ITEM
            )
        checkpoints: tuple[Checkpoint, ...] = ()
        if "checkpoints" in keys:
            checkpoints = self.attempt(self.checkpoints, keys["checkpoints"][1], deadline) or ()
        unit = None
        direction: Direction = "up"
        accumulate: Accumulate = "sum"
        baseline = target = None
        milestones: tuple[Milestone, ...] = ()
        if kind == "indicator":
            unit = self.attempt(self.text, keys["unit"][1], "item.unit")
            if "direction" in keys:
                direction = (
                    self.attempt(
                        self.choice, keys["direction"][1], "item.direction", ["up", "down"]
                    )
                    or "up"
                )
            if "accumulate" in keys:
                accumulate = (
                    self.attempt(
                        self.choice, keys["accumulate"][1], "item.accumulate", ["sum", "level"]
                    )
                    or "sum"
                )
            if "baseline" in keys:
                baseline = self.attempt(self.baseline, keys["baseline"][1])
            target = self.attempt(self.target, keys["target"][1])
            if direction == "down" and accumulate == "sum":
                # A count that adds up from zero cannot be measured from a baseline downwards.
                self.error(keys["direction"][1], "plan.down_needs_level", code=code)
            elif target and direction == "down":
                if baseline is None:
                    self.error(keys["target"][1], "plan.down_needs_baseline", code=code)
                elif target.value >= baseline.value:
                    self.error(keys["target"][1], "plan.down_target", code=code)
            elif target and target.value <= 0:
                self.error(keys["target"][1], "plan.target_zero", code=code)
        elif "milestones" in keys:
            milestones = self.attempt(self.milestones, keys["milestones"][1], code, deadline) or ()
        return Item(
            code=code,
            kind=kind,
            title=title or "",
            text=text or "",
            area_code=area_code,
            section_code=section_code,
            lead_office=lead_office or "",
            deadline=deadline,
            other_offices=others or (),
            lead=lead,
            assigned=assigned or (),
            unit=unit,
            direction=direction,
            accumulate=accumulate,
            baseline=baseline,
            target=target,
            checkpoints=checkpoints,
            milestones=milestones,
        )

    def office(self, node: Any) -> str:
        name = self.text(node, "item.lead_office")
        if name not in self.offices:
            near = difflib.get_close_matches(name, sorted(self.offices), n=1, cutoff=0.3)
            hint = t("plan.did_you_mean", name=near[0]) if near else ""
            raise self.fail(node, "plan.unknown_office", name=name, hint=hint)
        return name

    def baseline(self, node: Any) -> Baseline:
        keys = self.mapping(node, "baseline", ["value", "year", "source"], ["completion", "growth"])
        value = self.number(keys["value"][1], "baseline.value")
        year = self.integer(keys["year"][1], "baseline.year", minimum=1990)
        if self.year and year >= self.year:
            self.error(keys["year"][1], "plan.baseline_year", year=year, plan=self.year)
        source = self.text(keys["source"][1], "baseline.source")
        completion = growth = None
        if "completion" in keys:
            completion = self.number(keys["completion"][1], "baseline.completion")
            if completion == 0 or completion > 10:
                raise self.fail(keys["completion"][1], "plan.bad_completion", value=completion)
        if "growth" in keys:
            growth = self.number(keys["growth"][1], "baseline.growth", minimum=-0.99)
            if growth > 10:
                raise self.fail(keys["growth"][1], "plan.bad_growth", value=growth)
        return Baseline(value, year, source, completion, growth)

    def target(self, node: Any) -> Target:
        keys = self.mapping(node, "target", ["value", "basis"], ["source", "note"])
        value = self.number(keys["value"][1], "target.value")
        basis = self.choice(keys["basis"][1], "target.basis", ["stated", "assumed"])
        source = self.text(keys["source"][1], "target.source") if "source" in keys else None
        note = self.text(keys["note"][1], "target.note") if "note" in keys else None
        if basis == "stated" and not source:
            raise self.fail(node, "plan.stated_needs_source")
        if basis == "assumed" and not note:
            raise self.fail(node, "plan.assumed_needs_note")
        return Target(value, basis, source, note)

    def checkpoints(self, node: Any, deadline: dt.date) -> tuple[Checkpoint, ...]:
        out: list[Checkpoint] = []
        for sub in self.sequence(node, "checkpoints"):
            keys = self.mapping(sub, "checkpoint", ["date", "share"], [])
            day = self.date(keys["date"][1], "checkpoint.date")
            share = self.share(keys["share"][1], "checkpoint.share")
            if out and (day <= out[-1].date or share < out[-1].share):
                raise self.fail(sub, "plan.checkpoints_order")
            if day > deadline:
                raise self.fail(
                    keys["date"][1], "plan.after_deadline", value=day, deadline=deadline
                )
            out.append(Checkpoint(day, share))
        return tuple(out)

    def milestones(self, node: Any, item_code: str, deadline: dt.date) -> tuple[Milestone, ...]:
        rows: list[tuple[str, str, dt.date, float | None, tuple[str, ...], Any]] = []
        for sub in self.sequence(node, "milestones"):
            keys = self.mapping(sub, "milestone", ["code", "title", "date"], ["share", "assigned"])
            code = self.code(keys["code"][1], "milestone.code", prefix=item_code, sep="-")
            title = self.text(keys["title"][1], "milestone.title")
            day = self.date(keys["date"][1], "milestone.date")
            if day > deadline:
                raise self.fail(
                    keys["date"][1], "plan.after_deadline", value=day, deadline=deadline
                )
            share = self.share(keys["share"][1], "milestone.share") if "share" in keys else None
            assigned: tuple[str, ...] = ()
            if "assigned" in keys:
                assigned = self.names(
                    keys["assigned"][1], "milestone.assigned", _ASSIGNABLE_MILESTONE
                )
            rows.append((code, title, day, share, assigned, sub))
        given = [r[3] for r in rows]
        if any(s is not None for s in given) and any(s is None for s in given):
            raise self.fail(node, "plan.shares_all_or_none")
        out: list[Milestone] = []
        for n, (code, title, day, share, assigned, sub) in enumerate(rows, start=1):
            share = share if share is not None else n / len(rows)
            if out and (day < out[-1].date or share <= out[-1].share):
                raise self.fail(sub, "plan.milestones_order")
            out.append(Milestone(code, item_code, title, day, share, assigned))
        return tuple(out)
