"""Issue 15, item 7: a form sent with a stale security token (after signing in again in another tab)
comes back with the typed answers and a fresh token, styled like the rest of the service, and saves
nothing."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


def _form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))


def _token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no token in the page"
    return found.group(1)


@pytest.fixture
def figures_url(draft) -> str:
    return reverse("submissions:enter", args=[draft.authority.ons_code, draft.round.label, "adults"])


def _signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_figures_typed_before_signing_in_again_elsewhere_come_back_with_a_fresh_token(
    alice, draft, figures_url
) -> None:
    client = _signed_in(alice)
    page = client.get(figures_url).content.decode()
    stale_token = _token(page)
    posted = {name: value for name, value in _form_fields(page).items() if name != "csrfmiddlewaretoken"}
    typed = str(int(posted["disciplinary__all__white"]) + 1)
    posted["disciplinary__all__white"] = typed
    posted["csrfmiddlewaretoken"] = stale_token
    # Signing in again in another tab gives the browser a new token secret (django.contrib.auth.login
    # rotates it), so the one in the open page no longer matches.
    client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    before = draft.current_version.pk

    response = client.post(figures_url, posted, HTTP_ORIGIN=ORIGIN)

    html = response.content.decode()
    assert response.status_code == 403
    assert "Your session changed" in html
    assert 'class="govuk-template"' in html  # the service's own page, not Django's plain one
    assert _form_fields(html)["disciplinary__all__white"] == typed
    assert _token(html) != stale_token
    draft.refresh_from_db()
    assert draft.current_version.pk == before, "nothing is saved without a valid token"

    # Pressing save again on the page it gave back saves the figures.
    again = {**posted, "csrfmiddlewaretoken": _token(html)}
    saved = client.post(figures_url, again, HTTP_ORIGIN=ORIGIN)
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.current_version.pk != before


def test_a_post_from_another_site_is_not_put_back_into_the_form(alice, figures_url) -> None:
    client = _signed_in(alice)
    response = client.post(
        figures_url,
        {"headcount__all__white": "4321", "csrfmiddlewaretoken": "x" * 32},
        HTTP_ORIGIN="https://evil.example",
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "Your session changed" in html
    assert "4321" not in html


def test_passwords_are_never_sent_back(alice) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    response = client.post(
        reverse("accounts:login"),
        {"username": "alice@lambeth.example", "password": "secret-typed", "csrfmiddlewaretoken": "y" * 32},
        HTTP_ORIGIN=ORIGIN,
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "alice@lambeth.example" in html
    assert "secret-typed" not in html
