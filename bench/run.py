#!/usr/bin/env python3
"""Benchmark ``kpi`` against stdlib floors and the goals of the performance issue.

    . .venv/bin/activate
    python bench/run.py --quick            # the desk scale only (under a minute)
    python bench/run.py --json out.json    # both scales, ~10 min; the district data takes ~30 s to make once

Every command runs as a whole process — the venv's ``kpi`` console script with ``KPI_DB`` set to
the bench database, ``KPI_TODAY=2025-07-02``, ``NO_COLOR=1`` and stdout to /dev/null — ``--runs``
times, alternating with its floor (``bench/floor.py``: the same reads and output with sqlite3,
print and json), after one untimed warm-up of each. The table gives medians, the ratio
kpi/floor, the peak RSS of the kpi process (``os.wait4``'s rusage of that child alone) and the
verdict against each goal. A case whose warm-up shows it is slow gets fewer runs (at least 3) so
that it fits ``--budget`` seconds.

Data (``bench/generate.py``) is cached under ``--work`` (default /tmp/kpi-bench) and made again
when the generator or the schema (kpi/store/schema.py, kpi/store/migrations/) changes.

This is not a test: nothing in tests/ uses it. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
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
from generate import REPO, Dataset, copy_db, kpi_env

FLOOR = Path(__file__).resolve().parent / "floor.py"


@dataclass(frozen=True)
class Goal:
    kind: Literal["ratio", "seconds", "rss_mb"]
    limit: float

    def __str__(self) -> str:
        if self.kind == "ratio":
            return f"≤ {self.limit:g}× floor"
        if self.kind == "seconds":
            return f"< {self.limit:g} s"
        return f"< {self.limit:g} MB RSS"


@dataclass
class Case:
    scale: str
    name: str
    argv: list[str]
    floor: list[str] | None
    env: dict[str, str]
    goal: Goal | None = None
    floor_env: dict[str, str] | None = None  # default: ``env``
    prepare: Callable[[], None] | None = None  # before each kpi run (untimed)
    prepare_floor: Callable[[], None] | None = None  # before each floor run (untimed)
    max_runs: int | None = None
    available: bool = True
    note: str = ""
    check: Callable[[str], str] | None = None  # the warm-up's stdout → a note
    rss_runs: bool = False  # measure peak RSS in every timed run, not only in the warm-up


@dataclass
class Sample:
    seconds: float
    rss_mb: float | None  # measured only when asked (see ``run_once``)
    rc: int


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
    goal: str = ""
    verdict: str = ""
    note: str = ""
    timed_out: float | None = None  # kpi was stopped after this many seconds

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
    lines = [x for x in text.strip().splitlines() if x.strip()]
    return lines[-1][:160] if lines else ""


def _describe(case: Case) -> tuple[str, str | None]:
    """The command and the floor as a person would type them."""
    if "_KPI_COMPLETE" in case.env:
        shown = f'COMP_WORDS="{case.env["COMP_WORDS"]}" COMP_CWORD={case.env["COMP_CWORD"]} kpi'
    else:
        shown = " ".join(["kpi", *case.argv[1:]])
    floor = None
    if case.floor:
        floor = " ".join(Path(a).name if a == str(FLOOR) else a for a in case.floor[1:])
    return shown, floor


def measure(
    case: Case,
    cwd: Path,
    runs: int,
    budget: float,
    timeout: float,
    log: Callable[[str], None],
) -> Result:
    """Warm up kpi and floor once (checking both work), then time them in alternation."""
    shown, floor_shown = _describe(case)
    res = Result(
        case.scale,
        case.name,
        shown,
        floor_shown,
        goal=str(case.goal) if case.goal else "",
        note=case.note,
    )
    floor_env = case.floor_env or case.env

    def add_note(text: str) -> None:
        res.note = "; ".join(x for x in (res.note, text) if x)

    def run_kpi(**kw: Any) -> tuple[Sample, str, str]:
        if case.prepare:
            case.prepare()
        sample, out, err = run_once(case.argv, case.env, cwd, timeout=timeout, **kw)
        if sample.rss_mb is not None and sample.rc == 0:
            res.kpi_rss.append(sample.rss_mb)
        return sample, out, err

    def run_floor(**kw: Any) -> tuple[Sample, str, str]:
        assert case.floor is not None
        if case.prepare_floor:
            case.prepare_floor()
        sample, out, err = run_once(case.floor, floor_env, cwd, **kw)
        if sample.rss_mb is not None:
            res.floor_rss.append(sample.rss_mb)
        return sample, out, err

    # Warm-up (untimed): fills the page cache and __pycache__, and checks that both work.
    kpi_ok = case.available
    warm_kpi = warm_floor = 0.0
    if kpi_ok:
        sample, stdout, stderr = run_kpi(capture=True, rss=True)
        warm_kpi = sample.seconds
        if sample.rc == TIMED_OUT:
            kpi_ok = False
            res.timed_out = timeout
            add_note(f"kpi did not finish within {timeout:g} s and was stopped")
        elif sample.rc != 0:
            kpi_ok = False
            res.verdict = "ERROR"
            add_note(f"kpi exited {sample.rc}: {_first_line(stderr)}")
        elif case.check:
            add_note(case.check(stdout))
    floor_ok = case.floor is not None
    if case.floor is not None:
        sample, _, stderr = run_floor(rss=True)
        warm_floor = sample.seconds
        if sample.rc != 0:
            floor_ok = False
            add_note(f"floor exited {sample.rc}: {_first_line(stderr)}")
    per_run = (warm_kpi if kpi_ok else 0.0) + (warm_floor if floor_ok else 0.0)
    n = runs if per_run * runs <= budget else max(3, int(budget / per_run))
    if case.max_runs:
        n = min(n, case.max_runs)
    res.runs = n if (kpi_ok or floor_ok) else 0
    log(f"  {case.scale:8} {case.name:<34} {res.runs} runs, ~{per_run * res.runs:.0f} s")
    for i in range(res.runs):
        for which in ("kpi", "floor") if i % 2 == 0 else ("floor", "kpi"):
            if which == "kpi" and kpi_ok:
                sample, _, stderr = run_kpi(rss=case.rss_runs)
                if sample.rc != 0:  # a failed run times nothing: the case is an error
                    kpi_ok = False
                    res.verdict = "ERROR"
                    add_note(f"kpi exited {sample.rc} in timed run {i + 1}: {_first_line(stderr)}")
                    if sample.rc == TIMED_OUT:
                        res.timed_out = timeout
                    continue
                res.kpi.append(sample)
            elif which == "floor" and floor_ok:
                res.floor_samples.append(run_floor(rss=case.rss_runs)[0])
    if not case.available:
        res.verdict = "NOT AVAILABLE"
    elif not res.verdict:
        res.verdict = verdict(case.goal, res)
    return res


def verdict(goal: Goal | None, res: Result) -> str:
    if goal is None:
        return "info"
    if res.timed_out is not None and goal.kind != "rss_mb":
        return "FAIL"  # slower than the timeout: slower than any goal here
    if goal.kind == "ratio":
        value = res.ratio
    elif goal.kind == "seconds":
        value = res.median("kpi")
    else:
        value = res.peak_mb("kpi")
    if value is None:
        return "n/a"
    return "PASS" if value <= goal.limit else "FAIL"


# --------------------------------------------------------------------------------------------
# The cases


def _complete_env(base: dict[str, str], words: str, cword: int) -> dict[str, str]:
    # Typer 0.19 installs its own bash script, which calls `_KPI_COMPLETE=complete_bash kpi` with
    # COMP_WORDS/COMP_CWORD (click's own spelling, `bash_complete`, is refused by Typer's classes).
    return {**base, "_KPI_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}


def _candidates(stdout: str) -> list[str]:
    return [x for x in stdout.splitlines() if x.strip()]


def desk_cases(ds: Dataset, kpi: Path, python: Path, cwd: Path) -> list[Case]:
    env = kpi_env(ds.db)
    k, f = str(kpi), [str(python), str(FLOOR)]
    item = ds.manifest["show_item"]

    # Item-code completion: measured as the shell runs it; if kpi offers no candidates the goal
    # falls back to completing a command name, which is what completes today.
    probe_env = _complete_env(env, "kpi show 3.1", 2)
    probe = subprocess.run([k], env=probe_env, cwd=cwd, capture_output=True, text=True)
    item_done = probe.returncode == 0 and bool(_candidates(probe.stdout))
    fallback = "" if item_done else "the goal is applied here because item codes do not complete"
    return [
        Case("desk", "kpi --help", [k, "--help"], [*f, "help"], env, Goal("ratio", 9)),
        Case(
            "desk",
            "Tab: item code (show 3.1)",
            [k],
            [*f, "complete"],
            probe_env,
            Goal("ratio", 6) if item_done else None,
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
            None if item_done else Goal("ratio", 6),
            note=fallback,
            check=lambda out: f"candidates: {' '.join(_candidates(out))}",
        ),
        Case("desk", "kpi status", [k, "status"], [*f, "status"], env, Goal("ratio", 10)),
        Case(
            "desk",
            "kpi status --format json",
            [k, "status", "--format", "json"],
            [*f, "status", "--json"],
            env,
        ),
        Case("desk", f"kpi show {item}", [k, "show", item], [*f, "show", item], env),
        Case("desk", "kpi report weekly", [k, "report", "weekly"], [*f, "weekly"], env),
    ]


def district_cases(ds: Dataset, kpi: Path, python: Path, cwd: Path, import_runs: int) -> list[Case]:
    env = kpi_env(ds.db)
    k, f = str(kpi), [str(python), str(FLOOR)]
    item = ds.manifest["show_item"]
    cases = [
        Case(
            "district",
            "kpi status --format json",
            [k, "status", "--format", "json"],
            [*f, "status", "--json"],
            env,
            Goal("ratio", 3),
        ),
        Case(
            "district",
            "kpi status (peak RSS)",
            [k, "status"],
            [*f, "status"],
            env,
            Goal("rss_mb", 150),
            rss_runs=True,
        ),
        Case(
            "district",
            "kpi report weekly",
            [k, "report", "weekly"],
            [*f, "weekly"],
            env,
            Goal("seconds", 2),
        ),
        Case(
            "district",
            f"kpi show {item}",
            [k, "show", item],
            [*f, "show", item],
            env,
            Goal("seconds", 0.3),
        ),
    ]

    # Import: every run starts from the plan alone (a fresh copy of plan.sqlite), kpi and floor
    # each into their own copy.
    # The file holds the whole year, and kpi refuses records dated after today: the import runs
    # as at the year's end (KPI_TODAY=2025-12-31), when such a file would be imported.
    run_db, floor_db = cwd / "import-kpi.sqlite", cwd / "import-floor.sqlite"
    year_end = {"KPI_TODAY": generate.END.isoformat()}
    probe = subprocess.run(
        [k, "import", "--help"], env=kpi_env(run_db), cwd=cwd, capture_output=True, text=True
    )
    has_import = probe.returncode == 0

    def count_imported(_: str) -> str:
        con = sqlite3.connect(run_db)
        try:
            (n,) = con.execute("SELECT count(*) FROM updates").fetchone()
        finally:
            con.close()
        return f"{n} rows imported"

    cases.append(
        Case(
            "district",
            f"kpi import ({ds.manifest['updates']:,} rows)",
            [k, "import", str(ds.csv)],
            [*f, "import", str(ds.csv)],
            {**kpi_env(run_db), **year_end},
            Goal("ratio", 2),
            floor_env={**kpi_env(floor_db), **year_end},
            prepare=lambda: copy_db(ds.plan_db, run_db),
            prepare_floor=lambda: copy_db(ds.plan_db, floor_db),
            max_runs=import_runs,
            available=has_import,
            note="" if has_import else "`kpi import` does not exist yet (floor timed alone)",
            check=count_imported,
        )
    )

    # The same, on the first 100,000 rows: what an import costs per row, even where the whole
    # file is refused or too slow to finish.
    chunk = ds.manifest["chunk_rows"]
    if chunk < ds.manifest["updates"]:
        cases.append(
            Case(
                "district",
                f"kpi import ({chunk:,} rows, info)",
                [k, "import", str(ds.chunk_csv)],
                [*f, "import", str(ds.chunk_csv)],
                {**kpi_env(run_db), **year_end},
                floor_env={**kpi_env(floor_db), **year_end},
                prepare=lambda: copy_db(ds.plan_db, run_db),
                prepare_floor=lambda: copy_db(ds.plan_db, floor_db),
                max_runs=import_runs,
                available=has_import,
                check=count_imported,
            )
        )

    # Load: a fresh, empty database each run; the floor parses the same file with libyaml.
    load_db = cwd / "load.sqlite"
    cases.append(
        Case(
            "district",
            f"kpi load ({ds.manifest['items']:,} items)",
            [k, "load", str(ds.plan_yaml)],
            [*f, "load", str(ds.plan_yaml)],
            kpi_env(load_db),
            Goal("ratio", 1.5),
            prepare=lambda: generate._remove_db(load_db),
            note="fresh database each run; floor = yaml.load(text, Loader=yaml.CSafeLoader)",
        )
    )
    return cases


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
            "import sys, importlib.metadata as m\n"
            "print(sys.version.split()[0])\n"
            "for p in ('typer','click','rich','sqlalchemy','sqlmodel','pyyaml','alembic'):\n"
            "    try: print(p, m.version(p))\n"
            "    except Exception: pass",
        ],
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "kernel": platform.release(),
        "python": versions[0] if versions else "?",
        "packages": " ".join(x.replace(" ", "=") for x in versions[1:] if x),
        "commit": git("rev-parse", "--short", "HEAD"),
        "kpi_uncommitted_files": len(dirty),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "started": dt.datetime.now().isoformat(timespec="seconds"),
    }


def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def table(results: list[Result]) -> str:
    head = ["scale", "case", "runs", "kpi median", "floor median", "ratio", "kpi RSS", "floor RSS", "goal", "verdict"]  # fmt: skip
    rows = [head]
    for r in results:
        ratio = r.ratio
        rss, frss = r.peak_mb("kpi"), r.peak_mb("floor")
        kpi_s = fmt_s(r.median("kpi"))
        ratio_s = f"{ratio:.1f}×" if ratio is not None else "—"
        if r.timed_out is not None:  # a lower bound
            kpi_s = f"> {fmt_s(r.timed_out)}"
            floor = r.median("floor")
            ratio_s = f"> {r.timed_out / floor:.0f}×" if floor else "—"
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
                r.goal or "—",
                r.verdict,
            ]
        )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c + " " * (w - _width(c)) if i in (0, 1, 8, 9) else " " * (w - _width(c)) + c
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.scale}/{r.name}: {r.note}" for r in results if r.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark kpi against stdlib floors.")
    parser.add_argument("--quick", action="store_true", help="the desk scale only")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case (default 7)")
    parser.add_argument("--import-runs", type=int, default=3, help="runs of the 1M-row import")
    parser.add_argument(
        "--budget", type=float, default=240, help="seconds per case before runs are cut (min 3)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="stop a kpi run after this many seconds"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/kpi-bench"), help="data cache")
    parser.add_argument("--venv", type=Path, default=REPO / ".venv")
    parser.add_argument("--only", action="append", help="run cases whose name contains this")
    parser.add_argument("--regenerate", action="store_true", help="ignore the data cache")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    kpi, python = args.venv / "bin" / "kpi", args.venv / "bin" / "python"
    if not kpi.exists():
        parser.error(f"{kpi} not found; install the project into the venv (pip install -e .)")
    args.work.mkdir(parents=True, exist_ok=True)
    cwd = args.work / "cwd"  # commands run here, so nothing lands in the repository
    shutil.rmtree(cwd, ignore_errors=True)
    cwd.mkdir()

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    info = machine(python)
    print("kpi benchmark")
    print(f"  machine : {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), Linux {info['kernel']}, load {info['load_average']}")  # fmt: skip
    print(f"  python  : {info['python']} ({python}); {info['packages']}")
    print(f"  commit  : {info['commit']} (+{info['kpi_uncommitted_files']} uncommitted files in kpi/)")  # fmt: skip
    print(f"  settings: runs {args.runs}, import runs {args.import_runs}, budget {args.budget:g} s/case, timeout {args.timeout:g} s, KPI_TODAY={generate.TODAY}, work {args.work}")  # fmt: skip

    scales = ["desk"] if args.quick else ["desk", "district"]
    datasets: dict[str, Dataset] = {}
    for name in scales:
        t0 = time.perf_counter()
        ds = generate.ensure(name, args.work, kpi, force=args.regenerate, log=log)
        datasets[name] = ds
        m = ds.manifest
        print(
            f"  data    : {name}: {m['items']:,} items ({m['indicators']:,} indicators, "
            f"{m['milestones']:,} milestones), {m['updates']:,} updates, {m['voids']:,} voids "
            f"[{ds.root}, ready in {time.perf_counter() - t0:.1f} s]"
        )
    print(flush=True)

    warm = run_once([str(python), "-c", "pass"], dict(os.environ), cwd, rss=True)[0]
    ref = Result("-", "python -c pass (reference)", f"{python} -c pass", None, goal="")
    ref.kpi_rss = [warm.rss_mb] if warm.rss_mb is not None else []
    for _ in range(args.runs):
        ref.kpi.append(run_once([str(python), "-c", "pass"], dict(os.environ), cwd)[0])
    ref.runs, ref.verdict = args.runs, "info"

    cases = desk_cases(datasets["desk"], kpi, python, cwd)
    if "district" in datasets:
        cases += district_cases(datasets["district"], kpi, python, cwd, args.import_runs)
    if args.only:
        cases = [c for c in cases if any(o in c.name for o in args.only)]

    log("measuring:")
    results = [ref]
    t0 = time.perf_counter()
    for case in cases:
        results.append(measure(case, cwd, args.runs, args.budget, args.timeout, log))
    log(f"done in {time.perf_counter() - t0:.0f} s")

    print(table(results))
    goals = [r for r in results if r.verdict in ("PASS", "FAIL")]
    print(
        f"\n{sum(r.verdict == 'PASS' for r in goals)} of {len(goals)} goals pass; "
        f"{', '.join(f'{r.scale}/{r.name}' for r in goals if r.verdict == 'FAIL') or 'none'} fail."
    )
    if args.json:
        payload = {
            "machine": info,
            "settings": {k: str(v) for k, v in vars(args).items()},
            "datasets": {k: {"root": str(v.root), **v.manifest} for k, v in datasets.items()},
            "results": [
                {
                    **{k: v for k, v in asdict(r).items() if k not in ("kpi", "floor_samples")},
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
