"""`kpi report weekly`: the summary cron writes every Monday, as text, Markdown, HTML or JSON."""

from __future__ import annotations

import os
import string
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kpi.cli.app import app, state
from kpi.cli.status_cmd import AsOf
from kpi.errors import Exit, InputError
from kpi.messages import t

if TYPE_CHECKING:
    from kpi.report import WeeklyReport

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
    from kpi import report

    if fmt == ReportFormat.json:
        return report.to_json(rep) + "\n"
    if fmt == ReportFormat.md:
        return report.to_markdown_report(rep)
    if fmt == ReportFormat.html:
        from kpi.report_html import to_html

        return to_html(rep)
    return report.to_text(rep, width=width, color=color)


def output_path(pattern: str, rep: WeeklyReport) -> Path:
    """``reports/{year}-W{week}.html`` → ``reports/2025-W27.html``."""
    fields = {"year": str(rep.year), "week": f"{rep.week:02d}", "date": rep.as_of.isoformat()}
    for _, name, _, _ in string.Formatter().parse(pattern):
        if name is not None and name not in fields:
            raise InputError(t("report.bad_placeholder", name=name))
    return Path(pattern.format(**fields)).expanduser()


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(t("report.bad_out", path=path, problem=exc.strerror or exc)) from None


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
    from kpi.report import build_weekly_from, heading, window
    from kpi.status import Light

    st = state(ctx)
    plan = st.plan()
    day = st.as_of(as_of)
    start, week_before = window(day)
    now, before = st.statuses([day, week_before])
    rep = build_weekly_from(
        plan,
        now,
        before,
        st.store().updates_between(plan.year, start, day),
        day,
    )
    if out:
        path = output_path(out, rep)
        write_atomically(path, render(rep, fmt))
        st.note(t("report.written", path=path))
    else:
        console = st.out
        color = fmt == ReportFormat.text and console.is_terminal and not console.no_color
        # Written as it is: the text is laid out already (and may be a district's 50,000 lines).
        typer.echo(render(rep, fmt, width=console.width, color=color), nl=False, color=color)
    if mail_to:
        from kpi import mail
        from kpi.report import to_text
        from kpi.report_html import to_html

        message = mail.build_message(
            heading(rep), to_text(rep), to_html(rep), mail.default_sender(), mail_to
        )
        mail.send(message)
        st.note(t("report.mailed", to=", ".join(mail_to)))
    if fail_on:
        lights = [Light.RED] if fail_on == FailOn.red else [Light.RED, Light.YELLOW]
        n = sum(rep.count(light) for light in lights)
        if n:
            words = "、".join(t(f"light.{light.value}").split()[0] for light in lights)
            st.err.print(
                t("report.fail_on", n=n, light=words, light_key=fail_on.value), markup=False
            )
            raise typer.Exit(int(Exit.CONDITION))
