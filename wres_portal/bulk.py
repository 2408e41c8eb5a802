"""Insert many rows at once (`copy_insert`), or skipping rows whose unique key is already stored
(`insert_ignoring_conflicts`); store one precomputed document in place (`store_document`).

On PostgreSQL the rows go through `COPY` into a temporary table and then one
`INSERT ... SELECT ... ON CONFLICT DO NOTHING`: COPY streams values with no per-value quoting in
Python, where Django's `bulk_create` builds `UNNEST` arrays whose text escaping dominated the cost of
storing results (about 7 s of 12 for 2,000 results documents in `make bench`). Row triggers, and so
the audit trail, fire on the INSERT as for any other write. Elsewhere (SQLite in the demo and local
tests) it falls back to `bulk_create(ignore_conflicts=True)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from django.db import connections, models, router, transaction
from django.utils import timezone


def store_document(model: type[models.Model], *, unique: dict[str, Any], values: dict[str, Any]) -> None:
    """Store the document row of `model` named by `unique` (its unique fields and their values) with
    `values` and `built_at` now, replacing the values of the row already stored under that name: one
    `INSERT ... ON CONFLICT DO UPDATE`, so two requests building the same document at once leave one
    row (the later build's) without a transaction around it. The stored documents of issue 18
    (results pages, dashboards, indicator summaries, the monitor's) are all written here."""
    model._default_manager.bulk_create(
        [model(**unique, **values, built_at=timezone.now())],
        update_conflicts=True,
        unique_fields=list(unique),
        update_fields=[*values, "built_at"],
    )


def insert_ignoring_conflicts(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert `rows` (values in the order of `fields`, JSON fields as Python objects) into `model`'s
    table; a row that conflicts with a stored row's unique key is skipped, in one transaction."""
    _insert(model, fields, rows, ignore_conflicts=True)


def copy_insert(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (values in the order of `fields`) into `model`'s table: one `COPY` on PostgreSQL
    (row triggers, constraints and the audit trail apply as to any insert; a conflict is an error),
    `bulk_create` elsewhere."""
    _insert(model, fields, rows, ignore_conflicts=False)


def _json(value: Any) -> str:
    """A JSON field's value as COPY sends it. orjson, not the standard library: the same text for
    the documents we store (shortest round-tripping floats, UTF-8), about 10 times faster; encoding
    the results documents took 10 s of a national recompute at 20,000 with `json.dumps` (issue 18)."""
    return orjson.dumps(value).decode()


def _column(model: type[models.Model], name: str) -> models.Field:
    """The field `name` of `model`, which must be stored in a column of its table."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete or not field.column:
        raise ValueError(f"{model._meta.label}.{name} is not a column of its table")
    return field


def _insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore_conflicts: bool
) -> None:
    if not rows:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    concrete = [_column(model, name) for name in fields]
    if connection.vendor != "postgresql":
        attnames = [field.attname for field in concrete]
        model._default_manager.using(using).bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows],
            ignore_conflicts=ignore_conflicts,
            batch_size=2_000,
        )
        return
    is_json = [isinstance(field, models.JSONField) for field in concrete]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in concrete if field.column)
    table = connection.ops.quote_name(meta.db_table)
    staging = connection.ops.quote_name(f"_bulk_{meta.db_table}")
    # Identifiers come from the model's metadata, quoted; values only ever travel through COPY.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if ignore_conflicts:  # COPY has no ON CONFLICT: stage the rows, then insert what is new
            cursor.execute(f"DROP TABLE IF EXISTS {staging}")
            cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {columns} FROM {table} WITH NO DATA")  # noqa: S608
        with cursor.cursor.copy(
            f"COPY {staging if ignore_conflicts else table} ({columns}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(
                    [
                        _json(value) if json_field and value is not None else value
                        for value, json_field in zip(row, is_json, strict=True)
                    ]
                )
        if ignore_conflicts:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} ON CONFLICT DO NOTHING"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {staging}")
