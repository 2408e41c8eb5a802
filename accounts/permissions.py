"""Who may do what: every role list of the portal, defined once, and plain predicates over them.

Views, APIs and services ask here; nothing else lists roles. A predicate answers yes or no; `require`
turns a no into the plain-English `ApplicationError` that services raise (views show it, the API
answers 400). Fetching a tenant object for a user (404 for outsiders) stays in `accounts.access`.

Council roles (a user's Membership of an authority):

- programme lead: changes and submits the return; writes the action plan and its targets; submits
  quarterly reports; manages the council's team.
- staff voice lead: the plan's staff voice summary and quarterly progress updates.
- senior sponsor: signs off the return, the plan and quarterly reports; returns a submitted return
  or report for revision.
- viewer: reads. National staff (Skills for Care analysts and administrators) read every council,
  accept returns, return them for revision after submission, and invite programme leads.

django-rules was considered: it would add a registry and string names for what are a dozen
one-line functions over one membership lookup, so plain predicates are used.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser

from wres_portal.errors import ApplicationError

from .models import Authority, Membership, Role, User

AnyUser = User | AnonymousUser

#: Change the return, the action plan and its targets; submit; manage the team.
PROGRAMME_LEADS = frozenset({Role.PROGRAMME_LEAD})
#: Sign off the return, the plan and quarterly reports; send a submitted return or report back.
SENIOR_SPONSORS = frozenset({Role.SENIOR_SPONSOR})
#: Enter quarterly progress, and change the plan's header (a staff voice lead: its staff voice
#: summary only, `STAFF_VOICE_FIELDS` in actionplans.services).
PROGRESS_WRITERS = frozenset({Role.PROGRAMME_LEAD, Role.STAFF_VOICE_LEAD})
#: Publish and withdraw a signed-off action plan.
PLAN_PUBLISHERS = frozenset({Role.PROGRAMME_LEAD, Role.SENIOR_SPONSOR})
#: Must sign in with a second factor (national staff too: accounts.mfa).
MFA_REQUIRED_ROLES = frozenset({Role.SENIOR_SPONSOR})
#: Told when a return is accepted.
#: Choose a comparison basket on the results pages (every council role but viewers).
BASKET_CHOOSERS = frozenset({Role.PROGRAMME_LEAD, Role.STAFF_VOICE_LEAD, Role.SENIOR_SPONSOR})
TOLD_OF_ACCEPTANCE = frozenset({Role.PROGRAMME_LEAD, Role.SENIOR_SPONSOR})


def role_in(user: AnyUser, authority: Authority) -> str | None:
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


def has_role(user: AnyUser, authority: Authority, roles: Iterable[str]) -> bool:
    return role_in(user, authority) in set(roles)


def is_national(user: AnyUser) -> bool:
    """Skills for Care staff: analysts and administrators."""
    return bool(user.is_authenticated and user.is_national)


def require(user: AnyUser, authority: Authority, roles: Iterable[str], doing: str) -> None:
    """Raise an ApplicationError naming who may `doing`, unless `user` holds one of `roles`."""
    roles = sorted(roles, key=list(Role.values).index)
    if not has_role(user, authority, roles):
        labels = " or ".join(Role(r).label.lower() for r in roles)
        raise ApplicationError(f"Only the council's {labels} can {doing}.")


# Team ----------------------------------------------------------------------------------------------


def can_manage_team(user: AnyUser, authority: Authority) -> bool:
    return has_role(user, authority, PROGRAMME_LEADS)


# Separation of duties (issue 13, M3 and L7) ------------------------------------------------------
#
# - National roles (analysts, administrators) never hold council roles.
# - Nobody grants themselves a role: no one changes their own role, invites their own address (or
#   another address of the same mailbox), or accepts an invitation they sent.
# - A council's senior sponsor is appointed only by an analyst or by another senior sponsor of that
#   council, never by a programme lead (who prepares what the sponsor signs).
# - Whoever saved or submitted a version of a return cannot sign it off (`may_sign_off`).

#: Roles only an analyst or another senior sponsor of the council may give.
SPONSOR_ROLES = SENIOR_SPONSORS


def can_invite(user: AnyUser, authority: Authority, role: str) -> bool:
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


# Returns -------------------------------------------------------------------------------------------


def can_change_return(user: AnyUser, authority: Authority) -> bool:
    """Upload, type in, explain warnings and submit (services also require a draft)."""
    return has_role(user, authority, PROGRAMME_LEADS)


def can_sign_off_return(user: AnyUser, authority: Authority) -> bool:
    return has_role(user, authority, SENIOR_SPONSORS)


def can_accept_return(user: AnyUser) -> bool:
    return is_national(user)


#: Roles whose council home page lists what is waiting for them (returns, plans, reports to act on).
WAITING_LIST_ROLES = frozenset({Role.PROGRAMME_LEAD, Role.SENIOR_SPONSOR})


def can_send_back_return(user: AnyUser, authority: Authority, *, submitted: bool) -> bool:
    """The sponsor while the return is submitted (not yet signed off); national staff at any stage
    after the draft. `submitted`: the return's status is exactly "submitted"."""
    return (submitted and can_sign_off_return(user, authority)) or is_national(user)


def can_choose_basket(user: AnyUser, authority: Authority) -> bool:
    """Choose the councils to compare with (the portal records each basket shown: metrics.comparison)."""
    return has_role(user, authority, BASKET_CHOOSERS)


# Action plans --------------------------------------------------------------------------------------


def can_write_plan(user: AnyUser, authority: Authority) -> bool:
    """Start, change and roll forward the plan: objectives, actions, targets, what we know."""
    return has_role(user, authority, PROGRAMME_LEADS)


def can_edit_plan_header(user: AnyUser, authority: Authority) -> bool:
    return has_role(user, authority, PROGRESS_WRITERS)


def can_write_progress(user: AnyUser, authority: Authority) -> bool:
    return has_role(user, authority, PROGRESS_WRITERS)


def can_sign_off_plan(user: AnyUser, authority: Authority) -> bool:
    return has_role(user, authority, SENIOR_SPONSORS)


def can_publish_plan(user: AnyUser, authority: Authority) -> bool:
    return has_role(user, authority, PLAN_PUBLISHERS)
