"""The score of `make mutation` for each module, and its survivors checked against MUTANTS.md.

Run from the project folder after `mutmut run` (make mutation does both):

    python -m tests.metrics.mutation_report

For each mutated module it prints the mutants, how many the tests killed (a timeout counts as killed)
and the score; then each surviving mutant with an id and its change. A survivor is fine only when
tests/metrics/MUTANTS.md lists its id with the reason it cannot change a published figure; any other
survivor makes this exit 1, so a new one gets a test or a written reason. The id hashes the function
and the changed lines, not the mutant's number, so it survives edits elsewhere in the module.

Only the standard library: mutmut's files are read directly (mutants/<path>.meta holds each mutant's
exit code; mutants/<path> holds each function's original and mutated copies).
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
LISTED = Path(__file__).resolve().parent / "MUTANTS.md"
MODULES = ("metrics/calculations.py", "metrics/disclosure.py")
#: mutmut's exit codes: 1 and 3 the tests failed, the rest of these a timeout (also a kill).
KILLED = {1, 3, 36, -24, 24, 152, 255}
SURVIVED = {0}
NAME = re.compile(r"^x_(?P<function>.+)__mutmut_(?P<number>\d+|orig)$")
ID = re.compile(r"`([0-9a-f]{10})`")


@dataclass(frozen=True)
class Survivor:
    module: str
    name: str
    function: str
    removed: tuple[str, ...]
    added: tuple[str, ...]
    status: str

    @property
    def id(self) -> str:
        text = "\n".join((self.module, self.function, *self.removed, "=>", *self.added))
        return hashlib.sha256(text.encode()).hexdigest()[:10]

    def describe(self) -> str:
        change = (
            " ".join(f"- {line}" for line in self.removed)
            + " "
            + " ".join(f"+ {line}" for line in self.added)
        )
        return f"`{self.id}` {self.module} `{self.function}` ({self.status}): {change.strip()}"


def _functions(path: Path) -> dict[str, str]:
    """Every mutmut copy of a function in the mutated module, by its name, as source in which the copy's
    name is the function's own (a mutant may change a default in the `def` line)."""
    source = path.read_text()
    lines = source.splitlines()
    copies = {}
    for node in ast.parse(source).body:
        match = NAME.match(getattr(node, "name", ""))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and match:
            segment = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            copies[node.name] = segment.replace(node.name, match["function"], 1)
    return copies


def _change(original: str, mutant: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    removed, added = [], []
    for line in difflib.unified_diff(original.splitlines(), mutant.splitlines(), n=0, lineterm=""):
        if line.startswith(("---", "+++", "@@")):
            continue
        if line.startswith("-"):
            removed.append(" ".join(line[1:].split()))
        elif line.startswith("+"):
            added.append(" ".join(line[1:].split()))
    return tuple(removed), tuple(added)


def _status(code: int | None) -> str:
    if code is None:
        return "not checked"
    if code in SURVIVED:
        return "survived"
    if code in (5, 33):
        return "no tests"
    return f"exit {code}"


def report(out=sys.stdout) -> int:
    listed = set(ID.findall(LISTED.read_text())) if LISTED.exists() else set()
    unlisted: list[Survivor] = []
    seen: set[str] = set()
    for module in MODULES:
        meta_path = MUTANTS / f"{module}.meta"
        if not meta_path.exists():
            out.write(f"{module}: no results in {meta_path.relative_to(ROOT)}; run mutmut first\n")
            return 2
        codes: dict[str, int | None] = json.loads(meta_path.read_text())["exit_code_by_key"]
        copies = _functions(MUTANTS / module)
        prefix = module.removesuffix(".py").replace("/", ".") + "."
        killed = sum(code in KILLED for code in codes.values())
        alive = []
        for name, code in sorted(codes.items()):
            if code in KILLED:
                continue
            short = name.removeprefix(prefix)
            match = NAME.match(short)
            assert match, name
            function = match["function"]
            removed, added = _change(copies[f"x_{function}__mutmut_orig"], copies[short])
            alive.append(Survivor(module, name, function, removed, added, _status(code)))
        total = len(codes)
        out.write(
            f"{module}: {total} mutants, {killed} killed, {total - killed} alive, "
            f"score {killed / total:.1%}\n"
            if total
            else f"{module}: no mutants\n"
        )
        for survivor in alive:
            seen.add(survivor.id)
            mark = "listed" if survivor.id in listed else "NOT LISTED"
            out.write(f"  [{mark}] {survivor.describe()}  ({survivor.name})\n")
            if survivor.id not in listed:
                unlisted.append(survivor)
    stale = listed - seen
    if stale:
        out.write(f"Listed in MUTANTS.md but no longer surviving (remove them): {', '.join(sorted(stale))}\n")
    if unlisted:
        out.write(
            f"{len(unlisted)} surviving mutant(s) not in tests/metrics/MUTANTS.md: kill each with a test, "
            "or list its id there with the reason it cannot change a published figure.\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(report())
