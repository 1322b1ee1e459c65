"""Text as people type it (a note, ``--by``, a role, a cell of an imported sheet): refused when it
holds a character that could harm a terminal (``kpi.safety``), a line break where one line is
asked for, or more characters than its limit — naming the character and its place."""

from __future__ import annotations

from kpi.errors import InputError
from kpi.locale import t
from kpi.safety import unsafe_char


def check_typed(text: str, what: str, *, limit: int, lines: bool = True) -> str:
    """What a person typed for ``what``: refused if it holds an unsafe character (or a line
    break where ``lines`` is False) or is longer than ``limit`` characters."""
    bad = unsafe_char(text)
    if bad is not None:
        raise InputError(t("input.control_char", what=what, char=bad[1], position=bad[0]))
    if not lines and ("\n" in text or "\t" in text):
        position = min(p for p in (text.find("\n"), text.find("\t")) if p >= 0)
        char = f"U+{ord(text[position]):04X}"
        raise InputError(t("input.line_break", what=what, char=char, position=position + 1))
    if len(text) > limit:
        raise InputError(t("input.too_long", what=what, n=len(text), limit=limit))
    return text
