"""Where a line of Chinese text may break, and lines that break only there.

Chinese may break between any two characters, but a terminal table must not cut what reads as
one thing: a run of Latin letters or digits (``B站``, ``12345``, ``3.0版``: a number keeps the
character after it, its measure word or unit), a short parenthesised unit or aside (``(人次)``,
``(人 / 次)``), and punctuation stays with its word — no line starts with ``，。、）”`` or ends with
``“（``. ``tokens`` cuts a text into the pieces that must stay whole; ``wrap`` fills lines with them.
Widths are terminal columns (``kpi.core.text.width``: two for a Chinese character).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kpi.core.text import chop, width

_OPEN = "“‘（(《「『〔【〈＝="
_CLOSE = "，。、；：！？”’）)》」』〕】〉…·%％,.;:!?＝="
# One piece each: a parenthesised group of up to 12 characters with no bracket inside; a run of
# letters and digits, with the dots, commas, signs and slashes inside numbers and codes; a space;
# any other single character.
_WIDE = (
    "\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)
_PIECE = re.compile(
    r"[(（][^()（）\n]{1,12}[)）]"  # (人次), (人 / 次), （报告未写明）
    rf"|[^\s{_WIDE}()“”‘’]+"  # a run of letters, digits and the signs between them
    r"|\s+"
    r"|."
)
_LATIN = re.compile(r"[0-9A-Za-z]")


def tokens(text: str) -> list[str]:
    """``text`` as the pieces a line may break between; spaces are pieces of their own."""
    out: list[str] = []
    glue_next = False
    previous_latin = False
    for m in _PIECE.finditer(text):
        piece = m.group()
        if piece.isspace():
            out.append(piece)
            glue_next = previous_latin = False
            continue
        latin = bool(_LATIN.match(piece))
        joins = (
            bool(out)
            and not out[-1].isspace()
            and (
                glue_next  # after an opening quote or bracket
                or piece[0] in _CLOSE  # closing punctuation stays with what it closes
                or (previous_latin and len(piece) == 1 and not latin)  # 3.0 + 版, B + 站
            )
        )
        if joins:
            out[-1] += piece
        else:
            out.append(piece)
        glue_next = piece in _OPEN
        previous_latin = latin
    return out


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` columns, broken only between ``tokens``.

    A piece wider than a whole line (never so in the plan's titles) is cut by characters rather
    than let the line run over. Spaces at a break are dropped, others kept as they are (the
    columns of an example); a line break in ``text`` is kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_fill(tokens(paragraph), columns))
    return lines


def _fill(pieces: list[str], columns: int) -> list[str]:
    lines: list[str] = []
    line = ""
    used = 0
    for piece in pieces:
        w = width(piece)
        if piece.isspace():
            if used and used + len(piece) <= columns:
                line, used = line + piece, used + len(piece)
            continue
        if used + w > columns and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        if w > columns:
            *full, piece = chop(piece, columns)
            lines.extend(full)
            w = width(piece)
        line, used = line + piece, used + w
    lines.append(line.rstrip())
    return lines


def clip(text: str, columns: int, lines: int, mark: str = "…") -> list[str]:
    """At most ``lines`` lines of ``text``; if more were needed, the last ends in ``mark`` (after a
    whole piece, never inside one)."""
    wrapped = wrap(" ".join(text.split()), columns)
    if len(wrapped) <= lines:
        return wrapped
    kept = wrapped[: lines - 1]
    last = ""
    for piece in tokens(wrapped[lines - 1] + " " + wrapped[lines]):
        if width(last + piece + mark) > columns:
            break
        last += piece
    return [*kept, last.rstrip() + mark]


def split_first(text: str, columns: int) -> tuple[str, str]:
    """The first line of ``wrap(text, columns)`` and the rest of the text, unwrapped."""
    pieces = tokens(text)
    used = 0
    for n, piece in enumerate(pieces):
        w = width(piece)
        if used + w > columns and used:
            first = "".join(pieces[:n]).rstrip()
            return first, "".join(pieces[n:]).lstrip()
        used += w
    return text, ""


def pack(parts: Sequence[str], columns: int, joiner: str = "；") -> list[str]:
    """Clauses (each ending in ``joiner`` but the last) in as few lines as fit ``columns``: a
    clause is broken only when it is wider than a line."""
    lines: list[str] = []
    for n, part in enumerate(parts):
        part = part + (joiner if n < len(parts) - 1 else "")
        if lines and width(lines[-1] + part.rstrip()) <= columns:
            lines[-1] += part
        elif width(part.rstrip()) <= columns:
            lines.append(part)
        else:
            lines.extend(wrap(part, columns))
    return lines
