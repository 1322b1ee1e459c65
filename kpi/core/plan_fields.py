"""The checks of single values in a targets file, each recording a mistake at its node.

``Fields`` is the base of the plan checker (``plan_check``): it knows where a node is, records a
mistake with ``file:line:column``, and reads a node as the kind of value it must be — a mapping
with known keys, a list, a text, a code, a number, a share, a date inside the period, one of
some choices. A check that fails raises ``Invalid`` after recording its mistake; ``attempt`` runs
one and goes on, so that every mistake in the file is reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Sequence
from typing import Any

from kpi.locale import t
from kpi.safety import neutralise

_CODE = re.compile(r"^[0-9A-Za-z]+(?:[.\-][0-9A-Za-z]+)*$")


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


class Invalid(Exception):
    """A value was wrong; the error is already recorded."""


class Fields:
    """Where a node is, its mistakes, and each kind of value a node may hold."""

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

    def fail(self, node: Any, message: str, /, **kw: Any) -> Invalid:
        self.error(node, message, **kw)
        return Invalid()

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
            raise Invalid()
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
        # A zero-width space or a direction override pasted into the file is shown, never hidden.
        return neutralise(value.strip())

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

    def share(self, node: Any, what: str, *, zero: bool = False) -> float:
        """A share of the whole, 0 < share ≤ 1 (0 itself where ``zero``: nothing due yet)."""
        number = self.number(node, what)
        if not (number >= 0 if zero else number > 0) or number > 1:
            raise self.fail(node, "plan.bad_share", what=what, value=node.value)
        return number

    def flag(self, node: Any, what: str) -> bool:
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            raise self.fail(node, "plan.not_flag", what=what, value=node.value)
        return value

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
        except Invalid:
            return None

    # -- the plan -----------------------------------------------------------------------------
