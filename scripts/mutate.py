"""Mutation testing of the core rules and of value parsing: does a test fail when a rule changes?

Run it from the repository root, in the project's virtual environment::

    .venv/bin/python scripts/mutate.py                       # every module below, 2 at a time
    .venv/bin/python scripts/mutate.py kpi/core/values.py    # one module (a path or a name)
    .venv/bin/python scripts/mutate.py --list                # the mutants, running nothing

The whole run (690 mutants) takes about 700 s of processor time: some 6 minutes on 2 idle cores,
17 on a machine busy with other test runs; values.py alone about 1½. It exits 0 when every mutant
is killed or is listed in ``scripts/equivalent-mutants.txt`` with the reason it cannot be told
apart from the real code, 1 when a mutant survives.

How it works, in three steps:

1. **Mutants.** Each module is parsed with ``ast``; every place below gets one small change, one
   mutant per change: a comparison flipped at its boundary and negated (``<`` → ``<=``, ``>=``),
   ``==``/``!=``, ``in``/``not in``, ``is``/``is not``; ``and``/``or``; ``+``/``-``, ``*``/``/``;
   a ``not`` or a unary minus removed; a number off by one (and a float zeroed: a tolerance
   such as ``1e-9`` dropped); ``True``/``False``; a string changed (``"cli"`` → ``"XXcliXX"``);
   ``min``/``max``; ``return x`` → ``return None``. Left alone: docstrings, annotations and
   ``Literal[...]`` (never run), ``assert`` (a guard, not a rule), ``__all__``, the insides of
   f-strings.
2. **Tests.** The mutated text replaces the module's own in memory (an import hook: no file is
   written), in a process forked from this one, so the libraries are imported once; the child
   runs the fast pure tests (``STAGES`` below: the pinned examples, then the rest) with ``-x``
   and Hypothesis derandomized. A failing test kills the mutant; passing tests let it survive;
   a stage using more processor time than three times the unmutated run (at least 30 s) is a
   timeout, counted as killed.
3. **Report.** Each survivor with its file:line, function and change; the score per module and
   overall: killed ÷ (mutants − equivalent ones).

An equivalent mutant is listed in ``scripts/equivalent-mutants.txt`` by its key (module, function,
change) with the reason it is equivalent; the key carries no line number, so it holds as code
moves. A listed mutant that is killed after all, or no longer made, is reported as a stale entry.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib.abc
import importlib.util
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "scripts" / "equivalent-mutants.txt"

MODULES = [
    "kpi/core/expected.py",
    "kpi/core/lights.py",
    "kpi/core/status.py",
    "kpi/core/progress.py",
    "kpi/core/values.py",
    "kpi/core/records.py",
    "kpi/core/recording.py",
]

# The fast pure tests, in two stages: the examples pinned for this run first (a second or so),
# then, for a mutant they let live, the rest, quickest first and the properties last.
STAGES = [
    ["tests/test_rules_pinned.py"],
    [
        "tests/test_cli.py::test_bad_values_are_refused_before_anything_is_written",
        "tests/test_cli.py::test_negative_number_is_refused",
        "tests/test_cli.py::test_values_as_people_write_them_are_read",
        "tests/test_cli.py::test_bad_dates_are_refused",
        "tests/test_cli.py::test_unambiguous_date_forms_are_accepted",
        "tests/test_cli.py::test_wrong_kind_of_record_is_explained",
        "tests/test_status.py",
        "tests/test_targets.py",
        "tests/test_progress.py",
        "tests/test_hostile.py::test_parse_number_returns_a_finite_non_negative_number_or_refuses",
        "tests/test_hostile.py::test_parse_percent_returns_a_share_or_refuses",
        "tests/test_hostile.py::test_parse_date_returns_a_real_date_or_refuses",
        "tests/test_status_properties.py",
    ],
]


# -- 1. mutants --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    path: str  # kpi/core/values.py
    line: int
    scope: str  # the function (or class, or <module>) it is in
    before: str  # the expression as written …
    after: str  # … and as the mutant has it
    source: str  # the whole mutated module

    @property
    def key(self) -> str:
        return f"{self.path}::{self.scope}  {self.before}  →  {self.after}"

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")


_FLIPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
_BINOPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
}


def _numbers(value: int | float) -> list[int | float]:
    if isinstance(value, int):
        return [value + 1, value - 1] if value != 0 else [1]
    return [value + 1, 0.0] if value != 0 else [1.0]


def _changes(node: ast.AST) -> Iterator[ast.AST]:
    """Every mutated copy of ``node`` (the node alone: its children are mutated in their turn)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for new in _FLIPS.get(type(op), ()):
                mutant = copy.copy(node)
                mutant.ops = [*node.ops[:i], new(), *node.ops[i + 1 :]]
                yield mutant
    elif isinstance(node, ast.BoolOp):
        yield ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        yield ast.BinOp(node.left, _BINOPS[type(node.op)](), node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        yield node.operand
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield ast.Constant(not value)
        elif isinstance(value, int | float):
            for number in _numbers(value):
                yield ast.Constant(number)
        elif isinstance(value, str):
            yield ast.Constant(f"XX{value}XX")
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        swap = {"min": "max", "max": "min"}.get(node.func.id)
        if swap:
            yield ast.Call(ast.Name(swap, ast.Load()), node.args, node.keywords)
    elif isinstance(node, ast.Return) and node.value is not None:
        returns_none = isinstance(node.value, ast.Constant) and node.value.value is None
        if not returns_none:
            yield ast.Return(ast.Constant(None))


def _skipped(tree: ast.Module) -> set[int]:
    """The ids of nodes never mutated, with all that lies under them."""
    skip: list[ast.AST] = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.append(first)  # a docstring
        if isinstance(node, ast.FunctionDef):
            skip.extend(
                a.annotation for a in ast.walk(node.args) if isinstance(a, ast.arg) and a.annotation
            )
            if node.returns:
                skip.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            skip.append(node.annotation)
        elif isinstance(node, ast.Assert | ast.JoinedStr | ast.ImportFrom | ast.Import):
            skip.append(node)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if node.value.id == "Literal":
                skip.append(node)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skip.append(node)
    return {id(n) for root in skip for n in ast.walk(root)}


def _scopes(tree: ast.Module) -> dict[int, str]:
    """Each node's id → the name of the function or class it is in."""
    scope: dict[int, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = name
            if isinstance(child, ast.FunctionDef | ast.ClassDef):
                inner = child.name if name == "<module>" else f"{name}.{child.name}"
            scope[id(child)] = inner
            visit(child, inner)

    visit(tree, "<module>")
    return scope


def _splice(source: bytes, offsets: list[int], node: ast.AST, text: str) -> str:
    """``source`` with ``node``'s span replaced by ``text`` (ast's columns count UTF-8 bytes)."""
    start = offsets[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
    end = offsets[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
    return (source[:start] + text.encode() + source[end:]).decode()


def _with(parent: ast.AST, old: ast.AST, new: ast.AST) -> ast.AST:
    """A shallow copy of ``parent`` with its child ``old`` put as ``new``, for the report."""
    twin = copy.copy(parent)
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(twin, name, new)
        elif isinstance(value, list) and any(v is old for v in value):
            setattr(twin, name, [new if v is old else v for v in value])
    return twin


def mutants_of(path: str) -> list[Mutant]:
    """Every mutant of the module at ``path`` (relative to the repository)."""
    source = (ROOT / path).read_bytes()
    tree = ast.parse(source)
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    skip, scope = _skipped(tree), _scopes(tree)
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    found: list[Mutant] = []
    seen: dict[str, int] = {}
    for node in ast.walk(tree):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        for changed in _changes(node):
            if isinstance(node, ast.Return):
                mutated = _splice(source, offsets, node, ast.unparse(changed))
            elif isinstance(node, ast.Call):  # the name only: the arguments keep their text
                mutated = _splice(source, offsets, node.func, ast.unparse(changed.func))  # type: ignore[attr-defined]
            else:
                mutated = _splice(source, offsets, node, f"({ast.unparse(changed)})")
            # A constant reads better in its context: `ceiling + 1e-09` → `ceiling + 0.0`,
            # `text[1:2]` → `text[1:3]` rather than `1:2` → `1:3`, `lines=False` → `lines=True`,
            # `origin: str = 'cli'` → `origin: str = 'XXcliXX'`.
            shown, new = node, changed
            parent = parents.get(id(node))
            if isinstance(node, ast.Constant):
                while isinstance(parent, ast.expr | ast.keyword | ast.Assign | ast.AnnAssign):
                    shown, new = parent, _with(parent, shown, new)
                    if not isinstance(parent, ast.UnaryOp | ast.Slice):
                        break
                    parent = parents.get(id(parent))
            before, after = ast.unparse(shown), ast.unparse(new)
            where = scope.get(id(node), "<module>")
            mutant = Mutant(path, node.lineno, where, before, after, mutated)
            # The same change twice in one function (two `x + 1e-09`): the second is `#2`.
            seen[mutant.key] = n = seen.get(mutant.key, 0) + 1
            if n > 1:
                mutant = Mutant(path, node.lineno, where, before, f"{after}  #{n}", mutated)
            found.append(mutant)
    return sorted(found, key=lambda m: (m.line, m.before, m.after))


# -- 2. tests ------------------------------------------------------------------------------------


class _Serve(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """An import hook that gives one module the mutant's text instead of its file's."""

    def __init__(self, mutant: Mutant) -> None:
        self.mutant = mutant

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != self.mutant.module:
            return None
        return importlib.util.spec_from_loader(name, self, origin=str(ROOT / self.mutant.path))

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return None

    def exec_module(self, module):  # type: ignore[no-untyped-def]
        module.__file__ = str(ROOT / self.mutant.path)
        exec(compile(self.mutant.source, module.__file__, "exec"), module.__dict__)


def _preload() -> None:
    """Import the libraries once, here, so that each forked child only imports ``kpi`` anew."""
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401

    sys.path.insert(0, str(ROOT))
    import kpi.cli  # noqa: F401  (and with it Typer, Rich, SQLAlchemy, …)

    for name in [n for n in sys.modules if n == "kpi" or n.startswith(("kpi.", "tests"))]:
        del sys.modules[name]


def _child(mutant: Mutant | None, tests: list[str], basetemp: Path) -> None:
    """In the forked process: ``tests`` against ``mutant`` (None: the code as it is); never returns."""
    import pytest

    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    if mutant is not None:
        sys.meta_path.insert(0, _Serve(mutant))
    args = ["-x", "-q", "-p", "no:cacheprovider", "--hypothesis-profile=mutants"]
    code = pytest.main([*args, f"--basetemp={basetemp}", *tests])
    os._exit(int(code))


_PASSED = (0, 5)  # pytest's exit codes: all passed, or no test in that stage


@dataclass
class Outcome:
    mutant: Mutant
    verdict: str  # killed, survived, timeout


def run(mutants: list[Mutant], jobs: int, limit: float, temp: Path) -> Iterator[Outcome]:
    """Each mutant's outcome, ``jobs`` at a time, in the order they finish. A mutant that passes a
    stage of the tests goes on to the next; it survives if it passes them all."""
    queue = [(n, m, 0) for n, m in enumerate(mutants)]
    running: dict[int, tuple[int, Mutant, int, float]] = {}
    try:
        while queue or running:
            while queue and len(running) < jobs:
                n, mutant, stage = queue.pop(0)
                pid = os.fork()
                if pid == 0:
                    _child(mutant, STAGES[stage], temp / f"{n}-{stage}")
                running[pid] = (n, mutant, stage, time.monotonic())
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                for pid, (*_, started) in list(running.items()):
                    if _seconds(pid, started) > limit:
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.01)
                continue
            n, mutant, stage, started = running.pop(pid)
            shutil.rmtree(temp / f"{n}-{stage}", ignore_errors=True)
            if os.WIFSIGNALED(status):
                yield Outcome(mutant, "timeout")
            elif os.waitstatus_to_exitcode(status) not in _PASSED:
                yield Outcome(mutant, "killed")
            elif stage + 1 < len(STAGES):
                queue.insert(0, (n, mutant, stage + 1))
            else:
                yield Outcome(mutant, "survived")
    finally:  # interrupted: the children still running go too
        for pid in running:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _seconds(pid: int, started: float) -> float:
    """The processor time a child has used (a busy machine does not make a mutant time out);
    where there is no /proc to read it from, the time since it started."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return time.monotonic() - started
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def baseline(temp: Path) -> float:
    """Processor seconds the longest stage of the tests takes on the code as it is; they must pass."""
    longest = 0.0
    for stage, tests in enumerate(STAGES):
        pid = os.fork()
        if pid == 0:
            _child(None, tests, temp / f"baseline-{stage}")
        _, status, usage = os.wait4(pid, 0)
        if os.waitstatus_to_exitcode(status) not in _PASSED:
            sys.exit(f"The tests fail on the code as it is ({' '.join(tests)}): fix that first.")
        longest = max(longest, usage.ru_utime + usage.ru_stime)
    return longest


# -- 3. report -----------------------------------------------------------------------------------


def equivalents() -> dict[str, str]:
    """The keys of scripts/equivalent-mutants.txt → the reason given for each."""
    found: dict[str, str] = {}
    key = None
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines() if EQUIVALENT.exists() else []:
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith((" ", "\t")):
            assert key is not None, f"{EQUIVALENT}: a reason before its mutant: {line}"
            found[key] = f"{found[key]} {line.strip()}".strip()
        else:
            key = line.strip()
            found[key] = ""
    return found


def _select(names: list[str]) -> list[str]:
    if not names:
        return MODULES
    chosen = []
    for name in names:
        hits = [m for m in MODULES if m == name or Path(m).stem == Path(name).stem]
        if not hits:
            sys.exit(f"Not a module of this run: {name} (one of {', '.join(MODULES)})")
        chosen.extend(hits)
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="paths or names; all of MODULES by default")
    parser.add_argument("--list", action="store_true", help="print the mutants, run nothing")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    args = parser.parse_args()
    os.chdir(ROOT)

    modules = _select(args.modules)
    mutants = [m for path in modules for m in mutants_of(path)]
    known = equivalents()
    if args.list:
        for m in mutants:
            print(f"{m.path}:{m.line}  {m.key}{'  (equivalent)' if m.key in known else ''}")
        print(f"{len(mutants)} mutants")
        return 0

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` cleans up as Ctrl-C does
    _preload()
    temp = Path(tempfile.mkdtemp(prefix="kpi-mutants-"))
    try:
        took = baseline(temp)
        limit = max(30.0, 3 * took)
        print(
            f"{len(mutants)} mutants of {len(modules)} modules; the tests take {took:.1f} s ",
            end="",
        )
        print(f"of processor time, limit {limit:.0f} s; {args.jobs} at a time", flush=True)
        started = time.monotonic()
        outcomes = []
        for n, outcome in enumerate(run(mutants, args.jobs, limit, temp), start=1):
            outcomes.append(outcome)
            m = outcome.mutant
            if outcome.verdict != "killed" and m.key not in known:
                print(
                    f"  {outcome.verdict.upper():8} {m.path}:{m.line}  {m.scope}: {m.before}  →  {m.after}",
                    flush=True,
                )
            if n % 50 == 0:
                print(f"  … {n}/{len(mutants)} in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    times = os.times()
    print(f"\n{time.monotonic() - started:.0f} s, ", end="")
    print(f"{times.children_user + times.children_system:.0f} s of processor time")
    return report(outcomes, modules, known)


def report(outcomes: list[Outcome], modules: list[str], known: dict[str, str]) -> int:
    """The score per module and overall; 1 if a mutant survives that is not listed equivalent."""
    print(f"\n{'module':28} {'mutants':>7} {'equiv.':>6} {'killed':>6} {'surv.':>5}  score")
    totals = [0, 0, 0, 0]
    for path in modules:
        mine = [o for o in outcomes if o.mutant.path == path]
        equivalent = [o for o in mine if o.mutant.key in known]
        killed = [o for o in mine if o.verdict != "survived" and o.mutant.key not in known]
        survived = [o for o in mine if o.verdict == "survived" and o.mutant.key not in known]
        row = [len(mine), len(equivalent), len(killed), len(survived)]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(f"{path:28} {row[0]:7} {row[1]:6} {row[2]:6} {row[3]:5}  {_score(row)}")
    print(f"{'all':28} {totals[0]:7} {totals[1]:6} {totals[2]:6} {totals[3]:5}  {_score(totals)}")
    timeouts = sum(1 for o in outcomes if o.verdict == "timeout")
    print(f"(killed counts {timeouts} timeouts)")

    made = {o.mutant.key: o for o in outcomes}
    for key in known:
        if key.split("::")[0] not in modules:
            continue
        if key not in made:
            print(f"stale entry in {EQUIVALENT.name}, no such mutant now: {key}")
        elif made[key].verdict != "survived":
            print(f"stale entry in {EQUIVALENT.name}, killed after all: {key}")
    return 1 if totals[3] else 0


def _score(row: list[int]) -> str:
    judged = row[2] + row[3]
    return f"{row[2]}/{judged} = {100 * row[2] / judged:.1f}%" if judged else "-"


if __name__ == "__main__":
    sys.exit(main())
