from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts import permissions
from accounts.access import get_authority_for_user
from accounts.http import AuthenticatedHttpRequest
from submissions import selectors, services
from submissions.access import ReturnContext
from submissions.models import Return
from submissions.presenters import data_tables, version_history
from submissions.schema import SERVICE_LABELS, SERVICES
from submissions.template_files import csv_template, xlsx_template
from wres_portal.downloads import CSV, XLSX, attachment

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
    ctx = _ctx(request, ons_code, round_label)
    data = ctx.record.current_version.data() if ctx.record and ctx.record.current_version else None
    filename = f"wres-return-{ctx.round.label}-{ctx.authority.ons_code}"
    if fmt == "csv":
        return attachment(csv_template(data), f"{filename}.csv", CSV)
    content = xlsx_template(
        authority_name=ctx.authority.name,
        ons_code=ctx.authority.ons_code,
        round_label=ctx.round.label,
        period=ctx.round.period_label,
        snapshot_date=f"{ctx.round.snapshot_date:%-d %B %Y}",
        closes_on=f"{ctx.round.closes_on_for(ctx.authority):%-d %B %Y}",
        data=data,
    )
    return attachment(content, f"{filename}.xlsx", XLSX)


def _task(title: str, href: str | None, status: str, hint: str = "", *, tag: str = "") -> dict[str, str]:
    """One row of a GOV.UK task list; `tag` colours a status that needs doing (blue: to do)."""
    return {"title": title, "href": href or "", "status": status, "hint": hint, "tag": tag}


def return_tasks(
    ctx: ReturnContext,
    record: Return | None,
    *,
    warnings: list,
    unexplained: int,
    blockers: list[str],
    can_edit: bool,
    can_sign_off: bool,
    can_accept: bool,
) -> list[dict[str, str]]:
    """The return as a GOV.UK task list: template, figures, warnings, check and submit, sign-off,
    acceptance, each with where it stands and (for whoever can do it now) a link."""
    args = [ctx.authority.ons_code, ctx.round.label]
    status = record.status if record else None
    has_figures = record is not None and record.current_version_id is not None
    after_draft = status in (Return.Status.SUBMITTED, Return.Status.SIGNED_OFF, Return.Status.ACCEPTED)
    problems = [b for b in blockers if not b.startswith(("Explain this warning", "Check your explanation"))]
    figures_status = (
        _task("", None, "Completed")
        if has_figures and not problems
        else _task("", None, "Incomplete", tag="blue")
        if has_figures
        else _task("", None, "Not yet started", tag="blue")
    )
    if not has_figures:
        warnings_status = _task("", None, "Cannot start yet")
    elif not warnings:
        warnings_status = _task("", None, "No warnings")
    elif unexplained and not after_draft:
        warnings_status = _task("", None, f"{unexplained} to explain", tag="blue")
    else:
        warnings_status = _task("", None, "Completed")
    if after_draft:
        submit_status = _task("", None, "Completed")
    elif has_figures and not blockers:
        submit_status = _task("", None, "Not yet started", tag="blue")
    else:
        submit_status = _task("", None, "Cannot start yet")
    if status in (Return.Status.SIGNED_OFF, Return.Status.ACCEPTED):
        sign_status = _task("", None, "Completed")
    elif status == Return.Status.SUBMITTED:
        sign_status = _task("", None, "Waiting for the senior sponsor", tag="blue")
    else:
        sign_status = _task("", None, "Cannot start yet")
    if status == Return.Status.ACCEPTED:
        accept_status = _task("", None, "Completed")
    elif status == Return.Status.SIGNED_OFF:
        accept_status = _task("", None, "Waiting for Skills for Care", tag="blue")
    else:
        accept_status = _task("", None, "Cannot start yet")

    def row(title: str, href: str | None, state: dict[str, str], hint: str = "") -> dict[str, str]:
        return _task(title, href, state["status"], hint, tag=state["tag"])

    detail = reverse("submissions:detail", args=args)
    return [
        row(
            "Get the template",
            reverse("submissions:template_xlsx", args=args) if can_edit else None,
            _task("", None, "Optional"),
            "Excel, filled in with your current draft. Or type the figures in, or build them from HR data.",
        ),
        row(
            "Enter or upload the figures",
            reverse("submissions:upload", args=args) if can_edit else None,
            figures_status,
            "Upload the completed template, or use the links below to type the figures in.",
        ),
        row(
            "Explain the warnings",
            f"{detail}#warnings" if can_edit and warnings else None,
            warnings_status,
            "Unusual figures each need a written explanation.",
        ),
        row(
            "Check and submit",
            reverse("submissions:submit", args=args) if can_edit and has_figures and not blockers else None,
            submit_status,
            "Check the figures, warnings and results, then send the return to your senior sponsor.",
        ),
        row(
            "Senior sponsor's sign-off",
            reverse("submissions:sign_off", args=args) if can_sign_off else None,
            sign_status,
            "The senior sponsor checks the return and signs it off, or returns it for revision.",
        ),
        row(
            "Acceptance by Skills for Care",
            reverse("submissions:accept", args=args) if can_accept else None,
            accept_status,
            "Skills for Care checks the return and accepts it into the national figures.",
        ),
    ]
