"""Model instances from rows read by hand-assembled SQL: queries compiled once per process where
compiling the ORM's query cost more CPU than running it (issue 18)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def columns(model: type[models.Model], alias: str) -> str:
    """The model's concrete columns, qualified by `alias`, in field order (as `instance` reads them)."""
    q = connection.ops.quote_name
    return ", ".join(f"{alias}.{q(field.column or field.attname)}" for field in model._meta.concrete_fields)


def width(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)


def instance(model: type[M], values: Sequence[Any]) -> M | None:
    """A model instance from its columns as the cursor read them (None for an absent LEFT JOIN row,
    whose primary key is null), converted as a queryset converts them (SQLite hands back dates and
    JSON as text)."""
    if values[0] is None:
        return None
    converted = []
    for (field, converters), value in zip(_converters(model), values, strict=True):
        for convert in converters:
            value = convert(value, field, connection)
        converted.append(value)
    return model.from_db(connection.alias, _attnames(model), converted)


def converted_instance(model: type[M], values: Sequence[Any]) -> M | None:
    """A model instance from its columns already converted as a queryset converts them (the rows of
    a `listing.CompiledList`): converting them again breaks where a converter expects the database's
    text (SQLite's uuid)."""
    if values[0] is None:
        return None
    return model.from_db(connection.alias, _attnames(model), list(values))


@functools.cache
def _attnames(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@functools.cache
def _converters(model: type[models.Model]) -> tuple[tuple[Any, tuple[Callable[..., Any], ...]], ...]:
    """Each concrete field's column and its database converters, looked up once per process."""
    found = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        found.append((col, tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))))
    return tuple(found)
