"""The publication auditor (spec section 5, v1.1): what a determined reader can work out from everything
published for a round, found by linear programming. Pure: no ORM, no Django.

The reader's unknowns are the councils' own counts. Councils that every published table treats alike
(the same areas in the same releases) can only ever be seen together, so the unknowns are one count per
**atom** (a set of such councils), service, measure, pay band and group. What the reader knows is
written as linear constraints on them:

- every published count of every release (`ReleaseView.shown`): the sum of the atoms in its area's
  basis, for its service (`all` = adults + children), equals the figure;
- every hidden count is at least 1 when it is not 0 (a 0 is published as 0, so a reader may assume a
  hidden count is not 0; we give the reader that even where it is not the rule, to err on the safe side);
- the validation rules every return passed, per atom (a sum of valid returns is valid): appointed <=
  shortlisted, disciplinary, CPD, leavers, senior managers and regulated professionals <= headcount,
  referrals <= regulated professionals, harassment <= survey respondents, pay bands = headcount;
- what authority-level statistics say about single councils (`AtLeast`, worked out from a minimum, a
  quartile or a band count by `cases_implied`): "at least k councils of this area have a minority
  ethnic case";
- published rates and shares with their rounding (`Ratio`): low <= numerator / denominator <= high,
  which is linear (numerator - high x denominator <= 0, ...).

Then each **target** is bounded below and above, over the reals (`scipy.optimize.linprog` with HiGHS)
and, where the optimum is fractional, over whole numbers (`scipy.optimize.milp`):

- every hidden count of every release, and every count of a set of fewer than 5 councils that the
  tables separate (an atom: one named council, or two to four), and every difference between two
  releases' figures for an area whose councils changed by fewer than 5: a leak when its range is
  narrower than max(10, 20% of its value) (which covers "a range inside 1 to 9"); a range whose upper
  end is 0 is no leak (zeros are published);
- every count the tables give of 5 or more councils without printing it (an atom, or the difference
  between two releases): a leak when its range lies inside 1 to 9.

Most targets are settled without a program of their own: each program's optimum is a possible table,
and a target is safe as soon as two possible whole-number tables (the true one among them) are far
enough apart in its place. The constraints split into independent parts (a group and a family of
measures that rules or ratios tie together), each solved on its own.

Not modelled (the reader could do more): relative likelihoods, intervals and four-fifths bands are
not linear in the counts and are used only as "a case exists" (`cases_implied`); an upper bound of 9
for a `[c]` that a reader could tell was primary.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from metrics.disclosure import MIN_AUTHORITIES, SMALL_COUNT_MAX, SMALL_COUNT_MIN
from submissions.schema import PAY_BANDS, SERVICES
from submissions.validation.rules import CROSS_RULES

#: (scope, area, service, measure, pay band, group): one published count.
Cell = tuple[str, str, str, str, str, str]
#: (scope, area): a published area (England is ("national", "")).
Area = tuple[str, str]
#: (service, measure, pay band, group): one count of one council or atom.
Key = tuple[str, str, str, str]

#: Fewer councils than this make a "small group": its counts must not be worked out.
SMALL_GROUP = MIN_AUTHORITIES
#: A hidden count's range must be at least this wide, or this share of its value if wider.
MIN_WIDTH = 10
MIN_SHARE = 0.2
ALL = "all"

_FAMILIES = {
    **dict.fromkeys(
        (
            "headcount",
            "headcount_band",
            "disciplinary",
            "cpd",
            "leavers",
            "senior_managers",
            "regulated_headcount",
            "ftp_referrals",
        ),
        "staff",
    ),
    "shortlisted": "recruitment",
    "appointed": "recruitment",
    **dict.fromkeys(
        ("survey_respondents", "harassed_by_public", "harassed_by_colleagues", "harassed_by_managers"),
        "survey",
    ),
}


def family(measure: str) -> str:
    """The measures the validation rules tie together: staff, recruitment or survey."""
    return _FAMILIES[measure]


def part_of(measure: str, group: str) -> tuple[str, str]:
    """The (group, family) pair a count belongs to: the unit the auditor solves apart."""
    return (group, _FAMILIES[measure])


@dataclass(frozen=True)
class AtLeast:
    """At least `k` councils of `area` in a release have a count of at least 1 in (service, measure,
    band, group): what a minimum, quartile or band count above 0 says about single councils."""

    area: Area
    service: str
    measure: str
    band: str
    group: str
    k: int
    source: str = ""


@dataclass(frozen=True)
class Ratio:
    """A published rate or share with its rounding: low <= sum(numerator) / sum(denominator) <= high."""

    numerator: tuple[Cell, ...]
    denominator: tuple[Cell, ...]
    low: float
    high: float
    source: str = ""


@dataclass(frozen=True)
class ReleaseView:
    """Everything one release publishes, as a reader sees it.

    `bases`: the councils (member ids) each area's figures are built from; `shown`: every count cell,
    with its published value or None where it is hidden; `at_least` and `ratios` as above.
    """

    label: str
    bases: Mapping[Area, frozenset[str]]
    shown: Mapping[Cell, int | None]
    at_least: Sequence[AtLeast] = ()
    ratios: Sequence[Ratio] = ()


@dataclass(frozen=True)
class Leak:
    """A count a reader can narrow too far: what it is, its true value, the range a reader can work
    out, and why that is too narrow."""

    release: str
    kind: str  # "hidden count", "council", "small group", "difference", "derived count"
    what: str
    value: int
    low: float
    high: float
    reason: str
    cell: Cell | None = None
    #: (service, measure, pay band, group) of the count, and the (release, area) figures it is part of
    key: Key | None = None
    places: tuple[tuple[str, Area], ...] = ()

    def __str__(self) -> str:
        return f"{self.release}: {self.what} ({self.kind}) is {self.value}; {self.reason}"


@dataclass
class AuditResult:
    leaks: list[Leak]
    targets: int
    programs: int
    seconds: float
    parts: int = 0

    @property
    def ok(self) -> bool:
        return not self.leaks


@dataclass
class _Target:
    release: str
    kind: str
    what: str
    value: int
    rule: str  # "width" (hidden or small) or "range" (of 5 or more councils, not hidden)
    terms: tuple[int, ...]  # variable indices, each with coefficient 1
    cell: Cell | None = None
    key: Key | None = None
    places: tuple[tuple[str, Area], ...] = ()
    need: float = 0.0
    low: float = math.inf
    high: float = -math.inf

    def settled(self) -> bool:
        if self.rule == "width":
            return self.high - self.low >= self.need or self.high <= 0
        return self.low < SMALL_COUNT_MIN or self.high > SMALL_COUNT_MAX


def _keys(service: str, measure: str, band: str, group: str) -> list[Key]:
    services = SERVICES if service == ALL else (service,)
    return [(s, measure, band, group) for s in services]


def audit(
    releases: Sequence[ReleaseView],
    counts: Mapping[str, Mapping[Key, int]],
    *,
    names: Mapping[str, str] | None = None,
    milp_seconds: float = 5.0,
    only: Iterable[tuple[str, str]] | None = None,
) -> AuditResult:
    """Bound every target (see the module docstring) over everything `releases` publish together.

    `counts` holds each member's true counts by (service, measure, band, group); a member is one council
    as it stood in a release (a council whose return changed between releases is two members). `names`
    names the council of each member, for the report. `only` limits the audit to the parts holding
    these (group, family) pairs (`part_of`). Returns every leak found.
    """
    started = time.perf_counter()
    names = names or {}
    atoms = _atoms(releases)
    programs = 0
    leaks: list[Leak] = []
    parts = _parts(releases)
    if only is not None:  # just the parts holding these (group, family) pairs
        wanted = set(only)
        parts = [part for part in parts if part & wanted]
    targets_total = 0
    for part in parts:
        model = _Model(releases, counts, atoms, part, names)
        targets_total += len(model.targets)
        found, solved = model.solve(milp_seconds=milp_seconds)
        leaks += found
        programs += solved
    leaks.sort(key=lambda leak: (leak.release, leak.kind, leak.what))
    return AuditResult(leaks, targets_total, programs, time.perf_counter() - started, len(parts))


def _atoms(releases: Sequence[ReleaseView]) -> list[tuple[frozenset[str], tuple[tuple[int, Area], ...]]]:
    """Members grouped by the (release, area) bases they belong to: (members, signature)."""
    signature: dict[str, list[tuple[int, Area]]] = defaultdict(list)
    for index, release in enumerate(releases):
        for area, members in sorted(release.bases.items()):
            for member in members:
                signature[member].append((index, area))
    grouped: dict[tuple[tuple[int, Area], ...], set[str]] = defaultdict(set)
    for member, places in signature.items():
        grouped[tuple(places)].add(member)
    return sorted(((frozenset(m), s) for s, m in grouped.items()), key=lambda atom: sorted(atom[0]))


def _parts(releases: Sequence[ReleaseView]) -> list[set[tuple[str, str]]]:
    """The independent parts: (group, family) pairs, joined where a ratio or statistic links them."""
    pairs: set[tuple[str, str]] = set()
    links: list[list[tuple[str, str]]] = []
    for release in releases:
        for cell in release.shown:
            pairs.add((cell[5], family(cell[3])))
        for ratio in release.ratios:
            linked = [(cell[5], family(cell[3])) for cell in (*ratio.numerator, *ratio.denominator)]
            pairs.update(linked)
            links.append(linked)
    parent = {pair: pair for pair in pairs}

    def root(pair: tuple[str, str]) -> tuple[str, str]:
        while parent[pair] != pair:
            pair = parent[pair]
        return pair

    for linked in links:
        for pair in linked[1:]:
            parent[root(pair)] = root(linked[0])
    groups: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for pair in pairs:
        groups[root(pair)].add(pair)
    return sorted(groups.values(), key=sorted)


class _Model:
    """One independent part: its variables, constraints and targets."""

    def __init__(
        self,
        releases: Sequence[ReleaseView],
        counts: Mapping[str, Mapping[Key, int]],
        atoms: list[tuple[frozenset[str], tuple[tuple[int, Area], ...]]],
        part: set[tuple[str, str]],
        names: Mapping[str, str],
    ) -> None:
        self.part = part
        rows = sorted(
            {
                (cell[3], cell[4])
                for release in releases
                for cell in release.shown
                if (cell[5], family(cell[3])) in part
            }
        )
        if any(measure == "headcount" for measure, _ in rows):
            rows = sorted(set(rows) | {("headcount_band", band) for band in PAY_BANDS})
        groups = sorted({group for group, _ in part})
        index: dict[tuple[int, Key], int] = {}
        truth: list[int] = []
        for a, (members, _) in enumerate(atoms):
            for service in SERVICES:
                for measure, band in rows:
                    for group in groups:
                        key = (service, measure, band, group)
                        index[(a, key)] = len(truth)
                        truth.append(sum(counts.get(m, {}).get(key, 0) for m in members))
        self.index = index
        self.truth = np.array(truth, dtype=float)
        self.n = len(truth)
        in_area: dict[tuple[int, Area], list[int]] = defaultdict(list)
        for a, (_, places) in enumerate(atoms):
            for place in places:
                in_area[place].append(a)

        def terms(atom_ids: Iterable[int], key_parts: tuple[str, str, str, str]) -> tuple[int, ...]:
            found = []
            for a in atom_ids:
                for key in _keys(*key_parts):
                    if (a, key) in index:
                        found.append(index[(a, key)])
            return tuple(sorted(found))

        eq_rows: list[tuple[tuple[int, ...], tuple[float, ...], float]] = []
        ub_rows: list[tuple[tuple[int, ...], tuple[float, ...], float]] = []
        self.targets: list[_Target] = []
        seen: dict[tuple[tuple[int, ...], str], _Target] = {}

        def target(
            release: str,
            kind: str,
            what: str,
            rule: str,
            found: tuple[int, ...],
            cell: Cell | None,
            key: Key,
            places: tuple[tuple[str, Area], ...],
        ) -> None:
            if not found:
                return
            value = round(float(self.truth[list(found)].sum()))
            if (found, kind) in seen:  # the same count in two tables or releases: one target
                return
            need = max(MIN_WIDTH, MIN_SHARE * value)
            made = _Target(release, kind, what, value, rule, found, cell, key, places, need)
            seen[(found, kind)] = made
            self.targets.append(made)

        # Counts printed in some release are public: hiding them elsewhere protects nothing.
        printed = {
            terms(in_area[(r, cell[:2])], cell[2:])
            for r, release in enumerate(releases)
            for cell, shown in release.shown.items()
            if shown is not None and (cell[5], family(cell[3])) in part
        }

        # Published counts, hidden counts and what statistics say
        for r, release in enumerate(releases):
            for cell, shown in release.shown.items():
                if (cell[5], family(cell[3])) not in part:
                    continue
                found = terms(in_area[(r, cell[:2])], cell[2:])
                if shown is not None:
                    if found:
                        eq_rows.append((found, (1.0,) * len(found), float(shown)))
                    elif shown:
                        raise ValueError(f"{release.label}: {cell} shows {shown} from no council")
                else:
                    value = self.truth[list(found)].sum() if found else 0
                    if value >= 1:
                        ub_rows.append((found, (-1.0,) * len(found), -1.0))
                    where: tuple[tuple[str, tuple[str, str]], ...] = ((release.label, cell[:2]),)
                    if found in printed:
                        continue
                    target(
                        release.label, "hidden count", describe(cell), "width", found, cell, cell[2:], where
                    )
            for fact in release.at_least:
                if (fact.group, family(fact.measure)) not in part:
                    continue
                atom_ids = in_area[(r, fact.area)]
                size = sum(len(atoms[a][0]) for a in atom_ids)
                if fact.k >= size:  # every council has one: a bound on each atom
                    for a in atom_ids:
                        found = terms([a], (fact.service, fact.measure, fact.band, fact.group))
                        if found:  # a fact about counts no table prints constrains nothing here
                            ub_rows.append((found, (-1.0,) * len(found), -float(len(atoms[a][0]))))
                else:
                    found = terms(atom_ids, (fact.service, fact.measure, fact.band, fact.group))
                    if found:
                        ub_rows.append((found, (-1.0,) * len(found), -float(fact.k)))
            for ratio in release.ratios:
                if (ratio.numerator[0][5], family(ratio.numerator[0][3])) not in part:
                    continue
                top = [t for cell in ratio.numerator for t in terms(in_area[(r, cell[:2])], cell[2:])]
                bottom = [t for cell in ratio.denominator for t in terms(in_area[(r, cell[:2])], cell[2:])]
                if not top or not bottom:
                    continue
                coefficients: dict[int, float] = defaultdict(float)
                for t in top:
                    coefficients[t] += 1
                for t in bottom:
                    coefficients[t] -= ratio.high
                ub_rows.append((tuple(coefficients), tuple(coefficients.values()), 0.0))
                coefficients = defaultdict(float)
                for t in top:
                    coefficients[t] -= 1
                for t in bottom:
                    coefficients[t] += ratio.low
                ub_rows.append((tuple(coefficients), tuple(coefficients.values()), 0.0))

        # The validation rules, per atom
        for a in range(len(atoms)):
            for service in SERVICES:
                for group in groups:
                    head = index.get((a, (service, "headcount", "", group)))
                    bands = [index.get((a, (service, "headcount_band", b, group))) for b in PAY_BANDS]
                    if head is not None and None not in bands:
                        eq_rows.append(((head, *bands), (1.0, -1.0, -1.0, -1.0), 0.0))  # type: ignore[arg-type]
                    for measure, limit, *_ in CROSS_RULES:
                        small = index.get((a, (service, measure, "", group)))
                        large = index.get((a, (service, limit, "", group)))
                        if small is not None and large is not None:
                            ub_rows.append(((small, large), (1.0, -1.0), 0.0))

        # Atoms: a named council, or a set of councils the tables separate
        for a, (members, signature) in enumerate(atoms):
            small = len(members) < SMALL_GROUP
            where = tuple((releases[r].label, area) for r, area in signature)
            if len(members) == 1:
                (member,) = members
                kind, who = "council", names.get(member, member)
            else:
                kind = "small group" if small else "derived count"
                who = f"{len(members)} councils ({', '.join(sorted(names.get(m, m) for m in members)[:5])})"
            for measure, band in rows:
                for group in groups:
                    for service in (*SERVICES, ALL):
                        found = terms([a], (service, measure, band, group))
                        target(
                            "all releases",
                            kind,
                            f"{who}: {describe(('', '', service, measure, band, group))}",
                            "width" if small else "range",
                            found,
                            None,
                            (service, measure, band, group),
                            where,
                        )

        # Differences between two releases of an area whose councils only grew
        for i, earlier in enumerate(releases):
            for j in range(i + 1, len(releases)):
                later = releases[j]
                for area, members in later.bases.items():
                    before = earlier.bases.get(area)
                    if before is None or not before < members:
                        continue
                    added = [a for a in in_area[(j, area)] if a not in set(in_area[(i, area)])]
                    small = len(members - before) < SMALL_GROUP
                    for measure, band in rows:
                        for group in groups:
                            for service in (*SERVICES, ALL):
                                found = terms(added, (service, measure, band, group))
                                target(
                                    f"{earlier.label} to {later.label}",
                                    "difference",
                                    f"{area_label(area)}, {len(members - before)} councils added: "
                                    + describe(("", "", service, measure, band, group)),
                                    "width" if small else "range",
                                    found,
                                    None,
                                    (service, measure, band, group),
                                    ((later.label, area),),
                                )

        self.a_eq, self.b_eq = _matrix(eq_rows, self.n)
        self.a_ub, self.b_ub = _matrix(ub_rows, self.n)
        self.t_matrix = sparse.csr_matrix(
            (
                [1.0] * sum(len(t.terms) for t in self.targets),
                [k for t in self.targets for k in t.terms],
                np.cumsum([0] + [len(t.terms) for t in self.targets]),
            ),
            shape=(len(self.targets), self.n),
        )

    def _observe(self, point: np.ndarray, open_targets: list[int]) -> None:
        values = self.t_matrix @ point
        for k in open_targets:
            target = self.targets[k]
            target.low = min(target.low, values[k])
            target.high = max(target.high, values[k])

    def _program(
        self, objective: np.ndarray, *, whole: bool, seconds: float
    ) -> tuple[np.ndarray | None, bool]:
        """Minimise objective·x over the possible tables: (an optimal point or None, unbounded)."""
        if whole:
            constraints = []
            if self.a_ub is not None:
                constraints.append(LinearConstraint(self.a_ub, -np.inf, self.b_ub))
            if self.a_eq is not None:
                constraints.append(LinearConstraint(self.a_eq, self.b_eq, self.b_eq))
            result = milp(
                objective,
                constraints=constraints,
                integrality=np.ones(self.n),
                bounds=Bounds(0, np.inf),
                options={"time_limit": seconds},
            )
            if result.status == 3 or (result.x is None and result.status != 0):
                return None, result.status == 3 or result.status == 4
            return result.x, False
        result = linprog(
            objective,
            A_ub=self.a_ub,
            b_ub=self.b_ub,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=(0, None),
            method="highs",
        )
        if result.status == 3:
            return None, True
        if result.status != 0:
            raise RuntimeError(f"the audit's linear program failed: {result.message}")
        return result.x, False

    def solve(self, *, milp_seconds: float) -> tuple[list[Leak], int]:
        if not self.targets:
            return [], 0
        self._observe(self.truth, list(range(len(self.targets))))
        programs = 0
        open_targets = [k for k, t in enumerate(self.targets) if not t.settled()]
        # Two programs push every open target up, then down, together: most are settled by them.
        for sign in (-1.0, 1.0):
            if not open_targets:
                break
            weights = np.zeros(len(self.targets))
            weights[open_targets] = 1.0
            objective = sign * (self.t_matrix.T @ weights)
            point, _ = self._program(objective, whole=False, seconds=milp_seconds)
            programs += 1
            if point is not None and _whole(point):
                self._observe(point, open_targets)
                open_targets = [k for k in open_targets if not self.targets[k].settled()]
        for k in list(open_targets):
            target = self.targets[k]
            for sign in (-1.0, 1.0):  # maximise, then minimise
                if target.settled():
                    break
                objective = np.zeros(self.n)
                objective[list(target.terms)] = sign
                point, unbounded = self._program(objective, whole=False, seconds=milp_seconds)
                programs += 1
                if unbounded:
                    target.high = math.inf
                    continue
                assert point is not None  # noqa: S101 - the true table is feasible
                if not _whole(point):
                    exact, unbounded = self._program(objective, whole=True, seconds=milp_seconds)
                    programs += 1
                    if unbounded:
                        target.high = math.inf
                        continue
                    if exact is None:  # no whole-number optimum in time: keep the real bound (wider)
                        bound = float(objective @ point) * sign
                        if sign < 0:
                            target.high = max(target.high, math.floor(bound + 1e-6))
                        else:
                            target.low = min(target.low, math.ceil(bound - 1e-6))
                        continue
                    point = exact
                remaining = [i for i in open_targets if not self.targets[i].settled()]
                self._observe(point, remaining)
        leaks = []
        for target in self.targets:
            if target.settled():
                continue
            low, high = round(target.low, 6), round(target.high, 6)
            if target.rule == "width":
                reason = (
                    f"a reader can narrow it to {low:g} to {high:g}, narrower than "
                    f"{target.need:g} (max(10, 20% of its value))"
                )
            else:
                reason = f"a reader can narrow it to {low:g} to {high:g}, "
                reason += f"inside {SMALL_COUNT_MIN} to {SMALL_COUNT_MAX}"
            leaks.append(
                Leak(
                    target.release,
                    target.kind,
                    target.what,
                    target.value,
                    low,
                    high,
                    reason,
                    target.cell,
                    target.key,
                    target.places,
                )
            )
        return leaks, programs


def _whole(point: np.ndarray) -> bool:
    return bool(np.all(np.abs(point - np.round(point)) < 1e-6))


def _matrix(
    rows: list[tuple[tuple[int, ...], tuple[float, ...], float]], n: int
) -> tuple[sparse.csr_matrix | None, np.ndarray | None]:
    if not rows:
        return None, None
    data = [value for _, values, _ in rows for value in values]
    columns = [k for keys, _, _ in rows for k in keys]
    pointers = np.cumsum([0] + [len(keys) for keys, _, _ in rows])
    matrix = sparse.csr_matrix((data, columns, pointers), shape=(len(rows), n))
    matrix.sum_duplicates()
    return matrix, np.array([b for _, _, b in rows], dtype=float)


# Words ------------------------------------------------------------------------------------------------

_SCOPE_WORDS = {"national": "England", "region": "", "authority_type": ""}


def area_label(area: Area) -> str:
    scope, value = area
    return "England" if scope == "national" else value.replace("_", " ")


def describe(cell: Cell) -> str:
    """'North East, adults, disciplinary, minority ethnic' (the area left out when empty)."""
    scope, area, service, measure, band, group = cell
    where = area_label((scope, area)) if scope else ""
    what = measure.replace("_", " ") + (f" ({band})" if band else "")
    parts = [where, service, what, group.replace("_", " ")]
    return ", ".join(part for part in parts if part)


# What authority-level statistics say about single councils -----------------------------------------

_POSITIONS = {"min": 0.0, "lower_quartile": 0.25, "median": 0.5, "upper_quartile": 0.75, "max": 1.0}


def councils_above(n: int, statistics: Mapping[str, object], threshold: float) -> int:
    """How many of `n` councils' values must be above `threshold`, given published order statistics
    (min, quartiles, max; quartiles interpolate between neighbours, numpy's default)."""
    found = 0
    for name, p in _POSITIONS.items():
        value = statistics.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= threshold or not n:
            continue
        position = (n - 1) * p
        below = math.floor(position)
        # q = x[b] + f (x[b+1] - x[b]) > t means x[b+1] > t (or x[b] > t when f is 0)
        first = below if position == below else below + 1
        found = max(found, n - first)
    return found


def councils_below(n: int, statistics: Mapping[str, object], threshold: float) -> int:
    """How many of `n` councils' values must be below `threshold` (the mirror of `councils_above`)."""
    found = 0
    for name, p in _POSITIONS.items():
        value = statistics.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value >= threshold or not n:
            continue
        position = (n - 1) * p
        found = max(found, math.floor(position) + 1)
    return found


@dataclass(frozen=True)
class StatisticsRow:
    """One published row of authority-level statistics (for the reader: only what is printed)."""

    area: Area
    service: str
    numerator: str  # measure
    denominator: str
    band: str  # pay band of metric 1's numerator, else ""
    share: bool  # metric 1: minority ethnic share of the band; else a relative likelihood
    favourable: bool | None
    n_with_value: int
    statistics: Mapping[str, float | None] = field(default_factory=dict)
    bands: Mapping[str, int | None] = field(default_factory=dict)


def cases_implied(row: StatisticsRow) -> list[AtLeast]:
    """What one row of the distribution table says about single councils' counts.

    A relative likelihood exists only where every one of its four counts but the minority ethnic
    numerator is at least 1, and is above 0 only where that one is too; a minimum, quartile or band
    above 0 therefore says how many councils had a minority ethnic case. For metric 1, a share above 0
    (below 1) says a council has minority ethnic (white) staff in the band.
    """
    source = f"{area_label(row.area)}, {row.service}: statistics of {row.numerator}"
    facts = []

    def fact(measure: str, band: str, group: str, k: int) -> None:
        if k > 0:
            facts.append(AtLeast(row.area, row.service, measure, band, group, k, source))

    n = row.n_with_value
    if row.share:
        fact(row.numerator, row.band, "minority_ethnic", councils_above(n, row.statistics, 0.0))
        fact(row.numerator, row.band, "white", councils_below(n, row.statistics, 1.0))
        return facts
    positive = councils_above(n, row.statistics, 0.0)
    within = row.bands.get("within_range")
    high_band = "adverse_to_white" if row.favourable else "adverse_to_minority_ethnic"
    high = row.bands.get(high_band)
    if isinstance(within, int) and isinstance(high, int):
        positive = max(positive, within + high)
    fact(row.numerator, "", "minority_ethnic", positive)
    fact(row.numerator, "", "white", n)
    fact(row.denominator, "", "minority_ethnic", n)
    fact(row.denominator, "", "white", n)
    return facts
