"""Issue 12, the plan's remaining forms: the details, "what we know", adding a target and removing
an objective, action or target name the state the page showed. A page opened before someone else's
save is refused with the other person's change shown and this person's input kept; a removal page
opened before a change removes nothing. Concurrent saves are real requests released together on
PostgreSQL (tests/concurrency.py). Each test fails on the code before this change, where these
forms carried no state and the later save or removal went through unseen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from actionplans import services
from actionplans.models import Action, ActionPlan, Objective, Target, WhatWeKnow
from tests.actionplans.conftest import PLAN_YEAR
from tests.concurrency import client_for, hidden, postgres, together  # noqa: F401
from tests.factories import member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres"),
]

CODE = "E09000022"


@pytest.fixture
def lead2(authority_a):
    return member(authority_a, Role.PROGRAMME_LEAD, "second.lead@lambeth.example")


def _url(name: str, *args: object) -> str:
    return reverse(f"actionplans:{name}", args=[CODE, PLAN_YEAR, *args])


def _details(page: str, plan: ActionPlan, **changes: str) -> dict[str, object]:
    fields = ["senior_sponsors", "programme_leads", "staff_voice_leads", "how_agreed", "staff_voice_summary"]
    values: dict[str, object] = {name: getattr(plan, name) for name in fields}
    values["direct_employees"] = plan.direct_employees or ""
    return {**values, **changes, "seen": hidden(page, "seen")}


def test_two_leads_saving_the_plan_details_at_once_lose_nothing(written_plan, alice, lead2):
    url = _url("header")
    clients = [client_for(alice), client_for(lead2)]
    pages = [c.get(url).content.decode() for c in clients]
    texts = ["Agreed at the adults board in May.", "Agreed at cabinet in June."]
    responses = together(
        *(
            lambda c=c, p=p, t=t: c.post(url, _details(p, written_plan, how_agreed=t))
            for c, p, t in zip(clients, pages, texts, strict=True)
        )
    )
    saved = [r.status_code == 302 for r in responses]
    assert sorted(saved) == [False, True], "exactly one save goes through; the other is refused"
    winner, loser = (0, 1) if saved[0] else (1, 0)
    assert ActionPlan.objects.get(pk=written_plan.pk).how_agreed == texts[winner]
    refused = responses[loser].content.decode()
    assert "govuk-error-summary" in refused and "after you opened this page" in refused
    assert texts[loser] in refused and texts[winner] in refused, "theirs shown, mine kept"
    again = clients[loser].post(url, _details(refused, written_plan, how_agreed=texts[loser]))
    assert again.status_code == 302
    assert ActionPlan.objects.get(pk=written_plan.pk).how_agreed == texts[loser]


def test_a_change_elsewhere_in_the_plan_does_not_make_the_details_page_stale(written_plan, alice, lead2):
    url = _url("header")
    page = client_for(alice).get(url).content.decode()
    services.objective_create(plan=written_plan, user=lead2, text="Mentoring for every new manager.")
    response = client_for(alice).post(url, _details(page, written_plan, how_agreed="Agreed again."))
    assert response.status_code == 302
    assert ActionPlan.objects.get(pk=written_plan.pk).how_agreed == "Agreed again."


def test_a_details_form_without_its_state_is_refused(written_plan, alice):
    response = client_for(alice).post(_url("header"), {"how_agreed": "Forged.", "senior_sponsors": "x"})
    assert response.status_code == 200
    assert ActionPlan.objects.get(pk=written_plan.pk).how_agreed != "Forged."


def test_what_we_know_opened_before_someone_elses_save_cannot_undo_it(written_plan, alice, lead2):
    url = _url("what_we_know")
    mine = client_for(alice).get(url).content.decode()
    services.what_we_know_update(plan=written_plan, user=lead2, lines={"3": "Disciplinaries doubled."})
    lines = {f"metric_{m}": "" for m in range(1, 10)}
    response = client_for(alice).post(
        url, {**lines, "metric_5": "CPD is fair.", "seen": hidden(mine, "seen")}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "after you opened this page" in page
    assert "Disciplinaries doubled." in page and "CPD is fair." in page
    assert WhatWeKnow.objects.get(plan=written_plan, metric="3").text == "Disciplinaries doubled."
    again = client_for(alice).post(
        url,
        {
            **lines,
            "metric_3": "Disciplinaries doubled.",
            "metric_5": "CPD is fair.",
            "seen": hidden(page, "seen"),
        },
    )
    assert again.status_code == 302
    texts = dict(WhatWeKnow.objects.filter(plan=written_plan).values_list("metric", "text"))
    assert texts["3"] == "Disciplinaries doubled." and texts["5"] == "CPD is fair."


def test_a_target_for_an_objective_reworded_since_is_refused_and_kept(written_plan, alice, lead2):
    objective = written_plan.objectives.get(number=1)
    url = _url("target_create", objective.uuid)
    page = client_for(alice).get(url).content.decode()
    services.objective_update(objective=objective, user=lead2, text="A different aim altogether.")
    target = {"indicator": "m2", "service": "all", "comparison": "gte", "value": "0.8", "round_label": "2027"}
    response = client_for(alice).post(url, {**target, "seen": hidden(page, "seen")})
    refused = response.content.decode()
    assert response.status_code == 200 and "after you opened this page" in refused
    assert 'value="0.8"' in refused and 'value="2027"' in refused, "the typed target is kept"
    assert not Target.objects.filter(objective=objective).exists()
    again = client_for(alice).post(url, {**target, "seen": hidden(refused, "seen")})
    assert again.status_code == 302
    assert Target.objects.filter(objective=objective).count() == 1


def test_removing_an_objective_given_an_action_since_removes_nothing(written_plan, alice, lead2):
    objective = written_plan.objectives.get(number=1)
    url = _url("objective_delete", objective.uuid)
    page = client_for(alice).get(url).content.decode()
    services.action_create(objective=objective, user=lead2, text="Train every recruiting manager.")
    response = client_for(alice).post(url, {"state": hidden(page, "state")})
    refused = response.content.decode()
    assert response.status_code == 200 and "has not been removed" in refused
    assert Objective.objects.filter(pk=objective.pk).exists()
    # The page now shows the objective as it is; removing it from there is a deliberate choice.
    assert client_for(alice).post(url, {"state": hidden(refused, "state")}).status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()


def test_removing_an_action_or_target_changed_since_removes_nothing(written_plan, alice, lead2):
    action = written_plan.actions.first()
    url = _url("action_delete", action.uuid)
    page = client_for(alice).get(url).content.decode()
    services.action_update(action=action, user=lead2, text="Reworded by the other lead.")
    response = client_for(alice).post(url, {"state": hidden(page, "state")})
    assert response.status_code == 200 and "has not been removed" in response.content.decode()
    assert Action.objects.filter(pk=action.pk).exists()
    # A removal that names no state at all is refused too.
    assert client_for(alice).post(url, {}).status_code == 200
    assert Action.objects.filter(pk=action.pk).exists()

    target = services.target_create(
        objective=written_plan.objectives.get(number=1),
        user=alice,
        indicator="m2",
        service="all",
        comparison="gte",
        value=0.8,
        round_label="2027",
    )
    url = _url("target_delete", target.uuid)
    page = client_for(alice).get(url).content.decode()
    Target.objects.filter(pk=target.pk).update(value=0.9)  # someone changed it (the API, say)
    Target.objects.get(pk=target.pk).save()
    assert client_for(alice).post(url, {"state": hidden(page, "state")}).status_code == 200
    assert Target.objects.filter(pk=target.pk).exists()


def test_two_leads_removing_the_same_action_at_once_one_removes_the_other_is_told(written_plan, alice, lead2):
    action = written_plan.actions.first()
    url = _url("action_delete", action.uuid)
    clients = [client_for(alice), client_for(lead2)]
    pages = [c.get(url).content.decode() for c in clients]
    responses = together(
        *(
            lambda c=c, p=p: c.post(url, {"state": hidden(p, "state")})
            for c, p in zip(clients, pages, strict=True)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 302]
    assert not Action.objects.filter(pk=action.pk).exists()
    # Whoever came second is told it had already gone, not shown "Page not found" or an error.
    second = next(r for r in responses if r.status_code == 200).content.decode()
    assert "already been removed by someone else" in second
    # And a removal page opened before it went, posted later, lands on the plan with that message.
    late = clients[0].post(url, {"state": hidden(pages[0], "state")}, follow=True)
    assert "already been removed by someone else" in late.content.decode()


def test_saving_details_unchanged_from_a_browser_changes_nothing_stored(written_plan, alice, lead2):
    """Found trying it in Chromium: browsers send a text area's line breaks as CRLF, so a lead who
    saved the details page unchanged rewrote every multi-line field, and another lead's page then
    listed those fields as changed by someone else, with identical text on both sides."""
    ActionPlan.objects.filter(pk=written_plan.pk).update(
        senior_sponsors="Director of Adults\nDirector of Children"
    )
    url = _url("header")
    plan = ActionPlan.objects.get(pk=written_plan.pk)
    theirs = client_for(lead2).get(url).content.decode()
    mine = client_for(alice).get(url).content.decode()
    crlf = {"senior_sponsors": plan.senior_sponsors.replace("\n", "\r\n")}
    assert client_for(alice).post(url, _details(mine, plan, **crlf)).status_code == 302
    assert ActionPlan.objects.get(pk=plan.pk).senior_sponsors == "Director of Adults\nDirector of Children"
    response = client_for(lead2).post(url, _details(theirs, plan, **crlf, how_agreed="Agreed in June."))
    assert response.status_code == 302, "nothing the other lead could see had changed"
