"""Releases (analysts only): make one on purpose, read what it shows and hides, publish it once the
auditor passes it, download it. The national downloads and the printable national report serve the
round's latest published release, never live data."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import require_national
from accounts.http import AuthenticatedHttpRequest
from metrics import selectors
from metrics.exports.columns import _xlsx
from metrics.models import Release
from metrics.releases import services as releases
from metrics.report import indicator_sections
from submissions.access import get_round
from wres_portal.downloads import CSV, XLSX, attachment, dataset_csv
from wres_portal.forms import PlainEnglishErrors
from wres_portal.models import NOTE_MAX


class ReleaseForm(PlainEnglishErrors, forms.Form):
    note = forms.CharField(
        label="What changed since the previous release, and why",
        help_text="For example: 12 more returns accepted since release 1; Leeds resubmitted its return "
        "after correcting its headcount. Readers of the tables see this note.",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _release(round_label: str, number: int) -> Release:
    return get_object_or_404(selectors.releases_with_makers(), round__label=round_label, number=number)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def release_list(request: AuthenticatedHttpRequest, round_label: str) -> HttpResponse:
    """The round's releases, and the form to make the next one."""
    require_national(request.user)
    collection_round = get_round(round_label)
    form = ReleaseForm(request.POST or None)
    problem = None
    making = releases.release_making(collection_round)
    if request.method == "POST" and making:
        problem = f"Release {making['number']} is being made: wait for it before making another."
    elif request.method == "POST" and form.is_valid():
        try:
            number = releases.release_request(
                collection_round=collection_round, user=request.user, note=form.cleaned_data["note"]
            )
        except ValueError as error:
            problem = str(error)
        else:  # made already where tasks run in the web process; otherwise the list says it is coming
            if selectors.release_exists(collection_round, number):
                return redirect("metrics:release", collection_round.label, number)
            return redirect("metrics:releases", collection_round.label)
    return render(
        request,
        "metrics/releases/list.html",
        {
            "round": collection_round,
            "releases": selectors.releases_of(collection_round),
            "form": form,
            "making": releases.release_making(collection_round),
            "errors": [{"text": problem}] if problem else [],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def release_detail(request: AuthenticatedHttpRequest, round_label: str, number: int) -> HttpResponse:
    """One release: what changed, what it hides and why, the audit; publish it (POST)."""
    require_national(request.user)
    release = _release(round_label, number)
    refused: list[dict[str, object]] = []
    if request.method == "POST":
        try:
            releases.release_publish(release=release, user=request.user)
        except releases.PublishRefused as error:
            refused = [releases.leak_json(leak) for leak in error.leaks]
        else:
            return redirect("metrics:release", release.round.label, release.number)
    return render(
        request,
        "metrics/releases/detail.html",
        {
            "release": release,
            "round": release.round,
            "refused": refused,
            "errors": [
                {
                    "text": f"This release cannot be published: a reader could work out {len(refused)} "
                    "counts. They are listed below.",
                    "href": "#refused",
                }
            ]
            if refused
            else [],
            "leaks": release.audit.get("leaks", [])[:200],
            "suppression": release.suppression,
            "changes": release.changes,
        },
        status=409 if refused else 200,
    )


def _file_name(round_label: str, number: int, table: str, fmt: str) -> str:
    return f"wres-national-{round_label}-release-{number}-{table}.{fmt}"


def _download(release: Release, table: str, fmt: str) -> HttpResponse:
    name = _file_name(release.round.label, release.number, table, fmt)
    if fmt == "csv":
        if table not in releases.TABLES:
            raise Http404
        return attachment(dataset_csv(releases.dataset(release, table)), name, CSV)
    content = releases.release_file(
        release, "tables.xlsx", lambda: _xlsx(releases.dataset(release, t) for t in releases.TABLES)
    )
    return attachment(content, name, XLSX)


def _report(request: HttpRequest, release: Release) -> HttpResponse:
    return render(
        request,
        "metrics/releases/report.html",
        {
            "release": release,
            "round": release.round,
            "about": releases.dataset(release, "about"),
            "sections": indicator_sections(
                releases.dataset(release, "pooled").dict, releases.dataset(release, "distribution").dict
            ),
        },
    )


@login_required
@require_safe
def release_download(
    request: AuthenticatedHttpRequest, round_label: str, number: int, table: str, fmt: str
) -> HttpResponse:
    require_national(request.user)
    return _download(_release(round_label, number), table, fmt)


@login_required
@require_safe
def release_report(request: AuthenticatedHttpRequest, round_label: str, number: int) -> HttpResponse:
    """A release's tables laid out to print or save (any release, published or not, for checking)."""
    require_national(request.user)
    return _report(request, _release(round_label, number))


def _latest(request: HttpRequest, round_label: str, *, status: int) -> Release | HttpResponse:
    """The round's latest published release, or a page saying there is none (with `status`)."""
    collection_round = get_round(round_label)
    release = releases.latest_published(collection_round)
    if release is None:
        return render(request, "metrics/releases/none.html", {"round": collection_round}, status=status)
    return release


@login_required
@require_safe
def national_download(
    request: AuthenticatedHttpRequest, round_label: str, table: str, fmt: str
) -> HttpResponse:
    """The national tables of the round's latest published release (never live data)."""
    require_national(request.user)
    if fmt == "xlsx":  # the stored workbook, read in one query without the release's tables
        collection_round = get_round(round_label)
        stored = releases.latest_published_file(collection_round, "tables.xlsx")
        if stored is not None:
            number, content = stored
            if content is not None:
                return attachment(content, _file_name(collection_round.label, number, table, fmt), XLSX)
    found = _latest(request, round_label, status=404)  # no file to give, or the workbook to build
    return found if isinstance(found, HttpResponse) else _download(found, table, fmt)


@login_required
@require_safe
def national_report(request: AuthenticatedHttpRequest, round_label: str) -> HttpResponse:
    """The printable national report of the round's latest published release (never live data)."""
    require_national(request.user)
    found = _latest(request, round_label, status=200)  # a page saying why there is no report yet
    return found if isinstance(found, HttpResponse) else _report(request, found)
