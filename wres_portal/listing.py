"""Sorting and pagination of the analysts' long lists, done by the database (issue 18).

A list page names its sortable columns once (`Column`: the query parameter value, the label and the
ORM ordering), reads `?sort=` and `?page=` through `sorted_page`, and hands the template a page of
rows plus the column headers, each with its link and its `aria-sort`. The database sorts and cuts
the page (ORDER BY ... LIMIT/OFFSET) and counts the rows (one COUNT), so the cost of a page does not
grow with the number of rows in Python and the number of queries is the same at any size.

Django's own `Paginator` does the counting and the page arithmetic; GOV.UK's pagination component
is drawn by `{% pagination %}` (accounts/templatetags/govuk.py) from `pages()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
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
    queryset: Any,  # a QuerySet, `Rows`, or anything else Paginator can count and slice
    request: HttpRequest,
    *,
    per_page: int | None = None,
    count: int | None = None,
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


def compiled_sorted_page(
    request: HttpRequest,
    columns: Sequence[Column],
    compiled: Callable[[str, bool], CompiledList],
    slots: dict[Any, Any],
    *,
    default: str,
    count: int | None = None,
) -> tuple[Page, Sorted]:
    """`sorted_page` for a list compiled once per process (`CompiledList`): `compiled(key,
    descending)` gives the list sorted by that column (cache it on its arguments), `slots` this
    request's values."""
    chosen = read_sort(request, columns, default)
    return paginate(compiled(chosen.key, chosen.descending).rows(slots), request, count=count), chosen


def pages(page: Page) -> list[int | None]:
    """The page numbers to link, None for each gap (GOV.UK pagination: first, last, and the pages
    either side of the current one)."""
    if page.paginator.num_pages <= 1:
        return []
    return [
        None if number == Paginator.ELLIPSIS else int(number)
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]


class CompiledList:
    """A list page's query compiled once per process for each of its shapes (which filters are
    present, the sort column and direction), with slot values standing where each request's values
    go; a request fills the slots in and reads one page (LIMIT and OFFSET as parameters) through
    `prepared.read_cursor`, so PostgreSQL plans each shape once per connection (issue 18).

    Compiling the ORM's query (filters, FilteredRelation joins, annotations, ordering) cost 1.2 to
    1.7 ms of CPU on every request of the completeness monitor, more than running it. The SQL is
    still the ORM's own, compiled from the queryset the page would have run: only LIMIT/OFFSET and
    the COUNT around it are added here. Build one per shape (`functools.cache` on a builder taking
    the shape) from a `.values()` or `.values_list()` queryset, and hand `rows(slots)` to
    `paginate` as the object list."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        from django.db import connection
        from django.db.models.query import ValuesIterable

        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        self.sql, self.params = f"{sql} LIMIT %s OFFSET %s", tuple(params)
        count_sql, count_params = queryset.order_by().query.sql_with_params()
        self.count_sql = f"SELECT COUNT(*) FROM ({count_sql}) listed"  # noqa: S608 - the ORM's SQL
        self.count_params = tuple(count_params)
        self.names: tuple[str, ...] | None = None
        if queryset._iterable_class is ValuesIterable:
            # As ValuesIterable names a row's values.
            selected = query.selected or (*query.extra_select, *query.values_select, *query.annotation_select)
            self.names = tuple(selected)
        self._compiler = compiler
        self._converters = compiler.get_converters([column for column, _, _ in compiler.select])

    def rows(self, slots: dict[Any, Any]) -> Rows:
        """The list with each slot value in the compiled parameters replaced by `slots[slot]`."""
        from django.db import connection

        adapt = connection.ops.adapt_datefield_value  # a date parameter as the ORM passes it
        return Rows(
            self,
            {
                adapt(k) if type(k) is date else k: adapt(v) if type(v) is date else v
                for k, v in slots.items()
            },
        )

    def fill(self, params: tuple[Any, ...], slots: dict[Any, Any]) -> list[Any]:
        # Slots are numbers, strings and dates no row has; other parameters (True, False) stay as they
        # are. A number may come wrapped (psycopg's Int4, a subclass of int, for a FilteredRelation's
        # condition on a PositiveIntegerField).
        return [
            slots.get(p, p) if isinstance(p, int | str | date) and not isinstance(p, bool) else p
            for p in params
        ]

    def read(self, slots: dict[Any, Any], limit: int, offset: int) -> list[Any]:
        from .prepared import read_cursor

        with read_cursor() as cursor:
            cursor.execute(self.sql, [*self.fill(self.params, slots), limit, offset])
            found: list[Any] = cursor.fetchall()
        if self._converters:
            found = [tuple(row) for row in self._compiler.apply_converters(found, self._converters)]
        if self.names is not None:
            names = self.names
            return [dict(zip(names, row, strict=True)) for row in found]
        return found

    def count(self, slots: dict[Any, Any]) -> int:
        from .prepared import read_cursor

        with read_cursor() as cursor:
            cursor.execute(self.count_sql, self.fill(self.count_params, slots))
            return int(cursor.fetchone()[0])


class Rows:
    """A `CompiledList` with one request's values: what `Paginator` needs of an object list (its
    count, one COUNT query, and a slice, one query for the page)."""

    def __init__(self, compiled: CompiledList, slots: dict[Any, Any]) -> None:
        self.compiled, self.slots = compiled, slots

    def count(self) -> int:
        return self.compiled.count(self.slots)

    def __getitem__(self, cut: slice) -> list[Any]:
        start = cut.start or 0
        if cut.stop <= start:
            return []  # as a queryset's empty slice: no query
        return self.compiled.read(self.slots, cut.stop - start, start)
