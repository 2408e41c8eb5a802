"""Plumbing every request goes through (issue 13, L8 and L10)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .problems import http_response, is_api, problem

_WITH_BODY = {"POST", "PUT", "PATCH"}


class RequestLimitsMiddleware:
    """Refuse, before any view reads it, a request no view can use safely.

    - A declared body larger than `MAX_REQUEST_BYTES`: the largest upload (5 MB) and its form fields
      fit; a 50 MB "upload" is answered with 413 at once instead of being received and spooled to
      disk first. Django's own limits (`DATA_UPLOAD_MAX_MEMORY_SIZE`, `FILE_UPLOAD_MAX_MEMORY_SIZE`)
      and the proxy's still apply.
    - A NUL byte in the address (`%00` in the path or in a query parameter's name or value): no
      name, code, label or filter has one, and PostgreSQL refuses it in a query text, so a view
      that passed such a parameter to a query without a form answered 500 (two did, fixed one by
      one before this rule). Answered 400, naming the parameter, for every address at once,
      including parameters views will read in future. Forms already refuse a NUL in a body
      (Django's `ProhibitNullCharactersValidator`); the check on the address costs one substring
      search of the query string.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path_info:
            refused = self.nul_byte(request)
            if refused is not None:
                return refused
        if request.method in _WITH_BODY:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.MAX_REQUEST_BYTES:
                return self.too_large(request)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
        message = (
            f"The request is larger than the service accepts. The largest file you can upload is {limit} MB."
        )
        if is_api(request):
            response: HttpResponse = http_response(problem(413, message, instance=request.path))
        else:
            response = render(request, "413.html", {"limit": limit}, status=413)
        response["Connection"] = "close"  # the unread body must not be taken for the next request
        return response

    @staticmethod
    def nul_byte(request: HttpRequest) -> HttpResponse | None:
        names = [name for name, values in request.GET.lists() if "\x00" in name + "".join(values)]
        if names:
            shown = ", ".join(f"‘{name.replace(chr(0), '')}’" for name in names)
            where = f"the {'parameter' if len(names) == 1 else 'parameters'} {shown}"
        elif "\x00" in request.path_info:
            where = "its path"
        else:
            return None
        message = (
            f"The address contains a character that is not allowed (a NUL byte, written %00) in {where}. "
            "Remove it and try again."
        )
        if is_api(request):
            return http_response(problem(400, message, instance=request.path))
        return render(request, "400.html", {"message": message}, status=400)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response that is not explicitly public.

    Everything behind sign-in (pages, API responses, PDF, CSV and XLSX exports) may hold a
    council's figures or people's names, so no browser or proxy may keep a copy: after signing out
    on a shared computer, Back must not show them. A view that serves something anonymous and
    public (the public plan PDF) sets `Cache-Control: public, ...` itself, and keeps it only when
    the request is anonymous. Static files are served by WhiteNoise with their own headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        existing = response.get("Cache-Control", "")
        if "no-store" in existing:
            return response  # never_cache and friends already say so
        if signed_in or "public" not in existing:
            response["Cache-Control"] = "no-store, private"
            if signed_in and response.has_header("Expires"):
                del response["Expires"]
        return response
