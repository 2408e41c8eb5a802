"""`Idempotency-Key` on every POST under /api/ (draft-ietf-httpapi-idempotency-key-header).

A client that sends `Idempotency-Key: <key>` with a POST may send the same request again (after a
timeout, a dropped connection) and the write happens once:

- the first request with a key runs and its response (status, body, ETag, Location) is stored with
  the write, in the same transaction (`IdempotencyRecord`): a record exists exactly when the write
  committed;
- a retry with the same key by the same user, for the same request, gets that response again
  (with `Idempotent-Replayed: true`) and writes nothing;
- the same key with a different request (method, path, query or body) is refused: 422
  `idempotency_key_reused`;
- concurrent retries: the unique (user, key) index makes the second wait for the first to commit,
  then it sees the stored response;
- only successes are stored: an error wrote nothing, so its retry simply runs again;
- records expire after `LIFETIME` and a periodic task deletes them (`delete_expired`, safe to run
  twice). Stored in PostgreSQL, so this holds with Redis down.

Applied to every API view by `wres_portal.api_gate.ApiGate`; views need do nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .models import IdempotencyRecord
from .problems import ApiProblem, ApiReplay

HEADER = "Idempotency-Key"
LIFETIME = datetime.timedelta(hours=24)
#: 1 to 255 printable ASCII characters (a UUID is the usual choice).
_KEY = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,254}$")
#: Response headers stored and replayed.
KEPT_HEADERS = ("ETag", "Location")


def _digest_file(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"file:{upload.name}:{upload.size}:{digest.hexdigest()}"


def fingerprint(request: Request) -> str:
    """SHA-256 of what makes two requests the same: method, path with query, and the body as
    parsed (so JSON key order, whitespace and a multipart boundary do not matter)."""
    data = request.data
    if hasattr(data, "lists"):
        body: Any = sorted(
            (key, [_digest_file(v) if hasattr(v, "chunks") else str(v) for v in values])
            for key, values in data.lists()
        )
    else:
        body = data
    text = json.dumps(
        [request.method, request.get_full_path(), body],
        sort_keys=True,
        cls=JSONEncoder,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _claim(request: Request, key: str, print_: str) -> tuple[IdempotencyRecord, bool]:
    """The record for (user, key): a new one (claimed, True) or the one already committed."""
    now = timezone.now()
    user: Any = request.user  # signed in: run() passes anonymous requests straight through
    while True:
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "",
                    path=request.path[:2000],
                    fingerprint=print_,
                    expires_at=now + LIFETIME,
                )
            return record, True
        except IntegrityError:
            # Another request holds this key: the insert waited for it to commit.
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:
                continue  # it rolled back or expired meanwhile: claim again
            if existing.expires_at <= now:
                existing.delete()
                continue
            return existing, False


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(json.loads(record.body) if record.body else None, status=record.status)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def run(view: Any, handler: Callable[..., Any], request: Request, *args: Any, **kwargs: Any) -> Any:
    """Run `handler` for a POST honouring its Idempotency-Key (or plainly, without one)."""
    key = request.headers.get(HEADER)
    if key is None or not request.user.is_authenticated:
        return handler(request, *args, **kwargs)
    if not _KEY.match(key):
        raise ApiProblem(
            400,
            "Idempotency-Key must be 1 to 255 printable ASCII characters, for example a UUID.",
            code="invalid_idempotency_key",
        )
    print_ = fingerprint(request)
    with transaction.atomic():
        record, claimed = _claim(request, key, print_)
        if not claimed:
            if record.fingerprint != print_:
                raise ApiProblem(
                    422,
                    "This Idempotency-Key was already used for a different request. Use a new key for "
                    "each new request, and the same key only to retry the same request.",
                    code="idempotency_key_reused",
                )
            if record.status is None:
                raise ApiProblem(
                    409,
                    "A request with this Idempotency-Key is still being processed. Retry in a moment.",
                    code="idempotency_in_progress",
                    headers={"Retry-After": "1"},
                )
            raise ApiReplay(_replay(record))
        try:
            response = handler(request, *args, **kwargs)
        except Exception as exc:
            response = view.handle_exception(exc)  # re-raises what becomes a 500: all rolled back
        if connection.needs_rollback:
            return response  # an error answer: the claim goes with everything else
        if response.status_code >= 400 or not isinstance(response, Response):
            record.delete()
            return response
        record.status = response.status_code
        record.body = json.dumps(response.data, cls=JSONEncoder) if response.data is not None else ""
        record.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        record.save(update_fields=["status", "body", "headers"])
        return response


def delete_expired(now: datetime.datetime | None = None) -> int:
    """Delete the records past their expiry; returns how many (none the second time)."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
