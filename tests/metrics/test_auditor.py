"""The publication auditor: it finds what a determined reader can work out, and says nothing of what
they cannot."""

from __future__ import annotations

import pytest

from accounts.models import AuthorityType
from metrics import exports
from metrics.auditor import AtLeast, ReleaseView, StatisticsRow, audit, cases_implied, councils_above
from metrics.publication import PublicStatement, member_counts, public_view, view_from_tables
from submissions.models import Return
from submissions.schema import RowKey
from submissions.synthetic import synthetic_return
from tests.builders import round_with_accepted_returns

ADULTS_DISC = ("adults", "disciplinary", "", "minority_ethnic")


def _cells(area, value, **services):
    """The disciplinary, minority ethnic cells of one area: adults, children and all."""
    adults, children = services.get("adults", value), services.get("children", 0)
    return {
        (*area, "adults", "disciplinary", "", "minority_ethnic"): adults,
        (*area, "children", "disciplinary", "", "minority_ethnic"): children,
        (*area, "all", "disciplinary", "", "minority_ethnic"): None
        if adults is None
        else adults + (children or 0),
    }


def _counts(values):
    return {member: {ADULTS_DISC: value} for member, value in values.items()}


def test_a_council_alone_in_a_type_is_given_back_by_its_region() -> None:
    counts = _counts({"a": 20, "b": 30, "c": 15, "d": 25, "e": 40, "city": 4})
    bases = {
        ("region", "London"): frozenset(counts),
        ("authority_type", "london_borough"): frozenset("abcde"),
        ("authority_type", "city_of_london"): frozenset({"city"}),
    }
    shown = {
        **_cells(("region", "London"), 134),
        **_cells(("authority_type", "london_borough"), 130),
        **_cells(("authority_type", "city_of_london"), None),  # fewer than 5 councils: hidden
    }
    shown[("authority_type", "city_of_london", "all", "disciplinary", "", "minority_ethnic")] = None
    result = audit([ReleaseView("release 1", bases, shown)], counts, names={"city": "City of London"})
    assert not result.ok
    council = [leak for leak in result.leaks if leak.kind == "council" and "City of London" in leak.what]
    assert council and council[0].low == council[0].high == 4
    assert any(
        leak.kind == "hidden count" and leak.cell and leak.cell[1] == "city_of_london"
        for leak in result.leaks
    )


def test_a_protected_table_passes() -> None:
    """Two regions of 5 councils; England and both regions hidden where a count is small, but each
    hidden count can be anything over a range wide enough."""
    counts = _counts({f"n{k}": v for k, v in enumerate([3, 0, 0, 2, 0])} | {f"s{k}": 30 for k in range(5)})
    north, south = frozenset(f"n{k}" for k in range(5)), frozenset(f"s{k}" for k in range(5))
    bases = {("national", ""): north | south, ("region", "North"): north, ("region", "South"): south}
    shown = {
        **_cells(("national", ""), 155),
        **_cells(("region", "North"), None),
        **_cells(("region", "South"), None),
    }
    result = audit([ReleaseView("release 1", bases, shown)], counts)
    assert result.ok, result.leaks
    assert result.targets > 0


def test_statistics_that_say_every_council_has_a_case_narrow_a_hidden_count() -> None:
    counts = _counts({f"n{k}": v for k, v in enumerate([2, 1, 1, 2, 1])} | {f"s{k}": 30 for k in range(5)})
    north, south = frozenset(f"n{k}" for k in range(5)), frozenset(f"s{k}" for k in range(5))
    bases = {("national", ""): north | south, ("region", "North"): north, ("region", "South"): south}
    shown = {
        **_cells(("national", ""), 157),
        **_cells(("region", "North"), None),
        **_cells(("region", "South"), None),
    }
    safe = audit([ReleaseView("r", bases, shown)], counts)
    assert safe.ok, safe.leaks
    facts = [AtLeast(("region", "North"), "adults", "disciplinary", "", "minority_ethnic", 5)]
    facts += [AtLeast(("region", "South"), "adults", "disciplinary", "", "minority_ethnic", 5)]
    told = audit([ReleaseView("r", bases, shown, facts)], counts)
    # North is at least 5, South at least 5, together 157: North is 5 to 152. But each North council
    # is at least 1, so no single one is narrowed below... the region itself is still wide: no leak.
    assert told.ok, told.leaks
    # With South's figure published, North = 157 - 150 = 7 and each of its councils 1 to 3
    shown[("region", "South", "adults", "disciplinary", "", "minority_ethnic")] = 150
    shown[("region", "South", "all", "disciplinary", "", "minority_ethnic")] = 150
    leaked = audit([ReleaseView("r", bases, shown, facts)], counts)
    assert any(leak.kind == "hidden count" and leak.value == 7 for leak in leaked.leaks)


def test_a_council_added_between_two_releases_is_given_back_by_the_difference() -> None:
    counts = _counts({f"c{k}": 12 + k for k in range(6)} | {"plymouth": 2})
    first, second = frozenset(f"c{k}" for k in range(6)), frozenset(f"c{k}" for k in range(6)) | {"plymouth"}
    one = ReleaseView("release 1", {("national", ""): first}, _cells(("national", ""), 87))
    two = ReleaseView("release 2", {("national", ""): second}, _cells(("national", ""), 89))
    assert audit([one], counts).ok
    result = audit([one, two], counts, names={"plymouth": "Plymouth"})
    assert any(
        leak.kind == "council" and "Plymouth" in leak.what and leak.value == 2 for leak in result.leaks
    )
    assert any(leak.kind == "difference" for leak in result.leaks)


def test_what_statistics_say_about_single_councils() -> None:
    # five values: min 0.21 means all five are above 0; an upper quartile above 0, at least two
    assert councils_above(5, {"min": 0.21}, 0) == 5
    assert councils_above(5, {"min": 0.0, "upper_quartile": 0.57}, 0) == 2
    assert councils_above(5, {"min": 0.0, "median": 0.3}, 0) == 3
    assert councils_above(6, {"median": 0.3}, 0) == 3  # position 2.5: x[3] > 0
    assert councils_above(5, {"max": 0.0}, 0) == 0
    assert councils_above(5, {"min": "[c]"}, 0) == 0
    facts = cases_implied(
        StatisticsRow(
            ("region", "North East"),
            "adults",
            "disciplinary",
            "headcount",
            "",
            False,
            False,
            5,
            {"min": 0.21},
        )
    )
    minority = [f for f in facts if f.measure == "disciplinary" and f.group == "minority_ethnic"]
    assert minority and minority[0].k == 5
    # a band count says the same: "within range" and "adverse to minority ethnic" (m3) are above 0
    facts = cases_implied(
        StatisticsRow(
            ("national", ""), "adults", "disciplinary", "headcount", "", False, False, 8,
            {"min": 0.0}, {"within_range": 3, "adverse_to_minority_ethnic": 2, "adverse_to_white": 3},
        )
    )  # fmt: skip
    assert next(f.k for f in facts if f.group == "minority_ethnic" and f.measure == "disciplinary") == 5


# ---- today's national tables, for an adversarial world -------------------------------------------------


def _with(data, service, measure, counts):
    data = dict(data)
    data[RowKey(service, measure, "")] = dict(
        zip(("white", "minority_ethnic", "unknown"), counts, strict=True)
    )
    return data


def reader_view(collection_round, label):
    """Today's tables (`exports.national_tables`) for the round, as a reader would read them: the areas
    are published with every type as its own area, the councils of each known from the register."""
    tables = {dataset.title: dataset for dataset in exports.national_tables(collection_round)}
    bases: dict = {}
    counts, names = {}, {}
    for record in Return.objects.filter(round=collection_round, status=Return.Status.ACCEPTED).select_related(
        "authority", "current_version"
    ):
        authority = record.authority
        key = f"{authority.ons_code}@{record.current_version_id}"
        counts[key] = member_counts(record.current().data())
        names[key] = authority.name
        for area in [
            ("national", ""),
            ("region", authority.region),
            ("authority_type", authority.authority_type),
        ]:
            bases.setdefault(area, set()).add(key)
    view = view_from_tables(
        label,
        tables["Pooled counts"].dict,
        tables["Distribution"].dict,
        {area: frozenset(members) for area, members in bases.items()},
        type_values={label: value for value, label in AuthorityType.choices},
    )
    return view, counts, names


PLACES = (
    [("London", "london_borough")] * 5
    + [("London", "city_of_london")]
    + [("North East", "unitary")] * 5
    + [("South West", "unitary")] * 5
    + [("South West", "isles_of_scilly")]
)
ONE_COUNCIL_TYPES = {"city_of_london": "City of London", "isles_of_scilly": "Isles of Scilly"}


def adversarial_figures(n: int):
    region, kind = PLACES[n]
    data = synthetic_return(f"adv-{n}", size=400 if kind in ONE_COUNCIL_TYPES else None)
    if region == "North East":  # each of its councils has one or two minority ethnic cases
        data = _with(data, "adults", "disciplinary", (20, 1 + n % 2, 0))
    return data


@pytest.fixture
def adversarial(analyst):
    """London: 5 boroughs and the City of London; North East: 5 unitaries, each with one or two minority
    ethnic adults' disciplinary cases; South West: 5 unitaries and the Isles of Scilly."""
    return round_with_accepted_returns(
        analyst,
        n=len(PLACES),
        label="2031",
        data=adversarial_figures,
        authority_fields=lambda n: {
            "region": PLACES[n][0],
            "authority_type": PLACES[n][1],
            "name": ONE_COUNCIL_TYPES.get(PLACES[n][1], f"{PLACES[n][0]} {n}"),
        },
    )


def test_the_auditor_finds_the_leaks_in_todays_tables(
    adversarial, analyst, django_capture_on_commit_callbacks
) -> None:
    """Issue 14: the tables as the portal built them before releases give councils away."""
    first, counts, names = reader_view(adversarial, "download 1")
    result = audit([first], counts, names=names)
    kinds = {leak.kind for leak in result.leaks}
    assert not result.ok
    # the City of London and the Isles of Scilly: alone in their types, given back by their regions
    assert any(leak.kind == "council" and "City of London" in leak.what for leak in result.leaks)
    assert any(leak.kind == "council" and "Isles of Scilly" in leak.what for leak in result.leaks)
    # the North East's councils each have a case (every relative likelihood is above 0)
    assert any(
        leak.kind == "hidden count" and leak.cell and leak.cell[1] == "North East" for leak in result.leaks
    ), kinds

    # Plymouth is accepted between two downloads: its whole return comes back
    round_with_accepted_returns(
        analyst, n=1, collection_round=adversarial, data=lambda _: synthetic_return("plymouth"),
        authority_fields=lambda _: {"region": "South West", "authority_type": "unitary", "name": "Plymouth"},
    )  # fmt: skip
    second, more, more_names = reader_view(adversarial, "download 2")
    both = audit([first, second], counts | more, names=names | more_names)
    recovered = [leak for leak in both.leaks if leak.kind == "council" and "Plymouth" in leak.what]
    assert len(recovered) > 40  # most of its counts, small ones among them
    assert any(1 <= leak.value <= 9 and leak.low == leak.high for leak in recovered)


def test_a_public_plan_page_that_says_a_council_has_a_case_narrows_a_hidden_count() -> None:
    """England's 14 is printed and both regions hidden: North (8) could be 1 to 13. The public plan
    pages of South's five councils each print a relative likelihood for disciplinary above 0, so each
    has a minority ethnic case: South is at least 5 and North at most 9."""
    north = {f"n{k}": v for k, v in enumerate([2, 2, 2, 1, 1])}
    south = {f"s{k}": 1 + (k == 4) for k in range(5)}
    counts = _counts(north | south)
    bases = {
        ("national", ""): frozenset(counts),
        ("region", "North"): frozenset(north),
        ("region", "South"): frozenset(south),
    }
    shown = {
        **_cells(("national", ""), 14),
        **_cells(("region", "North"), None),
        **_cells(("region", "South"), None),
    }
    release = ReleaseView("release 1", bases, shown)
    assert audit([release], counts).ok
    values = {member: {("all", "m3"): (1.4, "")} for member in counts}
    pages = public_view(
        [PublicStatement(member, "2025", "m3", 1.4) for member in south],
        ((member, member, values[member]) for member in counts),
    )
    assert pages is not None and set(pages.bases) == {("council", member) for member in south}
    result = audit([release, pages], counts)
    north_leak = [
        leak
        for leak in result.leaks
        if leak.kind == "hidden count" and leak.cell and leak.cell[1] == "North" and leak.value == 8
    ]
    assert north_leak and north_leak[0].high <= 9
    # a page whose figure is not the council's own (a later resubmission) says nothing
    stale = public_view(
        [PublicStatement(member, "2025", "m3", 0.9) for member in south],
        ((member, member, values[member]) for member in counts),
    )
    assert stale is None


def test_a_relative_likelihood_of_0_on_a_public_page_says_there_is_no_case() -> None:
    counts = {"a": {ADULTS_DISC: 0, ("adults", "headcount", "", "minority_ethnic"): 30}}
    values = {("all", "m3"): (0.0, "")}
    pages = public_view([PublicStatement("A1", "2025", "m3", 0.0)], [("a", "A1", values)])
    assert pages is not None and pages.ratios
    assert pages.ratios[0].low == pages.ratios[0].high == 0
    assert audit([pages], counts).ok  # facts about counts no table prints constrain nothing
