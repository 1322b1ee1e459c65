"""The checks of an indicator in a targets file: how it accumulates, its baseline, its target.

A target comes in the forms plans write it (docs/plan-format.md):

- ``at_least`` (the default): reach ``value``, or a ``growth`` over the baseline (``0.055``, with
  ``about: true`` for 左右; ``positive`` for any growth), the value then derived from the baseline;
- ``at_most``: a ceiling (不超过, 控制在…以内; 零发生 is ``value: 0``), or a growth not to pass;
- ``range``: keep within ``min``..``max`` (a satisfaction rate of 95–100%);
- ``monitor``: a monitored figure (监测指标), recorded and shown, never judged.

Every target says its basis: ``stated`` with the report's words (``source``), or ``assumed`` with
a ``note`` saying how the office set it.
"""

from __future__ import annotations

from typing import Any

from kpi.core.plan import Accumulate, Baseline, Direction, Source, Target, TargetKind
from kpi.core.plan_fields import Fields, Invalid

TARGET_KINDS = ("at_least", "at_most", "range", "monitor")
ACCUMULATE = ("sum", "ytd", "level")
_FIGURES = ("value", "growth", "min", "max")
_ALLOWED: dict[str, tuple[str, ...]] = {
    "at_least": ("value", "growth"),
    "at_most": ("value", "growth"),
    "range": ("min", "max"),
    "monitor": (),
}


class Indicators(Fields):
    """The indicator part of the plan checker."""

    def indicator(self, keys: dict[str, tuple[Any, Any]], code: str) -> dict[str, Any]:
        """unit, direction, accumulate, negative, baseline and target of one indicator."""
        unit = self.attempt(self.text, keys["unit"][1], "item.unit")
        direction: Direction = "up"
        if "direction" in keys:
            direction = (
                self.attempt(self.choice, keys["direction"][1], "item.direction", ["up", "down"])
                or "up"
            )
        accumulate: Accumulate = "sum"
        if "accumulate" in keys:
            accumulate = (
                self.attempt(self.choice, keys["accumulate"][1], "item.accumulate", ACCUMULATE)
                or "sum"
            )
        negative = False
        if "negative" in keys:
            negative = bool(self.attempt(self.flag, keys["negative"][1], "item.negative"))
        baseline = None
        if "baseline" in keys:
            baseline = self.attempt(self.baseline, keys["baseline"][1], negative)
        target = self.attempt(self.target, keys["target"][1], code, baseline, negative)
        if target is not None:
            self.attempt(self.direction_fits, keys, code, direction, accumulate, baseline, target)
        return {
            "unit": unit,
            "direction": direction,
            "accumulate": accumulate,
            "negative": negative,
            "baseline": baseline,
            "target": target,
        }

    def direction_fits(
        self,
        keys: dict[str, tuple[Any, Any]],
        code: str,
        direction: Direction,
        accumulate: Accumulate,
        baseline: Baseline | None,
        target: Target,
    ) -> None:
        """A reduction (direction: down) is a level measured from its baseline to its target."""
        if direction != "down":
            zero = target.kind == "at_least" and target.value is not None and target.value <= 0
            if zero and not target.derived:
                raise self.fail(keys["target"][1], "plan.target_zero", code=code)
            return
        if accumulate != "level":
            # A count that adds up from zero cannot be measured from a baseline downwards.
            raise self.fail(keys["direction"][1], "plan.down_needs_level", code=code)
        if target.kind != "at_least":
            raise self.fail(keys["direction"][1], "plan.down_only_at_least", code=code)
        if baseline is None:
            raise self.fail(keys["target"][1], "plan.down_needs_baseline", code=code)
        if target.value is not None and target.value >= baseline.value:
            raise self.fail(keys["target"][1], "plan.down_target", code=code)

    def baseline(self, node: Any, negative: bool) -> Baseline:
        optional = ["completion", "growth", "excerpt", "also"]
        keys = self.mapping(node, "baseline", ["value", "year", "source"], optional)
        minimum = None if negative else 0.0
        value = self.number(keys["value"][1], "baseline.value", minimum=minimum)
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
        excerpt = (
            bool(self.flag(keys["excerpt"][1], "baseline.excerpt")) if "excerpt" in keys else False
        )
        also: tuple[Source, ...] = ()
        if "also" in keys:
            also = tuple(
                s
                for s in (
                    self.attempt(self.other_source, sub, minimum)
                    for sub in self.sequence(keys["also"][1], "baseline.also")
                )
                if s is not None
            )
        return Baseline(value, year, source, completion, growth, excerpt, also)

    def other_source(self, node: Any, minimum: float | None) -> Source:
        keys = self.mapping(node, "baseline.also", ["value", "source"], ["year", "excerpt"])
        value = self.number(keys["value"][1], "baseline.also.value", minimum=minimum)
        source = self.text(keys["source"][1], "baseline.also.source")
        year = (
            self.integer(keys["year"][1], "baseline.also.year", minimum=1990)
            if "year" in keys
            else None
        )
        excerpt = (
            bool(self.flag(keys["excerpt"][1], "baseline.also.excerpt"))
            if "excerpt" in keys
            else False
        )
        return Source(value, source, year, excerpt)

    def target(self, node: Any, code: str, baseline: Baseline | None, negative: bool) -> Target:
        optional = ["kind", "value", "growth", "about", "min", "max", "source", "note"]
        keys = self.mapping(node, "target", ["basis"], optional)
        kind: TargetKind = "at_least"
        if "kind" in keys:
            kind = self.choice(keys["kind"][1], "target.kind", TARGET_KINDS)
        basis = self.choice(keys["basis"][1], "target.basis", ["stated", "assumed"])
        source = self.text(keys["source"][1], "target.source") if "source" in keys else None
        note = self.text(keys["note"][1], "target.note") if "note" in keys else None
        if basis == "stated" and not source:
            raise self.fail(node, "plan.stated_needs_source")
        if basis == "assumed" and not note:
            raise self.fail(node, "plan.assumed_needs_note")
        for key in _FIGURES:
            if key in keys and key not in _ALLOWED[kind]:
                raise self.fail(
                    keys[key][0], "plan.target_key_for_kind", key=key, kind=kind, code=code
                )
        about = bool(self.flag(keys["about"][1], "target.about")) if "about" in keys else False
        minimum = None if negative else 0.0
        if kind == "range":
            return self.range_target(node, keys, code, basis, source, note, about, minimum)
        if kind == "monitor":
            return Target(basis, "monitor", source=source, note=note, about=about)
        if ("value" in keys) == ("growth" in keys):
            raise self.fail(node, "plan.value_or_growth", code=code, kind=kind)
        if "value" in keys:
            value = self.number(keys["value"][1], "target.value", minimum=minimum)
            return Target(basis, kind, value=value, about=about, source=source, note=note)
        growth_node = keys["growth"][1]
        positive = getattr(growth_node, "value", None) == "positive"
        if positive and kind != "at_least":
            raise self.fail(growth_node, "plan.positive_ceiling", code=code)
        growth = None if positive else self.number(growth_node, "target.growth", minimum=-0.99)
        if growth is not None and growth > 10:
            raise self.fail(growth_node, "plan.bad_growth", value=growth)
        if baseline is None:
            raise self.fail(growth_node, "plan.growth_needs_baseline", code=code)
        value = baseline.value if positive else baseline.value * (1 + (growth or 0.0))
        return Target(
            basis,
            kind,
            value=value,
            growth=growth,
            positive=positive,
            about=about,
            source=source,
            note=note,
        )

    def range_target(
        self,
        node: Any,
        keys: dict[str, tuple[Any, Any]],
        code: str,
        basis: Any,
        source: str | None,
        note: str | None,
        about: bool,
        minimum: float | None,
    ) -> Target:
        if "min" not in keys or "max" not in keys:
            raise self.fail(node, "plan.range_needs", code=code)
        low = self.number(keys["min"][1], "target.min", minimum=minimum)
        high = self.number(keys["max"][1], "target.max", minimum=minimum)
        if not low < high:
            raise self.fail(keys["max"][1], "plan.range_order", code=code, low=low, high=high)
        return Target(basis, "range", low=low, high=high, about=about, source=source, note=note)


__all__ = ["Indicators", "Invalid"]
