from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.access import require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.models import AuthorityType, Region
from metrics import charts, selectors
from metrics.calculations import (
    FOUR_FIFTHS_LABELS,
    INDICATORS,
    INDICATORS_BY_CODE,
    RELATIVE_LIKELIHOOD_EXPLANATION,
    distribution,
)
from metrics.disclosure import (
    LOW,
    MIN_AUTHORITIES,
    SMALL_COUNT_MAX,
    SMALL_COUNT_MIN,
    SUPPRESSED,
    benchmark_figure,
    benchmark_shown,
    benchmark_value,
    is_small,
)
from metrics.models import Benchmark, Result
from metrics.presenters import SERVICE_CHOICES, figure
from metrics.services import headline
from metrics.spread import histogram, spread
from submissions.models import CollectionRound, Return
from wres_portal.listing import Column, pages, sorted_page

from .common import FRAGMENT_SECONDS, _digest, _filters, _round, _service, _stamp


def _accepted_results(collection_round: CollectionRound, service: str, region: str, kind: str):
    results = Result.objects.filter(
        round=collection_round,
        service=service,
        version_id__in=Return.objects.filter(round=collection_round, status=Return.Status.ACCEPTED).values(
            "current_version_id"
        ),
    )
    if region:
        results = results.filter(authority__region=region)
    if kind:
        results = results.filter(authority__authority_type=kind)
    return results


def unsafe_reasons(benchmark: Benchmark | None, spread: dict, *, combination: bool) -> list[str]:
    """Why the live figures of a row are not safe to publish as they stand (the analyst sees them all;
    only a release is published, spec section 5)."""
    if combination:
        return ["A region and a type together is never published: it can be a handful of councils."]
    reasons = []
    n = benchmark.n_authorities if benchmark else spread.get("n", 0)
    if not benchmark_shown(n):
        reasons.append(
            f"Built from {n} council{'s' if n != 1 else ''}, fewer than {MIN_AUTHORITIES}: every figure is "
            f"{SUPPRESSED} in a release."
        )
    pooled = benchmark.pooled if benchmark else {}
    counts = [
        pooled.get(part, {}).get(group)
        for part in ("numerator", "denominator")
        for group in ("white", "minority_ethnic")
    ]
    if any(is_small(count) for count in counts):
        reasons.append(
            f"The pooled figure is worked out from a count from {SMALL_COUNT_MIN} to {SMALL_COUNT_MAX}: "
            f"the count is {SUPPRESSED} and the figure {LOW} in a release."
        )
    if benchmark_shown(n):
        reasons.append(
            "The quartiles and band counts say how many councils had a case: a release withholds them "
            "where the auditor finds they narrow a hidden count."
        )
    return reasons


def _dashboard_rows(collection_round: CollectionRound, service: str, region: str, kind: str) -> list[dict]:
    """One row per indicator: the pooled figure and the spread across authorities, from the stored
    benchmarks; for a region and type together (no stored benchmark) from the authorities' values."""
    scope, scope_value = (
        (Benchmark.Scope.REGION, region)
        if region and not kind
        else (Benchmark.Scope.TYPE, kind)
        if kind and not region
        else (Benchmark.Scope.NATIONAL, "")
    )
    benchmarks = {
        b.indicator: b
        for b in Benchmark.objects.filter(
            round=collection_round, service=service, scope=scope, scope_value=scope_value
        )
    }
    if region and kind:
        # A combination has no stored benchmark: spread from the authorities' values (one query).
        values: dict[str, list[float | None]] = {}
        for code, value in _accepted_results(collection_round, service, region, kind).values_list(
            "indicator", "value"
        ):
            values.setdefault(code, []).append(value)
        spreads = {code: distribution(v) for code, v in values.items()}
    else:
        spreads = {code: b.distribution for code, b in benchmarks.items()}
    rows = []
    for indicator in INDICATORS:
        benchmark = benchmarks.get(indicator.code) if not (region and kind) else None
        spread = spreads.get(indicator.code) or {"n": 0}
        pooled = benchmark.pooled if benchmark else {}
        shown_n = spread.get("n", 0)
        rows.append(
            {
                "indicator": indicator,
                "pooled": figure(indicator, headline(pooled)) if pooled else "–",
                "band": FOUR_FIFTHS_LABELS.get((pooled or {}).get("four_fifths") or "", ""),
                "spread": spread,
                "median": benchmark_figure(figure(indicator, spread.get("median")), n_authorities=shown_n),
                "lower": benchmark_figure(
                    figure(indicator, spread.get("lower_quartile")), n_authorities=shown_n
                ),
                "upper": benchmark_figure(
                    figure(indicator, spread.get("upper_quartile")), n_authorities=shown_n
                ),
                "bands": benchmark.bands if benchmark else None,
                "unsafe": unsafe_reasons(benchmark, spread, combination=bool(region and kind)),
                "chart": charts.distribution_chart(
                    values=[],
                    quartiles=benchmark_value(spread, n_authorities=shown_n),
                    log_scale=indicator.kind != "share",
                    id_prefix=f"dist-{indicator.code}",
                    title=indicator.title,
                ),
            }
        )
    return rows


@login_required
@require_safe
def national_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Analysts: the pooled headline and the spread across authorities, for each indicator.

    The figures are rendered once per round, filter and benchmark run, then served from the cache
    (keyed on the stamp of the round's benchmarks, recomputed on every acceptance and nightly). A
    region and type together are worked out from the authorities' values, as fresh as the benchmarks.
    """
    require_national(request.user)
    collection_round, service = _round(request), _service(request)
    region, kind = _filters(request)
    key = "metrics:dashboard:2:" + _digest(
        collection_round.pk, service, region, kind, _stamp(collection_round.pk)
    )
    figures_html = cache.get(key)
    if figures_html is None:
        figures_html = render_to_string(
            "metrics/_dashboard_figures.html",
            {
                "rows": _dashboard_rows(collection_round, service, region, kind),
                "round": collection_round,
                "service": service,
                "region": region,
                "kind": kind,
            },
        )
        cache.set(key, figures_html, FRAGMENT_SECONDS)
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
    results = _accepted_results(collection_round, service, region, kind).filter(indicator=code)
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
