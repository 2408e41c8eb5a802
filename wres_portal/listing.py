"""Sorting and pagination of the analysts' long lists, done by the database (issue 18).

A list page names its sortable columns once (`Column`: the query parameter value, the label and the
ORM ordering), reads `?sort=` and `?page=` through `sorted_page`, and hands the template a page of
rows plus the column headers, each with its link and its `aria-sort`. The database sorts and cuts
the page (ORDER BY ... LIMIT/OFFSET) and counts the rows (one COUNT), so the cost of a page does not
grow with the number of rows in Python and the number of queries is the same at any size.

Django's own `Paginator` does the counting and the page arithmetic; GOV.UK's pagination component
is drawn by templates/includes/pagination.html from `pages()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    """A sortable column: `key` in the address (`?sort=key`, `?sort=-key` for descending), the header's
    `label`, and the fields to order by (the first decides; the rest break ties)."""

    key: str
    label: str
    fields: tuple[str, ...]
    numeric: bool = False


@dataclass(frozen=True)
class Header:
    label: str
    key: str
    numeric: bool
    #: "ascending", "descending" or "none" (ARIA), for the column the list is sorted by.
    aria_sort: str
    #: The `sort` value a click asks for: the other direction when sorted by this column.
    next_sort: str


@dataclass(frozen=True)
class Sorted:
    key: str
    descending: bool
    headers: list[Header]

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def read_sort(request: HttpRequest, columns: Sequence[Column], default: str) -> Sorted:
    """The sort asked for in `?sort=`, or `default` when it names no column (never an error: an old
    or edited address still shows the list)."""
    by_key = {column.key: column for column in columns}
    asked = request.GET.get("sort", "") or default
    descending = asked.startswith("-")
    key = asked.lstrip("-")
    if key not in by_key:
        descending, key = default.startswith("-"), default.lstrip("-")
    headers = []
    for column in columns:
        if column.key == key:
            aria = "descending" if descending else "ascending"
            next_sort = column.key if descending else f"-{column.key}"
        else:
            aria, next_sort = "none", column.key
        headers.append(Header(column.label, column.key, column.numeric, aria, next_sort))
    return Sorted(key, descending, headers)


def order_by(queryset: QuerySet[Any], columns: Sequence[Column], chosen: Sorted) -> QuerySet[Any]:
    """`queryset` ordered by the chosen column (blanks last either way), then the column's tie-breaks."""
    column = next(c for c in columns if c.key == chosen.key)
    first, *rest = column.fields
    lead = F(first).desc(nulls_last=True) if chosen.descending else F(first).asc(nulls_last=True)
    return queryset.order_by(lead, *rest)


def paginate(
    queryset: QuerySet[Any], request: HttpRequest, *, per_page: int | None = None, count: int | None = None
) -> Page:
    """The page asked for in `?page=` (the first for anything unreadable, the last past the end).
    `count`, when the caller knows how many rows there are, spares the COUNT query."""
    paginator = Paginator(queryset, per_page or PAGE_SIZE)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property: this is its value
    return paginator.get_page(request.GET.get("page"))


def sorted_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    columns: Sequence[Column],
    *,
    default: str,
    count: int | None = None,
) -> tuple[Page, Sorted]:
    chosen = read_sort(request, columns, default)
    return paginate(order_by(queryset, columns, chosen), request, count=count), chosen


def pages(page: Page) -> list[int | None]:
    """The page numbers to link, None for each gap (GOV.UK pagination: first, last, and the pages
    either side of the current one)."""
    if page.paginator.num_pages <= 1:
        return []
    return [
        None if number == Paginator.ELLIPSIS else int(number)
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
