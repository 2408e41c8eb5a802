"""Optimistic concurrency, once for the whole portal: every write names the state it was built on.

A *state token* names what a person or client saw: a return's version number, a row's `updated_at`,
or a digest of a document (an action plan as the sponsor read it). Web forms carry it in a hidden
field; the API sends it as the `ETag` of each resource and takes it back in `If-Match`. Services
compare it with the row they hold under `select_for_update`, in the same transaction as the write,
and raise `StaleWrite` when someone else got there first. Nothing is applied and nothing is lost:
pages re-show the person's own input beside the other change; the API answers 412.

- `StaleWrite`: what moved on, who moved it and when, and what changed (for the error message).
- `timestamp_token`, `document_token`: tokens for rows and documents.
- `ConditionalApiMixin`: `ETag` on responses, `If-Match` read (428 when a state change sends none).
- `PreconditionFailed` (412) and `PreconditionRequired` (428): the API's answers; the project's DRF
  exception handler maps `StaleWrite` to 412.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import ApplicationError


@dataclass(frozen=True)
class Change:
    """One thing someone else changed: where, what it was when you looked, what it is now."""

    label: str
    before: object
    after: object
    yours: object = None

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "before": self.before, "after": self.after}


class StaleWrite(ApplicationError):
    """The write was built on a state that is no longer current; nothing was written.

    `current` is the token of the state now (what to send next time), `changed_by` and `changed_at`
    who made the newest change and when (when known), `changes` what differs from the state the
    write was built on.
    """

    def __init__(
        self,
        message: str,
        *,
        current: str,
        changed_by: str = "",
        changed_at: datetime.datetime | None = None,
        changes: list[Change] | None = None,
        situation: str = "",
    ) -> None:
        super().__init__(message)
        # What happened, without what it means for this write: for pages that say the latter their way.
        self.situation = situation or message
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.changes = list(changes or [])

    def as_dict(self) -> dict[str, object]:
        return {
            "detail": self.message,
            "current_etag": etag(self.current),
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "changes": [c.as_dict() for c in self.changes],
        }


def timestamp_token(moment: datetime.datetime | None) -> str:
    """A row's state: its `updated_at` to the microsecond (the database keeps microseconds)."""
    if moment is None:
        return "new"
    return format(round(moment.timestamp() * 1_000_000), "x")


def document_token(document: Any) -> str:
    """A document's state: a digest of its canonical JSON, so any change to what is shown changes it."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def when(moment: datetime.datetime | None) -> str:
    """ "2:05pm on 30 November 2026", in local time, as GOV.UK writes times."""
    if moment is None:
        return "just now"
    from django.utils import timezone

    local = timezone.localtime(moment)
    return f"{local:%-I:%M}{local:%p}".lower() + f" on {local:%-d %B %Y}"


def row_stale(row: Any, expected: str | None, what: str, *, refused: str | None = None) -> None:
    """Refuse a write to `row` (a TimeStampedModel held under a lock) built on an older state.

    `expected` is the token the page or client saw (`timestamp_token` of `updated_at`, "new" when
    the row did not exist yet); None means the caller named no state and nothing is checked.
    `refused` says what did not happen (default: the changes are kept, to save again).
    """
    if expected is None:
        return
    current = timestamp_token(row.updated_at if row is not None and row.pk else None)
    if current == expected:
        return
    by = getattr(row, "updated_by", None) if row is not None else None
    name = getattr(by, "display_name", "") or getattr(by, "email", "") if by else ""
    at = row.updated_at if row is not None and row.pk else None
    who = f" by {name}" if name else ""
    refused = refused or (
        "Your changes have not been saved yet: they are kept below, beside theirs. Check them and save again."
    )
    raise StaleWrite(
        f"{what} was changed{who} at {when(at)}, after you opened this page. {refused}",
        current=current,
        changed_by=name,
        changed_at=at,
    )


def etag(token: str) -> str:
    """The strong entity tag for a state token."""
    return f'"{token}"'


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it. Read it again and retry."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send If-Match with the ETag of the resource as you read it, so the change names the state "
        "it was built on."
    )
    default_code = "precondition_required"


def if_match(request: Request, *, required: bool = False) -> str | None:
    """The state token the client names in `If-Match`, or None when it sends none.

    One strong entity tag is accepted. `*` names no state, so a state change that requires one
    (`required`) answers 428 for it as for a missing header; a weak tag (`W/"..."`) or a list of
    several is a 400, since neither can name the one state a change was built on.
    """
    header = (request.headers.get("If-Match") or "").strip()
    if not header or header == "*":
        if required:
            raise PreconditionRequired
        return None
    if header.startswith("W/") or not (header.startswith('"') and header.endswith('"')) or '","' in header:
        from rest_framework.exceptions import ParseError

        raise ParseError('If-Match must be one strong entity tag, like "12-draft", as sent in ETag.')
    token = header[1:-1]
    if '"' in token or "," in token:
        from rest_framework.exceptions import ParseError

        raise ParseError('If-Match must be one strong entity tag, like "12-draft", as sent in ETag.')
    return token


def if_match_parameter(*, required: bool) -> Any:
    """The If-Match header in the OpenAPI schema of an operation that takes (or needs) it."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=required,
        description="The ETag of the resource as you read it. "
        + (
            "Required: the step acts on that state only (428 without it, 412 if it has changed)."
            if required
            else "Optional: if sent, the change is applied only to that state (412 if it has changed)."
        ),
    )


def with_etag(response: Response, token: str | None) -> Response:
    if token is not None:
        response["ETag"] = etag(token)
    return response


def stale_response(error: StaleWrite) -> Response:
    """The API's answer to a stale write: 412 with what changed, and the current ETag."""
    return with_etag(Response(error.as_dict(), status=status.HTTP_412_PRECONDITION_FAILED), error.current)


class ConditionalApiMixin:
    """For APIViews: `self.if_match(request, required=...)` reads the client's token and
    `self.tagged(data, token)` answers with it as the `ETag`. Services do the comparing, under the
    row lock, and raise `StaleWrite`, which the exception handler turns into 412."""

    @staticmethod
    def if_match(request: Request, *, required: bool = False) -> str | None:
        return if_match(request, required=required)

    @staticmethod
    def tagged(data: Any, token: str | None, code: int = 200) -> Response:
        return with_etag(Response(data, status=code), token)


@dataclass
class Seen:
    """What a web form was rendered from: the token, and (optionally) the values shown, so a stale
    save can say what the other person changed."""

    token: str
    values: dict[str, Any] = field(default_factory=dict)


def seen_dumps(seen: Seen, *, salt: str) -> str:
    """Sign what a page showed into a hidden field (signed, so it cannot be forged to hide a change)."""
    from django.core import signing

    return signing.dumps({"t": seen.token, "v": seen.values}, salt=salt, compress=True)


def seen_loads(value: str, *, salt: str) -> Seen | None:
    from django.core import signing

    try:
        raw = signing.loads(value, salt=salt)
    except signing.BadSignature:
        return None
    return Seen(str(raw.get("t", "")), dict(raw.get("v") or {}))
