"""Issue 16, "Lists: pagination on 2 endpoints with a fixed size, no filters or sorting, unknown
parameters ignored": every list under /api/ is one kind of list (wres_portal/api_views.ApiListView):
cursor pages, the filters and `ordering` its schema gives, and any other query parameter (or an
ordering it does not offer) refused with a 400 problem document naming it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from actionplans import services as plan_services
from actionplans.models import Quarter
from tests.builders import PLAN_YEAR, draft_return, written_plan
from tests.factories import api_key

PROBLEM = "application/problem+json"
COUNCIL = "/api/v1/authorities/E09000022/"
PLAN = f"{COUNCIL}action-plans/{PLAN_YEAR}/"
ROUND = "/api/v1/rounds/2025/"

#: Every list of the API (path, who reads it): the schema's list operations, all of them
#: (`test_every_list_in_the_schema_is_checked_here`).
LISTS = [
    ("/api/v1/rounds/", "lead"),
    ("/api/v1/authorities/", "lead"),
    (f"{COUNCIL}members/", "lead"),
    (f"{COUNCIL}returns/2025/versions/", "lead"),
    (f"{COUNCIL}action-plans/", "lead"),
    (f"{PLAN}objectives/", "lead"),
    (f"{PLAN}actions/", "lead"),
    (f"{PLAN}quarters/{PLAN_YEAR}-q1/updates/", "lead"),
    (f"{PLAN}targets/", "lead"),
    (f"{PLAN}versions/", "lead"),
    (f"{ROUND}releases/", "analyst"),
    (f"{ROUND}results/", "analyst"),
    (f"{ROUND}benchmarks/", "analyst"),
]


@pytest.fixture
def clients(authority_a, alice, analyst, collection_round) -> dict[str, APIClient]:
    draft_return(authority_a, collection_round, lead=alice)
    plan = written_plan(authority_a, alice)
    # Two or more of each of the plan's lists, so each has a second page of one.
    for action in plan.actions.all():
        plan_services.update_save(
            plan=plan, quarter=Quarter(PLAN_YEAR, 1), action=action, user=alice, rag="green", narrative="Ok."
        )
    for objective in plan.objectives.all():
        plan_services.target_create(
            objective=objective, user=alice, indicator="m2", service="all", comparison="lte", value=1.25,
            round_label=str(PLAN_YEAR + 1),
        )  # fmt: skip
    found = {}
    for name, user in (("lead", alice), ("analyst", analyst)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, 'read', verified=True)}")
        found[name] = client
    return found


def _problem(response, parameter: str, named: str) -> dict:
    """A 400 problem naming `named` in its detail, with an error located at the `parameter`."""
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert named in body["detail"]
    assert parameter in [e.get("parameter") for e in body["errors"]]
    return body


@pytest.mark.parametrize(("path", "who"), LISTS)
def test_every_list_is_a_cursor_page(clients, path, who) -> None:
    response = clients[who].get(path, {"page_size": 1})
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"next", "previous", "results"}
    assert len(body["results"]) <= 1
    if body["next"]:  # the next page: another item
        following = clients[who].get(body["next"])
        assert following.status_code == 200, following.content[:500]
        assert following.json()["results"] and following.json()["results"] != body["results"]


@pytest.mark.parametrize(("path", "who"), LISTS)
def test_every_list_refuses_an_unknown_parameter_naming_it(clients, path, who) -> None:
    body = _problem(clients[who].get(path, {"colour": "blue"}), "colour", "colour")
    assert body["code"] == "unknown_parameter"


@pytest.mark.parametrize(("path", "who"), LISTS)
def test_every_list_refuses_an_ordering_it_does_not_offer(clients, path, who) -> None:
    _problem(clients[who].get(path, {"ordering": "colour"}), "ordering", "colour")


def test_the_change_feed_refuses_an_unknown_parameter_naming_it(clients) -> None:
    body = _problem(clients["analyst"].get("/api/v1/changes/", {"colour": "blue"}), "colour", "colour")
    assert body["code"] == "unknown_parameter"


def test_every_list_in_the_schema_is_checked_here(tmp_path) -> None:
    """A list operation is one whose answer is a page (or, before issue 16, a bare array)."""
    out = tmp_path / "openapi.json"
    call_command("spectacular", "--file", str(out), "--format", "openapi-json")
    schema = json.loads(out.read_text())
    lists = set()
    for path, item in schema["paths"].items():
        ok = item.get("get", {}).get("responses", {}).get("200", {})
        found = ok.get("content", {}).get("application/json", {}).get("schema", {})
        if found.get("type") == "array" or found.get("$ref", "").split("/")[-1].startswith("Paginated"):
            lists.add(path)
    checked = {_template(path) for path, _ in LISTS}
    assert lists == checked


def _template(path: str) -> str:
    """The schema's path for one of LISTS."""
    return (
        path.replace("E09000022", "{ons_code}")
        .replace(f"/{PLAN_YEAR}-q1/", "/{quarter}/")
        .replace(f"/{PLAN_YEAR}/", "/{plan_year}/")
        .replace("/2025/", "/{round_label}/")
    )
