"""Errors users can act on, each with the exit code SPEC.md documents.

Every error carries one line saying what is wrong, where, and how to fix it. The CLI prints that
line and exits with ``exit_code``; only ``--debug`` shows a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    FAILURE = 1  # something went wrong at run time (database unreachable, disk full …)
    BAD_INPUT = 2  # bad input or usage: the user can fix it and run again
    CONDITION = 3  # a --fail-on condition held
    INTERRUPTED = 130  # Ctrl-C, or the end of input at a question (128 + SIGINT, as shells say)


class KpiError(Exception):
    """A failure the user can understand; ``str()`` is the one-line message."""

    exit_code: Exit = Exit.FAILURE
    error: bool = True  # shown after 错误：(a "no" to a question is not an error)

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InputError(KpiError):
    """Bad input: a value, a date, an option or an item that does not exist."""

    exit_code = Exit.BAD_INPUT


class PlanError(InputError):
    """The targets file has mistakes; ``details`` holds one line per mistake."""


class NotFound(InputError):
    """No item matches what the user typed."""


class Ambiguous(InputError):
    """Several items match what the user typed."""


class StoreError(KpiError):
    """The database could not be read or written."""
