"""Issue 12, action plans: objective and action edits, quarterly updates, report submission and
sign-offs name the state they were built on. Two people saving at once, or a page opened before
someone else's save: the second save is refused, nothing is lost, and what a sponsor signs is what
the sponsor was shown. Real concurrent requests on PostgreSQL (tests/concurrency.py)."""

from __future__ import annotations

from html import escape

import pytest
from django.urls import reverse

from accounts.models import Role
from actionplans import services
from actionplans.models import Action, ActionUpdate, Objective, Quarter, QuarterlyReport
from actionplans.presenters import compare_rows, plan_document
from tests.actionplans.conftest import PLAN_YEAR
from tests.concurrency import client_for, hidden, postgres, shortly, together  # noqa: F401
from tests.factories import member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres"),
]

Q1 = Quarter(PLAN_YEAR, 1)


@pytest.fixture
def lead2(authority_a):
    return member(authority_a, Role.PROGRAMME_LEAD, "second.lead@lambeth.example")


def _objective_url(objective: Objective) -> str:
    return reverse("actionplans:objective_edit", args=["E09000022", PLAN_YEAR, objective.uuid])


def _objective_post(page: str, objective: Objective, text: str) -> dict[str, object]:
    return {
        "seen": hidden(page, "seen"),
        "text": text,
        "themes": objective.themes,
        "related_indicators": objective.related_indicators,
        "leads": objective.leads,
        "data_note": objective.data_note,
        "indicators_of_improvement": objective.indicators_of_improvement,
        "timeframe": objective.timeframe,
    }


def test_two_leads_saving_one_objective_at_once_lose_nothing(written_plan, alice, lead2):
    objective = written_plan.objectives.get(number=1)
    url = _objective_url(objective)
    clients = [client_for(alice), client_for(lead2)]
    pages = [c.get(url).content.decode() for c in clients]
    texts = ["Recruitment: anonymised at every stage.", "Recruitment: diverse panels for every post."]
    responses = together(
        *(
            lambda c=c, p=p, t=t: c.post(url, _objective_post(p, objective, t))
            for c, p, t in zip(clients, pages, texts, strict=True)
        )
    )
    saved = [r.status_code == 302 for r in responses]
    assert sorted(saved) == [False, True], "exactly one save goes through; the other is refused"
    winner, loser = (0, 1) if saved[0] else (1, 0)
    objective.refresh_from_db()
    assert objective.text == texts[winner]
    refused = responses[loser].content.decode()
    assert "govuk-error-summary" in refused and "after you opened this page" in refused
    assert texts[loser] in refused, "the refused person's own text is kept in the form"
    assert texts[winner] in refused, "the other person's change is shown beside it"
    # Saving again, on purpose, from the refused page goes through.
    again = clients[loser].post(url, _objective_post(refused, objective, texts[loser]))
    assert again.status_code == 302
    objective.refresh_from_db()
    assert objective.text == texts[loser]


def test_an_objective_page_opened_before_someone_elses_save_cannot_undo_it(written_plan, alice, lead2):
    objective = written_plan.objectives.get(number=1)
    url = _objective_url(objective)
    stale_page = client_for(alice).get(url).content.decode()
    services.objective_update(objective=objective, user=lead2, timeframe="December 2026")
    response = client_for(alice).post(url, _objective_post(stale_page, objective, "Alice's wording."))
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(lead2.display_name) in page, "names who changed it"
    assert "December 2026" in page and "Alice&#x27;s wording." in page
    objective.refresh_from_db()
    assert (objective.timeframe, objective.text) == (
        "December 2026",
        "An anti-racist approach to recruitment.",
    )


def test_two_leads_saving_one_action_at_once_lose_nothing(written_plan, alice, lead2):
    action = written_plan.actions.get(number=2)
    url = reverse("actionplans:action_edit", args=["E09000022", PLAN_YEAR, action.uuid])
    clients = [client_for(alice), client_for(lead2)]
    pages = [c.get(url).content.decode() for c in clients]
    posts = [
        {
            "seen": hidden(pages[0], "seen"),
            "text": action.text,
            "lead": "Head of HR",
            "status": "in_progress",
        },
        {"seen": hidden(pages[1], "seen"), "text": action.text, "lead": "", "status": "complete"},
    ]
    responses = together(*(lambda c=c, d=d: c.post(url, d) for c, d in zip(clients, posts, strict=True)))
    saved = [r.status_code == 302 for r in responses]
    assert sorted(saved) == [False, True]
    winner = saved.index(True)
    action.refresh_from_db()
    assert action.status == posts[winner]["status"]
    assert "after you opened this page" in responses[1 - winner].content.decode()


def test_two_people_saving_one_quarterly_update_at_once_keep_both_narratives(written_plan, alice, voice_a):
    action = written_plan.actions.get(number=2)
    url = reverse("actionplans:update", args=["E09000022", PLAN_YEAR, Q1.slug, action.uuid])
    clients = [client_for(alice), client_for(voice_a)]
    pages = [c.get(url).content.decode() for c in clients]
    narratives = ["Panels trained in April.", "Staff network reviewed the panel guidance."]
    responses = together(
        *(
            lambda c=c, p=p, n=n: c.post(url, {"seen": hidden(p, "seen"), "rag": "green", "narrative": n})
            for c, p, n in zip(clients, pages, narratives, strict=True)
        )
    )
    saved = [r.status_code == 302 for r in responses]
    assert sorted(saved) == [False, True]
    winner = saved.index(True)
    assert ActionUpdate.objects.get(action=action).narrative == narratives[winner]
    refused = responses[1 - winner].content.decode()
    assert narratives[1 - winner] in refused and narratives[winner] in refused


def test_api_patch_names_the_state_it_was_built_on(written_plan, alice, lead2):
    from rest_framework.test import APIClient

    objective = written_plan.objectives.get(number=2)
    url = f"/api/v1/authorities/E09000022/action-plans/{PLAN_YEAR}/objectives/{objective.uuid}/"
    clients = []
    for user in (alice, lead2):
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)
    read = clients[0].get(url)
    tag = read["ETag"]
    assert tag and tag == read.json()["etag"]
    responses = together(
        *(
            lambda c=c, t=t: c.patch(url, {"timeframe": t}, format="json", HTTP_IF_MATCH=tag)
            for c, t in zip(clients, ["June 2027", "July 2027"], strict=True)
        )
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 412]
    refused = next(r for r in responses if r.status_code == 412)
    assert refused.json()["current_etag"] == refused["ETag"] != tag
    assert clients[0].patch(url, {"timeframe": "x"}, format="json", HTTP_IF_MATCH=tag).status_code == 412
    fresh = clients[0].get(url)["ETag"]
    assert (
        clients[0].patch(url, {"timeframe": "Autumn"}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
    )


def test_plan_sign_off_from_a_page_opened_before_a_change_is_refused_and_shows_it(
    written_plan, alice, sponsor_a
):
    url = reverse("actionplans:sign_off", args=["E09000022", PLAN_YEAR])
    client = client_for(sponsor_a)
    shown = client.get(url).content.decode()
    action = written_plan.actions.get(number=3)
    services.action_update(action=action, user=alice, text="Mentoring and sponsorship for aspiring leaders.")
    post = {
        "seen": hidden(shown, "seen"),
        "name": "Sam Sponsor",
        "role": "Director",
        "signed_on": "2026-05-01",
        "declaration": "on",
    }
    refused = client.post(url, post)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "You have not signed it off" in page and "Mentoring and sponsorship" in page
    assert written_plan.versions.count() == 0
    post["seen"] = hidden(page, "seen")
    assert client.post(url, post).status_code == 302
    assert (
        written_plan.versions.get()
        .document["objectives"][1]["actions"][0]["text"]
        .startswith("Mentoring and")
    )


def test_what_a_sponsor_signs_is_what_the_sponsor_was_shown(written_plan, alice, sponsor_a):
    """The sponsor presses "sign off" while a lead saves an action: either the sign-off is refused,
    or the signed version is exactly the plan on the sponsor's page."""
    url = reverse("actionplans:sign_off", args=["E09000022", PLAN_YEAR])
    sponsor, lead = client_for(sponsor_a), client_for(alice)
    shown_document = plan_document(written_plan)
    shown = sponsor.get(url).content.decode()
    action = written_plan.actions.get(number=1)
    action_url = reverse("actionplans:action_edit", args=["E09000022", PLAN_YEAR, action.uuid])
    action_page = lead.get(action_url).content.decode()
    sign = {
        "seen": hidden(shown, "seen"),
        "name": "Sam Sponsor",
        "role": "Director",
        "signed_on": "2026-05-01",
        "declaration": "on",
    }
    edit = {
        "seen": hidden(action_page, "seen"),
        "text": "Anonymised shortlisting for all posts.",
        "status": "in_progress",
    }
    signed, edited = together(shortly(lambda: sponsor.post(url, sign)), lambda: lead.post(action_url, edit))
    assert edited.status_code == 302
    version = written_plan.versions.first()
    if signed.status_code == 302:
        assert version is not None
        assert not [r for r in compare_rows(shown_document, version.document) if r["changed"]]
    else:
        assert version is None and "You have not signed it off" in signed.content.decode()


def test_a_report_submitted_from_a_stale_page_is_refused(written_plan, alice, voice_a):
    for action in Action.objects.filter(plan=written_plan):
        services.update_save(
            plan=written_plan, quarter=Q1, action=action, user=alice, rag="amber", narrative="Started."
        )
    url = reverse("actionplans:report_submit", args=["E09000022", PLAN_YEAR, Q1.slug])
    client = client_for(alice)
    page = client.get(url).content.decode()
    services.update_save(
        plan=written_plan,
        quarter=Q1,
        action=written_plan.actions.get(number=1),
        user=voice_a,
        rag="red",
        narrative="Stalled: no budget.",
    )
    refused = client.post(url, {"seen": hidden(page, "seen"), "summary": "A good quarter."})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "You have not submitted it" in text and "Stalled: no budget." in text and "A good quarter." in text
    assert QuarterlyReport.objects.get().status == QuarterlyReport.Status.DRAFT


def test_two_sponsors_cannot_sign_off_different_reports(written_plan, alice, sponsor_a):
    """A sponsor's page opened before the report was returned, corrected and submitted again:
    signing from it is refused, so the signature never covers progress the sponsor did not read."""
    for action in Action.objects.filter(plan=written_plan):
        services.update_save(
            plan=written_plan, quarter=Q1, action=action, user=alice, rag="amber", narrative="Started."
        )
    report = QuarterlyReport.objects.get()
    services.report_submit(report=report, user=alice)
    url = reverse("actionplans:report_sign_off", args=["E09000022", PLAN_YEAR, Q1.slug])
    client = client_for(sponsor_a)
    page = client.get(url).content.decode()
    services.report_send_back(report=report, user=sponsor_a)
    services.update_save(
        plan=written_plan,
        quarter=Q1,
        action=written_plan.actions.get(number=2),
        user=alice,
        rag="green",
        narrative="Done early.",
    )
    services.report_submit(report=report, user=alice)
    post = {
        "seen": hidden(page, "seen"),
        "name": "Sam",
        "role": "Director",
        "signed_on": "2026-05-01",
        "declaration": "on",
    }
    refused = client.post(url, post)
    assert refused.status_code == 200 and "Done early." in refused.content.decode()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED
