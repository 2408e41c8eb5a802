"""Disclosure control (spec section 5): examples, and properties checked with NumPy and SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from metrics.calculations import compute_results, results_document
from metrics.disclosure import (
    LOW,
    SUPPRESSED,
    Constraint,
    determined_cells,
    is_small,
    may_attribute,
    pinned_cells,
    publish_benchmark,
    publish_result,
    publish_results,
    suppress,
    suppress_counts,
)
from submissions.schema import GROUPS, PAY_BANDS, RowKey, row_keys
from tests.metrics.examples import ADULTS, entry, make_return

C = SUPPRESSED


@pytest.mark.parametrize(("count", "small"), [(None, False), (0, False), (1, True), (9, True), (10, False)])
def test_is_small(count, small):
    assert is_small(count) is small


def test_may_attribute_only_once_published():
    assert may_attribute(authority_has_published=True) is True
    assert may_attribute(authority_has_published=False) is False


# ---- tables -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "row_totals", "column_totals", "published"),
    [
        ([[20, 30, 50]], True, False, [[20, 30, 50]]),
        ([[12, 3, 15]], True, False, [[C, C, 15]]),
        ([[12, 3, 0, 15]], True, False, [[C, C, 0, 15]]),  # 0 is published
        ([[30, 3, 12, 45]], True, False, [[30, C, C, 45]]),  # the smallest non-zero partner
        ([[3, 0, 3]], True, False, [[C, 0, C]]),  # no non-zero member left: the total goes
        ([[1, 1, 2]], True, False, [[C, C, C]]),  # two hidden 1s with a total of 2 would be pinned
        ([[3, 12], [14, 30]], False, False, [[C, 12], [14, 30]]),  # no totals: primary only
        ([[5, 20, None, 25]], True, False, [[C, C, None, 25]]),
        (
            [[3, 12, 15], [14, 30, 44], [17, 42, 59]],
            True,
            True,
            [[C, C, 15], [C, C, 44], [17, 42, 59]],
        ),
        (
            # Two hidden 1s in the third column, beside a published 50 and total 52, would both be 1.
            [[3, 30, 1, 34], [2, 9, 1, 12], [12, 30, 50, 92], [17, 69, 52, 138]],
            True,
            True,
            [[C, C, C, C], [C, C, C, C], [C, 30, C, 92], [17, 69, 52, 138]],
        ),
    ],
)
def test_suppress_counts_examples(table, row_totals, column_totals, published):
    result = suppress_counts(table, row_totals=row_totals, column_totals=column_totals)
    assert result == published
    assert_protected(table, result, row_totals=row_totals, column_totals=column_totals)


def test_a_cell_bridging_two_protected_groups_is_protected():
    # Hiding a partner in every row and column with one hidden cell still leaves (0, 2) determined.
    table = [[1, 0, 12, 13], [80, 0, 0, 80], [80, 30, 1, 111], [161, 30, 13, 204]]
    result = suppress_counts(table, row_totals=True, column_totals=True)
    assert_protected(table, result, row_totals=True, column_totals=True)


def test_inconsistent_totals_are_rejected():
    with pytest.raises(ValueError, match="not the sum"):
        suppress_counts([[3, 12, 16]], row_totals=True, column_totals=False)


def test_ragged_tables_are_rejected():
    with pytest.raises(ValueError, match="same number"):
        suppress_counts([[3, 12, 15], [1, 2]], row_totals=True, column_totals=False)


def test_empty_table():
    assert suppress_counts([], row_totals=True, column_totals=True) == []


def test_determined_cells_finds_a_bridge():
    # Row and column sums of a 4 x 4 grid, all published; two hidden 2 x 2 blocks joined by (0, 2).
    constraints = [Constraint(("row", i), tuple((i, j) for j in range(4))) for i in range(4)] + [
        Constraint(("col", j), tuple((i, j) for i in range(4))) for j in range(4)
    ]
    blocks = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3)}
    assert determined_cells(blocks, constraints) == set()
    assert determined_cells(blocks | {(0, 2)}, constraints) == {(0, 2)}
    assert determined_cells({(0, 0)}, constraints) == {(0, 0)}


@pytest.mark.parametrize(
    ("values", "hidden", "pinned"),
    [
        ({"a": 1, "b": 1, "t": 2}, {"a", "b"}, {"a", "b"}),
        ({"a": 1, "b": 2, "t": 3}, {"a", "b"}, set()),
        ({"a": 1, "b": 1, "t": 2}, {"a", "b", "t"}, set()),
        ({"a": 4, "b": 0, "t": 4}, {"a"}, {"a"}),
    ],
)
def test_pinned_cells(values, hidden, pinned):
    assert pinned_cells(values, hidden, [Constraint("t", ("a", "b"))]) == pinned


def test_suppress_general_constraints():
    # A hierarchy: region = two authorities' counts; nation = the regions.
    values = {"a1": 4, "a2": 20, "r1": 24, "a3": 15, "a4": 15, "r2": 30, "nation": 54}
    constraints = [
        Constraint("r1", ("a1", "a2")),
        Constraint("r2", ("a3", "a4")),
        Constraint("nation", ("r1", "r2")),
    ]
    hidden = suppress(values, constraints)
    assert {"a1", "a2"} <= hidden
    assert not determined_cells(hidden, constraints)
    assert not pinned_cells(values, hidden, constraints)


def _constraints(table, *, row_totals, column_totals):
    """The additive constraints of the table, built independently of the module under test."""
    height, width = len(table), len(table[0])
    constraints = []
    if row_totals:
        constraints += [((i, width - 1), [(i, j) for j in range(width - 1)]) for i in range(height)]
    if column_totals:
        constraints += [((height - 1, j), [(i, j) for i in range(height - 1)]) for j in range(width)]
    present = [
        (total, [m for m in members if table[m[0]][m[1]] is not None]) for total, members in constraints
    ]
    return [(total, members) for total, members in present if table[total[0]][total[1]] is not None]


def assert_protected(table, result, *, row_totals, column_totals):
    """No hidden cell can be worked out: not by subtraction, not by linear algebra, not by the bounds."""
    cells = [(i, j) for i, row in enumerate(table) for j in range(len(row))]
    hidden = [cell for cell in cells if result[cell[0]][cell[1]] == SUPPRESSED]
    for i, j in cells:
        value = table[i][j]
        assert result[i][j] == (SUPPRESSED if (i, j) in hidden else value)
        assert not is_small(value) or (i, j) in hidden
        assert (i, j) not in hidden or value != 0  # only non-zero cells are hidden
    if not hidden:
        return
    column = {cell: k for k, cell in enumerate(hidden)}
    matrix, rhs = [], []
    for total, members in _constraints(table, row_totals=row_totals, column_totals=column_totals):
        cells_in = [total, *members]
        assert sum(cell in column for cell in cells_in) != 1, f"{total} gives one hidden cell away"
        row = np.zeros(len(hidden))
        known = 0.0
        for cell, sign in [(total, 1), *((m, -1) for m in members)]:
            if cell in column:
                row[column[cell]] += sign
            else:
                known -= sign * table[cell[0]][cell[1]]
        if row.any():
            matrix.append(row)
            rhs.append(known)
    a = np.array(matrix).reshape(len(matrix), len(hidden))
    rank = np.linalg.matrix_rank(a) if len(matrix) else 0
    for cell, k in column.items():
        unit = np.eye(len(hidden))[k]
        # The cell is determined iff its unit vector lies in the row space of the hidden-cell matrix.
        assert np.linalg.matrix_rank(np.vstack([a, unit])) > rank, f"{cell} is determined"
        # ...and, knowing every hidden count is at least 1, it can still take two values.
        bounds = [(1, None)] * len(hidden)
        if not matrix:
            continue
        low = linprog(unit, A_eq=a, b_eq=rhs, bounds=bounds, method="highs")
        high = linprog(-unit, A_eq=a, b_eq=rhs, bounds=bounds, method="highs")
        assert low.status == 0
        assert high.status == 3 or -high.fun - low.fun >= 1 - 1e-7, f"{cell} is pinned by the bounds"


counts = st.one_of(st.integers(1, 9), st.integers(0, 50), st.just(0))


@st.composite
def tables(draw):
    height, width = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    grid = [[draw(counts) for _ in range(width)] for _ in range(height)]
    row_totals, column_totals = draw(st.booleans()), draw(st.booleans())
    if row_totals:
        grid = [[*row, sum(row)] for row in grid]
    if column_totals:
        grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid, row_totals, column_totals


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_count_can_be_worked_out(case):
    table, row_totals, column_totals = case
    result = suppress_counts(table, row_totals=row_totals, column_totals=column_totals)
    assert_protected(table, result, row_totals=row_totals, column_totals=column_totals)


# ---- results entries and documents --------------------------------------------------------------


def _entry(code, rows=None, population_share=0.12):
    data = make_return({**ADULTS, **(rows or {})})
    return entry(compute_results(data, population_share=population_share), "adults", code)


def test_publish_result_hides_small_counts_and_marks_figures_from_them():
    published = publish_result(_entry("m2", {("appointed", ""): (96, 4, 0)}))
    assert published["numerator"] == {"white": 96, "minority_ethnic": C, "unknown": 0}
    assert published["denominator"] == {"white": 310, "minority_ethnic": 164, "unknown": C}
    assert published["rate"]["minority_ethnic"] == LOW
    assert published["rate"]["white"] == pytest.approx(96 / 310)
    assert published["relative_likelihood"] == published["ci95"] == published["nhs_direction"] == LOW
    assert published["four_fifths"] == "adverse_to_minority_ethnic"  # a category, not a figure
    assert published["low_numbers"] is True


def test_publish_result_leaves_large_counts_alone():
    original = _entry("m2", {("shortlisted", ""): (310, 164, 17), ("appointed", ""): (96, 31, 10)})
    assert publish_result(original) == original


def test_publish_result_m1_unknown_share_from_a_small_count():
    published = publish_result(_entry("m1_upper", {("headcount_band", "upper"): (39, 40, 2)}))
    assert published["numerator"]["unknown"] == C
    assert published["unknown_share"] == LOW
    assert published["share"]["band"] == pytest.approx(40 / 79)
    assert published["share"]["workforce"] == pytest.approx(143 / 955)


def test_publish_result_m9_shares_and_gaps():
    published = publish_result(_entry("m9"))  # one minority ethnic senior manager
    assert published["share"]["senior_managers"] == LOW
    assert published["share"]["workforce"] == pytest.approx(143 / 955)
    assert published["share"]["population"] == 0.12
    assert published["gap_pp"] == {"vs_workforce": LOW, "vs_population": LOW}


def test_publish_result_with_explicit_hidden_counts():
    published = publish_result(_entry("m3"), hidden={("denominator", "white")})
    assert published["denominator"]["white"] == C
    assert published["numerator"]["minority_ethnic"] == 5  # not hidden: the caller decided
    assert published["rate"] == {"white": LOW, "minority_ethnic": pytest.approx(5 / 143)}
    assert published["relative_likelihood"] == LOW


def test_publish_result_not_calculable_stays_null():
    published = publish_result(_entry("m8", {("leavers", ""): (0, 3, 0)}))
    assert published["relative_likelihood"] is None and published["ci95"] is None
    assert published["rate"]["minority_ethnic"] == LOW
    assert published["numerator"] == {"white": 0, "minority_ethnic": C, "unknown": 0}


def _two_services(adults_rows, children_rows):
    return make_return({**ADULTS, **adults_rows}) | make_return({**ADULTS, **children_rows}, "children")


def test_publish_results_protects_all_against_subtraction():
    data = _two_services({("appointed", ""): (96, 31, 3)}, {("appointed", ""): (96, 31, 12)})
    published = publish_results(results_document(data, population_share=None))
    m2 = {r["service"]: r for r in published["results"] if r["indicator"] == "m2"}
    assert m2["adults"]["numerator"]["unknown"] == C
    assert C in (m2["children"]["numerator"]["unknown"], m2["all"]["numerator"]["unknown"])


def test_publish_results_hides_a_count_the_same_way_everywhere_it_appears():
    data = _two_services({("headcount", ""): (812, 143, 21)}, {})
    published = publish_results(results_document(data, population_share=0.1))
    seen: dict[str, set[tuple[object, ...]]] = {}
    for result in published["results"]:
        if result["indicator"] in ("m3", "m5", "m8", "m9"):
            seen.setdefault(result["service"], set()).add(tuple(result["denominator"].values()))
    assert all(len(values) == 1 for values in seen.values())
    assert published["schema"] == "wres-results/1"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_published_documents_hide_every_small_count_and_its_figures(data):
    small = st.one_of(st.integers(0, 12), st.integers(10, 300))
    rows = {
        key: dict(zip(GROUPS, data.draw(st.tuples(small, small, small)), strict=True))
        for service in ("adults", "children")
        for key in row_keys(service)
    }
    for service in ("adults", "children"):  # the pay bands add up to the headcount, as validated
        bands = [rows[RowKey(service, "headcount_band", band)] for band in PAY_BANDS]
        rows[RowKey(service, "headcount")] = {group: sum(band[group] for band in bands) for group in GROUPS}
    document = results_document(rows, population_share=0.2)
    published = publish_results(document)
    cells: dict[tuple[str, str, str], dict[str, object]] = {}
    for original, result in zip(document["results"], published["results"], strict=True):
        for part in ("numerator", "denominator"):
            for group, count in original[part].items():
                shown = result[part][group]
                assert shown == C if is_small(count) else shown in (C, count)
                if shown == C and result.get("rate", {}).get(group) is not None and group != "unknown":
                    assert result["rate"][group] == LOW
                cells.setdefault((result["indicator"], part, group), {})[result["service"]] = shown
    for by_service in cells.values():
        # all = adults + children: never exactly one of the three hidden
        assert sum(shown == C for shown in by_service.values()) != 1


def test_publish_results_accepts_a_one_service_document():
    published = publish_results(results_document(make_return(ADULTS), population_share=None))
    m2 = {r["service"]: r for r in published["results"] if r["indicator"] == "m2"}
    assert (
        m2["adults"]["numerator"]
        == m2["all"]["numerator"]
        == {"white": 96, "minority_ethnic": 31, "unknown": C}
    )


# ---- benchmarks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "hidden"), [(1, True), (4, True), (5, False), (50, False)])
def test_benchmark_cells_from_fewer_than_five_authorities(n, hidden):
    cell = {"n": n, "min": 0.5, "median": 0.8, "max": 1.1}
    published = publish_benchmark(cell, n_authorities=n)
    if hidden:
        assert published == {"n": n, "min": C, "median": C, "max": C}
    else:
        assert published == cell


def test_suppress_forced_cells_are_protected_like_small_counts():
    # "a" comes from too few authorities: hidden although it is 20, and "b" with it.
    values = {"a": 20, "b": 30, "c": 40, "t": 90}
    constraints = [Constraint("t", ("a", "b", "c"))]
    hidden = suppress(values, constraints, force={"a"})
    assert hidden == {"a", "b"}
    assert not determined_cells(hidden, constraints)


# ---- found by mutation testing (make mutation; tests/metrics/MUTANTS.md) ---------------------------


def _m1_minority_ethnic(published):
    """Adults' minority ethnic counts of the three pay bands and the headcount, as published."""
    m1 = {r["indicator"]: r for r in published["results"] if r["service"] == "adults"}
    bands = {code: m1[code]["numerator"]["minority_ethnic"] for code in ("m1_lower", "m1_middle", "m1_upper")}
    return bands, m1["m1_lower"]["denominator"]["minority_ethnic"]


def test_publish_results_protects_a_small_pay_band_against_the_headcount():
    """The bands add up to the headcount: a hidden upper band (4) cannot be the only hidden one of the
    four, or headcount - lower - middle would give it back."""
    published = publish_results(results_document(make_return(ADULTS), population_share=None))
    bands, headcount = _m1_minority_ethnic(published)
    assert bands["m1_upper"] == C
    assert sum(shown == C for shown in (*bands.values(), headcount)) >= 2


def test_publish_results_links_the_pay_bands_only_when_they_add_up():
    """Bands that do not add up to the headcount (143 against 88 + 50 + 4) are not a relation the public
    can use, so only the small count is hidden."""
    rows = {**ADULTS, ("headcount_band", "middle"): (371, 50, 9)}
    published = publish_results(results_document(make_return(rows), population_share=None))
    bands, headcount = _m1_minority_ethnic(published)
    assert bands == {"m1_lower": 88, "m1_middle": 50, "m1_upper": C}
    assert headcount == 143


def test_suppress_counts_column_totals_skip_a_column_without_a_total():
    table: list[list[int | None]] = [[3, 12], [11, 5], [14, None]]
    result = suppress_counts(table, row_totals=False, column_totals=True)
    assert result == [[C, 12], [C, C], [14, None]]
    assert_protected(table, result, row_totals=False, column_totals=True)
