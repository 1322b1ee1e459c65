"""Text as a terminal shows it: how many columns it takes, and where it may be wrapped.

A Chinese character takes two columns, a Latin letter one, a combining mark or a zero-width
character none; tables line up only if every cell is measured so. ``width`` is that measure (the
same as the terminal's for the characters our text uses: a test holds it to Rich's), ``chop``
cuts a text into lines of at most so many columns.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Columns one character takes: 2 for wide (CJK, full-width), 0 for marks and format
    characters, 1 otherwise (ambiguous characters such as “ ” count one, as most terminals show)."""
    if ch < "\u0300":  # Latin, digits, punctuation: the common case
        return 0 if ch < " " else 1
    category = unicodedata.category(ch)
    if category in ("Mn", "Me", "Cf") or ch == "\u200b":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns ``text`` takes; ASCII (codes, numbers, dates) is counted without a look-up."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


def chop(text: str, columns: int) -> list[str]:
    """``text`` cut into lines of at most ``columns`` columns (a character never split)."""
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for ch in text:
        w = char_width(ch)
        if used + w > columns and line:
            lines.append("".join(line))
            line, used = [], 0
        line.append(ch)
        used += w
    lines.append("".join(line))
    return lines
