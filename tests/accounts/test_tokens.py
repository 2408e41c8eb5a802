"""API tokens designed for systems (issue 13, M2): several named tokens per user, the key shown once
and stored hashed, an expiry and a scope, revoked when the owner's password or roles change, and
signing off or accepting only with a token made after multi-factor sign-in."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services, tokens
from accounts.models import ApiToken, Membership, Role, SecurityEvent, User
from submissions import services as submission_services
from tests.factories import TEST_PASSWORD, api_key
from tests.workers import require_postgresql

SIGN_OFF = {"name": "S", "role": "DASS", "signed_on": "2026-01-01", "declaration": True}


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _make_on_the_page(client, scope: str = "read", name: str = "HR system", days: int = 90) -> str:
    body = client.post(
        reverse("accounts:api_tokens"),
        {"action": "create", "name": name, "scope": scope, "expires_in_days": str(days)},
    ).content.decode()
    found = re.search(r'<code class="app-token">([^<]+)</code>', body)
    assert found, body[:3000]
    return found.group(1)


def _base(record) -> str:
    return f"/api/v1/authorities/{record.authority.ons_code}/returns/{record.round.label}/"


def test_a_key_is_shown_once_and_only_its_hash_is_stored(client, alice) -> None:
    client.force_login(alice)
    key = _make_on_the_page(client)
    token = ApiToken.objects.get(user=alice)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix + "_") and len(key) >= 50
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(key in value or (value in key and len(value) > 20) for value in stored)
    assert key not in client.get(reverse("accounts:api_tokens")).content.decode()
    assert _api(key).get("/api/v1/me/").json()["email"] == alice.email


def test_several_named_tokens_work_side_by_side_and_are_revoked_one_at_a_time(client, alice) -> None:
    client.force_login(alice)
    first = _make_on_the_page(client, name="HR system")
    second = _make_on_the_page(client, name="Finance dashboard")
    assert _api(first).get("/api/v1/me/").status_code == 200
    assert _api(second).get("/api/v1/me/").status_code == 200
    page = client.get(reverse("accounts:api_tokens")).content.decode()
    assert "HR system" in page and "Finance dashboard" in page
    token = ApiToken.objects.get(user=alice, name="HR system")
    client.post(reverse("accounts:api_tokens"), {"action": "revoke", "token": str(token.uuid)})
    refused = _api(first).get("/api/v1/me/")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert _api(second).get("/api/v1/me/").status_code == 200


def test_someone_else_cannot_revoke_my_token(client, alice, charlie) -> None:
    key = api_key(alice)
    token = ApiToken.objects.get(user=alice)
    client.force_login(charlie)
    response = client.post(reverse("accounts:api_tokens"), {"action": "revoke", "token": str(token.uuid)})
    assert response.status_code == 404
    assert _api(key).get("/api/v1/me/").status_code == 200


def test_a_token_expires(alice) -> None:
    key = api_key(alice, days=7)
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        refused = _api(key).get("/api/v1/me/")
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]
    assert refused["WWW-Authenticate"] == "Token"


def test_a_token_lasts_at_most_a_year(alice) -> None:
    with pytest.raises(services.ApplicationError):
        tokens.api_token_create(user=alice, name="x", scope="read", expires_in_days=3650, verified=False)


def test_changing_the_password_revokes_every_token(client, alice) -> None:
    keys = [api_key(alice), api_key(alice, "read")]
    client.force_login(alice)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    for key in keys:
        refused = _api(key).get("/api/v1/me/")
        assert refused.status_code == 401
        assert "password" in refused.json()["detail"]


def test_a_password_reset_revokes_every_token(client, alice, django_capture_on_commit_callbacks) -> None:
    from django.core import mail

    key = api_key(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": alice.email})
    found = re.search(r"http://[^\s]+/password-reset/[^\s]+/", str(mail.outbox[-1].body))
    assert found
    link = found.group(0)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert User.objects.get(pk=alice.pk).check_password("a-new-long-passphrase")
    assert _api(key).get("/api/v1/me/").status_code == 401


def test_a_password_hash_upgraded_at_sign_in_revokes_nothing(alice, settings) -> None:
    key = api_key(alice)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    user = User.objects.get(pk=alice.pk)
    assert user.check_password(TEST_PASSWORD)  # rehashes with PBKDF2 and saves
    assert User.objects.get(pk=alice.pk).password.startswith("pbkdf2")
    assert _api(key).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        "role_changed_by_a_lead",
        "role_changed_by_a_bulk_update",
        "new_membership",
        "membership_removed",
        "national_role",
        "deactivated",
        "superuser",
    ],
)
def test_a_change_of_roles_revokes_the_owners_tokens(change, authority_a, authority_b, alice, bob) -> None:
    key = api_key(bob, "read")
    membership = Membership.objects.get(user=bob)
    if change == "role_changed_by_a_lead":
        services.membership_change_role(membership=membership, role=Role.STAFF_VOICE_LEAD, changed_by=alice)
    elif change == "role_changed_by_a_bulk_update":
        Membership.objects.filter(pk=membership.pk).update(role=Role.SENIOR_SPONSOR)  # no signals
    elif change == "new_membership":
        Membership.objects.create(user=bob, authority=authority_b, role=Role.VIEWER)
    elif change == "membership_removed":
        services.membership_remove(membership=membership, removed_by=alice)
    else:
        user = User.objects.get(pk=bob.pk)
        if change == "national_role":
            user.national_role = User.NationalRole.ANALYST
        elif change == "deactivated":
            user.is_active = False
        else:
            user.is_superuser = True
        user.save()
    refused = _api(key).get("/api/v1/me/")
    assert refused.status_code == 401, change
    if change != "role_changed_by_a_bulk_update":
        token = ApiToken.objects.get(user=bob)
        assert token.revoked_at is not None and token.revoked_reason == "roles_changed"


def test_the_m2_scenario_a_viewers_token_cannot_sign_off_once_they_become_sponsor(
    client, authority_a, alice, bob, draft
) -> None:
    """The review's finding: a token made while a viewer kept working after they became senior
    sponsor and, with no authenticator ever set up, signed off a return."""
    client.force_login(bob)
    key = _make_on_the_page(client, scope="submit")
    submission_services.return_submit(record=draft, user=alice)
    Membership.objects.filter(user=bob).update(role=Role.SENIOR_SPONSOR)
    response = _api(key).post(_base(draft) + "sign-off/", SIGN_OFF, format="json")
    assert response.status_code == 401
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_scopes_are_enforced_with_a_plain_403(alice, sponsor_a, draft) -> None:
    base = _base(draft)
    read = _api(api_key(alice, "read"))
    assert read.get(base).status_code == 200
    refused = read.post(base + "submit/", {}, format="json")
    assert refused.status_code == 403
    assert "scope is too small" in refused.json()["detail"]
    assert "read only" in refused.json()["detail"].lower()
    submitted = _api(api_key(alice, "submit")).post(
        base + "submit/", {}, format="json", HTTP_IF_MATCH='"1-draft"'
    )
    assert submitted.status_code == 200
    # A submit token cannot sign off, however senior its owner.
    sponsor_submit = _api(api_key(sponsor_a, "submit"))
    refused = sponsor_submit.post(base + "sign-off/", SIGN_OFF, format="json")
    assert refused.status_code == 403 and "scope is too small" in refused.json()["detail"]
    signed = _api(api_key(sponsor_a, "attest", verified=True)).post(
        base + "sign-off/", SIGN_OFF, format="json", HTTP_IF_MATCH=submitted["ETag"]
    )
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed_off"


def test_signing_off_needs_a_token_made_after_multi_factor_sign_in(sponsor_a, alice, draft) -> None:
    submission_services.return_submit(record=draft, user=alice)
    # A sign-off token can only be made from a verified session...
    with pytest.raises(services.ApplicationError, match="authenticator"):
        tokens.api_token_create(user=alice, name="x", scope="attest", expires_in_days=30, verified=False)
    # ...and one that was not (say, written by an older version) cannot sign off.
    key = api_key(sponsor_a, "attest", verified=True)
    ApiToken.objects.filter(user=sponsor_a).update(created_verified=False)
    refused = _api(key).post(_base(draft) + "sign-off/", SIGN_OFF, format="json")
    assert refused.status_code == 403
    assert "multi-factor" in refused.json()["detail"]


def test_a_user_whose_role_needs_multi_factor_makes_tokens_only_when_verified(
    sponsor_a, analyst, settings
) -> None:
    settings.MFA_REQUIRED_ROLES_ENFORCED = True
    for user in (sponsor_a, analyst):
        with pytest.raises(services.ApplicationError, match="multi-factor"):
            tokens.api_token_create(user=user, name="x", scope="read", expires_in_days=30, verified=False)
    token, _ = tokens.api_token_create(
        user=analyst, name="x", scope="attest", expires_in_days=30, verified=True
    )
    assert token.created_verified


def test_the_page_records_whether_the_session_was_verified(client, sponsor_a) -> None:
    client.force_login(sponsor_a)  # verified with an authenticator (tests/conftest.py)
    _make_on_the_page(client, scope="attest")
    assert ApiToken.objects.get(user=sponsor_a).created_verified


def test_an_unverified_session_cannot_make_a_sign_off_token(client, alice) -> None:
    client.force_login(alice)
    body = client.post(
        reverse("accounts:api_tokens"),
        {"action": "create", "name": "x", "scope": "attest", "expires_in_days": "30"},
    ).content.decode()
    assert "<title>Error:" in body and "authenticator app" in body
    assert not ApiToken.objects.filter(user=alice).exists()


def _api_routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _api_routes(
                entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            )
        elif isinstance(entry, URLPattern) and entry.name and prefix.endswith("-api:"):
            yield f"{prefix}{entry.name}", entry.callback


def test_every_sign_off_accept_and_send_back_operation_needs_the_attest_scope() -> None:
    attesting = {
        # A view may name a scope per method (reading a sign-off page needs less than signing).
        name: (scope.get("POST") if isinstance(scope := callback.view_class.token_scope, dict) else scope)
        for name, callback in _api_routes(get_resolver().url_patterns)
        # Sending a plan *for* sign-off is the programme lead's step, not an attestation.
        if re.search(r"sign_off|accept|send_back", name) and not name.endswith("send_for_sign_off")
    }
    assert set(attesting) >= {
        "submissions-api:sign_off",
        "submissions-api:accept",
        "submissions-api:send_back",
    }
    assert set(attesting.values()) == {ApiToken.Scope.ATTEST}
    sending = dict(_api_routes(get_resolver().url_patterns))["actionplans-api:send_for_sign_off"]
    assert sending.view_class.token_scope == ApiToken.Scope.SUBMIT


def test_token_events_are_recorded(client, alice) -> None:
    client.force_login(alice)
    _make_on_the_page(client, name="HR system")
    token = ApiToken.objects.get(user=alice)
    client.post(reverse("accounts:api_tokens"), {"action": "revoke", "token": str(token.uuid)})
    kinds = list(SecurityEvent.objects.filter(user=alice).order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == ["token_created", "token_revoked"]
    assert all(token.prefix in e.detail for e in SecurityEvent.objects.filter(kind__startswith="token"))


def test_tokens_made_before_scopes_keep_reading_only(alice, draft) -> None:
    """accounts/migrations/0003: DRF authtoken keys become read-only tokens for 30 days, then the
    table holding them in clear is dropped. PostgreSQL's: SQLite cannot change its schema inside the
    test's transaction (and a fresh SQLite database never had DRF's table)."""
    require_postgresql()
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0003_legacy_tokens_read_only")
    legacy = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token "
            "(key varchar(40) PRIMARY KEY, created timestamp with time zone, user_id bigint)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [legacy, timezone.now(), alice.pk])
    with connection.schema_editor(atomic=False) as editor:
        migration.forwards(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=alice)
    assert token.scope == "read" and token.key_hash == hashlib.sha256(legacy.encode()).hexdigest()
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    client = _api(legacy)
    assert client.get(_base(draft)).status_code == 200
    assert client.post(_base(draft) + "submit/", {}, format="json").status_code == 403


def test_a_token_its_owner_and_their_memberships_are_read_in_one_query(
    alice, authority_b, django_assert_num_queries
) -> None:
    """Issue 18: the token, its user and the memberships the access checks use, one query; the
    last-used time is written on first use and then at most once per LAST_USED_GRANULARITY."""
    Membership.objects.create(user=alice, authority=authority_b, role=Role.VIEWER)
    key = api_key(alice, "read")
    with django_assert_num_queries(2):  # first use: the read and the last-used write
        tokens.api_token_authenticate(key)
    with django_assert_num_queries(1):
        token = tokens.api_token_authenticate(key)
    assert token.user == alice
    assert sorted(m.authority_id for m in token.user._membership_cache) == sorted(
        Membership.objects.filter(user=alice).values_list("authority_id", flat=True)
    )
    later = timezone.now() + tokens.LAST_USED_GRANULARITY + timedelta(seconds=1)
    with time_machine.travel(later), django_assert_num_queries(2):
        tokens.api_token_authenticate(key)
    with time_machine.travel(later), django_assert_num_queries(1):
        tokens.api_token_authenticate(key)


def test_a_token_of_a_user_without_memberships_is_read_with_none(analyst, django_assert_num_queries) -> None:
    key = api_key(analyst, "read")
    tokens.api_token_authenticate(key)
    with django_assert_num_queries(1):
        token = tokens.api_token_authenticate(key)
    assert token.user == analyst and token.user._membership_cache == []
