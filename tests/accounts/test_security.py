"""Security settings: the Content Security Policy (no inline script), the inactivity time-out with
its warning and keep-alive, production settings (`check --deploy`, cookies, HSTS, frames, referrer),
secrets from the environment and private media."""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from accounts.middleware import ACTIVITY_COOKIE
from accounts.models import Session
from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


class _Scripts(HTMLParser):
    """Collects <script> tags, their text, inline event handlers and style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_text: list[str] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []
        self.style_elements = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            self.scripts.append(names)
            self._in_script = True
        if tag == "style":
            self.style_elements += 1
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        self.styles += [f"{tag} style" for name, _ in attrs if name == "style"]
        self.handlers += [f"{tag} {name}" for name, value in attrs if (value or "").startswith("javascript:")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_text.append(data.strip()[:80])


def _pages(world) -> list[tuple[str | None, str]]:
    """(who, url) for a spread of pages: public, council, national, forms, results, MFA."""
    a = world["authority"].ons_code
    return [
        (None, reverse("accounts:login")),
        (None, reverse("accounts:login") + "?timeout=1"),
        (None, reverse("accounts:password_reset")),
        (None, reverse("portal:accessibility")),
        ("alice", reverse("portal:council_home", args=[a])),
        ("alice", reverse("accounts:team", args=[a])),
        ("alice", reverse("accounts:team_invite", args=[a])),
        ("alice", reverse("accounts:settings")),
        ("alice", reverse("accounts:api_tokens")),
        ("alice", reverse("accounts:mfa_setup")),
        ("alice", reverse("accounts:password_change")),
        ("analyst", reverse("portal:authority_list")),
        ("analyst", reverse("accounts:authority_edit", args=[a])),
        ("analyst", reverse("submissions:round_list")),
        ("analyst", reverse("metrics:dashboard")),
        ("analyst", reverse("accounts:mfa_recovery_codes")),
        ("nobody", "/no-such-page/"),
    ]


@pytest.fixture
def people(alice, analyst, authority_a):
    from accounts import mfa

    mfa.recovery_codes_regenerate(user=analyst)
    return {"alice": alice, "analyst": analyst, "authority": authority_a}


def _client_for(who, people, client):
    client.logout()
    if who in people:
        client.force_login(people[who])
    return client


# Content Security Policy ------------------------------------------------------------------------


def test_every_ordinary_page_has_the_strict_policy_and_no_inline_script(client, people) -> None:
    for who, url in _pages(people):
        response = _client_for(who, people, client).get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        policy = _policy(response)
        for name, value in STRICT.items():
            assert policy.get(name) == value, (url, name, policy.get(name))
        assert "unsafe" not in response["Content-Security-Policy"], url
        parser = _Scripts()
        parser.feed(response.content.decode())
        assert parser.scripts, url
        assert all(script.get("src") for script in parser.scripts), (url, parser.scripts)
        assert parser.inline_text == [], (url, parser.inline_text)
        assert parser.handlers == [], (url, parser.handlers)
        assert parser.styles == [], (url, parser.styles)
        assert parser.style_elements == 0, url


def test_error_and_form_error_pages_have_no_inline_script(client, alice, authority_a) -> None:
    wrong = client.post(reverse("accounts:login"), {"username": alice.email, "password": "wrong"})
    client.force_login(alice)
    invite = client.post(reverse("accounts:team_invite", args=[authority_a.ons_code]), {"email": "x"})
    for response in (wrong, invite):
        assert "There is a problem" in response.content.decode()
        parser = _Scripts()
        parser.feed(response.content.decode())
        assert all(script.get("src") for script in parser.scripts)
        assert parser.inline_text == [] and parser.handlers == [] and parser.styles == []
        assert "unsafe" not in response["Content-Security-Policy"]


def test_api_docs_run_swagger_ui_under_the_strict_policy(client, alice) -> None:
    client.force_login(alice)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    policy = _policy(response)
    assert {name: policy.get(name) for name in STRICT} == STRICT
    assert "unsafe" not in response["Content-Security-Policy"]
    parser = _Scripts()
    parser.feed(response.content.decode())
    sources = [script["src"] for script in parser.scripts]
    assert parser.inline_text == [] and parser.style_elements == 0 and parser.styles == []
    assert all(sources)
    start = next(src for src in sources if src and "script=" in src)
    script = client.get(start)
    assert script.status_code == 200
    assert "javascript" in script["Content-Type"]
    assert "SwaggerUIBundle" in script.content.decode()


def test_no_template_has_inline_script_style_or_handlers() -> None:
    """A static check of every template in the project (the rendered pages are checked above)."""
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        text = template.read_text()
        if re.search(r"\sstyle=", text) or re.search(r"<style[\s>]", text):
            offenders.append(f"{template}: style")
        if re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text):
            offenders.append(f"{template}: inline <script>")
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{template}: event handler attribute")
    assert offenders == []


def test_clickjacking_and_headers_on_every_response(client, db) -> None:
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# Inactivity time-out ----------------------------------------------------------------------------


def test_signed_in_pages_carry_the_timeout_warning(client, alice) -> None:
    assert 'data-module="app-session-timeout"' not in client.get(reverse("accounts:login")).content.decode()
    client.force_login(alice)
    body = client.get(reverse("accounts:settings")).content.decode()
    assert 'data-module="app-session-timeout"' in body
    assert f'data-timeout-seconds="{django_settings.SESSION_COOKIE_AGE}"' in body
    assert 'data-warning-seconds="120"' in body
    assert f'data-keep-alive-url="{reverse("accounts:session_keep_alive")}"' in body
    assert 'role="alertdialog"' in body and 'aria-live="assertive"' in body
    assert "Stay signed in" in body
    assert f'data-timed-out-url="{reverse("accounts:login")}?timeout=1"' in body
    assert (ROOT / "static" / "js" / "session-timeout.mjs").is_file()
    assert 'from "./session-timeout.mjs"' in (ROOT / "static" / "js" / "app.mjs").read_text()


def _expiry(client) -> datetime.datetime:
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def _activity(response) -> str:
    return response.cookies[ACTIVITY_COOKIE].value


def test_keep_alive_extends_only_the_callers_session(client, alice, bob) -> None:
    from django.test import Client

    other = Client()
    other.force_login(bob)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(alice)
        bobs = _expiry(other)
        clock.shift(timedelta(minutes=20))
        url = reverse("accounts:session_keep_alive")
        assert client.get(url).status_code == 405
        response = client.post(url, {"session_key": other.cookies["sessionid"].value})
        assert response.status_code == 200
        assert response.json() == {"expires_in": django_settings.SESSION_COOKIE_AGE}
        assert response.cookies[ACTIVITY_COOKIE]["max-age"] == django_settings.SESSION_COOKIE_AGE
        assert response.cookies[ACTIVITY_COOKIE]["httponly"]
        assert response["Cache-Control"].startswith("max-age=0")
        assert _expiry(other) == bobs
        assert ACTIVITY_COOKIE not in other.cookies or other.cookies[ACTIVITY_COOKIE].value != _activity(
            response
        )
        assert alice.email not in response.content.decode()
        # 25 minutes after the keep-alive (45 after signing in) alice is still signed in ...
        clock.shift(timedelta(minutes=25))
        assert client.get(reverse("accounts:settings")).status_code == 200
        # ... and 31 minutes of doing nothing end the session.
        clock.shift(timedelta(minutes=31))
        assert client.get(reverse("accounts:settings"))["Location"].startswith(reverse("accounts:login"))
        assert client.post(url)["Location"].startswith(reverse("accounts:login"))


def test_signing_out_at_the_time_limit_explains_why(client, alice) -> None:
    client.force_login(alice)
    response = client.post(reverse("accounts:logout"), {"next": reverse("accounts:login") + "?timeout=1"})
    assert response["Location"] == reverse("accounts:login") + "?timeout=1"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you did nothing for a while" in page


def test_sign_in_still_works_after_a_timeout_sign_out(client, alice) -> None:
    response = client.post(
        reverse("accounts:login") + "?timeout=1", {"username": alice.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


# Private media ----------------------------------------------------------------------------------


def test_uploaded_files_are_never_served(client, alice, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "return.csv").write_text("secret,figures\n")
    url = f"{django_settings.MEDIA_URL}return.csv"
    with pytest.raises(Resolver404):
        resolve(url)
    for who in (None, alice):
        client.logout()
        if who:
            client.force_login(who)
        response = client.get(url)
        assert response.status_code == 404
        assert b"secret,figures" not in response.content
    assert not Path(django_settings.MEDIA_ROOT).is_relative_to(Path(django_settings.STATIC_ROOT))
    assert all(
        not Path(django_settings.MEDIA_ROOT).is_relative_to(Path(folder))
        for folder in django_settings.STATICFILES_DIRS
    )


# Production settings ----------------------------------------------------------------------------


def _production(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; production never does.
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="false",
        HTTPS="true",
        ALLOWED_HOSTS="wres.example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL="",
        REDIS_URL="",
    )
    env.update(extra)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


SHOW_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF", "MFA_REQUIRED_ROLES_ENFORCED", "DEBUG", "SESSION_COOKIE_AGE",
]}))
"""


def test_production_settings_pass_check_deploy_and_harden_cookies() -> None:
    check = _production("check", "--deploy", "--fail-level", "WARNING")
    assert check.returncode == 0, check.stdout + check.stderr
    shown = _production("shell", "-c", SHOW_SETTINGS)
    assert shown.returncode == 0, shown.stderr
    values = json.loads(shown.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "MFA_REQUIRED_ROLES_ENFORCED": True,
        "DEBUG": False,
        "SESSION_COOKIE_AGE": 1800,
    }


def test_secret_key_comes_from_the_environment() -> None:
    """With a real database and debug off, a missing SECRET_KEY stops the portal from starting."""
    missing = _production("check", SECRET_KEY="", DATABASE_URL="postgres://u:p@127.0.0.1:1/x")
    assert missing.returncode != 0
    assert "SECRET_KEY must be set" in missing.stderr
    source = (ROOT / "wres_portal" / "settings.py").read_text()
    # The only literal key is the local-only fallback, which `check --deploy` rejects.
    keys = re.findall(r'SECRET_KEY = "([^"]+)"', source)
    assert keys == ["django-insecure-local-only-wres-portal-key-not-for-production"]


def test_a_signed_in_get_writes_nothing_and_restarts_the_clock_at_most_once_a_minute(client, alice) -> None:
    """Issues 7 and 18: an ordinary GET never writes the session; the inactivity clock restarts (a
    new signed activity cookie) when the last restart is a minute old, and the warning counts down
    from the real end."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = timezone.now()
    url = reverse("accounts:settings")
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(alice)
        client.get(url)
        first = _expiry(client)
        for wait, restarted in [(30, False), (31, True), (59, False), (1, True)]:
            clock.shift(timedelta(seconds=wait))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            assert "sessionid" not in response.cookies  # the row is not saved
            writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
            assert not [sql for sql in writes if "django_session" in sql], writes
            assert (ACTIVITY_COOKIE in response.cookies) == restarted, wait
            seconds = django_settings.SESSION_COOKIE_AGE - (0 if restarted else wait)
            assert f'data-timeout-seconds="{seconds}"' in response.content.decode()
        assert _expiry(client) == first
        # Half an hour without a request after the last restart ends the session.
        clock.shift(timedelta(seconds=django_settings.SESSION_COOKIE_AGE))
        assert client.get(url)["Location"].startswith(reverse("accounts:login"))
        assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


def test_an_activity_cookie_from_another_session_or_edited_does_not_keep_a_session_alive(
    client, alice, bob
) -> None:
    from django.test import Client

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(alice)
        other = Client()
        other.force_login(bob)
        clock.shift(timedelta(minutes=29))
        fresh = other.post(reverse("accounts:session_keep_alive"))
        clock.shift(timedelta(minutes=2))  # alice idle 31 minutes; bob's cookie is 2 minutes old
        client.cookies[ACTIVITY_COOKIE] = _activity(fresh)
        assert client.get(reverse("accounts:settings"))["Location"].startswith(reverse("accounts:login"))
        other.cookies[ACTIVITY_COOKIE] = _activity(fresh)[:-1] + "A"
        clock.shift(timedelta(minutes=30))
        assert other.get(reverse("accounts:settings"))["Location"].startswith(reverse("accounts:login"))


def test_a_session_in_use_has_its_row_pushed_back_before_it_expires(client, alice) -> None:
    """The stored row has a long expiry (SESSION_STORE_SECONDS), pushed back when it comes within
    SESSION_COOKIE_AGE, so a session in continuous use never loses its row."""
    start = timezone.now()
    store = django_settings.SESSION_STORE_SECONDS
    age = django_settings.SESSION_COOKIE_AGE
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(alice)
        assert _expiry(client) >= timezone.now() + timedelta(seconds=store - 1)
        elapsed = 0
        while elapsed < store + age:
            clock.shift(timedelta(seconds=age - 60))
            elapsed += age - 60
            assert client.get(reverse("accounts:settings")).status_code == 200, elapsed
        assert _expiry(client) > timezone.now() + timedelta(seconds=age)


def test_an_idle_session_still_ends_after_the_cookie_age(client, alice) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(alice)
        assert client.get(reverse("accounts:settings")).status_code == 200
        clock.shift(timedelta(seconds=django_settings.SESSION_COOKIE_AGE + 1))
        response = client.get(reverse("accounts:settings"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_multi_factor_checks_run_once_per_page(client, alice, authority_a) -> None:
    """The middleware and the navigation both ask whether a signed-in user owes a code: once each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    url = reverse("portal:council_home", args=[authority_a.ons_code])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    device_checks = [q for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]]
    assert len(device_checks) == 1
