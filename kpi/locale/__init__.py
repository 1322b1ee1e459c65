"""Every message and label a user sees, in Chinese (the default) and English.

``t(key, **fields)`` formats the message in the current language. ``set_language`` is called once
by the command line, from ``--lang`` or ``KPI_LANG``. The words live in ``zh`` and ``en``, one
catalogue each with the same keys and fields (a test keeps them equal), so that they stay
consistent and can be translated. An unknown key is a programming error and raises: a test finds
every key the code names, so a typo fails there, not in front of a user.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from kpi.locale.en import EN
from kpi.locale.zh import ZH
from kpi.safety import quote

CATALOGUES = {"zh": ZH, "en": EN}
_current = ZH


def set_language(lang: str | None) -> str:
    """Choose the language (``zh``, ``en``, ``en_GB.UTF-8`` …); anything else is Chinese."""
    global _current
    choice = (lang or "zh").lower().split("_")[0].split("-")[0].split(".")[0]
    if choice not in CATALOGUES:
        choice = "zh"
    _current = CATALOGUES[choice]
    return choice


def language() -> str:
    return "en" if _current is EN else "zh"


_LINE_BREAKS = str.maketrans({"\n": "↵", "\r": "↵", "\u2028": "↵", "\u2029": "↵", "\x85": "↵"})


def t(message_id: str, /, **fields: Any) -> str:
    """The message in the current language. A text field (what someone typed or pasted, or a
    file's path) is shown safely: a line break as ↵, so that every message stays one line,
    control characters made visible, and no more than 200 characters of it."""
    text = _current[message_id]
    if not fields:
        return text
    return text.format(
        **{
            k: quote(str(v).translate(_LINE_BREAKS)) if isinstance(v, str | PurePath) else v
            for k, v in fields.items()
        }
    )


def has(message_id: str) -> bool:
    return message_id in _current
