"""Worked examples for metrics.calculations (spec sections 3 and 4): no database needed."""

from __future__ import annotations

import json
import math
import statistics
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats.contingency import relative_risk

from metrics.calculations import (
    INDICATORS,
    INDICATORS_BY_CODE,
    Z_95,
    band_counts,
    compute_results,
    distribution,
    format_interval,
    format_percent,
    format_points,
    format_ratio,
    four_fifths_band,
    minority_ethnic_share,
    pooled,
    quartile_position,
    relative_likelihood,
    results_document,
    sentence,
    unknown_share,
)
from submissions.schema import GROUPS, MEASURES_BY_CODE, RowKey, all_row_keys, row_keys
from tests.metrics.examples import ADULTS, entry, make_return

FAVOURABLE = ("m2", "m5", "m9")
UNFAVOURABLE = ("m3", "m4", "m6", "m7a", "m7b", "m8")

# ---- relative likelihood -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "n1", "c", "n2", "rl", "low", "high"),
    [
        (31, 164, 96, 310, 0.61039, 0.42674, 0.87309),  # the spec's example (adults, m2)
        (10, 75, 12, 225, 2.5, 1.12616, 5.54985),  # scipy's documented example
        (20, 100, 20, 100, 1.0, 0.57444, 1.74083),
        (45, 200, 30, 300, 2.25, 1.46964, 3.44472),
        (9, 9, 10, 20, 2.0, 1.29031, 3.10002),  # a = n1: 1/a - 1/n1 = 0
        (5, 5, 10, 10, 1.0, 1.0, 1.0),  # a = n1 and c = n2: zero width
    ],
)
def test_relative_likelihood_worked_examples(a, n1, c, n2, rl, low, high):
    result = relative_likelihood(a, n1, c, n2)
    assert result.relative_likelihood == pytest.approx(rl, abs=5e-6)
    assert result.ci95 == pytest.approx((low, high), abs=5e-6)
    assert result.calculable and result.reason is None


def test_spec_example_to_five_decimals():
    result = relative_likelihood(31, 164, 96, 310, favourable=True)
    rates = (result.rate_white, result.rate_minority_ethnic, result.relative_likelihood)
    assert [None if rate is None else round(rate, 5) for rate in rates] == [0.30968, 0.18902, 0.61039]
    assert result.ci95 is not None and [round(x, 5) for x in result.ci95] == [0.42674, 0.87309]
    assert result.four_fifths == "adverse_to_minority_ethnic"
    assert result.significant is True
    assert result.low_numbers is False


def test_z_is_the_normal_975_point():
    assert statistics.NormalDist().inv_cdf(0.975) == pytest.approx(Z_95, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_matches_scipy_relative_risk_when_a_is_positive(data):
    n1 = data.draw(st.integers(1, 5000))
    n2 = data.draw(st.integers(1, 5000))
    a = data.draw(st.integers(1, n1))
    c = data.draw(st.integers(1, n2))
    ours = relative_likelihood(a, n1, c, n2)
    theirs = relative_risk(a, n1, c, n2)
    interval = theirs.confidence_interval(0.95)
    assert ours.relative_likelihood == pytest.approx(theirs.relative_risk, rel=1e-12)
    # scipy uses z = 1.95996398..., we use the spec's 1.959964: a relative difference below 1e-6.
    assert ours.ci95 == pytest.approx((interval.low, interval.high), rel=1e-6)


@pytest.mark.parametrize(
    ("a", "n1", "c", "n2", "low", "high", "significant"),
    [
        # ((0.5 / 21) / (30.5 / 101)) * exp(±z * sqrt(1/0.5 - 1/21 + 1/30.5 - 1/101))
        (0, 20, 30, 100, 0.00502, 1.23904, False),
        (0, 50, 40, 60, 0.00093, 0.23423, True),
    ],
)
def test_zero_minority_ethnic_numerator_uses_the_corrected_interval(a, n1, c, n2, low, high, significant):
    result = relative_likelihood(a, n1, c, n2)
    assert result.relative_likelihood == 0  # the point estimate stays uncorrected
    assert result.ci95 == pytest.approx((low, high), abs=5e-6)
    assert result.significant is significant
    assert result.calculable
    assert result.nhs_direction is None  # 1 / 0


@pytest.mark.parametrize(
    ("favourable", "band"), [(True, "adverse_to_minority_ethnic"), (False, "adverse_to_white")]
)
def test_zero_numerator_band_depends_on_direction(favourable, band):
    assert relative_likelihood(0, 20, 30, 100, favourable=favourable).four_fifths == band


@pytest.mark.parametrize(("a", "n1"), [(5, 40), (0, 40)])
def test_no_white_outcome_is_not_calculable(a, n1):
    result = relative_likelihood(a, n1, 0, 60, population="staff", past_phrase="left the council")
    assert result.relative_likelihood is None
    assert result.ci95 is None and result.four_fifths is None and result.significant is None
    assert result.calculable is False
    assert result.rate_white == 0
    assert result.rate_minority_ethnic == a / n1
    assert (
        result.reason
        == "None of the white staff left the council, so there is no white rate to compare with."
    )


@pytest.mark.parametrize(
    ("n1", "n2", "rate_me", "rate_white", "reason"),
    [
        (0, 50, None, 0.2, "There were no minority ethnic staff, so there is no minority ethnic rate."),
        (50, 0, 0.2, None, "There were no white staff, so there is no white rate to compare with."),
        (0, 0, None, None, "There were no white or minority ethnic staff, so no rate can be calculated."),
    ],
)
def test_zero_denominator_is_not_calculable(n1, n2, rate_me, rate_white, reason):
    result = relative_likelihood(10 if n1 else 0, n1, 10 if n2 else 0, n2, population="staff")
    assert result.relative_likelihood is None and not result.calculable
    assert result.rate_minority_ethnic == rate_me
    assert result.rate_white == rate_white
    assert result.reason == reason
    assert result.low_numbers is True


def test_more_outcomes_than_people_is_not_calculable_rather_than_an_error():
    result = relative_likelihood(12, 10, 5, 20)
    assert not result.calculable and "do not add up" in (result.reason or "")


def test_negative_counts_are_a_programming_error():
    with pytest.raises(ValueError, match="negative"):
        relative_likelihood(-1, 10, 5, 20)


@pytest.mark.parametrize(
    ("a", "n1", "c", "n2", "expected_rl"),
    [
        (4, 10, 5, 10, Fraction(4, 5)),
        (5, 10, 4, 10, Fraction(5, 4)),
        (1, 3, 5, 12, Fraction(4, 5)),  # (1/3) / (5/12) is 0.7999999999999999 in floats
        (12, 30, 15, 30, Fraction(4, 5)),
        (25, 40, 20, 40, Fraction(5, 4)),
    ],
)
@pytest.mark.parametrize("favourable", [True, False])
def test_exactly_four_fifths_and_five_fourths_are_within_range(a, n1, c, n2, expected_rl, favourable):
    result = relative_likelihood(a, n1, c, n2, favourable=favourable)
    assert result.relative_likelihood == pytest.approx(float(expected_rl))
    assert result.four_fifths == "within_range"


@pytest.mark.parametrize(
    ("a", "n1", "c", "n2", "favourable", "band"),
    [
        (79, 100, 100, 100, True, "adverse_to_minority_ethnic"),
        (79, 100, 100, 100, False, "adverse_to_white"),
        (126, 200, 100, 200, True, "adverse_to_white"),
        (126, 200, 100, 200, False, "adverse_to_minority_ethnic"),
        (399, 1000, 500, 1000, True, "adverse_to_minority_ethnic"),  # 0.798
        (626, 1000, 500, 1000, False, "adverse_to_minority_ethnic"),  # 1.252
        (100, 100, 100, 100, True, "within_range"),
    ],
)
def test_just_outside_the_range_is_banded_by_direction(a, n1, c, n2, favourable, band):
    assert relative_likelihood(a, n1, c, n2, favourable=favourable).four_fifths == band


def test_four_fifths_band_on_floats_and_fractions():
    assert four_fifths_band(Fraction(4, 5), favourable=True) == "within_range"
    assert four_fifths_band(1.25, favourable=False) == "within_range"
    assert four_fifths_band(0.7999, favourable=False) == "adverse_to_white"


@pytest.mark.parametrize(
    ("counts", "low"),
    [
        ((10, 10, 10, 10), False),
        ((9, 100, 50, 100), True),
        ((50, 100, 9, 100), True),
        ((10, 10, 10, 9), True),
        ((0, 100, 50, 100), True),
        ((0, 0, 0, 0), True),  # computed even when not calculable
    ],
)
def test_low_numbers_is_any_count_below_ten(counts, low):
    assert relative_likelihood(*counts).low_numbers is low


def test_nhs_direction_is_the_reciprocal():
    result = relative_likelihood(31, 164, 96, 310)
    assert result.nhs_direction == pytest.approx(1 / 0.6103912601626016)
    assert relative_likelihood(5, 10, 0, 10).nhs_direction is None


# ---- the results document -----------------------------------------------------------------------


def test_indicator_metadata():
    assert [i.code for i in INDICATORS] == [
        "m1_lower", "m1_middle", "m1_upper", "m2", "m3", "m4", "m5", "m6", "m7a", "m7b", "m8", "m9",
    ]  # fmt: skip
    assert [i.code for i in INDICATORS if i.favourable is True] == list(FAVOURABLE)
    assert [i.code for i in INDICATORS if i.favourable is False] == list(UNFAVOURABLE)
    assert {i.kind for i in INDICATORS} == {"share", "rate", "percentage"}
    for indicator in INDICATORS:
        assert indicator.numerator in MEASURES_BY_CODE and indicator.denominator in MEASURES_BY_CODE
        assert indicator.explanation and indicator.title and indicator.template


def test_spec_example_entry():
    results = compute_results(make_return(ADULTS), population_share=None)
    assert entry(results, "adults", "m2") == {
        "service": "adults",
        "indicator": "m2",
        "numerator": {"white": 96, "minority_ethnic": 31, "unknown": 1},
        "denominator": {"white": 310, "minority_ethnic": 164, "unknown": 7},
        "rate": {
            "white": pytest.approx(0.30968, abs=5e-6),
            "minority_ethnic": pytest.approx(0.18902, abs=5e-6),
        },
        "relative_likelihood": pytest.approx(0.61039, abs=5e-6),
        "ci95": [pytest.approx(0.42674, abs=5e-6), pytest.approx(0.87309, abs=5e-6)],
        "four_fifths": "adverse_to_minority_ethnic",
        "significant": True,
        "nhs_direction": pytest.approx(1.63829, abs=5e-6),
        "low_numbers": False,
        "calculable": True,
        "reason": None,
    }


def test_every_service_present_and_all_for_each_indicator():
    data = make_return(ADULTS) | make_return(ADULTS, "children")
    results = compute_results(data, population_share=0.1)
    assert [(r["service"], r["indicator"]) for r in results] == [
        (service, i.code) for service in ("adults", "children", "all") for i in INDICATORS
    ]


def test_all_with_one_service_repeats_it():
    results = compute_results(make_return(ADULTS, "children"), population_share=0.1)
    assert {r["service"] for r in results} == {"children", "all"}
    for indicator in INDICATORS:
        children, both = entry(results, "children", indicator.code), entry(results, "all", indicator.code)
        assert {**children, "service": "all"} == both


def test_no_services_no_results():
    assert results_document({}, population_share=None) == {"schema": "wres-results/1", "results": []}


@pytest.mark.parametrize(
    ("code", "extra"),
    [("m2", {"nhs_direction"}), ("m5", {"nhs_direction"}), ("m3", set()), ("m9", {"share", "gap_pp"})],
)
def test_rl_entry_keys(code, extra):
    results = compute_results(make_return(ADULTS), population_share=0.1)
    common = {"service", "indicator", "numerator", "denominator", "low_numbers", "calculable", "reason"}
    rl_fields = {"rate", "relative_likelihood", "ci95", "four_fifths", "significant"}
    assert set(entry(results, "adults", code)) == common | rl_fields | extra


def test_m1_shares_and_unknown_share():
    rows = dict(ADULTS)
    rows["headcount", ""] = (85, 15, 10)
    rows["headcount_band", "lower"] = (82, 18, 25)
    result = entry(compute_results(make_return(rows), population_share=None), "adults", "m1_lower")
    assert set(result) == {
        "service", "indicator", "numerator", "denominator", "share", "unknown_share",
        "low_numbers", "calculable", "reason",
    }  # fmt: skip
    assert result["numerator"] == {"white": 82, "minority_ethnic": 18, "unknown": 25}
    assert result["denominator"] == {"white": 85, "minority_ethnic": 15, "unknown": 10}
    assert result["share"] == {"band": 0.18, "workforce": 0.15}
    assert result["unknown_share"] == 25 / 125
    assert result["calculable"] is True and result["reason"] is None
    assert (
        sentence(result)
        == "Minority ethnic staff were 18.0% of the lower pay band, against 15.0% of the workforce."
    )


def test_m1_band_with_no_known_ethnicity_is_not_calculable():
    rows = dict(ADULTS)
    rows["headcount_band", "upper"] = (0, 0, 3)
    result = entry(compute_results(make_return(rows), population_share=None), "adults", "m1_upper")
    assert result["share"]["band"] is None
    assert result["share"]["workforce"] == pytest.approx(143 / 955)
    assert result["unknown_share"] == 1.0
    assert result["calculable"] is False
    assert result["reason"] == "There were no staff of known ethnicity in the upper pay band."
    assert sentence(result) == (
        "The minority ethnic share of the upper pay band cannot be calculated. "
        "There were no staff of known ethnicity in the upper pay band."
    )


def test_m1_empty_band_has_no_unknown_share():
    rows = dict(ADULTS)
    rows["headcount_band", "upper"] = (0, 0, 0)
    assert (
        entry(compute_results(make_return(rows), population_share=None), "adults", "m1_upper")[
            "unknown_share"
        ]
        is None
    )


@pytest.mark.parametrize(
    ("population_share", "vs_population"),
    [(0.12, (0.2 - 0.12) * 100), (None, None), (0.0, 20.0), (1.0, -80.0)],
)
def test_m9_shares_and_gaps(population_share, vs_population):
    rows = dict(ADULTS)
    rows["headcount", ""] = (850, 150, 40)
    rows["senior_managers", ""] = (40, 10, 2)
    result = entry(compute_results(make_return(rows), population_share=population_share), "adults", "m9")
    assert result["share"] == {"senior_managers": 0.2, "workforce": 0.15, "population": population_share}
    assert result["gap_pp"]["vs_workforce"] == pytest.approx(5.0)
    assert result["gap_pp"]["vs_population"] == (
        None if vs_population is None else pytest.approx(vs_population)
    )
    assert result["relative_likelihood"] == pytest.approx((10 / 150) / (40 / 850))


def test_m9_with_no_senior_managers_has_no_share_or_gap():
    rows = dict(ADULTS)
    rows["senior_managers", ""] = (0, 0, 0)
    result = entry(compute_results(make_return(rows), population_share=0.1), "adults", "m9")
    assert result["share"]["senior_managers"] is None
    assert result["gap_pp"] == {"vs_workforce": None, "vs_population": None}
    assert result["calculable"] is False


@pytest.mark.parametrize("share", [15.0, -0.1, 1.01, float("nan")])
def test_population_share_must_be_a_fraction(share):
    with pytest.raises(ValueError, match="fraction"):
        compute_results(make_return(ADULTS), population_share=share)


def test_population_share_may_be_a_decimal():
    result = entry(compute_results(make_return(ADULTS), population_share=Decimal("0.125")), "adults", "m9")
    assert result["share"]["population"] == 0.125
    json.dumps(result, allow_nan=False)


def test_nhs_direction_only_for_m2_and_m5():
    results = compute_results(make_return(ADULTS), population_share=None)
    assert {r["indicator"] for r in results if "nhs_direction" in r} == {"m2", "m5"}


counts = st.integers(0, 400)
groups = st.tuples(counts, counts, counts)


@st.composite
def returns(draw, services=("adults", "children")):
    return {key: dict(zip(GROUPS, draw(groups), strict=True)) for s in services for key in row_keys(s)}


@settings(max_examples=60, deadline=None)
@given(returns())
def test_all_is_computed_on_summed_counts(data):
    summed: dict[RowKey, dict[str, int]] = {}
    for key, row in data.items():
        target = summed.setdefault(RowKey("adults", key.measure, key.pay_band), dict.fromkeys(GROUPS, 0))
        for group in GROUPS:
            target[group] += row[group]
    expected = [
        {**r, "service": "all"}
        for r in compute_results(summed, population_share=0.3)
        if r["service"] == "adults"
    ]
    actual = [r for r in compute_results(data, population_share=0.3) if r["service"] == "all"]
    assert actual == expected


@settings(max_examples=60, deadline=None)
@given(returns(), st.one_of(st.none(), st.floats(0, 1)))
def test_document_is_strict_json(data, population_share):
    document = results_document(data, population_share=population_share)
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    for result in document["results"]:
        assert isinstance(sentence(result), str)
        assert result["calculable"] is (result["reason"] is None)


def test_all_zero_return_is_strict_json_and_explained():
    data = {key: dict.fromkeys(GROUPS, 0) for key in all_row_keys()}
    document = results_document(data, population_share=None)
    json.dumps(document, allow_nan=False)
    assert not any(r["calculable"] for r in document["results"])
    assert all(r["reason"] for r in document["results"])


def test_missing_rows_count_as_zero():
    data = make_return({("shortlisted", ""): (10, 10, 0), ("appointed", ""): (5, 4, 0)})
    assert entry(compute_results(data, population_share=None), "adults", "m2")["relative_likelihood"] == 0.8


# ---- formatting and sentences -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.61039, "0.61"), (0.87309, "0.87"), (1.0, "1.00"), (0.125, "0.13"), (0.615, "0.62"), (0.0049, "0.00"),
     (2.5, "2.50"), (12.345, "12.35"), (None, "not calculable")],
)  # fmt: skip
def test_format_ratio(value, text):
    assert format_ratio(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.18902, "18.9%"), (0.30968, "31.0%"), (0.15, "15.0%"), (1.0, "100.0%"), (0.0, "0.0%"),
     (0.00049, "0.0%"), (0.1234999, "12.3%"), (0.00125, "0.1%"), (None, "not calculable")],
)  # fmt: skip
def test_format_percent(value, text):
    assert format_percent(value) == text


def test_format_interval_and_points():
    assert format_interval([0.42674, 0.87309]) == "0.43 to 0.87"
    assert format_interval(None, missing="-") == "-"
    assert format_points(-3.24) == "-3.2 percentage points"
    assert format_points(-0.04) == "0.0 percentage points"
    assert format_points(None) == "not calculable"


def _sentence_for(code, rows=None, population_share=None):
    data = make_return({**ADULTS, **(rows or {})})
    return sentence(entry(compute_results(data, population_share=population_share), "adults", code))


@pytest.mark.parametrize(
    ("code", "rows", "text"),
    [
        ("m2", {},
         "Minority ethnic staff were 0.61 times as likely as white staff to be appointed from shortlisting."),
        ("m3", {},
         "Minority ethnic staff were 2.37 times as likely as white staff to enter the formal disciplinary "
         "process."),
        ("m7b", {},
         "Minority ethnic staff were 1.67 times as likely as white staff to report harassment, bullying or "
         "abuse from managers."),
        ("m4", {},
         "None of the minority ethnic regulated professionals were referred to the fitness-to-practise "
         "process, against 1.0% of white regulated professionals."),
        ("m8", {("leavers", ""): (0, 20, 2)},
         "The relative likelihood of leaving the council cannot be calculated. None of the white staff left "
         "the council, so there is no white rate to compare with."),
        ("m2", {("shortlisted", ""): (310, 0, 7), ("appointed", ""): (96, 0, 1)},
         "The relative likelihood of being appointed from shortlisting cannot be calculated. There were no "
         "minority ethnic shortlisted candidates, so there is no minority ethnic rate."),
    ],
)  # fmt: skip
def test_sentences(code, rows, text):
    assert _sentence_for(code, rows) == text


def test_m9_sentence_with_and_without_population():
    rows = {("headcount", ""): (850, 150, 40), ("senior_managers", ""): (40, 10, 2)}
    assert _sentence_for("m9", rows, 0.12) == (
        "Minority ethnic staff were 1.42 times as likely as white staff to be senior managers. They were "
        "20.0% of senior managers, against 15.0% of the workforce and 12.0% of the local population."
    )
    assert _sentence_for("m9", rows).endswith("against 15.0% of the workforce.")
    assert _sentence_for("m9", {**rows, ("senior_managers", ""): (40, 0, 2)}, 0.12) == (
        "None of the minority ethnic staff were senior managers, against 4.7% of white staff. They were "
        "0.0% of senior managers, against 15.0% of the workforce and 12.0% of the local population."
    )


def test_every_indicator_has_a_sentence():
    results = compute_results(make_return(ADULTS), population_share=0.1)
    assert all(sentence(r).endswith(".") for r in results)
    assert all(INDICATORS_BY_CODE[r["indicator"]] for r in results)


# ---- benchmarks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            [1, 2, 3, 4],
            {"n": 4, "min": 1, "lower_quartile": 1.75, "median": 2.5, "upper_quartile": 3.25, "max": 4},
        ),
        (
            [0.5],
            {"n": 1, "min": 0.5, "lower_quartile": 0.5, "median": 0.5, "upper_quartile": 0.5, "max": 0.5},
        ),
        (
            [3, None, 1, 2],
            {"n": 3, "min": 1, "lower_quartile": 1.5, "median": 2, "upper_quartile": 2.5, "max": 3},
        ),
        (
            [],
            {
                "n": 0,
                "min": None,
                "lower_quartile": None,
                "median": None,
                "upper_quartile": None,
                "max": None,
            },
        ),
        (
            [None],
            {
                "n": 0,
                "min": None,
                "lower_quartile": None,
                "median": None,
                "upper_quartile": None,
                "max": None,
            },
        ),
    ],
)
def test_distribution_worked_examples(values, expected):
    assert distribution(values) == expected


@given(st.lists(st.floats(0, 10, allow_nan=False), min_size=2, max_size=60))
def test_distribution_matches_numpy_and_statistics(values):
    result = distribution(values)
    lq, median, uq = np.percentile(values, [25, 50, 75])
    assert (result["lower_quartile"], result["median"], result["upper_quartile"]) == pytest.approx(
        (lq, median, uq)
    )
    assert [result["lower_quartile"], result["median"], result["upper_quartile"]] == pytest.approx(
        statistics.quantiles(values, n=4, method="inclusive")
    )
    assert result["median"] == pytest.approx(statistics.median(values))
    assert (result["min"], result["max"], result["n"]) == (min(values), max(values), len(values))


def test_band_counts():
    bands = ["within_range", "adverse_to_minority_ethnic", "within_range", None, "within_range"]
    assert band_counts(bands) == {
        "n": 4,
        "not_calculable": 1,
        "bands": {
            "within_range": {"n": 3, "share": 0.75},
            "adverse_to_minority_ethnic": {"n": 1, "share": 0.25},
            "adverse_to_white": {"n": 0, "share": 0.0},
        },
    }
    assert band_counts([None])["bands"]["within_range"] == {"n": 0, "share": None}


@pytest.mark.parametrize(
    ("value", "position"),
    [(0.5, 1), (1.75, 1), (2.0, 2), (2.5, 2), (3.0, 3), (3.25, 3), (3.5, 4), (9, 4), (None, None)],
)
def test_quartile_position(value, position):
    assert quartile_position(value, distribution([1, 2, 3, 4])) == position


def test_quartile_position_of_an_empty_distribution():
    assert quartile_position(1.0, distribution([])) is None


def test_pooled_sums_counts_row_by_row():
    one = make_return({("headcount", ""): (10, 2, 1)}) | make_return(
        {("headcount", ""): (5, 5, 5)}, "children"
    )
    two = make_return({("headcount", ""): (1, 1, 1), ("leavers", ""): (3, 0, 0)})
    assert pooled([one, two]) == {
        RowKey("adults", "headcount"): {"white": 11, "minority_ethnic": 3, "unknown": 2},
        RowKey("children", "headcount"): {"white": 5, "minority_ethnic": 5, "unknown": 5},
        RowKey("adults", "leavers"): {"white": 3, "minority_ethnic": 0, "unknown": 0},
    }
    assert pooled([]) == {}


@settings(max_examples=30, deadline=None)
@given(st.lists(returns(), min_size=1, max_size=4))
def test_pooled_national_figure_is_computed_on_the_sums(datas):
    national = pooled(datas)
    m2 = entry(compute_results(national, population_share=None), "adults", "m2")
    appointed = [sum(d[RowKey("adults", "appointed")][g] for d in datas) for g in GROUPS]
    shortlisted = [sum(d[RowKey("adults", "shortlisted")][g] for d in datas) for g in GROUPS]
    expected = relative_likelihood(appointed[1], shortlisted[1], appointed[0], shortlisted[0])
    assert m2["relative_likelihood"] == expected.relative_likelihood
    assert math.isclose(m2["rate"]["white"] or 0, expected.rate_white or 0)


@settings(max_examples=500, deadline=None)
@given(
    numerator=st.integers(min_value=0, max_value=10**9),
    denominator=st.integers(min_value=1, max_value=10**9),
    favourable=st.booleans(),
)
def test_the_cross_multiplied_band_agrees_with_the_fraction_band(
    numerator: int, denominator: int, favourable: bool
) -> None:
    """compute_results decides bands by cross-multiplying whole numbers (issue 7: it is faster);
    it must agree with the documented band of the exact fraction, edges included."""
    from metrics.calculations import _four_fifths_band_exact

    assert _four_fifths_band_exact(numerator, denominator, favourable=favourable) == four_fifths_band(
        Fraction(numerator, denominator), favourable=favourable
    )


@pytest.mark.parametrize(("numerator", "denominator"), [(4, 5), (5, 4), (399, 500), (501, 400)])
def test_the_cross_multiplied_band_at_the_edges(numerator: int, denominator: int) -> None:
    from metrics.calculations import _four_fifths_band_exact

    inside = Fraction(4, 5) <= Fraction(numerator, denominator) <= Fraction(5, 4)
    assert (_four_fifths_band_exact(numerator, denominator, favourable=True) == "within_range") is inside


# ---- found by mutation testing (make mutation; tests/metrics/MUTANTS.md) ---------------------------


@pytest.mark.parametrize(
    ("a", "n1", "c", "n2", "significant"),
    [
        (45, 200, 30, 300, True),  # interval 1.47 to 3.44: above 1, though not above 2
        (10, 75, 12, 225, True),  # 1.13 to 5.55
        (31, 164, 96, 310, True),  # 0.43 to 0.87: below 1
        (20, 100, 20, 100, False),  # 0.57 to 1.74: includes 1
        (5, 5, 10, 10, False),  # exactly [1, 1]: touching 1 is not significant
    ],
)
def test_significant_when_the_interval_excludes_1(a, n1, c, n2, significant):
    """The published "significant" column: the interval lies wholly above or wholly below 1."""
    assert relative_likelihood(a, n1, c, n2).significant is significant


@pytest.mark.parametrize("code", UNFAVOURABLE)
def test_unfavourable_indicators_band_a_higher_minority_ethnic_rate_as_adverse_to_them(code):
    """Disciplinaries, referrals, harassment and leaving are bad outcomes: minority ethnic staff twice
    as likely to have them is adverse to minority ethnic staff (and half as likely, adverse to white)."""
    indicator = INDICATORS_BY_CODE[code]
    for (me, white), band in (((40, 20), "adverse_to_minority_ethnic"), ((10, 20), "adverse_to_white")):
        rows = {
            **ADULTS,
            (indicator.denominator, ""): (100, 100, 0),
            (indicator.numerator, ""): (white, me, 0),
        }
        result = entry(compute_results(make_return(rows), population_share=None), "adults", code)
        assert result["four_fifths"] == band, code
        assert result["relative_likelihood"] == me / white


@pytest.mark.parametrize("code", FAVOURABLE)
def test_favourable_indicators_band_a_higher_minority_ethnic_rate_as_adverse_to_white_staff(code):
    indicator = INDICATORS_BY_CODE[code]
    rows = {**ADULTS, (indicator.denominator, ""): (100, 100, 0), (indicator.numerator, ""): (20, 40, 0)}
    result = entry(compute_results(make_return(rows), population_share=None), "adults", code)
    assert result["four_fifths"] == "adverse_to_white"


def test_relative_likelihood_treats_the_outcome_as_favourable_unless_told():
    assert relative_likelihood(79, 100, 100, 100).four_fifths == "adverse_to_minority_ethnic"


@pytest.mark.parametrize("negative", range(4))
def test_any_negative_count_is_refused(negative):
    counts = [5, 10, 5, 10]
    counts[negative] = -1
    with pytest.raises(ValueError, match="negative"):
        relative_likelihood(*counts)


def test_reasons_in_full():
    assert relative_likelihood(12, 10, 5, 20).reason == (
        "More people had the outcome than were counted in the group, so the figures do not add up."
    )
    assert relative_likelihood(12, 9, 50, 100).low_numbers is True  # n1 = 9, even when it does not add up
    assert relative_likelihood(0, 0, 0, 0).reason == (
        "There were no white or minority ethnic people, so no rate can be calculated."
    )
    assert relative_likelihood(5, 40, 0, 60).reason == (
        "None of the white people had the outcome, so there is no white rate to compare with."
    )


@pytest.mark.parametrize(
    ("band", "headcount", "low"),
    [
        ((10, 10, 0), (10, 10, 0), False),  # 10 is not low
        ((9, 50, 0), (100, 100, 0), True),  # the band's white count
        ((50, 9, 0), (100, 100, 0), True),
        ((50, 50, 0), (9, 100, 0), True),
        ((50, 50, 0), (100, 9, 0), True),
    ],
)
def test_m1_low_numbers_is_any_white_or_minority_ethnic_count_below_ten(band, headcount, low):
    rows = {**ADULTS, ("headcount_band", "lower"): band, ("headcount", ""): headcount}
    result = entry(compute_results(make_return(rows), population_share=None), "adults", "m1_lower")
    assert result["low_numbers"] is low


def test_shares_count_a_missing_group_as_zero():
    assert minority_ethnic_share({"white": 3}) == 0.0
    assert minority_ethnic_share({"minority_ethnic": 3}) == 1.0
    assert minority_ethnic_share({"white": 1, "minority_ethnic": 3}) == 0.75
    assert minority_ethnic_share({}) is None
    assert unknown_share({"white": 3}) == 0.0
    assert unknown_share({"unknown": 3}) == 1.0
    assert unknown_share({"white": 1, "unknown": 1}) == 0.5


def test_all_counts_a_group_missing_from_one_service_as_zero():
    data = make_return(ADULTS) | make_return(ADULTS, "children")
    data[RowKey("children", "appointed")] = {"white": 96, "minority_ethnic": 31}  # no "unknown"
    both = entry(compute_results(data, population_share=None), "all", "m2")
    assert both["numerator"] == {"white": 192, "minority_ethnic": 62, "unknown": 1}


def test_pooled_keeps_each_pay_band_apart():
    total = pooled([make_return(ADULTS), make_return(ADULTS)])
    assert total[RowKey("adults", "headcount_band", "lower")] == {
        "white": 804,
        "minority_ethnic": 176,
        "unknown": 20,
    }
    assert total[RowKey("adults", "headcount_band", "upper")] == {
        "white": 78,
        "minority_ethnic": 8,
        "unknown": 4,
    }
    assert RowKey("adults", "headcount_band") not in total
    lower = entry(compute_results(total, population_share=None), "adults", "m1_lower")
    assert lower["share"]["band"] == 176 / 980


def test_results_document_passes_the_population_share_on():
    document = results_document(make_return(ADULTS), population_share=0.25)
    assert entry(document["results"], "adults", "m9")["share"]["population"] == 0.25


def test_not_calculable_is_said_in_words():
    assert format_interval(None) == "not calculable"
    assert format_ratio(None) == format_percent(None) == format_points(None) == "not calculable"
