"""Skills for Care pages: collection rounds, the completeness monitor and closing-date extensions."""

from __future__ import annotations

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_authority_for_user, require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Authority
from accounts.permissions import is_national
from wres_portal.downloads import CSV, accepts_gzip, stored_attachment, streamed_attachment
from wres_portal.errors import ApplicationError
from wres_portal.listing import Column, CompiledList, Sorted, compiled_sorted_page, order_by, pages

from . import documents, presenters, selectors, services
from .access import get_round
from .forms import ExtensionForm, MonitorFilterForm, RoundForm
from .models import CollectionRound

STATUS_CHOICES = documents.STATUS_CHOICES


@login_required
@require_safe
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_national(request.user)
    return render(request, "submissions/round_list.html", {"rounds": selectors.rounds()})


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_national(request.user)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection_round = services.round_open(opened_by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"The {collection_round.label} round is set up.")
            return redirect("submissions:monitor", collection_round.label)
    return render(request, "submissions/round_new.html", {"form": form})


COLUMNS = [
    Column("authority", "Authority", ("name", "pk")),
    Column("region", "Region", ("region", "name", "pk")),
    Column("status", "Status", ("return_status", "name", "pk")),
    Column("closes", "Closes", ("closes", "name", "pk")),
]


def _filters(request: HttpRequest) -> tuple[MonitorFilterForm, dict[str, str]]:
    form = MonitorFilterForm(request.GET or None, statuses=STATUS_CHOICES)
    return form, (form.cleaned_data if form.is_valid() else {})


#: Values no row has, standing for each request's round, closing date and filters in the monitor's
#: list compiled once per process (`_monitor_list`).
_ROUND_SLOT, _CLOSES_SLOT = -613_402_771, datetime.date(1111, 11, 11)
_STATUS_SLOT, _REGION_SLOT, _TYPE_SLOT = "slot:status", "slot:region", "slot:authority_type"


@functools.cache
def _monitor_list(shape: tuple[bool, bool, bool, str], key: str, descending: bool) -> CompiledList:
    """The monitor's rows for a `shape` (which of status, region and type are filtered on, and
    `late`), sorted by column `key`, compiled once per process (`CompiledList`)."""
    status, region, authority_type, late = shape
    slot_round = CollectionRound(pk=_ROUND_SLOT, closes_on=_CLOSES_SLOT)
    filters = {
        "status": _STATUS_SLOT if status else "",
        "region": _REGION_SLOT if region else "",
        "authority_type": _TYPE_SLOT if authority_type else "",
        "late": late,
    }
    monitored = _monitored(slot_round, filters).values(*presenters.MONITOR_ROW_FIELDS)
    return CompiledList(order_by(monitored, COLUMNS, Sorted(key, descending, [])))


def _monitored(collection_round: CollectionRound, filters: dict[str, str]) -> QuerySet[Authority]:
    return selectors.authorities_in_round(
        collection_round,
        status=filters.get("status", ""),
        region=filters.get("region", ""),
        authority_type=filters.get("authority_type", ""),
        late=filters.get("late", ""),
    )


# Its only write, the counts document built on a miss, is one upsert: no transaction round trips.
@transaction.non_atomic_requests
@login_required
@require_safe
def monitor(request: AuthenticatedHttpRequest, round_label: str) -> HttpResponse:
    """Every council's return status in the round: counted, filtered, sorted and paged by the
    database (a fixed number of queries at any number of councils)."""
    require_national(request.user)
    collection_round = get_round(round_label)
    form, filters = _filters(request)
    counts = documents.status_counts(collection_round)
    # Unfiltered, or by status alone, the counts say how many rows there are: no COUNT of every council.
    total = None
    if not any(value for field, value in filters.items() if field != "status"):
        total = counts.get(filters["status"], 0) if filters.get("status") else sum(counts.values())
    shape = (
        bool(filters.get("status")),
        bool(filters.get("region")),
        bool(filters.get("authority_type")),
        filters.get("late", "") if filters.get("late") in ("yes", "no") else "",
    )
    slots = {
        _ROUND_SLOT: collection_round.pk,
        _CLOSES_SLOT: collection_round.closes_on,
        _STATUS_SLOT: filters.get("status"),
        _REGION_SLOT: filters.get("region"),
        _TYPE_SLOT: filters.get("authority_type"),
    }
    page, chosen = compiled_sorted_page(
        request, COLUMNS, functools.partial(_monitor_list, shape), slots, default="authority", count=total
    )
    return render(
        request,
        "submissions/monitor.html",
        {
            "round": collection_round,
            "form": form,
            "page": page,
            "rows": presenters.monitor_rows(page.object_list, collection_round.label),
            "page_numbers": pages(page),
            "headers": chosen.headers,
            "counts": [(label, counts.get(value, 0)) for value, label in STATUS_CHOICES],
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_safe
def monitor_csv(request: AuthenticatedHttpRequest, round_label: str) -> HttpResponse | StreamingHttpResponse:
    """Every matching council's status as CSV. Unfiltered (the common case), the bytes stored for the
    current monitor version, read in one query (`documents.status_csv`), gzipped where the client
    accepts it (its gzip is stored too: 130 kB for the 2.1 MB of 20,000 councils); filtered, or
    without a kept version, streamed from one database cursor (never the whole list in memory)."""
    require_national(request.user)
    collection_round = get_round(round_label)
    _, filters = _filters(request)
    name = f"wres-{collection_round.label}-status.csv"
    if not any(filters.values()):
        gzipped = accepts_gzip(request)
        content = documents.status_csv(collection_round, gzipped=gzipped)
        if content is not None:
            return stored_attachment(content, name, CSV, gzipped=gzipped)
    return streamed_attachment(documents.csv_lines(documents.csv_rows(collection_round, filters)), name, CSV)


@login_required
@require_http_methods(["GET", "POST"])
def extend(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """An analyst extends one authority's closing date."""
    authority = get_authority_for_user(request.user, ons_code)
    if not is_national(request.user):
        raise PermissionDenied
    collection_round = get_round(round_label)
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_extend(
                collection_round=collection_round,
                authority=authority,
                granted_by=request.user,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"{authority.name}'s closing date was extended.")
            return redirect("submissions:monitor", collection_round.label)
    return render(
        request, "submissions/extend.html", {"authority": authority, "round": collection_round, "form": form}
    )
