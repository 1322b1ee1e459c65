"""Reading a targets file: bytes → text → YAML nodes that know their line and column.

``read_plan_file`` refuses what is not a plan before anything is parsed (too big, binary, GBK);
``parse_plan`` composes the YAML, turning libyaml's complaints into one line at the place a
person has to fix, refuses a document whose aliases (``&a`` … ``*a``) would expand it beyond any
plan (``expanded_size``: a 4 MB file must not become a 1.26 GB database), and hands the nodes to
``plan_check``, which refuses the whole file if anything in it is wrong, naming
``file:line:column`` for every mistake.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from kpi.core.plan import Plan
from kpi.errors import InputError, PlanError
from kpi.locale import t


def load_yaml(text: str, filename: str) -> tuple[Any, Any]:
    """Compose the YAML into nodes (which know their line and column) with the C loader if present."""
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        code = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        raise PlanError(_control_char(text, filename, chr(code))) from None
    except yaml.MarkedYAMLError as exc:
        raise PlanError(_syntax_message(text, filename, exc)) from None
    except yaml.YAMLError as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PlanError(t("plan.yaml_syntax", where=filename, problem=problem)) from None
    finally:
        loader.dispose()
    return loader, node


_FULLWIDTH_KEY = re.compile(r"^\s*-?\s*[A-Za-z_]+\s*：")


def _syntax_message(text: str, filename: str, exc: Any) -> str:
    """One line for a YAML syntax error, at the line a person has to fix.

    libyaml reports some mistakes where it noticed them, not where they are: an unclosed quote at
    the end of the file, a full-width colon (what a Chinese input method types) on the next line.
    """
    lines = text.splitlines()
    problem = exc.problem or exc.context or "?"
    mark = exc.problem_mark or exc.context_mark
    if exc.context and "quoted scalar" in exc.context and exc.context_mark is not None:
        mark = exc.context_mark  # where the quote opens
    first = exc.context_mark.line if exc.context_mark is not None else 0
    last = mark.line if mark is not None else len(lines) - 1
    for n in range(max(0, first), min(last, len(lines) - 1) + 1):
        if _FULLWIDTH_KEY.match(lines[n]):
            return t(
                "plan.yaml_fullwidth_colon", where=f"{filename}:{n + 1}:{lines[n].index('：') + 1}"
            )
    for n in range(0, min(last, len(lines) - 1) + 1):
        # A double quote opened and never closed: YAML reads on to the next quote, lines later.
        if _UNBALANCED_QUOTE.match(lines[n]):
            where = f"{filename}:{n + 1}:{lines[n].index(chr(34)) + 1}"
            return t("plan.yaml_syntax", where=where, problem=t("plan.unclosed_quote"))
    if mark is None:
        return t("plan.yaml_syntax", where=filename, problem=problem)
    where = f"{filename}:{mark.line + 1}:{mark.column + 1}"
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in line[: mark.column + 1] or "tab" in problem.lower():
        return t("plan.yaml_tab", where=where)
    return t("plan.yaml_syntax", where=where, problem=problem)


def _where_char(text: str, filename: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    return f"{filename}:{line}:{position - (text.rfind(chr(10), 0, position) + 1) + 1}"


def _control_char(text: str, filename: str, char: str) -> str:
    position = max(text.find(char), 0)
    return t(
        "plan.control_char", where=_where_char(text, filename, position), char=f"U+{ord(char):04X}"
    )


# Line separators that YAML counts as line breaks but editors do not: they would shift every
# line number after them, so they are refused where they stand.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
_UNBALANCED_QUOTE = re.compile(r'^[^#"]*"(?:[^"\\]|\\.)*$')


def parse_plan(text: str, filename: str = "targets.yaml") -> Plan:
    """Check a targets file whole and return its plan; raise ``PlanError`` listing every mistake."""
    if not text.strip():
        raise PlanError(t("plan.empty", where=filename))
    odd = _ODD_BREAKS.search(text)
    if odd:
        raise PlanError(_control_char(text, filename, odd.group()))
    loader, node = load_yaml(text, filename)
    if node is None:
        raise PlanError(t("plan.empty", where=filename))
    # An alias needs an anchor (``&a``): a file without a single "&" has none, and is as long
    # as it looks (counting the nodes of a 10,000-item plan takes most of a second).
    nodes, chars = expanded_size(node) if "&" in text else (0, 0.0)
    if nodes > MAX_EXPANDED_NODES or chars > MAX_EXPANDED_CHARS:
        raise PlanError(
            t(
                "plan.too_expanded",
                where=filename,
                nodes=MAX_EXPANDED_NODES,
                chars=MAX_EXPANDED_CHARS,
            )
        )
    from kpi.core.plan_check import Checker

    checker = Checker(filename, loader)
    plan = checker.plan(node)
    if checker.errors or plan is None:
        errors = checker.errors
        raise PlanError(
            t("plan.refused", file=filename, n=len(errors)) + " " + errors[0],
            details=errors[1:],
        )
    return plan


# What a targets file may hold once its aliases are expanded. The real plan (105 items) holds
# 3,549 nodes and 24,395 characters of text; a generated plan of 10,000 items (6 MB) 407,733
# nodes and 2.6 million characters: the bounds leave five and twelve times that. A file without
# aliases never reaches the second (it is at most MAX_PLAN_BYTES long).
MAX_EXPANDED_NODES = 2_000_000
MAX_EXPANDED_CHARS = 2 * 16 * 2**20


def expanded_size(root: Any) -> tuple[int, float]:
    """How many nodes, and how many characters of text, the composed document holds with every
    alias expanded: each node is counted once and its size remembered, so a billion laughs costs
    no more than the file is long. An alias inside itself (``&a [*a]``) expands without end."""
    sizes: dict[int, tuple[int, float]] = {}
    pending: dict[int, list[Any]] = {}  # the children of a node being counted: its ancestors'
    stack: list[Any] = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in sizes:
            stack.pop()
            continue
        children = pending.get(key)
        if children is None:
            if node.id == "scalar":
                sizes[key] = (1, float(len(node.value)))
                stack.pop()
                continue
            children = (
                node.value
                if node.id == "sequence"
                else [part for pair in node.value for part in pair]
            )
            pending[key] = children
            for child in children:
                if id(child) in pending:
                    return MAX_EXPANDED_NODES + 1, math.inf
                if id(child) not in sizes:
                    stack.append(child)
            continue
        nodes, chars = 1, 0.0
        for child in children:
            n, c = sizes[id(child)]
            nodes += n
            chars += c
        sizes[key] = (nodes, chars)
        del pending[key]
        stack.pop()
    return sizes[id(root)]


# A 10,000-item plan is about 6 MB; anything much larger is not a plan, and parsing it would
# take seconds and gigabytes before saying so.
MAX_PLAN_BYTES = 16 * 2**20


def read_plan_file(path: Path, shown: str) -> Plan:
    """The plan in the targets file at ``path``; ``shown`` is how messages name the file."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)  # never more: /dev/zero is not a plan
    except FileNotFoundError:
        raise InputError(t("plan.file_missing", path=path, year="<year>")) from None
    except OSError as exc:
        raise InputError(t("plan.file_unreadable", path=path, problem=exc.strerror)) from None
    if len(data) > MAX_PLAN_BYTES:
        raise PlanError(t("plan.too_big", where=shown, limit=MAX_PLAN_BYTES // 2**20))
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanError(t("plan.binary", where=shown))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            data.decode("gbk")
        except UnicodeDecodeError:
            raise PlanError(t("plan.not_yaml_text", where=shown)) from None
        raise PlanError(t("plan.gbk", where=shown)) from None
    if "\x00" in text:
        raise PlanError(t("plan.not_yaml_text", where=shown))
    return parse_plan(text, shown)


def file_sha256(path: Path) -> str:
    import hashlib  # only a load needs it: not at every command's start

    return hashlib.sha256(path.read_bytes()).hexdigest()
