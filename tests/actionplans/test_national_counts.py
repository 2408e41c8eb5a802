"""The national action-plan page's counts, stored per plans version and day (issue 18): counting
plans, objectives, reports and updates on every request took 200 ms at 20,000 councils and grew
with their number. Every change the page counts bumps the version (PostgreSQL triggers), so the
stored counts are never served stale; SQLite keeps no version and counts on every request."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Authority, Role
from actionplans import services, summary
from actionplans.models import ActionPlan, ActionUpdate, Objective, PlansDocument, Quarter
from tests.builders import sign_plan, written_plan
from tests.concurrency import client_for, together
from tests.factories import AuthorityFactory, member
from tests.workers import require_postgresql

YEAR = 2026
STARTED = datetime.datetime(YEAR, 5, 1, 12, tzinfo=datetime.UTC)
NOW = datetime.datetime(YEAR, 11, 20, 12, tzinfo=datetime.UTC)  # quarter 2's reports overdue since 30 October
TODAY = NOW.date()


@pytest.fixture
def counts_kept() -> None:
    """The stored counts follow the plans version, which PostgreSQL's triggers keep (skipped on
    SQLite locally, failing in CI)."""
    require_postgresql()


def _plan(name: str) -> ActionPlan:
    authority = AuthorityFactory.create(name=name)
    with time_machine.travel(STARTED, tick=False):
        plan = written_plan(authority, member(authority, Role.PROGRAMME_LEAD), year=YEAR)
        sign_plan(plan, member(authority, Role.SENIOR_SPONSOR))
    return plan


def _lead(plan: ActionPlan):
    return plan.authority.memberships.get(role=Role.PROGRAMME_LEAD).user


def _update(plan: ActionPlan, rag: str, quarter: int = 1) -> None:
    with time_machine.travel(NOW, tick=False):
        for action in plan.actions.order_by("number"):
            services.update_save(
                plan=plan,
                quarter=Quarter(YEAR, quarter),
                action=action,
                user=_lead(plan),
                rag=rag,
                narrative="Noted.",
            )


def _page(client) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("actionplans:national"), {"year": YEAR, "quarter": 1})
    assert response.status_code == 200
    return response.content.decode()


def _main(page: str) -> str:
    """The page's content (the header's sign-out form has a CSRF token of its own each time)."""
    return page.split('<main class="govuk-main-wrapper" id="main-content">')[1].split("</main>")[0]


def _stored(analyst) -> summary.NationalCounts:
    """The counts the page uses now, checked against the counts read afresh."""
    with time_machine.travel(NOW, tick=False):
        stored = summary.national_counts(analyst, YEAR, TODAY)
        assert stored == summary.count(analyst, YEAR, TODAY)
    return stored


@pytest.mark.usefixtures("counts_kept")
def test_the_page_reads_its_counts_without_reading_objectives_reports_or_updates(db, analyst) -> None:
    """It counted every plan, objective, report and update of the year on every request."""
    for name in ("Barnet", "Camden"):
        _update(_plan(name), "green")
    client = client_for(analyst)
    first = _page(client)
    with CaptureQueriesContext(connection) as queries:
        again = _page(client)
    assert _main(again) == _main(first)
    read = [q["sql"] for q in queries.captured_queries]
    for table in ("actionplans_objective", "actionplans_quarterlyreport", "actionplans_actionupdate"):
        assert not [sql for sql in read if f'"{table}"' in sql], table
    assert PlansDocument.objects.filter(year=YEAR).count() == 1


@pytest.mark.usefixtures("counts_kept")
def test_every_change_the_page_counts_shows_in_the_next_counts(db, analyst) -> None:
    plan = _plan("Barnet")
    first = _stored(analyst)
    assert (first.started, first.signed, first.councils) == (1, 1, 1)
    assert [row["quarter_number"] for row in first.overdue_first] == [1, 2]

    def changed(before: summary.NationalCounts) -> summary.NationalCounts:
        after = _stored(analyst)
        assert after != before
        return after

    _update(plan, "green")  # action updates in quarter 1
    counts = changed(first)
    assert sum(counts.rag[1]["recruitment_retention"].values()) > 0
    update = ActionUpdate.objects.filter(report__plan=plan).order_by("pk")[0]
    ActionUpdate.objects.filter(pk=update.pk).update(rag="red")  # a RAG status changed
    counts = changed(counts)
    assert any(values.get("red") for values in counts.rag[1].values())
    objective = Objective.objects.filter(plan=plan).order_by("number")[0]
    Objective.objects.filter(pk=objective.pk).update(themes=["leadership"])  # its themes
    counts = changed(counts)
    with time_machine.travel(NOW, tick=False):  # quarter 1's report submitted: no longer overdue
        services.report_submit(report=plan.reports.get(quarter=1), user=_lead(plan))
    counts = changed(counts)
    assert counts.latest_reported == 1
    assert [row["quarter_number"] for row in counts.overdue_first] == [2]
    Authority.objects.filter(pk=plan.authority_id).update(name="Barnet Council")  # renamed
    counts = changed(counts)
    assert counts.overdue_first[0]["council"] == "Barnet Council"
    _plan("Camden")  # a new council with a plan
    counts = changed(counts)
    assert (counts.started, counts.signed, counts.councils) == (2, 2, 2)
    AuthorityFactory.create(name="Dudley")  # a council with none
    counts = changed(counts)
    assert (counts.started, counts.councils) == (2, 3)
    assert "2 of 3 councils have a signed-off plan" in _page(client_for(analyst))


@pytest.mark.usefixtures("counts_kept")
def test_a_change_the_page_does_not_count_keeps_the_stored_counts(db, analyst) -> None:
    plan = _plan("Barnet")
    _update(plan, "amber")
    _stored(analyst)
    built = PlansDocument.objects.get(year=YEAR).built_at
    ActionPlan.objects.filter(pk=plan.pk).update(how_agreed="Agreed at the workforce board.")
    ActionUpdate.objects.filter(report__plan=plan).update(narrative="Rewritten.")
    Objective.objects.filter(plan=plan).update(text="Reworded.")
    _stored(analyst)
    assert PlansDocument.objects.get(year=YEAR).built_at == built, "rebuilt"


@pytest.mark.usefixtures("counts_kept")
def test_a_report_becomes_overdue_with_the_date_whatever_the_version(db, analyst) -> None:
    _plan("Barnet")
    before = datetime.date(YEAR, 10, 30)  # quarter 2 ended 30 September: due by 30 October
    after = datetime.date(YEAR, 10, 31)
    assert summary.national_counts(analyst, YEAR, before).overdue_count == 1
    assert summary.national_counts(analyst, YEAR, after).overdue_count == 2
    assert summary.national_counts(analyst, YEAR, after) == summary.count(analyst, YEAR, after)


def test_the_counts_are_for_national_users_only(db, alice) -> None:
    with pytest.raises(PermissionDenied):
        summary.national_counts(alice, YEAR, TODAY)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("counts_kept")
def test_a_change_committed_while_the_page_counts_is_never_served_stale(analyst) -> None:
    """Real concurrent requests: the page counting (and storing) while a lead's RAG update commits.
    Whichever lands first, the next page shows the counts as they are."""
    plan = _plan("Barnet")
    _update(plan, "green")
    client = client_for(analyst)
    updates = list(ActionUpdate.objects.filter(report__plan=plan).order_by("pk").values_list("pk", flat=True))
    for round_number, rag in enumerate(("red", "amber", "red", "green")):

        def change(pk: int = updates[round_number % len(updates)], rag: str = rag) -> None:
            ActionUpdate.objects.filter(pk=pk).update(rag=rag)

        pages = together(lambda: _page(client), lambda: _page(client), change)
        assert all("Objectives and progress by WRES theme" in page for page in pages[:2])
        _stored(analyst)
    assert PlansDocument.objects.filter(year=YEAR).count() == 1
