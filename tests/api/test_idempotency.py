"""`Idempotency-Key` on every POST (issue 16: "Idempotency-Key is ignored, so a retried upload makes a
duplicate version; posting a quarterly update again silently overwrites")."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Invitation
from actionplans.models import ActionUpdate, Objective
from submissions.models import ReturnVersion
from tests.builders import written_plan
from tests.concurrency import postgres, together  # noqa: F401  (fixture)
from tests.factories import api_key, valid_data
from tests.submissions.files import csv_bytes, valid_rows
from wres_portal import tasks
from wres_portal.models import IdempotencyRecord


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def _rows():
    return [
        {"service": k.service, "measure": k.measure, "pay_band": k.pay_band, **c}
        for k, c in valid_data().items()
    ]


def test_a_retried_upload_with_the_same_key_makes_one_version(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    client, key = _api(alice), str(uuid.uuid4())
    before = ReturnVersion.objects.count()
    content = csv_bytes(valid_rows())
    first = client.post(
        base + "upload/",
        {"file": SimpleUploadedFile("r.csv", content)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    retry = client.post(
        base + "upload/",
        {"file": SimpleUploadedFile("r.csv", content)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["ETag"] == first["ETag"] and retry["Location"] == first["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert ReturnVersion.objects.count() == before + 1


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(alice, authority_a) -> None:
    url = f"/api/v1/authorities/{authority_a.ons_code}/invitations/"
    client, key = _api(alice), "invite-1"
    assert (
        client.post(
            url, {"email": "a@lambeth.example", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY=key
        ).status_code
        == 201
    )
    other = client.post(url, {"email": "b@lambeth.example", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@lambeth.example"]


def test_keys_are_per_user(alice, authority_a, sponsor_a) -> None:
    url = f"/api/v1/authorities/{authority_a.ons_code}/invitations/"
    body = {"email": "a@lambeth.example", "role": "viewer"}
    assert _api(alice).post(url, body, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    # Another person's request with the same key is theirs: it runs (and is refused on its merits).
    assert _api(sponsor_a).post(url, body, HTTP_IDEMPOTENCY_KEY="k").json().get("Idempotent-Replayed") is None


def test_without_a_key_each_post_runs(alice, draft) -> None:
    base = f"/api/v1/authorities/{draft.authority.ons_code}/returns/{draft.round.label}/"
    client = _api(alice)
    before = ReturnVersion.objects.count()
    assert client.post(base + "data/", {"rows": _rows()}, format="json").status_code == 201
    assert client.post(base + "data/", {"rows": _rows()}, format="json").status_code == 201
    assert ReturnVersion.objects.count() == before + 2


def test_an_error_is_not_stored_so_its_retry_runs_again(alice, authority_a) -> None:
    url = f"/api/v1/authorities/{authority_a.ons_code}/invitations/"
    client = _api(alice)
    assert (
        client.post(url, {"email": "not an email", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY="k").status_code
        == 400
    )
    assert not IdempotencyRecord.objects.exists()
    assert (
        client.post(url, {"email": "not an email", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY="k").status_code
        == 400
    )


def test_a_malformed_key_is_a_400_problem(alice, authority_a) -> None:
    url = f"/api/v1/authorities/{authority_a.ons_code}/invitations/"
    response = _api(alice).post(
        url, {"email": "a@lambeth.example", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY="x" * 300
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert not Invitation.objects.exists()


def test_a_retried_quarterly_update_does_not_overwrite_a_later_change(alice, authority_a) -> None:
    plan = written_plan(authority_a, alice)
    action = plan.actions.order_by("number").first()
    quarter = plan.quarters()[0]
    plans = f"/api/v1/authorities/{authority_a.ons_code}/action-plans/"
    url = f"{plans}{plan.year}/quarters/{quarter.slug}/updates/"
    client = _api(alice)
    first_body = {"action": str(action.uuid), "rag": "green", "narrative": "On track"}
    first = client.post(url, first_body, HTTP_IDEMPOTENCY_KEY="q1-update")
    assert first.status_code == 201, first.json()
    # Someone corrects it; then the first request's retry arrives late.
    ActionUpdate.objects.filter(uuid=first.json()["uuid"]).update(narrative="Corrected by the sponsor")
    retry = client.post(url, first_body, HTTP_IDEMPOTENCY_KEY="q1-update")
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert ActionUpdate.objects.get(uuid=first.json()["uuid"]).narrative == "Corrected by the sponsor"


def test_the_clean_up_task_deletes_expired_keys_and_is_safe_to_run_twice(alice, authority_a) -> None:
    url = f"/api/v1/authorities/{authority_a.ons_code}/invitations/"
    client = _api(alice)
    client.post(url, {"email": "a@lambeth.example", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY="old")
    client.post(url, {"email": "b@lambeth.example", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyRecord.objects.filter(key="old").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert tasks.delete_expired_idempotency_keys() == 1
    assert tasks.delete_expired_idempotency_keys() == 0
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_an_expired_key_may_be_used_again(alice, authority_a) -> None:
    url = f"/api/v1/authorities/{authority_a.ons_code}/invitations/"
    client = _api(alice)
    client.post(url, {"email": "a@lambeth.example", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    again = client.post(url, {"email": "c@lambeth.example", "role": "viewer"}, HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201
    assert Invitation.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_write_once(postgres, authority_a, alice) -> None:  # noqa: F811
    plan = written_plan(authority_a, alice)
    url = f"/api/v1/authorities/{authority_a.ons_code}/action-plans/{plan.year}/objectives/"
    key = api_key(alice)
    before = Objective.objects.count()

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = client.post(url, {"text": "Fair recruitment panels"}, HTTP_IDEMPOTENCY_KEY="same-key")
        return response.status_code, response.json()

    results = together(post, post, post, post)
    assert Objective.objects.count() == before + 1
    assert {status for status, _ in results} == {201}
    assert len({body["uuid"] for _, body in results}) == 1
