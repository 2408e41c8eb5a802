from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.access import require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.models import AuthorityType, Region
from metrics import charts, documents, selectors
from metrics.calculations import (
    FOUR_FIFTHS_LABELS,
    INDICATORS,
    INDICATORS_BY_CODE,
    RELATIVE_LIKELIHOOD_EXPLANATION,
)
from metrics.disclosure import (
    benchmark_figure,
)
from metrics.presenters import SERVICE_CHOICES, figure
from metrics.spread import histogram, spread
from wres_portal.listing import Column, pages, sorted_page

from .common import _filters, _round, _service


# Its only write, a document built on a miss, is one upsert: no transaction round trips around it.
@transaction.non_atomic_requests
@login_required
@require_safe
def national_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Analysts: the pooled headline and the spread across authorities, for each indicator.

    The figures are a precomputed document per round, service and filter, keyed on the round's
    benchmark run (recomputed on every acceptance and nightly): read in one query, built ahead by the
    workers after each recompute and here on a miss (issue 18). A region and type together are worked
    out from the authorities' values, as fresh as the benchmarks.
    """
    require_national(request.user)
    service, (region, kind) = _service(request), _filters(request)
    found = selectors.dashboard_round(request.GET.get("round"), service, region, kind)
    if found is None:
        raise Http404
    collection_round, document = found
    if document is None:
        document = documents.dashboard_document_build(collection_round, service, region, kind)
    figures_html = document["figures_html"]
    return render(
        request,
        "metrics/national_dashboard.html",
        {
            "round": collection_round,
            "rounds": selectors.rounds_newest_first(),
            "service": service,
            "services": SERVICE_CHOICES,
            "region": region,
            "kind": kind,
            "regions": Region.choices,
            "kinds": AuthorityType.choices,
            "figures_html": mark_safe(figures_html),  # noqa: S308 - rendered by our own template
            "scope_label": region or dict(AuthorityType.choices).get(kind) or "England",
        },
    )


INDICATOR_COLUMNS = [
    Column("authority", "Authority", ("authority__name", "pk")),
    Column("value", "Value", ("value", "authority__name", "pk"), numeric=True),
    Column("band", "Band", ("four_fifths", "authority__name", "pk")),
]


@login_required
@require_safe
def national_indicator(request: AuthenticatedHttpRequest, round_label: str, code: str) -> HttpResponse:
    """Analysts: one indicator across every authority, with its breakdown by region and type. The
    chart summarises the authorities (a histogram and a box, worked out by the database), and the
    table of authorities is sorted, filtered and paged by the database: the page costs the same
    number of queries at any number of authorities (issue 18)."""
    require_national(request.user)
    indicator = INDICATORS_BY_CODE.get(code)
    if indicator is None:
        raise Http404
    collection_round, service = _round(request, round_label), _service(request)
    region, kind = _filters(request)
    band = request.GET.get("band", "")
    band = band if band in FOUR_FIFTHS_LABELS else ""
    results = selectors.accepted_results(collection_round, service, region, kind).filter(indicator=code)
    summary = spread(results)
    log_scale = indicator.kind != "share"
    bins, below, above = histogram(results, summary, log_scale=log_scale)
    listed = results.filter(four_fifths=band) if band else results
    page, chosen = sorted_page(
        request, listed.select_related("authority"), INDICATOR_COLUMNS, default="authority"
    )
    breakdown = selectors.indicator_breakdown(collection_round, service, code)
    return render(
        request,
        "metrics/national_indicator.html",
        {
            "round": collection_round,
            "indicator": indicator,
            "service": service,
            "services": SERVICE_CHOICES,
            "region": region,
            "kind": kind,
            "band": band,
            "bands": list(FOUR_FIFTHS_LABELS.items()),
            "regions": Region.choices,
            "kinds": AuthorityType.choices,
            "page": page,
            "page_numbers": pages(page),
            "headers": chosen.headers,
            "rows": [
                (
                    r.authority,
                    figure(indicator, r.value),
                    FOUR_FIFTHS_LABELS.get(r.four_fifths, ""),
                    r.low_numbers,
                )
                for r in page.object_list
            ],
            "spread": summary,
            "breakdown": [
                (
                    b,
                    benchmark_figure(
                        figure(indicator, b.distribution.get("median")), n_authorities=b.n_authorities
                    ),
                    dict(Region.choices + AuthorityType.choices).get(b.scope_value, "England"),
                )
                for b in breakdown
            ],
            "chart": charts.histogram_chart(
                bins=bins,
                below=below,
                above=above,
                quartiles=summary,
                log_scale=log_scale,
                id_prefix=f"hist-{code}",
                title=f"{indicator.title}: spread across authorities",
            ),
        },
    )


@login_required
@require_safe
def indicator_help(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """How an indicator is calculated, in plain English."""
    indicator = INDICATORS_BY_CODE.get(code)
    if indicator is None:
        raise Http404
    return render(
        request,
        "metrics/indicator_help.html",
        {"indicator": indicator, "rl_explanation": RELATIVE_LIKELIHOOD_EXPLANATION, "indicators": INDICATORS},
    )
