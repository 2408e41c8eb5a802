"""Pages that gather from every app: each person's home page, a council's home page, the national
list of authorities and the accessibility statement. Reads only, through each app's selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from accounts import selectors
from accounts.access import get_authority_for_user, require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.permissions import can_manage_team, role_in
from actionplans.selectors import latest_plan
from submissions.selectors import current_round, return_of, statuses_in_round

from .forms import AuthorityFilterForm


@login_required
@require_safe
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each person to their own home page: analysts to the national list, council staff to
    their council (or a choice, when they belong to several)."""
    if request.user.is_national:
        return redirect("portal:authority_list")
    memberships = list(selectors.memberships_of(request.user))
    if len(memberships) == 1:
        return redirect("portal:council_home", ons_code=memberships[0].authority.ons_code)
    return render(request, "portal/home_choose.html", {"memberships": memberships})


@login_required
@require_safe
def council_home(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    role = role_in(request.user, authority)
    collection_round = current_round()
    return render(
        request,
        "portal/council_home.html",
        {
            "authority": authority,
            "role": role,
            "role_label": Role(role).label if role else None,
            "members": selectors.team_of(authority),
            "can_manage_team": can_manage_team(request.user, authority),
            "current_round": collection_round,
            "current_return": return_of(authority, collection_round),
            "closes_on": collection_round.closes_on_for(authority) if collection_round else None,
            "plan": latest_plan(request.user, authority),
        },
    )


@login_required
@require_safe
def authority_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Analysts: every authority with its status, filterable by name, region and type."""
    require_national(request.user)
    form = AuthorityFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    authorities = selectors.authorities_search(request.user, **criteria)
    collection_round = current_round()
    statuses = statuses_in_round(collection_round)
    rows = [(authority, statuses.get(authority.pk)) for authority in authorities]
    return render(
        request,
        "portal/authority_list.html",
        {"form": form, "rows": rows, "current_round": collection_round},
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")
