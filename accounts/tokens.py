"""API tokens for systems: make, revoke and check them (the rules; the model is ApiToken).

- A user has as many named tokens as they need (up to MAX_ACTIVE), each with a scope (read; submit;
  sign off or accept) and an expiry of at most a year. The key is shown once; only its SHA-256 is
  kept.
- A user whose role requires multi-factor sign-in makes tokens only from a session verified with
  their authenticator app; a token that may sign off or accept ("attest") can only be made from such
  a session, whoever the user is, and the token records it (`created_verified`).
- Tokens are revoked when their owner's password is changed or reset, and when the owner's roles
  change (a membership added, changed or removed, the national role, `is_active` or `is_superuser`).
  Both are caught when they happen (signals.py) and, for roles, again at every request by comparing
  the fingerprint the token was made under, so a change made by any path (the admin, a bulk update)
  stops the token.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from django.db import connection, transaction
from django.utils import timezone

from wres_portal import rawrows
from wres_portal.errors import ApplicationError
from wres_portal.prepared import read_cursor

from . import mfa, security_events
from .models import ApiToken, Membership, User

if TYPE_CHECKING:
    from django.http import HttpRequest

MAX_ACTIVE = 20
#: last_used_at is written at most this often per token (not a write per request).
LAST_USED_GRANULARITY = timedelta(minutes=15)
Scope = ApiToken.Scope
Reason = ApiToken.RevokedReason


def roles_fingerprint(user: User, memberships: list[Membership] | None = None) -> str:
    """A digest of everything that decides what the user may do: memberships and their roles, the
    national role, and the active and superuser flags."""
    if memberships is None:
        memberships = list(Membership.objects.filter(user=user).order_by())
    parts = sorted(f"{m.authority_id}:{m.role}" for m in memberships)
    text = "|".join([user.national_role, str(user.is_active), str(user.is_superuser), *parts])
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str,
    expires_in_days: int,
    verified: bool,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Make a token; returns it and its key (shown once: only the key's hash is stored).

    `verified`: whether the session asking has passed multi-factor sign-in.
    """
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            "Enter a name for the token, such as the system that will use it", field="name"
        )
    if len(name) > 100:
        raise ApplicationError("The name must be 100 characters or fewer", field="name")
    if scope not in Scope.values:
        raise ApplicationError("Choose what the token may do", field="scope")
    if expires_in_days not in ApiToken.EXPIRY_CHOICES:
        raise ApplicationError("Choose how long the token lasts", field="expires_in_days")
    if mfa.is_enforced(user) and not verified:
        raise ApplicationError(
            "Your role needs multi-factor sign-in. Sign in with your authenticator app before making a token."
        )
    if scope == Scope.ATTEST and not verified:
        raise ApplicationError(
            "A token that can sign off or accept can only be made after signing in with an "
            "authenticator app. Set one up from your account page, sign in again, then make the token.",
            field="scope",
        )
    if ApiToken.objects.filter(user=user).active().count() >= MAX_ACTIVE:
        raise ApplicationError(
            f"You already have {MAX_ACTIVE} tokens. Revoke one you no longer use first.", field="name"
        )
    prefix, key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=ApiToken.hash_key(key),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=expires_in_days),
        created_verified=verified,
        roles_fingerprint=roles_fingerprint(user),
    )
    security_events.record(
        security_events.Kind.TOKEN_CREATED,
        user=user,
        request=request,
        detail=f"{token.name} ({token.prefix}), {token.get_scope_display().lower()}, "
        f"expires {timezone.localdate(token.expires_at):%d %B %Y}",
    )
    return token, key


def _revoke(tokens: list[ApiToken], reason: str, request: HttpRequest | None = None) -> int:
    now = timezone.now()
    for token in tokens:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason=reason, updated_at=now
        )
        security_events.record(
            security_events.Kind.TOKEN_REVOKED,
            user=token.user,
            request=request,
            detail=f"{token.name} ({token.prefix}): {Reason(reason).label}",
        )
    return len(tokens)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: User, request: HttpRequest | None = None) -> ApiToken:
    """The owner revokes one of their tokens: it stops working at once."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.user_id != user.pk:
        raise ApplicationError("You can only revoke your own tokens.")
    if token.revoked_at is None:
        _revoke([token], Reason.BY_OWNER, request)
        token.refresh_from_db()
    return token


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every live token of `user` (their password changed)."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("user"))
    return _revoke(tokens, reason)


def api_tokens_revoke_if_roles_changed(*, user: User) -> int:
    """Revoke the live tokens made under roles the user no longer has exactly."""
    current = roles_fingerprint(user)
    tokens = list(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        .exclude(roles_fingerprint=current)
        .select_related("user")
    )
    return _revoke(tokens, Reason.ROLES_CHANGED)


class TokenRefused(Exception):
    """The key is not a usable token; the message says why, in words a system's owner can act on."""


def api_token_authenticate(key: str) -> ApiToken:
    """The live token for `key`, with its user (and the user's memberships, cached for the access
    checks of the same request), or TokenRefused. One query (`_token_with_owner`)."""
    token = _token_with_owner(ApiToken.hash_key(key))
    if token is None:
        raise TokenRefused("Invalid token.")
    when = timezone.localtime
    if token.revoked_at is not None:
        raise TokenRefused(
            f"This API token was revoked on {when(token.revoked_at):%d %B %Y at %H:%M}: "
            f"{token.get_revoked_reason_display()}. Make a new one on your account page."
        )
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused(
            f"This API token expired on {when(token.expires_at):%d %B %Y at %H:%M}. "
            "Make a new one on your account page."
        )
    user = token.user
    if not user.is_active:
        raise TokenRefused("User inactive or deleted.")
    memberships = user._membership_cache
    if roles_fingerprint(user, memberships) != token.roles_fingerprint:
        raise TokenRefused(
            "This API token stopped working because its owner's roles changed. Make a new one on your "
            "account page."
        )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _token_with_owner(key_hash: str) -> ApiToken | None:
    """The token with this key hash, its user (`token.user`) and the user's memberships
    (`user._membership_cache`, read by accounts.permissions), in one query compiled once per
    process: the ORM's two queries, compiled on every API request, were about a third of the
    request's CPU (issue 18, as `accounts.mfa.signed_in_user`)."""
    with read_cursor() as cursor:
        cursor.execute(_token_sql(), [key_hash])
        rows = cursor.fetchall()
    if not rows:
        return None
    t_end = rawrows.width(ApiToken)
    u_end = t_end + rawrows.width(User)
    token = cast(ApiToken, rawrows.instance(ApiToken, rows[0][:t_end]))
    user = cast(User, rawrows.instance(User, rows[0][t_end:u_end]))
    memberships = [m for row in rows if (m := rawrows.instance(Membership, row[u_end:])) is not None]
    for membership in memberships:
        membership.user = user
    user._membership_cache = memberships
    token.user = user
    return token


@functools.cache
def _token_sql() -> str:
    """The token, its user and (one row each) the user's memberships; the key hash is the parameter."""
    q = connection.ops.quote_name
    t, u, m = (q(model._meta.db_table) for model in (ApiToken, User, Membership))
    selected = ", ".join(
        rawrows.columns(model, alias) for model, alias in ((ApiToken, "t"), (User, "u"), (Membership, "m"))
    )
    # Only names from the models' metadata are formatted in; the key hash is a parameter.
    return (
        f"SELECT {selected} FROM {t} t INNER JOIN {u} u ON u.{q('id')} = t.{q('user_id')} "  # noqa: S608
        f"LEFT JOIN {m} m ON m.{q('user_id')} = u.{q('id')} WHERE t.{q('key_hash')} = %s"
    )


def api_tokens_for(user: User) -> list[ApiToken]:
    """The user's tokens for their page: live ones first, then the last 20 expired or revoked."""
    tokens = list(ApiToken.objects.filter(user=user).order_by("-created_at"))
    live = [t for t in tokens if t.status == "active"]
    dead = [t for t in tokens if t.status != "active"][:20]
    return live + dead
