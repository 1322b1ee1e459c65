#!/usr/bin/env python3
"""Benchmark ``kpi`` against floors and the goals of the performance issue.

    . .venv/bin/activate
    python bench/run.py --quick            # the desk scale only (under a minute)
    python bench/run.py --json out.json    # every case; the data takes ~1 min to make once
    python bench/run.py --list             # the cases, to pick some with --only

Every command runs as a whole process — the venv's ``kpi`` console script with ``KPI_DB`` set to
a bench database, ``KPI_TODAY=2025-07-02``, ``NO_COLOR=1`` and stdout to /dev/null — ``--runs``
times, alternating with its floor, after one untimed warm-up of each. A floor is either
``bench/floor.py`` (the same reads and output with sqlite3, print and json) or another ``kpi``
command (``kpi update`` is held to ``kpi status`` on the same database). The table gives medians,
the ratio kpi/floor, the peak RSS of both and a verdict per goal. A case whose warm-up shows it is
slow gets fewer runs (at least 3) so that it fits ``--budget`` seconds.

The concurrency cases are not timed against a floor: 32 ``kpi update`` processes and one
``kpi import`` start at once on one database; they count the processes that fail and give the
median and 95th percentile of the updates' wall times.

Data (``bench/generate.py``) is cached under ``--work`` (default /tmp/kpi-bench) and made again
when the generator or the schema (kpi/store/schema.py, kpi/store/migrations/) changes; only the
data of the cases selected is made.

This is not a test: nothing in tests/ uses it. Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # beside this file
from generate import REPO, Dataset, PlansDataset, copy_db, kpi_env

FLOOR = Path(__file__).resolve().parent / "floor.py"

GoalKind = Literal["ratio", "seconds", "rss_mb", "floor_rss_mb", "failures", "p95_s"]


@dataclass(frozen=True)
class Goal:
    """One goal of the issue: a limit on one figure of a case.

    ``ratio``: kpi's median over the floor's; ``seconds``: kpi's median; ``rss_mb`` and
    ``floor_rss_mb``: the peak RSS of kpi or of the floor over the warm-up and every RSS run;
    ``failures`` and ``p95_s``: the concurrency cases' figures. ``of`` names the floor (or, for
    ``floor_rss_mb``, the floor command) as the table shows it; ``strict`` is ``<`` for ``≤``."""

    kind: GoalKind
    limit: float
    strict: bool = False
    of: str = "floor"

    def __str__(self) -> str:
        op = "<" if self.strict else "≤"
        if self.kind == "ratio":
            return f"{op} {self.limit:g}× {self.of}"
        if self.kind == "seconds":
            return f"{op} {self.limit:g} s"
        if self.kind == "rss_mb":
            return f"kpi RSS {op} {self.limit:g} MB"
        if self.kind == "floor_rss_mb":
            return f"{self.of} RSS {op} {self.limit:g} MB"
        if self.kind == "failures":
            return f"failures {'=' if self.limit == 0 else op} {self.limit:g}"
        return f"p95 {op} {self.limit:g} s"

    def met(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit


class CaseProblem(Exception):
    """A case that cannot be measured: why, in one line."""


@dataclass
class Case:
    scale: str
    name: str
    argv: list[str]
    floor: list[str] | None
    env: dict[str, str]
    goals: list[Goal] = field(default_factory=list)
    floor_env: dict[str, str] | None = None  # default: ``env``
    floor_label: str | None = None  # how the floor is named; default: its command line
    prepare: Callable[[], None] | None = None  # before each kpi run (untimed)
    prepare_floor: Callable[[], None] | None = None  # before each floor run (untimed)
    max_runs: int | None = None
    available: bool = True  # False: "NOT AVAILABLE" (a feature not there yet), ``note`` says why
    problem: str = ""  # set: not run, "ERROR" with this line
    note: str = ""
    check: Callable[[str], str] | None = None  # the warm-up's stdout → a note; CaseProblem: ERROR
    compare_output: bool = False  # the floor (another kpi command) should print the same
    rss_runs: bool = False  # measure peak RSS in every timed run, not only in the warm-up
    run: Callable[[Case, Path, Callable[[str], None]], Result] | None = None  # its own runner


@dataclass
class Sample:
    seconds: float
    rss_mb: float | None  # measured only when asked (see ``run_once``)
    rc: int


@dataclass
class Check:
    goal: str
    measured: str
    verdict: str  # PASS, FAIL, ERROR, NOT AVAILABLE, n/a


@dataclass
class Result:
    scale: str
    name: str
    command: str
    floor: str | None
    runs: int = 0
    kpi: list[Sample] = field(default_factory=list)
    floor_samples: list[Sample] = field(default_factory=list)
    kpi_rss: list[float] = field(default_factory=list)  # MB, warm-up and any RSS runs
    floor_rss: list[float] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    verdict: str = ""
    note: str = ""
    timed_out: float | None = None  # kpi was stopped after this many seconds
    metrics: dict[str, Any] = field(default_factory=dict)  # figures of the goals without a floor

    def median(self, which: Literal["kpi", "floor"]) -> float | None:
        xs = [s.seconds for s in (self.kpi if which == "kpi" else self.floor_samples)]
        return statistics.median(xs) if xs else None

    def peak_mb(self, which: Literal["kpi", "floor"]) -> float | None:
        xs = self.kpi_rss if which == "kpi" else self.floor_rss
        return max(xs) if xs else None

    @property
    def ratio(self) -> float | None:
        k, f = self.median("kpi"), self.median("floor")
        return k / f if k is not None and f else None

    def add_note(self, text: str) -> None:
        self.note = "; ".join(x for x in (self.note, text) if x)


# --------------------------------------------------------------------------------------------
# Running one process


TIME = Path("/usr/bin/time")
TIMED_OUT = -999


def run_once(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    *,
    capture: bool = False,
    rss: bool = False,
    timeout: float | None = None,
) -> tuple[Sample, str, str]:
    """Run ``argv`` to the end; its wall time, its peak RSS if ``rss``, and what it printed.

    Peak RSS comes from ``/usr/bin/time -f %M``: a child's own ``ru_maxrss`` (``os.wait4``) is no
    good here, because Linux counts the parent's memory at the moment of ``exec`` into it, so every
    child of this Python process would show at least this process's size. The wrapper costs about
    1.5 ms, so timed runs go without it unless the case is about memory (then kpi and floor both
    carry it). Without /usr/bin/time, ``ru_maxrss`` is used as an upper bound.

    After ``timeout`` seconds the process (group) is killed and ``rc`` is ``TIMED_OUT``.
    """
    wrapped = rss and TIME.exists()
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss_file,
    ):
        full = [str(TIME), "-f", "%M", "-o", rss_file.name, *argv] if wrapped else argv
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            full,
            stdin=subprocess.DEVNULL,
            stdout=out if capture else subprocess.DEVNULL,
            stderr=err,
            env=env,
            cwd=cwd,
            start_new_session=timeout is not None,
        )
        fired: list[bool] = []

        def kill() -> None:
            fired.append(True)
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout is not None else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        if timer:
            timer.cancel()
        proc.returncode = TIMED_OUT if fired else os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace") if capture else ""
        stderr = err.read().decode("utf-8", "replace")
        rss_mb: float | None = None
        if wrapped:
            lines = rss_file.read().split()
            rss_mb = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None
        elif rss:
            rss_mb = usage.ru_maxrss / 1024  # KiB on Linux
    return Sample(seconds, rss_mb, proc.returncode), stdout, stderr


def _first_line(text: str) -> str:
    """What a failed command said: its last line with words in it (where kpi puts its one-line
    error; a usage error's frame of box-drawing characters is left out)."""
    lines = [x.strip().strip("╭╮╰╯│─ ").strip() for x in text.splitlines()]
    lines = [x for x in lines if x]
    return lines[-1][:200] if lines else ""


def _shown(argv: list[str], kpi: str | None = None) -> str:
    """A command line as a person would type it: ``kpi …`` or ``floor.py …``."""
    if argv and kpi is not None and argv[0] == kpi:
        return " ".join(["kpi", *argv[1:]])
    return " ".join(Path(a).name if a == str(FLOOR) else a for a in argv[1:])


def _describe(case: Case) -> tuple[str, str | None]:
    """The command and the floor as a person would type them."""
    kpi = case.argv[0] if case.argv else None
    if "_KPI_COMPLETE" in case.env:
        shown = f'COMP_WORDS="{case.env["COMP_WORDS"]}" COMP_CWORD={case.env["COMP_CWORD"]} kpi'
    else:
        shown = _shown(case.argv, kpi)
    floor = None
    if case.floor:
        floor = _shown(case.floor, kpi)
        if case.floor_label:
            floor = f"{floor} ({case.floor_label})"
    return shown, floor


def _new_result(case: Case) -> Result:
    shown, floor_shown = _describe(case)
    return Result(case.scale, case.name, shown, floor_shown, note=case.note)


def measure(
    case: Case,
    cwd: Path,
    runs: int,
    budget: float,
    timeout: float,
    log: Callable[[str], None],
) -> Result:
    """Warm up kpi and floor once (checking both work), then time them in alternation."""
    res = _new_result(case)
    floor_env = case.floor_env or case.env

    def prepare(hook: Callable[[], None] | None) -> None:
        if hook is None:
            return
        try:
            hook()
        except (CaseProblem, OSError, sqlite3.Error) as exc:
            raise CaseProblem(f"preparing the run failed: {exc}") from None

    def run_kpi(**kw: Any) -> tuple[Sample, str, str]:
        prepare(case.prepare)
        sample, out, err = run_once(case.argv, case.env, cwd, timeout=timeout, **kw)
        if sample.rss_mb is not None and sample.rc == 0:
            res.kpi_rss.append(sample.rss_mb)
        return sample, out, err

    def run_floor(**kw: Any) -> tuple[Sample, str, str]:
        assert case.floor is not None
        prepare(case.prepare_floor)
        sample, out, err = run_once(case.floor, floor_env, cwd, timeout=timeout, **kw)
        if sample.rss_mb is not None and sample.rc == 0:
            res.floor_rss.append(sample.rss_mb)
        return sample, out, err

    if case.problem:
        res.verdict = "ERROR"
        res.add_note(case.problem)
        log(f"  {case.scale:11} {case.name:<44} error: {case.problem}")
        return finish(case, res)

    # Warm-up (untimed): fills the page cache and __pycache__, and checks that both work.
    kpi_ok = case.available
    warm_kpi = warm_floor = 0.0
    kpi_out = ""
    try:
        if kpi_ok:
            sample, kpi_out, stderr = run_kpi(capture=True, rss=True)
            warm_kpi = sample.seconds
            if sample.rc == TIMED_OUT:
                kpi_ok = False
                res.timed_out = timeout
                res.add_note(f"kpi did not finish within {timeout:g} s and was stopped")
            elif sample.rc != 0:
                kpi_ok = False
                res.verdict = "ERROR"
                res.add_note(f"kpi exited {sample.rc}: {_first_line(stderr or kpi_out)}")
            elif case.check:
                res.add_note(case.check(kpi_out))
        # A floor that is another kpi command is no use without the kpi side.
        floor_ok = case.floor is not None and (case.available or case.floor[0] != case.argv[0])
        if floor_ok:
            sample, floor_out, stderr = run_floor(capture=case.compare_output, rss=True)
            warm_floor = sample.seconds
            if sample.rc != 0:
                floor_ok = False
                res.add_note(f"floor exited {sample.rc}: {_first_line(stderr or floor_out)}")
                if case.available and any(g.kind in ("ratio", "floor_rss_mb") for g in case.goals):
                    res.verdict = "ERROR"
            elif case.compare_output and kpi_ok:
                same = floor_out == kpi_out
                res.add_note("the same output as the floor" if same else "OUTPUT DIFFERS from the floor")  # fmt: skip
    except CaseProblem as exc:
        res.verdict = "ERROR"
        res.add_note(str(exc))
        log(f"  {case.scale:11} {case.name:<44} error: {exc}")
        return finish(case, res)

    per_run = (warm_kpi if kpi_ok else 0.0) + (warm_floor if floor_ok else 0.0)
    n = runs if per_run * runs <= budget else max(3, int(budget / per_run))
    if case.max_runs:
        n = min(n, case.max_runs)
    res.runs = n if (kpi_ok or floor_ok) else 0
    log(f"  {case.scale:11} {case.name:<44} {res.runs} runs, ~{per_run * res.runs:.0f} s")
    try:
        for i in range(res.runs):
            for which in ("kpi", "floor") if i % 2 == 0 else ("floor", "kpi"):
                if which == "kpi" and kpi_ok:
                    sample, _, stderr = run_kpi(rss=case.rss_runs)
                    if sample.rc != 0:  # a failed run times nothing: the case is an error
                        kpi_ok = False
                        res.verdict = "ERROR"
                        res.add_note(f"kpi exited {sample.rc} in timed run {i + 1}: {_first_line(stderr)}")  # fmt: skip
                        if sample.rc == TIMED_OUT:
                            res.timed_out = timeout
                        continue
                    res.kpi.append(sample)
                elif which == "floor" and floor_ok:
                    sample, _, stderr = run_floor(rss=case.rss_runs)
                    if sample.rc != 0:
                        floor_ok = False
                        res.add_note(f"floor exited {sample.rc} in timed run {i + 1}: {_first_line(stderr)}")  # fmt: skip
                        continue
                    res.floor_samples.append(sample)
    except CaseProblem as exc:
        res.verdict = "ERROR"
        res.add_note(str(exc))
    if case.rss_runs and res.kpi_rss:
        res.add_note("kpi RSS per run (warm-up first): " + ", ".join(f"{x:.0f}" for x in res.kpi_rss) + " MB")  # fmt: skip
    if case.rss_runs and res.floor_rss:
        res.add_note("floor RSS per run: " + ", ".join(f"{x:.0f}" for x in res.floor_rss) + " MB")  # fmt: skip
    return finish(case, res)


def finish(case: Case, res: Result) -> Result:
    """Each goal's check, and the case's verdict: ERROR, NOT AVAILABLE, or from its goals."""
    if not case.available:
        res.verdict = "NOT AVAILABLE"
    for goal in case.goals:
        if res.verdict in ("ERROR", "NOT AVAILABLE"):
            res.checks.append(Check(str(goal), "—", res.verdict))
            continue
        value, shown = figure(goal, res)
        if res.timed_out is not None and goal.kind in ("ratio", "seconds"):
            res.checks.append(Check(str(goal), f"> {fmt_s(res.timed_out)}", "FAIL"))
        elif value is None:
            res.checks.append(Check(str(goal), "—", "n/a"))
        else:
            res.checks.append(Check(str(goal), shown, "PASS" if goal.met(value) else "FAIL"))
    if not res.verdict:
        verdicts = {c.verdict for c in res.checks}
        res.verdict = (
            "info"
            if not verdicts
            else "FAIL"
            if "FAIL" in verdicts
            else "PASS"
            if verdicts == {"PASS"}
            else "n/a"
        )
    return res


def figure(goal: Goal, res: Result) -> tuple[float | None, str]:
    """The figure a goal is about, and as the table shows it."""
    if goal.kind == "ratio":
        r = res.ratio
        return r, f"{r:.2f}×" if r is not None else "—"
    if goal.kind == "seconds":
        s = res.median("kpi")
        return s, fmt_s(s)
    if goal.kind in ("rss_mb", "floor_rss_mb"):
        mb = res.peak_mb("kpi" if goal.kind == "rss_mb" else "floor")
        return mb, f"{mb:.0f} MB" if mb is not None else "—"
    if goal.kind == "failures":
        n = res.metrics.get("failures")
        return n, f"{n} of {res.metrics.get('processes', '?')}" if n is not None else "—"
    p95 = res.metrics.get("update_p95_s")
    return p95, fmt_s(p95)


# --------------------------------------------------------------------------------------------
# Where the cases come from


class Bench:
    """What every case builder needs: the kpi and python of the venv, the scratch folder, the
    settings, and the data, made on first use (or, when only the names are wanted, never)."""

    def __init__(self, args: argparse.Namespace, kpi: Path, python: Path, cwd: Path, log: Any):
        self.args, self.kpi, self.python, self.cwd, self.log = args, kpi, python, cwd, log
        self.names_only = False
        self.datasets: dict[str, Dataset] = {}
        self.plans_data: PlansDataset | None = None
        self.data_lines: list[str] = []

    @property
    def k(self) -> str:
        return str(self.kpi)

    @property
    def f(self) -> list[str]:
        return [str(self.python), str(FLOOR)]

    def data(self, scale: str) -> Dataset:
        if self.names_only:
            return Dataset(scale, self.args.work / scale, {})
        if scale not in self.datasets:
            t0 = time.perf_counter()
            ds = generate.ensure(scale, self.args.work, self.kpi, force=self.args.regenerate, log=self.log)  # fmt: skip
            self.datasets[scale] = ds
            m = ds.manifest
            self.data_lines.append(
                f"{scale}: {m['items']:,} items ({m['indicators']:,} indicators, "
                f"{m['milestones']:,} milestones), {m['updates']:,} updates, {m['voids']:,} voids "
                f"[{ds.root}, ready in {time.perf_counter() - t0:.1f} s]"
            )
        return self.datasets[scale]

    def plans(self) -> PlansDataset:
        """The twelve plans (raises generate.GenerateError if kpi refuses them)."""
        if self.names_only:
            return PlansDataset(self.args.work / "plans", {})
        if self.plans_data is None:
            t0 = time.perf_counter()
            pd = generate.ensure_plans(self.args.work, self.kpi, force=self.args.regenerate, log=self.log)  # fmt: skip
            self.plans_data = pd
            m = pd.manifest
            self.data_lines.append(
                f"plans: {len(m['plans'])} plans ({m['plans'][0]} … {m['plans'][-1]}), {m['items']:,} "
                f"items, {m['updates']:,} updates; {m['alone']} alone too "
                f"[{pd.root}, ready in {time.perf_counter() - t0:.1f} s]"
            )
        return self.plans_data

    def probe(
        self, argv: list[str], env: dict[str, str]
    ) -> subprocess.CompletedProcess[str] | None:
        """Run a command to find out what kpi can do (None when only the names are wanted)."""
        if self.names_only:
            return None
        return subprocess.run(argv, env=env, cwd=self.cwd, capture_output=True, text=True)


def _complete_env(base: dict[str, str], words: str, cword: int) -> dict[str, str]:
    # Typer 0.19 installs its own bash script, which calls `_KPI_COMPLETE=complete_bash kpi` with
    # COMP_WORDS/COMP_CWORD (click's own spelling, `bash_complete`, is refused by Typer's classes).
    return {**base, "_KPI_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}


def _candidates(stdout: str) -> list[str]:
    return [x for x in stdout.splitlines() if x.strip()]


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db)
    try:
        (n,) = con.execute(sql).fetchone()
    finally:
        con.close()
    return int(n)


def desk_cases(b: Bench) -> list[Case]:
    ds = b.data("desk")
    env = kpi_env(ds.db)
    k, f = b.k, b.f
    item = ds.manifest.get("show_item", "1.1.2")

    # Item-code completion: measured as the shell runs it; if kpi offers no candidates the goal
    # falls back to completing a command name, which is what completes today.
    probe_env = _complete_env(env, "kpi show 3.1", 2)
    probe = b.probe([k], probe_env)
    item_done = probe is None or (probe.returncode == 0 and bool(_candidates(probe.stdout)))
    fallback = "" if item_done else "the goal is applied here because item codes do not complete"
    return [
        Case("desk", "kpi --help", [k, "--help"], [*f, "help"], env, [Goal("ratio", 9)]),
        Case(
            "desk",
            "Tab: item code (show 3.1)",
            [k],
            [*f, "complete"],
            probe_env,
            [Goal("ratio", 6)] if item_done else [],
            note=""
            if item_done
            else "NOT IMPLEMENTED: kpi offers no item codes (floor lists them)",
            check=lambda out: f"{len(_candidates(out))} candidates",
        ),
        Case(
            "desk",
            "Tab: command name (kpi st)",
            [k],
            [*f, "complete"],
            _complete_env(env, "kpi st", 1),
            [] if item_done else [Goal("ratio", 6)],
            note=fallback,
            check=lambda out: f"candidates: {' '.join(_candidates(out))}",
        ),
        Case("desk", "kpi status", [k, "status"], [*f, "status"], env, [Goal("ratio", 10)]),
        Case(
            "desk",
            "kpi status --format json",
            [k, "status", "--format", "json"],
            [*f, "status", "--json"],
            env,
        ),
        Case("desk", "kpi show ITEM", [k, "show", item], [*f, "show", item], env),
        Case("desk", "kpi report weekly", [k, "report", "weekly"], [*f, "weekly"], env),
        *write_cases(b, ds),
    ]


UPDATE_ITEM, UPDATE_VALUE = "1.1.5", "+1"  # 招引企业, a count: +1 is always accepted
UPDATE = ["update", UPDATE_ITEM, UPDATE_VALUE, "--note", "bench"]


def write_cases(b: Bench, ds: Dataset) -> list[Case]:
    """``kpi update``, ``kpi done`` and ``kpi undo``, each against ``kpi status``: every run
    writes one real record on a fresh copy of the desk database (made untimed), and so does the
    floor's run (``kpi status`` on its own fresh copy), so runs are alike and independent."""
    k = b.k
    run_db, floor_db = b.cwd / "write-kpi.sqlite", b.cwd / "write-floor.sqlite"
    env, floor_env = kpi_env(run_db), kpi_env(floor_db)
    base_updates = ds.manifest.get("updates", 0)
    base_voids = ds.manifest.get("voids", 0)

    def fresh() -> None:
        copy_db(ds.db, run_db)

    def fresh_with_update() -> None:  # something of one's own to undo
        copy_db(ds.db, run_db)
        proc = subprocess.run([k, *UPDATE], env=env, cwd=b.cwd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise CaseProblem(f"`kpi {' '.join(UPDATE)}` exited {proc.returncode}: {_first_line(proc.stderr)}")  # fmt: skip

    def written(updates: int, voids: int) -> Callable[[str], str]:
        def check(_: str) -> str:
            got = (
                _count(run_db, "SELECT count(*) FROM updates"),
                _count(run_db, "SELECT count(*) FROM voids"),
            )
            if got != (base_updates + updates, base_voids + voids):
                raise CaseProblem(
                    f"expected {base_updates + updates} records and {base_voids + voids} voids "
                    f"after the warm-up, found {got[0]} and {got[1]}"
                )
            return "one record written" if voids == 0 else "one record voided"

        return check

    milestone, problem = pick_milestone(b, ds) if not b.names_only else ("MILESTONE", "")
    floor = [k, "status"]
    vs = [Goal("ratio", 1.3, of="kpi status")]
    label = "on a fresh copy of the same database"
    common: dict[str, Any] = {
        "floor_env": floor_env,
        "floor_label": label,
        "prepare_floor": lambda: copy_db(ds.db, floor_db),
    }
    return [
        Case(
            "desk",
            "kpi update vs kpi status",
            [k, *UPDATE],
            floor,
            env,
            vs,
            prepare=fresh,
            check=written(1, 0),
            **common,
        ),
        Case(
            "desk",
            "kpi done vs kpi status",
            [k, "done", milestone],
            floor,
            env,
            vs,
            prepare=fresh,
            check=written(1, 0),
            problem=problem,
            **common,
        ),
        Case(
            "desk",
            "kpi undo vs kpi status",
            [k, "undo", "--yes"],
            floor,
            env,
            vs,
            prepare=fresh_with_update,
            check=written(1, 1),
            note=f"each run voids a `kpi {' '.join(UPDATE)}` made untimed",
            **common,
        ),
    ]


def pick_milestone(b: Bench, ds: Dataset) -> tuple[str, str]:
    """A milestone kpi takes as done today on the desk database: one with no ``done`` record at
    any date, of a task not finished; the first that ``kpi done`` accepts on a scratch copy.
    Returns (code, "") or ("?", the reason there is none)."""
    try:
        con = sqlite3.connect(ds.db)
        try:
            rows = con.execute(
                "SELECT m.code FROM milestones m WHERE NOT m.retired AND NOT EXISTS "
                "(SELECT 1 FROM updates u WHERE u.kind = 'done' AND u.code IN (m.code, m.item_code)) "
                "ORDER BY m.date >= ? DESC, m.position",
                (generate.TODAY,),
            ).fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        return "?", f"cannot list the milestones of the desk database: {exc}"
    scratch = b.cwd / "pick-milestone.sqlite"
    said = ""
    for (code,) in rows[:10]:
        copy_db(ds.db, scratch)
        proc = b.probe([b.k, "done", code], kpi_env(scratch))
        if proc is not None and proc.returncode == 0:
            generate._remove_db(scratch)
            return code, ""
        said = said or (f"`kpi done {code}` exited {proc.returncode}: {_first_line(proc.stderr)}" if proc else "")  # fmt: skip
    generate._remove_db(scratch)
    return "?", f"no milestone not yet done is accepted by `kpi done` ({said or 'none left'})"


def district_cases(b: Bench) -> list[Case]:
    ds = b.data("district")
    scale = generate.SCALES["district"]
    env = kpi_env(ds.db)
    k, f = b.k, b.f
    item = ds.manifest.get("show_item", "ITEM")
    cases = [
        Case(
            "district",
            "kpi status --format json",
            [k, "status", "--format", "json"],
            [*f, "status", "--json"],
            env,
            [Goal("ratio", 3)],
        ),
        # The table against the JSON of the same data: what the layout costs, and its memory.
        Case(
            "district",
            "kpi status (table) vs --format json",
            [k, "status"],
            [k, "status", "--format", "json"],
            env,
            [
                Goal("ratio", 2, of="kpi status --format json"),
                Goal("rss_mb", 150, strict=True),
                Goal("floor_rss_mb", 150, strict=True, of="--format json"),
            ],
            rss_runs=True,
        ),
        Case(
            "district",
            "kpi report weekly",
            [k, "report", "weekly"],
            [*f, "weekly"],
            env,
            [Goal("seconds", 1)],
        ),
        Case(
            "district",
            "kpi show ITEM",
            [k, "show", item],
            [*f, "show", item],
            env,
            [Goal("seconds", 0.3, strict=True)],
        ),
    ]

    # Import: every run starts from the plan alone (a fresh copy of plan.sqlite), kpi and floor
    # each into their own copy.
    # The file holds the whole year, and kpi refuses records dated after today: the import runs
    # as at the year's end (KPI_TODAY=2025-12-31), when such a file would be imported.
    run_db, floor_db = b.cwd / "import-kpi.sqlite", b.cwd / "import-floor.sqlite"
    year_end = {"KPI_TODAY": generate.END.isoformat()}
    probe = b.probe([k, "import", "--help"], kpi_env(run_db))
    has_import = probe is None or probe.returncode == 0

    def count_imported(_: str) -> str:
        return f"{_count(run_db, 'SELECT count(*) FROM updates'):,} rows imported"

    cases.append(
        Case(
            "district",
            f"kpi import ({scale.updates // 1_000_000}M rows)",
            [k, "import", str(ds.csv)],
            [*f, "import", str(ds.csv)],
            {**kpi_env(run_db), **year_end},
            [Goal("ratio", 2), Goal("rss_mb", 200)],
            floor_env={**kpi_env(floor_db), **year_end},
            prepare=lambda: copy_db(ds.plan_db, run_db),
            prepare_floor=lambda: copy_db(ds.plan_db, floor_db),
            max_runs=b.args.import_runs,
            available=has_import,
            note=""
            if has_import
            else "not available: `kpi import` does not exist yet (floor timed alone)",
            check=count_imported,
            rss_runs=True,
        )
    )

    # The same, on the first 100,000 rows: what an import costs per row, even where the whole
    # file is refused or too slow to finish.
    cases.append(
        Case(
            "district",
            f"kpi import ({generate.CHUNK_ROWS // 1000}k rows, info)",
            [k, "import", str(ds.chunk_csv)],
            [*f, "import", str(ds.chunk_csv)],
            {**kpi_env(run_db), **year_end},
            floor_env={**kpi_env(floor_db), **year_end},
            prepare=lambda: copy_db(ds.plan_db, run_db),
            prepare_floor=lambda: copy_db(ds.plan_db, floor_db),
            max_runs=b.args.import_runs,
            available=has_import,
            check=count_imported,
        )
    )

    # Load: a fresh, empty database each run; the floor parses the same file with libyaml.
    load_db = b.cwd / "load.sqlite"
    cases.append(
        Case(
            "district",
            f"kpi load ({scale.items:,} items)",
            [k, "load", str(ds.plan_yaml)],
            [*f, "load", str(ds.plan_yaml)],
            kpi_env(load_db),
            [Goal("ratio", 1.5)],
            prepare=lambda: generate._remove_db(load_db),
            note="fresh database each run; floor = yaml.load(text, Loader=yaml.CSafeLoader)",
        )
    )
    return cases


def has_plan_option(b: Bench) -> str:
    """Why the cases of several plans cannot run yet, or "" if ``kpi --help`` offers ``--plan``."""
    proc = b.probe([b.k, "--help"], kpi_env(b.cwd / "help.sqlite"))
    if proc is None:
        return ""
    if proc.returncode != 0:
        return f"`kpi --help` exited {proc.returncode}: {_first_line(proc.stderr)}"
    if not re.search(r"(^|\s)--plan\b", proc.stdout):
        return "`kpi --help` has no --plan option yet (several plans in one database)"
    return ""


def plans_cases(b: Bench) -> list[Case]:
    """Twelve plans of 100 items, five years of weekly records each, in one database."""
    k = b.k
    missing = has_plan_option(b)
    problem = ""
    pd = PlansDataset(b.args.work / "plans", {})
    if not missing:
        try:
            pd = b.plans()
        except generate.GenerateError as exc:
            problem = f"the twelve plans could not be made: {exc}"
    many = kpi_env(pd.many_db)
    lone = kpi_env(pd.lone_db)
    alone = pd.alone
    extra: dict[str, Any] = {
        "available": not missing,
        "note": f"not available: {missing}" if missing else "",
        "problem": problem,
    }
    return [
        Case(
            "plans",
            "--plan all: kpi status",
            [k, "--plan", "all", "status"],
            None,
            many,
            [Goal("seconds", 1)],
            **extra,
        ),
        Case(
            "plans",
            "--plan all: kpi report weekly",
            [k, "--plan", "all", "report", "weekly"],
            None,
            many,
            [Goal("seconds", 1)],
            **extra,
        ),
        Case(
            "plans",
            "one plan of twelve vs alone: kpi status",
            [k, "--plan", alone, "status"],
            [k, "--plan", alone, "status"],
            many,
            [Goal("ratio", 1.2, of="the plan alone")],
            floor_env=lone,
            floor_label="on a database that holds this plan alone",
            compare_output=True,
            **extra,
        ),
    ]


# --------------------------------------------------------------------------------------------
# Concurrency: many writers at once


@dataclass
class Backend:
    name: str  # SQLite, PostgreSQL
    writers: int
    url: str | None = None  # PostgreSQL's, without the schema


def concurrency_cases(b: Bench) -> list[Case]:
    ds = b.data("desk")
    rows = generate.BULK_ROWS
    goals = [Goal("failures", 0), Goal("p95_s", 5, strict=True)]
    sqlite_backend = Backend("SQLite", 32)
    cases = [
        Case(
            "concurrency",
            f"SQLite: {sqlite_backend.writers} × kpi update + kpi import ({rows // 1000}k rows)",
            [b.k, *UPDATE],
            None,
            kpi_env(b.cwd / "concurrent.sqlite"),
            goals,
            run=lambda case, cwd, log: run_concurrent(b, ds, sqlite_backend, case, log),
        )
    ]
    url = b.args.pg_url
    pg = Backend("PostgreSQL", 16, url)
    why = "" if url else "not available: no --pg-url given (a PostgreSQL server to write to)"
    if url and not b.names_only:
        why = pg_problem(b, url)
    cases.append(
        Case(
            "concurrency",
            f"PostgreSQL: {pg.writers} × kpi update + kpi import ({rows // 1000}k rows)",
            [b.k, *UPDATE],
            None,
            {},
            goals,
            available=not why,
            note=why,
            run=None if why else (lambda case, cwd, log: run_concurrent(b, ds, pg, case, log)),
        )
    )
    return cases


def pg_sql(b: Bench, url: str, statements: list[str], query: str | None = None) -> str:
    """Run SQL on the server with the venv's SQLAlchemy (kpi's own dependency) in a child
    process, so that this script stays standard library only; the query's first value."""
    code = (
        "import sys, sqlalchemy as sa\n"
        "e = sa.create_engine(sys.argv[1])\n"
        "with e.begin() as c:\n"
        "    for s in sys.argv[3:]: c.execute(sa.text(s))\n"
        "    if sys.argv[2]: print(c.execute(sa.text(sys.argv[2])).scalar())\n"
    )
    proc = subprocess.run(
        [str(b.python), "-c", code, url, query or "", *statements],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0:
        raise CaseProblem(f"PostgreSQL: {_first_line(proc.stderr)}")
    return proc.stdout.strip()


def pg_problem(b: Bench, url: str) -> str:
    try:
        pg_sql(b, url, [], "SELECT version()")
    except (CaseProblem, subprocess.TimeoutExpired) as exc:
        return f"not available: cannot reach {generate_safe_url(url)} ({exc})"
    return ""


def generate_safe_url(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def _sum_indicators(ds: Dataset) -> list[str]:
    """The codes of the plan's counted indicators (where ``+1`` is always accepted)."""
    try:
        con = sqlite3.connect(ds.plan_db)
        try:
            rows = con.execute(
                "SELECT code FROM items WHERE kind = 'indicator' AND accumulate = 'sum' "
                "AND NOT retired ORDER BY position"
            ).fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        rows = []
    return [r[0] for r in rows] or [UPDATE_ITEM]


def run_concurrent(b: Bench, ds: Dataset, backend: Backend, case: Case, log: Any) -> Result:
    """An untimed warm-up (the import alone, one update alone), then ``--conc-rounds`` rounds,
    each on a fresh database: the import and then the writers are started at once, or with
    ``--conc-start spread`` one by one over the time the import took alone (each writer
    ``kpi update CODE +1 --note bench``, on the plan's counted indicators in turn); every
    process's wall time from its start to its exit, and its exit status."""
    res = _new_result(case)
    res.command = f"{backend.writers} × kpi update CODE +1 --note bench & kpi import {ds.bulk_csv.name}"  # fmt: skip
    codes = _sum_indicators(ds)
    rounds = max(1, b.args.conc_rounds)
    imports: list[Sample] = []
    failures: list[str] = []
    lost = 0
    processes = 0
    after_import = 0  # updates that ended after the import: they waited for it, or ran beside it
    made: list[str] = []  # PostgreSQL schemas, dropped at the end
    spread = b.args.conc_start == "spread"
    log(f"  {case.scale:11} {case.name:<44} {rounds} rounds")

    def fresh(label: str) -> dict[str, str]:
        """The environment of a round: a fresh copy of the desk database, or a fresh schema."""
        if backend.url is None:
            db = b.cwd / "concurrent.sqlite"
            copy_db(ds.db, db)
            return kpi_env(db)
        schema = f"bench_{os.getpid()}_{label}"
        pg_sql(b, backend.url, [f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', f'CREATE SCHEMA "{schema}"'])  # fmt: skip
        made.append(schema)
        env = kpi_env(b.cwd / "unused.sqlite")
        env["KPI_DB"] = _with_schema(backend.url, schema)
        for argv, today in (
            (["load", str(ds.plan_yaml)], generate.TODAY),
            # The year's history is synthetic: its noisy year-to-date totals dip now and then,
            # which a real import asks about (--yes takes them, as a setup must).
            (["import", "--yes", str(ds.csv)], generate.END.isoformat()),
        ):
            proc = subprocess.run([b.k, *argv], env={**env, "KPI_TODAY": today}, cwd=b.cwd, capture_output=True, text=True)  # fmt: skip
            if proc.returncode != 0:
                raise CaseProblem(f"setting up the schema: `kpi {argv[0]}` exited {proc.returncode}: {_first_line(proc.stderr)}")  # fmt: skip
        return env

    importing = [b.k, "import", str(ds.bulk_csv)]
    updating = [[b.k, "update", codes[i % len(codes)], "+1", "--note", "bench"] for i in range(backend.writers)]  # fmt: skip
    try:
        # Warm-up (untimed): the import alone, then one update alone, on a fresh database; both
        # must work, or the concurrent rounds would count their errors as contention.
        env = fresh("warm")
        (solo, err, _), (one, err1, _) = (
            run_together([importing], env, b.cwd, b.args.timeout)[0],
            run_together([updating[0]], env, b.cwd, b.args.timeout)[0],
        )
        if solo.rc != 0:
            raise CaseProblem(f"`kpi import {ds.bulk_csv.name}` alone exited {solo.rc}: {_first_line(err)}")  # fmt: skip
        if one.rc != 0:
            raise CaseProblem(f"`kpi {' '.join(updating[0][1:])}` alone exited {one.rc}: {_first_line(err1)}")  # fmt: skip
        res.metrics.update(import_alone_s=round(solo.seconds, 3), update_alone_s=round(one.seconds, 3))  # fmt: skip
        # Spread: the updates start one by one while the import runs (as long as it took alone).
        step = solo.seconds / (backend.writers + 1)
        delays = [0.0] + [(i + 1) * step if spread else 0.0 for i in range(backend.writers)]
        for r in range(rounds):
            env = fresh(str(r))
            commands = [importing, *updating]
            samples = run_together(commands, env, b.cwd, b.args.timeout, delays)
            processes += len(samples)
            (imp, _, imp_end), *updates = samples
            imports.append(imp)
            res.kpi += [s for s, _, _ in updates]
            after_import += sum(end > imp_end for _, _, end in updates)
            for (s, err, _), argv in zip(samples, commands, strict=True):
                if s.rc != 0:
                    said = "timed out" if s.rc == TIMED_OUT else _first_line(err)
                    failures.append(f"`kpi {argv[1]}` exited {s.rc}: {said}")
            ok_updates = sum(s.rc == 0 for s, _, _ in updates)
            stored = count_bench_records(b, env["KPI_DB"], backend)
            if stored is not None and stored != ok_updates:
                lost += ok_updates - stored
            res.runs += 1
    except CaseProblem as exc:
        res.verdict = "ERROR"
        res.add_note(str(exc))
    finally:
        for schema in made:
            try:
                pg_sql(b, backend.url or "", [f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'])
            except CaseProblem as exc:
                res.add_note(f"could not drop schema {schema}: {exc}")
    times = sorted(s.seconds for s in res.kpi)
    if times:
        res.metrics.update(
            update_p50_s=statistics.median(times),
            update_p95_s=_percentile(times, 0.95),
            update_max_s=times[-1],
        )
    res.metrics.update(
        failures=len(failures),
        processes=processes,
        import_s=[round(s.seconds, 3) for s in imports],
        lost=lost,
        updates_ended_after_import=after_import,
    )
    if res.runs:
        res.add_note(
            f"rounds: {res.runs}, each {backend.writers} updates and one import of "
            f"{generate.BULK_ROWS:,} rows"
            + (
                " started at once"
                if not spread
                else "; the updates started one by one while the import ran"
            )
            + f"; alone: import {fmt_s(res.metrics['import_alone_s'])}, update {fmt_s(res.metrics['update_alone_s'])}"
            + "; import "
            + ", ".join(f"{fmt_s(s.seconds)} (exit {s.rc})" for s in imports)
            + (
                f"; updates p50 {fmt_s(res.metrics['update_p50_s'])}, "
                f"p95 {fmt_s(res.metrics['update_p95_s'])}, max {fmt_s(times[-1])}; "
                f"{after_import} of {len(times)} ended after the import"
                if times
                else ""
            )
        )
        res.add_note(
            f"LOST {lost} records that kpi said it wrote"
            if lost
            else "every update that succeeded is stored"
        )
    for line in sorted(set(failures))[:3]:
        res.add_note(line)
    return finish(case, res)


def _percentile(xs: list[float], q: float) -> float:
    """The ``q`` quantile of sorted ``xs`` (nearest rank)."""
    rank = max(1, min(len(xs), round(q * len(xs) + 0.5)))
    return xs[rank - 1]


def run_together(
    commands: list[list[str]],
    env: dict[str, str],
    cwd: Path,
    timeout: float,
    delays: list[float] | None = None,
) -> list[tuple[Sample, str, float]]:
    """Start every command, the n-th ``delays[n]`` seconds after the first (default: all at
    once, in order, without waiting); each one's wall time from its own start to its exit, exit
    status, stderr and when it ended (seconds after the first started). Anything still running
    ``timeout`` s after the first started is killed."""
    delays = delays or [0.0] * len(commands)
    procs: list[subprocess.Popen[bytes]] = []
    started: list[float] = []
    ended: dict[int, float] = {}
    killed: set[int] = set()
    lock = threading.Lock()

    def wait(n: int, p: subprocess.Popen[bytes]) -> None:
        p.wait()
        with lock:
            ended[n] = time.perf_counter()

    def kill_rest() -> None:
        with lock:
            for n, p in enumerate(procs):
                if n not in ended:
                    killed.add(n)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(p.pid, signal.SIGKILL)

    with contextlib.ExitStack() as stack:
        errs = [stack.enter_context(tempfile.TemporaryFile()) for _ in commands]
        waiters = []
        timer = threading.Timer(timeout, kill_rest)
        first = time.perf_counter()
        timer.start()
        try:
            for n, (argv, err, delay) in enumerate(zip(commands, errs, delays, strict=True)):
                pause = first + delay - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                started.append(time.perf_counter())
                p = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    env=env,
                    cwd=cwd,
                    start_new_session=True,
                )
                with lock:
                    procs.append(p)
                w = threading.Thread(target=wait, args=(n, p), daemon=True)
                w.start()
                waiters.append(w)
            for w in waiters:
                w.join()
        finally:
            timer.cancel()
        out = []
        for n, (p, err) in enumerate(zip(procs, errs, strict=True)):
            err.seek(0)
            text = err.read().decode("utf-8", "replace")
            rc = TIMED_OUT if n in killed else int(p.returncode)
            out.append((Sample(ended[n] - started[n], None, rc), text, ended[n] - first))
    return out


def count_bench_records(b: Bench, url: str, backend: Backend) -> int | None:
    """How many records of the writers (note ``bench``, not imported) the database holds."""
    sql = "SELECT count(*) FROM updates WHERE note = 'bench'"
    try:
        if backend.url is None:
            return _count(Path(url), sql)
        return int(pg_sql(b, url, [], sql))
    except (sqlite3.Error, CaseProblem, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# Report


def machine(python: Path) -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def git(*args: str) -> str:
        proc = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else "?"

    dirty = [x for x in git("status", "--porcelain", "--", "kpi").splitlines() if x.strip()]
    versions = subprocess.run(
        [
            str(python),
            "-c",
            "import sys, sqlite3, importlib.metadata as m\n"
            "print(sys.version.split()[0], sqlite3.sqlite_version)\n"
            "for p in ('typer','click','rich','sqlalchemy','sqlmodel','pyyaml','alembic','psycopg'):\n"
            "    try: print(p, m.version(p))\n"
            "    except Exception: pass",
        ],
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    py, _, sqlite_version = (versions[0] if versions else "? ?").partition(" ")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_mb": _memory_mb(),
        "kernel": platform.release(),
        "python": py,
        "sqlite": sqlite_version,
        "packages": " ".join(x.replace(" ", "=") for x in versions[1:] if x),
        "commit": git("rev-parse", "--short", "HEAD"),
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "commit_subject": git("log", "-1", "--format=%s")[:80],
        "kpi_uncommitted_files": len(dirty),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "started": dt.datetime.now().isoformat(timespec="seconds"),
    }


def _memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


HEAD = ["scale", "case", "runs", "kpi median", "floor median", "ratio", "kpi RSS", "floor RSS", "goal", "measured", "verdict"]  # fmt: skip
LEFT = {0, 1, 8, 9, 10}


def table(results: list[Result]) -> str:
    rows = [HEAD]
    for r in results:
        ratio = r.ratio
        rss, frss = r.peak_mb("kpi"), r.peak_mb("floor")
        kpi_s = fmt_s(r.median("kpi"))
        ratio_s = f"{ratio:.2f}×" if ratio is not None else "—"
        if r.timed_out is not None:  # a lower bound
            kpi_s = f"> {fmt_s(r.timed_out)}"
            floor = r.median("floor")
            ratio_s = f"> {r.timed_out / floor:.0f}×" if floor else "—"
        checks = r.checks or [Check("—", "—", r.verdict)]
        first = checks[0]
        rows.append(
            [
                r.scale,
                r.name,
                str(r.runs),
                kpi_s,
                fmt_s(r.median("floor")),
                ratio_s,
                f"{rss:.0f} MB" if rss is not None else "—",
                f"{frss:.0f} MB" if frss is not None else "—",
                first.goal,
                first.measured,
                first.verdict,
            ]
        )
        for c in checks[1:]:  # a case with several goals: one line more for each
            rows.append(["", "", "", "", "", "", "", "", c.goal, c.measured, c.verdict])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(HEAD))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c + " " * (w - _width(c)) if i in LEFT else " " * (w - _width(c)) + c
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.scale}/{r.name}: {r.note}" for r in results if r.note]
    floors = [f"  {r.scale}/{r.name}: {r.command}  |  floor: {r.floor}" for r in results if r.floor and r.floor.startswith("kpi ")]  # fmt: skip
    out = lines
    if floors:
        out += ["", "floors that are kpi commands:", *floors]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def summary(results: list[Result]) -> str:
    checks = [(r, c) for r in results for c in r.checks]
    passed = [f"{r.scale}/{r.name} [{c.goal}]" for r, c in checks if c.verdict == "PASS"]
    failed = [f"{r.scale}/{r.name} [{c.goal}: {c.measured}]" for r, c in checks if c.verdict == "FAIL"]  # fmt: skip
    other = [f"{r.scale}/{r.name} [{c.goal}]: {c.verdict}" for r, c in checks if c.verdict not in ("PASS", "FAIL")]  # fmt: skip
    lines = [f"{len(passed)} of {len(passed) + len(failed)} goals measured pass."]
    lines += ["FAIL: " + x for x in failed]
    lines += ["not measured: " + x for x in other]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------

GROUPS: dict[str, Callable[[Bench], list[Case]]] = {
    "desk": desk_cases,
    "district": district_cases,
    "plans": plans_cases,
    "concurrency": concurrency_cases,
}


def _selected(case: Case, only: list[str] | None) -> bool:
    return not only or any(o in f"{case.scale}/{case.name}" for o in only)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark kpi against floors and goals.")
    parser.add_argument("--quick", action="store_true", help="the desk scale only")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case (default 7)")
    parser.add_argument("--import-runs", type=int, default=3, help="runs of the 1M-row import")
    parser.add_argument(
        "--conc-rounds", type=int, default=3, help="rounds of each concurrency case (default 3)"
    )
    parser.add_argument(
        "--budget", type=float, default=240, help="seconds per case before runs are cut (min 3)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="stop a kpi run after this many seconds"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/kpi-bench"), help="data cache")
    parser.add_argument("--venv", type=Path, default=REPO / ".venv")
    parser.add_argument(
        "--only",
        action="append",
        help="run the cases whose SCALE/NAME contains this (repeatable; see --list)",
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument(
        "--pg-url",
        help="a PostgreSQL database for the concurrency case "
        "(e.g. postgresql+psycopg://kpi:kpi@127.0.0.1/kpi_bench); a schema is made per round",
    )
    parser.add_argument(
        "--conc-start",
        choices=["once", "spread"],
        default="once",
        help="concurrency: start the updates all at once with the import (default), or one by "
        "one over the time the import takes alone",
    )
    parser.add_argument("--regenerate", action="store_true", help="ignore the data cache")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    kpi, python = (args.venv / "bin" / "kpi").absolute(), (args.venv / "bin" / "python").absolute()
    if not kpi.exists():
        parser.error(f"{kpi} not found; install the project into the venv (pip install -e .)")
    args.work = args.work.absolute()
    args.work.mkdir(parents=True, exist_ok=True)
    cwd = args.work / "cwd"  # commands run here, so nothing lands in the repository
    shutil.rmtree(cwd, ignore_errors=True)
    cwd.mkdir()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    bench = Bench(args, kpi, python, cwd, log)
    groups = ["desk"] if args.quick else list(GROUPS)
    # First the names alone (no data, no probes), to know which groups' data to make.
    bench.names_only = True
    named = {g: [c for c in GROUPS[g](bench) if _selected(c, args.only)] for g in groups}
    bench.names_only = False
    if args.list:
        for g in groups:
            for c in named[g]:
                print(f"{c.scale}/{c.name}")
        return 0
    wanted = [g for g in groups if named[g]]
    if not wanted:
        parser.error(f"no case matches --only {' '.join(args.only or [])} (see --list)")

    info = machine(python)
    print("kpi benchmark")
    print(f"  machine : {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), {info['memory_mb']} MB, Linux {info['kernel']}, load {info['load_average']}")  # fmt: skip
    print(f"  python  : {info['python']} ({python}), SQLite {info['sqlite']}; {info['packages']}")  # fmt: skip
    print(f"  commit  : {info['commit']} on {info['branch']} “{info['commit_subject']}” (+{info['kpi_uncommitted_files']} uncommitted files in kpi/)")  # fmt: skip
    print(f"  settings: runs {args.runs}, import runs {args.import_runs}, concurrency rounds {args.conc_rounds}, budget {args.budget:g} s/case, timeout {args.timeout:g} s, KPI_TODAY={generate.TODAY}, work {args.work}")  # fmt: skip

    cases: list[Case] = []
    for g in wanted:
        cases += [c for c in GROUPS[g](bench) if _selected(c, args.only)]
    for line in bench.data_lines:
        print(f"  data    : {line}")
    print(flush=True)

    warm = run_once([str(python), "-c", "pass"], dict(os.environ), cwd, rss=True)[0]
    ref = Result("-", "python -c pass (reference)", f"{python} -c pass", None)
    ref.kpi_rss = [warm.rss_mb] if warm.rss_mb is not None else []
    for _ in range(args.runs):
        ref.kpi.append(run_once([str(python), "-c", "pass"], dict(os.environ), cwd)[0])
    ref.runs, ref.verdict = args.runs, "info"

    log("measuring:")
    results = [ref]
    t0 = time.perf_counter()
    for case in cases:
        if case.run is not None:
            results.append(case.run(case, cwd, log))
        else:
            results.append(measure(case, cwd, args.runs, args.budget, args.timeout, log))
    log(f"done in {time.perf_counter() - t0:.0f} s")

    print(table(results))
    print()
    print(summary(results))
    if args.json:
        payload = {
            "machine": info,
            "settings": {k: str(v) for k, v in vars(args).items() if k != "pg_url"}
            | {"pg_url": generate_safe_url(args.pg_url) if args.pg_url else None},
            "datasets": {k: {"root": str(v.root), **v.manifest} for k, v in bench.datasets.items()}
            | (
                {"plans": {"root": str(bench.plans_data.root), **bench.plans_data.manifest}}
                if bench.plans_data
                else {}
            ),
            "results": [
                {
                    **{
                        k: v
                        for k, v in asdict(r).items()
                        if k not in ("kpi", "floor_samples", "checks")
                    },
                    "checks": [asdict(c) for c in r.checks],
                    "kpi_median_s": r.median("kpi"),
                    "floor_median_s": r.median("floor"),
                    "ratio": r.ratio,
                    "kpi_peak_rss_mb": r.peak_mb("kpi"),
                    "floor_peak_rss_mb": r.peak_mb("floor"),
                    "kpi_samples": [asdict(s) for s in r.kpi],
                    "floor_samples": [asdict(s) for s in r.floor_samples],
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2))
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
