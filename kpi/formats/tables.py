"""Flat views of the records: CSV and Markdown tables, with what people typed neutralised so that
it cannot become a spreadsheet formula or break a Markdown table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with ' (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = "; ".join(v["code"] if isinstance(v, dict) else str(v) for v in value)
        else:
            out[name] = value
    return out


CSV_COLUMNS = (
    "code",
    "title",
    "area.code",
    "section.code",
    "kind",
    "unit",
    "lead_office",
    "deadline",
    "baseline.value",
    "baseline.year",
    "target.value",
    "target.basis",
    "actual",
    "remaining",
    "completion",
    "expected",
    "gap_points",
    "status",
    "overdue",
    "stale",
    "last_update",
    "forecast",
    "latest_note",
    "baseline.source",
)


def to_csv(records: Sequence[dict[str, Any]], columns: Sequence[str] = CSV_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        flat = flatten(record)
        writer.writerow([safe_cell(_csv_value(flat.get(c))) for c in columns])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def md_cell(value: Any) -> str:
    """A Markdown table cell: no line breaks, pipes and markup characters escaped."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    for ch in "\\|*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    lines.extend("| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"
