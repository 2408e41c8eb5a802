"""Issue 18: a signed-in request reads its session and its user in one statement. The session row
carries the user's id (accounts.Session); the user read with it stands in for the backend's own read
only when it is the user the session's data names, and Django's checks still apply to it."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import sessions
from accounts.models import Session
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _key(client: Client) -> str:
    return client.cookies["sessionid"].value


def _status(client: Client) -> int:
    """The signed-in no-op view: 200 while signed in, a redirect to sign in otherwise."""
    return client.get(reverse("accounts:session_status")).status_code


def test_signing_in_with_the_form_stores_the_user_beside_the_session(client, alice) -> None:
    response = client.post(reverse("accounts:login"), {"username": alice.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert Session.objects.get(session_key=_key(client)).user_id == alice.pk
    with CaptureQueriesContext(connection) as queries:
        assert _status(client) == 200
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert "_wres_totp_id" in queries.captured_queries[0]["sql"]


def test_signing_out_deletes_the_row(client, alice) -> None:
    client.force_login(alice)
    key = _key(client)
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert _status(client) != 200


def test_deleting_a_user_deletes_their_sessions(client, alice) -> None:
    client.force_login(alice)
    key = _key(client)
    alice.delete()
    assert not Session.objects.filter(session_key=key).exists()
    assert _status(client) != 200


def test_the_data_names_the_user_not_the_column(client, alice, bob, authority_a, authority_b) -> None:
    """A row whose user column disagrees with its data (it cannot, short of editing the database):
    the user read with it is not taken, and the request is the data's user, read as before."""
    client.force_login(alice)
    Session.objects.filter(session_key=_key(client)).update(user_id=bob.pk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:council_home", args=[authority_a.ons_code])).status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]  # read before the next request empties the log
    # The user read again on its own (accounts.mfa.signed_in_user), after the session's statement.
    assert any(sql.startswith('SELECT "accounts_user"."id"') for sql in sqls), sqls
    assert client.get(reverse("portal:council_home", args=[authority_b.ons_code])).status_code == 404


def test_a_deactivated_user_is_signed_out_on_their_next_page(client, alice) -> None:
    client.force_login(alice)
    assert _status(client) == 200
    alice.is_active = False
    alice.save()
    assert _status(client) != 200


def test_a_password_changed_elsewhere_signs_the_session_out(client, alice) -> None:
    """Django's check of the session's password hash still applies to the user read with it."""
    client.force_login(alice)
    assert _status(client) == 200
    alice.set_password("another-password-2026")
    alice.save()
    assert _status(client) != 200


def test_the_user_is_offered_only_inside_the_block(alice) -> None:
    pk = alice.pk
    assert sessions.offered_user(pk) is None
    with sessions.prefetched_user(alice):
        assert sessions.offered_user(pk) is alice
        assert sessions.offered_user(str(pk)) is alice
        assert sessions.offered_user(pk + 1) is None
    assert sessions.offered_user(pk) is None


def test_an_anonymous_session_has_no_user(alice) -> None:
    store = sessions.SessionStore()
    store["x"] = 1
    store.save()
    assert Session.objects.get(session_key=store.session_key).user_id is None
    loaded = sessions.SessionStore(store.session_key)
    assert loaded.load() == {"x": 1} and loaded.loaded_user is None


def test_the_migration_moves_live_sessions_and_keeps_their_users_signed_in(alice, bob) -> None:
    """accounts/migrations/0008: sessions move from Django's table with their user's id; expired
    ones are left behind, and the old table is emptied."""
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0008_session")

    def old_session(user_id: int, *, expired: bool = False) -> str:
        store = DjangoSessionStore()
        store[SESSION_KEY] = str(user_id)
        store.save()
        if expired:
            DjangoSession.objects.filter(session_key=store.session_key).update(
                expire_date=timezone.now() - timedelta(minutes=1)
            )
        return str(store.session_key)

    live, gone = old_session(alice.pk), old_session(bob.pk, expired=True)
    migration.move_sessions(apps, None)
    assert Session.objects.get(session_key=live).user_id == alice.pk
    assert not Session.objects.filter(session_key=gone).exists()
    assert not DjangoSession.objects.exists()
    store = sessions.SessionStore(live)
    assert store.load()[SESSION_KEY] == str(alice.pk)
    assert store.loaded_user == alice


def test_expired_sessions_are_deleted_every_night_and_running_twice_is_harmless(alice) -> None:
    from accounts import tasks
    from wres_portal.celery import app

    kept, expired = sessions.SessionStore(), sessions.SessionStore()
    kept["x"], expired["x"] = 1, 2
    kept.save()
    expired.set_expiry(-10)
    expired.save()
    for _ in range(2):
        tasks.delete_expired_sessions()
        assert list(Session.objects.values_list("session_key", flat=True)) == [kept.session_key]
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "accounts.tasks.delete_expired_sessions" in scheduled


def test_the_migration_moves_sessions_in_batches(alice, monkeypatch) -> None:
    """More live sessions than one batch: every one is moved, and the old table is left empty."""
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0008_session")
    monkeypatch.setattr(migration, "BATCH", 3)
    keys: list[str] = []
    for _ in range(7):
        store = DjangoSessionStore()
        store[SESSION_KEY] = str(alice.pk)
        store.save()
        keys.append(str(store.session_key))
    migration.move_sessions(apps, None)
    assert sorted(Session.objects.filter(user=alice).values_list("session_key", flat=True)) == sorted(keys)
    assert not DjangoSession.objects.exists()
