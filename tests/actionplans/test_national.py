"""The analysts' national action-plan page (issue 15, item 10): it opens on the latest quarter with
reports, and counts a quarter's report as due only for quarters the plan was running in."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from actionplans import services
from actionplans.models import ActionPlan, Quarter
from actionplans.national import overdue_reports
from tests.builders import sign_plan, written_plan
from tests.factories import AuthorityFactory, member

YEAR = 2026


def _reported(plan: ActionPlan, quarter: Quarter, lead) -> None:
    report = services.report_get_or_create(plan=plan, quarter=quarter)
    for action in plan.actions.all():
        services.update_save(
            plan=plan, quarter=quarter, action=action, user=lead, rag="green", narrative="On track."
        )
    services.report_submit(report=report, user=lead)


def test_the_page_opens_on_the_latest_quarter_with_reports_not_an_empty_current_one(db, analyst) -> None:
    authority = AuthorityFactory.create(name="Lambeth")
    lead, sponsor = member(authority, Role.PROGRAMME_LEAD), member(authority, Role.SENIOR_SPONSOR)
    with time_machine.travel(datetime.datetime(YEAR, 5, 1, 12, tzinfo=datetime.UTC), tick=False):
        plan = written_plan(authority, lead, year=YEAR)
        sign_plan(plan, sponsor)
    with time_machine.travel(datetime.datetime(YEAR, 10, 15, 12, tzinfo=datetime.UTC), tick=False):
        _reported(plan, Quarter(YEAR, 1), lead)
        _reported(plan, Quarter(YEAR, 2), lead)
    client = Client()
    client.force_login(analyst)
    with time_machine.travel(datetime.datetime(YEAR, 11, 30, 12, tzinfo=datetime.UTC), tick=False):
        page = client.get(reverse("actionplans:national"), {"year": YEAR}).content.decode()
    assert "action updates in Quarter 2: July to September 2026" in page
    assert '<option value="2" selected>' in page


def test_a_plan_started_in_november_has_no_report_due_for_earlier_quarters(db) -> None:
    authority = AuthorityFactory.create()
    lead = member(authority, Role.PROGRAMME_LEAD)
    with time_machine.travel(datetime.datetime(YEAR, 11, 10, 12, tzinfo=datetime.UTC), tick=False):
        plan = written_plan(authority, lead, year=YEAR)
    assert plan.reporting_quarters() == [Quarter(YEAR, 3), Quarter(YEAR, 4)]
    assert overdue_reports([plan], [], datetime.date(YEAR, 12, 1)) == []
    overdue = overdue_reports([plan], [], datetime.date(YEAR + 1, 2, 1))  # quarter 3 due 30 January
    assert [item["quarter"] for item in overdue] == [Quarter(YEAR, 3)]


def test_a_plan_started_before_its_year_reports_every_quarter(db) -> None:
    authority = AuthorityFactory.create()
    lead = member(authority, Role.PROGRAMME_LEAD)
    with time_machine.travel(datetime.datetime(YEAR, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        plan = written_plan(authority, lead, year=YEAR)
    assert plan.reporting_quarters() == plan.quarters()
    assert [i["quarter"] for i in overdue_reports([plan], [], datetime.date(YEAR, 11, 30))] == [
        Quarter(YEAR, 1),
        Quarter(YEAR, 2),
    ]
