"""Numbers, shares, gaps and lights in words: the same in a table, a report, a mail and a sheet.

234 → ``234``, 0.513 → ``51.3%``, a gap of 1.1 points → ``+1.1``; a light is a word as well as a
colour (绿 达进度, 红 滞后·逾期, 完成 超额), so it survives mail, print, a pipe and readers who do not
see colour. A record is described as staff typed it (``+5 家``, ``=120 家``, ``60%``, 完成).
"""

from __future__ import annotations

from kpi.core.plan import Item
from kpi.core.records import Update
from kpi.core.status import ItemStatus, Light
from kpi.locale import t


def num(value: float | None) -> str:
    """234 → '234', 7.75 → '7.75', 641.420 → '641.42'; None → '—'."""
    if value is None:
        return "—"
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}".replace(",", "")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def points(gap: float | None) -> str:
    if gap is None:
        return "—"
    return f"{gap:+.1f}".replace("-", "−")


def basis_words(item: Item) -> str:
    """How a target was set: the office's note, or that the report states it."""
    tg = item.target
    if tg is None:
        return ""
    return tg.note or (t("show.provisional") if tg.provisional else t("show.stated"))


def light_word(s: ItemStatus | Light) -> str:
    """绿 达进度, 红 滞后·逾期, 完成 超额 …: the light as words, for readers without colour."""
    light = s if isinstance(s, Light) else s.light
    word = t(LIGHT_WORDS[light])
    if isinstance(s, ItemStatus) and s.overdue and light == Light.RED:
        word += t("light.overdue_suffix")
    elif isinstance(s, ItemStatus) and s.exceeded:
        word = t("light.exceeded")
    return word


# The light's word in full (绿 达进度) and alone (绿), each with a key of its own.
LIGHT_WORDS = {
    Light.DONE: "light.done",
    Light.GREEN: "light.green",
    Light.YELLOW: "light.yellow",
    Light.RED: "light.red",
    Light.NONE: "light.none",
    Light.MONITOR: "light.monitor",
}
SHORT_WORDS = {
    Light.DONE: "light.short.done",
    Light.GREEN: "light.short.green",
    Light.YELLOW: "light.short.yellow",
    Light.RED: "light.short.red",
    Light.NONE: "light.short.none",
    Light.MONITOR: "light.short.monitor",
}
# The order offices count in: how many done, green, yellow, red, and not yet reported.
COUNT_ORDER = (Light.DONE, Light.GREEN, Light.YELLOW, Light.RED, Light.NONE)


def short_word(light: Light) -> str:
    """完成, 绿, 黄, 红, 无数据: a light in one word, for headers and counts."""
    return t(SHORT_WORDS[light])


def cell_word(s: ItemStatus) -> str:
    """One word for a table cell: 完成, 超额, 绿, 黄, 红, 逾期, 无数据."""
    if s.exceeded:
        return t("light.exceeded_short")
    if s.overdue and s.light == Light.RED:
        return t("light.overdue_short")
    return short_word(s.light)


def title_with_unit(item: Item) -> str:
    return f"{item.title}({item.unit})" if item.unit else item.title


def target_text(item: Item) -> str:
    """The target in a table cell as the plan writes it: ``234``, ``≤3``, ``95–100``, ``+5.5%``,
    ``监测``; ``*`` marks one the report does not state (暂定)."""
    tg = item.target
    if tg is None:
        return "—"
    mark = "*" if tg.provisional else ""
    about = "≈" if tg.about else ""
    if tg.kind == "monitor":
        return t("target.monitor_short")
    if tg.kind == "range":
        return f"{about}{num(tg.low)}–{num(tg.high)}{mark}"
    if tg.positive:
        return t("target.positive_short") + mark
    if tg.growth is not None:
        return f"{about}{tg.growth * 100:+g}%{mark}"
    prefix = "≤" if tg.kind == "at_most" else ""
    return f"{prefix}{about}{num(tg.value)}{mark}"


def target_words(item: Item) -> str:
    """The target in full, with how it was set: ``433.6 亿元（411 × 1.055，增长 5.5% 左右）``."""
    tg = item.target
    if tg is None:
        return "—"
    unit = item.unit or ""
    about = t("target.about") if tg.about else ""
    if tg.kind == "monitor":
        return t("target.monitor")
    if tg.kind == "range":
        return t("target.range", low=num(tg.low), high=num(tg.high), unit=unit, about=about)
    base = item.baseline.value if item.baseline else None
    if tg.positive:
        return t("target.positive", base=num(base), unit=unit)
    if tg.growth is not None:
        words = t(
            "target.growth",
            value=num(tg.value),
            unit=unit,
            base=num(base),
            factor=f"{1 + tg.growth:g}",
            growth=f"{tg.growth * 100:g}%",
            about=about,
        )
    else:
        words = f"{num(tg.value)} {unit}".strip() + (about and f"（{about}）")
    return t("target.ceiling", words=words) if tg.kind == "at_most" else words


def describe(u: Update, unit: str | None = None) -> str:
    """A record in words: '+5 家', '=120 家', '60%', '完成'."""
    unit = f" {unit}" if unit else ""
    if u.kind == "add":
        return f"+{num(u.value)}{unit}"
    if u.kind == "set":
        return f"={num(u.value)}{unit}"
    if u.kind == "percent":
        return pct(u.value)
    return t("record.done_word")


# The colour of each light, as a style name that both the terminal tables and the text report
# understand ("bold red"); the word is always there too.
LIGHT_STYLE = {
    Light.DONE: "bold blue",
    Light.GREEN: "bold green",
    Light.YELLOW: "bold yellow",
    Light.RED: "bold red",
    Light.NONE: "dim",
    Light.MONITOR: "cyan",
}
