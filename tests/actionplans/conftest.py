"""Fixtures for action plans: a staff voice lead of A, and A's 2026 plan at several stages (built by
tests/builders.py)."""

from __future__ import annotations

import pytest

from accounts.models import Role
from actionplans import services
from actionplans.models import ActionPlan
from tests.builders import sign_plan, write_plan
from tests.builders import written_plan as build_written_plan
from tests.factories import member

PLAN_YEAR = 2026


@pytest.fixture
def voice_a(authority_a):
    return member(authority_a, Role.STAFF_VOICE_LEAD, "voice@lambeth.example")


@pytest.fixture
def plan(authority_a, alice) -> ActionPlan:
    return services.plan_create(authority=authority_a, year=PLAN_YEAR, user=alice)


@pytest.fixture
def written_plan(plan, alice) -> ActionPlan:
    """Two objectives linked to metrics, three actions (one past due), and the header filled in."""
    return write_plan(plan, alice)


@pytest.fixture
def signed_plan(written_plan, sponsor_a) -> ActionPlan:
    sign_plan(written_plan, sponsor_a)
    return ActionPlan.objects.get(pk=written_plan.pk)


@pytest.fixture
def early_plan(authority_a, alice) -> ActionPlan:
    """A's written 2024 plan: its targets may name the 2025 round (the `collection_round` fixture),
    the first after its year."""
    return build_written_plan(authority_a, alice, year=2024)
