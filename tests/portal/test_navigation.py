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
