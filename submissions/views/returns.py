from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts import permissions
from accounts.access import get_authority_for_user
from accounts.http import AuthenticatedHttpRequest
from submissions import selectors, services, template_files
from submissions.models import Return
from submissions.presenters import data_tables, return_tasks, version_history
from submissions.schema import SERVICE_LABELS, SERVICES

from .common import _ctx


@login_required
@require_safe
def return_list(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    rounds = selectors.rounds_with_returns(request.user, authority)
    return render(request, "submissions/return_list.html", {"authority": authority, "rounds": rounds})


@login_required
@require_safe
def return_detail(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    record, version = ctx.record, ctx.record.current_version if ctx.record else None
    warnings = services.version_warnings(version) if version else []
    explained = {e.warning_key: e for e in version.explanations.all()} if version else {}
    user, authority = request.user, ctx.authority
    is_lead = permissions.can_change_return(user, authority)
    blockers = services.submission_blockers(record, warnings) if record and record.is_editable() else []
    can_sign_off = bool(
        permissions.can_sign_off_return(user, authority)
        and record
        and record.status == Return.Status.SUBMITTED
    )
    can_accept = bool(
        permissions.can_accept_return(user) and record and record.status == Return.Status.SIGNED_OFF
    )
    can_edit = is_lead and (record is None or record.is_editable())
    return render(
        request,
        "submissions/return_detail.html",
        {
            "ctx": ctx,
            "record": record,
            "version": version,
            "tables": data_tables(version.data()) if version else [],
            "warnings": [
                (
                    w,
                    explained.get(w.key),
                    w.key in explained and not explained[w.key].is_current_for(w.message),
                )
                for w in warnings
            ],
            "blockers": blockers,
            "is_lead": is_lead,
            "can_edit": can_edit,
            "can_sign_off": can_sign_off,
            "can_accept": can_accept,
            "sent_back": selectors.sent_back(record),
            "tasks": return_tasks(
                ctx,
                record,
                warnings=warnings,
                unexplained=len(services.unexplained_warnings(version, warnings)) if version else 0,
                blockers=blockers,
                can_edit=can_edit,
                can_sign_off=can_sign_off,
                can_accept=can_accept,
            ),
            "can_send_back": record is not None
            and record.status != Return.Status.DRAFT
            and permissions.can_send_back_return(
                user, authority, submitted=record.status == Return.Status.SUBMITTED
            ),
            "closes_on": ctx.round.closes_on_for(ctx.authority),
            "history": version_history(record) if record else [],
            "services": [(s, SERVICE_LABELS[s]) for s in SERVICES],
        },
    )


@login_required
@require_safe
def template_download(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, fmt: str
) -> HttpResponse:
    return template_files.template_download(_ctx(request, ons_code, round_label), fmt)
