"""API authentication by token, and the token scope every API view needs (DRF classes, configured
once for the whole API in settings.REST_FRAMEWORK).

Send `Authorization: Token <key>` (or `Bearer <key>`). A token's scope covers:

- read: GET, HEAD and OPTIONS;
- submit: also every other method (upload, enter figures, explain warnings, submit, plans, team);
- attest: also the views that say `token_scope = ApiToken.Scope.ATTEST` (sign off, accept, return
  for revision), and only for a token made after multi-factor sign-in.

A browser session using the API is not limited by scope (it went through sign-in, second step
included).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from .models import ApiToken, User
from .tokens import TokenRefused, api_token_authenticate

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the header as: Authorization: Token <key>.")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise AuthenticationFailed("Invalid token.") from None
        try:
            token = api_token_authenticate(key)
        except TokenRefused as refused:
            raise AuthenticationFailed(str(refused)) from None
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return "Token"


def required_scope(request: Request, view: Any) -> str:
    """The scope a token needs for this request: the view's `token_scope` when it names one (a
    string, or a dict by method), else read for safe methods and submit for the rest."""
    declared = getattr(view, "token_scope", None)
    if isinstance(declared, dict):
        declared = declared.get(request.method)
    if declared:
        return str(declared)
    return ApiToken.Scope.READ if request.method in SAFE_METHODS else ApiToken.Scope.SUBMIT


class TokenScopePermission(BasePermission):
    """403 with a plain message when the token's scope is too small for the request."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        needed = required_scope(request, view)
        if token.allows(needed):
            return True
        raise PermissionDenied(_too_small(token, needed))


def _too_small(token: ApiToken, needed: str) -> str:
    label = ApiToken.Scope(needed).label.lower()
    if needed == ApiToken.Scope.ATTEST and token.scope == ApiToken.Scope.ATTEST:
        return (
            "This API token cannot sign off or accept: it was not made after multi-factor sign-in. "
            "Make a new token with the scope 'sign off and accept' after signing in with your "
            "authenticator app."
        )
    return (
        f"This API token's scope is too small: it may '{token.get_scope_display().lower()}', and this "
        f"request needs '{label}'. Make a token with that scope on your account page."
    )


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (drf-spectacular)."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An API token from "Your account", sent as "Token <key>". Its scope '
            "(read; submit; sign off and accept) limits what it may do; too small a scope answers 403.",
        }
