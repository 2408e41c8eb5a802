"""Skills for Care pages: collection rounds, the completeness monitor and closing-date extensions."""

from __future__ import annotations

import datetime
from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_authority_for_user, require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Authority
from accounts.permissions import is_national
from wres_portal.downloads import CSV, attachment, csv_text
from wres_portal.errors import ApplicationError

from . import services
from .forms import ExtensionForm, MonitorFilterForm, RoundForm
from .models import CollectionRound, Return

NOT_STARTED = "not_started"
STATUS_CHOICES = [(NOT_STARTED, "Not started"), *Return.Status.choices]


class MonitorRow(TypedDict):
    """One authority's line on the round monitor (and its CSV)."""

    authority: Authority
    status: str
    status_label: str
    late: bool
    submitted_at: datetime.datetime | None
    closes_on: datetime.date


@login_required
@require_safe
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_national(request.user)
    return render(request, "submissions/round_list.html", {"rounds": CollectionRound.objects.all()})


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


def monitor_rows(collection_round: CollectionRound, filters: dict[str, str]) -> list[MonitorRow]:
    """Every authority with its return's status in the round (two queries whatever the count)."""
    returns = {r.authority_id: r for r in Return.objects.filter(round=collection_round)}
    extensions = {e.authority_id: e.closes_on for e in collection_round.extensions.all()}
    authorities = Authority.objects.all()
    if filters.get("region"):
        authorities = authorities.filter(region=filters["region"])
    if filters.get("authority_type"):
        authorities = authorities.filter(authority_type=filters["authority_type"])
    rows: list[MonitorRow] = []
    for authority in authorities:
        record = returns.get(authority.pk)
        status = record.status if record else NOT_STARTED
        if filters.get("status") and filters["status"] != status:
            continue
        rows.append(
            {
                "authority": authority,
                "status": status,
                "status_label": dict(STATUS_CHOICES)[status],
                "late": bool(record and record.is_late),
                "submitted_at": record.submitted_at if record else None,
                "closes_on": extensions.get(authority.pk, collection_round.closes_on),
            }
        )
    return rows


def _filters(request: HttpRequest) -> tuple[MonitorFilterForm, dict[str, str]]:
    form = MonitorFilterForm(request.GET or None, statuses=STATUS_CHOICES)
    return form, (form.cleaned_data if form.is_valid() else {})


@login_required
@require_safe
def monitor(request: AuthenticatedHttpRequest, round_label: str) -> HttpResponse:
    require_national(request.user)
    collection_round = get_object_or_404(CollectionRound, label=round_label)
    form, filters = _filters(request)
    rows = monitor_rows(collection_round, filters)
    everyone = monitor_rows(collection_round, {})
    counts = [(label, sum(1 for r in everyone if r["status"] == value)) for value, label in STATUS_CHOICES]
    return render(
        request,
        "submissions/monitor.html",
        {
            "round": collection_round,
            "form": form,
            "rows": rows,
            "counts": counts,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_safe
def monitor_csv(request: AuthenticatedHttpRequest, round_label: str) -> HttpResponse:
    require_national(request.user)
    collection_round = get_object_or_404(CollectionRound, label=round_label)
    _, filters = _filters(request)
    rows: list[list[object]] = [
        ["ons_code", "authority", "region", "type", "status", "late", "submitted_at", "closes_on"]
    ]
    for row in monitor_rows(collection_round, filters):
        authority = row["authority"]
        rows.append(
            [
                authority.ons_code,
                authority.name,
                authority.region,
                authority.authority_type,
                row["status"],
                "yes" if row["late"] else "no",
                row["submitted_at"].isoformat() if row["submitted_at"] else "",
                row["closes_on"].isoformat(),
            ]
        )
    return attachment(csv_text(rows), f"wres-{collection_round.label}-status.csv", CSV)


@login_required
@require_http_methods(["GET", "POST"])
def extend(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """An analyst extends one authority's closing date."""
    authority = get_authority_for_user(request.user, ons_code)
    if not is_national(request.user):
        raise PermissionDenied
    collection_round = get_object_or_404(CollectionRound, label=round_label)
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
