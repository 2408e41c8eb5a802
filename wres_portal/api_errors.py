"""Every error under /api/ becomes a problem document (wres_portal/problems.py), three ways:

- `exception_handler`: DRF's EXCEPTION_HANDLER, for everything a view raises (APIException,
  `ApiProblem`, the services' `ApplicationError`/`StateConflict`/`StaleWrite`, Django's
  ValidationError, Http404 and PermissionDenied);
- `not_found` and `server_error`: Django's handler404/handler500, problem documents under /api/,
  the usual pages elsewhere;
- `ApiProblemMiddleware`: refuses cross-origin preflights (CORS is not offered), and turns any other
  error under /api/ that is not yet a problem document (the body-size limit's 413) into one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .concurrency import StaleWrite, etag
from .errors import ApplicationError
from .problems import (
    CONTENT_TYPE,
    ApiProblem,
    ApiReplay,
    api_response,
    http_response,
    is_api,
    pointer,
    problem,
    summary,
    validation_errors,
)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler for the whole API: every error it can answer, as a problem document.
    Anything else is a server error, left to Django (logged, then `server_error`).

    An error answered marks the request's transaction to be rolled back (DRF's `set_rollback`), but
    only where the view runs in one. A view Django runs outside it (`transaction.non_atomic_requests`,
    the read-only results API) has nothing of its own to roll back: a block already open around the
    request is its caller's (a test's, a script's) and is left as it was."""
    view = context.get("view")
    if "default" not in getattr(getattr(view, "dispatch", None), "_non_atomic_requests", ()):
        return _problem_response(exc, context)
    connection = transaction.get_connection()
    needs_rollback = connection.needs_rollback
    try:
        return _problem_response(exc, context)
    finally:
        if connection.in_atomic_block:
            connection.needs_rollback = needs_rollback


def _problem_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    instance = request.path if request is not None else None
    if isinstance(exc, ApiReplay):
        return exc.response
    if isinstance(exc, StaleWrite):
        set_rollback()
        document = problem(412, exc.message, code="precondition_failed", instance=instance)
        document.update({k: v for k, v in exc.as_dict().items() if k != "detail"})
        return api_response(document, {"ETag": etag(exc.current)})
    if isinstance(exc, ApplicationError):
        set_rollback()
        errors = (
            [{"code": exc.code, "detail": exc.message, "pointer": pointer([exc.field])}]
            if exc.field
            else None
        )
        return api_response(problem(exc.status, exc.message, code=exc.code, instance=instance, errors=errors))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, ApiProblem):
        set_rollback()
        document = problem(
            exc.status_code,
            exc.message,
            code=exc.problem_code,
            instance=instance,
            errors=exc.errors,
            **exc.extensions,
        )
        return api_response(document, exc.headers)
    response = drf_exception_handler(exc, context)  # Http404/PermissionDenied too; sets the headers
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = validation_errors(exc.detail)
        document = problem(400, summary(errors), code="invalid", instance=instance, errors=errors)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
        code = getattr(detail, "code", None)
        if isinstance(exc, Http404):
            code, detail = "not_found", "Not found."
        elif isinstance(exc, DjangoPermissionDenied):
            code = "permission_denied"
        document = problem(response.status_code, str(detail), code=code, instance=instance)
    response.data = document
    response.content_type = CONTENT_TYPE
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: under /api/, a problem document; elsewhere the site's page."""
    if is_api(request):
        return http_response(
            problem(404, "There is nothing at this address in the API.", instance=request.path)
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: under /api/, a problem document (Django has already logged the error)."""
    if is_api(request):
        return http_response(
            problem(
                500,
                "Something went wrong on our side and nothing was saved. Try again later; if it "
                "keeps happening, contact the WRES team.",
                instance=request.path,
            )
        )
    return defaults.server_error(request)


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


class ApiProblemMiddleware:
    """Under /api/: a cross-origin preflight is refused plainly (403, no Access-Control-Allow-Origin:
    the API is for servers, not for other sites' pages), and an error that is not yet a problem
    document becomes one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            origin = request.META.get("HTTP_ORIGIN", "")
            if origin != _origin(request):
                return http_response(
                    problem(
                        403,
                        "The WRES Portal API does not answer requests from web pages on other sites "
                        "(cross-origin requests are not allowed). Call it from your own server, with an "
                        "API token.",
                        code="cross_origin_refused",
                        instance=request.path,
                    )
                )
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(CONTENT_TYPE):
            return self._as_problem(request, response)
        return response

    @staticmethod
    def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        detail = HTTPStatus(status).description if status in HTTPStatus._value2member_map_ else ""
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                body = json.loads(response.content)
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("detail"), str):
                detail = body["detail"]
        converted = http_response(problem(status, detail, instance=request.path))
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Connection", "ETag"):
            if response.has_header(header):
                converted[header] = response[header]
        return converted
