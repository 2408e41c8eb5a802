"""Writes for building the return from HR data: the council's saved mappings, and the counts the
page posts (checked and saved like any other change to the draft)."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from accounts.models import Authority, User
from accounts.permissions import can_change_return
from submissions import services as return_services
from submissions.hrdata.vocabulary import EXTRACTS, normalise
from submissions.models import CollectionRound, ExtractMapping, Return, ReturnVersion
from submissions.schema import GROUPS, MAX_COUNT, PAY_BANDS, SERVICES, ReturnData, RowKey, all_row_keys
from wres_portal.errors import ApplicationError

MAX_MAPPED_VALUES = 2000
MAX_TEXT = 200
#: The counts the page posts: at most every row of both services, as JSON.
MAX_COUNTS_BYTES = 20_000
ETHNICITY_CHOICES = (*GROUPS,)
SERVICE_CHOICES = (*SERVICES, "out_of_scope")
#: What a column choice may say instead of a header: "this extract has no such column".
NOT_IN_EXTRACT = ""


def _require_lead(user: User, authority: Authority, doing: str) -> None:
    if not can_change_return(user, authority):
        raise ApplicationError(f"Only the council's programme lead can {doing}.")


def _clean_columns(columns: Any) -> dict[str, dict[str, str]]:
    if not isinstance(columns, dict):
        raise ApplicationError("Columns must map each extract to its fields.", field="columns")
    cleaned: dict[str, dict[str, str]] = {}
    for extract, fields in columns.items():
        if extract not in EXTRACTS:
            raise ApplicationError(f"Unknown extract {str(extract)[:40]!r}.", field="columns")
        known = {f.code for f in EXTRACTS[extract][1]}
        if not isinstance(fields, dict):
            raise ApplicationError(f"The {extract} columns must map fields to headers.", field="columns")
        cleaned[extract] = {}
        for code, header in fields.items():
            if code not in known:
                raise ApplicationError(f"Unknown {extract} field {str(code)[:40]!r}.", field="columns")
            if not isinstance(header, str) or len(header) > MAX_TEXT:
                raise ApplicationError(
                    f"The column for {code} must be a header of at most {MAX_TEXT} characters.",
                    field="columns",
                )
            cleaned[extract][code] = header
    return cleaned


def _clean_values(values: Any) -> dict[str, dict[str, str]]:
    if not isinstance(values, dict) or set(values) - {"ethnicity", "service"}:
        raise ApplicationError("Values must be given for ethnicity and service only.", field="values")
    cleaned: dict[str, dict[str, str]] = {}
    for kind, choices in (("ethnicity", ETHNICITY_CHOICES), ("service", SERVICE_CHOICES)):
        given = values.get(kind, {})
        if not isinstance(given, dict) or len(given) > MAX_MAPPED_VALUES:
            raise ApplicationError(
                f"Give at most {MAX_MAPPED_VALUES:,} {kind} values, each with what it means.", field="values"
            )
        cleaned[kind] = {}
        for value, meaning in given.items():
            if not isinstance(value, str) or len(value) > MAX_TEXT or normalise(value) != value:
                raise ApplicationError(
                    f"{kind.capitalize()} values must be normalised text of at most {MAX_TEXT} characters.",
                    field="values",
                )
            if meaning not in choices:
                raise ApplicationError(
                    f"{kind.capitalize()} value {value!r} must mean one of: {', '.join(choices)}.",
                    field="values",
                )
            cleaned[kind][value] = meaning
    return cleaned


@transaction.atomic
def mapping_save(
    *, authority: Authority, collection_round: CollectionRound, columns: Any, values: Any, user: User
) -> ExtractMapping:
    """Save the council's column and value mapping for this round (programme lead only).

    Columns and values only, never rows: every header and value is bounded in length and number,
    every value's meaning is one of the return's groups or services."""
    _require_lead(user, authority, "save the HR data mapping")
    mapping, _ = ExtractMapping.objects.update_or_create(
        authority=authority,
        round=collection_round,
        defaults={
            "columns": _clean_columns(columns),
            "values": _clean_values(values),
            "updated_by": user,
        },
    )
    return mapping


def counts_parse(text: str) -> ReturnData:
    """The counts the page posts, as return data. Shape only: the return's own rules are checked by
    `draft_save` (and shown before it by the page that confirms)."""
    if len(text.encode()) > MAX_COUNTS_BYTES:
        raise ApplicationError("The counts sent are too long to be a return.")
    try:
        rows = json.loads(text)
    except ValueError:
        raise ApplicationError("The counts could not be read. Build them again.") from None
    keys = set(all_row_keys())
    data: ReturnData = {}
    if not isinstance(rows, list) or not rows:
        raise ApplicationError("No counts were sent. Build them again.")
    for row in rows:
        if not isinstance(row, dict):
            raise ApplicationError("The counts could not be read. Build them again.")
        key = RowKey(str(row.get("service")), str(row.get("measure")), str(row.get("pay_band") or ""))
        if key not in keys or key in data or (key.pay_band and key.pay_band not in PAY_BANDS):
            raise ApplicationError("The counts name a row the return does not have, or one twice.")
        counts = {}
        for group in GROUPS:
            value = row.get(group)
            if type(value) is not int or not 0 <= value <= MAX_COUNT:
                raise ApplicationError(f"{key}: {group} must be a whole number from 0 to {MAX_COUNT:,}.")
            counts[group] = value
        data[key] = counts
    return data


@transaction.atomic
def extract_draft_save(
    *, record: Return, data: ReturnData, user: User, base_version: int, note: str = ""
) -> ReturnVersion:
    """Save counts built from HR data as a new draft version through `draft_save`: the same checks,
    lifecycle rules, explanations and stale-check as an upload or web entry. `base_version` is the
    version the page was built on (0 for none): if the draft has moved on, `StaleWrite` is raised,
    nothing is written and the caller keeps the counts. A service the extracts do not cover keeps
    its figures, as with any save."""
    return return_services.draft_save(
        record=record,
        data=data,
        user=user,
        source=ReturnVersion.Source.EXTRACT,
        note=note[:500],
        expected_version=base_version,
    )
