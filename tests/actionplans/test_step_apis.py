"""Issue 16: the rest of the action plan journey in the API (sign-off, publishing, targets, deletes,
the quarter's report and its sign-off, the files), scoped like the pages, by token, and with the
state changes naming the state they act on (428 without If-Match, 412 when it has moved on). Also
issue 12's gap "no API for plan and quarterly sign-off"."""

from __future__ import annotations

from django.utils import timezone
from rest_framework.test import APIClient

from actionplans.models import Action, ActionPlan, ActionUpdate, Objective, QuarterlyReport, Target
from tests.actionplans.conftest import PLAN_YEAR
from tests.factories import api_key

PLAN = f"/api/v1/authorities/E09000022/action-plans/{PLAN_YEAR}/"
Q1 = PLAN + f"quarters/{PLAN_YEAR}-q1/"
SIGN = {"name": "Sam Sponsor", "role": "Director", "declaration": True}


def _token(user, scope: str = "submit") -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {api_key(user, scope, verified=True if scope == 'attest' else None)}"
    )
    return client


def _sign() -> dict[str, object]:
    return {**SIGN, "signed_on": timezone.localdate().isoformat()}


# Plan sign-off -------------------------------------------------------------------------------------


def test_sponsor_signs_off_the_plan_by_token_naming_what_was_read(written_plan, sponsor_a, alice):
    sponsor = _token(sponsor_a, "attest")
    read = sponsor.get(PLAN + "sign-off/")
    assert read.status_code == 200
    assert read.json()["status"] == "draft" and read.json()["blockers"] == []
    etag = read["ETag"]
    assert sponsor.post(PLAN + "sign-off/", _sign(), format="json").status_code == 428
    # The lead changes an objective after the sponsor read the plan: the tag is stale.
    objective = written_plan.objectives.get(number=1)
    changed = _token(alice).patch(
        PLAN + f"objectives/{objective.uuid}/", {"timeframe": "2028"}, format="json"
    )
    assert changed.status_code == 200
    stale = sponsor.post(PLAN + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert "changed after you opened" in stale.json()["detail"]
    assert not written_plan.versions.exists()
    fresh = stale["ETag"]
    assert fresh == sponsor.get(PLAN + "sign-off/")["ETag"]
    signed = sponsor.post(PLAN + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=fresh)
    assert signed.status_code == 201, signed.json()
    assert signed.json()["status"] == "signed_off"
    assert signed.json()["signed_version"]["number"] == 1
    assert signed.json()["signed_version"]["signed_by"] == sponsor_a.email
    assert signed["ETag"] != fresh
    assert ActionPlan.objects.get(pk=written_plan.pk).status == ActionPlan.Status.SIGNED_OFF
    versions = sponsor.get(PLAN + "versions/").json()["results"]
    assert [v["number"] for v in versions] == [1]
    document = sponsor.get(PLAN + "versions/1/").json()["document"]
    assert [o["number"] for o in document["objectives"]] == [1, 2]


def test_a_sign_off_tag_used_again_after_a_sign_off_is_stale(written_plan, sponsor_a, alice):
    sponsor = _token(sponsor_a, "attest")
    etag = sponsor.get(PLAN + "sign-off/")["ETag"]
    assert sponsor.post(PLAN + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=etag).status_code == 201
    again = sponsor.post(PLAN + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=etag)
    assert again.status_code == 412
    assert "signed off the plan (version 1)" in again.json()["detail"]
    assert written_plan.versions.count() == 1


def test_only_a_sponsor_with_an_attest_token_signs_off(written_plan, sponsor_a, alice, bob, charlie):
    etag = _token(alice).get(PLAN + "sign-off/")["ETag"]
    for client in (_token(alice), _token(bob)):
        assert client.post(PLAN + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=etag).status_code == 403
    refused = _token(sponsor_a, "submit").post(PLAN + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 403
    assert "scope" in refused.json()["detail"]
    assert _token(charlie).get(PLAN + "sign-off/").status_code == 404
    assert (
        _token(charlie, "attest")
        .post(PLAN + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=etag)
        .status_code
        == 404
    )
    assert not written_plan.versions.exists()


def test_a_sign_off_with_blockers_is_refused_in_words(plan, sponsor_a):
    sponsor = _token(sponsor_a, "attest")
    read = sponsor.get(PLAN + "sign-off/")
    assert read.json()["blockers"] == ["Add at least one objective."]
    refused = sponsor.post(PLAN + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=read["ETag"])
    assert refused.status_code == 400
    assert not plan.versions.exists()


def test_sending_an_unchanged_signed_plan_for_sign_off_is_a_409(signed_plan, alice):
    """A step the plan's state does not allow is a conflict (409), as for a return's steps; a plan
    that cannot be signed for what it lacks is a 400 naming what to add."""
    lead = _token(alice)
    again = lead.post(PLAN + "send-for-sign-off/")
    assert again.status_code == 409, again.json()
    assert again.json()["code"] == "state_conflict"
    assert "not changed since it was last signed off" in again.json()["detail"]


def test_sending_a_plan_without_objectives_for_sign_off_is_a_400(plan, alice):
    refused = _token(alice).post(PLAN + "send-for-sign-off/")
    assert refused.status_code == 400
    assert "Add at least one objective." in refused.json()["detail"]


# Publishing ----------------------------------------------------------------------------------------


def test_lead_publishes_and_withdraws_a_signed_plan(signed_plan, alice, bob):
    lead = _token(alice)
    assert _token(bob).post(PLAN + "publish/").status_code == 403
    published = lead.post(PLAN + "publish/")
    assert published.status_code == 200
    assert published.json()["is_published"] is True
    assert published.json()["public_id"] == str(signed_plan.public_id)
    stale = lead.post(PLAN + "withdraw/", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412
    withdrawn = lead.post(PLAN + "withdraw/", HTTP_IF_MATCH=published["ETag"])
    assert withdrawn.status_code == 200 and withdrawn.json()["is_published"] is False


def test_a_draft_plan_cannot_be_published(written_plan, alice):
    refused = _token(alice).post(PLAN + "publish/")
    assert refused.status_code == 409 and refused.json()["code"] == "state_conflict"
    assert "Only a signed-off plan can be published" in refused.json()["detail"]
    assert not ActionPlan.objects.get(pk=written_plan.pk).is_published


# Targets -------------------------------------------------------------------------------------------


def test_lead_sets_changes_and_removes_a_target(written_plan, alice, bob, charlie):
    lead = _token(alice)
    objective = written_plan.objectives.get(number=1)
    body = {
        "objective": str(objective.uuid),
        "indicator": "m2",
        "service": "all",
        "comparison": "gte",
        "value": 0.8,
        "round_label": "2027",
    }
    assert _token(bob).post(PLAN + "targets/", body, format="json").status_code == 403
    created = lead.post(PLAN + "targets/", body, format="json")
    assert created.status_code == 201, created.json()
    target = created.json()
    assert target["outcome"] == "awaiting" and target["objective"] == str(objective.uuid)
    url = PLAN + f"targets/{target['uuid']}/"
    assert [t["uuid"] for t in lead.get(PLAN + "targets/").json()["results"]] == [target["uuid"]]
    assert _token(charlie).get(url).status_code == 404
    changed = lead.patch(url, {"value": 0.9}, format="json", HTTP_IF_MATCH=target["etag"])
    assert changed.status_code == 200 and changed.json()["value"] == 0.9
    stale = lead.patch(url, {"value": 0.7}, format="json", HTTP_IF_MATCH=target["etag"])
    assert stale.status_code == 412
    assert Target.objects.get(uuid=target["uuid"]).value == 0.9
    assert lead.delete(url).status_code == 428
    assert lead.delete(url, HTTP_IF_MATCH=target["etag"]).status_code == 412
    assert lead.delete(url, HTTP_IF_MATCH=changed["ETag"]).status_code == 204
    assert not Target.objects.filter(uuid=target["uuid"]).exists()


def test_a_target_with_a_bad_value_or_objective_is_a_located_400(written_plan, alice):
    objective = written_plan.objectives.get(number=1)
    body = {
        "objective": str(objective.uuid),
        "indicator": "m99",
        "service": "all",
        "comparison": "gte",
        "value": 5000,
        "round_label": "2027",
    }
    refused = _token(alice).post(PLAN + "targets/", body, format="json")
    assert refused.status_code == 400
    assert {"/indicator", "/value"} <= {e["pointer"] for e in refused.json()["errors"]}
    wrong = {**body, "indicator": "m2", "value": 1, "objective": "00000000-0000-0000-0000-000000000000"}
    refused = _token(alice).post(PLAN + "targets/", wrong, format="json")
    assert refused.status_code == 400
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/objective"]
    assert not Target.objects.exists()


def test_a_target_for_a_round_before_the_plan_started_is_a_located_400(written_plan, alice):
    body = {
        "objective": str(written_plan.objectives.get(number=1).uuid),
        "indicator": "m2",
        "service": "all",
        "comparison": "gte",
        "value": 0.8,
        "round_label": str(PLAN_YEAR),
    }
    refused = _token(alice).post(PLAN + "targets/", body, format="json")
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert [e["pointer"] for e in errors] == ["/round_label"]
    assert "The round must be 2027 or later" in errors[0]["detail"]
    assert not Target.objects.exists()
    created = _token(alice).post(PLAN + "targets/", {**body, "round_label": "2027"}, format="json").json()
    url = PLAN + f"targets/{created['uuid']}/"
    moved = _token(alice).patch(url, {"round_label": "1999"}, format="json", HTTP_IF_MATCH=created["etag"])
    assert moved.status_code == 400 and [e["pointer"] for e in moved.json()["errors"]] == ["/round_label"]
    assert Target.objects.get().round_label == "2027"


# Deletes -------------------------------------------------------------------------------------------


def test_deleting_an_objective_or_action_names_the_state_read(written_plan, alice, bob):
    lead = _token(alice)
    objective = written_plan.objectives.get(number=2)
    url = PLAN + f"objectives/{objective.uuid}/"
    etag = lead.get(url).json()["remove_etag"]
    assert _token(bob).delete(url, HTTP_IF_MATCH=etag).status_code == 403
    assert lead.delete(url).status_code == 428
    lead.patch(url, {"timeframe": "2029"}, format="json")
    assert lead.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert lead.delete(url, HTTP_IF_MATCH=lead.get(url).json()["remove_etag"]).status_code == 204
    assert not Objective.objects.filter(pk=objective.pk).exists()
    action = written_plan.actions.order_by("number").first()
    url = PLAN + f"actions/{action.uuid}/"
    assert lead.delete(url).status_code == 428
    assert lead.delete(url, HTTP_IF_MATCH=lead.get(url)["ETag"]).status_code == 204
    assert [a.number for a in Action.objects.filter(plan=written_plan)] == [1]


# Quarterly reports ---------------------------------------------------------------------------------


def _update_every_action(plan, client) -> None:
    for action in plan.actions.all():
        body = {"action": str(action.uuid), "rag": "green", "narrative": "On track."}
        assert client.post(Q1 + "updates/", body, format="json").status_code == 201


def test_the_quarter_report_is_submitted_returned_and_signed_off_by_token(
    signed_plan, alice, sponsor_a, voice_a
):
    lead, sponsor = _token(alice), _token(sponsor_a, "attest")
    assert lead.get(Q1).json()["status"] == "not_started"
    assert lead.post(Q1 + "submit/", {}, format="json").status_code == 404  # nothing recorded yet
    _update_every_action(signed_plan, _token(voice_a))
    read = lead.get(Q1)
    assert read.json()["status"] == "draft" and read.json()["missing_updates"] == []
    assert lead.post(Q1 + "submit/", {"summary": "Good quarter."}, format="json").status_code == 428
    assert (
        _token(voice_a).post(Q1 + "submit/", {}, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 403
    )
    submitted = lead.post(
        Q1 + "submit/", {"summary": "Good quarter."}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted" and submitted.json()["submitted_by"] == alice.email
    # Send back: needs the tag; the one from before submission is stale.
    assert sponsor.post(Q1 + "send-back/").status_code == 428
    assert sponsor.post(Q1 + "send-back/", HTTP_IF_MATCH=read["ETag"]).status_code == 412
    returned = sponsor.post(Q1 + "send-back/", HTTP_IF_MATCH=submitted["ETag"])
    assert returned.status_code == 200 and returned.json()["status"] == "draft"
    again = lead.post(Q1 + "submit/", {}, format="json", HTTP_IF_MATCH=returned["ETag"])
    assert again.json()["status"] == "submitted"
    signed = sponsor.post(Q1 + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=again["ETag"])
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed_off" and signed.json()["signed_by"] == sponsor_a.email
    report = QuarterlyReport.objects.get(plan=signed_plan)
    assert report.status == QuarterlyReport.Status.SIGNED_OFF and report.signatory_name == "Sam Sponsor"
    pdf = lead.get(Q1 + "report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_a_report_sign_off_with_a_tag_from_before_a_change_is_refused(signed_plan, alice, sponsor_a, voice_a):
    lead, sponsor = _token(alice), _token(sponsor_a, "attest")
    _update_every_action(signed_plan, _token(voice_a))
    submitted = lead.post(Q1 + "submit/", {}, format="json", HTTP_IF_MATCH=lead.get(Q1)["ETag"])
    tag = submitted["ETag"]
    # Returned, an update corrected, submitted again: the sponsor's tag no longer names the report.
    returned = sponsor.post(Q1 + "send-back/", HTTP_IF_MATCH=tag)
    action = signed_plan.actions.first()
    body = {"action": str(action.uuid), "rag": "red", "narrative": "Behind after all."}
    assert _token(voice_a).post(Q1 + "updates/", body, format="json").status_code == 201
    lead.post(Q1 + "submit/", {}, format="json", HTTP_IF_MATCH=lead.get(Q1)["ETag"])
    assert returned.status_code == 200
    refused = sponsor.post(Q1 + "sign-off/", _sign(), format="json", HTTP_IF_MATCH=tag)
    assert refused.status_code == 412
    assert QuarterlyReport.objects.get(plan=signed_plan).status == QuarterlyReport.Status.SUBMITTED
    assert ActionUpdate.objects.get(action=action).rag == "red"


def test_report_steps_are_404_for_another_council(signed_plan, charlie, voice_a):
    _update_every_action(signed_plan, _token(voice_a))
    outsider = _token(charlie, "attest")
    for path in ("", "submit/", "sign-off/", "send-back/", "report.pdf"):
        response = outsider.post(Q1 + path) if path.endswith("/") and path else outsider.get(Q1 + path)
        assert response.status_code == 404, path


# Files ---------------------------------------------------------------------------------------------


def test_plan_files_come_to_a_token_as_files(signed_plan, bob, charlie):
    viewer = _token(bob, "read")
    pdf = viewer.get(PLAN + "plan.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="wres-action-plan-2026-E09000022.pdf"' in pdf["Content-Disposition"]
    xlsx = viewer.get(PLAN + "plan.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert viewer.get(PLAN + "versions/1/plan.pdf").content.startswith(b"%PDF")
    for path in ("plan.pdf", "plan.xlsx", "versions/1/plan.pdf"):
        assert _token(charlie, "read").get(PLAN + path).status_code == 404
    assert APIClient().get(PLAN + "plan.pdf").status_code == 401
