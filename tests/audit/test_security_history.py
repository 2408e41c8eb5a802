"""Security events in the audit trail (issue 13 "Also", issue 12 item 10): users' roles and flags,
API tokens, multi-factor devices, passwords and sign-ins are recorded, on the national history page,
and no token, token hash or password hash is ever shown on a history page (PostgreSQL: CI)."""

from __future__ import annotations

import re

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken, Invitation, Role, SecurityEvent, User
from audit import models as audit_models
from tests.factories import api_key
from tests.workers import require_postgresql


@pytest.fixture
def postgresql():
    require_postgresql()


def _national(client, **params) -> str:
    return client.get(reverse("audit:national_history"), params).content.decode()


def test_council_history_shows_no_invitation_token_hash(postgresql, client, authority_a, alice) -> None:
    client.force_login(alice)
    client.post(
        reverse("accounts:team_invite", args=[authority_a.ons_code]),
        {"email": "new@lambeth.example", "role": "viewer"},
    )
    invitation = Invitation.objects.get(email="new@lambeth.example")
    page = client.get(reverse("audit:council_history", args=[authority_a.ons_code])).content.decode()
    assert "new@lambeth.example" in page  # the invitation is there...
    assert invitation.token_hash not in page  # ...but not its token's hash
    assert not any(f.name == "token_hash" for f in audit_models.InvitationHistory._meta.fields)


def test_the_invitation_link_is_not_kept_in_the_trail(postgresql, client, authority_a, alice) -> None:
    _, token = services.invitation_create(
        authority=authority_a, email="new@lambeth.example", role="viewer", invited_by=alice
    )
    client.post(
        reverse("accounts:invitation_accept", args=[token]),
        {
            "full_name": "New Person",
            "password1": "a-long-new-passphrase",
            "password2": "a-long-new-passphrase",
        },
    )
    accepted = audit_models.InvitationHistory.objects.filter(accepted_at__isnull=False).get()
    assert token not in accepted.pgh_context["url"]
    assert accepted.pgh_context["url"] == "/invitations/<token>/"


def test_token_creation_and_revocation_are_on_the_national_history(
    postgresql, client, alice, analyst
) -> None:
    client.force_login(alice)
    client.post(
        reverse("accounts:api_tokens"),
        {"action": "create", "name": "HR system", "scope": "read", "expires_in_days": "30"},
    )
    token = ApiToken.objects.get(user=alice)
    client.post(reverse("accounts:api_tokens"), {"action": "revoke", "token": str(token.uuid)})
    events = list(audit_models.ApiTokenHistory.objects.filter(pgh_obj_id=token.pk).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events[0].pgh_context["user"] == alice.pk and events[1].revoked_reason == "by_owner"
    assert not hasattr(events[0], "key_hash")
    client.force_login(analyst)
    page = _national(client, model="apitoken")
    assert "API token" in page and "HR system" in page and token.key_hash not in page
    assert "revoked by its owner" in page and "by_owner" not in page  # the label, not the code (issue 15)
    security = _national(client, model="securityevent")
    assert "API token created" in security and "API token revoked" in security
    assert "token_created" not in security and "token_revoked" not in security


def test_security_records_are_not_on_a_council_history(postgresql, client, authority_a, alice) -> None:
    api_key(alice)
    client.force_login(alice)
    page = client.get(reverse("audit:council_history", args=[authority_a.ons_code])).content.decode()
    assert "API token" not in page and "Security event" not in page


def test_users_roles_and_flags_are_audited_without_the_password_hash(
    postgresql, client, bob, analyst
) -> None:
    user = User.objects.get(pk=bob.pk)
    user.is_active = False
    user.save()
    user.set_password("another-long-passphrase")
    user.save()
    events = list(audit_models.UserHistory.objects.filter(pgh_obj_id=bob.pk).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]  # the password change is not a row change
    assert events[-1].is_active is False
    assert not any(f.name in ("password", "last_login") for f in audit_models.UserHistory._meta.fields)
    client.force_login(analyst)
    page = _national(client, model="user")
    assert "User account" in page and bob.email in page
    assert user.password not in page and not re.search(r"md5\$|argon2|pbkdf2_sha256\$", page)
    assert SecurityEvent.objects.filter(user=bob, kind="password_changed").exists()


def test_security_events_cannot_be_changed_or_deleted(postgresql, alice) -> None:
    api_key(alice)
    event = SecurityEvent.objects.filter(user=alice).first()
    assert event is not None
    for attempt in (
        lambda: SecurityEvent.objects.filter(pk=event.pk).update(detail="nothing happened"),
        lambda: SecurityEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert SecurityEvent.objects.get(pk=event.pk).kind == "token_created"


def test_a_membership_role_change_is_on_the_council_history(
    postgresql, client, authority_a, alice, bob
) -> None:
    from accounts.models import Membership

    client.force_login(alice)
    membership = Membership.objects.get(user=bob)
    client.post(
        reverse("accounts:member_role", args=[authority_a.ons_code, membership.uuid]),
        {"role": Role.STAFF_VOICE_LEAD},
    )
    page = client.get(
        reverse("audit:council_history", args=[authority_a.ons_code]), {"model": "membership"}
    ).content.decode()
    assert f"{bob.display_name} as staff voice lead" in page and "staff_voice_lead" not in page


def test_only_paths_a_secret_route_starts_with_are_resolved_for_the_trail(monkeypatch) -> None:
    """Every request computes the URL its changes are recorded with; resolving an API path walked
    every route (about half a millisecond a request, issue 18). A path that no route with a secret
    in it starts with is recorded as it is, without resolving it; a secret is still replaced."""
    from audit import middleware

    calls: list[str] = []
    resolve = middleware.resolve

    def counted(path: str) -> object:
        calls.append(path)
        return resolve(path)

    monkeypatch.setattr(middleware, "resolve", counted)
    path = "/api/v1/authorities/E09000001/returns/2026/versions/1/results/"
    assert middleware.recorded_path(path) == path
    assert calls == []
    assert middleware.recorded_path("/invitations/s3cr3t-t0ken/") == "/invitations/<token>/"
    assert middleware.recorded_path("/password-reset/MQ/abc-123/") == "/password-reset/<uidb64>/<token>/"
