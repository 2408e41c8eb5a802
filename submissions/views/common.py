from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.access import has_role
from accounts.models import Role
from submissions import services
from submissions.access import ReturnContext, get_return_for_user
from submissions.models import Return


def _ctx(request: HttpRequest, ons_code: str, round_label: str) -> ReturnContext:
    return get_return_for_user(request.user, ons_code, round_label)


def _require_lead(request: HttpRequest, ctx: ReturnContext) -> None:
    if not has_role(request.user, ctx.authority, [Role.PROGRAMME_LEAD]):
        raise PermissionDenied


def _detail(ctx: ReturnContext) -> HttpResponse:
    return redirect("submissions:detail", ctx.authority.ons_code, ctx.round.label)


def _record(ctx: ReturnContext) -> Return:
    return ctx.record or services.return_get_or_create(authority=ctx.authority, collection_round=ctx.round)
