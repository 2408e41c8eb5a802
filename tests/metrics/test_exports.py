"""Downloadable tables: the national tables under disclosure control, a council's own results in full."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import numpy as np
import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from scipy.linalg import null_space
from scipy.optimize import linprog

from accounts.models import Authority, AuthorityType
from metrics import exports, services
from metrics.disclosure import LOW, SUPPRESSED
from metrics.indicators import INDICATORS_BY_CODE
from metrics.models import Benchmark, VersionResults
from submissions.models import Return
from submissions.schema import GROUP_LABELS, GROUPS, PAY_BANDS, SERVICE_LABELS, RowKey
from submissions.validation import check_data
from tests.builders import accepted_return, round_with_accepted_returns
from tests.factories import AuthorityFactory, open_round, valid_data

C = SUPPRESSED
SCOPES = {label: value for value, label in Benchmark.Scope.choices}
AREAS = {label: value for value, label in AuthorityType.choices}
SERVICES_BY_LABEL = {label: service for service, label in SERVICE_LABELS.items()}
COUNT = {
    (part, group): f"{part.capitalize()}: {GROUP_LABELS[group].lower()}"
    for part in ("numerator", "denominator")
    for group in GROUPS
}


def _with(rows: dict, service: str = "adults") -> dict:
    """A valid return for both services with some of `service`'s rows replaced."""
    data = valid_data()
    for (measure, band), counts in rows.items():
        data[RowKey(service, measure, band)] = dict(zip(GROUPS, counts, strict=True))
    return data


@pytest.fixture
def five_london(analyst):
    """Five London boroughs, accepted; together they referred one minority ethnic adults' social
    worker to fitness to practise (and ten from children's services)."""
    return round_with_accepted_returns(
        analyst,
        n=5,
        label="2026",
        regions=["London"],
        data=lambda n: _with({("ftp_referrals", ""): (3, 1 if n == 0 else 0, 0)}),
    )


def _rows(dataset, **where):
    return [row for row in dataset.dict if all(row[key] == value for key, value in where.items())]


def _tables(collection_round):
    return {dataset.title: dataset for dataset in exports.national_tables(collection_round)}


def test_a_small_count_and_a_partner_are_hidden(five_london) -> None:
    pooled = _tables(five_london)["Pooled counts"]
    m4 = {(row["Area"], row["Service"]): row for row in _rows(pooled, **{"Indicator code": "m4"})}
    for area in ("England", "London", "London borough"):  # the same counts in all three
        adults, children, both = (m4[(area, SERVICE_LABELS[s])] for s in ("adults", "children", "all"))
        assert adults[COUNT["numerator", "minority_ethnic"]] == C  # 1
        # all = adults + children: 11 = 1 + 10, so one of the other two is hidden as well
        assert C in (
            children[COUNT["numerator", "minority_ethnic"]],
            both[COUNT["numerator", "minority_ethnic"]],
        )
        assert adults[COUNT["numerator", "white"]] == 15
        assert adults[exports.RATE_WHITE] == 1.0  # 15 of 1,505
        assert adults[exports.RATE_MINORITY] == adults[exports.RL] == adults[exports.CI_LOWER] == LOW
        # the band would bound the hidden count: "adverse to white" says it is below 0.8 x 305 x 15 / 1,505
        assert adults[exports.BAND] == adults[exports.SIGNIFICANT] == LOW
        assert adults[exports.AUTHORITIES] == 5


def test_every_figure_of_an_area_from_fewer_than_five_authorities_is_hidden(national) -> None:
    tables = _tables(national)
    regions = _rows(tables["Pooled counts"], Scope="Region")
    assert regions and all(row[exports.AUTHORITIES] == 4 for row in regions)
    for row in regions:
        figures = [row[column] for column in exports.NATIONAL_FIGURES if row[column] is not None]
        assert figures and set(figures) == {C}
    for row in _rows(tables["Distribution"], Scope="Region"):
        assert row["Authorities"] == 4
        assert {row[column] for column in ("Minimum", "Median", "Maximum")} == {C}
    england = _rows(tables["Pooled counts"], Scope="England", **{"Indicator code": "m5"})
    assert all(isinstance(row[COUNT["denominator", "white"]], int) for row in england)
    distribution = _rows(tables["Distribution"], Scope="England", **{"Indicator code": "m2"})
    assert all(
        isinstance(row["Median"], float) and row["Authorities with a value"] == 8 for row in distribution
    )


def test_distribution_matches_the_benchmarks(national) -> None:
    row = _rows(_tables(national)["Distribution"], Scope="England", Service="Adult social care")
    m2 = next(r for r in row if r["Indicator code"] == "m2")
    benchmark = Benchmark.objects.get(round=national, scope="national", service="adults", indicator="m2")
    assert m2["Median"] == round(benchmark.distribution["median"], 2)
    bands = benchmark.bands["bands"]
    assert sum(m2[f"{label}: authorities"] for label in exports.FOUR_FIFTHS_LABELS.values()) == sum(
        band["n"] for band in bands.values()
    )


def test_council_results_are_not_suppressed(five_london) -> None:
    first = Return.objects.get(round=five_london, authority__in=Authority.objects.order_by("pk")[:1])
    results = VersionResults.objects.get(version=first.current_version)  # the one with the 1
    table = exports.council_results_tables(results)
    assert table.height == 3 * 12
    m4 = _rows(table, Service="Adult social care", **{"Indicator code": "m4"})[0]
    assert m4[COUNT["numerator", "minority_ethnic"]] == 1
    assert m4[exports.RATE_MINORITY] == round(100 / 61, 1)
    assert m4[exports.LOW_NUMBERS] == "Yes"
    m9 = _rows(table, Service="Both services", **{"Indicator code": "m9"})[0]
    assert isinstance(m9[exports.GAP_POPULATION], float)
    parsed = list(csv.DictReader(io.StringIO(exports.council_results_csv(results))))
    assert parsed[0]["Indicator code"] == "m1_lower" and len(parsed) == 36


def test_national_xlsx_has_one_sheet_per_table(national) -> None:
    workbook = load_workbook(io.BytesIO(exports.national_tables_xlsx(national)))
    assert workbook.sheetnames == ["About", "Pooled counts", "Distribution"]
    sheet = workbook["Pooled counts"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    headers = [cell.value for cell in sheet[1]]
    column = headers.index(COUNT["denominator", "white"])
    counts = [row[column].value for row in sheet.iter_rows(min_row=2)]
    assert all(isinstance(value, int) or value == C for value in counts)
    assert any(isinstance(value, int) for value in counts)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    assert workbook["About"]["B8"].value == 8  # accepted returns, a number


def test_national_csv_one_table_by_name(national) -> None:
    rows = list(csv.DictReader(io.StringIO(exports.national_table_csv(national, "distribution"))))
    assert rows[0]["Scope"] == "England" and rows[0]["Authorities"] == "8"
    assert "Accepted returns,8" in exports.national_table_csv(national, "about")
    with pytest.raises(ValueError, match="no national table"):
        exports.national_table_csv(national, "secret")


def test_council_xlsx_escapes_text(analyst) -> None:
    collection_round = open_round("2027", created_by=analyst)
    authority = AuthorityFactory.create(name='=HYPERLINK("http://x.example")')
    accepted_return(authority, collection_round, analyst, data=valid_data(("adults",)))
    services.benchmarks_recompute(collection_round=collection_round)
    workbook = load_workbook(
        io.BytesIO(exports.council_results_xlsx(VersionResults.objects.get(authority=authority)))
    )
    assert workbook.sheetnames == ["About", "Results"]
    assert workbook["About"]["B2"].value.startswith("'=")
    assert workbook["Results"].max_row == 1 + 2 * 12


# ---- property: no hidden count can be worked out from the published tables --------------------------

REGIONS = ["London", "North West", "North East"]
TYPES = ["london_borough", "unitary"]
up_to = st.integers(0, 30)


@st.composite
def service_rows(draw, service):
    """One service's figures, small and valid: headcount is the sum of its bands, events within limits."""

    def counts(limit=None):
        return {g: draw(st.integers(0, limit[g]) if limit else up_to) for g in GROUPS}

    rows = {("headcount_band", band): {g: draw(st.integers(0, 12)) for g in GROUPS} for band in PAY_BANDS}
    head = {g: sum(rows["headcount_band", band][g] for band in PAY_BANDS) for g in GROUPS}
    rows["headcount", ""] = head
    rows["shortlisted", ""] = counts()
    rows["appointed", ""] = counts(rows["shortlisted", ""])
    for measure in ("disciplinary", "cpd", "leavers", "senior_managers", "regulated_headcount"):
        rows[measure, ""] = counts(head)
    rows["ftp_referrals", ""] = counts(rows["regulated_headcount", ""])
    rows["survey_respondents", ""] = counts()
    for measure in ("harassed_by_public", "harassed_by_colleagues", "harassed_by_managers"):
        rows[measure, ""] = counts(rows["survey_respondents", ""])
    return {RowKey(service, measure, band): value for (measure, band), value in rows.items()}


@st.composite
def authorities(draw):
    regions = REGIONS[: draw(st.integers(2, 3))]
    found = []
    for _ in range(draw(st.integers(5, 8))):
        data = draw(service_rows("adults"))
        if draw(st.integers(0, 4)):  # most authorities submit both services
            data |= draw(service_rows("children"))
        assert check_data(data) == []
        found.append((draw(st.sampled_from(regions)), draw(st.sampled_from(TYPES)), data))
    return found


def _truth(found):
    """The true pooled counts and the number of authorities per (scope, area, service), worked out here."""
    values: dict[tuple, int] = defaultdict(int)
    members: dict[tuple, int] = defaultdict(int)
    for region, kind, data in found:
        present = {key.service for key in data}
        for scope in (("national", ""), ("region", region), ("authority_type", kind)):
            for service in [*present, "all"]:
                members[(*scope, service)] += 1
            for key, counts in data.items():
                for group, count in counts.items():
                    for service in (key.service, "all"):
                        values[(*scope, service, key.measure, key.pay_band, group)] += count
    return dict(values), members


def _relations(values):
    """Every additive relation a reader could use: (total, members)."""
    relations = []
    for cell in values:
        scope, area, service, measure, _band, group = cell
        if service == "all":
            relations.append(
                (cell, [c for s in ("adults", "children") if (c := (scope, area, s, *cell[3:])) in values])
            )
        if measure == "headcount":
            relations.append((cell, [(scope, area, service, "headcount_band", b, group) for b in PAY_BANDS]))
        if scope == "national":
            for part in ("region", "authority_type"):
                relations.append((cell, [c for c in values if c[0] == part and c[2:] == cell[2:]]))
    return relations


def _published(dataset):
    """The count cells as shown, checking each is shown the same in every row it appears in."""
    shown: dict[tuple, object] = {}
    for row in dataset.dict:
        scope = SCOPES[row["Scope"]]
        area = "" if scope == "national" else AREAS.get(row["Area"], row["Area"])
        indicator = INDICATORS_BY_CODE[row["Indicator code"]]
        service = SERVICES_BY_LABEL[row["Service"]]
        for (part, group), column in COUNT.items():
            measure, band = (
                (indicator.numerator, indicator.pay_band)
                if part == "numerator"
                else (indicator.denominator, "")
            )
            cell = (scope, area, service, measure, band, group)
            assert shown.setdefault(cell, row[column]) == row[column], f"{cell} shown two ways"
    return shown


def _components(hidden, relations):
    parent = {cell: cell for cell in hidden}

    def root(cell):
        while parent[cell] != cell:
            cell = parent[cell]
        return cell

    for total, members in relations:
        linked = [c for c in (total, *members) if c in parent]
        for cell in linked[1:]:
            parent[root(cell)] = root(linked[0])
    groups = defaultdict(list)
    for cell in hidden:
        groups[root(cell)].append(cell)
    return list(groups.values())


def assert_not_recoverable(values, shown, relations) -> None:
    hidden = [cell for cell, value in shown.items() if value == C]
    for total, members in relations:
        assert sum(c in hidden for c in (total, *members)) != 1, f"{total} = sum gives one hidden cell away"
    for cells in _components(hidden, relations):
        column = {cell: k for k, cell in enumerate(cells)}
        matrix, rhs = [], []
        for total, members in relations:
            if not any(cell in column for cell in (total, *members)):
                continue
            row, known = np.zeros(len(cells)), 0.0
            for cell, sign in [(total, 1), *((m, -1) for m in members)]:
                if cell in column:
                    row[column[cell]] += sign
                else:
                    known -= sign * shown.get(cell, 0)
            if row.any():
                matrix.append(row)
                rhs.append(known)
        if not matrix:
            continue
        a = np.array(matrix)
        # A cell is determined iff every solution of a·x = 0 has 0 in its place.
        kernel = null_space(a)
        # ...and, knowing every hidden count is at least 1 (0 is published), it can take two values:
        # two feasible tables (the true one, and the optima found) at least 1 apart in its place.
        bounds = [(min(values[cell], 1), None) for cell in cells]
        points = [np.array([values[cell] for cell in cells], dtype=float)]
        for cell, k in column.items():
            assert np.abs(kernel[k]).max(initial=0) > 1e-9, f"{cell} is determined"
            spread = max(point[k] for point in points) - min(point[k] for point in points)
            for sign in (1, -1):
                if spread >= 1 - 1e-7:
                    break
                result = linprog(
                    sign * np.eye(len(cells))[k], A_eq=a, b_eq=rhs, bounds=bounds, method="highs"
                )
                assert result.status in (0, 3)
                if result.status == 3:  # unbounded
                    break
                points.append(result.x)
                spread = max(point[k] for point in points) - min(point[k] for point in points)
            else:
                assert spread >= 1 - 1e-7, f"{cell} is pinned by the bounds"


def assert_no_figure_from_a_hidden_count(dataset) -> None:
    def number(row, *columns):
        return all(isinstance(row[column], int) for column in columns)

    for row in dataset.dict:
        white = (COUNT["numerator", "white"], COUNT["denominator", "white"])
        minority = (COUNT["numerator", "minority_ethnic"], COUNT["denominator", "minority_ethnic"])
        published = {column: isinstance(row[column], float) for column in exports.NATIONAL_FIGURES}
        if published[exports.RATE_WHITE]:
            assert number(row, *white)
        if published[exports.RATE_MINORITY]:
            assert number(row, *minority)
        if published[exports.RL] or published[exports.CI_LOWER] or published[exports.NHS_DIRECTION]:
            assert number(row, *white, *minority)
        if row[exports.BAND] not in (None, LOW, C) or row[exports.SIGNIFICANT] not in (None, LOW, C):
            assert number(row, *white, *minority)  # a band or significance bounds the counts too
        if published[exports.BAND_SHARE] or published[exports.SENIOR_SHARE]:
            assert number(row, COUNT["numerator", "white"], COUNT["numerator", "minority_ethnic"])
        if published[exports.UNKNOWN_SHARE]:
            assert number(row, *(COUNT["numerator", g] for g in GROUPS))
        if published[exports.WORKFORCE_SHARE]:
            assert number(row, COUNT["denominator", "white"], COUNT["denominator", "minority_ethnic"])
        if published[exports.GAP_WORKFORCE]:
            assert number(row, *white, *minority)


@settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each example takes a second: no shrinking
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(found=authorities())
def test_no_hidden_count_can_be_worked_out_from_the_national_tables(db, analyst, found) -> None:
    """5 to 8 small returns in 2 or 3 regions, accepted and published; reading the Pooled counts back:
    (i) every count from 1 to 9, and every count of an area from fewer than 5 authorities, is [c], and
    each count is shown the same in every row; (ii) no relation has exactly one hidden cell; (iii) no
    hidden cell is determined by the relations, nor pinned by the bounds (hidden counts are at least 1);
    (iv) no rate, ratio, share, band or significance is shown unless every count it uses is."""
    with transaction.atomic():
        collection_round = round_with_accepted_returns(
            analyst,
            n=len(found),
            label="2099",
            data=lambda i: found[i][2],
            authority_fields=lambda i: {"region": found[i][0], "authority_type": found[i][1]},
        )
        pooled = _tables(collection_round)["Pooled counts"]
        transaction.set_rollback(True)  # each example starts from an empty round

    values, members = _truth(found)
    shown = _published(pooled)
    assert set(shown) == set(values)
    for cell, value in values.items():
        few = members[cell[:3]] < 5
        if 1 <= value <= 9 or few:
            assert shown[cell] == C, f"{cell} = {value} is shown"
        else:
            assert shown[cell] in (C, value)
    for row in pooled.dict:  # an area and service from fewer than 5 authorities: every figure hidden
        if row[exports.AUTHORITIES] < 5:
            assert {row[column] for column in exports.NATIONAL_FIGURES} <= {C, None}
    assert_not_recoverable(values, shown, _relations(values))
    assert_no_figure_from_a_hidden_count(pooled)
