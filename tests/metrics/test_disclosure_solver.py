"""The exact linear algebra and linear programs behind secondary suppression, checked both ways
against independent oracles (numpy's rank and scipy's HiGHS): a wrong answer either hides too little
(a count can be worked out) or too much (a figure hidden for nothing, which changes a published table).

`test_disclosure.py` checks the first direction on whole tables; these tests pin each piece exactly,
so `make mutation` sees a change in any of them (tests/metrics/MUTANTS.md).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from metrics import disclosure
from metrics.disclosure import SUPPRESSED, Constraint, determined_cells, pinned_cells

EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

Cell = tuple[int, int]


@st.composite
def linked_tables(draw) -> tuple[dict[Cell, int], list[Constraint[Cell]], set[Cell]]:
    """A table of counts with its row and column totals (and sometimes a total over the totals, so a
    cell can sit in constraints at two levels), and a set of hidden cells."""
    height, width = draw(st.integers(1, 3)), draw(st.integers(2, 4))
    grid = [[draw(st.integers(0, 12)) for _ in range(width)] for _ in range(height)]
    values = {(i, j): grid[i][j] for i in range(height) for j in range(width)}
    constraints: list[Constraint[Cell]] = []
    for i in range(height):
        values[(i, width)] = sum(grid[i])
        constraints.append(Constraint((i, width), tuple((i, j) for j in range(width))))
    if height > 1:
        for j in range(width + 1):
            values[(height, j)] = sum(values[(i, j)] for i in range(height))
            constraints.append(Constraint((height, j), tuple((i, j) for i in range(height))))
    if draw(st.booleans()):  # a second level: the first two columns' sum, reusing the rows' cells
        values[(-1, 0)] = values[(0, 0)] + values[(0, 1)]
        constraints.append(Constraint((-1, 0), ((0, 0), (0, 1))))
    cells = sorted(values)
    hidden = set(draw(st.lists(st.sampled_from(cells), min_size=1, max_size=len(cells), unique=True)))
    return values, constraints, hidden


def test_a_total_that_is_also_a_member_is_read_with_its_signs():
    # c = a + b and d = a + c, with d published: b is not determined (a and c can trade 1 for 1 while
    # b moves by 2), although reading every member with + would say it is.
    constraints = [Constraint("c", ("a", "b")), Constraint("d", ("a", "c"))]
    assert determined_cells({"a", "b", "c"}, constraints) == set()
    assert determined_cells({"a", "b"}, constraints) == {"a", "b"}


def _hidden_system(values, constraints, hidden):
    """The constraints over the hidden cells: matrix rows (numpy) and right-hand sides."""
    column = {cell: k for k, cell in enumerate(sorted(hidden))}
    matrix, rhs = [], []
    for constraint in constraints:
        row = np.zeros(len(column))
        known = 0.0
        for cell, sign in [(constraint.total, 1), *((m, -1) for m in constraint.members)]:
            if cell in column:
                row[column[cell]] += sign
            else:
                known -= sign * values[cell]
        if row.any():
            matrix.append(row)
            rhs.append(known)
    return column, np.array(matrix).reshape(len(matrix), len(column)), np.array(rhs)


@st.composite
def hierarchies(draw) -> tuple[dict[str, int], list[Constraint[str]], set[str]]:
    """Counts and totals over them at several levels, where a total may be a member of another total
    and a cell a member of several (as a region's count sits in the nation's total and in its type's):
    each total is the sum of a few cells made before it."""
    values = {f"c{i}": draw(st.integers(0, 12)) for i in range(draw(st.integers(2, 4)))}
    constraints: list[Constraint[str]] = []
    for k in range(draw(st.integers(1, 4))):
        members = tuple(draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3, unique=True)))
        total = f"t{k}"
        values[total] = sum(values[m] for m in members)
        constraints.append(Constraint(total, members))
    cells = sorted(values)
    hidden = set(draw(st.lists(st.sampled_from(cells), min_size=1, max_size=len(cells), unique=True)))
    return values, constraints, hidden


systems = st.one_of(linked_tables(), hierarchies())


@EXAMPLES
@given(systems)
def test_determined_cells_are_exactly_those_the_rank_test_finds(case):
    values, constraints, hidden = case
    column, matrix, _ = _hidden_system(values, constraints, hidden)
    rank = np.linalg.matrix_rank(matrix) if len(matrix) else 0
    expected = set()
    for cell, k in column.items():
        unit = np.eye(len(column))[k]
        if np.linalg.matrix_rank(np.vstack([matrix, unit]) if len(matrix) else unit[None]) == rank:
            expected.add(cell)
    assert determined_cells(hidden, constraints) == expected


def _pinned_by_linear_programs(values, constraints, hidden) -> set[Cell]:
    """Each hidden cell's lowest and highest value (over real numbers) given the published cells and
    that a hidden count is at least 1 (at least 0 where it is 0): pinned when they meet."""
    column, matrix, rhs = _hidden_system(values, constraints, hidden)
    bounds = [(min(values[cell], 1), None) for cell in column]
    pinned = set()
    for cell, k in column.items():
        unit = np.eye(len(column))[k]
        if not len(matrix):
            continue
        low = linprog(unit, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
        high = linprog(-unit, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
        assert low.status == 0, low.message  # the true table is a solution
        if high.status == 0 and -high.fun - low.fun < 1e-7:
            assert abs(low.fun - values[cell]) < 1e-7
            pinned.add(cell)
    return pinned


@EXAMPLES
@given(systems, st.data())
def test_pinned_cells_are_exactly_those_whose_bounds_meet(case, data):
    values, constraints, hidden = case
    expected = _pinned_by_linear_programs(values, constraints, hidden)
    assert pinned_cells(values, hidden, constraints) == expected
    among = set(data.draw(st.lists(st.sampled_from(sorted(hidden)), unique=True)))
    assert pinned_cells(values, hidden, constraints, among=among) == expected & among


def test_pinned_cells_across_separate_groups():
    # Two unlinked groups, each with two hidden 1s under a published 2: all four are pinned.
    values = {"a": 1, "b": 1, "s": 2, "c": 1, "d": 1, "t": 2}
    constraints = [Constraint("s", ("a", "b")), Constraint("t", ("c", "d"))]
    assert pinned_cells(values, {"a", "b", "c", "d"}, constraints) == {"a", "b", "c", "d"}
    assert pinned_cells(values, {"a", "b", "c", "d"}, constraints, among={"a", "d"}) == {"a", "d"}


def _can_rise_by_linear_programs(rows: list[list[int]], n: int) -> set[int]:
    if not rows:
        return set(range(n))
    found = set()
    for i in range(n):
        objective = -np.eye(n)[i]
        result = linprog(objective, A_eq=np.array(rows), b_eq=np.zeros(len(rows)), bounds=[(0, 1)] * n)
        assert result.status == 0, result.message
        if -result.fun > 1e-9:
            found.add(i)
    return found


@EXAMPLES
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.lists(st.integers(-2, 2), min_size=n, max_size=n), max_size=4)
        )
    )
)
def test_the_coordinates_that_can_rise_are_those_a_linear_program_raises(case):
    n, rows = case
    fractions = [[Fraction(v) for v in row] for row in rows]
    assert disclosure._can_rise(fractions, n) == _can_rise_by_linear_programs(rows, n)


def test_a_coordinate_left_at_zero_by_the_first_optimum_is_found_by_the_next():
    # d0 = d1 + d2 with each at most 1: the largest sum (2) is reached with d1 or d2 at 0, so one
    # of them is found only by a second program; all three can rise.
    assert disclosure._can_rise([[Fraction(1), Fraction(-1), Fraction(-1)]], 3) == {0, 1, 2}
    # d0 = d1 and d0 = -d2: d2 must stay 0, and so must d0 and d1.
    rows = [[Fraction(v) for v in row] for row in ([1, -1, 0], [1, 0, 1])]
    assert disclosure._can_rise(rows, 3) == set()


@st.composite
def feasible_programs(draw):
    """max c·y subject to A·y = b, y >= 0, feasible by construction (b = A·y0 for some y0 >= 0), with
    rows that have a negative right-hand side, a repeated row, and often a bound on every variable
    (slack columns) so that the optimum is finite."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    matrix = [[draw(st.integers(-3, 3)) for _ in range(n)] for _ in range(m)]
    if draw(st.booleans()):
        matrix.append(list(matrix[0]))  # redundant: phase 1 must drop it
    if draw(st.booleans()):  # y_k + s_k = 3 for every k: bounded
        matrix = [[*row, *([0] * n)] for row in matrix]
        matrix += [[int(k in (i, n + i)) for k in range(2 * n)] for i in range(n)]
        width = 2 * n
    else:
        width = n
    point = [draw(st.integers(0, 3)) for _ in range(width)]
    if width > n:
        point = [*point[:n], *(3 - v for v in point[:n])]
    rhs = [sum(a * y for a, y in zip(row, point, strict=True)) for row in matrix]
    objective = [draw(st.integers(-2, 2)) for _ in range(width)]
    return matrix, rhs, objective, width


@EXAMPLES
@given(feasible_programs())
def test_the_simplex_reaches_the_optimum_of_small_linear_programs(case):
    matrix, rhs, objective, width = case
    tableau, basis = disclosure._feasible_basis(
        [[Fraction(v) for v in row] for row in matrix], [Fraction(b) for b in rhs], width
    )
    # Phase 1 leaves no artificial variable and keeps one row per independent constraint.
    assert all(0 <= variable < width for variable in basis)
    assert len(basis) == len(tableau) == np.linalg.matrix_rank(np.array(matrix, dtype=float))
    assert all(len(row) == width + 1 and row[-1] >= 0 for row in tableau)

    point = disclosure._maximise(tableau, basis, [Fraction(c) for c in objective])
    reference = linprog(
        -np.array(objective, dtype=float),
        A_eq=np.array(matrix),
        b_eq=np.array(rhs),
        bounds=[(0, None)] * width,
    )
    assert reference.status in (0, 3), reference.message
    if reference.status == 3:
        assert point is None
        return
    assert point is not None
    assert all(value >= 0 for value in point)
    for row, b in zip(matrix, rhs, strict=True):
        assert sum(a * y for a, y in zip(row, point, strict=True)) == b
    value = sum(c * y for c, y in zip(objective, point, strict=True))
    assert abs(float(value) - -reference.fun) < 1e-7


@EXAMPLES
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(st.lists(st.integers(-3, 3), min_size=width, max_size=width), max_size=4)
    )
)
def test_row_reduction_gives_the_rank_and_a_reduced_echelon_form(rows):
    matrix = [[Fraction(v) for v in row] for row in rows]
    width = len(rows[0]) if rows else 0
    assert disclosure._rank(matrix) == (np.linalg.matrix_rank(np.array(rows, dtype=float)) if rows else 0)
    reduced = [row[:] for row in matrix]
    pivots = disclosure._row_reduce(reduced, width)
    assert pivots == sorted(pivots)
    for r, column in enumerate(pivots):
        assert reduced[r][column] == 1
        assert all(reduced[other][column] == 0 for other in range(len(reduced)) if other != r)
        assert not any(reduced[r][:column])
    assert not any(any(row) for row in reduced[len(pivots) :])
    # Row operations only: the reduced rows span what the original rows span.
    if rows and pivots:
        both = np.array([*rows, *([float(v) for v in row] for row in reduced[: len(pivots)])])
        assert np.linalg.matrix_rank(both) == len(pivots)


# ---- the choice of cells to hide --------------------------------------------------------------------
# Which cells `suppress` hides is what a published table shows, so the choices are pinned here on small
# cases where they matter: the smallest non-zero cell near the exposed one that frees it (`_partner`), a
# zero only when nothing else is left, the first exposed cell in the order the counts were given, and
# exposure judged for the cell being protected. Each expected set was checked to leave no hidden cell
# determined or pinned.

Case = tuple[dict[str, int], list[tuple[str, tuple[str, ...]]], set[str], set[str]]

CHOICES: dict[str, Case] = {
    "a forced total: its partner frees it, a farther total is left alone": (
        {"c0": 9, "c1": 30, "c2": 12, "c3": 5, "c4": 15, "t0": 35, "t1": 40, "t2": 50},
        [("t0", ("c3", "c1")), ("t1", ("t0", "c3")), ("t2", ("c4", "c1", "c3"))],
        {"t0"},
        {"c0", "c1", "c3", "c4", "t0"},
    ),
    "single-member totals: nothing hidden beyond what protects the small counts": (
        {"c0": 20, "c1": 15, "c2": 1, "c3": 20, "c4": 12, "t0": 12, "t1": 1, "t2": 25, "t3": 20},
        [("t0", ("c4",)), ("t1", ("c2",)), ("t2", ("t0", "c4", "t1")), ("t3", ("c3",))],
        set(),
        {"c2", "c4", "t0", "t1"},
    ),
    "the smallest cell that frees the exposed one, not the next": (
        {"c0": 15, "c1": 3, "c2": 20, "c3": 3, "c4": 2, "t0": 25, "t1": 8, "t2": 28, "t3": 5},
        [("t0", ("c3", "c2", "c4")), ("t1", ("c3", "c1", "c4")), ("t2", ("c2", "t1")), ("t3", ("c1", "c4"))],
        {"t3"},
        {"c1", "c2", "c3", "c4", "t0", "t1", "t3"},
    ),
    "a total that is also a member": (
        {"c0": 20, "c1": 12, "c2": 10, "t0": 42, "t1": 22, "t2": 84, "t3": 10},
        [("t0", ("c0", "c1", "c2")), ("t1", ("c1", "c2")), ("t2", ("t1", "c0", "t0")), ("t3", ("c2",))],
        {"c0", "c2"},
        {"c0", "c1", "c2", "t1", "t3"},
    ),
    "a zero hidden where a constraint has nothing else to give": (
        {"c0": 0, "c1": 0, "c2": 5, "c3": 20, "t0": 0, "t1": 25, "t2": 30},
        [("t0", ("c1",)), ("t1", ("c2", "c3")), ("t2", ("t0", "t1", "c2"))],
        {"c3", "t0"},
        {"c1", "c2", "c3", "t0"},
    ),
    "a zero is the last choice": (
        {"c0": 0, "c1": 10, "t0": 10, "t1": 20, "t2": 10, "t3": 20},
        [("t0", ("c0", "c1")), ("t1", ("t0", "c1", "c0")), ("t2", ("t0",)), ("t3", ("c0", "t2", "t0"))],
        {"c1"},
        {"c1", "t0", "t1", "t2", "t3"},
    ),
    "the first exposed cell in the order the counts were given": (
        {"z": 9, "b": 20, "w": 5, "y": 30, "s": 0, "c": 30, "e": 39, "a": 25, "q": 85},
        [("c", ("y",)), ("e", ("z", "c")), ("a", ("s", "w", "b")), ("q", ("y", "c", "a"))],
        set(),
        {"a", "b", "c", "e", "w", "y", "z"},
    ),
}


@pytest.mark.parametrize("name", CHOICES)
def test_suppress_hides_the_cells_the_rules_choose(name):
    values, pairs, force, expected = CHOICES[name]
    constraints = [Constraint(total, members) for total, members in pairs]
    hidden = disclosure.suppress(values, constraints, force=force)
    assert hidden == expected
    assert not determined_cells(hidden, constraints)
    assert not pinned_cells(values, hidden, constraints)


def test_a_two_way_table_hides_the_cells_the_rules_choose():
    table = [
        [30, 2, 9, 1, 42],
        [20, 5, 12, 5, 42],
        [5, 15, 15, 15, 50],
        [15, 30, 20, 20, 85],
        [70, 52, 56, 41, 219],
    ]
    c = SUPPRESSED
    assert disclosure.suppress_counts(table, row_totals=True, column_totals=True) == [
        [30, c, c, c, 42],
        [c, c, c, c, 42],
        [c, c, 15, 15, 50],
        [c, 30, c, 20, 85],
        [70, 52, 56, 41, 219],
    ]


def test_pinned_cells_through_totals_of_totals():
    # t0 = c0 + c1 = 2 is published; t2 = t0 + c1 + t1 = 2 + c0 + c1 = 4 and t3 = t2 follow.
    values = {"c0": 0, "c1": 2, "t0": 2, "t1": 0, "t2": 4, "t3": 4}
    constraints = [
        Constraint("t0", ("c0", "c1")),
        Constraint("t1", ("c0",)),
        Constraint("t2", ("t0", "c1", "t1")),
        Constraint("t3", ("t2",)),
    ]
    hidden = {"c0", "c1", "t1", "t2", "t3"}
    assert pinned_cells(values, hidden, constraints) == {"t2", "t3"}
    assert _pinned_by_linear_programs(values, constraints, hidden) == {"t2", "t3"}


def test_a_cell_that_cannot_be_protected_is_refused_by_name():
    # t = a + b and t = a give b = 0 away whatever is hidden.
    values = {"a": 12, "b": 0, "t": 12}
    constraints = [Constraint("t", ("a", "b")), Constraint("t", ("a",))]
    with pytest.raises(ValueError, match=r"^cell 'b' cannot be protected: every cell is already hidden$"):
        disclosure.suppress(values, constraints, force={"a", "b", "t"})


def test_a_ragged_table_is_refused_in_plain_words():
    with pytest.raises(ValueError, match=r"^every row of the table must have the same number of cells$"):
        disclosure.suppress_counts([[1, 2], [3]], row_totals=False, column_totals=False)


@pytest.mark.parametrize("members", [("t", "a"), ("a", "a")])
def test_a_constraint_names_each_cell_once(members):
    with pytest.raises(ValueError, match="names each cell once"):
        Constraint("t", members)
