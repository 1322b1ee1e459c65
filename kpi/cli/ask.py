"""Questions at the terminal: a yes-or-no that takes 是/否 as well as y/n.

click's ``confirm`` takes only y/yes/n/no and answers anything else in English; staff type 是 or
否 as readily. ``confirm`` asks in the chosen language, takes the words of both (``ask.yes_words``,
``ask.no_words``), asks again after anything else, and gives the default for a bare Enter. Ctrl-C
or the end of input stops the command (``已中断``, exit 130), as everywhere else. ``asking`` runs a
use case and asks for what it needs (``kpi.app.questions``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TypeVar

import click

from kpi.app.questions import Answers
from kpi.locale import t

T = TypeVar("T")


def answer(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else."""
    word = unicodedata.normalize("NFKC", text).strip().lower().rstrip("。.!！")
    if word in t("ask.yes_words").split():
        return True
    if word in t("ask.no_words").split():
        return False
    return None


def confirm(question: str, default: bool = False) -> bool:
    while True:
        reply = click.prompt(
            question, default="", show_default=False, prompt_suffix=t("ask.suffix")
        )
        if not reply.strip():
            return default
        said = answer(reply)
        if said is not None:
            return said
        click.echo(t("ask.yes_or_no"))


def asking(interactive: bool, attempt: Callable[[Answers], T], answers: Answers) -> T:
    """``attempt(answers)``, asking at a terminal for what it still needs (``kpi.app.questions``)
    and trying again with the answer; where nobody can answer, its request is the error."""
    from dataclasses import replace

    from kpi.app.questions import Declined, NeedsConfirmation, NeedsReason

    while True:
        try:
            return attempt(answers)
        except NeedsReason as need:
            if not interactive:
                raise
            reason = click.prompt(need.question, default="", show_default=False).strip()
            if not reason:
                raise
            answers = replace(answers, reason=reason)
        except NeedsConfirmation as need:
            if not interactive:
                raise
            if not confirm(need.question):
                raise Declined() from None
            confirmed = need.record_id if need.record_id is not None else True
            answers = replace(answers, confirmed=confirmed)
