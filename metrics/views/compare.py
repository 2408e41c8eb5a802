"""Compare with similar councils: nearest neighbours and a basket the council chooses (issue 15)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import can_choose_basket
from metrics.calculations import INDICATORS
from metrics.comparison import group_show, groups_shown, medians, neighbours_of, release_field, workforce_of
from metrics.disclosure import MIN_AUTHORITIES
from metrics.models import ComparisonGroup
from metrics.neighbours import METHOD, MIN_GROUP
from metrics.presenters import SERVICE_CHOICES, figure
from metrics.selectors import version_results
from metrics.services import headline
from submissions.access import get_return_for_user
from submissions.schema import SERVICE_LABELS
from wres_portal.errors import ApplicationError

from .common import _service


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
    page: dict[str, object] = {
        "ctx": ctx,
        "service": service,
        "services": SERVICE_CHOICES,
        "method": METHOD,
        "min_group": MIN_GROUP,
        "release_number": known.release_number,
    }
    if known.release_number is None:
        return render(request, "metrics/compare.html", page)
    errors: list[str] = []
    chosen = (
        [c for c in request.POST.getlist("councils") if c in known.profiles]
        if request.method == "POST"
        else []
    )
    if request.method == "POST":
        if not can_choose_basket(request.user, authority):
            raise PermissionDenied
        try:
            saved = group_show(
                authority=authority,
                collection_round=ctx.round,
                kind=ComparisonGroup.Kind.BASKET,
                members=chosen,
                user=request.user,
            )
        except ApplicationError as error:
            errors.append(str(error))
        else:
            url = reverse("metrics:compare", args=[authority.ons_code, ctx.round.label])
            return redirect(f"{url}?service={service}&basket={saved.pk}#basket")
    neighbours = neighbours_of(authority, known, workforce_of(document))
    neighbours_note = ""
    try:
        group_show(
            authority=authority,
            collection_round=ctx.round,
            kind=ComparisonGroup.Kind.NEIGHBOURS,
            members=neighbours,
            user=request.user,
        )
    except ApplicationError:
        neighbours_note = (
            f"Your nearest neighbours now differ by fewer than {MIN_AUTHORITIES} councils from a group you "
            "have already seen, "
            "so their figures are not shown: comparing the two could reveal single councils' figures."
        )
    shown = groups_shown(authority, ctx.round)
    baskets = [g for g in shown if g.kind == ComparisonGroup.Kind.BASKET]
    basket = next(
        (g for g in baskets if str(g.pk) == request.GET.get("basket")), baskets[-1] if baskets else None
    )
    keys = [(service, i.code) for i in INDICATORS]
    near = {} if neighbours_note else medians(neighbours, known, keys)
    chosen_medians = medians(basket.members, known, keys) if basket else {}
    own = {(e["service"], e["indicator"]): headline(e) for e in document["results"]}
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
        basket=basket,
        basket_members=[known.profiles[c] for c in basket.members if c in known.profiles] if basket else [],
        candidates=sorted(
            (p for c, p in known.profiles.items() if c != authority.ons_code), key=lambda p: p.name
        ),
        selected=set(chosen if errors else (basket.members if basket else [])),
        errors=errors,
        can_choose=can_choose_basket(request.user, authority),
    )
    return render(request, "metrics/compare.html", page, status=400 if errors else 200)
