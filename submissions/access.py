"""Fetch rounds and returns for a user: 404 for outsiders, as for every tenant object."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db import connection, models
from django.http import Http404

from accounts.models import Authority, Membership, User
from wres_portal import rawrows
from wres_portal.prepared import read_cursor

from .models import CollectionRound, Return, ReturnVersion


@dataclass
class ReturnContext:
    authority: Authority
    round: CollectionRound
    record: Return | None
    role: str | None


def get_round(round_label: str) -> CollectionRound:
    """The collection round called `round_label`; 404 if there is none. Rounds are no tenant's
    data: the caller has checked who may see the page or the authority asked about. Read by a
    query compiled once per process and prepared once per connection (`_round_sql`, issue 18):
    many pages read their round, and get_object_or_404 compiled the query on every request."""
    sql, params = _round_sql()
    with read_cursor() as cursor:
        cursor.execute(sql, [round_label if p == _LABEL_SLOT else p for p in params])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No CollectionRound matches the given query.")
    return cast(CollectionRound, rawrows.instance(CollectionRound, row))


@functools.cache
def _round_sql() -> tuple[str, tuple[Any, ...]]:
    """`CollectionRound.objects.get(label=...)`'s query (every column, in field order, as
    `rawrows.instance` reads them), with a slot for the label. The label is unique: one row."""
    sql, params = CollectionRound.objects.filter(label=_LABEL_SLOT).order_by().query.sql_with_params()
    return sql, tuple(params)


def get_return_for_user(user: User | AnonymousUser, ons_code: str, round_label: str) -> ReturnContext:
    """The authority, round and (if started) return with its current version, and the user's role
    in the authority, if `user` may see the authority (`Authority.objects.for_user`); 404 otherwise.
    One query, compiled once per process (`_return_context_sql`)."""
    if not isinstance(user, User):
        raise Http404  # anonymous: Authority.objects.for_user shows nothing
    sql, params = _return_context_sql(user.is_national)
    values: dict[Any, Any] = {_USER_SLOT: user.pk, _ONS_SLOT: ons_code, _LABEL_SLOT: round_label}
    with read_cursor() as cursor:
        cursor.execute(sql, [values.get(p, p) if isinstance(p, int | str) else p for p in params])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    authority, collection_round, record, version = (
        rawrows.instance(model, row[start:end]) for model, start, end in _spans()
    )
    if isinstance(record, Return):
        record.authority, record.round = cast(Authority, authority), cast(CollectionRound, collection_round)
        record.current_version = cast(ReturnVersion | None, version)
    return ReturnContext(
        cast(Authority, authority),
        cast(CollectionRound, collection_round),
        cast(Return | None, record),
        row[-1],
    )


#: Values no row has, standing for the user id, ONS code and round label while the query is compiled.
_USER_SLOT, _ONS_SLOT, _LABEL_SLOT = -527_310_964, "slot:ons_code", "slot:round_label"
_MODELS: tuple[type[models.Model], ...] = (Authority, CollectionRound, Return, ReturnVersion)


@functools.cache
def _spans() -> tuple[tuple[type[models.Model], int, int], ...]:
    """Where each model's columns sit in a row of `_return_context_sql`."""
    spans, start = [], 0
    for model in _MODELS:
        end = start + len(model._meta.concrete_fields)
        spans.append((model, start, end))
        start = end
    return tuple(spans)


@functools.cache
def _return_context_sql(national: bool) -> tuple[str, tuple[Any, ...]]:
    """The authority (scoped by `Authority.objects.for_user`, the one place that knows who may see
    it), the round, the return, its current version and the user's role, as one query with slot
    values where each request's go. Compiling the ORM's four queries cost more CPU than running them
    (issue 18, as `accounts.mfa.signed_in_user`)."""
    slot_user = User(pk=_USER_SLOT, national_role=User.NationalRole.ANALYST if national else "")
    scoped, scoped_params = (
        Authority.objects.for_user(slot_user)
        .filter(ons_code=_ONS_SLOT)
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    q = connection.ops.quote_name
    aliases = ("a", "r", "s", "v")
    columns = ", ".join(
        f"{alias}.{q(field.column or field.attname)}"
        for alias, model in zip(aliases, _MODELS, strict=True)
        for field in model._meta.concrete_fields
    )
    models_used: tuple[type[models.Model], ...] = (*_MODELS, Membership)
    a, r, s, v, m = (q(model._meta.db_table) for model in models_used)
    # Only names from the models' metadata are formatted in; every value is a parameter.
    sql = (
        f'SELECT {columns}, m."role" FROM {a} a INNER JOIN {r} r ON r."label" = %s '  # noqa: S608
        f'LEFT JOIN {s} s ON s."authority_id" = a."id" AND s."round_id" = r."id" '
        f'LEFT JOIN {v} v ON v."id" = s."current_version_id" '
        f'LEFT JOIN {m} m ON m."authority_id" = a."id" AND m."user_id" = %s '
        f'WHERE a."id" IN ({scoped})'
    )
    return sql, (_LABEL_SLOT, _USER_SLOT, *scoped_params)
