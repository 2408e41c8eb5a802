"""Access helpers: fetch tenant objects for a user, or answer 404 (outsider) / 403 (no right to act).

Outsiders always get 404, so they cannot learn that another council's objects exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Authority, Invitation, Membership, Role, User

#: Roles that may change the council's own data (returns, plans, team).
EDITOR_ROLES = frozenset({Role.PROGRAMME_LEAD})


def role_in(user: User | AnonymousUser, authority: Authority) -> str | None:
    """The user's role in `authority`, or None. Uses the prefetched memberships when present."""
    if not user.is_authenticated:
        return None
    for membership in _memberships(user):
        if membership.authority_id == authority.pk:
            return membership.role
    return None


def _memberships(user: User) -> list[Membership]:
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        # No ordering: Membership's default one joins every authority and user to sort (issue 7).
        cached = list(Membership.objects.filter(user=user).order_by())
        user._membership_cache = cached
    return cached


def has_role(user: User | AnonymousUser, authority: Authority, roles: Iterable[str]) -> bool:
    return role_in(user, authority) in set(roles)


def can_manage_team(user: User | AnonymousUser, authority: Authority) -> bool:
    return has_role(user, authority, EDITOR_ROLES)


# Separation of duties (issue 13, M3 and L7) ------------------------------------------------------
#
# - National roles (analysts, administrators) never hold council roles.
# - Nobody grants themselves a role: no one changes their own role, invites their own address (or
#   another address of the same mailbox), or accepts an invitation they sent.
# - A council's senior sponsor is appointed only by an analyst or by another senior sponsor of that
#   council, never by a programme lead (who prepares what the sponsor signs).
# - Whoever saved or submitted a version of a return cannot sign it off (`may_sign_off`).

#: Roles only an analyst or another senior sponsor of the council may give.
SPONSOR_ROLES = frozenset({Role.SENIOR_SPONSOR})


def can_invite(user: User | AnonymousUser, authority: Authority, role: str) -> bool:
    """Programme leads invite any role but senior sponsor to their own council; senior sponsors
    invite senior sponsors to theirs; analysts invite programme leads and senior sponsors."""
    if not user.is_authenticated:
        return False
    if role in SPONSOR_ROLES:
        return user.is_national or has_role(user, authority, SPONSOR_ROLES)
    if user.is_national:
        return role == Role.PROGRAMME_LEAD
    return can_manage_team(user, authority)


def can_change_role(user: User | AnonymousUser, membership: Membership, role: str) -> bool:
    """Whether `user` may give `membership` the role `role`: never their own; senior sponsor only
    as an analyst or another senior sponsor of the council; any other role as a programme lead."""
    if not user.is_authenticated or membership.user_id == user.pk:
        return False
    if role in SPONSOR_ROLES:
        return user.is_national or has_role(user, membership.authority, SPONSOR_ROLES)
    return can_manage_team(user, membership.authority)


def mailbox(email: str) -> str:
    """The mailbox an address delivers to, for spotting another address of the same person:
    lower case, without a `+tag` (plus addressing)."""
    local, _, domain = email.strip().lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def is_own_address(user: User, email: str) -> bool:
    return mailbox(user.email) == mailbox(email)


def may_sign_off(user: User | AnonymousUser, preparer_ids: Iterable[int | None]) -> bool:
    """Whoever saved or submitted a version of what is signed off cannot sign it off."""
    return user.is_authenticated and user.pk not in set(preparer_ids)


def require_national(user: User | AnonymousUser) -> None:
    """National pages do not exist for council staff: 404, as for any outsider."""
    if not (user.is_authenticated and user.is_national):
        raise Http404


def get_authority_for_user(
    user: User | AnonymousUser, ons_code: str, *, roles: Iterable[str] | None = None
) -> Authority:
    """Return the authority if `user` may see it; 404 otherwise.

    With `roles`, the user must hold one of them in that authority, or get 403.
    """
    authority = get_object_or_404(Authority.objects.for_user(user), ons_code=ons_code)
    if roles is not None and not has_role(user, authority, roles):
        raise PermissionDenied
    return authority


def get_membership_for_user(user: User | AnonymousUser, authority: Authority, uuid: UUID) -> Membership:
    return get_object_or_404(Membership.objects.for_user(user), authority=authority, uuid=uuid)


def get_invitation_for_user(user: User | AnonymousUser, authority: Authority, uuid: UUID) -> Invitation:
    return get_object_or_404(Invitation.objects.for_user(user), authority=authority, uuid=uuid)
