"""Action plan pages, as the people of a council use them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans import services
from actionplans.models import ActionPlan, QuarterlyReport
from tests.actionplans.conftest import PLAN_YEAR
from tests.builders import sign_plan
from tests.concurrency import hidden


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name, plan, *args):
    return reverse(f"actionplans:{name}", args=[plan.authority.ons_code, plan.year, *args])


def test_programme_lead_writes_a_plan_through_the_pages(authority_a, alice):
    client = _client(alice)
    response = client.post(reverse("actionplans:create", args=[authority_a.ons_code]), {"year": PLAN_YEAR})
    plan = ActionPlan.objects.get(authority=authority_a, year=PLAN_YEAR)
    assert response["Location"] == _url("detail", plan)
    response = client.post(
        _url("objective_create", plan),
        {
            "text": "Fair recruitment.",
            "themes": ["recruitment_retention"],
            "related_indicators": ["m2"],
            "leads": "HR",
            "indicators_of_improvement": "Better appointment rates.",
            "timeframe": "March 2027",
        },
    )
    assert response.status_code == 302
    objective = plan.objectives.get()
    assert objective.themes == ["recruitment_retention"]
    response = client.post(
        _url("action_create", plan, objective.uuid),
        {"text": "Anonymised shortlisting.", "lead": "HR", "due_date": "2026-09-30", "status": "not_started"},
    )
    assert response.status_code == 302
    page = client.get(_url("detail", plan)).content.decode()
    assert "Fair recruitment." in page
    assert "Anonymised shortlisting." in page
    assert "Recruitment and retention (metrics 2 and 8)" in page


def test_forms_show_errors_in_an_error_summary(plan, alice):
    response = _client(alice).post(_url("objective_create", plan), {"text": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter the objective" in body


def test_sponsor_signs_off_through_the_page(written_plan, sponsor_a, voice_a):
    assert _client(voice_a).get(_url("sign_off", written_plan)).status_code == 403
    client = _client(sponsor_a)
    page = client.get(_url("sign_off", written_plan)).content.decode()
    assert "Check your answers" in page and "Read the whole plan as it will be kept" in page
    today = timezone.localdate().isoformat()
    sign_off = {"name": "Sam", "role": "DASS", "signed_on": today, "declaration": "on"}
    # The page names the plan it showed; a sign-off naming none is refused.
    assert client.post(_url("sign_off", written_plan), sign_off).status_code == 200
    response = client.post(_url("sign_off", written_plan), {**sign_off, "seen": hidden(page, "seen")})
    assert response.status_code == 302
    written_plan.refresh_from_db()
    assert written_plan.signed_version.number == 1


def test_staff_voice_lead_sees_only_the_staff_voice_field(plan, voice_a):
    client = _client(voice_a)
    page = client.get(_url("header", plan)).content.decode()
    assert 'name="staff_voice_summary"' in page
    assert 'name="how_agreed"' not in page
    form = {"staff_voice_summary": "Focus groups held.", "seen": hidden(page, "seen")}
    # The lead changing a field the staff voice lead cannot see does not make their page stale.
    services.plan_update(plan=plan, user=plan.created_by, how_agreed="Agreed at the board.")
    assert client.post(_url("header", plan), form).status_code == 302
    plan.refresh_from_db()
    assert plan.staff_voice_summary == "Focus groups held."


def test_another_councils_plan_is_404(plan, charlie):
    client = _client(charlie)
    assert client.get(_url("detail", plan)).status_code == 404
    assert client.get(_url("pdf", plan)).status_code == 404


def test_viewer_reads_but_cannot_change(written_plan, bob):
    client = _client(bob)
    page = client.get(_url("detail", written_plan)).content.decode()
    assert "Add an objective" not in page
    assert client.post(_url("objective_create", written_plan), {"text": "x"}).status_code == 403


def test_public_page_shows_only_the_signed_snapshot(signed_plan, alice):
    url = reverse("actionplans:public", args=[signed_plan.public_id])
    assert Client().get(url).status_code == 404  # not published yet
    services.plan_publish(plan=signed_plan, user=alice)
    services.objective_update(
        objective=signed_plan.objectives.get(number=1), user=alice, text="Draft wording."
    )
    page = Client().get(url).content.decode()
    assert "An anti-racist approach to recruitment." in page
    assert "Draft wording." not in page
    assert (
        Client().get(reverse("actionplans:public_pdf", args=[signed_plan.public_id])).content[:4] == b"%PDF"
    )
    services.plan_withdraw(plan=signed_plan, user=alice)
    assert Client().get(url).status_code == 404


def test_unknown_public_address_is_404(db):
    assert (
        Client().get(reverse("actionplans:public", args=["00000000-0000-0000-0000-000000000000"])).status_code
        == 404
    )


def test_printable_page_has_the_objective_tables(signed_plan, bob):
    page = _client(bob).get(_url("print", signed_plan)).content.decode()
    for heading in (
        "Data from WRES metrics",
        "Specific action",
        "Indicators of improvement",
        "Timeframe",
        "Progress",
    ):
        assert heading in page
    assert "Signed off by Sam Sponsor" in page


def test_versions_list_view_and_compare(signed_plan, alice, sponsor_a, bob):
    services.plan_update(plan=signed_plan, user=alice, how_agreed="Agreed at cabinet.")
    sign_plan(signed_plan, sponsor_a)
    client = _client(bob)
    assert "Version 2" in client.get(_url("versions", signed_plan)).content.decode()
    assert "Agreed at the WRES project board." in client.get(_url("version", signed_plan, 1)).content.decode()
    page = client.get(_url("compare", signed_plan) + "?a=1&b=2").content.decode()
    assert "Agreed at cabinet." in page
    assert "(changed)" in page


def test_quarterly_report_flags_missing_updates_and_suggests_red(signed_plan, alice, voice_a, sponsor_a):
    quarter = f"{PLAN_YEAR}-q1"
    client = _client(voice_a)
    page = client.get(_url("report", signed_plan, quarter)).content.decode()
    assert "3 actions still need an update" in page
    assert "Suggested: Red" in page
    first = signed_plan.actions.get(number=1)
    form = client.get(_url("update", signed_plan, quarter, first.uuid)).content.decode()
    assert "the portal suggests red" in form
    assert 'value="red" checked' in form
    for action in signed_plan.actions.all():
        form = client.get(_url("update", signed_plan, quarter, action.uuid)).content.decode()
        response = client.post(
            _url("update", signed_plan, quarter, action.uuid),
            {
                "rag": "amber",
                "narrative": "Under way.",
                "evidence_url": "https://intranet.example/a",
                "seen": hidden(form, "seen"),
            },
        )
        assert response.status_code == 302
    assert client.get(_url("report_submit", signed_plan, quarter)).status_code == 403
    lead = _client(alice)
    page = lead.get(_url("report_submit", signed_plan, quarter)).content.decode()
    submitted = lead.post(
        _url("report_submit", signed_plan, quarter), {"summary": "Fine.", "seen": hidden(page, "seen")}
    )
    assert submitted.status_code == 302
    sponsor = _client(sponsor_a)
    page = sponsor.get(_url("report_sign_off", signed_plan, quarter)).content.decode()
    response = sponsor.post(
        _url("report_sign_off", signed_plan, quarter),
        {
            "name": "Sam",
            "role": "DASS",
            "signed_on": timezone.localdate().isoformat(),
            "declaration": "on",
            "seen": hidden(page, "seen"),
        },
    )
    assert response.status_code == 302
    assert QuarterlyReport.objects.get(plan=signed_plan).status == "signed_off"
    printable = _client(alice).get(_url("report_print", signed_plan, quarter)).content.decode()
    assert "Amber." in printable and "Under way." in printable


def test_quarter_outside_the_plan_year_is_404(signed_plan, alice):
    assert _client(alice).get(_url("report", signed_plan, f"{PLAN_YEAR + 1}-q1")).status_code == 404
    assert _client(alice).get(_url("report", signed_plan, "nonsense")).status_code == 404


def test_roll_forward_page(signed_plan, alice):
    response = _client(alice).post(_url("roll_forward", signed_plan))
    new = ActionPlan.objects.get(authority=signed_plan.authority, year=PLAN_YEAR + 1)
    assert response["Location"] == _url("detail", new)


def test_home_page_shows_the_plan_status(signed_plan, bob):
    page = (
        _client(bob)
        .get(reverse("portal:council_home", args=[signed_plan.authority.ons_code]))
        .content.decode()
    )
    assert f"Open the {signed_plan.year_label} action plan" in page
    assert "Signed off" in page


def test_national_view_counts_plans_themes_and_overdue_reports(signed_plan, analyst, alice, charlie):
    services.update_save(
        plan=signed_plan,
        quarter=signed_plan.quarters()[0],
        action=signed_plan.actions.first(),
        user=alice,
        rag="red",
        narrative="Late.",
    )
    client = _client(analyst)
    url = reverse("actionplans:national")
    assert _client(charlie).get(url).status_code == 404
    page = client.get(url + f"?year={PLAN_YEAR}&quarter=1").content.decode()
    assert "1 of 2 councils have a signed-off plan" in page
    assert "Recruitment and retention (metrics 2 and 8)" in page
    today = timezone.localdate()
    if today > datetime.date(PLAN_YEAR, 7, 30):
        assert "Overdue quarterly reports" in page and "Lambeth" in page


@pytest.mark.django_db
def test_national_view_queries_do_not_grow_with_councils(analyst, django_assert_max_num_queries):
    client = _client(analyst)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("actionplans:national")).status_code == 200
