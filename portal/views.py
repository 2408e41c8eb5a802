"""Pages that gather from every app: each person's home page, a council's home page, the national
list of authorities and the accessibility statement. Reads only, through each app's selectors."""

from __future__ import annotations

import datetime
import functools

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from accounts import selectors
from accounts.access import get_authority_for_user, require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Authority, Role, User
from accounts.permissions import WAITING_LIST_ROLES, can_manage_team, role_in
from actionplans.selectors import latest_plan
from submissions import documents as monitor_documents
from submissions.models import CollectionRound
from submissions.selectors import current_round, return_of, with_return_status
from wres_portal.listing import (
    Column,
    CompiledList,
    Sorted,
    compiled_sorted_page,
    order_by,
    pages,
    sorted_page,
)

from . import presenters, waiting
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
            "waiting": waiting.for_council_member(request.user, authority, role, collection_round),
            "shows_waiting": role in WAITING_LIST_ROLES,
        },
    )


AUTHORITY_COLUMNS = [
    Column("authority", "Authority", ("name", "pk")),
    Column("ons_code", "ONS code", ("ons_code",)),
    Column("region", "Region", ("region", "name", "pk")),
    Column("type", "Type", ("authority_type", "name", "pk")),
    Column(
        "population", "Minority ethnic population", ("population_minority_ethnic_percent", "name", "pk"), True
    ),
]
STATUS_COLUMN = Column("status", "Return", ("return_status", "name", "pk"))


# Its only write, a document built on a miss, is one upsert: no transaction round trips.
@transaction.non_atomic_requests
@login_required
@require_safe
def authority_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Analysts: every authority with its return's status in the current round, searched, filtered,
    sorted and paged by the database (a fixed number of queries at any number of authorities)."""
    require_national(request.user)
    collection_round = current_round()
    form = AuthorityFilterForm(request.GET or None, with_status=collection_round is not None)
    criteria = dict(form.cleaned_data) if form.is_valid() else {}
    status = criteria.pop("status", "")
    if collection_round is not None and not criteria.get("q", "").strip():
        # The common case (every filter but the search): a list compiled once per process.
        shape = (bool(status), bool(criteria.get("region")), bool(criteria.get("authority_type")))
        slots = {
            _USER_SLOT: request.user.pk,
            _ROUND_SLOT: collection_round.pk,
            _CLOSES_SLOT: collection_round.closes_on,
            _STATUS_SLOT: status,
            _REGION_SLOT: criteria.get("region"),
            _TYPE_SLOT: criteria.get("authority_type"),
        }
        page, chosen = compiled_sorted_page(
            request,
            [
                *AUTHORITY_COLUMNS,
                Column(STATUS_COLUMN.key, f"{collection_round.label} return", STATUS_COLUMN.fields),
            ],
            functools.partial(_authority_list, shape),
            slots,
            default="authority",
            count=_known_total(collection_round, status, criteria),
        )
        return _authority_list_page(request, form, page, chosen, collection_round)
    authorities: QuerySet[Authority] = selectors.authorities_search(request.user, **criteria)
    columns = list(AUTHORITY_COLUMNS)
    fields: tuple[str, ...] = presenters.AUTHORITY_ROW_FIELDS
    total = None
    if collection_round is not None:
        authorities = with_return_status(authorities, collection_round, status=status)
        fields = (*fields, "return_status")
        columns.append(Column(STATUS_COLUMN.key, f"{collection_round.label} return", STATUS_COLUMN.fields))
        total = _known_total(collection_round, status, criteria)
    page, chosen = sorted_page(
        request, authorities.values(*fields), columns, default="authority", count=total
    )
    return _authority_list_page(request, form, page, chosen, collection_round)


def _known_total(collection_round: CollectionRound, status: str, criteria: dict[str, str]) -> int | None:
    """How many authorities the list has when the stored counts say it: every council (an analyst
    sees all), or those at one status. None otherwise (the paginator counts them)."""
    if any(criteria.values()):
        return None
    counts = monitor_documents.status_counts(collection_round)
    return counts.get(status, 0) if status else sum(counts.values())


#: Values no row has, standing for each request's user, round, closing date and filters in the
#: list compiled once per process (`_authority_list`).
_USER_SLOT, _ROUND_SLOT, _CLOSES_SLOT = -613_402_772, -613_402_773, datetime.date(1111, 11, 12)
_STATUS_SLOT, _REGION_SLOT, _TYPE_SLOT = "slot:status", "slot:region", "slot:authority_type"


@functools.cache
def _authority_list(shape: tuple[bool, bool, bool], key: str, descending: bool) -> CompiledList:
    """The authority list's rows in the current round for a `shape` (which of status, region and
    type are filtered on), sorted by column `key`, compiled once per process (`CompiledList`).
    Analysts only (the view requires it): the scope is `Authority.objects.for_user` of one."""
    status, region, authority_type = shape
    analyst = User(pk=_USER_SLOT, national_role=User.NationalRole.ANALYST)
    authorities = selectors.authorities_search(
        analyst, region=_REGION_SLOT if region else "", authority_type=_TYPE_SLOT if authority_type else ""
    )
    slot_round = CollectionRound(pk=_ROUND_SLOT, closes_on=_CLOSES_SLOT)
    listed = with_return_status(authorities, slot_round, status=_STATUS_SLOT if status else "")
    rows = listed.values(*presenters.AUTHORITY_ROW_FIELDS, "return_status")
    return CompiledList(order_by(rows, [*AUTHORITY_COLUMNS, STATUS_COLUMN], Sorted(key, descending, [])))


def _authority_list_page(
    request: AuthenticatedHttpRequest,
    form: AuthorityFilterForm,
    page: Page,
    chosen: Sorted,
    collection_round: CollectionRound | None,
) -> HttpResponse:
    return render(
        request,
        "portal/authority_list.html",
        {
            "form": form,
            "page": page,
            "rows": presenters.authority_rows(
                page.object_list, collection_round.label if collection_round else None
            ),
            "page_numbers": pages(page),
            "headers": chosen.headers,
            "current_round": collection_round,
            "waiting": waiting.for_analyst(collection_round),
        },
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")
