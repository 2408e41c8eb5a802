"""Build the precomputed page documents (issue 18): a council's results page and the analyst
dashboard's figures, rendered once and stored in PostgreSQL under a key that names everything they
were built from (`metrics.selectors.ResultsPageBasis`, `metrics.selectors.dashboard_key`).

Pages read a document in one query where its key matches what is current, and build it here on a
miss (`metrics.views`); the workers build them ahead where it is cheap: a council's page when its
submitted version's results are stored, and a round's dashboards after its benchmarks are
recomputed (`metrics.tasks`). A national recompute and a newly published release leave the council
pages to be rebuilt on their first view: thousands of renderings would not fit the recompute's
budget, and most councils look at their page rarely. Every build is a pure function of its basis,
stored with an upsert, so building twice, or in two processes at once, stores the same document.
Redis plays no part: with the cache down the pages still read their documents.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.template.loader import render_to_string

from accounts.models import AuthorityType, Region
from submissions.access import ReturnContext
from submissions.models import CollectionRound, Return, ReturnVersion
from submissions.schema import GROUP_LABELS, SERVICE_LABELS
from wres_portal.bulk import store_document

from . import charts, selectors
from .calculations import FOUR_FIFTHS_LABELS, INDICATORS, INDICATORS_BY_CODE, compute_results, distribution
from .disclosure import (
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
from .models import Benchmark, DashboardDocument, IndicatorDocument, ResultsPageDocument
from .presenters import SERVICE_CHOICES, cards, figure, series
from .publication import PublishedComparators
from .services import headline, population_share
from .spread import histogram, spread

# A council's results page -------------------------------------------------------------------------


def results_page_document_build(basis: selectors.ResultsPageBasis) -> dict[str, Any]:
    """Build and store the results page document of `basis` (what the page shows of the version
    beyond the user-specific parts), reading only what the basis names; returns the document with
    the cards of every service under "cards"."""
    authority, page_round = basis.authority, basis.collection_round
    stored = selectors.stored_results(basis.version_id) if basis.stored else None
    entries = (
        stored["results"]
        if stored is not None
        else compute_results(
            ReturnVersion.objects.get(pk=basis.version_id).data(),
            population_share=population_share(authority),
        )
    )
    submitted = [r for r in basis.rounds if r.submitted and r.version_id is not None]
    labels = {r.version_id: r.label for r in submitted if r.version_id is not None}
    order = {r.version_id: i for i, r in enumerate(submitted) if r.version_id is not None}
    headlines = sorted(selectors.headline_rows(order), key=lambda row: order[row[0]])
    trend = series([(labels[v], service, indicator, value) for v, service, indicator, value in headlines])

    page = basis.page_round
    before = next((i for i, r in enumerate(basis.rounds) if r.round_id == page_round.pk), 0)
    earlier = [r for r in basis.rounds[:before] if r.submitted and r.version_id is not None]
    previous: dict[str, dict[str, float | None]] = defaultdict(dict)
    previous_label = earlier[-1].label if earlier else None
    for version_id, service, indicator, value in headlines:
        if earlier and version_id == earlier[-1].version_id:
            previous[service][indicator] = value

    released = [r for r in basis.rounds if r.release_id is not None]
    releases = selectors.releases_by_pk(r.release_id for r in released if r.release_id)
    in_order = [(r.label, r.release_id, releases[r.release_id][1]) for r in released if r.release_id]
    if page is not None and page.release_id is not None:
        number, created_at, published_at = releases[page.release_id]
        comparators = PublishedComparators(
            page_round.label, number, published_at, selectors.parsed_release(page.release_id, created_at)
        )
    else:
        comparators = PublishedComparators(page_round.label, None, None, {})

    rendered = {}
    for service in SERVICE_LABELS:
        page_cards = cards(
            entries=entries,
            service=service,
            comparators=comparators,
            region=authority.region,
            authority_type=authority.authority_type,
            trend=trend,
            national_trend=selectors.national_trend(in_order, service),
        )
        # Everything below the summary, the same for everyone who may see the page (the key names
        # the authority's code and the round's label its links are made of).
        rendered[service] = render_to_string(
            "metrics/_results_body.html",
            {
                "ctx": ReturnContext(authority, page_round, None, None),
                "service": service,
                "services": SERVICE_CHOICES,
                "service_label": SERVICE_LABELS[service],
                "comparators": comparators,
                "cards": page_cards,
                "groups": list(GROUP_LABELS.items()),
            },
        )
    document = {
        "stored": basis.stored,
        "results": entries,
        "previous_label": previous_label,
        "previous": previous,
        "release": {
            "number": comparators.release_number,
            "published_at": comparators.published_at.isoformat() if comparators.published_at else None,
        },
    }
    columns = {ResultsPageDocument.CARDS[service]: html for service, html in rendered.items()}
    store_document(
        ResultsPageDocument,
        unique={"authority": authority, "round": page_round},
        values={"key": basis.key, "document": document, **columns},
    )
    return document | {"cards": rendered}


def results_page_documents_build(version_ids: list[int]) -> int:
    """Build the results page documents of the returns whose current version is among `version_ids`
    (a return just submitted), unless already built from what is current. Returns how many built."""
    built = 0
    records = Return.objects.filter(current_version_id__in=version_ids).select_related(
        "authority", "round", "current_version"
    )
    for record in records:
        if record.current_version is None:
            continue
        basis = selectors.results_page_basis(
            ReturnContext(record.authority, record.round, record, None), record.current_version
        )
        if selectors.results_page_document(basis, "all") is None:
            results_page_document_build(basis)
            built += 1
    return built


# The analyst dashboard ----------------------------------------------------------------------------


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


def dashboard_rows(collection_round: CollectionRound, service: str, region: str, kind: str) -> list[dict]:
    """One row per indicator: the pooled figure and the spread across authorities, from the stored
    benchmarks; for a region and type together (no stored benchmark) from the authorities' values."""
    scope, scope_value = (
        (Benchmark.Scope.REGION, region)
        if region and not kind
        else (Benchmark.Scope.TYPE, kind)
        if kind and not region
        else (Benchmark.Scope.NATIONAL, "")
    )
    benchmarks = selectors.dashboard_benchmarks(collection_round, service, scope, scope_value)
    if region and kind:
        # A combination has no stored benchmark: spread from the authorities' values (one query).
        values: dict[str, list[float | None]] = {}
        for code, value in selectors.accepted_results(collection_round, service, region, kind).values_list(
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


def dashboard_document_build(
    collection_round: CollectionRound, service: str, region: str = "", kind: str = ""
) -> dict[str, Any]:
    """Build and store the dashboard figures of a round, service and filter; returns the document.
    The run is read before the benchmarks, so a recompute committed in between leaves a document
    whose key names the older run: the next page finds it stale and builds it again."""
    key = selectors.dashboard_key(
        collection_round, service, region, kind, selectors.benchmark_run_of(collection_round)
    )
    html = render_to_string(
        "metrics/_dashboard_figures.html",
        {
            "rows": dashboard_rows(collection_round, service, region, kind),
            "round": collection_round,
            "service": service,
            "region": region,
            "kind": kind,
        },
    )
    store_document(
        DashboardDocument,
        unique={"round": collection_round, "service": service, "region": region, "authority_type": kind},
        values={"key": key, "figures_html": html},
    )
    return {"figures_html": html}


def dashboard_documents_build(collection_round: CollectionRound) -> int:
    """Build a round's dashboards ahead of the analysts: England, each region and each type, for every
    service (a region and type together is built when first asked for). Returns how many."""
    filters = [("", "")] + [(r, "") for r in Region.values] + [("", k) for k in AuthorityType.values]
    for service in SERVICE_LABELS:
        for region, kind in filters:
            dashboard_document_build(collection_round, service, region, kind)
    return len(SERVICE_LABELS) * len(filters)


# The analysts' page of one indicator -------------------------------------------------------------


def indicator_document_build(
    collection_round: CollectionRound,
    service: str,
    region: str,
    kind: str,
    code: str,
    stamp: selectors.IndicatorStamp,
) -> dict[str, Any]:
    """Build and store the summary of an indicator page (the chart, the breakdown by region and type,
    and how many authorities the table lists, unfiltered and by band); returns the document. `stamp`
    must be read before the figures (`selectors.indicator_read`): a change committed in between
    leaves a document whose key names the older state, which the next page finds stale and builds
    again (never the other way round)."""
    indicator = INDICATORS_BY_CODE[code]
    results = selectors.accepted_results(collection_round, service, region, kind).filter(indicator=code)
    summary = spread(results)
    log_scale = indicator.kind != "share"
    bins, below, above = histogram(results, summary, log_scale=log_scale)
    counts = selectors.listed_counts(results)
    labels = dict(Region.choices + AuthorityType.choices)
    html = render_to_string(
        "metrics/_indicator_summary.html",
        {
            "indicator": indicator,
            "breakdown": [
                (
                    b,
                    benchmark_figure(
                        figure(indicator, b.distribution.get("median")), n_authorities=b.n_authorities
                    ),
                    labels.get(b.scope_value, "England"),
                )
                for b in selectors.indicator_breakdown(collection_round, service, code)
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
    document = {
        "summary_html": html,
        "listed": sum(n for n, _ in counts.values()),
        "valued": sum(valued for _, valued in counts.values()),
        "bands": {band: n for band, (n, _) in counts.items()},
        "valued_bands": {band: valued for band, (_, valued) in counts.items()},
    }
    key = selectors.indicator_key(collection_round, service, region, kind, code, stamp)
    store_document(
        IndicatorDocument,
        unique={
            "round": collection_round,
            "service": service,
            "region": region,
            "authority_type": kind,
            "indicator": code,
        },
        values={"key": key, "document": document},
    )
    return document


def indicator_documents_build(collection_round: CollectionRound) -> int:
    """Build a round's indicator summaries for England ahead of the analysts, every indicator of every
    service (a filter is built when first asked for: a few hundred builds each reading every
    authority's value would not fit a recompute's budget). Returns how many."""
    stamp = selectors.indicator_stamp(collection_round)
    for service in SERVICE_LABELS:
        for indicator in INDICATORS:
            indicator_document_build(collection_round, service, "", "", indicator.code, stamp)
    return len(SERVICE_LABELS) * len(INDICATORS)
