"""Issue 18: what a signed-in request costs before its view runs. The session, then the user with
their second-factor state (device ids, whether a role requires one) in one query; nothing written on
an ordinary GET; the multi-factor rules still follow changes of role and device on the next page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.models import Membership, Role
from tests.factories import TEST_PASSWORD

#: The session row joined to its user (with their second-factor state): everything middleware may read.
SIGNED_IN_FLOOR = 1


@pytest.fixture(autouse=True)
def _enforced(settings) -> None:
    settings.MFA_REQUIRED_ROLES_ENFORCED = True


@pytest.mark.parametrize("who", ["alice", "bob", "sponsor_a", "analyst"])
def test_a_signed_in_no_op_view_reads_the_session_and_the_user_only(
    client, request, who, django_assert_max_num_queries
) -> None:
    client.force_login(request.getfixturevalue(who))
    client.get(reverse("accounts:session_status"))
    with django_assert_max_num_queries(SIGNED_IN_FLOOR):
        response = client.get(reverse("accounts:session_status"))
    assert response.status_code == 200
    assert 0 < response.json()["expires_in"] <= 30 * 60


@pytest.mark.parametrize("who", ["alice", "sponsor_a", "analyst"])
def test_a_signed_in_page_adds_no_query_for_the_second_factor_or_the_navigation(client, request, who) -> None:
    """The accessibility page reads nothing of its own: the navigation and the multi-factor
    middleware answer from the query that read the user (before: 3 to 4 queries). The request's
    own transaction (a savepoint inside the test's) is not counted."""
    client.force_login(request.getfixturevalue(who))
    client.get(reverse("portal:accessibility"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:accessibility")).status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(reads) <= SIGNED_IN_FLOOR, reads


def test_becoming_a_senior_sponsor_sends_the_next_page_to_set_up(client, bob, authority_a) -> None:
    client.force_login(bob)
    home = reverse("portal:council_home", args=[authority_a.ons_code])
    assert client.get(home).status_code == 200
    Membership.objects.filter(user=bob, authority=authority_a).update(role=Role.SENIOR_SPONSOR)
    assert client.get(home)["Location"].startswith(reverse("accounts:mfa_setup"))
    Membership.objects.filter(user=bob, authority=authority_a).update(role=Role.VIEWER)
    assert client.get(home).status_code == 200


def test_a_removed_or_replaced_authenticator_no_longer_verifies_the_session(
    client, sponsor_a, authority_a
) -> None:
    client.force_login(sponsor_a)
    home = reverse("portal:council_home", args=[authority_a.ons_code])
    assert client.get(home).status_code == 200
    # Replaced (a new app set up from another session): this session's device is gone.
    TOTPDevice.objects.filter(user=sponsor_a).delete()
    TOTPDevice.objects.create(user=sponsor_a, name=mfa.AUTHENTICATOR_NAME, confirmed=True)
    assert client.get(home)["Location"].startswith(reverse("accounts:mfa_verify"))
    assert DEVICE_ID_SESSION_KEY not in client.session
    # Removed altogether: a role that requires one is sent to set it up.
    TOTPDevice.objects.filter(user=sponsor_a).delete()
    assert client.get(home)["Location"].startswith(reverse("accounts:mfa_setup"))


def test_a_device_of_someone_else_does_not_verify_a_session(client, sponsor_a, analyst, authority_a) -> None:
    client.force_login(analyst)
    others = mfa.authenticator(analyst)
    assert others is not None
    client.force_login(sponsor_a, verified=False)
    TOTPDevice.objects.create(user=sponsor_a, name=mfa.AUTHENTICATOR_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = others.persistent_id
    session.save()
    home = reverse("portal:council_home", args=[authority_a.ons_code])
    assert client.get(home)["Location"].startswith(reverse("accounts:mfa_verify"))


def test_a_verified_session_still_reads_the_devices_fields(client, sponsor_a) -> None:
    """The verifying device is built from the ids read with the user; its other fields load when
    something asks for them."""
    client.post(reverse("accounts:login"), {"username": sponsor_a.email, "password": TEST_PASSWORD})
    device = TOTPDevice.objects.create(user=sponsor_a, name="Phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    user = mfa.signed_in_user_queryset().get(pk=sponsor_a.pk)
    found = mfa.verified_device(user, device.persistent_id)
    assert found is not None and found.pk == device.pk and found.name == "Phone"
    assert mfa.verified_device(user, f"otp_totp.totpdevice/{device.pk + 1}") is None


def test_the_path_is_resolved_once_when_no_second_factor_applies(
    client, alice, authority_a, monkeypatch
) -> None:
    """A programme lead with no authenticator: the multi-factor middleware decides from the user's
    row and does not resolve the path a second time (Django's own resolution is the one left)."""
    from accounts import middleware

    calls: list[str] = []
    real = middleware.resolve

    def resolve(path: str) -> object:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(middleware, "resolve", resolve)
    client.force_login(alice)
    assert client.get(reverse("portal:council_home", args=[authority_a.ons_code])).status_code == 200
    assert calls == []


def test_a_user_who_must_set_up_a_second_factor_is_still_sent_there(client, sponsor_a, authority_a) -> None:
    """The set-up page itself and the allowed pages open; any other page sends them to set up."""
    client.force_login(sponsor_a, verified=False)
    assert client.get(reverse("accounts:mfa_setup")).status_code == 200
    assert client.get(reverse("portal:accessibility")).status_code == 200
    home = reverse("portal:council_home", args=[authority_a.ons_code])
    assert client.get(home)["Location"].startswith(reverse("accounts:mfa_setup"))
