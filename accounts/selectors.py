"""Reads of accounts data shared by views and APIs: scoped to the user, no writes."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import AnonymousUser

from .models import (
    ApiToken,
    Authority,
    AuthorityQuerySet,
    Invitation,
    InvitationQuerySet,
    Membership,
    MembershipQuerySet,
    User,
)


def memberships_of(user: User) -> MembershipQuerySet:
    """The user's own memberships with their authorities, in the default order (by authority)."""
    return Membership.objects.filter(user=user).select_related("authority")


def members_visible(user: User | AnonymousUser, authority: Authority) -> MembershipQuerySet:
    """The members of an authority that `user` may see (none of another council's), with their users."""
    return Membership.objects.for_user(user).filter(authority=authority)


def team_of(authority: Authority) -> MembershipQuerySet:
    """The members of an authority the caller has already been allowed to see, with their users."""
    return Membership.objects.filter(authority=authority).select_related("user", "authority")


def pending_invitations(authority: Authority) -> InvitationQuerySet:
    """Invitations to an authority not yet accepted, revoked or expired."""
    return Invitation.objects.filter(authority=authority).pending()


def account_exists(email: str) -> bool:
    return User.objects.filter(email=email).exists()


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def own_token(user: User, token_id: UUID | None) -> ApiToken | None:
    """One of the user's own API tokens (None for another person's, or none named)."""
    return ApiToken.objects.filter(user=user, uuid=token_id).first() if token_id else None


def authority_fresh(authority: Authority) -> Authority:
    """The authority read again (for a form that edits it, apart from the scoped copy)."""
    return Authority.objects.get(pk=authority.pk)


#: How many councils a filter lists when what was entered matches several.
MATCHES_SHOWN = 10


@dataclass(frozen=True)
class AuthorityFound:
    """What a national filter's "council" field found: the one council it names, or else the
    councils whose names contain it (at most MATCHES_SHOWN, and whether there are more)."""

    authority: Authority | None
    matches: tuple[Authority, ...] = ()
    more: bool = False


def authority_find(text: str) -> AuthorityFound:
    """The council `text` names, for an analyst's filter (national pages only): its ONS code (as
    written or in capitals), else its name (in any case), else the only council whose name contains
    it. A code or a whole name is found through an index, so the filter costs the same at 150 or
    20,000 councils, where a list of every council to choose from grew with them (1.1 MB of options
    at 20,000); part of a name reads the council table once, at most MATCHES_SHOWN + 1 rows out."""
    text = " ".join(text.split())
    if not text:
        return AuthorityFound(None)
    authorities = Authority.objects.only("ons_code", "name")
    codes = {text, text.upper()}
    if found := authorities.filter(ons_code__in=codes).order_by("ons_code").first():
        return AuthorityFound(found)
    named = list(authorities.filter(name=text)[:2])
    if len(named) == 1:
        return AuthorityFound(named[0])
    containing = list(
        authorities.filter(name__icontains=text).order_by("name", "ons_code")[: MATCHES_SHOWN + 1]
    )
    if len(containing) == 1:
        return AuthorityFound(containing[0])
    same = [a for a in containing if a.name.casefold() == text.casefold()]
    if not same and len(containing) > MATCHES_SHOWN:  # the one named in other capitals may be further on
        same = list(authorities.filter(name__iexact=text)[:2])
    if len(same) == 1:
        return AuthorityFound(same[0])
    return AuthorityFound(None, tuple(containing[:MATCHES_SHOWN]), len(containing) > MATCHES_SHOWN)


def authorities_visible(user: User | AnonymousUser) -> AuthorityQuerySet:
    """The authorities `user` may see: all for national staff, their own for council staff."""
    return Authority.objects.for_user(user)


def authorities_search(
    user: User | AnonymousUser, *, q: str = "", region: str = "", authority_type: str = ""
) -> AuthorityQuerySet:
    """The authorities `user` may see, matching a name (part) or an ONS code (whole), a region and a
    type; an empty criterion matches everything."""
    authorities = Authority.objects.for_user(user)
    if q := q.strip():
        authorities = authorities.filter(name__icontains=q) | authorities.filter(ons_code__iexact=q)
    if region:
        authorities = authorities.filter(region=region)
    if authority_type:
        authorities = authorities.filter(authority_type=authority_type)
    return authorities
