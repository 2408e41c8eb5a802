"""The defaults the page starts from (spec hr-extract.md section 5)."""

from __future__ import annotations

import pytest

from submissions.hrdata.vocabulary import (
    CENSUS_2011,
    CENSUS_2021,
    NHS_CODES,
    ethnicity_defaults,
    for_page,
    normalise,
)


def test_census_2021_has_19_categories_under_five_headings():
    assert len(CENSUS_2021) == 5
    assert sum(len(categories) for _, _, categories in CENSUS_2021) == 19
    assert len(CENSUS_2011) == 5 and sum(len(c) for _, _, c in CENSUS_2011) == 18


@pytest.mark.parametrize(
    ("value", "group"),
    [
        ("White: English, Welsh, Scottish, Northern Irish or British", "white"),
        ("WHITE - ROMA", "white"),
        ("White: Gypsy or Irish Traveller", "white"),
        ("Other White", "white"),
        ("Asian, Asian British or Asian Welsh: Indian", "minority_ethnic"),
        ("Black/African/Caribbean/Black British: Caribbean", "minority_ethnic"),
        ("Mixed/multiple ethnic groups: White and Black African", "minority_ethnic"),
        ("Other ethnic group: Arab", "minority_ethnic"),
        ("Any other ethnic group", "minority_ethnic"),
        ("A", "white"),
        ("b", "white"),
        ("C", "white"),
        ("D", "minority_ethnic"),
        ("S", "minority_ethnic"),
        ("Z", "unknown"),
        ("99", "unknown"),
        ("Prefer not to say", "unknown"),
        ("", "unknown"),
        ("  NOT KNOWN ", "unknown"),
    ],
)
def test_defaults_place_census_nhs_and_unknown_values(value, group):
    assert ethnicity_defaults()[normalise(value)] == group


def test_nhs_codes_a_to_c_white_d_to_s_minority_ethnic():
    groups = {code: group for code, _, group in NHS_CODES}
    assert {c for c, g in groups.items() if g == "white"} == {"A", "B", "C"}
    assert {c for c, g in groups.items() if g == "minority_ethnic"} == set("DEFGHJKLMNPRS")


@pytest.mark.parametrize("value", ["Other", "British", "Mixed White", "WBRI", "Not applicable"])
def test_ambiguous_or_local_values_are_left_for_the_council(value):
    assert normalise(value) not in ethnicity_defaults()


def test_the_page_gets_synonyms_in_normalised_form():
    staff = {f["code"]: f for f in for_page()["extracts"]["staff"]["fields"]}
    assert "in post at snapshot" in staff["in_post_at_snapshot"]["synonyms"]
    assert staff["funded_cpd"]["optional"] and staff["start_date"]["alternative"] == "in_post"
