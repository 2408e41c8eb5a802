"""Compare with similar councils: nearest neighbours and a basket the council chooses (issue 15).

Looking never writes: a GET shows only groups already recorded as shown to the council. Showing the
nearest neighbours' medians for the first time, and choosing a basket, are each an explicit POST that
records the group (metrics.comparison.group_show, which refuses differencing) and then redirects."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import can_choose_basket
from metrics.calculations import INDICATORS
from metrics.comparison import (
    Field,
    group_show,
    groups_shown,
    medians,
    neighbours_of,
    release_field,
    workforce_of,
)
from metrics.disclosure import MIN_AUTHORITIES
from metrics.models import ComparisonGroup
from metrics.neighbours import METHOD, MIN_GROUP, basket_refusal
from metrics.presenters import SERVICE_CHOICES, figure
from metrics.selectors import version_results
from metrics.services import headline
from submissions.access import ReturnContext, get_return_for_user
from submissions.schema import SERVICE_LABELS
from wres_portal.errors import ApplicationError

from .common import _service

#: The value of the `show` field of the form that reveals the nearest neighbours' medians.
SHOW_NEIGHBOURS = "neighbours"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def council_compare(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = get_return_for_user(request.user, ons_code, round_label)
    version = ctx.record.current_version if ctx.record else None
    if version is None:
        raise Http404
    service, authority = _service(request), ctx.authority
    document = version_results(ctx, version).document
    known = release_field(ctx.round)
    if known.release_number is None:
        if request.method == "POST":
            return redirect(reverse("metrics:compare", args=[authority.ons_code, ctx.round.label]))
        return render(request, "metrics/compare.html", _base(ctx, service, known))
    neighbours = neighbours_of(authority, known, workforce_of(document))
    if request.method != "POST":
        return _page(request, ctx, service, known, neighbours, document)
    url = reverse("metrics:compare", args=[authority.ons_code, ctx.round.label])
    query = {"service": service, **({"basket": request.GET["basket"]} if "basket" in request.GET else {})}
    if request.POST.get("show") == SHOW_NEIGHBOURS:
        # Any member may look at the neighbours; the record is what keeps differencing out. A refusal
        # needs no message here: the page it redirects to says why their figures are not shown.
        with suppress(ApplicationError):
            group_show(
                authority=authority,
                collection_round=ctx.round,
                kind=ComparisonGroup.Kind.NEIGHBOURS,
                members=neighbours,
                user=request.user,
            )
        return redirect(f"{url}?{urlencode(query)}#neighbours")
    if not can_choose_basket(request.user, authority):
        raise PermissionDenied
    chosen = [c for c in request.POST.getlist("councils") if c in known.profiles]
    try:
        saved = group_show(
            authority=authority,
            collection_round=ctx.round,
            kind=ComparisonGroup.Kind.BASKET,
            members=chosen,
            user=request.user,
        )
    except ApplicationError as error:
        return _page(request, ctx, service, known, neighbours, document, errors=[str(error)], chosen=chosen)
    return redirect(f"{url}?{urlencode({**query, 'basket': saved.pk})}#basket")


def _base(ctx: ReturnContext, service: str, known: Field) -> dict[str, object]:
    return {
        "ctx": ctx,
        "service": service,
        "services": SERVICE_CHOICES,
        "method": METHOD,
        "min_group": MIN_GROUP,
        "release_number": known.release_number,
    }


def _page(
    request: AuthenticatedHttpRequest,
    ctx: ReturnContext,
    service: str,
    known: Field,
    neighbours: list[str],
    document: Mapping[str, Any],
    *,
    errors: list[str] | None = None,
    chosen: list[str] | None = None,
) -> HttpResponse:
    """The page, built from the groups already recorded as shown: it writes nothing."""
    authority = ctx.authority
    shown = groups_shown(authority, ctx.round)
    seen = [frozenset(g.members) for g in shown]
    neighbours_shown = frozenset(neighbours) in seen
    refusal = (
        None if neighbours_shown else basket_refusal(frozenset(neighbours), seen, own=authority.ons_code)
    )
    neighbours_note = ""
    if refusal and len(neighbours) < MIN_GROUP:
        neighbours_note = (
            f"Fewer than {MIN_GROUP} councils are in the published national figures besides yours, "
            "so your nearest neighbours' figures are not shown."
        )
    elif refusal:
        neighbours_note = (
            f"Your nearest neighbours now differ by fewer than {MIN_AUTHORITIES} councils from a group you "
            "have already seen, "
            "so their figures are not shown: comparing the two could reveal single councils' figures."
        )
    baskets = [g for g in shown if g.kind == ComparisonGroup.Kind.BASKET]
    basket = next(
        (g for g in baskets if str(g.pk) == request.GET.get("basket")), baskets[-1] if baskets else None
    )
    keys = [(service, i.code) for i in INDICATORS]
    near = medians(neighbours, known, keys) if neighbours_shown else {}
    chosen_medians = medians(basket.members, known, keys) if basket else {}
    own = {(e["service"], e["indicator"]): headline(e) for e in document["results"]}
    page = _base(ctx, service, known)
    page.update(
        service_label=SERVICE_LABELS[service],
        rows=[
            (
                i,
                figure(i, own.get((service, i.code))),
                figure(i, near.get((service, i.code))) if near else "",
                figure(i, chosen_medians.get((service, i.code))) if basket else "",
            )
            for i in INDICATORS
        ],
        neighbours=[known.profiles[c] for c in neighbours],
        neighbours_note=neighbours_note,
        can_show_neighbours=not neighbours_shown and refusal is None,
        show_neighbours=SHOW_NEIGHBOURS,
        basket=basket,
        basket_members=[known.profiles[c] for c in basket.members if c in known.profiles] if basket else [],
        candidates=sorted(
            (p for c, p in known.profiles.items() if c != authority.ons_code), key=lambda p: p.name
        ),
        selected=set(chosen or []) if errors else set(basket.members if basket else []),
        errors=errors or [],
        can_choose=can_choose_basket(request.user, authority),
    )
    return render(request, "metrics/compare.html", page, status=400 if errors else 200)
