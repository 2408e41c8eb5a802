"""The action plan API: scoped to the caller's authority, roles checked, described in the schema."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from actionplans.models import ActionPlan
from tests.actionplans.conftest import PLAN_YEAR

BASE = "/api/v1/authorities/E09000022/action-plans/"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_lead_starts_and_writes_a_plan(authority_a, alice):
    client = _api(alice)
    response = client.post(BASE, {"year": PLAN_YEAR}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert client.post(BASE, {"year": PLAN_YEAR}, format="json").status_code == 409  # one plan a year
    plan = f"{BASE}{PLAN_YEAR}/"
    response = client.patch(plan, {"direct_employees": 1930, "how_agreed": "Board"}, format="json")
    assert response.json()["direct_employees"] == 1930
    response = client.post(
        plan + "objectives/",
        {"text": "Fair recruitment", "themes": ["recruitment_retention"], "related_indicators": ["m2"]},
        format="json",
    )
    assert response.status_code == 201
    objective = response.json()["uuid"]
    response = client.post(
        plan + "actions/",
        {"objective": objective, "text": "Anonymised shortlisting", "due_date": "2026-09-30"},
        format="json",
    )
    assert response.status_code == 201
    action = response.json()
    assert action["number"] == 1 and action["objective"] == objective
    response = client.patch(plan + f"actions/{action['uuid']}/", {"status": "in_progress"}, format="json")
    assert response.json()["status"] == "in_progress"
    response = client.patch(plan + f"objectives/{objective}/", {"timeframe": "March 2027"}, format="json")
    assert response.json()["timeframe"] == "March 2027"
    assert [p["year"] for p in client.get(BASE).json()["results"]] == [PLAN_YEAR]
    assert len(client.get(plan + "actions/").json()["results"]) == 1
    assert client.get(plan + f"objectives/{objective}/").json()["related_indicators"] == ["m2"]


def test_bad_input_is_400_with_a_message(plan, alice):
    client = _api(alice)
    url = f"{BASE}{PLAN_YEAR}/"
    assert (
        client.post(url + "objectives/", {"text": "x", "themes": ["nonsense"]}, format="json").status_code
        == 400
    )
    response = client.post(
        url + "actions/", {"objective": "00000000-0000-0000-0000-000000000000", "text": "x"}, format="json"
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["pointer"] == "/objective" and "no such objective" in error["detail"]


def test_updates_by_staff_voice_lead(signed_plan, voice_a, bob):
    url = f"{BASE}{PLAN_YEAR}/quarters/{PLAN_YEAR}-q1/updates/"
    action = str(signed_plan.actions.first().uuid)
    body = {
        "action": action,
        "rag": "amber",
        "narrative": "Started",
        "evidence_url": "https://intranet.example/x",
    }
    assert _api(bob).post(url, body, format="json").status_code == 403
    response = _api(voice_a).post(url, body, format="json")
    assert response.status_code == 201
    assert response.json()["updated_by"] == "voice@lambeth.example"
    assert [u["rag"] for u in _api(bob).get(url).json()["results"]] == ["amber"]


def test_staff_voice_lead_patches_only_the_staff_voice(plan, voice_a):
    url = f"{BASE}{PLAN_YEAR}/"
    assert _api(voice_a).patch(url, {"staff_voice_summary": "Heard."}, format="json").status_code == 200
    assert _api(voice_a).patch(url, {"how_agreed": "Mine"}, format="json").status_code == 400


def test_another_councils_plan_is_404_and_viewer_is_403(signed_plan, charlie, bob):
    url = f"{BASE}{PLAN_YEAR}/"
    assert _api(charlie).get(url).status_code == 404
    assert _api(charlie).patch(url, {"how_agreed": "x"}, format="json").status_code == 404
    assert _api(charlie).get(url + "objectives/").status_code == 404
    assert _api(bob).patch(url, {"how_agreed": "x"}, format="json").status_code == 403
    assert _api(bob).post(url + "objectives/", {"text": "x"}, format="json").status_code == 403
    assert ActionPlan.objects.get(pk=signed_plan.pk).how_agreed == "Agreed at the WRES project board."


def test_public_id_is_given_only_while_published(signed_plan, alice):
    assert _api(alice).get(f"{BASE}{PLAN_YEAR}/").json()["public_id"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/authorities/{ons_code}/action-plans/",
        "/api/v1/authorities/{ons_code}/action-plans/{plan_year}/",
        "/api/v1/authorities/{ons_code}/action-plans/{plan_year}/objectives/{objective}/",
        "/api/v1/authorities/{ons_code}/action-plans/{plan_year}/actions/{action}/",
        "/api/v1/authorities/{ons_code}/action-plans/{plan_year}/quarters/{quarter}/updates/",
    ],
)
def test_schema_describes_the_action_plan_api(path):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert path in schema["paths"]
    assert "ActionPlan" in schema["components"]["schemas"]
