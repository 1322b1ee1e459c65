"""`--plan all`: `kpi status`, `kpi report weekly` and `kpi export` for every plan in use.

The plans are gathered by ``kpi.app.district``; this module lays them out (``kpi.report.district``,
``kpi.sheets.district``) and writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kpi.app import district as gathered
from kpi.errors import Exit, InputError
from kpi.locale import t

__all__ = ["export", "status", "weekly"]

if TYPE_CHECKING:
    from kpi.cli.context import State
    from kpi.report.district import District


# -- kpi --plan all status --------------------------------------------------------------------------


def status(st: State, as_of: str | None, fmt: str, *, filtered: bool = False) -> None:
    """Every plan's row, ranked, and its red items: a table, JSON, CSV or Markdown."""
    if filtered:
        raise InputError(t("district.no_filters"))
    d = gathered.status(st.workspace, as_of)
    if fmt == "json":
        from kpi.report.district.data import status_json

        typer.echo(status_json(d))
        return
    if fmt == "csv":
        from kpi.report.district.data import status_csv

        typer.echo(status_csv(d), nl=False)
        return
    from kpi.report.district.layout import status_page
    from kpi.report.district.render import to_markdown, to_text

    if fmt == "md":
        typer.echo(to_markdown(status_page(d)), nl=False)
        return
    console = st.out
    color = console.is_terminal and not console.no_color
    typer.echo(to_text(status_page(d), width=console.width, color=color), nl=False, color=color)


# -- kpi --plan all report weekly ------------------------------------------------------------------


def render_week(d: District, fmt: str, *, width: int = 80, color: bool = False) -> str:
    if fmt == "json":
        from kpi.report.district.data import weekly_json

        return weekly_json(d) + "\n"
    from kpi.report.district.layout import weekly_page
    from kpi.report.district.render import to_html, to_markdown, to_text

    if fmt == "md":
        return to_markdown(weekly_page(d))
    if fmt == "html":
        return to_html(weekly_page(d))
    return to_text(weekly_page(d), width=width, color=color)


def weekly(
    st: State,
    as_of: str | None,
    fmt: str,
    out: str | None,
    fail_on: str | None,
    mail_to: Sequence[str] | None = None,
) -> None:
    """The district's weekly summary, to standard output or ``--out``; exit 3 on ``--fail-on``."""
    from kpi.core.status import Light

    message = None
    if mail_to:
        from kpi.app import mail

        message = mail.prepare(st.env, mail_to)  # addresses and server checked before anything
    d = gathered.weekly(st.workspace, as_of)
    if out:
        from kpi.app.files import out_path, write_atomically

        fields = {"year": str(d.year), "week": f"{d.week:02d}", "date": d.as_of.isoformat()}
        path = out_path(out, fields)
        st.workspace.store().guard_out(path)
        write_atomically(path, render_week(d, fmt))
        st.note(t("report.written", path=path))
    else:
        console = st.out
        color = fmt == "text" and console.is_terminal and not console.no_color
        text = render_week(d, fmt, width=console.width, color=color)
        typer.echo(text, nl=False, color=color)
    if message is not None:
        from kpi.app import mail
        from kpi.report.district.layout import title

        mail.send(message.build(title(d), render_week(d, "text"), render_week(d, "html")), message)
        st.note(t("report.mailed", to=", ".join(message.to)))
    if fail_on:
        from kpi.formats.words import short_word

        lights = [Light.RED] if fail_on == "red" else [Light.RED, Light.YELLOW]
        n = sum(d.total(light) for light in lights)
        if n:
            words = "、".join(short_word(light) for light in lights)
            st.err.print(t("report.fail_on", n=n, light=words, light_key=fail_on), markup=False)
            raise typer.Exit(int(Exit.CONDITION))


# -- kpi --plan all export ---------------------------------------------------------------------------


def export(st: State, fmt: str | None, out: Path | None, as_of: str | None) -> None:
    """One workbook: a summary sheet and each plan's 台账."""
    from kpi.app.files import write_atomically
    from kpi.cli.context import display_path
    from kpi.sheets.district import workbook_bytes

    suffix = out.suffix.lower().lstrip(".") if out else ""
    chosen = fmt or (suffix if suffix in ("csv", "json") else "xlsx")
    if chosen != "xlsx":
        raise InputError(t("district.xlsx_only"))
    d = gathered.status(st.workspace, as_of)
    path = out or Path(t("district.default_name", as_of=d.as_of.isoformat()))
    st.workspace.store().guard_out(path)
    write_atomically(path, workbook_bytes(d))
    shown = display_path(path, st.env)
    st.note(t("district.written", path=shown, plans=len(d.rows), items=d.items))
