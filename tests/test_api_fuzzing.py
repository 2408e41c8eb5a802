"""Schemathesis fuzzes every operation of the OpenAPI schema (drf-spectacular), signed in with a
council user's API token, while another council has a return, results, an action plan and people.

Two properties for every generated request: no server error (5xx), and nothing of the other council
in the response (its ONS code, its name, its people's email addresses, its plan's text). Path
parameters are drawn from the caller's own council, the other council and schemathesis's own values,
so the fuzzer reaches real objects on both sides of the tenancy line.

Bounded for CI: 20 derandomized examples per operation, run in-process through the WSGI app.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from accounts.models import Role
from submissions.demo import _add_return
from submissions.models import Return
from tests.factories import AuthorityFactory, api_key, member, open_round

OWN, OTHER = "E09000022", "E08000035"
OTHER_NAME = "Leeds"
OTHER_EMAILS = ("charlie@leeds.example", "sponsor@leeds.example")
OTHER_PLAN_TEXT = "Leeds-only objective: mentoring for Leeds staff"
ROUND, PLAN_YEAR = "2025", 2026

# The schema as /api/schema/ serves it, generated without a request so it can be built at import.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """Requests go straight to the WSGI app, which closes the database connection when a request
    ends (CONN_MAX_AGE=0); inside a test transaction that would break the test on PostgreSQL.
    Django's own test client disconnects the same handlers."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, django_capture_on_commit_callbacks) -> str:
    """Alice's token for Lambeth; Leeds has a return with results, an action plan and people."""
    from actionplans import services as plan_services

    actor = member(AuthorityFactory.create(ons_code="E06999999", name="Elsewhere"), Role.VIEWER)
    own = AuthorityFactory.create(ons_code=OWN, name="Lambeth")
    other = AuthorityFactory.create(ons_code=OTHER, name=OTHER_NAME, region="Yorkshire and The Humber")
    alice = member(own, Role.PROGRAMME_LEAD, "alice@lambeth.example")
    lead = member(other, Role.PROGRAMME_LEAD, OTHER_EMAILS[0])
    member(other, Role.SENIOR_SPONSOR, OTHER_EMAILS[1])
    collection_round = open_round(ROUND)
    with django_capture_on_commit_callbacks(execute=True):
        _add_return(other, collection_round, Return.Status.SUBMITTED, actor, "fuzz-other")
        _add_return(own, collection_round, Return.Status.DRAFT, actor, "fuzz-own")
        from metrics.services import results_compute

        for record in Return.objects.all():
            results_compute(version=record.current())
        for authority, user, text in ((other, lead, OTHER_PLAN_TEXT), (own, alice, "Lambeth objective")):
            plan = plan_services.plan_create(authority=authority, year=PLAN_YEAR, user=user)
            objective = plan_services.objective_create(
                plan=plan, user=user, text=text, themes=["leadership"], related_indicators=["m9"]
            )
            plan_services.action_create(
                objective=objective, user=user, text=f"{text}: action", due_date=datetime.date(2026, 5, 1)
            )
    return api_key(alice, "submit")


def _pick(case, data) -> None:
    """Point path parameters at real objects: own, other council, or the fuzzer's own value."""
    params = case.path_parameters or {}
    choices: dict[str, list[object]] = {
        "ons_code": [OWN, OTHER],
        "round_label": [ROUND],
        "plan_year": [PLAN_YEAR],
        "number": [1],
    }
    for name, values in choices.items():
        if name in params:
            params[name] = data.draw(st.sampled_from([*values, params[name]]), label=name)


def _readable(content: bytes) -> str:
    """A response as text to search: a workbook's XML unzipped (its cells are compressed), anything
    else decoded with undecodable bytes replaced (a PDF's text streams stay compressed: the access
    matrix checks who may fetch each file)."""
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "".join(workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist())
    return content.decode("utf-8", "replace")


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=20,
    # Generated cases only: the schema's examples (wres_portal/api_schema.py) cannot be combined with
    # the drawn path parameters (schemathesis refuses @schema.given with explicit examples).
    phases=[Phase.generate],
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_has_no_server_errors_and_never_shows_another_council(case, data, token) -> None:
    _pick(case, data)
    response = case.call(headers={"Authorization": f"Token {token}"})
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    body = _readable(response.content)
    assert response.status_code < 500, f"server error: {where}\n{body[:2000]}"
    # A problem document's `instance` repeats the path the caller asked for: their own input, not a leak.
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if isinstance(document, dict) and "instance" in document:
        document.pop("instance")
        body = json.dumps(document)
    leaked = [marker for marker in (OTHER, OTHER_NAME, *OTHER_EMAILS, OTHER_PLAN_TEXT) if marker in body]
    assert not leaked, f"another council's data ({leaked}) in {where}:\n{body[:2000]}"
