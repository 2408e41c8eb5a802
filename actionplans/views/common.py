from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from actionplans.access import (
    PlanContext,
)
from actionplans.models import PlanVersion
from wres_portal.downloads import PDF, XLSX, attachment
from wres_portal.errors import ApplicationError
from wres_portal.forms import SeenStateForm


def _detail(ctx: PlanContext) -> HttpResponse:
    return redirect("actionplans:detail", ctx.authority.ons_code, ctx.plan.year)


def _add_error(form: forms.BaseForm, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _page(
    request: HttpRequest,
    ctx: PlanContext,
    form: forms.BaseForm | None,
    title: str,
    button: str,
    **extra: object,
) -> HttpResponse:
    template = str(extra.pop("template", "actionplans/_form_page.html"))
    return render(
        request, template, {"ctx": ctx, "form": form, "page_title": title, "button": button, **extra}
    )


def _confirm(
    request: HttpRequest, ctx: PlanContext, title: str, button: str, done: str, action, **extra: object
) -> HttpResponse:
    """A page that asks before doing something with no form fields: publish, withdraw, remove..."""
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            result = action()
        except ApplicationError as error:
            errors.append({"text": error.message})
        else:
            messages.success(request, done)
            return result if isinstance(result, HttpResponse) else _detail(ctx)
    return _page(request, ctx, None, title, button, errors=errors, **extra)


def signed_document(form: SeenStateForm, current: dict) -> dict:
    """The document a sign-off form binds to (the one named by its signed `seen` field), so its
    check-your-answers shows exactly what would be signed; `current` when the field is missing."""
    seen = form.seen_sent()
    found = seen.values.get("document") if seen else None
    return found if isinstance(found, dict) else current


def _signature(ctx: PlanContext) -> PlanVersion | None:
    return ctx.plan.signed_version if not ctx.plan.changed_since_sign_off else None


def _file(document, signature, name, fmt, document_pdf, document_xlsx) -> HttpResponse:
    if fmt == "pdf":
        return attachment(document_pdf(document, signature=signature), f"{name}.pdf", PDF)
    return attachment(document_xlsx(document, signature=signature), f"{name}.xlsx", XLSX)
