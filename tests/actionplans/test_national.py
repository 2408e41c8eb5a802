"""The analysts' national action-plan page (issue 15, item 10): it opens on the latest quarter with
reports, and counts a quarter's report as due only for quarters the plan was running in. Its theme
table and overdue reports are counted, sorted and paged by the database (issue 18: it read every
plan, report, objective and update of the year into Python, and listed every overdue report)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from actionplans import services
from actionplans.models import ActionPlan, ActionUpdate, Objective, Quarter
from actionplans.selectors import objective_theme_counts, overdue_reports, rag_theme_counts
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


def _overdue(analyst, plan: ActionPlan, today: datetime.date) -> list[int]:
    rows = overdue_reports(analyst, plan.year, today)
    assert all(row["council_code"] == plan.authority.ons_code for row in rows)
    return [row["quarter_number"] for row in rows]


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


def test_a_plan_started_in_november_has_no_report_due_for_earlier_quarters(analyst) -> None:
    authority = AuthorityFactory.create()
    lead = member(authority, Role.PROGRAMME_LEAD)
    with time_machine.travel(datetime.datetime(YEAR, 11, 10, 12, tzinfo=datetime.UTC), tick=False):
        plan = written_plan(authority, lead, year=YEAR)
    assert plan.reporting_quarters() == [Quarter(YEAR, 3), Quarter(YEAR, 4)]
    assert _overdue(analyst, plan, datetime.date(YEAR, 12, 1)) == []
    assert _overdue(analyst, plan, datetime.date(YEAR + 1, 2, 1)) == [3]  # quarter 3 due 30 January


def test_a_plan_started_before_its_year_reports_every_quarter(analyst) -> None:
    authority = AuthorityFactory.create()
    lead = member(authority, Role.PROGRAMME_LEAD)
    with time_machine.travel(datetime.datetime(YEAR, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        plan = written_plan(authority, lead, year=YEAR)
    assert plan.reporting_quarters() == plan.quarters()
    assert _overdue(analyst, plan, datetime.date(YEAR, 11, 30)) == [1, 2]


def _plans(count: int, started: datetime.datetime, first: int = 0) -> list[ActionPlan]:
    plans = []
    for n in range(first, first + count):
        authority = AuthorityFactory.create(name=f"Council {n:02d}")
        with time_machine.travel(started, tick=False):
            plan = written_plan(authority, member(authority, Role.PROGRAMME_LEAD), year=YEAR)
            sign_plan(plan, member(authority, Role.SENIOR_SPONSOR))
            plans.append(plan)
    return plans


def test_the_page_lists_ten_overdue_reports_and_links_to_every_one_in_pages(analyst, monkeypatch) -> None:
    """It listed every overdue report of the year, whatever their number."""
    plans = _plans(4, datetime.datetime(YEAR, 5, 1, 12, tzinfo=datetime.UTC))
    with time_machine.travel(datetime.datetime(YEAR + 1, 1, 15, 12, tzinfo=datetime.UTC), tick=False):
        lead = plans[0].authority.memberships.get(role=Role.PROGRAMME_LEAD).user
        report = services.report_get_or_create(plan=plans[0], quarter=Quarter(YEAR, 1))
        _reported(
            plans[1], Quarter(YEAR, 2), plans[1].authority.memberships.get(role=Role.PROGRAMME_LEAD).user
        )
    assert report.status == "draft"
    client = Client()
    with time_machine.travel(datetime.datetime(YEAR + 1, 2, 1, 12, tzinfo=datetime.UTC), tick=False):
        client.force_login(analyst)
        # Quarters 1 to 3 are overdue for 4 plans, less the one report submitted: 11.
        page = client.get(reverse("actionplans:national"), {"year": YEAR}).content.decode()
        assert "11 reports are overdue." in page
        section = page.split("Overdue quarterly reports</h2>")[1].split("<h2")[0]
        assert section.count('<tr class="govuk-table__row">') == 1 + 10
        assert (
            f'href="/national/action-plans/overdue-reports/?year={YEAR}">See all 11 overdue reports'
            in section
        )
        assert section.count("Draft</strong>") == 1  # the report started and not submitted
        assert section.count(">Council 03</a>") == 2  # not the eleventh, by council and quarter
        assert f'{YEAR}-q3/">Council 03' not in section

        monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 4)
        url = reverse("actionplans:overdue")
        pages = [client.get(url, {"year": YEAR, "page": n}) for n in (1, 2, 3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    rows = [
        (row["council"], row["quarter"].number, row["report_status"])
        for p in pages
        for row in p.context["overdue"]
    ]
    assert rows == [
        ("Council 00", 1, "draft"),
        ("Council 00", 2, None),
        ("Council 00", 3, None),
        ("Council 01", 1, None),
        ("Council 01", 3, None),
        *[(f"Council {n:02d}", q, None) for n in (2, 3) for q in (1, 2, 3)],
    ]
    last = pages[2].content.decode()
    assert "11 reports are overdue; this is page 3 of 3." in last
    assert 'aria-label="Pages of overdue reports"' in last
    assert lead is not None


def test_overdue_reports_are_for_analysts_only(client, alice, analyst) -> None:
    client.force_login(alice)
    assert client.get(reverse("actionplans:overdue")).status_code == 404
    client.force_login(analyst)
    page = client.get(reverse("actionplans:overdue"), {"year": "99999"})
    assert page.status_code == 200 and "None." in page.content.decode()


def test_themes_are_counted_by_the_database_an_objective_in_each_of_its_themes(analyst) -> None:
    plans = _plans(2, datetime.datetime(YEAR, 5, 1, 12, tzinfo=datetime.UTC))
    second = plans[1].objectives.get(themes=["leadership"])
    Objective.objects.filter(pk=second.pk).update(themes=["leadership", "culture_experience"])
    for plan, rags in zip(plans, (("red", "amber", "green"), ("green", "green", "red")), strict=True):
        lead = plan.authority.memberships.get(role=Role.PROGRAMME_LEAD).user
        for action, value in zip(plan.actions.order_by("number"), rags, strict=True):
            services.update_save(
                plan=plan, quarter=Quarter(YEAR, 1), action=action, user=lead, rag=value, narrative="Noted."
            )
    objectives, rag = objective_theme_counts(analyst, YEAR), rag_theme_counts(analyst, YEAR)[1]
    assert objectives == {"recruitment_retention": 2, "leadership": 2, "culture_experience": 1}
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for update in ActionUpdate.objects.select_related("action__objective"):
        for theme in update.action.objective.themes:
            expected[theme][update.rag] += 1
    assert rag == expected
    assert sum(rag["culture_experience"].values()) > 0  # the second plan's objective, in both its themes
    assert rag_theme_counts(analyst, YEAR).keys() == {1}


def test_the_pages_read_the_same_queries_at_four_councils_or_eight(analyst) -> None:
    """(More than ten overdue reports at both: the national page counts them only then.)"""
    client = Client()
    today = datetime.datetime(YEAR + 1, 2, 1, 12, tzinfo=datetime.UTC)

    def queries() -> tuple[int, int]:
        counts = []
        for url in (reverse("actionplans:national"), reverse("actionplans:overdue")):
            with time_machine.travel(today, tick=False):
                client.force_login(analyst)
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(url, {"year": YEAR}).status_code == 200
            counts.append(len(captured))
        return counts[0], counts[1]

    _plans(4, datetime.datetime(YEAR, 5, 1, 12, tzinfo=datetime.UTC))
    four = queries()
    _plans(4, datetime.datetime(YEAR, 5, 2, 12, tzinfo=datetime.UTC), first=4)
    assert queries() == four
