"""Issue 18: base.html's header and footer are rendered once per process for each navigation
(`{% page_header %}`, `{% page_footer %}` in portal/templatetags/navigation.py) and the request's own
CSRF field put into the sign-out form. A stored header must never carry one user's navigation or
token into another's page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.test_navigation import _nav

pytestmark = pytest.mark.django_db

TOKEN = re.compile(
    r'<form method="post" action="/sign-out/"[^>]*>\s*'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
)


def _sign_out_token(html: str) -> str:
    found = TOKEN.search(html.split("</header>", 1)[0])
    assert found, "no sign-out form with a CSRF field in the header"
    return found.group(1)


def test_each_user_gets_their_own_navigation_from_the_stored_headers(
    analyst, alice, authority_a, collection_round
) -> None:
    national, council = Client(), Client()
    national.force_login(analyst)
    council.force_login(alice)
    team = reverse("accounts:team", args=[authority_a.ons_code])
    for _ in range(2):  # the second time from the stored headers
        assert _nav(national.get(reverse("portal:authority_list")).content.decode()) == [
            "Home", "Authorities", "Rounds", "National results", "Action plans", "History", "Your account",
        ]  # fmt: skip
        assert _nav(council.get(team).content.decode()) == [
            "Home", "Return", "Results", "Action plan", "Team", "History", "Your account",
        ]  # fmt: skip
        html = national.get(reverse("portal:authority_list")).content.decode()
        assert f'href="{reverse("portal:authority_list")}" aria-current="page"' in html
        # A page below a section marks the section as current, not as the page.
        html = national.get(reverse("submissions:round_list")).content.decode()
        assert f'href="{reverse("submissions:round_list")}" aria-current="page"' in html
        html = national.get(reverse("submissions:monitor", args=[collection_round.label])).content.decode()
        assert f'href="{reverse("submissions:round_list")}" aria-current="true"' in html
        assert 'aria-current="page"' not in html.split("</header>", 1)[0]


def test_the_sign_out_form_carries_the_requests_own_csrf_token(analyst, alice) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(analyst)
    second.force_login(alice)
    page = reverse("accounts:settings")
    tokens = [_sign_out_token(client.get(page).content.decode()) for client in (first, second, first)]
    assert len(set(tokens)) == 3  # masked afresh on every request, never stored with the header
    response = second.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302
    assert second.get(page).status_code == 302  # signed out: sent to sign in


def test_a_page_for_someone_signed_out_has_no_sign_out_form_and_the_same_footer(client) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert "/sign-out/" not in html.split("<main", 1)[0]
    assert "\x00" not in html
    assert 'class="govuk-footer__link" href="/accessibility/">Accessibility statement</a>' in html
