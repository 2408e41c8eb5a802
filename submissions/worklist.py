"""The analysts' worklist: the returns waiting for them (submitted and signed off), filtered, sorted
and cut into pages by the database, with bulk acceptance and reminders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require_national
from accounts.http import AuthenticatedHttpRequest
from wres_portal.errors import ApplicationError
from wres_portal.listing import Column, pages, sorted_page

from . import selectors, services
from .forms import BulkReturnsForm, WorklistFilterForm
from .models import CollectionRound

COLUMNS = [
    Column("authority", "Authority", ("authority__name", "pk")),
    Column("region", "Region", ("authority__region", "authority__name", "pk")),
    Column("type", "Type", ("authority__authority_type", "authority__name", "pk")),
    Column("status", "Status", ("status", "authority__name", "pk")),
    Column("submitted", "Submitted", ("submitted_at", "authority__name", "pk")),
]


def _round(form: WorklistFilterForm, rounds: list[CollectionRound]) -> CollectionRound:
    chosen = form.cleaned_data.get("round") if form.is_valid() else ""
    current = selectors.current_round()
    by_label = {r.label: r for r in rounds}
    found = by_label.get(chosen or "") or current or (rounds[0] if rounds else None)
    if found is None:
        raise Http404
    return found


@login_required
@require_safe
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Returns to accept (and, by status, the rest of the round's returns), with bulk actions."""
    require_national(request.user)
    rounds = selectors.all_rounds()
    form = WorklistFilterForm(request.GET or None, rounds=[r.label for r in rounds])
    collection_round = _round(form, rounds)
    filters = form.cleaned_data if form.is_valid() else {}
    returns = selectors.worklist(
        collection_round,
        status=filters.get("status", ""),
        region=filters.get("region", ""),
        authority_type=filters.get("authority_type", ""),
        late=filters.get("late", ""),
    )
    page, chosen = sorted_page(request, returns, COLUMNS, default="submitted")
    bulk = BulkReturnsForm(
        seen_token=f"worklist-page-{page.number}",
        seen_values=selectors.state_tokens(page.object_list),
    )
    return render(
        request,
        "submissions/worklist.html",
        {
            "round": collection_round,
            "form": form,
            "bulk": bulk,
            "page": page,
            "page_numbers": pages(page),
            "headers": chosen.headers,
        },
    )


@login_required
@require_POST
def worklist_action(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Accept the chosen returns, or remind their councils, in one request; the page that answers
    says what was done and names each return that was not, with the reason."""
    require_national(request.user)
    form = BulkReturnsForm(request.POST)
    outcome, error = None, ""
    if form.is_valid():
        action, chosen = form.cleaned_data["action"], form.cleaned_data["returns"]
        try:
            if action == "accept":
                outcome = services.returns_accept_many(user=request.user, shown=form.shown(), chosen=chosen)
            else:
                outcome = services.returns_remind(user=request.user, chosen=chosen)
        except ApplicationError as failure:
            error = failure.message
    else:
        action = request.POST.get("action", "")
        error = str(next(iter(form.errors.values()))[0])
    return render(
        request,
        "submissions/worklist_done.html",
        {"outcome": outcome, "action": action, "error": error},
        status=200 if outcome else 400,
    )
