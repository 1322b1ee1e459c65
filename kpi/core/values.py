"""What people type — numbers, percentages and dates — checked before anything is written.

Staff type on Chinese keyboards and copy from spreadsheets, so full-width digits (６４１.４２) and
thousands separators (1,120) are read as what they plainly mean; anything that could mean two
things (3/1/2025, 641.42万 for an indicator counted in 万元) is refused with a hint instead of
guessed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

from kpi.errors import InputError
from kpi.locale import t

_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")
_SCALE_WORDS = ("万", "亿", "千", "百", "k", "K", "w", "W")


def normalize(text: str) -> str:
    """Full-width forms to ASCII (NFKC), trimmed: ６４１．４２ → 641.42, ＋５ → +5."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_number(
    text: str, *, unit: str | None = None, shown: str | None = None, negative: bool = False
) -> float:
    """A finite number, not below zero unless ``negative`` (a growth rate, a balance); an
    optional trailing unit must be the indicator's own.

    ``shown`` is what the person typed, quoted in messages when ``text`` is part of it (the
    number of ``+5``)."""
    raw = shown if shown is not None else text
    text = normalize(text)
    if unit:
        norm_unit = normalize(unit)
        if text.endswith(norm_unit) and text != norm_unit:
            text = text[: -len(norm_unit)].strip()
    sign = 1.0
    if negative and text.startswith("-") and text[1:2] not in ("", "-"):
        sign, text = -1.0, text[1:].strip()
    if text.startswith("-"):
        raise InputError(t("value.negative", value=raw))
    if text.lower() in {"nan", "inf", "+inf", "infinity", "-inf"}:
        raise InputError(t("value.not_finite", value=raw))
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        if text and text[-1] in _SCALE_WORDS and _PLAIN.match(text[:-1].replace(",", "")):
            raise InputError(t("value.scaled", value=raw, unit=unit or "?"))
        if "e" in text.lower():
            try:
                number = float(text)
            except ValueError:
                pass
            else:
                if not math.isfinite(number):
                    raise InputError(t("value.not_finite", value=raw))
                if number < 0:
                    raise InputError(t("value.negative", value=raw))
                return sign * number
        raise InputError(t("value.not_number", value=raw, unit=unit or ""))
    number = float(text)
    if not math.isfinite(number):
        raise InputError(t("value.not_finite", value=raw))
    return sign * number


def parse_percent(text: str) -> float:
    """'60%', '60' or '６０％' → 0.6; must lie between 0 and 100 percent."""
    raw = text
    text = normalize(text)
    text = text.removesuffix("%").strip()
    number = parse_number(text)
    if number > 100:
        raise InputError(t("value.percent_range", value=raw))
    return number / 100


_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?$"),
    re.compile(r"^(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?$"),
)


def parse_date(text: str, *, today: dt.date, default_year: int | None = None) -> dt.date:
    """ISO dates and the unambiguous forms people write: 2025/3/1, 2025年3月1日, 3月1日, 今天.

    A date without a year (3月1日) takes ``default_year`` — the plan's year — because a staff
    member reporting on the 2025 plan means 2025. Day-first or month-first forms such as 3/1/2025
    are refused: they mean different days in different offices.
    """
    raw = text
    text = normalize(text).replace(" ", "")
    words = {"today": 0, "今天": 0, "yesterday": 1, "昨天": 1, "前天": 2}
    if text.lower() in words:
        return today - dt.timedelta(days=words[text.lower()])
    for form in _DATE_FORMS:
        match = form.match(text)
        if not match:
            continue
        parts = match.groupdict()
        year = int(parts["y"]) if parts.get("y") else (default_year or today.year)
        try:
            return dt.date(year, int(parts["m"]), int(parts["d"]))
        except ValueError:
            raise InputError(t("value.impossible_date", value=raw)) from None
    raise InputError(t("value.not_date", value=raw))
