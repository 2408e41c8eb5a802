"""Issue 15, item 15: council navigation (Return, Results, Action plan, Team, History), breadcrumbs,
and no "Your council" wording shown to an analyst looking at a council."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(html: str) -> list[str]:
    menu = html.split('aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r'navigation__link"[^>]*>(.*?)</a>', menu, re.S)
    ]


def _breadcrumbs(html: str) -> list[tuple[str, str]]:
    if 'aria-label="Breadcrumb"' not in html:
        return []
    trail = html.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a class="govuk-breadcrumbs__link" href="([^"]+)">([^<]+)</a>', trail)


def test_council_pages_offer_the_councils_sections_in_the_navigation(client, alice, authority_a) -> None:
    client.force_login(alice)
    html = client.get(reverse("accounts:team", args=[authority_a.ons_code])).content.decode()
    assert _nav(html) == ["Home", "Return", "Results", "Action plan", "Team", "History", "Your account"]
    assert f'href="{reverse("accounts:team", args=[authority_a.ons_code])}" aria-current="page"' in html


def test_a_returns_page_has_breadcrumbs_back_to_the_council(
    client, alice, authority_a, collection_round, draft
) -> None:
    client.force_login(alice)
    url = reverse("submissions:versions", args=[authority_a.ons_code, collection_round.label])
    crumbs = _breadcrumbs(client.get(url).content.decode())
    assert crumbs == [
        (reverse("portal:home"), "Home"),
        (reverse("portal:council_home", args=[authority_a.ons_code]), "Lambeth"),
        (reverse("submissions:list", args=[authority_a.ons_code]), "Returns"),
        (
            reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label]),
            f"{collection_round.label} return",
        ),
    ]


def test_the_board_summary_has_breadcrumbs_back_to_its_results(
    client, alice, authority_a, collection_round, draft
) -> None:
    client.force_login(alice)
    url = reverse("metrics:board_summary", args=[authority_a.ons_code, collection_round.label])
    response = client.get(url)
    assert response.status_code == 200
    assert _breadcrumbs(response.content.decode()) == [
        (reverse("portal:home"), "Home"),
        (reverse("portal:council_home", args=[authority_a.ons_code]), "Lambeth"),
        (reverse("metrics:council_latest", args=[authority_a.ons_code]), "Results"),
        (
            reverse("metrics:council_results", args=[authority_a.ons_code, collection_round.label]),
            f"{collection_round.label} results",
        ),
    ]


def test_an_analyst_reaches_a_council_from_the_authority_list(client, analyst, authority_a) -> None:
    client.force_login(analyst)
    crumbs = _breadcrumbs(client.get(reverse("accounts:team", args=[authority_a.ons_code])).content.decode())
    assert crumbs == [
        (reverse("portal:authority_list"), "Authorities"),
        (reverse("portal:council_home", args=[authority_a.ons_code]), "Lambeth"),
    ]


def test_an_analyst_is_never_told_your_council_has_no_action_plan(client, analyst, authority_a) -> None:
    client.force_login(analyst)
    html = client.get(reverse("portal:council_home", args=[authority_a.ons_code])).content.decode()
    assert "Your council" not in html
    assert "Lambeth has no action plan" in html


def test_the_council_sections_are_kept_per_page_and_council_and_each_call_gets_its_own() -> None:
    """portal.navigation.council_nav keeps the sections once per process (issue 18): the same as
    working them out, the active section that of the page asked about, and a caller's change to
    what it got never reaches the next caller."""
    from portal.navigation import _council_nav, council_nav

    first = council_nav("metrics:council_results", "E08000035")
    assert [(i["label"], i["href"], i["active"]) for i in first] == list(
        _council_nav("metrics:council_results", "E08000035")
    )
    assert [i["label"] for i in first if i["active"]] == ["Results"]
    first[0]["active"] = True
    first[0]["href"] = "/changed/"
    again = council_nav("metrics:council_results", "E08000035")
    assert again[0]["href"] == reverse("submissions:list", args=["E08000035"]) and not again[0]["active"]
    assert [i["label"] for i in council_nav("actionplans:list", "E08000035") if i["active"]] == [
        "Action plan"
    ]
    assert council_nav("actionplans:list", "E09000022")[0]["href"] == reverse(
        "submissions:list", args=["E09000022"]
    )


def test_kept_breadcrumbs_follow_the_council_its_name_and_the_reader(
    client, analyst, alice, authority_a, authority_b
) -> None:
    """The breadcrumbs are kept per process (issue 18): each council's page still names its own
    council, a renamed council's new name shows at once, and a member and an analyst each get their
    own trail."""
    client.force_login(analyst)
    team = "accounts:team"
    for authority in (authority_a, authority_b, authority_a):
        crumbs = _breadcrumbs(client.get(reverse(team, args=[authority.ons_code])).content.decode())
        assert crumbs[1] == (reverse("portal:council_home", args=[authority.ons_code]), authority.name)
        assert crumbs[0] == (reverse("portal:authority_list"), "Authorities")
    authority_a.name = "Lambeth & Southwark <renamed>"
    authority_a.save()
    crumbs = _breadcrumbs(client.get(reverse(team, args=[authority_a.ons_code])).content.decode())
    assert crumbs[1][1] == "Lambeth &amp; Southwark &lt;renamed&gt;"
    client.force_login(alice)
    crumbs = _breadcrumbs(client.get(reverse(team, args=[authority_a.ons_code])).content.decode())
    assert crumbs[0] == (reverse("portal:home"), "Home")


def test_an_invitation_link_opened_while_signed_in_keeps_no_secret_in_the_process(
    client, bob, authority_b, charlie
) -> None:
    """The breadcrumbs' per-process store is keyed by the URL's arguments: an invitation link's token
    (or a password-reset link's) must not be kept there after the request."""
    from accounts import services
    from accounts.models import Role
    from portal.templatetags import navigation

    _, token = services.invitation_create(
        authority=authority_b, email=bob.email, role=Role.VIEWER, invited_by=charlie
    )
    client.force_login(bob)
    response = client.get(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 200
    assert "Join Leeds" in response.content.decode()
    assert token not in repr(list(navigation._TRAILS._values))
