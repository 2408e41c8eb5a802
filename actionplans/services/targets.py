"""Measurable targets and their evaluation from stored results."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Authority, User
from accounts.permissions import PROGRAMME_LEADS, require
from actionplans.models import (
    Objective,
    Target,
)
from metrics.calculations import INDICATORS_BY_CODE
from metrics.models import Result
from submissions.models import CollectionRound, ReturnVersion
from submissions.schema import SERVICE_LABELS
from wres_portal.concurrency import row_stale
from wres_portal.errors import ApplicationError

from .common import _changed, _clean, _lock

# Targets -------------------------------------------------------------------------------------------


@transaction.atomic
def target_create(
    *,
    objective: Objective,
    user: User,
    indicator: str,
    service: str,
    comparison: str,
    value: float,
    round_label: str,
    expected_objective: str | None = None,
) -> Target:
    """Add a measurable target to an objective (programme lead), evaluated at once. With
    `expected_objective` (the objective's `timestamp_token` as the page showed it), a target for an
    objective reworded since is refused (StaleWrite), so it is never added to an aim nobody read."""
    plan = _lock(objective.plan)
    require(user, plan.authority, PROGRAMME_LEADS, "set targets")
    current = Objective.objects.select_related("updated_by").filter(pk=objective.pk).first()
    if current is None:
        raise ApplicationError(
            "The objective was removed by someone else after you opened this page, so the target was "
            "not saved."
        )
    objective = current
    row_stale(
        objective,
        expected_objective,
        f"Objective {objective.number}",
        refused="Your target has not been saved yet: it is kept below. Check the objective, then save again.",
    )
    _check_target(
        plan_year=plan.year,
        indicator=indicator,
        service=service,
        comparison=comparison,
        round_label=round_label,
    )
    target = Target(
        authority=plan.authority,
        plan=plan,
        objective=objective,
        indicator=indicator,
        service=service,
        comparison=comparison,
        value=value,
        round_label=_clean(round_label),
    )
    target.full_clean()
    target.save()
    _store_outcome(target)
    _changed(plan)
    return target


def _check_target(*, plan_year: int, indicator: str, service: str, comparison: str, round_label: str) -> None:
    if indicator not in INDICATORS_BY_CODE:
        raise ApplicationError("Choose a metric from the list.", field="indicator")
    if service not in SERVICE_LABELS:
        raise ApplicationError("Choose a service from the list.", field="service")
    if comparison not in Target.Comparison.values:
        raise ApplicationError("Choose at least or at most.", field="comparison")
    if not _clean(round_label):
        raise ApplicationError(
            f"Enter the round the target is for, for example {plan_year + 1}.", field="round_label"
        )
    problem = Target.round_problem(plan_year, round_label)
    if problem:  # the form says the same; held here too, so the API and every caller keep to it
        raise ApplicationError(f"{problem}.", field="round_label")


TARGET_FIELDS = ("indicator", "service", "comparison", "value", "round_label")


@transaction.atomic
def target_update(*, target: Target, user: User, expected_state: str | None = None, **fields: Any) -> Target:
    """Change a target's metric, service, comparison, value or round (programme lead); it is evaluated
    again. With `expected_state` (its state token as read), a target changed since is not
    overwritten (StaleWrite)."""
    plan = _lock(target.plan)
    require(user, plan.authority, PROGRAMME_LEADS, "change targets")
    target = Target.objects.get(pk=target.pk)
    row_stale(target, expected_state, "The target")
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown field: {sorted(unknown)[0]}.")
    merged = {key: fields.get(key, getattr(target, key)) for key in TARGET_FIELDS}
    _check_target(
        plan_year=plan.year,
        indicator=merged["indicator"],
        service=merged["service"],
        comparison=merged["comparison"],
        round_label=merged["round_label"],
    )
    merged["round_label"] = _clean(merged["round_label"])
    if all(getattr(target, key) == value for key, value in merged.items()):
        return target
    for key, value in merged.items():
        setattr(target, key, value)
    target.full_clean()
    target.save()
    _store_outcome(target)
    _changed(plan)
    return target


@transaction.atomic
def target_delete(*, target: Target, user: User, expected_state: str | None = None) -> None:
    """Remove a target (programme lead). With `expected_state` (the target's `timestamp_token` as
    the page asking showed it), a target changed since is not removed (StaleWrite)."""
    plan = _lock(target.plan)
    require(user, plan.authority, PROGRAMME_LEADS, "remove targets")
    current = Target.objects.filter(pk=target.pk).first()
    if current is None:
        raise ApplicationError("This target had already been removed by someone else.")
    target = current
    row_stale(
        target,
        expected_state,
        "The target",
        refused="It has not been removed. Check it as it is now, then remove it again if you still want to.",
    )
    target.delete()
    _changed(plan)


def target_evaluate(target: Target, *, today: datetime.date | None = None) -> tuple[str, float | None]:
    """Met, not met, no data, or awaiting results, from the stored results of the target's round.

    The figure is the headline value (`metrics.services.headline`) of the latest version of the
    council's return for that round that has results. No results once the round has closed for the
    council (after any extension) is "no data"; so is a figure that cannot be calculated.
    """
    row = (
        Result.objects.filter(
            authority_id=target.authority_id,
            round__label=target.round_label,
            service=target.service,
            indicator=target.indicator,
        )
        .order_by("-version__number")
        .first()
    )
    if row is None:
        collection_round = CollectionRound.objects.filter(label=target.round_label).first()
        today = today or timezone.localdate()
        if collection_round and today > collection_round.closes_on_for(target.authority):
            return Target.Outcome.NO_DATA, None
        return Target.Outcome.AWAITING, None
    if row.value is None:
        return Target.Outcome.NO_DATA, None
    met = (
        row.value >= target.value
        if target.comparison == Target.Comparison.AT_LEAST
        else row.value <= target.value
    )
    return (Target.Outcome.MET if met else Target.Outcome.NOT_MET), row.value


def _store_outcome(target: Target) -> bool:
    outcome, value = target_evaluate(target)
    if (outcome, value) == (target.outcome, target.actual_value) and target.evaluated_at:
        return False
    target.outcome, target.actual_value, target.evaluated_at = outcome, value, timezone.now()
    target.save(update_fields=["outcome", "actual_value", "evaluated_at", "updated_at"])
    return True


def targets_evaluate(*, authority: Authority | None = None, round_label: str | None = None) -> int:
    """Work out and store the outcome of targets (of one council and/or one round); returns how many
    changed. Called when a round's results are computed, nightly, and safe to run any number of times."""
    targets = Target.objects.select_related("authority")
    if authority is not None:
        targets = targets.filter(authority=authority)
    if round_label is not None:
        targets = targets.filter(round_label=round_label)
    return sum(_store_outcome(t) for t in targets)


def targets_evaluate_for_version(version_id: int) -> int:
    """After a version's results are stored, re-evaluate the targets of that council for that round."""
    version = ReturnVersion.objects.select_related("authority", "return_record__round").get(pk=version_id)
    return targets_evaluate(authority=version.authority, round_label=version.return_record.round.label)


def targets_evaluate_for_versions(version_ids: list[int]) -> int:
    """`targets_evaluate_for_version` for a batch (metrics' results_stored signal, received in
    actionplans/receivers.py): one query finds the
    councils and rounds among the versions that have any target, and only those are evaluated."""
    versions = ReturnVersion.objects.filter(
        pk__in=version_ids, authority__in=Target.objects.values("authority")
    ).select_related("authority", "return_record__round")
    pairs = {(version.authority, version.return_record.round.label) for version in versions}
    return sum(targets_evaluate(authority=authority, round_label=label) for authority, label in pairs)
