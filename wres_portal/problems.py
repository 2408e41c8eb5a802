"""Every API error is one shape: an RFC 9457 problem document, `application/problem+json`.

    {"type": "tag:wres-portal,2026:problem:state_conflict", "title": "Conflict", "status": 409,
     "code": "state_conflict", "detail": "This return is already submitted.",
     "instance": "/api/v1/authorities/E09000022/returns/2025/submit/",
     "errors": [{"code": "required", "detail": "This field is required.", "pointer": "/name"}]}

- `code` is stable and machine-readable (the `type` URI ends with it); `detail` is plain English.
- `errors` (validation only) locates each problem: `pointer` is a JSON Pointer into the request
  body (RFC 6901), `parameter` a query parameter; figures add `service`, `measure`, `pay_band` and
  `group`, and a file's problems `sheet`, `row` and `column`.
- 412 adds what changed (`current_etag`, `changed_by`, `changed_at`, `changes`).

This module builds the documents and the exceptions views raise (`ApiProblem`); `api_errors`
turns every error into one. (Kept apart because DRF imports `api_gate`, which needs these, while
it is still defining APIView.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions
from rest_framework.response import Response

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "tag:wres-portal,2026:problem:"
API_PREFIX = "/api/"
#: Pages under /api/ that are HTML for people, not API responses.
NOT_API = ("/api/docs/",)

#: The stable code of each status when nothing more precise applies.
DEFAULT_CODES: dict[int, str] = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "state_conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "idempotency_key_reused",
    428: "precondition_required",
    429: "throttled",
    500: "server_error",
}

#: Every code the API uses, with what it means (for the schema and the README).
CODES: dict[str, str] = {
    "invalid": "The request breaks a rule; `errors` says where.",
    "invalid_figures": "The figures break the return's rules; each entry of `errors` names the "
    "service, measure, pay band and group (and, for a file, the sheet, row and column).",
    "unreadable_file": "The uploaded CSV or XLSX file cannot be read (damaged, or protected).",
    "unsupported_file_type": "The uploaded file is not CSV or XLSX.",
    "duplicate_row": "The same row of figures is sent twice.",
    "wrong_type": "A value in the JSON body is of the wrong type (a number where text is expected...).",
    "parse_error": "The body is not valid JSON (or not a valid form).",
    "unknown_parameter": "A query parameter the operation does not take.",
    "invalid_idempotency_key": "Idempotency-Key must be 1 to 255 printable ASCII characters.",
    "not_authenticated": "No credentials: send Authorization: Token <key>.",
    "authentication_failed": "The token is unknown, revoked or expired.",
    "permission_denied": "Signed in, but not allowed to do this (role, or the token's scope).",
    "not_found": "Nothing here, or not yours to see (another council's objects answer 404 too).",
    "method_not_allowed": "The path does not take this method.",
    "not_acceptable": "The API answers in JSON only (and CSV where a path ends in .csv).",
    "state_conflict": "The step is not allowed in the object's current state.",
    "idempotency_in_progress": "A request with this Idempotency-Key is still being processed.",
    "precondition_failed": "If-Match names a state that is no longer current; nothing was written.",
    "too_large": "The request body is larger than the API accepts.",
    "unsupported_media_type": "The body is not in the media type the operation takes.",
    "idempotency_key_reused": "This Idempotency-Key was used for a different request.",
    "precondition_required": "The step needs If-Match with the ETag it acts on.",
    "throttled": "Too many requests: wait Retry-After seconds.",
    "cross_origin_refused": "The API does not answer web pages of other sites (no CORS).",
    "server_error": "Something went wrong on our side; nothing was written.",
}


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    """A problem document as a dict."""
    code = code or DEFAULT_CODES.get(status, "error")
    document: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if instance:
        document["instance"] = instance
    if errors:
        document["errors"] = errors
    document.update(extensions)
    return document


class ApiProblem(exceptions.APIException):
    """Raise from an API view to answer with a problem document of any status."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail, code or DEFAULT_CODES.get(status, "error"))
        self.status_code = status
        self.problem_code = code or DEFAULT_CODES.get(status, "error")
        self.message = detail
        self.errors = errors
        self.headers = dict(headers or {})
        self.extensions = extensions


def pointer(parts: Iterable[object]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validation_errors(detail: Any, path: tuple[object, ...] = ()) -> list[dict[str, Any]]:
    """DRF's nested validation detail as a flat list of {code, detail, pointer}."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            step = () if key in ("non_field_errors", "detail") else (key,)
            found += validation_errors(value, path + step)
        return found
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [
                {
                    "code": getattr(item, "code", None) or "invalid",
                    "detail": str(item),
                    "pointer": pointer(path),
                }
                for item in detail
            ]
        found = []
        for index, item in enumerate(detail):
            found += validation_errors(item, (*path, index))
        return found
    return [
        {"code": getattr(detail, "code", None) or "invalid", "detail": str(detail), "pointer": pointer(path)}
    ]


def summary(errors: list[dict[str, Any]]) -> str:
    if len(errors) == 1:
        where = errors[0]["pointer"].lstrip("/").replace("/", " ")
        return f"{where}: {errors[0]['detail']}" if where else errors[0]["detail"]
    return f"The request has {len(errors)} problems: each is listed in errors, with where it is."


def api_response(document: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    """A DRF response carrying a problem document."""
    return Response(
        document, status=document["status"], headers=dict(headers or {}), content_type=CONTENT_TYPE
    )


def http_response(document: dict[str, Any]) -> HttpResponse:
    """A plain Django response carrying a problem document (outside DRF views)."""
    return HttpResponse(json.dumps(document), status=document["status"], content_type=CONTENT_TYPE)


class ApiReplay(exceptions.APIException):
    """Carries a stored response to send again (wres_portal/idempotency.py)."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX) and not request.path.startswith(NOT_API)
