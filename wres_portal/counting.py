"""Several counts in one statement (issue 18): a page that shows how many rows each of a few
querysets has asked PostgreSQL one round trip per `.count()`, each planned and sent on its own."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet


def count_each(**querysets: QuerySet[Any]) -> dict[str, int]:
    """How many rows each of `querysets` has (as `.count()` would say, `.distinct()` included), by name,
    counted in one SELECT of one scalar subquery each."""
    parts: list[str] = []
    params: list[Any] = []
    for queryset in querysets.values():
        sql, values = queryset.order_by().query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608  # the ORM's SQL; values are parameters
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: int(n) for name, n in zip(querysets, row, strict=True)}
