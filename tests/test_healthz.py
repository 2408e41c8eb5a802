"""/healthz: the liveness endpoint of docker compose's web healthcheck and the floor of bench.pages."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_answers_ok_without_sign_in_or_database(client, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
def test_healthz_is_read_only(client) -> None:
    assert reverse("healthz") == "/healthz"
    assert client.post(reverse("healthz")).status_code == 405
    assert client.head(reverse("healthz")).status_code == 200
