"""Request types for code behind sign-in, so that `request.user` is a `User` to the type checker.

Only annotations use them: at run time a request is Django's `HttpRequest` or DRF's `Request`.
A view may take `AuthenticatedHttpRequest` when `login_required` (or a middleware) has already
turned anonymous visitors away; an API may take `AuthenticatedRequest` when its permission classes
include `IsAuthenticated` (the REST framework default in settings).
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class AuthenticatedRequest(Request):
    user: User
