"""Multi-factor sign-in: required for senior sponsors, analysts and administrators, optional for
everyone else. These tests sign in through the real password page, so the session starts unverified
(unlike `client.force_login`, which tests/conftest.py treats as a completed sign-in)."""

from __future__ import annotations

import re
from base64 import b32encode
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory, api_key


@pytest.fixture(autouse=True)
def _enforced(settings) -> None:
    settings.MFA_REQUIRED_ROLES_ENFORCED = True


@pytest.fixture
def admin(db) -> User:
    return User.objects.create_superuser("admin@skillsforcare.example", TEST_PASSWORD)


@pytest.fixture
def clock():
    """A stopped clock that tests move on by hand (TOTP codes, throttling delays)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _sign_in(client, user: User):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _with_authenticator(user: User) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name=mfa.AUTHENTICATOR_NAME, confirmed=True)
    return device, mfa.recovery_codes_regenerate(user=user)


def _pending(client) -> TOTPDevice:
    """The secret the client's session is setting up (it lives only in that session), as a device."""
    return TOTPDevice(key=client.session[mfa.SETUP_SESSION_KEY]["key"])


def _pending_code(client) -> str:
    device = _pending(client)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, 0):06d}"


def _verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# Who must use it ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sponsor_a", "analyst", "admin"])
def test_required_roles_are_sent_to_set_up_and_can_open_nothing_else(client, request, who, authority_a):
    user = request.getfixturevalue(who)
    assert mfa.is_required(user)
    _sign_in(client, user)
    setup = reverse("accounts:mfa_setup")
    for url in [
        reverse("portal:home"),
        reverse("accounts:settings"),
        reverse("accounts:api_tokens"),
        reverse("portal:council_home", args=[authority_a.ons_code]),
        reverse("portal:authority_list"),
        reverse("accounts:mfa_recovery_codes"),
        "/admin/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(setup), (url, response["Location"])
    assert client.post(reverse("accounts:api_tokens")).status_code == 302
    assert client.get(reverse("portal:council_home", args=[authority_a.ons_code]))["Location"] == (
        f"{setup}?next=%2Fcouncils%2F{authority_a.ons_code}%2F"
    )
    # Session authentication does not get round it through the API either.
    api = client.get(reverse("accounts-api:authority_list"))
    assert api.status_code == 403
    assert "multi-factor" in api.json()["detail"]
    # What stays open: the set-up page, the public pages, keeping the session alive, signing out.
    page = client.get(setup)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Your role needs a second step at sign-in" in body
    assert 'href="/account/"' not in body  # no navigation to pages they cannot open yet
    assert client.get(reverse("portal:accessibility")).status_code == 200
    assert client.post(reverse("accounts:session_keep_alive")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("portal:home"))["Location"].startswith(reverse("accounts:login"))


def test_programme_leads_and_viewers_may_go_without(client, alice, bob, authority_a) -> None:
    for user in (alice, bob):
        assert not mfa.is_required(user)
        _sign_in(client, user)
        response = client.get(reverse("portal:council_home", args=[authority_a.ons_code]))
        assert response.status_code == 200
        assert "Set up an authenticator app" in client.get(reverse("accounts:settings")).content.decode()
        client.post(reverse("accounts:logout"))


def test_enforcement_can_be_switched_off_for_the_demo(client, settings, sponsor_a, authority_a) -> None:
    settings.MFA_REQUIRED_ROLES_ENFORCED = False
    _sign_in(client, sponsor_a)
    assert client.get(reverse("portal:council_home", args=[authority_a.ons_code])).status_code == 200


def test_api_tokens_are_not_asked_for_a_code(client, sponsor_a, authority_a) -> None:
    key = api_key(sponsor_a, "read", verified=True)
    response = client.get(
        reverse("accounts-api:authority_detail", args=[authority_a.ons_code]),
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 200


# Setting up ---------------------------------------------------------------------------------------


def test_set_up_with_a_real_code_then_recovery_codes_are_shown_once(
    client, sponsor_a, authority_a, clock
) -> None:
    _sign_in(client, sponsor_a)
    next_url = reverse("portal:council_home", args=[authority_a.ons_code])
    page = client.get(reverse("accounts:mfa_setup"), {"next": next_url})
    body = page.content.decode()
    device = _pending(client)
    assert not TOTPDevice.objects.filter(user=sponsor_a).exists()  # nothing stored until confirmed
    # The QR code is drawn here, with the secret also as text for typing in.
    assert "<svg" in body and 'role="img"' in body and 'aria-label="QR code' in body
    assert "style=" not in body
    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert secret.replace(" ", "") in re.sub(r"\s", "", body)
    assert 'autocomplete="one-time-code"' in body

    response = client.post(reverse("accounts:mfa_setup"), {"code": _pending_code(client), "next": next_url})
    assert response.status_code == 200
    body = response.content.decode()
    codes = re.findall(r'<code class="app-token">([a-z2-7]{8})</code>', body)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert f'href="{next_url}"' in body
    assert TOTPDevice.objects.get(user=sponsor_a).key == device.key
    assert TOTPDevice.objects.get(user=sponsor_a).confirmed
    assert _verified(client)
    assert client.get(next_url).status_code == 200
    # Only a count is shown afterwards.
    later = client.get(reverse("accounts:mfa_recovery_codes")).content.decode()
    assert "10 recovery codes left" in later
    assert not any(code in later for code in codes)


def test_set_up_refuses_a_wrong_code_with_a_gov_uk_error(client, sponsor_a, clock) -> None:
    _sign_in(client, sponsor_a)
    client.get(reverse("accounts:mfa_setup"))
    wrong = f"{(int(_pending_code(client)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:mfa_setup"), {"code": wrong})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert "There is a problem" in body
    assert 'href="#id_code"' in body
    assert "The code is not correct" in body
    assert "govuk-error-message" in body
    assert not TOTPDevice.objects.filter(user=sponsor_a).exists()
    assert not _verified(client)
    blank = client.post(reverse("accounts:mfa_setup"), {"code": ""}).content.decode()
    assert "Enter the 6-digit code from your authenticator app" in blank


# Signing in with a code ---------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_accepts_a_real_one(client, sponsor_a, authority_a, clock) -> None:
    device, _ = _with_authenticator(sponsor_a)
    _sign_in(client, sponsor_a)
    target = reverse("portal:council_home", args=[authority_a.ons_code])
    response = client.get(target)
    verify = reverse("accounts:mfa_verify")
    assert response["Location"] == f"{verify}?next=%2Fcouncils%2F{authority_a.ons_code}%2F"
    # With an authenticator, even set-up waits for the code (it would replace the authenticator).
    assert client.get(reverse("accounts:mfa_setup"))["Location"].startswith(verify)

    page = client.get(response["Location"]).content.decode()
    assert "Enter your security code" in page
    response = client.post(verify, {"code": _code(device), "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    assert _verified(client)
    assert client.get(target).status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_error_and_slows_down_retries(client, sponsor_a, clock) -> None:
    device, _ = _with_authenticator(sponsor_a)
    _sign_in(client, sponsor_a)
    verify = reverse("accounts:mfa_verify")
    wrong = f"{(int(_code(device)) + 5) % 1_000_000:06d}"
    body = client.post(verify, {"code": wrong}).content.decode()
    assert "<title>Error:" in body
    assert "There is a problem" in body
    assert "The code is not correct" in body
    assert not _verified(client)
    # Straight after a wrong code even the right one must wait (django-otp throttling).
    body = client.post(verify, {"code": _code(device)}).content.decode()
    assert "You have entered a wrong code too many times. Wait 1 second" in body
    assert not _verified(client)
    clock.shift(timedelta(seconds=2))
    assert client.post(verify, {"code": _code(device)}).status_code == 302
    assert _verified(client)


def test_the_same_code_does_not_work_twice(client, sponsor_a, clock) -> None:
    device, _ = _with_authenticator(sponsor_a)
    code = _code(device)
    _sign_in(client, sponsor_a)
    assert client.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    _sign_in(client, sponsor_a)
    body = client.post(reverse("accounts:mfa_verify"), {"code": code}).content.decode()
    assert "The code is not correct" in body


def test_a_recovery_code_works_once(client, analyst, clock) -> None:
    _, codes = _with_authenticator(analyst)
    _sign_in(client, analyst)
    response = client.post(reverse("accounts:mfa_verify"), {"code": codes[0].upper()}, follow=True)
    assert _verified(client)
    assert "You used a recovery code. You have 9 left." in response.content.decode()
    assert StaticToken.objects.filter(device__user=analyst).count() == 9
    client.post(reverse("accounts:logout"))

    _sign_in(client, analyst)
    body = client.post(reverse("accounts:mfa_verify"), {"code": codes[0]}).content.decode()
    assert "The code is not correct" in body
    assert not _verified(client)
    clock.shift(timedelta(seconds=2))
    assert client.post(reverse("accounts:mfa_verify"), {"code": codes[1]}).status_code == 302


def test_optional_users_who_set_it_up_are_asked_too(client, alice, authority_a, clock) -> None:
    device, _ = _with_authenticator(alice)
    _sign_in(client, alice)
    assert client.get(reverse("portal:home"))["Location"].startswith(reverse("accounts:mfa_verify"))
    client.post(reverse("accounts:mfa_verify"), {"code": _code(device)})
    assert client.get(reverse("portal:council_home", args=[authority_a.ons_code])).status_code == 200


def test_verify_does_not_redirect_off_site(client, sponsor_a, clock) -> None:
    device, _ = _with_authenticator(sponsor_a)
    _sign_in(client, sponsor_a)
    response = client.post(
        reverse("accounts:mfa_verify"), {"code": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:home")


def test_someone_elses_device_does_not_verify_a_session(client, sponsor_a, analyst) -> None:
    other, _ = _with_authenticator(analyst)
    _sign_in(client, sponsor_a)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    session.save()
    assert client.get(reverse("portal:home"))["Location"].startswith(reverse("accounts:mfa_setup"))


# Managing it --------------------------------------------------------------------------------------


def test_required_roles_cannot_remove_it_but_can_replace_it(client, sponsor_a, clock) -> None:
    old, _ = _with_authenticator(sponsor_a)
    client.force_login(sponsor_a)
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert "Replace your authenticator app" in settings_page
    assert "Remove your authenticator app" not in settings_page
    assert "you cannot remove it" in client.get(reverse("accounts:mfa_remove")).content.decode()
    body = client.post(reverse("accounts:mfa_remove")).content.decode()
    assert "There is a problem" in body
    assert TOTPDevice.objects.filter(pk=old.pk).exists()

    client.get(reverse("accounts:mfa_setup"))
    new_key = _pending(client).key
    assert client.post(reverse("accounts:mfa_setup"), {"code": _pending_code(client)}).status_code == 200
    assert [d.key for d in TOTPDevice.objects.filter(user=sponsor_a)] == [new_key]


def test_optional_users_can_remove_it(client, alice, clock) -> None:
    _with_authenticator(alice)
    client.force_login(alice)
    assert "Remove your authenticator app" in client.get(reverse("accounts:settings")).content.decode()
    response = client.post(reverse("accounts:mfa_remove"))
    assert response["Location"] == reverse("accounts:settings")
    assert not mfa.has_authenticator(alice)
    assert mfa.recovery_codes_left(alice) == 0


def test_new_recovery_codes_replace_the_old_ones(client, analyst) -> None:
    _, old = _with_authenticator(analyst)
    client.force_login(analyst)
    body = client.post(reverse("accounts:mfa_recovery_codes")).content.decode()
    new = re.findall(r'<code class="app-token">([a-z2-7]{8})</code>', body)
    assert len(new) == 10
    assert set(StaticToken.objects.filter(device__user=analyst).values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


def test_force_login_helper_only_verifies_when_asked(client, sponsor_a) -> None:
    """The conftest helper must not hide the enforcement from tests that opt out of it."""
    client.force_login(sponsor_a, verified=False)
    assert client.get(reverse("portal:home"))["Location"].startswith(reverse("accounts:mfa_setup"))


def test_a_user_without_a_role_is_not_required(db) -> None:
    assert not mfa.is_required(UserFactory.create())


# Issue 13, M1: the secret being set up is the session's own, new each time, and expires -------------


def test_a_secret_shown_to_someone_elses_session_never_becomes_the_users_authenticator(
    client, sponsor_a, clock
) -> None:
    """The review's finding: someone with only the password opened set-up and noted the secret; when
    the real user enrolled, that secret passed multi-factor sign-in for them too."""
    attacker = client.__class__()
    _sign_in(attacker, sponsor_a)
    attacker.get(reverse("accounts:mfa_setup"))
    seen = _pending(attacker)

    _sign_in(client, sponsor_a)
    client.get(reverse("accounts:mfa_setup"))
    assert _pending(client).key != seen.key
    assert client.post(reverse("accounts:mfa_setup"), {"code": _pending_code(client)}).status_code == 200
    assert TOTPDevice.objects.get(user=sponsor_a).key != seen.key

    clock.shift(timedelta(seconds=60))
    attacker.post(reverse("accounts:logout"))
    _sign_in(attacker, sponsor_a)
    code = f"{totp(seen.bin_key, seen.step, seen.t0, seen.digits, 0):06d}"
    refused = attacker.post(reverse("accounts:mfa_verify"), {"code": code})
    assert "The code is not correct" in refused.content.decode()
    assert not _verified(attacker)
    # Nor can the attacker's own set-up page confirm it: an authenticator now exists, so the
    # unverified session is sent to enter a code instead.
    assert attacker.get(reverse("accounts:mfa_setup"))["Location"].startswith(reverse("accounts:mfa_verify"))


def test_every_visit_to_set_up_shows_a_fresh_secret(client, sponsor_a) -> None:
    _sign_in(client, sponsor_a)
    client.get(reverse("accounts:mfa_setup"))
    first = _pending(client).key
    client.get(reverse("accounts:mfa_setup"))
    assert _pending(client).key != first
    assert not TOTPDevice.objects.filter(user=sponsor_a).exists()


def test_a_set_up_secret_expires_after_10_minutes(client, sponsor_a, clock) -> None:
    _sign_in(client, sponsor_a)
    client.get(reverse("accounts:mfa_setup"))
    old = _pending(client)
    clock.shift(timedelta(minutes=10, seconds=1))
    code = f"{totp(old.bin_key, old.step, old.t0, old.digits, 0):06d}"
    body = client.post(reverse("accounts:mfa_setup"), {"code": code}).content.decode()
    assert "That QR code has expired" in body and "<title>Error:" in body
    assert not TOTPDevice.objects.filter(user=sponsor_a).exists()
    fresh = _pending(client)
    assert fresh.key != old.key
    assert b32encode(fresh.bin_key).decode().rstrip("=") in re.sub(r"\s", "", body)


def test_five_wrong_codes_need_a_new_secret(client, sponsor_a, clock) -> None:
    _sign_in(client, sponsor_a)
    client.get(reverse("accounts:mfa_setup"))
    first = _pending(client)
    wrong = f"{(int(_pending_code(client)) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        assert (
            "The code is not correct"
            in client.post(reverse("accounts:mfa_setup"), {"code": wrong}).content.decode()
        )
    assert _pending(client).key == first.key
    body = client.post(reverse("accounts:mfa_setup"), {"code": wrong}).content.decode()
    assert "wrong too many times" in body
    assert _pending(client).key != first.key


def test_multi_factor_changes_are_security_events(client, alice, clock) -> None:
    from accounts.models import SecurityEvent

    client.force_login(alice)
    client.get(reverse("accounts:mfa_setup"))
    client.post(reverse("accounts:mfa_setup"), {"code": _pending_code(client)})
    client.post(reverse("accounts:mfa_recovery_codes"))
    client.post(reverse("accounts:mfa_remove"))
    kinds = list(SecurityEvent.objects.filter(user=alice).order_by("id").values_list("kind", flat=True))
    assert [k for k in kinds if k != "sign_in"] == ["mfa_set_up", "recovery_codes_new", "mfa_removed"]
