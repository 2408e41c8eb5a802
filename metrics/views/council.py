from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.access import get_authority_for_user
from accounts.http import AuthenticatedHttpRequest
from metrics import documents, selectors
from metrics.calculations import (
    compute_results,
)
from metrics.exports import council_results_csv, council_results_xlsx
from metrics.models import VersionResults
from metrics.presenters import SERVICE_CHOICES, Card, cards, series, summary_html
from metrics.publication import PublishedComparators
from metrics.selectors import (
    council_results_summary,
    published_comparators,
    published_national_trend,
    version_results,
)
from metrics.services import population_share
from submissions.access import ReturnContext, get_return_for_user
from submissions.models import ReturnVersion
from submissions.schema import GROUP_LABELS, SERVICE_LABELS
from wres_portal.downloads import CSV, XLSX, attachment
from wres_portal.pdf import html_pdf

from .common import _service

BOARD_CSS = Path(__file__).resolve().parent.parent / "board.css"


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
    ctx: ReturnContext,
    version: ReturnVersion,
    service: str,
    stored: VersionResults | None,
    comparators: PublishedComparators,
) -> list[Card]:
    """One card per indicator: the version's results beside the published comparators and the trends."""
    authority = ctx.authority
    entries = (
        stored.document["results"]
        if stored
        else compute_results(version.data(), population_share=population_share(authority))
    )
    trend = series(selectors.council_trend(authority, service))
    return cards(
        entries=entries,
        service=service,
        comparators=comparators,
        region=authority.region,
        authority_type=authority.authority_type,
        trend=trend,
        national_trend=published_national_trend(service),
    )


def _council_context(request: HttpRequest, ons_code: str, round_label: str) -> dict[str, object]:
    """The council results with every card built (the printable report)."""
    page = _council_page(request, ons_code, round_label)
    version, ctx, service = page["version"], page["ctx"], str(page["service"])
    if not isinstance(version, ReturnVersion) or not isinstance(ctx, ReturnContext):
        return page  # no version yet: the page says so
    stored = selectors.stored_version_results(version)
    comparators = published_comparators(ctx.round)
    page.update(
        stored=stored,
        comparators=comparators,
        cards=_council_cards(ctx, version, service, stored, comparators),
        service_label=SERVICE_LABELS[service],
    )
    return page


def _results_page_document(ctx: ReturnContext, version: ReturnVersion, service: str) -> dict[str, Any]:
    """The precomputed document of the results page (issue 18): read with its basis in one query
    whatever the number of authorities, and built on a miss (none yet, or built from anything no
    longer current)."""
    basis, document = selectors.results_page_read(ctx, version, service)
    return document or documents.results_page_document_build(basis)


# Its only write, a document built on a miss, is one upsert: no transaction round trips around it.
@transaction.non_atomic_requests
@login_required
@require_safe
def council_results(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    page = _council_page(request, ons_code, round_label)
    version, service = page["version"], str(page["service"])
    if version is not None:
        ctx = page["ctx"]
        if not isinstance(ctx, ReturnContext) or not isinstance(version, ReturnVersion):
            raise Http404
        document = _results_page_document(ctx, version, service)
        page.update(
            body_html=mark_safe(document["cards"][service]),  # noqa: S308 - rendered by our own template
            stored=document["stored"],
            service_label=SERVICE_LABELS[service],
            comparators=selectors.release_note(ctx.round, document),
            summary_html=summary_html(
                selectors.results_page_summary(ctx, document, service, request.user),
                SERVICE_LABELS[service],
                member=not request.user.is_national,
            ),
        )
    return render(request, "metrics/council_results.html", page)


@login_required
@require_safe
def council_report(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """The council's results laid out to print or save as its local SC-WRES report."""
    return render(request, "metrics/council_report.html", _council_context(request, ons_code, round_label))


@login_required
@require_safe
def council_results_latest(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    latest = selectors.latest_round_with_results(authority)
    if latest is None:
        return render(request, "metrics/no_results.html", {"authority": authority})
    return redirect("metrics:council_results", authority.ons_code, latest)


@login_required
@require_safe
def council_results_download(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, fmt: str
) -> HttpResponse:
    """The council's own results, unsuppressed (authorities see their own figures in full)."""
    ctx = get_return_for_user(request.user, ons_code, round_label)
    version = ctx.record.current_version if ctx.record else None
    if version is None:
        raise Http404
    stored = version_results(ctx, version)
    name = f"wres-results-{ctx.round.label}-{ctx.authority.ons_code}.{fmt}"
    if fmt == "csv":
        return attachment(council_results_csv(stored), name, CSV)
    return attachment(council_results_xlsx(stored), name, XLSX)


def _board_context(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> dict[str, object]:
    page = _council_context(request, ons_code, round_label)
    version, ctx = page["version"], page["ctx"]
    if not isinstance(version, ReturnVersion) or not isinstance(ctx, ReturnContext):
        raise Http404  # nothing to summarise yet
    page["summary"] = council_results_summary(ctx, version, str(page["service"]), request.user)
    return page


@login_required
@require_safe
def council_board_summary(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """One page for the council's board: the summary and every metric's figure beside the published
    national median."""
    return render(request, "metrics/board_summary.html", _board_context(request, ons_code, round_label))


@login_required
@require_safe
def council_board_summary_pdf(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str
) -> HttpResponse:
    """The board summary as a one-page A4 PDF (WeasyPrint, as the action plan PDF)."""
    page = _board_context(request, ons_code, round_label)
    html = render_to_string("metrics/board_summary_pdf.html", page)
    ctx = page["ctx"]
    name = f"wres-board-summary-{ctx.round.label}-{ctx.authority.ons_code}.pdf"  # type: ignore[attr-defined]
    return attachment(html_pdf(html, BOARD_CSS.read_text()), name, "application/pdf")
