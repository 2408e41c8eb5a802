"""Sign-in, home pages, team management and authority details (HTML)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wres_portal.errors import ApplicationError

from . import mfa, security_events, selectors, services, signin_throttle, tokens
from .access import get_authority_for_user, get_invitation_for_user, get_membership_for_user
from .forms import (
    AcceptInvitationForm,
    AccountDetailsForm,
    ApiTokenForm,
    AuthorityForm,
    InvitationForm,
    RoleForm,
    SignInForm,
)
from .http import AuthenticatedHttpRequest
from .models import ROLE_DESCRIPTIONS, Authority, Membership, Role
from .permissions import can_change_role, can_invite, can_manage_team, is_national


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        """While sign-in is paused for this email address and client address (accounts/
        signin_throttle.py), say so in place of the wrong-password error, with 429 and Retry-After."""
        wait = getattr(self.request, signin_throttle.WAIT_ATTRIBUTE, 0)
        if not wait:
            return super().form_invalid(form)
        form.errors.clear()
        form.add_error(None, signin_throttle.paused_message(wait))
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = 429
        response["Retry-After"] = str(wait)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def authority_edit(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    """Analysts correct an authority's details, such as a missing population share."""
    authority = get_authority_for_user(request.user, ons_code)
    if not is_national(request.user):
        raise PermissionDenied
    form = AuthorityForm(request.POST or None, instance=selectors.authority_fresh(authority))
    if request.method == "POST" and form.is_valid():
        services.authority_update(authority=authority, data=form.cleaned_data, updated_by=request.user)
        messages.success(request, f"{authority.name}'s details were updated.")
        return redirect("portal:council_home", ons_code=authority.ons_code)
    return render(request, "accounts/authority_edit.html", {"authority": authority, "form": form})


@login_required
@require_safe
def team(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    members = list(selectors.team_of(authority))
    for membership in members:
        membership.changeable = bool(_assignable_roles(request, membership))  # type: ignore[attr-defined]
    invitable = _invitable_roles(request, authority)
    return render(
        request,
        "accounts/team.html",
        {
            "authority": authority,
            "members": members,
            "invitations": selectors.pending_invitations(authority),
            "can_manage_team": can_manage_team(request.user, authority),
            "can_change_roles": any(m.changeable for m in members),  # type: ignore[attr-defined]
            "can_invite": bool(invitable),
            "invitable_roles": invitable,
            "role_descriptions": [(Role(r).label, d) for r, d in ROLE_DESCRIPTIONS.items()],
        },
    )


def _assignable_roles(request: HttpRequest, membership: Membership) -> list[str]:
    """The roles the signed-in user may give this member (accounts.access.can_change_role)."""
    return [role for role in Role.values if can_change_role(request.user, membership, role)]


def _invitable_roles(request: HttpRequest, authority: Authority) -> list[str]:
    return [role for role in Role.values if can_invite(request.user, authority, role)]


@login_required
@require_http_methods(["GET", "POST"])
def team_invite(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    roles = _invitable_roles(request, authority)
    if not roles:
        raise PermissionDenied
    form = InvitationForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_create(
                authority=authority, invited_by=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"We have sent an invitation to {invitation.email}.")
            return redirect("accounts:team", ons_code=authority.ons_code)
    return render(request, "accounts/team_invite.html", {"authority": authority, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def team_member_role(request: AuthenticatedHttpRequest, ons_code: str, member: UUID) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    membership = get_membership_for_user(request.user, authority, member)
    roles = _assignable_roles(request, membership)
    if not roles:
        raise PermissionDenied
    form = RoleForm(request.POST or None, initial={"role": membership.role}, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                membership=membership, role=form.cleaned_data["role"], changed_by=request.user
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{membership.user.display_name}'s role was changed.")
            return redirect("accounts:team", ons_code=authority.ons_code)
    return render(
        request, "accounts/team_role.html", {"authority": authority, "membership": membership, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_member_remove(request: AuthenticatedHttpRequest, ons_code: str, member: UUID) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    membership = get_membership_for_user(request.user, authority, member)
    if not can_manage_team(request.user, authority):
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, removed_by=request.user)
        except ApplicationError as exc:
            errors = [{"text": exc.message}]
        else:
            messages.success(request, f"{membership.user.display_name} was removed from the team.")
            return redirect("accounts:team", ons_code=authority.ons_code)
    return render(
        request,
        "accounts/team_remove.html",
        {"authority": authority, "membership": membership, "errors": errors},
    )


@login_required
@require_POST
def team_invitation_withdraw(
    request: AuthenticatedHttpRequest, ons_code: str, invitation: UUID
) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    found = get_invitation_for_user(request.user, authority, invitation)
    if not can_invite(request.user, authority, found.role):
        raise PermissionDenied
    try:
        services.invitation_withdraw(invitation=found, withdrawn_by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation to {found.email} was withdrawn.")
    return redirect("accounts:team", ons_code=authority.ons_code)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the link in an invitation email. New people set a name and password here; people
    with an account accept while signed in."""
    try:
        invitation = services.invitation_from_token(token)
    except ApplicationError as error:
        return render(request, "accounts/invitation_invalid.html", {"message": error.message}, status=410)
    user = request.user if request.user.is_authenticated else None
    form = None if user else AcceptInvitationForm(request.POST or None, email=invitation.email)
    errors = []
    if request.method == "POST" and (form is None or form.is_valid()):
        fields = form.cleaned_data if form else {}
        try:
            invitation, user = services.invitation_accept(
                token=token,
                user=user,
                full_name=fields.get("full_name", ""),
                password=fields.get("password1", ""),
            )
        except ApplicationError as exc:
            errors = [{"text": exc.message}]
        except ValidationError as exc:
            errors = [{"text": message} for message in exc.messages]
        else:
            if not request.user.is_authenticated:
                login(request, user, backend="accounts.signin_throttle.ThrottledModelBackend")
            messages.success(request, f"You have joined {invitation.authority.name}.")
            return redirect("portal:council_home", ons_code=invitation.authority.ons_code)
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "errors": errors,
            "account_exists": user is None and selectors.account_exists(invitation.email),
            "role_label": Role(invitation.role).label,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountDetailsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details were saved.")
        return redirect("accounts:settings")
    memberships = selectors.memberships_of(request.user)
    has_authenticator = mfa.has_authenticator(request.user)
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "memberships": memberships,
            "has_authenticator": has_authenticator,
            "mfa_required": mfa.is_enforced(request.user),
            "recovery_codes_left": mfa.recovery_codes_left(request.user) if has_authenticator else 0,
            "security_events": security_events.for_user(request.user, limit=10),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List, make and revoke the user's API tokens for their council's systems. A new key is shown
    on the page that made it, once."""
    new_key = new_token = None
    form = ApiTokenForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token_id = _uuid(request.POST.get("token"))
        token = selectors.own_token(request.user, token_id)
        if token is None:
            raise Http404
        tokens.api_token_revoke(token=token, user=request.user, request=request)
        messages.success(
            request, f"The token “{token.name}” was revoked. Systems using it can no longer connect."
        )
        return redirect("accounts:api_tokens")
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_key = tokens.api_token_create(
                user=request.user,
                verified=request.user.is_verified(),
                request=request,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "new_token": new_token,
            "tokens": tokens.api_tokens_for(request.user),
            "verified": request.user.is_verified(),
        },
    )


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        form.user._wres_request = self.request  # the security event's client address (accounts.signals)
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link is recorded (the page says the same whether or not the address is
    known). The link is built from SITE_URL, never from the request's Host header (issue 13, L5): a
    Host of an allowed name on another port, or one a proxy passes through, must not decide where
    the link in the email points."""

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_url": settings.SITE_URL}
        email = form.cleaned_data["email"].strip().lower()
        security_events.record(
            security_events.Kind.PASSWORD_RESET_REQUESTED,
            user=selectors.user_by_email(email),
            email=email,
            request=self.request,
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: Any) -> HttpResponse:
        form.user._wres_password_event = security_events.Kind.PASSWORD_RESET
        form.user._wres_request = self.request
        return super().form_valid(form)
