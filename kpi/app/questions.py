"""What a use case needs a person to say before it can go on, as data rather than a prompt.

A use case never asks on a terminal itself. It takes the ``Answers`` given so far (``--note``,
``--yes``) and, when one is missing, raises: ``NeedsReason`` (a record that leaves its item red
carries its 滞后原因) or ``NeedsConfirmation`` (a figure far out of line, a record to void). Where
nobody can answer (a pipe, cron, an import) that is the one-line error the user sees, saying what
to add; at a terminal the command line asks and calls the use case again with the answer. A
confirmation declined is ``Declined``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kpi.errors import Exit, InputError, KpiError
from kpi.locale import t

if TYPE_CHECKING:
    from kpi.core.status import ItemStatus


@dataclass(frozen=True, slots=True)
class Answers:
    """What the person has said: a reason for a red light, and what they confirmed — ``True``
    for anything (``--yes``), or the id of the one record they were shown."""

    reason: str | None = None
    confirmed: bool | int = False

    def confirms(self, record_id: int | None = None) -> bool:
        if self.confirmed is True:
            return True
        return record_id is not None and self.confirmed == record_id


NO_ANSWERS = Answers()


class NeedsReason(InputError):
    """The record would leave its item red and says nothing of why."""

    def __init__(self, after: ItemStatus) -> None:
        from kpi.formats.words import points

        super().__init__(
            t("record.needs_reason", code=after.item.code, gap=points(after.gap_points))
        )
        self.after = after
        self.question = t("record.ask_reason")


class NeedsConfirmation(InputError):
    """The step needs a yes: ``question`` to ask at a terminal; the message says to add
    ``--yes`` where nobody can answer. ``record_id``: the one record the yes is for."""

    def __init__(self, message: str, question: str, record_id: int | None = None) -> None:
        super().__init__(message)
        self.question = question
        self.record_id = record_id


class Declined(KpiError):
    """The person said no: nothing was written."""

    exit_code = Exit.FAILURE
    error = False

    def __init__(self) -> None:
        super().__init__(t("cli.declined"))
