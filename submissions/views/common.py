from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts import permissions
from submissions import selectors, services
from submissions.access import ReturnContext, get_return_for_user
from submissions.models import Return
from submissions.presenters import data_tables


def _ctx(request: HttpRequest, ons_code: str, round_label: str) -> ReturnContext:
    return get_return_for_user(request.user, ons_code, round_label)


def _require_lead(request: HttpRequest, ctx: ReturnContext) -> None:
    if not permissions.can_change_return(request.user, ctx.authority):
        raise PermissionDenied


def _detail(ctx: ReturnContext) -> HttpResponse:
    return redirect("submissions:detail", ctx.authority.ons_code, ctx.round.label)


def _existing(ctx: ReturnContext) -> Return:
    """The return of the context, which a page about an existing return needs; 404 without one."""
    if ctx.record is None:
        raise Http404
    return ctx.record


def _record(ctx: ReturnContext) -> Return:
    return ctx.record or services.return_get_or_create(authority=ctx.authority, collection_round=ctx.round)


def posted_version(request: HttpRequest) -> int:
    """The version number a form was rendered from (its hidden `version` field). A form that names
    none, or garbage, names no version that exists, so the step is refused, never applied blindly."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else -1


def posted_explanations(request: HttpRequest) -> dict[str, str] | None:
    """The explanations kept or edited on the page before saving (`explanation__<warning key>`),
    when the page showed them (`explanations_checked`); None otherwise."""
    if not request.POST.get("explanations_checked"):
        return None
    prefix = "explanation__"
    return {name[len(prefix) :]: str(text) for name, text in request.POST.items() if name.startswith(prefix)}


def _shown(record: Return | None) -> dict[str, object]:
    """The version a step's page shows, posted back with the step so it acts on that version only."""
    version = record.current_version if record is not None else None
    return {
        "version_number": version.number if version else 0,
        "version_by": version.created_by.display_name if version else "",
    }


def answers(record: Return) -> dict[str, object]:
    """What a person checks before submitting or signing off (GOV.UK "check answers"): the figures
    of the current version, each warning with its explanation, and the headline results."""
    version = record.current_version
    if version is None:
        return {"answer_tables": [], "answer_warnings": [], "answer_results": []}
    warnings = services.version_warnings(version)
    explained = {e.warning_key: e for e in version.explanations.all()}
    return {
        "answer_tables": data_tables(version.data()),
        "answer_warnings": [(w, explained.get(w.key)) for w in warnings],
        "answer_results": selectors.results_in_words(version),
    }
