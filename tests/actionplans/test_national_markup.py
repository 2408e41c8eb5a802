"""Issue 18: the national action-plan pages' long lists are written in Python
(`actionplans.presenters.national_plan_rows` and `overdue_rows`), byte for byte the markup of the
template loops they replace (kept in tests/fixtures as they were)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template

from actionplans import presenters
from actionplans.models import Quarter

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _old(name: str, context: dict[str, Any]) -> str:
    return Template(FIXTURES.joinpath(name).read_text()).render(Context(context))


def _council(n: int, **values: Any) -> dict[str, Any]:
    return {
        "pk": n,
        "name": f"Council {n}",
        "ons_code": f"E0600000{n}",
        "region": "North East",
        "plan_state": "none",
        "plan_year": None,
        "plan_signed_on": None,
        "plan_published": None,
        **values,
    }


ROWS = [
    _council(1),
    _council(
        2, name="Brighton & Hove <Council> \"x\" 'y'", region="South East", plan_state="draft", plan_year=2026
    ),
    _council(
        3,
        plan_state="signed_off",
        plan_year=2026,
        plan_signed_on=datetime.date(2026, 5, 1),
        plan_published=True,
    ),
    _council(4, plan_state="changed", plan_year=2027, plan_signed_on=datetime.date(2027, 12, 31)),
    _council(5, name="Ynys Môn", ons_code="W06000001", region="Wales", plan_state="other", plan_year=2026),
    _council(6, ons_code="a b", plan_state="draft", plan_year=2026),  # quoted by reverse() itself
]


@pytest.mark.parametrize("count", [0, 1, len(ROWS)])
def test_the_councils_rows_are_the_templates_markup(count: int) -> None:
    rows = ROWS[:count]
    old = _old("actionplans_national_rows_template.html", {"page": {"object_list": rows}})
    assert str(presenters.national_plan_rows(rows)) == old


def _item(council: str, code: str, quarter: int, status: str | None) -> dict[str, Any]:
    q = Quarter(2026, quarter)
    return {
        "council": council,
        "council_code": code,
        "year": 2026,
        "quarter_number": quarter,
        "report_status": status,
        "quarter": q,
        "due": q.ends_on + datetime.timedelta(days=30),
    }


ITEMS = [
    _item("Barnet", "E09000003", 1, "draft"),
    _item("Brighton & Hove <x>", "E06000043", 2, None),
    _item("Ynys Môn", "W06000001", 4, "submitted"),
    _item("Odd", "a b", 3, None),
]


@pytest.mark.parametrize("count", [0, 1, len(ITEMS)])
def test_the_overdue_rows_are_the_templates_markup(count: int) -> None:
    items = ITEMS[:count]
    old = _old("actionplans_overdue_rows_template.html", {"overdue": items})
    assert str(presenters.overdue_rows(items)) == old
