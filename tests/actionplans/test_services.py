"""Every action plan transition, and the forbidden ones."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from actionplans import services
from actionplans.models import Action, ActionPlan, Objective, PlanVersion, Quarter, QuarterlyReport, Target
from actionplans.presenters import suggested_rag
from tests.actionplans.conftest import PLAN_YEAR
from tests.builders import closed_round, sign_plan, submitted_return
from tests.factories import open_round, valid_data
from wres_portal.errors import ApplicationError

Q1 = Quarter(PLAN_YEAR, 1)


# Starting and writing -----------------------------------------------------------------------------


def test_programme_lead_starts_one_plan_per_year(authority_a, alice, plan):
    assert plan.status == ActionPlan.Status.DRAFT
    assert plan.what_we_know.count() == 9
    with pytest.raises(ApplicationError, match="already has a plan"):
        services.plan_create(authority=authority_a, year=PLAN_YEAR, user=alice)


@pytest.mark.parametrize("who", ["bob", "sponsor_a", "voice_a", "charlie"])
def test_only_the_programme_lead_starts_a_plan(who, authority_a, request):
    with pytest.raises(ApplicationError, match="programme lead"):
        services.plan_create(authority=authority_a, year=2030, user=request.getfixturevalue(who))


def test_what_we_know_is_prefilled_from_the_latest_results(authority_a, alice, collection_round):
    submitted_return(authority_a, collection_round, lead=alice, compute_results=True)
    plan = services.plan_create(authority=authority_a, year=PLAN_YEAR, user=alice)
    line = plan.what_we_know.get(metric="2")
    assert line.text.startswith("Minority ethnic staff were")
    assert "appointed from shortlisting" in line.text
    assert line.source_round == collection_round.label
    assert plan.what_we_know.get(metric="1").text.count("pay band") == 3


def test_what_we_know_lines_are_editable(plan, alice, bob):
    services.what_we_know_update(plan=plan, user=alice, lines={"3": "  More disciplinaries. "})
    assert plan.what_we_know.get(metric="3").text == "More disciplinaries."
    with pytest.raises(ApplicationError):
        services.what_we_know_update(plan=plan, user=bob, lines={"3": "x"})


def test_staff_voice_lead_may_change_only_the_staff_voice_summary(plan, voice_a):
    services.plan_update(plan=plan, user=voice_a, staff_voice_summary="Staff asked for mentoring.")
    plan.refresh_from_db()
    assert plan.staff_voice_summary == "Staff asked for mentoring."
    with pytest.raises(ApplicationError, match="only the staff voice summary"):
        services.plan_update(plan=plan, user=voice_a, how_agreed="By me")


@pytest.mark.parametrize("who", ["bob", "sponsor_a"])
def test_readers_cannot_change_the_plan(who, plan, request):
    with pytest.raises(ApplicationError):
        services.plan_update(plan=plan, user=request.getfixturevalue(who), staff_voice_summary="x")


def test_actions_are_numbered_across_the_plan_in_objective_order(written_plan, alice):
    first = written_plan.objectives.get(number=1)
    services.action_create(objective=first, user=alice, text="Exit interviews.")
    numbers = list(written_plan.actions.order_by("number").values_list("objective__number", "text"))
    assert [n for n, _ in numbers] == [1, 1, 1, 2]
    assert numbers[2][1] == "Exit interviews."


def test_removing_an_objective_renumbers_the_rest(written_plan, alice):
    services.objective_delete(objective=written_plan.objectives.get(number=1), user=alice)
    assert list(written_plan.objectives.values_list("number", "text")) == [(1, "A diverse leadership team.")]
    assert list(written_plan.actions.values_list("number", flat=True)) == [1]


def test_objective_rejects_unknown_themes_and_metrics(plan, alice):
    with pytest.raises(ApplicationError):
        services.objective_create(plan=plan, user=alice, text="x", themes=["nonsense"])
    with pytest.raises(ApplicationError):
        services.objective_create(plan=plan, user=alice, text="x", related_indicators=["m99"])
    with pytest.raises(ApplicationError):
        services.objective_create(plan=plan, user=alice, text="  ")


# Sign-off -----------------------------------------------------------------------------------------


def test_sponsor_signs_off_a_snapshot(written_plan, sponsor_a, alice):
    version = sign_plan(written_plan, sponsor_a)
    written_plan.refresh_from_db()
    assert written_plan.status == ActionPlan.Status.SIGNED_OFF
    assert written_plan.signed_version == version
    assert not written_plan.changed_since_sign_off
    assert version.number == 1
    assert version.signatory_name == "Sam Sponsor"
    assert [o["number"] for o in version.document["objectives"]] == [1, 2]
    assert version.document["objectives"][0]["actions"][0]["text"] == "Anonymised shortlisting."


def test_a_staff_voice_lead_cannot_sign_off(written_plan, voice_a):
    with pytest.raises(ApplicationError, match="senior sponsor"):
        sign_plan(written_plan, voice_a)
    assert not PlanVersion.objects.exists()


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_only_the_sponsor_signs_off(who, written_plan, request):
    with pytest.raises(ApplicationError):
        sign_plan(written_plan, request.getfixturevalue(who))


def test_sign_off_needs_objectives_with_actions(plan, sponsor_a, alice):
    with pytest.raises(ApplicationError, match="at least one objective"):
        sign_plan(plan, sponsor_a)
    services.objective_create(plan=plan, user=alice, text="Objective")
    with pytest.raises(ApplicationError, match="Add an action to objective 1"):
        sign_plan(plan, sponsor_a)


def test_sign_off_needs_the_declaration_and_a_date_not_in_the_future(written_plan, sponsor_a):
    fields = {"plan": written_plan, "user": sponsor_a, "name": "S", "role": "R"}
    with pytest.raises(ApplicationError, match="declaration"):
        services.plan_sign_off(**fields, signed_on=timezone.localdate(), declaration=False)
    with pytest.raises(ApplicationError, match="future"):
        services.plan_sign_off(
            **fields, signed_on=timezone.localdate() + datetime.timedelta(days=1), declaration=True
        )


def test_a_signed_snapshot_never_changes(signed_plan, alice):
    version = signed_plan.signed_version
    before = dict(version.document)
    services.objective_update(objective=signed_plan.objectives.get(number=1), user=alice, text="Rewritten.")
    version.refresh_from_db()
    assert version.document == before
    version.signatory_name = "Someone else"
    with pytest.raises(ApplicationError, match="cannot be changed"):
        version.save()
    with pytest.raises(ApplicationError, match="cannot be deleted"):
        version.delete()


@pytest.mark.parametrize(
    "change",
    [
        lambda plan, user: services.plan_update(plan=plan, user=user, how_agreed="Changed."),
        lambda plan, user: services.what_we_know_update(plan=plan, user=user, lines={"1": "New."}),
        lambda plan, user: services.objective_create(plan=plan, user=user, text="New objective"),
        lambda plan, user: services.action_update(action=plan.actions.first(), user=user, status="complete"),
        lambda plan, user: services.action_delete(action=plan.actions.last(), user=user),
        lambda plan, user: services.target_create(
            objective=plan.objectives.first(),
            user=user,
            indicator="m2",
            service="all",
            comparison="gte",
            value=0.8,
            round_label="2027",
        ),
    ],
    ids=["header", "what-we-know", "objective", "action", "remove-action", "target"],
)
def test_any_change_after_sign_off_marks_the_plan_changed(change, signed_plan, alice):
    change(signed_plan, alice)
    signed_plan.refresh_from_db()
    assert signed_plan.changed_since_sign_off
    assert signed_plan.status_key == "changed"
    assert signed_plan.needs_sign_off()


def test_adding_then_removing_an_objective_leaves_the_plan_as_signed(signed_plan, alice):
    """Issue 15 item 12: the plan is compared with what was signed, not counted as edited."""
    objective = services.objective_create(plan=signed_plan, user=alice, text="A passing thought.")
    signed_plan.refresh_from_db()
    assert signed_plan.status_key == "changed"
    services.objective_delete(objective=objective, user=alice)
    signed_plan.refresh_from_db()
    assert not signed_plan.changed_since_sign_off
    assert signed_plan.status_key == "signed_off"
    assert not signed_plan.needs_sign_off()


def test_changing_a_field_back_leaves_the_plan_as_signed(signed_plan, alice):
    before = signed_plan.how_agreed
    services.plan_update(plan=signed_plan, user=alice, how_agreed="Something else.")
    services.plan_update(plan=signed_plan, user=alice, how_agreed=before)
    signed_plan.refresh_from_db()
    assert not signed_plan.changed_since_sign_off


def test_saving_without_a_change_does_not_mark_the_plan_changed(signed_plan, alice):
    services.plan_update(plan=signed_plan, user=alice, how_agreed=signed_plan.how_agreed)
    signed_plan.refresh_from_db()
    assert not signed_plan.changed_since_sign_off


def test_signing_off_again_writes_version_two_and_clears_the_flag(signed_plan, alice, sponsor_a):
    with pytest.raises(ApplicationError, match="not changed"):
        sign_plan(signed_plan, sponsor_a)
    services.plan_update(plan=signed_plan, user=alice, how_agreed="Agreed again.")
    version = sign_plan(signed_plan, sponsor_a)
    signed_plan.refresh_from_db()
    assert version.number == 2
    assert not signed_plan.changed_since_sign_off
    assert signed_plan.versions.count() == 2
    assert version.document["header"]["how_agreed"] == "Agreed again."


def test_metrics_data_is_frozen_at_sign_off(authority_a, alice, sponsor_a, written_plan, analyst):
    first_round = open_round("2025", created_by=analyst)
    submitted_return(authority_a, first_round, lead=alice, compute_results=True)
    version = sign_plan(written_plan, sponsor_a)
    frozen = version.document["objectives"][0]["metrics_data"]
    assert [d["indicator"] for d in frozen] == ["m2", "m8"]
    assert frozen[0]["round"] == "2025"
    # Next year's results arrive: the signed version (and the frozen objective) keep the old figures.
    later = open_round("2026", created_by=analyst, opens_on=first_round.opens_on + datetime.timedelta(days=1))
    data = valid_data()
    for key in data:
        if key.measure == "appointed":
            data[key]["minority_ethnic"] = 60
    submitted_return(authority_a, later, lead=alice, data=data, compute_results=True)
    version.refresh_from_db()
    assert version.document["objectives"][0]["metrics_data"] == frozen
    assert Objective.objects.get(plan=written_plan, number=1).metrics_data == frozen


# Publishing ---------------------------------------------------------------------------------------


def test_only_a_signed_off_plan_can_be_published(written_plan, alice):
    with pytest.raises(ApplicationError, match="signed-off"):
        services.plan_publish(plan=written_plan, user=alice)


def test_publish_and_withdraw(signed_plan, alice, sponsor_a, bob, voice_a):
    for reader in (bob, voice_a):
        with pytest.raises(ApplicationError):
            services.plan_publish(plan=signed_plan, user=reader)
    plan = services.plan_publish(plan=signed_plan, user=alice)
    assert plan.is_published and plan.published_at
    assert ActionPlan.objects.published().filter(pk=plan.pk).exists()
    plan = services.plan_withdraw(plan=plan, user=sponsor_a)
    assert not ActionPlan.objects.published().filter(pk=plan.pk).exists()
    with pytest.raises(ApplicationError, match="not published"):
        services.plan_withdraw(plan=plan, user=alice)


# Roll forward -------------------------------------------------------------------------------------


def test_roll_forward_carries_over_unfinished_objectives_and_actions(signed_plan, alice, voice_a):
    second = signed_plan.objectives.get(number=2)
    services.action_update(action=second.actions.get(), user=alice, status=Action.Status.COMPLETE)
    first = signed_plan.objectives.get(number=1)
    services.action_update(action=first.actions.get(number=1), user=alice, status=Action.Status.COMPLETE)
    services.target_create(
        objective=first,
        user=alice,
        indicator="m2",
        service="all",
        comparison="gte",
        value=0.8,
        round_label="2027",
    )
    services.target_create(
        objective=first,
        user=alice,
        indicator="m3",
        service="all",
        comparison="lte",
        value=1.2,
        round_label="2030",
    )
    with pytest.raises(ApplicationError):
        services.plan_roll_forward(plan=signed_plan, user=voice_a)
    new = services.plan_roll_forward(plan=signed_plan, user=alice)
    assert new.year == PLAN_YEAR + 1
    assert new.status == ActionPlan.Status.DRAFT
    assert new.rolled_forward_from == signed_plan
    assert new.senior_sponsors == signed_plan.senior_sponsors
    assert list(new.objectives.values_list("number", "text")) == [
        (1, "An anti-racist approach to recruitment.")
    ]
    assert list(new.actions.values_list("number", "text")) == [(1, "Diverse interview panels.")]
    carried = new.actions.get().carried_over_from
    assert carried is not None and carried.plan == signed_plan
    # The 2027 round counted the year before the 2027 plan started (Target.round_problem): its copy
    # aims at the new plan's earliest round, 2028, and so can be edited as it stands; 2030 is kept.
    assert sorted(new.targets.values_list("indicator", "round_label")) == [("m2", "2028"), ("m3", "2030")]
    for copied in new.targets.all():
        assert Target.round_problem(new.year, copied.round_label) is None
        services.target_update(target=copied, user=alice, value=0.9)
    assert new.what_we_know.count() == 9
    with pytest.raises(ApplicationError, match="already a plan"):
        services.plan_roll_forward(plan=signed_plan, user=alice)


# Targets ------------------------------------------------------------------------------------------


def _target(plan, alice, **fields):
    values = {
        "indicator": "m2",
        "service": "adults",
        "comparison": "gte",
        "value": 0.5,
        "round_label": "2025",
    }
    return services.target_create(objective=plan.objectives.first(), user=alice, **{**values, **fields})


def test_target_is_awaiting_until_the_rounds_results_arrive(early_plan, alice, collection_round):
    target = _target(early_plan, alice)
    assert target.outcome == Target.Outcome.AWAITING
    assert services.target_evaluate(target) == (Target.Outcome.AWAITING, None)


def test_target_met_and_not_met_from_real_results(early_plan, alice, authority_a, collection_round):
    met = _target(early_plan, alice, value=0.5)
    not_met = _target(early_plan, alice, value=0.95)
    at_most = _target(early_plan, alice, comparison="lte", value=0.5)
    record = submitted_return(authority_a, collection_round, lead=alice, compute_results=True)
    assert services.targets_evaluate_for_version(record.current().pk) == 3
    from metrics.models import Result

    value = Result.objects.get(version=record.current_version, service="adults", indicator="m2").value
    assert value is not None and 0.5 < value < 0.95
    for target, outcome in ((met, "met"), (not_met, "not_met"), (at_most, "not_met")):
        target.refresh_from_db()
        assert target.outcome == outcome
        assert target.actual_value == pytest.approx(value)
    assert services.targets_evaluate() == 0  # nothing changed: safe to run again


def test_target_has_no_data_when_the_figure_cannot_be_calculated(
    early_plan, alice, authority_a, collection_round
):
    data = valid_data()
    for key in data:
        if key.measure in ("ftp_referrals",):
            data[key] = {"white": 0, "minority_ethnic": 0, "unknown": 0}
    submitted_return(authority_a, collection_round, lead=alice, data=data, compute_results=True)
    target = _target(early_plan, alice, indicator="m4")
    assert target.outcome == Target.Outcome.NO_DATA


def test_target_has_no_data_when_the_round_closed_without_a_return(early_plan, alice, analyst):
    closed_round("2025", created_by=analyst)
    target = _target(early_plan, alice, round_label="2025")
    assert target.outcome == Target.Outcome.NO_DATA


@pytest.mark.parametrize(
    ("round_label", "problem"),
    [
        ("1999", "The round must be 2027 or later: earlier rounds counted the years before this plan"),
        (str(PLAN_YEAR), "The round must be 2027 or later"),
        ("2038", "The round must be 2037 or earlier."),
        ("next year", "Enter the round as a year, like 2027."),
    ],
)
def test_a_targets_round_is_the_one_after_the_plans_year_at_the_earliest(
    written_plan, alice, round_label, problem
):
    """The service holds every caller (the form, the API, imports) to the rule, with the form's words."""
    with pytest.raises(ApplicationError) as refused:
        _target(written_plan, alice, round_label=round_label)
    assert refused.value.field == "round_label" and problem in refused.value.message
    assert not Target.objects.exists()
    target = _target(written_plan, alice, round_label=str(PLAN_YEAR + 1))
    with pytest.raises(ApplicationError) as refused:
        services.target_update(target=target, user=alice, round_label=round_label)
    assert refused.value.field == "round_label" and problem in refused.value.message
    target.refresh_from_db()
    assert target.round_label == "2027"
    assert services.target_update(target=target, user=alice, round_label="2037").round_label == "2037"


# Quarterly progress -------------------------------------------------------------------------------


def _update(plan, user, action, rag="green", quarter=Q1):
    return services.update_save(
        plan=plan, quarter=quarter, action=action, user=user, rag=rag, narrative="On track."
    )


def _all_updates(plan, user):
    for action in plan.actions.all():
        _update(plan, user, action)
    return QuarterlyReport.objects.get(plan=plan, year=Q1.year, quarter=Q1.number)


def test_staff_voice_lead_and_lead_enter_updates_viewer_cannot(signed_plan, alice, voice_a, bob, sponsor_a):
    action = signed_plan.actions.first()
    update = _update(signed_plan, voice_a, action, "amber")
    assert update.updated_by == voice_a
    again = _update(signed_plan, alice, action, "green")
    assert again.pk == update.pk and again.rag == "green"
    for reader in (bob, sponsor_a):
        with pytest.raises(ApplicationError):
            _update(signed_plan, reader, action)


def test_update_refuses_another_plans_action_and_other_quarters(signed_plan, alice, authority_b, charlie):
    other = services.plan_create(authority=authority_b, year=PLAN_YEAR, user=charlie)
    objective = services.objective_create(plan=other, user=charlie, text="B's objective")
    foreign = services.action_create(objective=objective, user=charlie, text="B's action")
    with pytest.raises(ApplicationError, match="not in this plan"):
        _update(signed_plan, alice, foreign)
    with pytest.raises(ApplicationError, match="not in the plan year"):
        _update(signed_plan, alice, signed_plan.actions.first(), quarter=Quarter(PLAN_YEAR + 1, 1))


def test_report_lifecycle(
    signed_plan, alice, voice_a, sponsor_a, django_capture_on_commit_callbacks, mailoutbox
):
    first = signed_plan.actions.first()
    _update(signed_plan, alice, first)
    report = QuarterlyReport.objects.get(plan=signed_plan)
    assert [a.number for a in services.missing_updates(report)] == [2, 3]
    with pytest.raises(ApplicationError, match="Missing: action 2, 3"):
        services.report_submit(report=report, user=alice)
    report = _all_updates(signed_plan, voice_a)
    with pytest.raises(ApplicationError, match="programme lead"):
        services.report_submit(report=report, user=voice_a)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(report=report, user=alice, summary="A good start.")
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert mailoutbox[-1].to == ["sponsor@lambeth.example"]
    with pytest.raises(ApplicationError, match="cannot change"):
        _update(signed_plan, alice, first, "red")
    signing: dict[str, Any] = {
        "name": "Sam",
        "role": "Director",
        "signed_on": timezone.localdate(),
        "declaration": True,
    }
    for wrong in (voice_a, alice):
        with pytest.raises(ApplicationError, match="senior sponsor"):
            services.report_sign_off(report=report, user=wrong, **signing)
    report = services.report_sign_off(report=report, user=sponsor_a, **signing)
    assert report.status == QuarterlyReport.Status.SIGNED_OFF
    signed = report.signed_document
    assert signed is not None
    assert signed["quarter"]["summary"] == "A good start."
    assert signed["objectives"][0]["actions"][0]["progress"]["rag"] == "green"
    with pytest.raises(ApplicationError, match="signed off, so it cannot change"):
        _update(signed_plan, alice, first, "red")
    with pytest.raises(ApplicationError, match="Only a submitted report"):
        services.report_sign_off(report=report, user=sponsor_a, **signing)
    with pytest.raises(ApplicationError, match="signed-off quarterly report"):
        services.action_delete(action=first, user=alice)


def test_sponsor_returns_a_submitted_report_to_draft(signed_plan, alice, sponsor_a):
    report = services.report_submit(report=_all_updates(signed_plan, alice), user=alice)
    with pytest.raises(ApplicationError):
        services.report_send_back(report=report, user=alice)
    report = services.report_send_back(report=report, user=sponsor_a)
    assert report.status == QuarterlyReport.Status.DRAFT
    _update(signed_plan, alice, signed_plan.actions.first(), "amber")


def test_portal_suggests_red_for_an_overdue_unfinished_action(signed_plan, alice):
    overdue, later, _ = signed_plan.actions.order_by("number")
    day = datetime.date(2026, 6, 30)
    assert overdue.due_date < day
    assert suggested_rag(overdue, day) == "red"
    assert suggested_rag(later, day) == "not_started"
    services.action_update(action=overdue, user=alice, status="complete")
    overdue.refresh_from_db()
    assert suggested_rag(overdue, day) == "complete"
    services.action_update(action=later, user=alice, status="in_progress")
    later.refresh_from_db()
    assert suggested_rag(later, day) is None


# Reminders ----------------------------------------------------------------------------------------


def test_reminders_go_once_a_week_before_the_quarter_ends(
    signed_plan, alice, voice_a, django_capture_on_commit_callbacks, mailoutbox
):
    day = datetime.date(2026, 6, 25)  # Q1 ends 30 June
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=day) == 1
        assert services.reminders_send(today=day) == 0
        assert services.reminders_send(today=day + datetime.timedelta(days=1)) == 0
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == ["alice@lambeth.example", "voice@lambeth.example"]
    assert "3 actions" in mailoutbox[0].body


def test_no_reminder_outside_the_week_or_when_updates_are_complete(signed_plan, alice):
    assert services.reminders_send(today=datetime.date(2026, 6, 1)) == 0
    _all_updates(signed_plan, alice)
    assert services.reminders_send(today=datetime.date(2026, 6, 28)) == 0


def test_quarters_of_the_financial_year():
    assert Quarter.containing(datetime.date(2027, 2, 1)) == Quarter(2026, 4)
    assert Quarter(2026, 4).ends_on == datetime.date(2027, 3, 31)
    assert Quarter(2026, 1).ends_on == datetime.date(2026, 6, 30)
    assert Quarter.parse("2026-q3") == Quarter(2026, 3)
    assert Quarter.parse("2026-q5") is None
