"""Access helpers: fetch tenant objects for a user, or answer 404 (outsider) / 403 (no right to act).
Who may act is decided in accounts/permissions.py.

Outsiders always get 404, so they cannot learn that another council's objects exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Authority, Invitation, Membership, User
from .permissions import has_role, is_national


def require_national(user: User | AnonymousUser) -> None:
    """National pages do not exist for council staff: 404, as for any outsider."""
    if not is_national(user):
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
