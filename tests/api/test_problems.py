"""Every API error is one shape: an RFC 9457 problem document (issue 16, "Errors come in six shapes
plus HTML for unknown API paths and 500s", "Repeating a step gives 400, not 409", "no CORS answer
(preflight gets 401)"). Each test names the status it covers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from submissions import services as submission_services
from tests.factories import api_key, valid_data
from tests.test_api_throttling import rates  # noqa: F401  (fixture)
from wres_portal.errors import ApplicationError, StateConflict

PROBLEM = "application/problem+json"


def _api(user, scope: str = "submit") -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, scope)}")
    return client


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"].endswith(":" + code) and body["title"] and body["detail"]
    return body


def _rows(data):
    return [
        {"service": k.service, "measure": k.measure, "pay_band": k.pay_band, **c} for k, c in data.items()
    ]


def test_an_unknown_api_path_is_a_404_problem_not_html(alice) -> None:
    body = _problem(_api(alice).get("/api/v1/no-such-thing/"), 404, "not_found")
    assert body["instance"] == "/api/v1/no-such-thing/"


def test_another_councils_object_is_a_404_problem(alice, authority_b) -> None:
    _problem(_api(alice).get(f"/api/v1/authorities/{authority_b.ons_code}/"), 404, "not_found")


def test_a_server_error_under_the_api_is_a_500_problem(alice, draft, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(submission_services, "version_warnings", broken)
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    body = _problem(_api(alice).get(base), 500, "server_error")
    assert "boom" not in body["detail"]


def test_no_credentials_is_a_401_problem(db) -> None:
    response = APIClient().get("/api/v1/me/")
    _problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_a_401_problem(db) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    _problem(client.get("/api/v1/me/"), 401, "authentication_failed")


def test_a_viewer_writing_is_a_403_problem(bob, authority_a) -> None:
    response = _api(bob).post(
        f"/api/v1/authorities/{authority_a.ons_code}/invitations/",
        {"email": "x@lambeth.example", "role": "viewer"},
    )
    _problem(response, 403, "permission_denied")


def test_a_validation_error_points_at_each_field(alice, authority_a) -> None:
    response = _api(alice).post(f"/api/v1/authorities/{authority_a.ons_code}/invitations/", {"role": "chief"})
    body = _problem(response, 400, "invalid")
    assert {(e["pointer"], e["code"]) for e in body["errors"]} == {
        ("/email", "required"),
        ("/role", "invalid_choice"),
    }


def test_figures_problems_name_service_measure_pay_band_and_group(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    data = valid_data()
    rows = _rows(data)
    band = next(i for i, r in enumerate(rows) if r["pay_band"])
    rows[band]["minority_ethnic"] = rows[band]["minority_ethnic"] + 10**6
    body = _problem(_api(alice).post(base + "data/", {"rows": rows}, format="json"), 400, "invalid_figures")
    assert body["errors"], body
    for error in body["errors"]:
        assert {"service", "measure", "pay_band", "code", "detail", "fix"} <= set(error)
        if "group" in error:
            assert error["pointer"].startswith("/rows/")


def test_repeating_a_step_is_a_409_problem(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    client = _api(alice)
    etag = client.get(base)["ETag"]
    assert client.post(base + "submit/", {}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    again = client.post(base + "submit/", {}, format="json", HTTP_IF_MATCH=client.get(base)["ETag"])
    body = _problem(again, 409, "state_conflict")
    assert "already submitted" in body["detail"]


def test_a_stale_if_match_is_a_412_problem_with_what_changed(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    client = _api(alice)
    stale = client.get(base)["ETag"]
    assert client.post(base + "data/", {"rows": _rows(valid_data())}, format="json").status_code == 201
    response = client.post(base + "submit/", {}, format="json", HTTP_IF_MATCH=stale)
    body = _problem(response, 412, "precondition_failed")
    assert body["current_etag"] == response["ETag"] != stale


def test_a_step_without_if_match_is_a_428_problem(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    _problem(_api(alice).post(base + "submit/", {}, format="json"), 428, "precondition_required")


def test_a_body_too_large_is_a_413_problem(alice, draft, settings) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    response = _api(alice).post(
        base + "upload/", {"file": SimpleUploadedFile("r.csv", b"x" * 2000)}, format="multipart"
    )
    _problem(response, 413, "too_large")


def test_a_form_body_to_a_json_operation_is_a_415_problem(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    response = _api(alice).post(
        base + "warnings/", "key=a&text=b", content_type="application/x-www-form-urlencoded"
    )
    _problem(response, 415, "unsupported_media_type")


def test_a_file_of_another_kind_is_a_415_problem(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    response = _api(alice).post(
        base + "upload/",
        {"file": SimpleUploadedFile("r.pdf", b"%PDF-1.4\x00\x01\x02 binary")},
        format="multipart",
    )
    body = _problem(response, 415, "unsupported_file_type")
    assert body["errors"][0]["pointer"] == "/file"


def test_malformed_json_is_a_400_problem(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    _problem(
        _api(alice).post(base + "warnings/", "{not json", content_type="application/json"), 400, "parse_error"
    )


def test_a_wrong_method_is_a_405_problem(alice) -> None:
    response = _api(alice).delete("/api/v1/me/")
    _problem(response, 405, "method_not_allowed")


def test_too_many_requests_is_a_429_problem_with_retry_after(alice, rates) -> None:  # noqa: F811
    rates("2/minute", "100/minute")
    client = _api(alice, "read")
    assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/me/")
    _problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/authorities/E09000022/returns/2025/submit/"])
def test_a_cross_origin_preflight_is_refused_plainly_without_cors_headers(db, path) -> None:
    response = APIClient().options(
        path,
        HTTP_ORIGIN="https://hr-system.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    body = _problem(response, 403, "cross_origin_refused")
    assert "other sites" in body["detail"]
    assert not any(h.lower().startswith("access-control-") for h in response.headers)


def test_a_cross_origin_request_gets_no_cors_headers(alice) -> None:
    response = _api(alice).get("/api/v1/me/", HTTP_ORIGIN="https://hr-system.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_an_unknown_query_parameter_is_a_400_problem(alice) -> None:
    body = _problem(_api(alice).get("/api/v1/me/?include=everything"), 400, "unknown_parameter")
    assert body["errors"] == [
        {"code": "unknown_parameter", "detail": "Unknown query parameter include.", "parameter": "include"}
    ]


def test_the_web_pages_keep_their_html_errors(client, alice) -> None:
    client.force_login(alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_services_step_conflicts_are_still_application_errors(alice, draft) -> None:
    """Pages catch ApplicationError: a StateConflict is one, so they show it as before."""
    assert issubclass(StateConflict, ApplicationError)
    with pytest.raises(ApplicationError):
        submission_services.return_accept(record=draft, user=alice)
