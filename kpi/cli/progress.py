"""A progress bar for long work, on standard error, only for a person at a terminal.

Under cron, in a pipe, in a test, or when the work is small, nothing is shown and nothing is
imported: ``bar`` then gives a stand-in that does nothing. On a terminal (Rich, transient: the
bar is gone when the work is done, and the command's own line stays) it shows what is being done,
how far along (a count when the work is counted, a moving bar when it is one long step) and for
how long::

    with bar(st.err, show=size > LARGE) as b:
        b.step(t("progress.reading"))             # one long step
        plan = read_plan_file(path)
        b.step(t("progress.writing"), total=n)    # a counted one
        for row in b.track(rows): ...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

T = TypeVar("T")


class Bar:
    """What a command tells the bar: a new step (with its size, if counted), and how far."""

    def __init__(self, progress: Progress | None = None) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def step(self, label: str, total: int | None = None) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(label, total=total)

    def advance(self, n: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def track(self, items: Iterable[T], every: int = 1000) -> Iterator[T]:
        """``items``, moving the bar on every ``every`` of them."""
        n = 0
        for item in items:
            yield item
            n += 1
            if n == every:
                self.advance(n)
                n = 0
        self.advance(n)


class Counted(Sequence[T]):
    """A sequence that moves ``bar`` as it is read through, for work done elsewhere (a workbook
    written from it), and takes the ``then`` step once it has been read to the end."""

    def __init__(self, items: Sequence[T], bar: Bar, then: str | None = None) -> None:
        self._items = items
        self._bar = bar
        self._then = then

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        yield from self._bar.track(self._items)
        if self._then:
            self._bar.step(self._then)


@contextmanager
def bar(console: Console, *, show: bool = True) -> Iterator[Bar]:
    """A ``Bar`` on ``console`` (standard error) if ``show`` and it is a terminal, else a stand-in."""
    if not (show and console.is_terminal and not console.is_dumb_terminal):
        yield Bar()
        return
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class Count(ProgressColumn):
        """How many of how many, when the step is counted; nothing when it is not."""

        def render(self, task: Task) -> Text:
            return Text(f"{task.completed:,.0f}/{task.total:,.0f}" if task.total else "")

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),  # moving to and fro while a step is not counted
        Count(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with progress:
        yield Bar(progress)
