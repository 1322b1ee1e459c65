"""Text that cannot harm a terminal, a mail or a file: what is refused, what is neutralised.

A note pasted from a web page may carry an escape sequence that recolours or retitles the
terminal of whoever reads the history, a right-to-left override that makes ``+500`` read ``005+``,
or a zero-width space that makes two codes look alike. So:

- where people type (a note, ``--by``, a cell of an imported sheet), such characters are refused,
  naming the character and its place, and lengths are bounded (``kpi.core.typed``);
- whatever is already stored, or comes from a targets file, is shown neutralised: each such
  character becomes a visible ``<U+202E>`` (``neutralise``), on every output.

The characters: C0 controls but line feed and tab, DEL, C1 controls, and the invisible format
characters U+200B–U+200F, U+202A–U+202E, U+2060–U+2069 and U+FEFF.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

MAX_NOTE = 2000  # characters of a note (进展情况): a long paragraph, not a document
MAX_NAME = 64  # characters of a name (填报人)
MAX_QUOTE = 200  # characters of anything a user supplied that a message quotes


def neutralise(text: str) -> str:
    """``text`` with every unsafe character shown as its code point: U+202E as ``<U+202E>``."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def unsafe_char(text: str) -> tuple[int, str] | None:
    """The first unsafe character of ``text`` and its position (1-based), if any."""
    found = _UNSAFE.search(text)
    return None if found is None else (found.start() + 1, f"U+{ord(found.group()):04X}")


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    """At most ``limit`` characters of ``text`` for a message, neutralised."""
    text = neutralise(text)
    return text if len(text) <= limit else text[:limit] + "…"
