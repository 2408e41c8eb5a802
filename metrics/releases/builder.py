"""The release builder (spec section 5, v1.1): the tables of a release, safe together with every earlier
published release of the round. No queries: `metrics.releases.services` gathers the councils' figures.

1. **Areas.** England, each region and each published type (the City of London with the London
   boroughs, the Isles of Scilly with the unitary authorities: `metrics.publication.PUBLISHED_TYPES`).
   An area whose set of councils differs from an earlier published release's by 1 to 4 (a council
   added, withdrawn or resubmitted counts) keeps the councils, and so the figures, of the latest
   published release: otherwise the difference between the two releases would be the figures of those
   few councils.
2. **Primary rules.** Counts from 1 to 9 are hidden, and every count of an area and service from fewer
   than 5 councils. So is a count whose difference from an earlier release's figure for the same area
   (whose councils only grew, by 5 or more) is from 1 to 9: that difference is a count too.
3. **Secondary suppression** (`metrics.disclosure.suppress`) over the additive relations that hold
   between this release's areas: all = adults + children, headcount = pay bands, England = the regions
   = the types (where the areas' councils add up).
4. **The auditor** (`metrics.auditor`) reads the rendered tables back with every earlier published
   release and bounds every hidden count by linear programming. For each leak the builder first
   withholds the authority-level statistics (minimum, quartiles, maximum, band counts) that speak of
   the councils concerned, then hides one more count that holds them (the smallest), repeats the
   secondary suppression and audits again. If it still fails after `MAX_ROUNDS`, it hides every count
   of the parts that leak.
5. **Less hiding.** It then tries showing each count hidden by secondary suppression or by the auditor,
   largest first, keeping it shown where the auditor still passes, for as long as its own budget
   (`unhide_seconds`, counted from when the pass starts) allows; the release page says how many it
   had no time to try (over-suppression that may remain).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import tablib

from metrics.auditor import Area, AuditResult, Cell, Leak, ReleaseView, audit, part_of
from metrics.calculations import INDICATORS, band_counts, compute_results, distribution, pooled
from metrics.disclosure import MIN_AUTHORITIES, Constraint, is_small, suppress
from metrics.exports.columns import _INDICATOR_ORDER, _PARTS, _SERVICE_ORDER
from metrics.exports.national import _cell, distribution_table, pooled_table, type_values
from metrics.models import Benchmark
from metrics.publication import member_areas, member_counts, view_from_tables
from submissions.schema import GROUPS, PAY_BANDS, SERVICES, ReturnData

#: How many times the builder hides more and audits again before hiding whole parts.
MAX_ROUNDS = 12
_SCOPE_ORDER = {"national": 0, "region": 1, "authority_type": 2}


@dataclass(frozen=True)
class Member:
    """One council as it stands in a release: its accepted version's figures and headline values."""

    id: str
    authority_id: int
    ons_code: str
    name: str
    version_id: int
    region: str
    authority_type: str
    data: ReturnData
    #: (service, indicator) -> (headline value, four-fifths band or "")
    values: Mapping[tuple[str, str], tuple[float | None, str]]

    @property
    def services(self) -> set[str]:
        return {key.service for key in self.data}


@dataclass(frozen=True)
class Earlier:
    """An earlier published release of the round, as the reader has it."""

    number: int
    bases: Mapping[Area, frozenset[str]]
    view: ReleaseView
    withheld: frozenset[tuple[str, str, str, str]] = frozenset()


@dataclass
class Built:
    label: str
    bases: dict[Area, frozenset[str]]
    kept: dict[Area, dict[str, Any]]
    tables: list[tablib.Dataset]
    view: ReleaseView
    audit: AuditResult
    hidden: set[Cell]
    counts: dict[str, str]  # cell -> why hidden ("small count", "small area", "difference", ...)
    withheld: set[tuple[str, str, str, str]]
    unhidden: int = 0
    tried: int = 0
    notes: list[str] = field(default_factory=list)
    #: counts hidden only for protection that the un-hiding pass could try, and its time budget
    candidates: int = 0
    unhide_seconds: float = 0.0
    unhide_budget: float = 0.0

    def suppression(self) -> dict[str, Any]:
        """The over-suppression figures shown on the release page."""
        reasons: dict[str, int] = defaultdict(int)
        for why in self.counts.values():
            reasons[why] += 1
        primary = reasons["small count"] + reasons["small area"]
        return {
            "cells": len(self.view.shown),
            "hidden": len(self.hidden),
            "primary": primary,
            "protection": len(self.hidden) - primary,
            "by_reason": dict(sorted(reasons.items())),
            "protection_by_reason": {
                why: n for why, n in sorted(reasons.items()) if why not in ("small count", "small area")
            },
            "statistics_withheld": len(self.withheld),
            "unhidden": self.unhidden,
            "tried": self.tried,
            # over-suppression the un-hiding pass had no time to look at: these may be shown safely
            "candidates": self.candidates,
            "not_tried": self.candidates - self.tried,
            "unhide_seconds": round(self.unhide_seconds, 1),
            "unhide_budget": self.unhide_budget,
        }


def _areas_of(member_ids: Iterable[str], members: Mapping[str, Member]) -> dict[Area, frozenset[str]]:
    found: dict[Area, set[str]] = defaultdict(set)
    for i in member_ids:
        member = members[i]
        for area in member_areas(member.region, member.authority_type):
            found[area].add(i)
    return {area: frozenset(ids) for area, ids in found.items()}


def bases_for(
    current: Iterable[Member], earlier: Sequence[Earlier], members: Mapping[str, Member]
) -> tuple[dict[Area, frozenset[str]], dict[Area, dict[str, Any]]]:
    """Each area's councils, and the areas whose councils are those of an earlier release (with why).

    One set of councils serves every area, so the areas still add up (England = the regions = the
    types). Starting from every accepted return, whenever an area's councils would differ from a
    published release's by 1 to 4, that area's changes are undone against the latest published
    release (a new council held back, a resubmitted one at its earlier version, a withdrawn one kept),
    until no area changes by 1 to 4: an area then keeps its earlier figures until 5 or more of its
    councils have changed.
    """
    included = {m.id for m in current}
    candidate = _areas_of(included, members)
    by_authority = {m.ons_code: m.id for m in current}
    last = earlier[-1] if earlier else None
    before = {i for basis in last.bases.values() for i in basis} if last else set()
    old_by_authority = {members[i].ons_code: i for i in before}
    while last is not None:
        areas = _areas_of(included, members)
        close = next(
            (
                (area, len(basis ^ e.bases.get(area, frozenset())))
                for area, basis in sorted(areas.items())
                for e in earlier
                if 0 < len(basis ^ e.bases.get(area, frozenset())) < MIN_AUTHORITIES
            ),
            None,
        )
        if close is None:
            break
        area, _ = close
        target = last.bases.get(area, frozenset())
        for i in areas.get(area, frozenset()) - target:  # new here: back to its earlier version, or out
            included.discard(i)
            old = old_by_authority.get(members[i].ons_code)
            if old is not None:
                included.add(old)
        for i in target - areas.get(area, frozenset()):  # gone from here: back as it was
            included.add(i)
            newer = by_authority.get(members[i].ons_code)
            if newer is not None and newer != i:
                included.discard(newer)
    bases = _areas_of(included, members)
    kept: dict[Area, dict[str, Any]] = {}
    for area, basis in bases.items():
        same = [e for e in earlier if e.bases.get(area) == basis]
        if same:
            kept[area] = {
                "release": same[-1].number,
                "changed": len(candidate.get(area, frozenset()) ^ basis),
                "closest": same[-1].number,
            }
    return bases, kept


def benchmarks_for(bases: Mapping[Area, frozenset[str]], members: Mapping[str, Member]) -> list[Benchmark]:
    """Unsaved benchmark rows of each area's councils: the pooled figures and the distribution."""
    rows = []
    for (scope, area), basis in bases.items():
        chosen = [members[i] for i in sorted(basis)]
        entries = compute_results(pooled(m.data for m in chosen), population_share=None)
        by_key = {(e["service"], e["indicator"]): e for e in entries}
        for service in [*SERVICES, "all"]:
            having = [m for m in chosen if (service in m.services if service != "all" else m.services)]
            if not having:
                continue
            for indicator in INDICATORS:
                found = [m.values.get((service, indicator.code), (None, "")) for m in having]
                rows.append(
                    Benchmark(
                        service=service,
                        indicator=indicator.code,
                        scope=scope,
                        scope_value=area,
                        n_authorities=len(having),
                        pooled=by_key.get((service, indicator.code), {}),
                        distribution=distribution(value for value, _ in found),
                        bands=band_counts(band or None for _, band in found),
                    )
                )
    return sorted(
        rows,
        key=lambda b: (
            _SCOPE_ORDER[b.scope],
            b.scope_value,
            _SERVICE_ORDER[b.service],
            _INDICATOR_ORDER[b.indicator],
        ),
    )


def _values(benchmarks: Sequence[Benchmark]) -> tuple[dict[Cell, int], set[Cell]]:
    """Every count cell with its value, and the cells of areas and services under 5 councils."""
    values: dict[Cell, int] = {}
    small: set[Cell] = set()
    for benchmark in benchmarks:
        if not benchmark.pooled:
            continue
        for part in _PARTS:
            for group in GROUPS:
                cell = _cell(benchmark, part, group)
                values[cell] = benchmark.pooled[part][group]
                if benchmark.n_authorities < MIN_AUTHORITIES:
                    small.add(cell)
    return values, small


def relations(values: Mapping[Cell, int], bases: Mapping[Area, frozenset[str]]) -> list[Constraint]:
    """The additive relations that hold between this release's counts: all = adults + children,
    headcount = pay bands, and England = regions = types where their councils add up."""
    national = bases.get(("national", ""), frozenset())
    partitions = []
    for scope in ("region", "authority_type"):
        parts = [basis for (s, _), basis in bases.items() if s == scope]
        if sum(len(p) for p in parts) == len(national) and frozenset().union(*parts) == national:
            partitions.append(scope)
    by_scope: dict[tuple[str, ...], list[Cell]] = defaultdict(list)
    for cell in values:
        by_scope[(cell[0], *cell[2:])].append(cell)
    found = []
    for cell in values:
        scope, area, service, measure, _band, group = cell
        if service == "all":
            members = tuple(c for s in SERVICES if (c := (scope, area, s, *cell[3:])) in values)
            found.append(Constraint(cell, members))
        if measure == "headcount":
            bands = tuple((scope, area, service, "headcount_band", b, group) for b in PAY_BANDS)
            if all(b in values for b in bands):
                found.append(Constraint(cell, bands))
        if scope == "national":
            for part_scope in partitions:
                members = tuple(by_scope.get((part_scope, *cell[2:]), ()))
                if members and sum(values[m] for m in members) == values[cell]:
                    found.append(Constraint(cell, members))
    return found


def _family(cell: Cell) -> tuple[str, str]:
    return part_of(cell[3], cell[5])


def secondary(values: Mapping[Cell, int], constraints: Sequence[Constraint], force: set[Cell]) -> set[Cell]:
    """`disclosure.suppress` part by part (the relations never cross a part)."""
    parts: dict[tuple[str, str], dict[Cell, int]] = defaultdict(dict)
    for cell, value in values.items():
        parts[_family(cell)][cell] = value
    by_part: dict[tuple[str, str], list[Constraint]] = defaultdict(list)
    for constraint in constraints:
        by_part[_family(constraint.total)].append(constraint)
    hidden: set[Cell] = set()
    for key, part in parts.items():
        hidden |= suppress(part, by_part[key], force=force.intersection(part))
    return hidden


def _difference_hidden(
    values: Mapping[Cell, int],
    bases: Mapping[Area, frozenset[str]],
    earlier: Sequence[Earlier],
    members: Mapping[str, Member],
) -> set[Cell]:
    """Counts whose difference from an earlier release's figure for the same area is from 1 to 9."""
    hidden = set()
    for e in earlier:
        for area, basis in bases.items():
            before = e.bases.get(area)
            if before is None or not before < basis:
                continue
            added = [members[i] for i in basis - before]
            for cell in values:
                if cell[:2] != area:
                    continue
                services = SERVICES if cell[2] == "all" else (cell[2],)
                difference = sum(
                    (m.data.get(key) or {}).get(cell[5], 0)
                    for m in added
                    for key in m.data
                    if key.service in services and (key.measure, key.pay_band) == (cell[3], cell[4])
                )
                if is_small(difference):
                    hidden.add(cell)
    return hidden


def _counts_of(members: Mapping[str, Member]) -> dict[str, dict[tuple[str, str, str, str], int]]:
    return {i: member_counts(m.data) for i, m in members.items()}


class Builder:
    def __init__(
        self,
        label: str,
        current: Sequence[Member],
        earlier: Sequence[Earlier],
        members: Mapping[str, Member],
        *,
        budget_seconds: float = 20.0,
        unhide_seconds: float | None = None,
        public: ReleaseView | None = None,
    ) -> None:
        self.label = label
        self.earlier = earlier
        #: What other public pages say about single councils (`publication.public_view`): audited
        #: with every release, though the builder can only protect against it, not change it.
        self.public = [public] if public is not None else []
        self.members = members  # every member of this and the earlier releases
        self.counts = _counts_of(members)
        self.names = {i: m.name for i, m in members.items()}
        self.bases, self.kept = bases_for(current, earlier, members)
        self.benchmarks = benchmarks_for(self.bases, members)
        self.values, small = _values(self.benchmarks)
        self.relations = relations(self.values, self.bases)
        self.reasons: dict[Cell, str] = {cell: "small area" for cell in small}
        for cell, value in self.values.items():
            if is_small(value) and cell not in self.reasons:
                self.reasons[cell] = "small count"
        for cell in _difference_hidden(self.values, self.bases, earlier, members):
            self.reasons.setdefault(cell, "difference from an earlier release")
        self.withheld: set[tuple[str, str, str, str]] = set()
        # An area that keeps an earlier release's councils keeps that release's figures as printed:
        # the same counts hidden, the same statistics withheld.
        by_number = {e.number: e for e in earlier}
        self.frozen: set[Cell] = set()
        for area, detail in self.kept.items():
            source = by_number[detail["release"]]
            for cell, shown in source.view.shown.items():
                if cell[:2] == area and cell in self.values:
                    self.frozen.add(cell)
                    if shown is None:
                        self.reasons.setdefault(cell, "kept from an earlier release")
            self.withheld |= {row for row in source.withheld if row[:2] == area}
        self.force: set[Cell] = set(self.reasons)
        self.budget_seconds = budget_seconds
        #: The un-hiding pass's own budget, counted from when it starts: before, it shared the
        #: build's budget and at national scale (minutes to build) never ran at all.
        self.unhide_budget = budget_seconds if unhide_seconds is None else unhide_seconds
        self.types = type_values(published_types=True)

    def tables(self, hidden: set[Cell]) -> list[tablib.Dataset]:
        return [
            pooled_table(self.benchmarks, hidden=hidden, published_types=True),
            distribution_table(self.benchmarks, withheld=self.withheld, published_types=True),
        ]

    def view(self, hidden: set[Cell]) -> tuple[ReleaseView, list[tablib.Dataset]]:
        tables = self.tables(hidden)
        pooled_rows, distribution_rows = (table.dict for table in tables)
        view = view_from_tables(
            self.label, pooled_rows, distribution_rows, self.bases, type_values=self.types
        )
        return view, tables

    def audit(self, view: ReleaseView, only: Iterable[tuple[str, str]] | None = None) -> AuditResult:
        views = [*(e.view for e in self.earlier), view, *self.public]
        return audit(views, self.counts, names=self.names, only=only)

    def _statistics_of(self, leak: Leak, areas: list[Area]) -> set[tuple[str, str, str, str]]:
        """The distribution rows (of `areas`) that speak of the leaking count's measure and group."""
        if leak.key is None:
            return set()
        _, measure, band, _group = leak.key
        rows = set()
        for benchmark in self.benchmarks:
            if (benchmark.scope, benchmark.scope_value) not in areas:
                continue
            indicator = next(i for i in INDICATORS if i.code == benchmark.indicator)
            if measure in (indicator.numerator, indicator.denominator) and band in ("", indicator.pay_band):
                row = (benchmark.scope, benchmark.scope_value, benchmark.service, benchmark.indicator)
                if row not in self.withheld and benchmark.distribution.get("n"):
                    rows.add(row)
        return rows

    def _fix(self, leaks: Sequence[Leak], hidden: set[Cell]) -> bool:
        """Withhold statistics or hide one more count for each leak; False when nothing is left to do."""
        changed = False
        for leak in leaks:
            if leak.key is None:
                continue
            areas = [area for label, area in leak.places if label == self.label] or list(self.bases)
            statistics = self._statistics_of(leak, areas)
            if statistics:
                self.withheld |= statistics
                changed = True
                continue
            _, measure, band, group = leak.key
            shown = [
                cell
                for cell in self.values
                if cell not in hidden and cell[3:] == (measure, band, group) and cell[:2] in areas
            ]
            if not shown:
                shown = [c for c in self.values if c not in hidden and _family(c) == part_of(measure, group)]
            if shown:
                cell = min(shown, key=lambda c: (self.values[c] == 0, self.values[c], c))
                self.force.add(cell)
                self.reasons.setdefault(cell, "protection found by the auditor")
                hidden = hidden | {cell}
                changed = True
        return changed

    def build(self) -> Built:
        hidden = secondary(self.values, self.relations, self.force)
        view, tables = self.view(hidden)
        result = self.audit(view)
        notes = []
        for _ in range(MAX_ROUNDS):
            if result.ok or not self._fix(result.leaks, hidden):
                break
            # A fix hides counts or withholds statistics of the leaking parts only: audit just those.
            leaking = {part_of(leak.key[1], leak.key[3]) for leak in result.leaks if leak.key}
            hidden = secondary(self.values, self.relations, self.force)
            view, tables = self.view(hidden)
            result = self.audit(view, only=leaking)
            if result.ok:
                result = self.audit(view)
        for _ in range(len(self.values)):  # hide every count of the parts that still leak
            if result.ok:
                break
            parts = {part_of(leak.key[1], leak.key[3]) for leak in result.leaks if leak.key}
            for cell in self.values:
                # a count an earlier release printed stays printed: hiding it would protect nothing
                if _family(cell) in parts and not (cell in self.frozen and cell not in hidden):
                    self.force.add(cell)
                    self.reasons.setdefault(cell, "protection found by the auditor")
            for benchmark in self.benchmarks:
                indicator = next(i for i in INDICATORS if i.code == benchmark.indicator)
                measures = (indicator.numerator, indicator.denominator)
                if {part_of(m, g) for m in measures for g in GROUPS} & parts:
                    self.withheld.add(
                        (benchmark.scope, benchmark.scope_value, benchmark.service, benchmark.indicator)
                    )
            before = len(hidden)
            hidden = secondary(self.values, self.relations, self.force)
            view, tables = self.view(hidden)
            result = self.audit(view)
            notes.append("Every count of a part that still leaked was hidden.")
            if len(hidden) == before and not result.ok and len(notes) > 1:
                break  # nothing more this release can hide: what leaks comes from earlier releases
        unhidden = tried = candidates = 0
        unhide_started = time.monotonic()
        if result.ok:
            candidates = len(self._optional(hidden))
            unhidden, tried, hidden, view, tables = self._unhide(hidden, view, tables, unhide_started)
            if unhidden:
                result = self.audit(view)
        unhide_took = time.monotonic() - unhide_started
        for cell in hidden:
            self.reasons.setdefault(cell, "secondary suppression")
        return Built(
            label=self.label,
            bases=self.bases,
            kept=self.kept,
            tables=tables,
            view=view,
            audit=result,
            hidden=hidden,
            counts={repr(cell): self.reasons[cell] for cell in hidden},
            withheld=set(self.withheld),
            unhidden=unhidden,
            tried=tried,
            notes=notes,
            candidates=candidates,
            unhide_seconds=unhide_took,
            unhide_budget=self.unhide_budget,
        )

    def _optional(self, hidden: set[Cell]) -> list[Cell]:
        """The hidden counts that no primary rule requires, largest first."""
        return sorted(
            (
                c
                for c in hidden
                if c not in self.frozen  # an area keeping earlier figures keeps them as printed
                and self.reasons.get(c)
                not in ("small count", "small area", "difference from an earlier release")
            ),
            key=lambda c: (-self.values[c], c),
        )

    def _unhide(
        self, hidden: set[Cell], view: ReleaseView, tables: list[tablib.Dataset], started: float
    ) -> tuple[int, int, set[Cell], ReleaseView, list[tablib.Dataset]]:
        """Show again, largest first, each count hidden only to protect others, where the auditor
        still passes; for as long as the un-hiding budget allows (counted from `started`)."""
        optional = self._optional(hidden)
        unhidden = tried = 0
        for cell in optional:
            if time.monotonic() - started > self.unhide_budget:
                break
            tried += 1
            trial = hidden - {cell}
            if any(sum(c in trial for c in rel.cells) == 1 for rel in self.relations if cell in rel.cells):
                continue  # a relation would give a hidden count away by subtraction
            trial_view, trial_tables = self.view(trial)
            if self.audit(trial_view, only=[_family(cell)]).ok:
                hidden, view, tables = trial, trial_view, trial_tables
                self.force.discard(cell)
                self.reasons.pop(cell, None)
                unhidden += 1
        return unhidden, tried, hidden, view, tables
