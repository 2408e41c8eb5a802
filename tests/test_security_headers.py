"""Headers and links a hostile review checked (issue 13): Cache-Control on everything behind sign-in
(L10), reset links from SITE_URL only (L5), the API schema and Swagger UI behind sign-in, and a
Server header that names no software."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from tests.builders import PLAN_YEAR, written_plan
from tests.submissions.test_apis import _client

BASE_DIR = Path(__file__).resolve().parent.parent


# L10: nothing behind sign-in is kept by a browser or proxy ------------------------------------------


def test_pages_api_responses_and_exports_behind_sign_in_are_not_stored(
    client, alice, analyst, authority_a, collection_round, draft
) -> None:
    written_plan(authority_a, alice)
    ons, label = authority_a.ons_code, collection_round.label
    council = {
        "return page": reverse("submissions:detail", args=[ons, label]),
        "CSV export": reverse("submissions:version_csv", args=[ons, label, 1]),
        "XLSX template": reverse("submissions:template_xlsx", args=[ons, label]),
        "plan PDF": reverse("actionplans:pdf", args=[ons, PLAN_YEAR]),
    }
    client.force_login(alice)
    for what, url in council.items():
        response = client.get(url)
        assert response.status_code == 200, what
        assert response["Cache-Control"] == "no-store, private", what
    client.force_login(analyst)
    status_csv = client.get(reverse("submissions:monitor_csv", args=[label]))
    assert status_csv.status_code == 200
    assert status_csv["Cache-Control"] == "no-store, private"
    api = _client(alice).get(f"/api/v1/authorities/{ons}/returns/{label}/")
    assert api.status_code == 200
    assert api["Cache-Control"] == "no-store, private"


def test_anonymous_pages_are_not_stored_unless_public(client, db) -> None:
    sign_in = client.get(reverse("accounts:login"))
    assert "no-store" in sign_in["Cache-Control"]


# L5: reset links from SITE_URL, never from the Host header ---------------------------------------------


def test_password_reset_link_comes_from_site_url_not_the_host_header(client, alice, settings) -> None:
    settings.SITE_URL = "https://wres.example.org"
    settings.ALLOWED_HOSTS = ["wres.example.org", "127.0.0.1"]
    response = client.post(
        reverse("accounts:password_reset"), {"email": alice.email}, HTTP_HOST="127.0.0.1:6666"
    )
    assert response.status_code == 302
    body = str(mail.outbox[0].body)
    assert "127.0.0.1" not in body
    assert re.search(r"https://wres\.example\.org/password-reset/\S+/\S+/", body)


# The API schema and Swagger UI ----------------------------------------------------------------------


def test_schema_and_swagger_ui_need_sign_in_or_a_token(client, alice) -> None:
    assert client.get("/api/schema/").status_code in (401, 403)
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith(reverse("accounts:login"))
    assert _client(alice).get("/api/schema/").status_code == 200
    client.force_login(alice)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


# The Server header --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_gunicorn_as_configured_names_no_server_software() -> None:
    """Start gunicorn as production does (its config file read from the project folder)."""
    port = _free_port()
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 60, "DATABASE_URL": ""}
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wres_portal.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        headers = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    headers = response.headers
                break
            except OSError:
                time.sleep(0.1)
        assert headers is not None, "gunicorn did not answer"
        assert "gunicorn" not in headers.get("Server", "").lower()
        assert not re.search(r"\d", headers.get("Server", ""))
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("name", ["limit_request_line", "limit_request_fields", "limit_request_field_size"])
def test_gunicorn_limits_the_request_line_and_headers(name: str) -> None:
    config: dict[str, object] = {}
    exec(compile((BASE_DIR / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)  # noqa: S102
    assert isinstance(config[name], int) and 0 < config[name] <= 8190  # type: ignore[operator]
