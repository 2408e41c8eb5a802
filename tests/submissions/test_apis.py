from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from submissions.models import Return, ReturnVersion
from tests.factories import api_key, valid_data
from tests.submissions.test_views import _csv


def _client(user) -> APIClient:
    client = APIClient()
    # Lifecycle tests: a token that may do everything its owner may (scopes: tests/accounts/test_tokens.py).
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, 'attest', verified=True)}")
    return client


@pytest.fixture
def base(authority_a, collection_round) -> str:
    return f"/api/v1/authorities/{authority_a.ons_code}/returns/{collection_round.label}/"


def _rows(data):
    return [
        {"service": k.service, "measure": k.measure, "pay_band": k.pay_band, **c}
        for k, c in sorted(data.items())
    ]


def test_upload_with_errors_returns_them_all_and_stores_nothing(alice, base) -> None:
    broken = _csv(
        valid_data(),
        breaks={("adults", "appointed", "", "white"): 999, ("children", "cpd", "", "white"): "x"},
    )
    response = _client(alice).post(
        base + "upload/", {"file": SimpleUploadedFile("r.csv", broken)}, format="multipart"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_figures" and len(body["errors"]) >= 2
    assert all(
        {"row", "column", "detail", "fix", "service", "measure", "group"} <= set(p) for p in body["errors"]
    )
    assert not ReturnVersion.objects.exists()


def test_upload_dry_run_then_save(alice, base) -> None:
    client = _client(alice)
    good = _csv(valid_data())
    dry = client.post(
        base + "upload/", {"file": SimpleUploadedFile("r.csv", good), "dry_run": True}, format="multipart"
    )
    assert dry.status_code == 200 and dry.json()["version"] is None
    assert not ReturnVersion.objects.exists()
    saved = client.post(base + "upload/", {"file": SimpleUploadedFile("r.csv", good)}, format="multipart")
    assert saved.status_code == 201 and saved.json()["version"] == 1
    assert client.get(base + "versions/1/").json()["rows"][0]["service"] == "adults"


def test_unreadable_upload_is_a_plain_400(alice, base) -> None:
    response = _client(alice).post(
        base + "upload/", {"file": SimpleUploadedFile("r.xlsx", b"PK\x03\x04garbage")}, format="multipart"
    )
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()


def test_json_figures_and_the_whole_lifecycle(alice, sponsor_a, analyst, base) -> None:
    lead = _client(alice)
    response = lead.post(base + "data/", {"rows": _rows(valid_data())}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft" and response.json()["blockers"] == []
    assert response["ETag"] == '"1-draft"'
    # Each step names the state it acts on (If-Match with the ETag last read) and answers with the next.
    submitted = lead.post(base + "submit/", {}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert submitted.json()["status"] == "submitted" and submitted["ETag"] == '"1-submitted"'
    signed = _client(sponsor_a).post(
        base + "sign-off/",
        {"name": "S", "role": "DASS", "signed_on": "2026-01-01", "declaration": True},
        format="json",
        HTTP_IF_MATCH=submitted["ETag"],
    )
    assert signed.json()["status"] == "signed_off"
    accepted = _client(analyst).post(base + "accept/", format="json", HTTP_IF_MATCH=signed["ETag"])
    assert accepted.json()["status"] == "accepted"
    back = (
        _client(analyst)
        .post(base + "send-back/", {"message": "Fix CPD"}, format="json", HTTP_IF_MATCH=accepted["ETag"])
        .json()
    )
    assert back["status"] == "draft" and back["current_version"] == 2
    assert [v["number"] for v in lead.get(base + "versions/").json()["results"]] == [1, 2]


def test_json_figures_breaking_rules_are_refused(alice, base) -> None:
    rows = _rows(valid_data())
    next(r for r in rows if r["measure"] == "appointed")["white"] = 10_000
    response = _client(alice).post(base + "data/", {"rows": rows}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_figures"
    where = rows.index(next(r for r in rows if r["measure"] == "appointed"))
    located = {
        "service": "adults",
        "measure": "appointed",
        "group": "white",
        "pointer": f"/rows/{where}/white",
    }
    assert any(located.items() <= error.items() for error in body["errors"]), body["errors"]
    assert not Return.objects.filter(current_version__isnull=False).exists()


def test_forbidden_steps_answer_clearly(alice, sponsor_a, base, draft) -> None:
    assert _client(alice).post(base + "sign-off/", {}, format="json").status_code == 403
    refused = _client(sponsor_a).post(
        base + "sign-off/",
        {"name": "S", "role": "R", "signed_on": "2026-01-01", "declaration": True},
        format="json",
        HTTP_IF_MATCH='"1-draft"',
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "state_conflict" and "submitted" in refused.json()["detail"]
