"""`kpi report weekly`: the summary cron writes every Monday, as text, Markdown, HTML or JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpi.cli.options import AsOf
from kpi.cli.root import app, state
from kpi.errors import Exit
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.report.weekly import WeeklyReport

report_app = typer.Typer(no_args_is_help=True, help=t("help.report_group"))
app.add_typer(report_app, name="report")


class ReportFormat(StrEnum):
    text = "text"
    md = "md"
    html = "html"
    json = "json"


class FailOn(StrEnum):
    red = "red"
    yellow = "yellow"


def render(rep: WeeklyReport, fmt: ReportFormat, *, width: int = 80, color: bool = False) -> str:
    if fmt == ReportFormat.json:
        from kpi.report.data import to_json

        return to_json(rep) + "\n"
    if fmt == ReportFormat.md:
        from kpi.report.markdown import to_markdown_report

        return to_markdown_report(rep)
    if fmt == ReportFormat.html:
        from kpi.report.html import to_html

        return to_html(rep)
    from kpi.report.text import to_text

    return to_text(rep, width=width, color=color)


def output_path(pattern: str, rep: WeeklyReport) -> Path:
    """``reports/{year}-W{week}.html`` → ``reports/2025-W27.html``."""
    from kpi.app.files import out_path

    fields = {"year": str(rep.year), "week": f"{rep.week:02d}", "date": rep.as_of.isoformat()}
    return out_path(pattern, fields)


@report_app.command(help=t("help.weekly"))
def weekly(
    ctx: typer.Context,
    as_of: AsOf = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help=t("help.report_format"))
    ] = ReportFormat.text,
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", help=t("help.report_out")),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help=t("help.fail_on")),
    ] = None,
    mail_to: Annotated[
        list[str] | None,
        typer.Option("--mail-to", help=t("help.mail_to")),
    ] = None,
) -> None:
    """The weekly progress summary: lights per area, this week's records, what is late, who must act."""
    from kpi.app import reports
    from kpi.core.status import Light
    from kpi.formats.words import short_word
    from kpi.report.weekly import heading

    st = state(ctx)
    if st.workspace.everything:
        from kpi.cli import district

        return district.weekly(st, as_of, fmt, out, fail_on, mail_to)
    message = None
    if mail_to:
        from kpi.app import mail

        message = mail.prepare(st.env, mail_to)  # addresses and server checked before anything
    rep = reports.weekly(
        st.workspace,
        as_of,
        every_record=fmt == ReportFormat.json,
        trends=fmt == ReportFormat.html or message is not None,  # the HTML draws red trends
    )
    if out:
        from kpi.app.files import write_atomically

        path = output_path(out, rep)
        st.workspace.store().guard_out(path)
        write_atomically(path, render(rep, fmt))
        st.note(t("report.written", path=path))
    else:
        console = st.out
        color = fmt == ReportFormat.text and console.is_terminal and not console.no_color
        # Written as it is: the text is laid out already (and may be a district's 50,000 lines).
        typer.echo(render(rep, fmt, width=console.width, color=color), nl=False, color=color)
    if message is not None:
        from kpi.app import mail
        from kpi.report.html import to_html
        from kpi.report.text import to_text

        mail.send(message.build(heading(rep), to_text(rep), to_html(rep)), message)
        st.note(t("report.mailed", to=", ".join(message.to)))
    if fail_on:
        lights = [Light.RED] if fail_on == FailOn.red else [Light.RED, Light.YELLOW]
        n = sum(rep.count(light) for light in lights)
        if n:
            words = "、".join(short_word(light) for light in lights)
            st.err.print(
                t("report.fail_on", n=n, light=words, light_key=fail_on.value), markup=False
            )
            raise typer.Exit(int(Exit.CONDITION))
