from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role, User
from tests.factories import TEST_PASSWORD, member


def _found(pattern: str, text: str) -> str:
    """The first group of `pattern`'s first match in `text` (the test fails if there is none)."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in {text!r}"
    return match.group(1)


def _sign_in(client, email: str, password: str = TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_sign_in_page_is_gov_uk_styled(client, db) -> None:
    body = client.get(reverse("accounts:login")).content.decode()
    assert "govuk-generic-header" in body
    assert "WRES Portal" in body
    assert "govuk-crown" not in body and "GDS Transport" not in body
    assert 'href="#main-content"' in body
    assert "govuk-phase-banner" in body
    assert reverse("portal:accessibility") in body


def test_sign_in_with_email_goes_to_the_council_home(client, alice, authority_a) -> None:
    response = _sign_in(client, "ALICE@lambeth.example")
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:council_home", args=[authority_a.ons_code])
    assert "Lambeth" in response.content.decode()


def test_wrong_password_shows_a_located_error(client, alice) -> None:
    response = _sign_in(client, alice.email, "wrong")
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a correct email address and password" in body
    assert "<title>Error:" in body


def test_sign_in_is_throttled_after_five_failures(client, alice) -> None:
    for _ in range(5):
        _sign_in(client, alice.email, "wrong")
    response = _sign_in(client, alice.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "Sign in is paused" in response.content.decode()


def test_sign_out_needs_post_and_ends_the_session(client, alice) -> None:
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("portal:home")).status_code == 302


def test_password_reset_by_email(client, alice) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": alice.email})
    assert response.status_code == 302
    link = _found(r"http://127.0.0.1:8000(/password-reset/\S+/)", str(mail.outbox[0].body))
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"new_password1": "brand-new-passphrase-9", "new_password2": "brand-new-passphrase-9"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("brand-new-passphrase-9")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PROGRAMME_LEAD, "prepare and submit the return"),
        (Role.SENIOR_SPONSOR, "sign off the return"),
        (Role.STAFF_VOICE_LEAD, "contribute staff networks"),
        (Role.VIEWER, "read the return, the results"),
    ],
)
def test_each_council_role_has_its_home(client, authority_a, role, expected) -> None:
    client.force_login(member(authority_a, role))
    response = client.get(reverse("portal:home"), follow=True)
    body = response.content.decode()
    assert expected in body
    assert Role(role).label.lower() in body


def test_analyst_home_lists_every_authority(client, analyst, authority_a, authority_b) -> None:
    client.force_login(analyst)
    response = client.get(reverse("portal:home"), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("portal:authority_list")
    assert "Lambeth" in body and "Leeds" in body


def test_analyst_filters_authorities_by_region(client, analyst, authority_a, authority_b) -> None:
    client.force_login(analyst)
    body = client.get(
        reverse("portal:authority_list"), {"region": "Yorkshire and The Humber"}
    ).content.decode()
    assert "Leeds" in body and "Lambeth" not in body


def test_person_in_two_councils_chooses(client, authority_a, authority_b, alice) -> None:
    Membership.objects.create(user=alice, authority=authority_b, role=Role.VIEWER)
    client.force_login(alice)
    body = client.get(reverse("portal:home")).content.decode()
    assert "Lambeth" in body and "Leeds" in body


def test_invite_accept_and_sign_in(
    client, authority_a, sponsor_a, django_capture_on_commit_callbacks
) -> None:
    client.force_login(sponsor_a)  # a senior sponsor appoints another (separation of duties)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:team_invite", args=[authority_a.ons_code]),
            {"email": "nia@lambeth.example", "role": Role.SENIOR_SPONSOR},
        )
    assert response.status_code == 302
    link = _found(r"http://\S+(/invitations/\S+/)", str(mail.outbox[0].body))
    client.post(reverse("accounts:logout"))

    page = client.get(link).content.decode()
    assert "Join Lambeth" in page and "senior sponsor" in page
    response = client.post(
        link,
        {
            "full_name": "Nia Okafor",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("portal:home"), follow=True).status_code == 200
    client.post(reverse("accounts:logout"))
    assert _sign_in(client, "nia@lambeth.example", "a-long-unusual-passphrase").status_code == 302
    assert Membership.objects.get(user__email="nia@lambeth.example").role == Role.SENIOR_SPONSOR

    reused = client.get(link)
    assert reused.status_code == 410
    assert "already been used" in reused.content.decode()


def test_expired_invitation_link_says_so(client, authority_a, alice) -> None:
    _, token = services.invitation_create(
        authority=authority_a, email="late@lambeth.example", role=Role.VIEWER, invited_by=alice
    )
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.get(reverse("accounts:invitation_accept", args=[token]))
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
        response = client.post(
            reverse("accounts:invitation_accept", args=[token]),
            {
                "full_name": "Late",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )
    assert response.status_code == 410
    assert not User.objects.filter(email="late@lambeth.example").exists()


def test_accept_form_shows_every_mistake(client, authority_a, alice) -> None:
    _, token = services.invitation_create(
        authority=authority_a, email="new@lambeth.example", role=Role.VIEWER, invited_by=alice
    )
    response = client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {"full_name": "", "password1": "a-long-unusual-passphrase", "password2": "different-passphrase"},
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_full_name"' in body
    assert "The passwords do not match" in body
    assert Invitation.objects.get().accepted_at is None


def test_lead_changes_role_and_removes_member(client, authority_a, alice, bob) -> None:
    client.force_login(alice)
    bob_m = Membership.objects.get(user=bob)
    url = reverse("accounts:member_role", args=[authority_a.ons_code, bob_m.uuid])
    assert client.post(url, {"role": Role.STAFF_VOICE_LEAD}).status_code == 302
    bob_m.refresh_from_db()
    assert bob_m.role == Role.STAFF_VOICE_LEAD
    url = reverse("accounts:member_remove", args=[authority_a.ons_code, bob_m.uuid])
    assert "Remove" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(user=bob).exists()


def test_last_lead_cannot_remove_themselves(client, authority_a, alice) -> None:
    client.force_login(alice)
    alice_m = Membership.objects.get(user=alice)
    response = client.post(reverse("accounts:member_remove", args=[authority_a.ons_code, alice_m.uuid]))
    assert response.status_code == 200
    assert "must keep at least one programme lead" in response.content.decode()
    assert Membership.objects.filter(user=alice).exists()


def test_inviting_an_existing_member_is_a_located_error(client, authority_a, alice, bob) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("accounts:team_invite", args=[authority_a.ons_code]),
        {"email": bob.email, "role": Role.VIEWER},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_email"' in body and "already a member" in body


def test_analyst_invites_first_programme_lead(
    client, authority_a, analyst, django_capture_on_commit_callbacks
) -> None:
    client.force_login(analyst)
    page = client.get(reverse("accounts:team_invite", args=[authority_a.ons_code])).content.decode()
    assert "Programme lead" in page and "Viewer" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:team_invite", args=[authority_a.ons_code]),
            {"email": "first.lead@lambeth.example", "role": Role.PROGRAMME_LEAD},
        )
    assert Invitation.objects.get().role == Role.PROGRAMME_LEAD
    assert len(mail.outbox) == 1


def test_analyst_corrects_a_missing_population_share(client, authority_a, analyst) -> None:
    client.force_login(analyst)
    url = reverse("accounts:authority_edit", args=[authority_a.ons_code])
    data = {
        "name": "Lambeth",
        "region": "London",
        "authority_type": "london_borough",
        "population_source": "Nomis",
    }
    bad = client.post(url, {**data, "population_minority_ethnic_percent": "140"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    assert client.post(url, {**data, "population_minority_ethnic_percent": "45.3"}).status_code == 302
    authority_a.refresh_from_db()
    assert str(authority_a.population_minority_ethnic_percent) == "45.3"


def test_account_settings_and_api_tokens_page(client, alice) -> None:
    client.force_login(alice)
    client.post(reverse("accounts:settings"), {"full_name": "Alice Mensah"})
    alice.refresh_from_db()
    assert alice.full_name == "Alice Mensah"
    url = reverse("accounts:api_tokens")
    made = {"action": "create", "name": "HR system", "scope": "read", "expires_in_days": "30"}
    body = client.post(url, made).content.decode()
    key = _found(r"Token (wres_[0-9a-f]{8}_[A-Za-z0-9_-]{43})", body)
    api = client.__class__()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").json()["email"] == alice.email
    listed = client.get(url).content.decode()
    assert "HR system" in listed and key[:13] in listed and key not in listed  # shown once
    token = alice.api_tokens.get()
    assert client.post(url, {"action": "revoke", "token": str(token.uuid)}).status_code == 302
    refused = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def test_api_tokens_page_shows_located_errors(client, alice) -> None:
    client.force_login(alice)
    body = client.post(reverse("accounts:api_tokens"), {"action": "create"}).content.decode()
    assert "<title>Error:" in body and 'href="#id_name"' in body
    assert "Enter the name" in body or "Enter a name" in body


def test_accessibility_statement_is_public(client, db) -> None:
    response = client.get(reverse("portal:accessibility"))
    assert response.status_code == 200
    assert "Accessibility statement" in response.content.decode()
