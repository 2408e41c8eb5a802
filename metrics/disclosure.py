"""Disclosure control for anything marked for publication (spec section 5): pure functions, no ORM.

Authorities see their own figures in full; these rules apply only to public pages and downloadable
national tables:

- a count from 1 to 9 is shown as `[c]` (primary suppression), and secondary suppression hides other
  cells so that none of them can be worked out by subtraction from totals (`suppress`);
- a rate, share or ratio computed from a count from 1 to 9 is shown as `[low]` (`publish_result`). We
  extend this to counts hidden by secondary suppression: a published rate beside a published
  denominator would give the hidden count straight back;
- a benchmark cell built from fewer than 5 authorities is shown as `[c]` (`publish_benchmark`);
- no figure is attributable to a named authority unless it has published it (`may_attribute`).

Zero is not in 1 to 9, so a 0 is published as 0.

Secondary suppression works on any set of additive constraints ("this total cell is the sum of those
member cells"); `suppress_counts` builds them for a plain table with row and/or column totals, and
`publish_results` for a results document. Two guarantees, checked after every step:

1. no hidden cell is *determined* by the published cells and the constraints: its unit vector is not
   in the row space of the constraint matrix restricted to hidden cells (`determined_cells`, exact
   rational arithmetic);
2. no hidden cell is *pinned* by the bounds the public can infer: as 0 is always published, every
   hidden count is at least 1, so two hidden 1s with a published total of 2 are given away although
   neither is determined. `pinned_cells` requires each hidden cell's smallest and largest possible
   values to differ, decided exactly from the directions in which the true table can move (row
   reduction and a small exact simplex over the hidden 0s and 1s; no SciPy at run time).
   In a two-way table with totals the constraint matrix is totally unimodular, so those bounds are
   whole numbers and an unpinned cell has at least two possible whole values.

Limitations: no minimum protection interval is enforced, so a range can be narrow (a hidden 3 beside a
hidden 1 in a row whose total is published is known to be from 1 to 3); upper bounds are not used
(the public cannot tell a primary `[c]`, at most 9, from a secondary one); for constraint systems that
are not totally unimodular, the linear bounds may be wider than the whole-number ones. The choice of
secondary cells is greedy (the smallest non-zero cell that frees the exposed one), not the fewest
possible; cost grows with table size and the number of hidden cells (a full round's national tables,
about 2,300 linked cells, take a few seconds).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Generic, TypeVar

from metrics.indicators import INDICATORS_BY_CODE

#: A cell of a table: its key in the counts (a (row, column) pair, or a tuple of names).
Cell = TypeVar("Cell", bound=Hashable)

# The rules, defined here once. Every page, export, template (through the `benchmark_shown` filter and
# the `disclosure_legend` tag in metrics/templatetags/wres.py) and API asks this module; nothing else
# spells out the threshold or a marker.

#: The marker of a hidden count, and of every figure of a benchmark cell from too few authorities.
SUPPRESSED = "[c]"
#: The marker of a rate, share or ratio worked out from a hidden count.
LOW = "[low]"
#: Counts from SMALL_COUNT_MIN to SMALL_COUNT_MAX (people) are never published.
SMALL_COUNT_MIN = 1
SMALL_COUNT_MAX = 9
#: A benchmark cell from fewer authorities than this is suppressed.
MIN_AUTHORITIES = 5

#: What a council's results page says in place of a benchmark median from too few authorities.
BENCHMARK_NOT_SHOWN = f"not shown (fewer than {MIN_AUTHORITIES} returns)"
#: The markers explained, for the foot of published tables and reports.
LEGEND = (
    f"{SUPPRESSED}: a count from {SMALL_COUNT_MIN} to {SMALL_COUNT_MAX}, or a figure that would reveal one; "
    f"{LOW}: worked out from such a count; benchmark figures from fewer than {MIN_AUTHORITIES} authorities "
    f"are {SUPPRESSED}."
)


def is_small(count: int | None) -> bool:
    """A count from 1 to 9: never published."""
    return count is not None and SMALL_COUNT_MIN <= count <= SMALL_COUNT_MAX


def benchmark_shown(n_authorities: int | None) -> bool:
    """Whether the figures of a benchmark cell built from `n_authorities` authorities may be shown."""
    return n_authorities is not None and n_authorities >= MIN_AUTHORITIES


def benchmark_figure(value: Any, *, n_authorities: int | None) -> Any:
    """`value` (a figure of a benchmark cell), or SUPPRESSED when the cell has too few authorities."""
    return value if benchmark_shown(n_authorities) else SUPPRESSED


def benchmark_value(value: Any, *, n_authorities: int | None) -> Any:
    """`value`, or None when the cell has too few authorities: for charts and sorting, not for print."""
    return value if benchmark_shown(n_authorities) else None


def may_attribute(*, authority_has_published: bool) -> bool:
    """Whether a public page may show a figure under the authority's name: only once it has published."""
    return authority_has_published


@dataclass(frozen=True)
class Constraint(Generic[Cell]):
    """total = sum(members), over cell keys."""

    total: Cell
    members: tuple[Cell, ...]

    def __post_init__(self) -> None:
        if self.total in self.members or len(set(self.members)) != len(self.members):
            raise ValueError(f"a constraint names each cell once: {self.total!r} = {self.members!r}")

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.members)


def determined_cells(hidden: Collection[Cell], constraints: Sequence[Constraint[Cell]]) -> set[Cell]:
    """The hidden cells whose values follow from the published cells and the constraints.

    Writes each constraint over the hidden cells only (published cells are known numbers), reduces the
    matrix to row echelon form over exact fractions, and reports a cell as determined when its column is
    a pivot whose row has no entry in a free column, i.e. its unit vector lies in the row space.
    """
    columns = {cell: index for index, cell in enumerate(hidden)}
    rows: list[list[Fraction]] = []
    for constraint in constraints:
        row = [Fraction(0)] * len(columns)
        for cell, sign in ((constraint.total, 1), *((member, -1) for member in constraint.members)):
            if cell in columns:
                row[columns[cell]] += sign
        if any(row):
            rows.append(row)

    pivots = _row_reduce(rows, len(columns))
    free = set(range(len(columns))) - set(pivots)
    by_index = list(columns)
    return {
        by_index[column]
        for row_index, column in enumerate(pivots)
        if not any(rows[row_index][other] for other in free)
    }


def _row_reduce(rows: list[list[Fraction]], width: int) -> list[int]:
    """Reduce `rows` in place to reduced row echelon form; the pivot column of each leading row."""
    pivots: list[int] = []
    rank = 0
    for column in range(width):
        pivot_row = next((r for r in range(rank, len(rows)) if rows[r][column]), None)
        if pivot_row is None:
            continue
        rows[rank], rows[pivot_row] = rows[pivot_row], rows[rank]
        scale = rows[rank][column]
        if scale != 1:
            rows[rank] = [value / scale if value else value for value in rows[rank]]
        nonzero = [(k, value) for k, value in enumerate(rows[rank]) if value]  # the rows are sparse
        for r in range(len(rows)):
            if r != rank and rows[r][column]:
                factor = rows[r][column]
                for k, pivot_value in nonzero:
                    rows[r][k] -= factor * pivot_value
        pivots.append(column)
        rank += 1
    return pivots


def _rank(rows: list[list[Fraction]]) -> int:
    return len(_row_reduce([row[:] for row in rows], len(rows[0]) if rows else 0))


Tableau = list[list[Fraction]]


def _feasible_basis(matrix: list[list[Fraction]], rhs: list[Fraction], n: int) -> tuple[Tableau, list[int]]:
    """Phase 1 of the simplex method for matrix·y = rhs, y >= 0 over n variables (which must be
    feasible): a tableau and basis with no artificial variable left, redundant rows dropped.
    """
    rows = [(row, b) if b >= 0 else ([-v for v in row], -b) for row, b in zip(matrix, rhs, strict=True)]
    m = len(rows)
    tableau = [[*row, *(Fraction(int(k == i)) for k in range(m)), b] for i, (row, b) in enumerate(rows)]
    basis = list(range(n, n + m))
    _simplex(tableau, basis, [Fraction(0)] * n + [Fraction(-1)] * m)
    for i in reversed(range(len(tableau))):
        if basis[i] >= n:  # an artificial variable left at 0: pivot it out, or drop a redundant row
            column = next((k for k in range(n) if tableau[i][k]), None)
            if column is None:
                del tableau[i], basis[i]
            else:
                _pivot(tableau, basis, i, column)
    return [[*row[:n], row[-1]] for row in tableau], basis


def _maximise(tableau: Tableau, basis: list[int], objective: list[Fraction]) -> list[Fraction] | None:
    """Phase 2 from a copy of a feasible tableau: an optimal point, or None when unbounded."""
    tableau, basis = [row[:] for row in tableau], basis[:]
    if not _simplex(tableau, basis, objective):
        return None
    point = [Fraction(0)] * len(objective)
    for variable, row in zip(basis, tableau, strict=True):
        point[variable] = row[-1]
    return point


def _pivot(tableau: Tableau, basis: list[int], row: int, column: int) -> None:
    scale = tableau[row][column]
    pivot_row = tableau[row] = [value / scale if value else value for value in tableau[row]]
    nonzero = [k for k, value in enumerate(pivot_row) if value]  # the tableau is sparse
    for r, other in enumerate(tableau):
        if r != row and other[column]:
            factor = other[column]
            for k in nonzero:
                other[k] -= factor * pivot_row[k]
    basis[row] = column


def _simplex(tableau: Tableau, basis: list[int], objective: list[Fraction]) -> bool:
    """Pivot to an optimum with Bland's rule (so it cannot cycle); False when unbounded.

    The reduced costs are worked out once, then updated with each pivot like another tableau row.
    """
    reduced = objective[:]
    for variable, row in zip(basis, tableau, strict=True):
        if objective[variable]:
            for k, value in enumerate(row[: len(objective)]):
                if value:  # the tableau is sparse
                    reduced[k] -= objective[variable] * value
    while True:
        entering = next((k for k, cost in enumerate(reduced) if cost > 0), None)
        if entering is None:
            return True
        ratios = [
            (row[-1] / row[entering], basis[r], r) for r, row in enumerate(tableau) if row[entering] > 0
        ]
        if not ratios:
            return False
        leaving = min(ratios)[2]
        _pivot(tableau, basis, leaving, entering)
        factor = reduced[entering]
        for k, value in enumerate(tableau[leaving][:-1]):
            if value:
                reduced[k] -= factor * value


def pinned_cells(
    values: Mapping[Cell, int],
    hidden: Collection[Cell],
    constraints: Sequence[Constraint[Cell]],
    *,
    among: Collection[Cell] | None = None,
) -> set[Cell]:
    """The hidden cells (of `among`, by default all) with only one possible value, given the published
    cells, the constraints and what the public knows of a hidden count: it is at least 1, as 0 is
    always published.

    A cell is pinned when its largest and smallest possible values (over real numbers) both equal its
    value. This covers `determined_cells`, and also e.g. two hidden 1s whose published total is 2. In
    a two-way table with totals the bounds are whole numbers, so an unpinned cell has at least two
    possible whole values. See `_pinned_in` for how it is worked out.
    """
    pinned = set()
    wanted = set(hidden if among is None else among)
    for cells, component in _components(hidden, constraints):
        if wanted.intersection(cells):
            pinned |= _pinned_in(values, cells, component, wanted)
    return pinned


def _components(
    hidden: Collection[Cell], constraints: Sequence[Constraint[Cell]]
) -> list[tuple[list[Cell], list[Constraint[Cell]]]]:
    """Split the hidden cells into groups linked by shared constraints, each with its constraints."""
    parent = {cell: cell for cell in hidden}

    def root(cell: Cell) -> Cell:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for constraint in constraints:
        linked = [cell for cell in constraint.cells if cell in parent]
        for cell in linked[1:]:
            parent[root(cell)] = root(linked[0])
    groups: dict[Cell, tuple[list[Cell], list[Constraint[Cell]]]] = {}
    for cell in hidden:
        groups.setdefault(root(cell), ([], []))[0].append(cell)
    for constraint in constraints:
        first = next((cell for cell in constraint.cells if cell in parent), None)
        if first is not None:
            groups[root(first)][1].append(constraint)
    return list(groups.values())


def _pinned_in(
    values: Mapping[Cell, int],
    cells: list[Cell],
    constraints: list[Constraint[Cell]],
    wanted: set[Cell],
) -> set[Cell]:
    """The cells of `wanted` among one group of linked hidden `cells` that cannot move.

    The possible tables form a convex polyhedron (the constraints, each hidden count at least 1, or 0
    where it is 0) containing the true one, so a cell can take another value if and only if some
    direction d from the true table keeps to it: A·d = 0 (A the constraints over the hidden cells)
    and d >= 0 on the cells at their lowest value (the hidden 0s and 1s, the "floor" cells F).
    Reducing A with the other cells' columns first splits it in two: rows that solve for those cells,
    and rows M over the floor cells alone. The floor cells some direction can raise are the support of
    the cone {M·d = 0, d >= 0}, found with small linear programs (`_can_rise`); P is that support,
    and the cone spans {M·d = 0, d = 0 outside P}. Then another cell moves when its column is free,
    when its row has an entry in a free column, or when its row's floor part is not zero on that span.
    """
    above = [cell for cell in cells if values[cell] > 1]
    floor = [cell for cell in cells if values[cell] <= 1]
    index = {cell: i for i, cell in enumerate(above + floor)}
    rows: list[list[Fraction]] = []
    for constraint in constraints:
        row = [Fraction(0)] * len(index)
        for cell, sign in ((constraint.total, 1), *((member, -1) for member in constraint.members)):
            if cell in index:
                row[index[cell]] += sign
        if any(row):
            rows.append(row)
    pivots = _row_reduce(rows, len(index))
    split = len(above)
    floor_rows = [row[split:] for row, pivot in zip(rows, pivots, strict=False) if pivot >= split]
    rising = sorted(_can_rise(floor_rows, len(floor)))
    on_span = [[row[k] for k in rising] for row in floor_rows]
    span_rank = _rank(on_span)
    row_of = {pivot: r for r, pivot in enumerate(pivots)}

    def fixed(k: int) -> bool:
        if k >= split:
            return k - split not in rising
        if k not in row_of:
            return False
        row = rows[row_of[k]]
        if any(row[other] for other in range(split) if other != k):
            return False  # an entry in a free column (pivot columns are 0 in other rows)
        return _rank([*on_span, [row[split + z] for z in rising]]) == span_rank

    return {cell for cell in wanted.intersection(cells) if fixed(index[cell])}


def _can_rise(rows: list[list[Fraction]], n: int) -> set[int]:
    """The coordinates that some d >= 0 with rows·d = 0 makes positive.

    Repeatedly maximises the sum of the coordinates not yet found, each at most 1 (`d_i + s_i = 1`),
    adding the positive ones of the optimum, until the optimum is 0: then none of the rest can be
    positive, as any direction raising one, scaled down, would give a positive sum.
    """
    found: set[int] = set()
    rows = [row for row in rows if any(row)]
    while rest := [i for i in range(n) if i not in found]:
        width = n + len(rest)  # d, then one slack per coordinate of `rest`
        matrix = [[*row, *([Fraction(0)] * len(rest))] for row in rows]
        for j, i in enumerate(rest):
            matrix.append([Fraction(int(k in (i, n + j))) for k in range(width)])
        rhs = [Fraction(0)] * len(rows) + [Fraction(1)] * len(rest)
        tableau, basis = _feasible_basis(matrix, rhs, width)
        point = _maximise(tableau, basis, [Fraction(int(k in rest)) for k in range(width)])
        assert point is not None  # noqa: S101 - bounded: each coordinate is at most 1
        rising = {i for i in rest if point[i] > 0}
        if not rising:
            return found
        found |= rising
    return found


def suppress(
    values: Mapping[Cell, int], constraints: Sequence[Constraint[Cell]], *, force: Collection[Cell] = ()
) -> set[Cell]:
    """The cells to hide: every count from 1 to 9, every cell of `force` (e.g. the cells of a benchmark
    from fewer than 5 authorities), and enough others that none of them can be worked out.

    Repeats until stable: (1) a constraint with exactly one hidden cell gives it away by subtraction,
    so hide another of its cells, the smallest non-zero member, else the total; (2) for a hidden cell
    still determined by a combination of constraints (e.g. a cell bridging two otherwise protected
    groups) or pinned by the bounds (`pinned_cells`), hide another cell (`_partner`). Raises
    ValueError when a constraint does not add up or no cell is left to hide.
    """
    order = {cell: index for index, cell in enumerate(values)}
    for constraint in constraints:
        if values[constraint.total] != sum(values[member] for member in constraint.members):
            raise ValueError(f"cell {constraint.total!r} is not the sum of {constraint.members!r}")

    def preference(cell: Cell) -> tuple[bool, int, int]:
        return (values[cell] == 0, values[cell], order[cell])

    def exposed(hidden: set[Cell], among: Collection[Cell] | None = None) -> set[Cell]:
        determined = determined_cells(hidden, constraints)
        if among is not None:
            determined &= set(among)
        return determined or pinned_cells(values, hidden, constraints, among=among)

    hidden = {cell for cell, value in values.items() if is_small(value)} | set(force)
    while True:
        for constraint in constraints:
            if sum(cell in hidden for cell in constraint.cells) == 1:
                members = sorted((m for m in constraint.members if m not in hidden), key=preference)
                candidates = [m for m in members if values[m]]
                if constraint.total not in hidden:
                    candidates.append(constraint.total)
                candidates += [m for m in members if not values[m]]
                if candidates:
                    hidden.add(candidates[0])
        cells = exposed(hidden)
        if not cells:
            return hidden
        cell = min(cells, key=order.__getitem__)
        hidden.add(_partner(cell, hidden, values, constraints, exposed, preference))


def _partner(
    cell: Cell,
    hidden: set[Cell],
    values: Mapping[Cell, int],
    constraints: Sequence[Constraint[Cell]],
    exposed: Callable[[set[Cell], Collection[Cell]], set[Cell]],
    preference: Callable[[Cell], tuple[bool, int, int]],
) -> Cell:
    """The next cell to hide to protect `cell`: the smallest non-zero cell sharing a constraint with it
    that frees it; else the smallest such cell (it may free it with later ones); else the smallest
    non-zero cell anywhere; a 0 only when nothing else is left.
    """
    near = sorted(
        {other for c in constraints if cell in c.cells for other in c.cells if other not in hidden},
        key=preference,
    )
    near = [other for other in near if values[other]]
    if near:
        return next((other for other in near if not exposed(hidden | {other}, [cell])), near[0])
    rest = sorted({other for c in constraints for other in c.cells if other not in hidden}, key=preference)
    if not rest:
        raise ValueError(f"cell {cell!r} cannot be protected: every cell is already hidden")
    return rest[0]


def suppress_counts(
    table: Sequence[Sequence[int | None]], *, row_totals: bool, column_totals: bool
) -> list[list[int | str | None]]:
    """Apply primary and secondary suppression to a table of counts.

    With `row_totals`, the last cell of each row is that row's total; with `column_totals`, the last row
    holds the column totals (and, with both, the corner is the grand total). None is a cell with no
    figure: it is not part of any total and stays None. Hidden cells become "[c]".
    """
    width = len(table[0]) if table else 0
    if any(len(row) != width for row in table):
        raise ValueError("every row of the table must have the same number of cells")
    values = {
        (i, j): value for i, row in enumerate(table) for j, value in enumerate(row) if value is not None
    }
    constraints: list[Constraint] = []
    if row_totals:
        for i in range(len(table)):
            if (i, width - 1) in values:
                members = tuple((i, j) for j in range(width - 1) if (i, j) in values)
                constraints.append(Constraint((i, width - 1), members))
    if column_totals:
        for j in range(width):
            if (len(table) - 1, j) in values:
                members = tuple((i, j) for i in range(len(table) - 1) if (i, j) in values)
                constraints.append(Constraint((len(table) - 1, j), members))
    hidden = suppress(values, constraints)
    return [
        [SUPPRESSED if (i, j) in hidden else value for j, value in enumerate(row)]
        for i, row in enumerate(table)
    ]


def publish_benchmark(cell: Mapping[str, Any], *, n_authorities: int) -> dict[str, Any]:
    """A benchmark cell (a distribution, band counts or pooled figure) for publication.

    Built from fewer than 5 authorities, every figure but the number of authorities `n` is "[c]".
    """
    if benchmark_shown(n_authorities):
        return dict(cell)
    return {key: value if key == "n" else SUPPRESSED for key, value in cell.items()}


#: Which counts each derived figure is computed from, as (part, group).
_WHITE = (("numerator", "white"), ("denominator", "white"))
_MINORITY = (("numerator", "minority_ethnic"), ("denominator", "minority_ethnic"))
_NUMERATOR_KNOWN = (("numerator", "white"), ("numerator", "minority_ethnic"))
_DENOMINATOR_KNOWN = (("denominator", "white"), ("denominator", "minority_ethnic"))
_SOURCES: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {
    ("rate", "white"): _WHITE,
    ("rate", "minority_ethnic"): _MINORITY,
    ("relative_likelihood",): _WHITE + _MINORITY,
    ("ci95",): _WHITE + _MINORITY,
    ("nhs_direction",): _WHITE + _MINORITY,
    ("share", "band"): _NUMERATOR_KNOWN,
    ("share", "senior_managers"): _NUMERATOR_KNOWN,
    ("share", "workforce"): _DENOMINATOR_KNOWN,
    ("unknown_share",): (*_NUMERATOR_KNOWN, ("numerator", "unknown")),
    ("gap_pp", "vs_workforce"): _NUMERATOR_KNOWN + _DENOMINATOR_KNOWN,
    ("gap_pp", "vs_population"): _NUMERATOR_KNOWN,
}


def publish_result(
    entry: Mapping[str, Any], *, hidden: Collection[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """A results entry (spec section 3) as published: hidden counts "[c]", figures from them "[low]".

    `hidden` lists the (part, group) counts to hide, e.g. ("numerator", "white"); by default the counts
    from 1 to 9. A figure that is None (not calculable) stays None. The four-fifths band, significance,
    low-numbers flag and reason are categories, not figures a count can be worked back from, and stay.
    """
    if hidden is None:
        hidden = {
            (part, group)
            for part in ("numerator", "denominator")
            for group, n in entry[part].items()
            if is_small(n)
        }
    hidden = set(hidden)
    published: dict[str, Any] = {}
    for key, value in entry.items():
        if key in ("numerator", "denominator"):
            published[key] = {
                group: SUPPRESSED if (key, group) in hidden else n for group, n in value.items()
            }
        elif isinstance(value, dict):
            published[key] = {sub: _low_or((key, sub), sub_value, hidden) for sub, sub_value in value.items()}
        else:
            published[key] = _low_or((key,), value, hidden)
    return published


def _low_or(path: tuple[str, ...], value: Any, hidden: set[tuple[str, str]]) -> Any:
    sources = _SOURCES.get(path, ())
    if value is None or not any(source in hidden for source in sources):
        return value
    return LOW


def publish_results(document: Mapping[str, Any]) -> dict[str, Any]:
    """A results document (spec section 3) for publication, with suppression across its entries.

    The same count appears in several entries (headcount is the denominator of m3, m5, m8 and m9) and
    counts add up across entries (`all` = adults + children; the pay bands add up to the headcount,
    used only where they do), so the cells are suppressed together, then each entry is published with
    `publish_result`.
    """
    values: dict[tuple[str, str, str, str], int] = {}
    places: list[tuple[dict[str, Any], dict[tuple[str, str], tuple[str, str, str, str]]]] = []
    for entry in document["results"]:
        indicator = INDICATORS_BY_CODE[entry["indicator"]]
        rows = {
            "numerator": (indicator.numerator, indicator.pay_band),
            "denominator": (indicator.denominator, ""),
        }
        cells = {}
        for part, (measure, band) in rows.items():
            for group, count in entry[part].items():
                cell = (entry["service"], measure, band, group)
                values[cell] = count
                cells[(part, group)] = cell
        places.append((entry, cells))

    services = sorted({service for service, *_ in values if service != "all"})
    constraints = []
    for service, measure, band, group in values:
        if service == "all":
            members = tuple(
                (s, measure, band, group) for s in services if (s, measure, band, group) in values
            )
            constraints.append(Constraint((service, measure, band, group), members))
        elif measure == "headcount":
            bands = tuple(
                cell for cell in values if cell[:2] == (service, "headcount_band") and cell[3] == group
            )
            if len(bands) == 3 and values[service, measure, band, group] == sum(values[b] for b in bands):
                constraints.append(Constraint((service, measure, band, group), bands))
    hidden = suppress(values, constraints)
    results = [
        publish_result(entry, hidden={place for place, cell in cells.items() if cell in hidden})
        for entry, cells in places
    ]
    return {**document, "results": results}
