"""The national action-plan page's list of councils (issue 18: analyst lists flat in N). It listed
every council with its plan (7.3 MB and 974 ms at 20,000 councils); it is now searched, filtered,
sorted and paged by the database, as the authority list is, with the counts from the database."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from actionplans.models import ActionPlan
from tests.builders import sign_plan, written_plan
from tests.factories import AuthorityFactory, member

YEAR = 2026
URL = reverse("actionplans:national")


@pytest.fixture
def councils(db):
    """Four councils: no plan, a draft, a signed-off plan and one changed since its sign-off."""
    made = {
        name: AuthorityFactory.create(name=name, ons_code=code, region=region)
        for name, code, region in [
            ("Barnet", "E09000003", "London"),
            ("Camden", "E09000007", "London"),
            ("Derby", "E06000015", "East Midlands"),
            ("Ealing", "E09000009", "London"),
        ]
    }
    with time_machine.travel(datetime.datetime(YEAR, 5, 1, 12, tzinfo=datetime.UTC), tick=False):
        for name in ("Camden", "Derby", "Ealing"):
            authority = made[name]
            lead = member(authority, Role.PROGRAMME_LEAD)
            plan = written_plan(authority, lead, year=YEAR)
            if name != "Camden":
                sign_plan(plan, member(authority, Role.SENIOR_SPONSOR))
    ActionPlan.objects.filter(authority=made["Ealing"]).update(changed_since_sign_off=True)
    return made


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


ROW_NAME = re.compile(r'<th scope="row" class="govuk-table__header">(?:<a [^>]*>)?([^<]+)')


def _rows(html: str) -> list[str]:
    return html.split('id="councils-caption"')[1].split("</tbody>")[0].split("</tr>")


def _names(html: str) -> list[str]:
    return [name for row in _rows(html) for name in ROW_NAME.findall(row)]


def test_the_list_is_paged_by_the_database(analyst_client, councils, monkeypatch) -> None:
    monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 2)
    html = analyst_client.get(URL, {"year": YEAR}).content.decode()
    assert _names(html) == ["Barnet", "Camden"]
    assert "4 councils and their plans for 2026 to 2027, page 1 of 2" in html
    assert "Derby" not in html.split('id="councils-caption"')[1]
    second = analyst_client.get(URL, {"year": YEAR, "page": 2}).content.decode()
    assert _names(second) == ["Derby", "Ealing"]


def test_each_council_shows_its_plans_state_and_the_counts(analyst_client, councils) -> None:
    html = analyst_client.get(URL, {"year": YEAR}).content.decode()
    assert "2 of 4 councils have a signed-off plan for 2026 to 2027; 3 have started one." in html
    by_name = {name: row for row in _rows(html) for name in ROW_NAME.findall(row)}
    assert "No plan" in by_name["Barnet"] and "href" not in by_name["Barnet"]
    assert "Draft" in by_name["Camden"] and f"/action-plans/{YEAR}/" in by_name["Camden"]
    assert "Signed off" in by_name["Derby"] and "1 May 2026" in by_name["Derby"]
    assert "Changed since sign-off" in by_name["Ealing"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"plan": "none"}, ["Barnet"]),
        ({"plan": "draft"}, ["Camden"]),
        ({"plan": "signed_off"}, ["Derby"]),
        ({"plan": "changed"}, ["Ealing"]),
        ({"region": "East Midlands"}, ["Derby"]),
        ({"q": "E09000007"}, ["Camden"]),
        ({"q": "ling"}, ["Ealing"]),
        ({"q": "nowhere"}, []),
        ({"sort": "-council"}, ["Ealing", "Derby", "Camden", "Barnet"]),
        # By progress: no plan, draft, changed since sign-off, signed off.
        ({"sort": "plan"}, ["Barnet", "Camden", "Ealing", "Derby"]),
        ({"sort": "-plan"}, ["Derby", "Ealing", "Camden", "Barnet"]),
    ],
)
def test_the_list_is_filtered_and_sorted(analyst_client, councils, query, expected) -> None:
    html = analyst_client.get(URL, {"year": YEAR, **query}).content.decode()
    assert _names(html) == expected
    if not expected:
        assert "No council matches these filters." in html


def test_another_year_lists_every_council_without_a_plan(analyst_client, councils) -> None:
    html = analyst_client.get(URL, {"year": YEAR + 1}).content.decode()
    assert _names(html) == ["Barnet", "Camden", "Derby", "Ealing"]
    assert "0 of 4 councils have a signed-off plan for 2027 to 2028; 0 have started one." in html
