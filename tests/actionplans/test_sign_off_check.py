"""Check your answers before each sign-off of a plan or a quarterly report (issue 15): the sponsor sees
a summary of exactly what is signed, and the sign-off stays bound to that state (issue 12)."""

from __future__ import annotations

import html

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans import services
from actionplans.models import Quarter, QuarterlyReport
from actionplans.presenters import plan_document, report_document
from tests.actionplans.conftest import PLAN_YEAR
from tests.concurrency import hidden
from wres_portal.concurrency import document_token, seen_loads


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name, plan, *args):
    return reverse(f"actionplans:{name}", args=[plan.authority.ons_code, plan.year, *args])


def _sign(seen: str) -> dict[str, str]:
    return {
        "name": "Sam",
        "role": "DASS",
        "signed_on": timezone.localdate().isoformat(),
        "declaration": "on",
        "seen": seen,
    }


def _check_section(page: str) -> str:
    """The check-your-answers part of a sign-off page: between its heading and the declaration."""
    start = page.index("Check your answers")
    end = page.index('name="declaration"')
    assert start < end  # the summary comes before the sponsor signs
    return html.unescape(page[start:end])


def test_plan_sign_off_shows_a_summary_of_what_is_signed_and_stays_bound_to_it(
    written_plan, alice, sponsor_a
):
    first = written_plan.objectives.get(number=1)
    services.target_create(
        objective=first,
        user=alice,
        indicator="m2",
        service="all",
        comparison="lte",
        value=1.25,
        round_label=str(PLAN_YEAR + 1),
    )
    client = _client(sponsor_a)
    page = client.get(_url("sign_off", written_plan)).content.decode()
    check = _check_section(page)
    for shown in (
        "Plan details",
        "How the plan was agreed",
        "Agreed at the WRES project board.",
        "Objective 1",
        "An anti-racist approach to recruitment.",
        "Action 1",
        "Anonymised shortlisting.",
        "Mentoring for aspiring leaders.",
        f"at most 1.25 by the {PLAN_YEAR + 1} round",
    ):
        assert shown in check, shown
    assert 'class="govuk-summary-list' in check
    # The summary is the very document the form's state token names.
    seen = seen_loads(hidden(page, "seen"), salt="wres.seen")
    assert seen is not None and seen.token == document_token(plan_document(written_plan))

    # The lead rewords an objective after the sponsor checked: signing what was checked is refused,
    # and the page shows the plan as it now is, bound to the new state.
    services.objective_update(objective=first, user=alice, text="Fair recruitment, reworded.")
    refused = client.post(_url("sign_off", written_plan), _sign(hidden(page, "seen")))
    assert refused.status_code == 200
    again = refused.content.decode()
    assert "Fair recruitment, reworded." in _check_section(again)
    written_plan.refresh_from_db()
    assert written_plan.signed_version is None
    assert client.post(_url("sign_off", written_plan), _sign(hidden(again, "seen"))).status_code == 302
    written_plan.refresh_from_db()
    signed = written_plan.signed_version
    assert signed is not None and signed.document["objectives"][0]["text"] == "Fair recruitment, reworded."


def test_quarterly_report_sign_off_shows_each_progress_entry_and_stays_bound_to_it(
    signed_plan, alice, sponsor_a
):
    quarter = Quarter(PLAN_YEAR, 1)
    for action in signed_plan.actions.order_by("number"):
        services.update_save(
            plan=signed_plan,
            quarter=quarter,
            action=action,
            user=alice,
            rag="amber",
            narrative=f"Under way, action {action.number}.",
        )
    report = services.report_get_or_create(plan=signed_plan, quarter=quarter)
    services.report_submit(report=report, user=alice, summary="A steady quarter.")
    client = _client(sponsor_a)
    url = _url("report_sign_off", signed_plan, quarter.slug)
    page = client.get(url).content.decode()
    check = _check_section(page)
    for shown in (
        "Progress on each action",
        "A steady quarter.",
        "Objective 1",
        "Anonymised shortlisting.",
        "Amber: Under way, action 1.",
        "Amber: Under way, action 3.",
    ):
        assert shown in check, shown
    seen = seen_loads(hidden(page, "seen"), salt="wres.seen")
    assert seen is not None
    assert seen.token == document_token(report_document(QuarterlyReport.objects.get(pk=report.pk)))

    # Returned to draft, one update changed and submitted again: the checked state no longer signs.
    services.report_send_back(report=report, user=sponsor_a)
    first = signed_plan.actions.get(number=1)
    services.update_save(
        plan=signed_plan, quarter=quarter, action=first, user=alice, rag="red", narrative="Stalled."
    )
    services.report_submit(report=report, user=alice)
    refused = client.post(url, _sign(hidden(page, "seen")))
    assert refused.status_code == 200
    again = refused.content.decode()
    assert "Red: Stalled." in _check_section(again)
    assert QuarterlyReport.objects.get(pk=report.pk).status == QuarterlyReport.Status.SUBMITTED
    assert client.post(url, _sign(hidden(again, "seen"))).status_code == 302
    assert QuarterlyReport.objects.get(pk=report.pk).status == QuarterlyReport.Status.SIGNED_OFF
