from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import PROGRAMME_LEADS, require
from submissions.models import (
    Return,
    ReturnVersion,
    WarningExplanation,
)
from submissions.schema import ReturnData
from submissions.signals import warning_inputs
from submissions.validation import check_data, compute_warnings
from wres_portal.errors import ApplicationError, StateConflict

from . import integrity
from .common import _lock


def version_warnings(version: ReturnVersion) -> list:
    """The warnings of spec section 2 for a version, with the context they need (the metric values
    and reference ranges from the apps above, through the warning_inputs signal)."""
    return data_warnings(version.return_record, version.data(), version=version)


def data_warnings(record: Return, data: ReturnData, *, version: ReturnVersion | None = None) -> list:
    """The warnings figures would have in this return, saved or not (pages warn before saving).
    Unsaved figures are asked about as an unsaved version of the return."""
    version = version or ReturnVersion(authority=record.authority, return_record=record)
    previous = (
        Return.objects.filter(authority=record.authority, round__opens_on__lt=record.round.opens_on)
        .exclude(current_version=None)
        .exclude(status=Return.Status.DRAFT)
        .select_related("current_version")
        .order_by("-round__opens_on")
        .first()
    )
    previous_headcount = None
    if previous is not None:
        previous_headcount = {}
        for key, counts in previous.current().data().items():
            if key.measure == "headcount":
                previous_headcount[key.service] = sum(counts.values())
    inputs: dict[str, Any] = {}
    for _receiver, response in warning_inputs.send(sender=None, version=version, data=data):
        if isinstance(response, dict):
            inputs.update(response)
    return compute_warnings(
        data,
        previous_headcount=previous_headcount,
        metric_values=inputs.get("metric_values"),
        reference_ranges=inputs.get("reference_ranges"),
        metric_names=inputs.get("metric_names"),
    )


def unexplained_warnings(version: ReturnVersion, warnings: list | None = None) -> list:
    """The version's warnings (computed unless the caller already has them) still without an
    explanation written or kept about their figures as they are now."""
    explained = {e.warning_key: e for e in version.explanations.all()}
    return [
        w
        for w in (version_warnings(version) if warnings is None else warnings)
        if not (w.key in explained and explained[w.key].is_current_for(w.message))
    ]


@transaction.atomic
def warning_explain(
    *,
    record: Return,
    key: str,
    text: str,
    user: User,
    expected_version: int | None = None,
    expected_status: str | None = None,
    expected_explanations: str | None = None,
) -> WarningExplanation:
    """Record (or keep) the council's explanation of a warning on the current version, about the
    warning's figures as they are now. With `expected_version`, refused if the return moved on."""
    record = _lock(record)
    require(user, record.authority, PROGRAMME_LEADS, "explain warnings")
    integrity.check_version(
        record,
        expected_version,
        expected_status=expected_status,
        expected_explanations=expected_explanations,
        refused="Your explanation has not been saved yet: it is kept below. Check the warning and save "
        "again.",
    )
    if not record.is_editable():
        raise StateConflict("Warnings can only be explained while the return is a draft.")
    version = record.current_version
    warning = next((w for w in version_warnings(version) if w.key == key), None) if version else None
    if warning is None:
        raise StateConflict("This warning no longer applies to the return.")
    if not text.strip():
        raise ApplicationError("Enter an explanation of the warning.", field="text")
    explanation, _ = WarningExplanation.objects.update_or_create(
        version=version,
        warning_key=key,
        defaults={
            "authority": record.authority,
            "text": text.replace("\r\n", "\n").strip(),
            "figures": warning.message,
            "written_by": user,
        },
    )
    return explanation


def earlier_explanation(record: Return, key: str) -> WarningExplanation | None:
    """The latest explanation of a warning on any version of the return, to offer again."""
    return (
        WarningExplanation.objects.filter(version__return_record=record, warning_key=key)
        .select_related("written_by")
        .order_by("-version__number")
        .first()
    )


def is_late(record: Return, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return today > record.round.closes_on_for(record.authority)


def submission_blockers(record: Return, warnings: list | None = None) -> list[str]:
    """Everything that stops the programme lead submitting, in plain English. Pages that have
    already computed the version's warnings pass them in, so they are not worked out twice."""
    version = record.current_version
    if version is None:
        return ["Upload the return or type it in before submitting."]
    data = version.data()
    blockers = [p.message for p in check_data(data)]
    explained = {e.warning_key for e in version.explanations.all()}
    for warning in unexplained_warnings(version, warnings):
        if warning.key in explained:
            blockers.append(
                f"Check your explanation still applies, as the figures changed: {warning.message}"
            )
        else:
            blockers.append(f"Explain this warning: {warning.message}")
    return blockers
