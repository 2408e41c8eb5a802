"""Done when (issue 16): a client generated with openapi-python-client from the live schema imports
every operation, and the council's annual journey (the return from template to acceptance; the plan
from its start to the sponsor's sign-off; the quarter's report from its updates to its sign-off) and
the analyst's round download run through it, with typed responses for successes and for errors.

The client is generated offline from the installed package (`python -m openapi_python_client`), with
`--fail-on-warning`, into a temporary folder; it talks to the portal in-process (httpx's WSGI
transport), with `raise_on_unexpected_status`, so any status the schema does not document fails.
"""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import httpx
import openapi_python_client
import pytest
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import api_key, member
from tests.submissions.files import csv_bytes, set_count, valid_rows

WSGI = get_wsgi_application()
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Any:
    """The client package, generated from the schema the portal serves (via `manage.py spectacular`,
    which /api/schema/ shares: `test_the_schema_served_is_the_one_the_client_is_made_from`)."""
    out: Path = tmp_path_factory.mktemp("client")
    schema_path = out / "openapi.json"
    call_command(
        "spectacular", "--file", str(schema_path), "--format", "openapi-json", "--validate", "--fail-on-warn"
    )
    config = out / "config.yaml"
    config.write_text(
        "post_hooks: []\npackage_name_override: wres_client\nproject_name_override: wres-client\n"
        # Files come back as bytes (the generator knows octet-stream, not each file type).
        "content_type_overrides:\n"
        "  text/csv: application/octet-stream\n"
        "  application/pdf: application/octet-stream\n"
        "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream\n"
    )
    command = [sys.executable, "-m", openapi_python_client.__name__, "generate", "--path", str(schema_path)]
    command += ["--meta", "none", "--config", str(config), "--output-path", str(out / "wres_client")]
    command += ["--fail-on-warning"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module("wres_client")
        modules = {
            info.name: importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, "wres_client.")
        }
        yield SimpleNamespace(
            package=package,
            modules=modules,
            models=importlib.import_module("wres_client.models"),
            types=importlib.import_module("wres_client.types"),
            errors=importlib.import_module("wres_client.errors"),
            schema=json.loads(schema_path.read_text()),
        )
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "wres_client" or n.startswith("wres_client.")]:
            del sys.modules[name]


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """The WSGI app closes the database connection when a request ends; inside a test transaction
    that would break the test (Django's test client disconnects the same handlers)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _operations(schema: dict) -> set[str]:
    return {op["operationId"] for item in schema["paths"].values() for m, op in item.items() if m in METHODS}


def test_every_operation_is_generated_and_imports(generated) -> None:
    api_modules = {
        name.rsplit(".", 1)[-1] for name in generated.modules if name.startswith("wres_client.api.")
    }
    operations = _operations(generated.schema)
    assert len(operations) >= 30
    assert operations <= api_modules, operations - api_modules
    for name in operations:
        module = _op(generated, name)
        assert callable(module.sync_detailed) and callable(module.sync)


def test_the_schema_served_is_the_one_the_client_is_made_from(generated, alice) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice, 'read')}")
    served = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    live = json.loads(served.content)
    assert _operations(live) == _operations(generated.schema)
    assert live["components"]["schemas"].keys() == generated.schema["components"]["schemas"].keys()
    assert live["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": live["components"]["securitySchemes"]["tokenAuth"]["description"],
    }


def _op(generated, name: str) -> ModuleType:
    (module,) = [m for key, m in generated.modules.items() if key.endswith("." + name)]
    return module


def _client(generated, key: str) -> Any:
    return generated.package.AuthenticatedClient(
        base_url="http://testserver",
        token=key,
        prefix="Token",
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=WSGI)},
    )


def _call(generated, name: str, client: Any, **kwargs: Any) -> Any:
    return _op(generated, name).sync_detailed(client=client, **kwargs)


def _problem(generated, response: Any, status: int, code: str) -> Any:
    assert response.status_code == status, response.content[:500]
    assert isinstance(response.parsed, generated.models.Problem), type(response.parsed)
    assert response.parsed.status == status and response.parsed.code == code
    return response.parsed


def test_the_council_journey_and_the_analyst_download_through_the_generated_client(
    generated, authority_a, alice, sponsor_a, analyst, collection_round
) -> None:
    m = generated.models
    ons, label = authority_a.ons_code, collection_round.label
    lead = _client(generated, api_key(alice, "submit"))
    sponsor = _client(generated, api_key(sponsor_a, "attest", verified=True))
    national = _client(generated, api_key(analyst, "attest", verified=True))
    where = {"ons_code": ons, "round_label": label}

    me = _call(generated, "me_retrieve", lead)
    assert isinstance(me.parsed, m.Me)
    assert [(x.authority, x.authority_name) for x in me.parsed.memberships] == [(ons, authority_a.name)]
    rounds = _call(generated, "rounds_list", lead)
    assert label in [r.label for r in rounds.parsed.results]
    opened = _call(generated, "rounds_open_retrieve", lead)
    assert isinstance(opened.parsed, m.OpenRound)
    template = _call(generated, "authorities_returns_template_csv_retrieve", lead, **where)
    assert template.status_code == 200 and b"service" in template.content[:500]

    # A file with a mistake: refused whole, each problem located by service, measure and group.
    rows = valid_rows()
    set_count(rows, "adults", "appointed", "white", 10**6)
    broken = m.ReturnUploadRequest(
        file=generated.types.File(io.BytesIO(csv_bytes(rows)), "r.csv", "text/csv")
    )
    refused = _call(generated, "authorities_returns_upload_create", lead, body=broken, **where)
    problem = _problem(generated, refused, 400, "invalid_figures")
    assert any(
        e.service == "adults" and e.measure == "appointed" and e.group == "white" for e in problem.errors
    )

    # Upload the figures: a new version, with where it is.
    good = m.ReturnUploadRequest(
        file=generated.types.File(io.BytesIO(csv_bytes(valid_rows())), "r.csv", "text/csv")
    )
    uploaded = _call(
        generated, "authorities_returns_upload_create", lead, body=good, idempotency_key="up-1", **where
    )
    assert uploaded.status_code == 201 and isinstance(uploaded.parsed, m.UploadResult)
    assert uploaded.parsed.version == 1 and uploaded.headers["Location"].endswith(
        f"/returns/{label}/versions/1/"
    )
    version = _call(generated, "authorities_returns_versions_retrieve", lead, number=1, **where)
    assert isinstance(version.parsed, m.VersionFigures) and version.parsed.rows

    # Warnings: each explained; an explanation of a warning that does not apply is refused (409).
    state = _call(generated, "authorities_returns_retrieve", lead, **where)
    assert isinstance(state.parsed, m.Return) and state.parsed.status == m.ReturnStatusEnum.DRAFT
    etag = state.headers["ETag"]
    for warning in state.parsed.warnings:
        body = m.WarningExplanationRequest(key=warning.key, text="Checked with HR: correct.")
        explained = _call(
            generated, "authorities_returns_warnings_create", lead, body=body, if_match=etag, **where
        )
        assert isinstance(explained.parsed, m.Return)
        etag = explained.headers["ETag"]
    unknown = m.WarningExplanationRequest(key="no-such-warning", text="x")
    _problem(
        generated,
        _call(generated, "authorities_returns_warnings_create", lead, body=unknown, **where),
        409,
        "state_conflict",
    )

    # Submit (naming the version), then the sponsor signs off and the analyst accepts.
    submitted = _call(
        generated,
        "authorities_returns_submit_create",
        lead,
        body=m.ReturnSubmitRequest(),
        if_match=etag,
        **where,
    )
    assert submitted.parsed.status == m.ReturnStatusEnum.SUBMITTED
    again = _call(
        generated,
        "authorities_returns_submit_create",
        lead,
        body=m.ReturnSubmitRequest(),
        if_match=submitted.headers["ETag"],
        **where,
    )
    _problem(generated, again, 409, "state_conflict")
    stale = _call(
        generated,
        "authorities_returns_submit_create",
        lead,
        body=m.ReturnSubmitRequest(),
        if_match='"1-draft"',
        **where,
    )
    _problem(generated, stale, 412, "precondition_failed")
    sign = m.ReturnSignOffRequest(
        name="Sam Sponsor", role="Director", signed_on=timezone.localdate(), declaration=True
    )
    signed = _call(
        generated,
        "authorities_returns_sign_off_create",
        sponsor,
        body=sign,
        if_match=submitted.headers["ETag"],
        **where,
    )
    assert signed.parsed.status == m.ReturnStatusEnum.SIGNED_OFF
    accepted = _call(
        generated, "authorities_returns_accept_create", national, if_match=signed.headers["ETag"], **where
    )
    assert accepted.parsed.status == m.ReturnStatusEnum.ACCEPTED

    # The results document of the accepted version, typed.
    results = _call(generated, "authorities_returns_versions_results_retrieve", lead, number=1, **where)
    assert isinstance(results.parsed, m.ResultsDocument) and results.parsed.schema == "wres-results/1"
    assert {"m1_lower", "m2", "m9"} <= {r.indicator for r in results.parsed.results}

    # The plan: started, an objective, an action, a quarterly update.
    year = 2026
    plan = _call(
        generated,
        "authorities_action_plans_create",
        lead,
        body=m.ActionPlanCreateRequest(year=year),
        ons_code=ons,
    )
    assert plan.status_code == 201 and isinstance(plan.parsed, m.ActionPlan)
    assert plan.headers["Location"].endswith(f"/action-plans/{year}/")
    where_plan = {"ons_code": ons, "plan_year": year}
    objective = _call(
        generated,
        "authorities_action_plans_objectives_create",
        lead,
        body=m.ActionPlanObjectiveInputRequest(text="Fair recruitment panels"),
        **where_plan,
    )
    assert isinstance(objective.parsed, m.ActionPlanObjective) and objective.headers["Location"]
    action = _call(
        generated,
        "authorities_action_plans_actions_create",
        lead,
        body=m.ActionPlanActionInputRequest(objective=objective.parsed.uuid, text="Train every panel chair"),
        **where_plan,
    )
    assert isinstance(action.parsed, m.ActionPlanAction)
    quarter = f"{year}-q1"
    update = _call(
        generated,
        "authorities_action_plans_quarters_updates_create",
        lead,
        body=m.ActionPlanUpdateInputRequest(
            action=action.parsed.uuid, rag=m.RagEnum.GREEN, narrative="On track"
        ),
        quarter=quarter,
        **where_plan,
    )
    assert update.status_code == 201 and isinstance(update.parsed, m.ActionPlanUpdate)
    changed = _call(
        generated,
        "authorities_action_plans_objectives_partial_update",
        lead,
        objective=objective.parsed.uuid,
        body=m.PatchedActionPlanObjectiveInputRequest(timeframe="By March"),
        if_match=objective.headers["ETag"],
        **where_plan,
    )
    assert isinstance(changed.parsed, m.ActionPlanObjective)
    stale_edit = _call(
        generated,
        "authorities_action_plans_objectives_partial_update",
        lead,
        objective=objective.parsed.uuid,
        body=m.PatchedActionPlanObjectiveInputRequest(timeframe="By June"),
        if_match=objective.headers["ETag"],
        **where_plan,
    )
    _problem(generated, stale_edit, 412, "precondition_failed")

    # The plan goes to the senior sponsor, who signs it off as read; signing with that tag again is stale.
    sent = _call(generated, "authorities_action_plans_send_for_sign_off_create", lead, **where_plan)
    assert isinstance(sent.parsed, m.ActionPlanSignOff), sent.content[:500]
    assert sent.parsed.waiting_for_sign_off and sent.parsed.blockers == []
    assert sent.parsed.status == m.PlanStatusEnum.DRAFT
    to_sign = _call(generated, "authorities_action_plans_sign_off_retrieve", sponsor, **where_plan)
    assert isinstance(to_sign.parsed, m.ActionPlanSignOff) and to_sign.parsed.needs_sign_off
    sponsor_signs = m.ActionPlanSignOffInputRequest(
        name="Sam Sponsor", role="Director", signed_on=timezone.localdate(), declaration=True
    )
    plan_signed = _call(
        generated,
        "authorities_action_plans_sign_off_create",
        sponsor,
        body=sponsor_signs,
        if_match=to_sign.headers["ETag"],
        **where_plan,
    )
    assert plan_signed.status_code == 201 and isinstance(plan_signed.parsed, m.ActionPlanSignOff)
    assert plan_signed.parsed.status == m.PlanStatusEnum.SIGNED_OFF
    assert isinstance(plan_signed.parsed.signed_version, m.ActionPlanVersion)
    assert plan_signed.parsed.signed_version.number == 1
    assert plan_signed.parsed.signed_version.signed_by == sponsor_a.email
    assert not plan_signed.parsed.waiting_for_sign_off
    signed_twice = _call(
        generated,
        "authorities_action_plans_sign_off_create",
        sponsor,
        body=sponsor_signs,
        if_match=to_sign.headers["ETag"],
        **where_plan,
    )
    _problem(generated, signed_twice, 412, "precondition_failed")
    _problem(
        generated,
        _call(generated, "authorities_action_plans_send_for_sign_off_create", lead, **where_plan),
        409,
        "state_conflict",
    )
    versions = _call(generated, "authorities_action_plans_versions_list", lead, **where_plan)
    assert isinstance(versions.parsed, m.PaginatedActionPlanVersionList)
    assert [v.number for v in versions.parsed.results] == [1]

    # The quarter's report: submitted by the lead (every action has its update), signed off by the sponsor.
    where_quarter = {**where_plan, "quarter": quarter}
    report = _call(generated, "authorities_action_plans_quarters_retrieve", lead, **where_quarter)
    assert isinstance(report.parsed, m.QuarterlyReport) and report.parsed.missing_updates == []
    assert report.parsed.status == m.QuarterlyReportStatusEnum.DRAFT
    report_submitted = _call(
        generated,
        "authorities_action_plans_quarters_submit_create",
        lead,
        body=m.QuarterlyReportSubmitRequest(summary="Panels trained on time."),
        if_match=report.headers["ETag"],
        **where_quarter,
    )
    assert isinstance(report_submitted.parsed, m.QuarterlyReport)
    assert report_submitted.parsed.status == m.QuarterlyReportStatusEnum.SUBMITTED
    assert report_submitted.parsed.submitted_by == alice.email
    resubmitted = _call(
        generated,
        "authorities_action_plans_quarters_submit_create",
        lead,
        body=m.QuarterlyReportSubmitRequest(),
        if_match=report_submitted.headers["ETag"],
        **where_quarter,
    )
    _problem(generated, resubmitted, 409, "state_conflict")
    _problem(
        generated,
        _call(
            generated,
            "authorities_action_plans_quarters_sign_off_create",
            sponsor,
            body=sponsor_signs,
            if_match=report.headers["ETag"],
            **where_quarter,
        ),
        412,
        "precondition_failed",
    )
    report_signed = _call(
        generated,
        "authorities_action_plans_quarters_sign_off_create",
        sponsor,
        body=sponsor_signs,
        if_match=report_submitted.headers["ETag"],
        **where_quarter,
    )
    assert isinstance(report_signed.parsed, m.QuarterlyReport)
    assert report_signed.parsed.status == m.QuarterlyReportStatusEnum.SIGNED_OFF
    assert report_signed.parsed.signed_by == sponsor_a.email

    # Outsiders and wrong roles, typed too.
    _problem(
        generated, _call(generated, "authorities_retrieve", lead, ons_code="E08000035"), 404, "not_found"
    )
    _problem(
        generated,
        _call(generated, "authorities_returns_accept_create", lead, if_match='"1-accepted"', **where),
        403,
        "permission_denied",
    )

    # The analyst's round download: every council's accepted results, typed, then as one CSV.
    national_results = _call(generated, "rounds_results_list", national, round_label=label)
    assert isinstance(national_results.parsed, m.PaginatedCouncilRoundResultsList)
    assert (ons, authority_a.name) in [
        (r.authority, r.authority_name) for r in national_results.parsed.results
    ]
    as_csv = _call(generated, "rounds_results_csv_retrieve", national, round_label=label)
    assert as_csv.status_code == 200 and ons.encode() in as_csv.content
    _problem(generated, _call(generated, "rounds_results_list", lead, round_label=label), 404, "not_found")

    # The analyst's round download: the round's releases (national tables).
    releases = _call(generated, "rounds_releases_list", national, round_label=label)
    assert isinstance(releases.parsed, m.PaginatedReleaseList)
    assert all(isinstance(r, m.Release) for r in releases.parsed.results)
    _problem(generated, _call(generated, "rounds_releases_list", lead, round_label=label), 404, "not_found")


def test_a_viewer_reads_lists_and_is_refused_writes_with_typed_answers(
    generated, authority_a, collection_round
) -> None:
    viewer = member(authority_a, Role.VIEWER, "viewer@lambeth.example")
    client = _client(generated, api_key(viewer, "submit"))
    members = _call(generated, "authorities_members_list", client, ons_code=authority_a.ons_code)
    assert [x.email for x in members.parsed.results] == ["viewer@lambeth.example"]
    assert all(isinstance(x, generated.models.Membership) for x in members.parsed.results)
    body = generated.models.ActionPlanCreateRequest(year=2026)
    refused = _call(
        generated, "authorities_action_plans_create", client, body=body, ons_code=authority_a.ons_code
    )
    _problem(generated, refused, 403, "permission_denied")
