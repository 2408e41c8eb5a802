"""`make bench`, publication step (issue 14): how long the release builder and the auditor take.

For each scenario (N organisations over R rounds) and each round: synthetic returns for N councils
(the register's regions and types in turn), release 1 from all but about 8% of them, then release 2
with the rest accepted, built against release 1 as published (so areas that grew by fewer than 5 keep
their figures and the auditor bounds the differences). The figures are the builder's time for both
releases and the auditor's time for the check made on publishing release 2 (both releases together),
summed over the rounds; the budget is the issue's: the auditor under 60 s for 153 councils over three
rounds. Pure computation: no database, no workers.

BENCH_RELEASE_SCENARIOS (default "153x3,2000": N, or N x rounds). Run alone with
`python -m bench.releases`.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT = "153x3,2000"
AUDIT_BUDGET_SECONDS = 60.0
REGISTER = Path(__file__).resolve().parent.parent / "data" / "authorities.csv"


@dataclass
class Measured:
    n: int
    rounds: int
    build_seconds: float = 0.0
    audit_seconds: float = 0.0
    targets: int = 0
    programs: int = 0
    hidden: int = 0
    cells: int = 0
    leaks: int = 0

    @property
    def label(self) -> str:
        return f"{self.n:,}" + (f" x {self.rounds} rounds" if self.rounds > 1 else "")


def _members(n: int, seed: str):
    from metrics.calculations import compute_results
    from metrics.publication import published_type
    from metrics.releases.builder import Member
    from metrics.services import headline
    from submissions.synthetic import synthetic_return

    register = list(csv.DictReader(REGISTER.open(encoding="utf-8")))
    found = {}
    for i in range(n):
        place = register[i % len(register)]
        data = synthetic_return(f"{seed}-{i}", minority_share=0.05 + (i % 20) / 50)
        values = {
            (e["service"], e["indicator"]): (headline(e), e.get("four_fifths") or "")
            for e in compute_results(data, population_share=None)
        }
        code = f"B{i:07d}"
        member_id = f"{code}:{i}"
        found[member_id] = Member(
            member_id, i, code, f"Council {i}", i, place["region"], published_type(place["authority_type"]),
            data, values,
        )  # fmt: skip
    return found


def measure(n: int, rounds: int) -> Measured:
    from metrics.auditor import audit
    from metrics.releases.builder import Builder, Earlier

    measured = Measured(n, rounds)
    for r in range(rounds):
        members = _members(n, f"round{r}")
        later = sorted(members)[: max(1, n * 8 // 100)]
        first = [m for key, m in members.items() if key not in later]
        started = time.perf_counter()
        one = Builder("release 1", first, [], members, budget_seconds=0).build()
        earlier = Earlier(1, one.bases, one.view, frozenset(one.withheld))
        builder = Builder("release 2", list(members.values()), [earlier], members, budget_seconds=0)
        two = builder.build()
        measured.build_seconds += time.perf_counter() - started
        started = time.perf_counter()
        result = audit([one.view, two.view], builder.counts, names=builder.names)
        measured.audit_seconds += time.perf_counter() - started
        measured.targets += result.targets
        measured.programs += result.programs
        measured.leaks += len(result.leaks)
        measured.hidden += len(two.hidden)
        measured.cells += len(two.view.shown)
    return measured


def scenarios() -> list[tuple[int, int]]:
    found = []
    for item in os.environ.get("BENCH_RELEASE_SCENARIOS", DEFAULT).split(","):
        n, _, rounds = item.strip().partition("x")
        found.append((int(n), int(rounds or 1)))
    return found


def table(results: list[Measured]) -> list[str]:
    """Rows in the shape of bench/run.py's table: the figure beside its budget."""
    rows = [("N", "measure", "figure", "budget")]
    for m in results:
        rows.append(
            (m.label, "auditor on publishing (2 releases a round), s",
             f"{m.audit_seconds:.1f} ({m.targets:,} bounded, {m.programs:,} programs, {m.leaks} leaks)",
             f"< {AUDIT_BUDGET_SECONDS:.0f} s" if (m.n, m.rounds) == (153, 3) else "reported")
        )  # fmt: skip
        rows.append(
            (m.label, "release builder (2 releases a round), s",
             f"{m.build_seconds:.1f} ({m.hidden:,} of {m.cells:,} counts hidden in release 2)", "reported")
        )  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return lines


def budgets(results: list[Measured]) -> list[str]:
    lines = []
    for m in results:
        if (m.n, m.rounds) == (153, 3):
            ok = m.audit_seconds < AUDIT_BUDGET_SECONDS and not m.leaks
            verdict = "met" if ok else "NOT MET"
            lines.append(
                f"  [{verdict}] auditor for 153 councils over 3 rounds < {AUDIT_BUDGET_SECONDS:.0f} s, "
                f"no leak: {m.audit_seconds:.1f} s, {m.leaks} leaks"
            )
    return lines or ["  (no 153 x 3 scenario in this run: the auditor budget is not judged)"]


def run() -> list[str]:
    results = []
    for n, rounds in scenarios():
        m = measure(n, rounds)
        print(
            f"  publication {m.label}: auditor {m.audit_seconds:.1f} s, builder {m.build_seconds:.1f} s",
            flush=True,
        )
        results.append(m)
    return [
        "Publication (issue 14; pure computation, one process)",
        *table(results),
        "Budgets (issue 14):",
        *budgets(results),
    ]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wres_portal.settings")
    import django

    django.setup()
    print("\n".join(run()))


if __name__ == "__main__":
    main()
