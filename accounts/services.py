"""Writes to authorities, memberships and invitations (API tokens: tokens.py). Every rule about who
may do what to a council's team is enforced here, so the web pages and the API behave alike."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from wres_portal.emails import send_email_on_commit
from wres_portal.errors import ApplicationError

from .models import Authority, Invitation, Membership, Role, User
from .permissions import can_change_role, can_invite, can_manage_team, is_national, is_own_address


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def invitation_create(
    *, authority: Authority, email: str, role: str, invited_by: User
) -> tuple[Invitation, str]:
    """Invite `email` to join `authority` with `role` and email them a link.

    Programme leads invite any role to their own council; analysts invite programme leads. An
    existing member cannot be invited again; a newer invitation replaces a pending one.
    Returns the invitation and the raw token (only its hash is stored).
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise ApplicationError("Choose a role from the list.", field="role")
    if not can_invite(invited_by, authority, role):
        if role == Role.SENIOR_SPONSOR:
            raise ApplicationError(
                "Only a Skills for Care analyst or another senior sponsor of the council can appoint a "
                "senior sponsor.",
                field="role",
            )
        raise ApplicationError("You cannot invite someone with this role.", field="role")
    if is_own_address(invited_by, email):
        raise ApplicationError(
            "You cannot invite yourself, or another address of your own. Nobody can give themselves a role.",
            field="email",
        )
    if User.objects.filter(email=email).exclude(national_role="").exists():
        raise ApplicationError(
            f"{email} is a Skills for Care account. National staff cannot hold a role in a council.",
            field="email",
        )
    if Membership.objects.filter(authority=authority, user__email=email).exists():
        raise ApplicationError(f"{email} is already a member of {authority.name}.", field="email")
    Invitation.objects.filter(authority=authority, email=email).pending().update(revoked_at=timezone.now())
    token = Invitation.new_token()
    invitation = Invitation(
        authority=authority,
        email=email,
        role=role,
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by,
        expires_at=Invitation.default_expiry(),
    )
    invitation.full_clean()
    invitation.save()
    link = _absolute(reverse("accounts:invitation_accept", kwargs={"token": token}))
    context = {"invitation": invitation, "link": link, "service_name": settings.SERVICE_NAME}
    send_email_on_commit(
        subject=f"You have been invited to {authority.name} on WRES Portal",
        body=render_to_string("emails/invitation.txt", context),
        to=[email],
    )
    return invitation, token


def invitation_from_token(token: str) -> Invitation:
    """The invitation for a link, or an ApplicationError saying plainly why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("authority").filter(token_hash=Invitation.hash_token(token)).first()
    )
    if invitation is None:
        raise ApplicationError(
            "This invitation link is not valid. Check you copied the whole link from the email, "
            "or ask the person who invited you to send a new one."
        )
    if invitation.accepted_at is not None:
        raise ApplicationError(
            "This invitation has already been used. Sign in with your email address and password, "
            "or reset your password if you have forgotten it."
        )
    if invitation.revoked_at is not None:
        raise ApplicationError(
            "This invitation was withdrawn. Ask your council's programme lead to invite you again."
        )
    if invitation.expires_at <= timezone.now():
        raise ApplicationError(
            "This invitation has expired: links last 7 days. "
            "Ask the person who invited you to send a new one."
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str = ""
) -> tuple[Invitation, User]:
    """Accept an invitation once: create the account (or use the signed-in one) and the membership.

    The invitation row is locked, so two clicks at once cannot both accept it. A signed-in user may
    only accept an invitation sent to their own email address.
    """
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().select_related("invited_by").get(pk=invitation.pk)
    invitation_from_token(token)  # re-check under the lock
    if (user is not None and user.pk == invitation.invited_by_id) or is_own_address(
        invitation.invited_by, invitation.email
    ):
        raise ApplicationError(
            "An invitation cannot be accepted by the person who sent it. Nobody can give themselves a role."
        )
    if user is not None and user.is_national:
        raise ApplicationError(
            "You are signed in with a Skills for Care account, and national staff cannot hold a role in a "
            "council. Sign out and accept the invitation with a council account."
        )
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise ApplicationError(
                "You already have an account. Sign in with that email address to accept this invitation."
            )
        if not full_name.strip():
            raise ApplicationError("Enter your full name.", field="full_name")
        user = User(email=invitation.email, full_name=full_name.strip())
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    elif user.email.lower() != invitation.email:
        raise ApplicationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and open the link again."
        )
    Membership.objects.create(user=user, authority=invitation.authority, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return invitation, user


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, withdrawn_by: User) -> Invitation:
    """Withdraw a pending invitation so its link no longer works."""
    if not can_invite(withdrawn_by, invitation.authority, invitation.role):
        raise ApplicationError("You cannot withdraw this invitation.")
    if invitation.status != "pending":
        raise ApplicationError("Only a pending invitation can be withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def _check_keeps_a_lead(membership: Membership, *, new_role: str | None) -> None:
    if membership.role != Role.PROGRAMME_LEAD or new_role == Role.PROGRAMME_LEAD:
        return
    others = Membership.objects.filter(authority=membership.authority, role=Role.PROGRAMME_LEAD).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ApplicationError(
            f"{membership.authority.name} must keep at least one programme lead. "
            "Make someone else programme lead first."
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, changed_by: User) -> Membership:
    """Change a member's role: programme leads give any role but senior sponsor; analysts and the
    council's other senior sponsors appoint senior sponsors; nobody changes their own role; one
    lead must remain."""
    if role not in Role.values:
        raise ApplicationError("Choose a role from the list.", field="role")
    if membership.user_id == changed_by.pk:
        raise ApplicationError("You cannot change your own role. Ask another programme lead.")
    if not can_change_role(changed_by, membership, role):
        if role == Role.SENIOR_SPONSOR:
            raise ApplicationError(
                "Only a Skills for Care analyst or another senior sponsor of the council can appoint a "
                "senior sponsor.",
                field="role",
            )
        raise ApplicationError("Only a programme lead can change roles.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _check_keeps_a_lead(membership, new_role=role)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> None:
    """Remove someone from the council's team; only programme leads may, and one lead must remain."""
    if not can_manage_team(removed_by, membership.authority):
        raise ApplicationError("Only a programme lead can remove people from the team.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _check_keeps_a_lead(membership, new_role=None)
    membership.delete()


AUTHORITY_EDITABLE_FIELDS = (
    "name",
    "region",
    "authority_type",
    "population_minority_ethnic_percent",
    "population_source",
)


@transaction.atomic
def authority_update(*, authority: Authority, data: dict[str, object], updated_by: User) -> Authority:
    """Correct an authority's details (analysts only). The register loader then keeps the correction."""
    if not is_national(updated_by):
        raise ApplicationError("Only Skills for Care analysts can correct an authority's details.")
    for field in AUTHORITY_EDITABLE_FIELDS:
        if field in data:
            setattr(authority, field, data[field])
    authority.corrected_at = timezone.now()
    authority.corrected_by = updated_by
    authority.full_clean()
    authority.save()
    return authority
