"""Roles, locks and email shared by the action plan services."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority, Membership, User
from actionplans.models import (
    ActionPlan,
)
from actionplans.presenters import compare_rows, plan_document
from wres_portal.emails import Receipt, send_email_on_commit
from wres_portal.errors import ApplicationError

HEADER_FIELDS = (
    "senior_sponsors",
    "programme_leads",
    "staff_voice_leads",
    "direct_employees",
    "how_agreed",
    "staff_voice_summary",
)
#: Fields of the header a staff voice lead may change.
STAFF_VOICE_FIELDS = frozenset({"staff_voice_summary"})


def _lock(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update().select_related("authority").get(pk=plan.pk)


def _changed(plan: ActionPlan) -> None:
    """After any change to a signed-off plan: it needs signing off again if, and only if, what it
    says now differs from what the sponsor signed. The content is compared line by line, as the
    compare page shows it, so adding an objective and removing it again leaves the plan signed off."""
    if plan.status == ActionPlan.Status.SIGNED_OFF and plan.signed_version is not None:
        changed = differs_from_signed(plan)
        if changed != plan.changed_since_sign_off:
            plan.changed_since_sign_off = changed
            plan.save(update_fields=["changed_since_sign_off", "updated_at"])
            return
    plan.save(update_fields=["updated_at"])


def differs_from_signed(plan: ActionPlan) -> bool:
    """Whether the plan as it stands reads differently from its last signed-off version. Each
    objective's figures are taken as frozen at sign-off (a new results release is not an edit)."""
    signed = plan.signed_version
    if signed is None:
        return True
    rows = compare_rows(signed.document, plan_document(plan, frozen=True))
    return any(row["changed"] for row in rows)


def _clean(text: str | None) -> str:
    """Text as stored: line endings as "\n" (browsers send a text area's as "\r\n", so saving a
    page unchanged would otherwise change what is stored and make others' pages stale) and no
    surrounding space."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_declaration(name: str, role: str, signed_on: datetime.date, declaration: bool, what: str) -> None:
    if not declaration:
        raise ApplicationError(f"Confirm the declaration to sign off the {what}.", field="declaration")
    if not _clean(name):
        raise ApplicationError("Enter your name as it should appear on the sign-off.", field="name")
    if not _clean(role):
        raise ApplicationError("Enter your role as it should appear on the sign-off.", field="role")
    if signed_on > timezone.localdate():
        raise ApplicationError("The sign-off date cannot be in the future.", field="signed_on")


# Email ---------------------------------------------------------------------------------------------

SUBJECTS = {
    "plan_signed_off": "{authority}'s WRES action plan {year} was signed off",
    "plan_sent_for_sign_off": "{authority}'s WRES action plan {year} is ready for your sign-off",
    "report_submitted": "{authority}'s WRES action plan progress is ready for your sign-off",
    "report_signed_off": "{authority}'s WRES action plan progress report was signed off",
    "reminder": "Reminder: WRES action plan updates for {authority} are due",
}


def _emails(authority: Authority, roles: Iterable[str]) -> list[str]:
    return list(
        Membership.objects.filter(authority=authority, role__in=list(roles), user__is_active=True)
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )


def _notify(
    plan: ActionPlan,
    roles: Iterable[str],
    event: str,
    actor: User | None,
    *,
    receipt: Receipt | None = None,
    page: str = "actionplans:detail",
    **extra: Any,
) -> int:
    recipients = _emails(plan.authority, roles)
    if not recipients:
        return 0
    link = settings.SITE_URL + reverse(page, args=[plan.authority.ons_code, plan.year])
    body = render_to_string(
        "emails/actionplan_event.txt", {"plan": plan, "event": event, "actor": actor, "link": link, **extra}
    )
    subject = SUBJECTS[event].format(authority=plan.authority.name, year=plan.year_label)
    send_email_on_commit(subject=subject, body=body, to=recipients, receipt=receipt)
    return 1
