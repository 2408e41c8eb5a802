"""Issue 16 (and 12): two senior sponsors signing off at once through the API, with the same ETag.
Real concurrent requests on PostgreSQL, released together (tests/concurrency.py): one sign-off is
stored, the other gets 412 with the tag of the plan as it now is."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from actionplans.models import PlanVersion, QuarterlyReport
from tests.actionplans.conftest import PLAN_YEAR
from tests.concurrency import postgres, together  # noqa: F401
from tests.factories import api_key, member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres"),
]

PLAN = f"/api/v1/authorities/E09000022/action-plans/{PLAN_YEAR}/"
Q1 = PLAN + f"quarters/{PLAN_YEAR}-q1/"


@pytest.fixture
def sponsor2(authority_a):
    return member(authority_a, Role.SENIOR_SPONSOR, "second.sponsor@lambeth.example")


def _attest(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, 'attest', verified=True)}")
    return client


def _sign(name: str) -> dict[str, object]:
    return {
        "name": name,
        "role": "Director",
        "signed_on": timezone.localdate().isoformat(),
        "declaration": True,
    }


def test_two_sponsors_signing_off_the_plan_at_once_make_one_version(written_plan, sponsor_a, sponsor2):
    clients = [_attest(sponsor_a), _attest(sponsor2)]
    etag = clients[0].get(PLAN + "sign-off/")["ETag"]
    assert clients[1].get(PLAN + "sign-off/")["ETag"] == etag
    responses = together(
        *(
            lambda c=c, n=n: c.post(PLAN + "sign-off/", _sign(n), format="json", HTTP_IF_MATCH=etag)
            for c, n in zip(clients, ("Sam Sponsor", "Sue Sponsor"), strict=True)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 412]
    won = next(r for r in responses if r.status_code == 201)
    lost = next(r for r in responses if r.status_code == 412)
    assert PlanVersion.objects.filter(plan=written_plan).count() == 1
    assert "signed off the plan (version 1)" in lost.json()["detail"]
    assert lost["ETag"] == won["ETag"]


def test_two_sponsors_signing_off_a_report_at_once_sign_it_once(signed_plan, alice, sponsor_a, sponsor2):
    lead = APIClient()
    lead.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice)}")
    for action in signed_plan.actions.all():
        body = {"action": str(action.uuid), "rag": "green", "narrative": "On track."}
        assert lead.post(Q1 + "updates/", body, format="json").status_code == 201
    etag = lead.post(Q1 + "submit/", {}, format="json", HTTP_IF_MATCH=lead.get(Q1)["ETag"])["ETag"]
    clients = [_attest(sponsor_a), _attest(sponsor2)]
    responses = together(
        *(
            lambda c=c, n=n: c.post(Q1 + "sign-off/", _sign(n), format="json", HTTP_IF_MATCH=etag)
            for c, n in zip(clients, ("Sam Sponsor", "Sue Sponsor"), strict=True)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 412]
    report = QuarterlyReport.objects.get(plan=signed_plan)
    winner = next(
        n for r, n in zip(responses, ("Sam Sponsor", "Sue Sponsor"), strict=True) if r.status_code == 200
    )
    assert report.status == QuarterlyReport.Status.SIGNED_OFF and report.signatory_name == winner
