from __future__ import annotations

from rest_framework.test import APIClient

from accounts.models import Invitation
from tests.factories import api_key


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def test_me_lists_memberships(alice, authority_a) -> None:
    data = _token_client(alice).get("/api/v1/me/").json()
    # `authority` is the ONS code everywhere in the API (issue 16); the name is authority_name.
    assert data["memberships"] == [
        {"authority": authority_a.ons_code, "authority_name": "Lambeth", "role": "programme_lead"}
    ]


def test_authority_list_is_scoped(alice, charlie, analyst, authority_a, authority_b) -> None:
    assert [a["ons_code"] for a in _token_client(alice).get("/api/v1/authorities/").json()["results"]] == [
        authority_a.ons_code
    ]
    assert {a["ons_code"] for a in _token_client(analyst).get("/api/v1/authorities/").json()["results"]} == {
        authority_a.ons_code,
        authority_b.ons_code,
    }


def test_members_and_invitation_api(alice, bob, authority_a) -> None:
    client = _token_client(alice)
    emails = {
        m["email"]
        for m in client.get(f"/api/v1/authorities/{authority_a.ons_code}/members/").json()["results"]
    }
    assert emails == {alice.email, bob.email}
    response = client.post(
        f"/api/v1/authorities/{authority_a.ons_code}/invitations/",
        {"email": "api@lambeth.example", "role": "viewer"},
    )
    assert response.status_code == 201
    assert Invitation.objects.get().email == "api@lambeth.example"
    again = client.post(
        f"/api/v1/authorities/{authority_a.ons_code}/invitations/", {"email": bob.email, "role": "viewer"}
    )
    assert again.status_code == 400
    assert again["Content-Type"] == "application/problem+json"
    (error,) = again.json()["errors"]
    assert error["pointer"] == "/email" and "already a member" in error["detail"]


def test_schema_and_docs_are_served(client, alice) -> None:
    client.force_login(alice)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
