"""Issue 18: a list's sortable column headers and its GOV.UK pagination are written in Python
(`{% sortable_headers %}`, `{% pagination %}` in accounts/templatetags/govuk.py), byte for byte the
markup of the templates they replace (kept in tests/fixtures as they were)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.test import RequestFactory

from wres_portal.listing import Column, pages, read_sort

FIXTURES = Path(__file__).parent / "fixtures"
COLUMNS = [
    Column("authority", "Authority", ("name",)),
    Column("value", "Value <&>", ("value",), numeric=True),
    Column("band", "Band", ("band",)),
]
QUERIES = [
    "",
    "sort=-value",
    "sort=band&page=3",
    "a=1&page=2&a=%C3%A9+2&sort=value",
    "page=7&region=North+East&q=a%26b%3C",
    "page=x&sort=zz&late=",
]


def _old(name: str, context: dict[str, Any]) -> str:
    return Template(FIXTURES.joinpath(name).read_text()).render(RequestContext(context["request"], context))


def _new(source: str, context: dict[str, Any]) -> str:
    return Template("{% load govuk %}" + source).render(RequestContext(context["request"], context))


@pytest.mark.parametrize("query", QUERIES)
def test_the_headers_are_the_templates_markup(query: str) -> None:
    request = RequestFactory().get("/list/?" + query if query else "/list/")
    headers = read_sort(request, COLUMNS, "authority").headers
    context = {"request": request, "headers": headers}
    assert _new("{% sortable_headers headers %}", context) == _old("sortable_headers_template.html", context)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("rows", [0, 3, 50, 51, 149, 400, 1000])
def test_the_pagination_is_the_templates_markup(query: str, rows: int) -> None:
    request = RequestFactory().get("/list/?" + query if query else "/list/")
    page = Paginator(range(rows), 50).get_page(request.GET.get("page"))
    for number in {1, page.number, page.paginator.num_pages, page.paginator.num_pages // 2 or 1}:
        shown = page.paginator.page(number)
        context = {
            "request": request,
            "page": shown,
            "page_numbers": pages(shown),
            "label": "authorities & <x>",
        }
        old = _old("pagination_template.html", context)
        assert _new("{% pagination page page_numbers label %}", context) == old, (rows, number)
