"""Fixtures for action plans: a staff voice lead of A, A's 2026 plan at several stages, and a
helper that gives a council submitted results (stored `Result` rows) for a round."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from actionplans import services
from actionplans.models import ActionPlan
from metrics.services import results_compute
from submissions import services as submission_services
from submissions.models import Return, ReturnVersion
from tests.factories import member, valid_data

PLAN_YEAR = 2026


def submit_return(authority, collection_round, lead, data=None):  # type: ignore[no-untyped-def]
    """Submit a return for `authority` and store its results, as the metrics engine would."""
    record = submission_services.return_get_or_create(authority=authority, collection_round=collection_round)
    submission_services.draft_save(
        record=record, data=data or valid_data(), user=lead, source=ReturnVersion.Source.API
    )
    record = Return.objects.get(pk=record.pk)
    for warning in submission_services.version_warnings(record.current_version):
        submission_services.warning_explain(record=record, key=warning.key, text="Checked.", user=lead)
    submission_services.return_submit(record=record, user=lead, late_reason="Test")
    record = Return.objects.get(pk=record.pk)
    results_compute(version=record.current_version)
    return record


def sign(plan, sponsor):  # type: ignore[no-untyped-def]
    return services.plan_sign_off(
        plan=plan,
        user=sponsor,
        name="Sam Sponsor",
        role="Director of Adult Social Services",
        signed_on=timezone.localdate(),
        declaration=True,
    )


@pytest.fixture
def voice_a(authority_a):  # type: ignore[no-untyped-def]
    return member(authority_a, Role.STAFF_VOICE_LEAD, "voice@lambeth.example")


@pytest.fixture
def plan(authority_a, alice) -> ActionPlan:  # type: ignore[no-untyped-def]
    return services.plan_create(authority=authority_a, year=PLAN_YEAR, user=alice)


@pytest.fixture
def written_plan(plan, alice) -> ActionPlan:  # type: ignore[no-untyped-def]
    """Two objectives linked to metrics, three actions (one past due), and the header filled in."""
    services.plan_update(
        plan=plan,
        user=alice,
        senior_sponsors="Sam Sponsor, Director of Adult Social Services",
        programme_leads="Alice Lead, Principal Social Worker",
        direct_employees=1930,
        how_agreed="Agreed at the WRES project board.",
    )
    first = services.objective_create(
        plan=plan,
        user=alice,
        text="An anti-racist approach to recruitment.",
        themes=["recruitment_retention"],
        related_indicators=["m2", "m8"],
        leads="Head of HR",
        indicators_of_improvement="More minority ethnic candidates appointed from shortlisting.",
        timeframe="March 2027",
    )
    second = services.objective_create(
        plan=plan,
        user=alice,
        text="A diverse leadership team.",
        themes=["leadership"],
        related_indicators=["m9"],
    )
    services.action_create(
        objective=first, user=alice, text="Anonymised shortlisting.", due_date=datetime.date(2026, 5, 1)
    )
    services.action_create(objective=first, user=alice, text="Diverse interview panels.")
    services.action_create(objective=second, user=alice, text="Mentoring for aspiring leaders.")
    return ActionPlan.objects.get(pk=plan.pk)


@pytest.fixture
def signed_plan(written_plan, sponsor_a) -> ActionPlan:  # type: ignore[no-untyped-def]
    sign(written_plan, sponsor_a)
    return ActionPlan.objects.get(pk=written_plan.pk)
