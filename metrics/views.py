"""Results pages: a council's results, the analysts' national dashboard, indicator pages, reports,
exports and the "how this is calculated" help. Every page issues a fixed number of queries,
whatever the number of authorities. What is slow to build (the council's cards with their charts, the
dashboard's figures, the national report's tables) is rendered once and cached under a key naming
what it was built from, so a recompute or a new version shows at once (issue 7)."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.access import get_authority_for_user, require_national
from accounts.models import Authority, AuthorityType, Region
from submissions.access import ReturnContext, get_return_for_user
from submissions.models import CollectionRound, Return, ReturnVersion
from submissions.schema import GROUP_LABELS, SERVICE_LABELS

from . import charts
from .calculations import (
    FOUR_FIFTHS_LABELS,
    INDICATORS,
    INDICATORS_BY_CODE,
    RELATIVE_LIKELIHOOD_EXPLANATION,
    compute_results,
    distribution,
)
from .models import Benchmark, Result, VersionResults
from .presenters import SERVICE_CHOICES, Card, cards, figure, index_benchmarks, series
from .services import STAMP_SECONDS, benchmark_stamp_key, headline, population_share


def _service(request: HttpRequest) -> str:
    service = request.GET.get("service", "all")
    return service if service in SERVICE_LABELS else "all"


#: How long a rendered fragment stays cached. Its key names everything it was built from (versions,
#: benchmark timestamps), so a change shows at once: the timeout only clears out unused entries.
FRAGMENT_SECONDS = 24 * 60 * 60


def _stamp(round_id: int | None = None) -> str:
    """Changes whenever a round's benchmarks (or, with no round, any round's) are recomputed: every
    row gets a new computed_at. Kept in the cache for at most STAMP_SECONDS and dropped when a
    recompute commits (metrics.services.benchmarks_recompute), so pages need no query for it."""
    key = benchmark_stamp_key(round_id)
    stamp = cache.get(key)
    if stamp is None:
        benchmarks = (
            Benchmark.objects.all() if round_id is None else Benchmark.objects.filter(round_id=round_id)
        )
        found = benchmarks.aggregate(latest=Max("computed_at"), rows=Count("pk"))
        latest = found["latest"].isoformat() if found["latest"] else "none"
        stamp = f"{latest}/{found['rows']}"
        cache.set(key, stamp, STAMP_SECONDS)
    return stamp


def _council_page(request: HttpRequest, ons_code: str, round_label: str) -> dict[str, object]:
    """What every council results page needs: the return, its current version, the service shown."""
    ctx = get_return_for_user(request.user, ons_code, round_label)
    return {
        "ctx": ctx,
        "version": ctx.record.current_version if ctx.record else None,
        "service": _service(request),
        "services": SERVICE_CHOICES,
        "cards": [],
        "groups": list(GROUP_LABELS.items()),
    }


def _council_cards(
    ctx: ReturnContext, version: ReturnVersion, service: str, stored: VersionResults | None
) -> list[Card]:
    """One card per indicator: the version's results beside the benchmarks and the trends."""
    authority = ctx.authority
    entries = (
        stored.document["results"]
        if stored
        else compute_results(version.data(), population_share=population_share(authority))
    )
    benchmarks = index_benchmarks(
        list(
            Benchmark.objects.filter(round=ctx.round, service=service).filter(
                Q(scope=Benchmark.Scope.NATIONAL)
                | Q(scope=Benchmark.Scope.REGION, scope_value=authority.region)
                | Q(scope=Benchmark.Scope.TYPE, scope_value=authority.authority_type)
            )
        )
    )
    trend = series(
        list(
            Result.objects.filter(
                authority=authority, service=service, version_id__in=_submitted_versions(authority)
            )
            .order_by("round__opens_on")
            .values_list("round__label", "service", "indicator", "value")
        )
    )
    national_trend = series(
        [
            (label, svc, code, (dist or {}).get("median") if n >= 5 else None)
            for label, svc, code, dist, n in Benchmark.objects.filter(
                scope=Benchmark.Scope.NATIONAL, service=service
            )
            .order_by("round__opens_on")
            .values_list("round__label", "service", "indicator", "distribution", "n_authorities")
        ]
    )
    return cards(
        entries=entries,
        service=service,
        benchmarks=benchmarks,
        region=authority.region,
        authority_type=authority.authority_type,
        trend=trend,
        national_trend=national_trend,
    )


def _submitted_versions(authority: Authority) -> QuerySet[Return]:
    """The current versions of the authority's returns past draft: the points of its trend."""
    return (
        Return.objects.filter(authority=authority)
        .exclude(status=Return.Status.DRAFT)
        .values("current_version_id")
    )


def _council_context(request: HttpRequest, ons_code: str, round_label: str) -> dict[str, object]:
    """The council results with every card built (the printable report)."""
    page = _council_page(request, ons_code, round_label)
    version = page["version"]
    if version is None:
        return page
    ctx, service = page["ctx"], str(page["service"])
    stored = VersionResults.objects.filter(version=version).first()
    page.update(
        stored=stored,
        cards=_council_cards(ctx, version, service, stored),  # type: ignore[arg-type]
        service_label=SERVICE_LABELS[service],
    )
    return page


def _council_cards_html(ctx: ReturnContext, version: ReturnVersion, service: str) -> tuple[str, bool]:
    """The rendered cards of the results page and whether the results are stored (not a draft
    preview), from the cache when nothing they are built from has changed since.

    Two small queries make the key, whatever the number of authorities: the authority's stored results
    among this version and its trend's versions, and the stamp of every round's benchmarks (the
    national, regional and type comparators and the national trend). The authority's region, type and
    population share are in it too, as analysts can correct them."""
    authority = ctx.authority
    with_results = sorted(
        VersionResults.objects.filter(authority=authority)
        .filter(Q(version=version) | Q(version_id__in=_submitted_versions(authority)))
        .values_list("pk", "version_id")
    )
    stored_pk = next((pk for pk, version_id in with_results if version_id == version.pk), None)
    key = "metrics:council-cards:1:" + _digest(
        authority.pk,
        authority.region,
        authority.authority_type,
        str(authority.population_minority_ethnic_percent),
        version.pk,
        service,
        with_results,
        _stamp(),
    )
    html = cache.get(key)
    if html is None:
        stored = VersionResults.objects.get(pk=stored_pk) if stored_pk else None
        html = render_to_string(
            "metrics/_cards.html",
            {"cards": _council_cards(ctx, version, service, stored), "groups": list(GROUP_LABELS.items())},
        )
        cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html), stored_pk is not None  # noqa: S308 - rendered by our own template


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@login_required
@require_safe
def council_results(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    page = _council_page(request, ons_code, round_label)
    version, service = page["version"], str(page["service"])
    if version is not None:
        cards_html, stored = _council_cards_html(page["ctx"], version, service)  # type: ignore[arg-type]
        page.update(cards_html=cards_html, stored=stored, service_label=SERVICE_LABELS[service])
    return render(request, "metrics/council_results.html", page)


@login_required
@require_safe
def council_report(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """The council's results laid out to print or save as its local SC-WRES report."""
    return render(request, "metrics/council_report.html", _council_context(request, ons_code, round_label))


@login_required
@require_safe
def council_results_latest(request: HttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    latest = (
        Return.objects.filter(authority=authority)
        .exclude(current_version=None)
        .order_by("-round__opens_on")
        .values_list("round__label", flat=True)
        .first()
    )
    if latest is None:
        return render(request, "metrics/no_results.html", {"authority": authority})
    return redirect("metrics:council_results", authority.ons_code, latest)


@login_required
@require_safe
def council_results_download(request: HttpRequest, ons_code: str, round_label: str, fmt: str) -> HttpResponse:
    """The council's own results, unsuppressed (authorities see their own figures in full)."""
    from .exports import council_results_csv, council_results_xlsx

    ctx = get_return_for_user(request.user, ons_code, round_label)
    version = ctx.record.current_version if ctx.record else None
    if version is None:
        raise Http404
    stored = VersionResults.objects.filter(version=version).first()
    if stored is None:
        stored = VersionResults(
            authority=ctx.authority,
            round=ctx.round,
            version=version,
            document={
                "schema": "wres-results/1",
                "results": compute_results(version.data(), population_share=population_share(ctx.authority)),
            },
        )
    name = f"wres-results-{ctx.round.label}-{ctx.authority.ons_code}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(council_results_csv(stored), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            council_results_xlsx(stored),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# National -----------------------------------------------------------------------------------------


def _round(request: HttpRequest, label: str | None = None) -> CollectionRound:
    if label:
        return get_object_or_404(CollectionRound, label=label)
    chosen = request.GET.get("round")
    if chosen:
        return get_object_or_404(CollectionRound, label=chosen)
    with_benchmarks = (
        CollectionRound.objects.filter(Exists(Benchmark.objects.filter(round=OuterRef("pk"))))
        .order_by("-opens_on")
        .first()
    )
    found = with_benchmarks or CollectionRound.objects.order_by("-opens_on").first()
    if found is None:
        raise Http404
    return found


def _filters(request: HttpRequest) -> tuple[str, str]:
    region = request.GET.get("region", "")
    kind = request.GET.get("authority_type", "")
    return (region if region in Region.values else ""), (kind if kind in AuthorityType.values else "")


def _accepted_results(collection_round: CollectionRound, service: str, region: str, kind: str):  # type: ignore[no-untyped-def]
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


def _dashboard_rows(collection_round: CollectionRound, service: str, region: str, kind: str) -> list[dict]:  # type: ignore[type-arg]
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

        rows.append(
            {
                "indicator": indicator,
                "pooled": figure(indicator, headline(pooled)) if pooled else "–",
                "band": FOUR_FIFTHS_LABELS.get((pooled or {}).get("four_fifths") or "", ""),
                "spread": spread,
                "median": figure(indicator, spread.get("median")) if spread.get("n", 0) >= 5 else "[c]",
                "lower": figure(indicator, spread.get("lower_quartile"))
                if spread.get("n", 0) >= 5
                else "[c]",
                "upper": figure(indicator, spread.get("upper_quartile"))
                if spread.get("n", 0) >= 5
                else "[c]",
                "bands": benchmark.bands if benchmark else None,
                "chart": charts.distribution_chart(
                    values=[],
                    quartiles=spread if spread.get("n", 0) >= 5 else None,
                    log_scale=indicator.kind != "share",
                    id_prefix=f"dist-{indicator.code}",
                    title=indicator.title,
                ),
            }
        )
    return rows


@login_required
@require_safe
def national_dashboard(request: HttpRequest) -> HttpResponse:
    """Analysts: the pooled headline and the spread across authorities, for each indicator.

    The figures are rendered once per round, filter and benchmark run, then served from the cache
    (keyed on the stamp of the round's benchmarks, recomputed on every acceptance and nightly). A
    region and type together are worked out from the authorities' values, as fresh as the benchmarks.
    """
    require_national(request.user)
    collection_round, service = _round(request), _service(request)
    region, kind = _filters(request)
    key = "metrics:dashboard:1:" + _digest(
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
            "rounds": CollectionRound.objects.order_by("-opens_on"),
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


@login_required
@require_safe
def national_indicator(request: HttpRequest, round_label: str, code: str) -> HttpResponse:
    """Analysts: one indicator across every authority, with its breakdown by region and type."""
    require_national(request.user)
    indicator = INDICATORS_BY_CODE.get(code)
    if indicator is None:
        raise Http404
    collection_round, service = _round(request, round_label), _service(request)
    region, kind = _filters(request)
    values = list(
        _accepted_results(collection_round, service, region, kind)
        .filter(indicator=code)
        .order_by("authority__name")
        .values_list("authority__name", "authority__ons_code", "value", "four_fifths", "low_numbers")
    )
    breakdown = list(
        Benchmark.objects.filter(round=collection_round, service=service, indicator=code).order_by(
            "scope", "scope_value"
        )
    )
    spread = distribution(v for _, _, v, _, _ in values)
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
            "regions": Region.choices,
            "kinds": AuthorityType.choices,
            "values": [
                (n, c, figure(indicator, v), FOUR_FIFTHS_LABELS.get(b, ""), low) for n, c, v, b, low in values
            ],
            "spread": spread,
            "breakdown": [
                (
                    b,
                    figure(indicator, b.distribution.get("median")) if b.n_authorities >= 5 else "[c]",
                    dict(Region.choices + AuthorityType.choices).get(b.scope_value, "England"),
                )
                for b in breakdown
            ],
            "chart": charts.distribution_chart(
                values=[(n, v) for n, _, v, _, _ in values if v is not None],
                quartiles=spread if spread["n"] else None,
                log_scale=indicator.kind != "share",
                id_prefix=f"strip-{code}",
                title=f"{indicator.title}: every authority",
            ),
        },
    )


@login_required
@require_safe
def national_report(request: HttpRequest, round_label: str) -> HttpResponse:
    """A printable national report, built only from the published (disclosure-controlled) tables."""
    from .exports import national_tables

    require_national(request.user)
    collection_round = _round(request, round_label)
    # Disclosure control over every table takes seconds: render them once per benchmark run (and day,
    # as the About table is dated), like the dashboard's figures.
    key = "metrics:national-report:1:" + _digest(
        collection_round.pk,
        _stamp(collection_round.pk),
        timezone.localdate().isoformat(),
    )
    tables_html = cache.get(key)
    if tables_html is None:
        tables_html = render_to_string(
            "metrics/_national_tables.html", {"tables": national_tables(collection_round)}
        )
        cache.set(key, tables_html, FRAGMENT_SECONDS)
    return render(
        request,
        "metrics/national_report.html",
        {"round": collection_round, "tables_html": mark_safe(tables_html)},  # noqa: S308 - our template
    )


@login_required
@require_safe
def national_download(request: HttpRequest, round_label: str, table: str, fmt: str) -> HttpResponse:
    """National tables, safe to publish: section 5 disclosure control applied."""
    from .exports import national_table_csv, national_tables_xlsx

    require_national(request.user)
    collection_round = _round(request, round_label)
    name = f"wres-national-{collection_round.label}-{table}.{fmt}"
    if fmt == "csv":
        if table not in ("pooled", "distribution"):
            raise Http404
        response = HttpResponse(
            national_table_csv(collection_round, table), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            national_tables_xlsx(collection_round),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
def indicator_help(request: HttpRequest, code: str) -> HttpResponse:
    """How an indicator is calculated, in plain English."""
    indicator = INDICATORS_BY_CODE.get(code)
    if indicator is None:
        raise Http404
    return render(
        request,
        "metrics/indicator_help.html",
        {"indicator": indicator, "rl_explanation": RELATIVE_LIKELIHOOD_EXPLANATION, "indicators": INDICATORS},
    )
