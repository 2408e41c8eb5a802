"""A NUL byte (%00) in an address is refused with a 400 naming where it is, before any view runs.

PostgreSQL refuses a NUL in a query text, so an address whose path or parameter reached a query
with one was a 500 (`/councils/%00/team/`, `/invitations/%00/`; two query parameters were fixed one
by one before). One rule in `wres_portal.middleware.RequestLimitsMiddleware` covers every address,
including parameters views will read in future.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.submissions.test_apis import _client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    "path",
    ["/councils/{code}\x00/team/", "/councils/\x00/details/", "/invitations/abc\x00def/"],
)
def test_a_nul_byte_in_the_path_is_a_400(alice_client, authority_a, path) -> None:
    response = alice_client.get(path.format(code=authority_a.ons_code))
    assert response.status_code == 400
    page = response.content.decode()
    assert "a character that is not allowed (a NUL byte, written %00) in its path." in page
    assert "Sorry, there is a problem with your request" in page


def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(alice_client, analyst, client) -> None:
    response = client.get(reverse("accounts:login"), {"next": "/\x00", "other": "fine"})
    assert response.status_code == 400
    assert "in the parameter ‘next’. Remove it and try again." in response.content.decode()

    client.force_login(analyst)
    url = reverse("audit:national_history")
    response = client.get(url, {"authority": "Lee\x00ds", "kind": "re\x00turn"})
    assert response.status_code == 400
    assert "in the parameters ‘authority’, ‘kind’." in response.content.decode()
    response = client.get(url, {"authority\x00": "Leeds"})
    assert response.status_code == 400
    assert "in the parameter ‘authority’." in response.content.decode()


def test_an_api_request_gets_a_problem_document(alice, authority_a) -> None:
    response = _client(alice).get(f"/api/v1/authorities/{authority_a.ons_code}/returns/", {"page": "1\x00"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    document = response.json()
    assert document["code"] == "invalid"
    assert "in the parameter ‘page’" in document["detail"]
    response = _client(alice).get(f"/api/v1/authorities/{authority_a.ons_code}\x00/returns/")
    assert response.status_code == 400
    assert "in its path" in response.json()["detail"]


def test_a_percent_sign_followed_by_zeros_is_not_a_nul_byte(analyst, client) -> None:
    """`%2500` (a typed "%00") and a parameter ending in %25 followed by 00 are ordinary text."""
    client.force_login(analyst)
    url = reverse("audit:national_history")
    assert client.get(url, {"authority": "50%00"}).status_code == 200
    assert client.get(f"{url}?authority=100%25&kind=00").status_code == 200
