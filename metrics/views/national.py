from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.access import require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.models import AuthorityType, Region
from metrics import documents, selectors
from metrics.calculations import (
    FOUR_FIFTHS_LABELS,
    INDICATORS,
    INDICATORS_BY_CODE,
    RELATIVE_LIKELIHOOD_EXPLANATION,
)
from metrics.presenters import SERVICE_CHOICES, indicator_rows
from submissions.models import CollectionRound
from wres_portal import listing
from wres_portal.listing import Column

from .common import _filters, _service


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
            "rounds": selectors.round_choices(),
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


_CODE_SLOT = "ons-code-slot"


def _ordered(results: QuerySet[Any], chosen: listing.Sorted) -> QuerySet[Any]:
    """`listing.order_by`, but a column that is never blank (the authority's name, the band) is
    ordered without NULLS LAST: PostgreSQL then walks an index backwards for the descending order
    (the authorities' names: 109 ms -> 1 ms at 20,000). Value descending: `_HighestFirst`."""
    if chosen.key == "value":
        return listing.order_by(results, INDICATOR_COLUMNS, chosen)
    first, *rest = next(c for c in INDICATOR_COLUMNS if c.key == chosen.key).fields
    return results.order_by(F(first).desc() if chosen.descending else F(first).asc(), *rest)


class _HighestFirst:
    """Rows by value, highest first, blanks last, then by name: as `listing.order_by` orders them,
    but read as two parts whose counts the summary knows, the rows with a value (walking the value
    index backwards: DESC is NULLS FIRST there, so no blank is in the way) and the blanks by name.
    One ORDER BY value DESC NULLS LAST could not use the index and sorted every authority (54 ms
    at 20,000, against 1 ms). A page that straddles the two parts reads both (two queries)."""

    def __init__(self, highest: listing.Rows, blanks: listing.Rows, valued: int, count: int) -> None:
        self.highest, self.blanks, self.valued, self.count = highest, blanks, valued, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, cut: slice) -> list[Any]:
        start, stop = cut.start or 0, self.count if cut.stop is None else cut.stop
        found: list[Any] = []
        if start < self.valued:
            found += self.highest[start : min(stop, self.valued)]
        if stop > self.valued:
            found += self.blanks[max(start - self.valued, 0) : stop - self.valued]
        return found


#: Values no row has, standing for each request's round, service, filters, indicator and band in
#: the list compiled once per process (`_indicator_list`).
_ROUND_SLOT = -613_402_774
_SERVICE_SLOT, _REGION_SLOT, _KIND_SLOT = "slot:service", "slot:region", "slot:authority_type"
_INDICATOR_SLOT, _BAND_SLOT = "slot:indicator", "slot:band"
_ROW_FIELDS = ("authority__name", "authority__ons_code", "value", "four_fifths", "low_numbers")


@functools.cache
def _indicator_list(
    shape: tuple[bool, bool, bool], key: str, descending: bool, part: str = ""
) -> listing.CompiledList:
    """The indicator page's rows for a `shape` (which of region, type and band are filtered on),
    sorted by column `key`, compiled once per process (`listing.CompiledList`). `part`, for the
    value highest first (`_HighestFirst`): "highest" (the rows with a value) or "blanks"."""
    region, kind, band = shape
    results = selectors.accepted_results(
        CollectionRound(pk=_ROUND_SLOT),
        _SERVICE_SLOT,
        _REGION_SLOT if region else "",
        _KIND_SLOT if kind else "",
    ).filter(indicator=_INDICATOR_SLOT)
    listed = results.filter(four_fifths=_BAND_SLOT) if band else results
    if part == "highest":
        ordered = listed.exclude(value=None).order_by(F("value").desc(), "authority__name", "pk")
    elif part == "blanks":
        ordered = listed.filter(value=None).order_by("authority__name", "pk")
    else:
        ordered = _ordered(listed, listing.Sorted(key, descending, []))
    return listing.CompiledList(ordered.values_list(*_ROW_FIELDS))


# Its only write, a summary built on a miss, is one upsert: no transaction round trips around it.
@transaction.non_atomic_requests
@login_required
@require_safe
def national_indicator(request: AuthenticatedHttpRequest, round_label: str, code: str) -> HttpResponse:
    """Analysts: one indicator across every authority, with its breakdown by region and type. The
    summary (the chart's histogram and box, the breakdown, how many authorities are listed) is a
    document keyed on what it is built from, read with the round in one query and built here on a
    miss (issue 18); the table of authorities is sorted and paged by the database, its count taken
    from the summary. Sorted by name or by value (either way) a page is read from an index, at the
    same cost at any number of authorities; by band it is a sort of the listed authorities."""
    require_national(request.user)
    indicator = INDICATORS_BY_CODE.get(code)
    if indicator is None:
        raise Http404
    service, (region, kind) = _service(request), _filters(request)
    band = request.GET.get("band", "")
    band = band if band in FOUR_FIFTHS_LABELS else ""
    found = selectors.indicator_read(round_label, service, region, kind, code)
    if found is None:
        raise Http404
    collection_round, stamp, document = found
    if document is None:
        document = documents.indicator_document_build(collection_round, service, region, kind, code, stamp)
    chosen = listing.read_sort(request, INDICATOR_COLUMNS, "authority")
    # The list compiled once per process for its shape, this request's values in its slots.
    shape = (bool(region), bool(kind), bool(band))
    slots = {
        _ROUND_SLOT: collection_round.pk,
        _SERVICE_SLOT: service,
        _REGION_SLOT: region,
        _KIND_SLOT: kind,
        _INDICATOR_SLOT: code,
        _BAND_SLOT: band,
    }
    count = document["bands"].get(band, 0) if band else document["listed"]
    rows: Any = _indicator_list(shape, chosen.key, chosen.descending).rows(slots)
    if chosen.key == "value" and chosen.descending:
        valued = document["valued_bands"].get(band, 0) if band else document["valued"]
        highest = _indicator_list(shape, chosen.key, chosen.descending, "highest").rows(slots)
        blanks = _indicator_list(shape, chosen.key, chosen.descending, "blanks").rows(slots)
        rows = _HighestFirst(highest, blanks, valued, count)
    page = listing.paginate(rows, request, count=count)  # no COUNT over every authority
    # Each row's link made from one reversed link: 50 reverses were a tenth of the page's CPU.
    link = reverse("metrics:council_results", args=[_CODE_SLOT, collection_round.label])
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
            "page_numbers": listing.pages(page),
            "headers": chosen.headers,
            "rows": indicator_rows(page.object_list, indicator, link, _CODE_SLOT, service),
            "summary_html": mark_safe(document["summary_html"]),  # noqa: S308 - rendered by our own template
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
