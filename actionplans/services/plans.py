"""Plans, their objectives and actions, sign-off, publishing and roll forward."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Authority, User
from accounts.permissions import (
    PLAN_PUBLISHERS,
    PROGRAMME_LEADS,
    PROGRESS_WRITERS,
    SENIOR_SPONSORS,
    has_role,
    require,
)
from actionplans.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Objective,
    PlanVersion,
    QuarterlyReport,
    Target,
    WhatWeKnow,
)
from actionplans.presenters import (
    latest_results,
    metrics_data,
    plan_document,
    what_we_know_suggestions,
)
from actionplans.themes import METRICS, Theme
from metrics.calculations import INDICATORS_BY_CODE
from wres_portal.concurrency import StaleWrite, document_token, row_stale, timestamp_token, when
from wres_portal.errors import ApplicationError, StateConflict

from .common import HEADER_FIELDS, STAFF_VOICE_FIELDS, _changed, _check_declaration, _clean, _lock, _notify
from .targets import _store_outcome, target_evaluate

# Plans ---------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, authority: Authority, year: int, user: User) -> ActionPlan:
    """Start a plan for a plan year (programme lead). One plan per council per year; the "what we
    know" table is pre-filled from the council's latest results."""
    require(user, authority, PROGRAMME_LEADS, "start an action plan")
    if ActionPlan.objects.filter(authority=authority, year=year).exists():
        raise StateConflict(f"{authority.name} already has a plan for {year} to {year + 1}.", field="year")
    plan = ActionPlan(authority=authority, year=year, created_by=user)
    plan.full_clean()
    plan.save()
    _prefill_what_we_know(plan)
    return plan


def _prefill_what_we_know(plan: ActionPlan) -> None:
    results = latest_results(plan.authority)
    suggestions = what_we_know_suggestions(results)
    WhatWeKnow.objects.bulk_create(
        WhatWeKnow(
            authority=plan.authority,
            plan=plan,
            metric=metric,
            text=suggestions[metric],
            source_round=results.round_label if suggestions[metric] else "",
        )
        for metric in METRICS
    )


def header_state(plan: ActionPlan, names: Iterable[str] = HEADER_FIELDS) -> str:
    """The plan's details (the header fields `names`, those a form shows) as a token: a change to
    an objective elsewhere in the plan, or to a field the form does not show, does not make the
    page stale; a change to what it shows does."""
    return document_token({name: getattr(plan, name) for name in sorted(names)})


def what_we_know_state(plan: ActionPlan) -> str:
    """The "what we know" lines as a form showed them, as a token."""
    return document_token(dict(plan.what_we_know.values_list("metric", "text")))


def objective_state(objective: Objective) -> str:
    """An objective with its actions and targets, as a page asking to remove them showed them: an
    action or target added since makes the removal stale."""
    return document_token(
        {
            "objective": timestamp_token(objective.updated_at),
            "actions": sorted(
                (str(pk), timestamp_token(at)) for pk, at in objective.actions.values_list("pk", "updated_at")
            ),
            "targets": sorted(str(pk) for pk in objective.targets.values_list("pk", flat=True)),
        }
    )


_NOT_REMOVED = "It has not been removed. Check it as it is now, then remove it again if you still want to."


def _still(rows: Any, what: str) -> Any:
    """The row, read again under the plan's lock; gone means someone removed it meanwhile."""
    row = rows.first()
    if row is None:
        raise ApplicationError(f"This {what} had already been removed by someone else.")
    return row


def _stale(what: str, expected: str | None, current: str, refused: str) -> None:
    """Refuse a write built on another state of a part of the plan that has no `updated_by`."""
    if expected is None or expected == current:
        return
    raise StaleWrite(f"{what} changed after you opened this page. {refused}", current=current)


@transaction.atomic
def plan_update(
    *,
    plan: ActionPlan,
    user: User,
    expected_state: str | None = None,
    expected_details: str | None = None,
    **fields: Any,
) -> ActionPlan:
    """Change the plan's header. Programme leads change any of it; staff voice leads only the staff
    voice summary. With `expected_state` (the plan's `updated_at` token as read: the API's ETag), a
    plan changed since is refused (StaleWrite); with `expected_details` (`header_state` as a page
    showed it), only a change to the details themselves refuses the save."""
    plan = _lock(plan)
    row_stale(plan, expected_state, "The plan")
    _stale(
        "The plan's details",
        expected_details,
        header_state(plan, fields),
        "Your changes have not been saved yet: they are kept below, beside the details as they are now. "
        "Check them and save again.",
    )
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown field: {sorted(unknown)[0]}.")
    changing = {k for k, v in fields.items() if getattr(plan, k) != (_clean(v) if isinstance(v, str) else v)}
    if has_role(user, plan.authority, PROGRAMME_LEADS):
        pass
    elif has_role(user, plan.authority, PROGRESS_WRITERS):  # the staff voice lead: some fields only
        if changing - STAFF_VOICE_FIELDS:
            raise ApplicationError("A staff voice lead can change only the staff voice summary.")
    else:
        raise ApplicationError("Only the council's programme lead or staff voice lead can change the plan.")
    for key, value in fields.items():
        setattr(plan, key, _clean(value) if isinstance(value, str) else value)
    plan.full_clean()
    plan.save(update_fields=[*fields, "updated_at"])
    if changing:
        _changed(plan)
    return plan


@transaction.atomic
def what_we_know_update(
    *, plan: ActionPlan, user: User, lines: dict[str, str], expected_state: str | None = None
) -> ActionPlan:
    """Replace the "what we know" lines (programme lead); metrics not given keep their text.
    With `expected_state` (`what_we_know_state` as the page showed it), lines changed since refuse it."""
    plan = _lock(plan)
    require(user, plan.authority, PROGRAMME_LEADS, "change what the plan says we know")
    _stale(
        "What the plan says we know",
        expected_state,
        what_we_know_state(plan),
        "Your changes have not been saved yet: they are kept below, beside the lines as they are now. "
        "Check them and save again.",
    )
    changed = False
    for metric, text in lines.items():
        if metric not in METRICS:
            raise ApplicationError(f"There is no metric {metric}.")
        line, _ = WhatWeKnow.objects.get_or_create(
            plan=plan, metric=metric, defaults={"authority": plan.authority}
        )
        if line.text != _clean(text):
            line.text = _clean(text)
            line.save(update_fields=["text", "updated_at"])
            changed = True
    if changed:
        _changed(plan)
    return plan


# Objectives and actions ----------------------------------------------------------------------------

OBJECTIVE_FIELDS = (
    "text",
    "themes",
    "related_indicators",
    "leads",
    "data_note",
    "indicators_of_improvement",
    "timeframe",
)
ACTION_FIELDS = ("text", "lead", "due_date", "status")


def _check_objective(fields: dict[str, Any]) -> None:
    if "text" in fields and not _clean(fields["text"]):
        raise ApplicationError("Enter the objective.", field="text")
    if set(fields.get("themes") or []) - set(Theme.values):
        raise ApplicationError("Choose WRES themes from the list.", field="themes")
    if set(fields.get("related_indicators") or []) - set(INDICATORS_BY_CODE):
        raise ApplicationError("Choose metrics from the list.", field="related_indicators")


def _set(obj: Any, fields: dict[str, Any]) -> bool:
    changed = False
    for key, value in fields.items():
        value = _clean(value) if isinstance(value, str) else value
        if isinstance(value, list):
            value = list(dict.fromkeys(value))
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


@transaction.atomic
def objective_create(*, plan: ActionPlan, user: User, **fields: Any) -> Objective:
    """Add an objective (programme lead), numbered after the last one."""
    plan = _lock(plan)
    require(user, plan.authority, PROGRAMME_LEADS, "add objectives")
    _check_objective({"text": "", **fields})
    last = plan.objectives.order_by("-number").values_list("number", flat=True).first() or 0
    objective = Objective(authority=plan.authority, plan=plan, number=last + 1, updated_by=user)
    _set(objective, {k: v for k, v in fields.items() if k in OBJECTIVE_FIELDS})
    objective.full_clean()
    objective.save()
    _changed(plan)
    return objective


@transaction.atomic
def objective_update(
    *, objective: Objective, user: User, expected_state: str | None = None, **fields: Any
) -> Objective:
    """Change an objective (programme lead).

    `expected_state` is the objective's state token (`timestamp_token(updated_at)`) as the page or
    client read it: if someone saved the objective since, nothing is written (StaleWrite). Checked
    under the plan's row lock, which every change to the plan's objectives and actions takes.
    """
    plan = _lock(objective.plan)
    require(user, plan.authority, PROGRAMME_LEADS, "change objectives")
    objective = Objective.objects.select_related("updated_by").get(pk=objective.pk)
    row_stale(objective, expected_state, f"Objective {objective.number}")
    _check_objective(fields)
    if _set(objective, {k: v for k, v in fields.items() if k in OBJECTIVE_FIELDS}):
        objective.updated_by = user
        objective.full_clean()
        objective.save()
        _changed(plan)
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, user: User, expected_state: str | None = None) -> None:
    """Remove an objective with its actions and targets (programme lead); the rest are renumbered.
    An objective with updates in a signed-off quarterly report stays: that report is a record.
    With `expected_state` (`objective_state` as the page asking showed it), an objective changed
    since, or given an action or target since, is not removed (StaleWrite)."""
    plan = _lock(objective.plan)
    require(user, plan.authority, PROGRAMME_LEADS, "remove objectives")
    objective = _still(Objective.objects.filter(pk=objective.pk), "objective")
    _stale(
        f"Objective {objective.number}, its actions or its targets",
        expected_state,
        objective_state(objective),
        _NOT_REMOVED,
    )
    if ActionUpdate.objects.filter(
        action__objective=objective, report__status=QuarterlyReport.Status.SIGNED_OFF
    ).exists():
        raise StateConflict("This objective has progress in a signed-off quarterly report, so it stays.")
    objective.delete()
    _renumber(plan)
    _changed(plan)


def _renumber(plan: ActionPlan) -> None:
    """Objectives 1, 2, 3...; actions numbered across the plan in objective order, as plans print them.
    Two passes, so the unique numbers never collide mid-way."""
    objectives = list(plan.objectives.order_by("number"))
    actions = list(plan.actions.order_by("objective__number", "number"))
    for offset in (10_000, 0):
        for n, objective in enumerate(objectives, start=1):
            objective.number = n + offset
        Objective.objects.bulk_update(objectives, ["number"])
        for n, action in enumerate(actions, start=1):
            action.number = n + offset
        Action.objects.bulk_update(actions, ["number"])


def _check_action(fields: dict[str, Any]) -> None:
    if "text" in fields and not _clean(fields["text"]):
        raise ApplicationError("Enter the action.", field="text")
    if fields.get("status") and fields["status"] not in Action.Status.values:
        raise ApplicationError("Choose a status from the list.", field="status")


@transaction.atomic
def action_create(*, objective: Objective, user: User, **fields: Any) -> Action:
    """Add an action to an objective (programme lead); actions are renumbered across the plan."""
    plan = _lock(objective.plan)
    require(user, plan.authority, PROGRAMME_LEADS, "add actions")
    _check_action({"text": "", **fields})
    last = plan.actions.order_by("-number").values_list("number", flat=True).first() or 0
    action = Action(
        authority=plan.authority, plan=plan, objective=objective, number=last + 1, updated_by=user
    )
    _set(action, {k: v for k, v in fields.items() if k in ACTION_FIELDS})
    action.full_clean()
    action.save()
    _renumber(plan)
    _changed(plan)
    action.refresh_from_db()
    return action


@transaction.atomic
def action_update(*, action: Action, user: User, expected_state: str | None = None, **fields: Any) -> Action:
    """Change an action: its text, lead, due date or status (programme lead). `expected_state` as
    for objective_update: an action saved by someone else since it was read is not overwritten."""
    plan = _lock(action.plan)
    require(user, plan.authority, PROGRAMME_LEADS, "change actions")
    action = _still(Action.objects.select_related("updated_by").filter(pk=action.pk), "action")
    row_stale(action, expected_state, f"Action {action.number}")
    _check_action(fields)
    if _set(action, {k: v for k, v in fields.items() if k in ACTION_FIELDS}):
        action.updated_by = user
        action.full_clean()
        action.save()
        _changed(plan)
    return action


@transaction.atomic
def action_delete(*, action: Action, user: User, expected_state: str | None = None) -> None:
    """Remove an action (programme lead), unless a signed-off quarterly report records its progress.
    With `expected_state` (the action's `timestamp_token` as the page asking showed it), an action
    changed since is not removed (StaleWrite)."""
    plan = _lock(action.plan)
    require(user, plan.authority, PROGRAMME_LEADS, "remove actions")
    action = _still(Action.objects.select_related("updated_by").filter(pk=action.pk), "action")
    row_stale(action, expected_state, f"Action {action.number}", refused=_NOT_REMOVED)
    if action.updates.filter(report__status=QuarterlyReport.Status.SIGNED_OFF).exists():
        raise StateConflict("This action has progress in a signed-off quarterly report, so it stays.")
    action.delete()
    _renumber(plan)
    _changed(plan)


# Sign-off, publishing, roll forward ------------------------------------------------------------------


def sign_off_blockers(plan: ActionPlan) -> list[str]:
    """What stops the sponsor signing off, in plain English."""
    blockers = []
    if not plan.needs_sign_off():
        blockers.append("This plan has not changed since it was last signed off.")
    objectives = list(plan.objectives.all())
    if not objectives:
        blockers.append("Add at least one objective.")
    with_actions = set(plan.actions.values_list("objective_id", flat=True))
    blockers.extend(f"Add an action to objective {o.number}." for o in objectives if o.pk not in with_actions)
    return blockers


@transaction.atomic
def plan_send_for_sign_off(*, plan: ActionPlan, user: User) -> ActionPlan:
    """The programme lead asks the senior sponsors to sign off the plan as it stands: they are
    emailed a link to the sign-off page, and their home pages list it until it is signed off.
    Refused while something stops a sign-off (sign_off_blockers). Sending again emails again."""
    plan = _lock(plan)
    require(user, plan.authority, PROGRAMME_LEADS, "send the plan for sign-off")
    if not plan.needs_sign_off():
        # A step the plan's state does not allow (409 in the API), not a fault in what was sent.
        raise StateConflict("This plan has not changed since it was last signed off.")
    blockers = sign_off_blockers(plan)
    if blockers:
        raise ApplicationError(blockers[0])
    plan.sent_for_sign_off_at, plan.sent_for_sign_off_by = timezone.now(), user
    plan.save(update_fields=["sent_for_sign_off_at", "sent_for_sign_off_by", "updated_at"])
    _notify(plan, SENIOR_SPONSORS, "plan_sent_for_sign_off", user, page="actionplans:sign_off")
    return plan


def plan_state(plan: ActionPlan) -> str:
    """The plan as a sponsor reads it on the sign-off page, as a token (document_token)."""
    return document_token(plan_document(plan))


def _latest_version(plan: ActionPlan) -> PlanVersion | None:
    return plan.versions.select_related("signed_by").order_by("-number").first()


def plan_sign_off_state(plan: ActionPlan) -> str:
    """What a sign-off through the API names in If-Match: the number of the latest signed version
    and the plan as it reads (`plan_state`), e.g. "1-3f9c...". A sponsor who signed off first moves
    the number on, so a second sponsor sending the same tag is refused rather than told "nothing
    changed"."""
    latest = _latest_version(plan)
    return f"{latest.number if latest else 0}-{plan_state(plan)}"


def parse_plan_sign_off_state(token: str) -> tuple[int, str] | None:
    number, _, state = token.partition("-")
    return (int(number), state) if number.isdigit() and state else None


@transaction.atomic
def plan_sign_off(
    *,
    plan: ActionPlan,
    user: User,
    name: str,
    role: str,
    signed_on: datetime.date,
    declaration: bool,
    expected_state: str | None = None,
    expected_version: int | None = None,
) -> PlanVersion:
    """The senior sponsor signs off the plan as it stands: the objectives' metrics data is frozen and
    the whole plan is stored as a new immutable version. A staff voice lead may never sign off.

    `expected_state` is `plan_state` of the plan the sponsor read: if anything in it changed since
    (an objective, an action, a target, the figures from the results), the sign-off is refused
    (StaleWrite), so what is signed is exactly what was shown. `expected_version` is the number of
    the latest signed version the sponsor saw (0: none): another sign-off since is refused too.
    """
    plan = _lock(plan)
    require(user, plan.authority, SENIOR_SPONSORS, "sign off the action plan")
    if expected_version is not None:
        latest = _latest_version(plan)
        if (latest.number if latest else 0) != expected_version:
            by = latest.signed_by.display_name if latest else ""
            raise StaleWrite(
                f"{by} signed off the plan (version {latest.number}) at {when(latest.signed_at)}, after "
                "you read it. You have not signed it off. Read the plan as it is now, then sign off only "
                "if it still needs it."
                if latest
                else "The plan has not been signed off yet: the state you sent names a version that "
                "does not exist. You have not signed it off. Read the plan again, then sign off.",
                current=plan_sign_off_state(plan),
                changed_by=by,
                changed_at=latest.signed_at if latest else None,
            )
    if expected_state is not None:
        current = plan_state(plan)
        if current != expected_state:
            raise StaleWrite(
                f"The plan changed after you opened this page (last change at {when(plan.updated_at)}). "
                "You have not signed it off. Read the plan as it is now and what changed, then sign "
                "off again.",
                current=plan_sign_off_state(plan),
                changed_at=plan.updated_at,
            )
    blockers = sign_off_blockers(plan)
    if blockers:
        raise ApplicationError(blockers[0])
    _check_declaration(name, role, signed_on, declaration, "action plan")
    now = timezone.now()
    results = latest_results(plan.authority)
    for objective in plan.objectives.all():
        objective.metrics_data = metrics_data(objective.related_indicators, results)
        objective.metrics_data_frozen_at = now
        objective.save(update_fields=["metrics_data", "metrics_data_frozen_at", "updated_at"])
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = PlanVersion.objects.create(
        authority=plan.authority,
        plan=plan,
        number=last + 1,
        document=plan_document(plan, frozen=True),
        signed_by=user,
        signed_at=now,
        declaration=True,
        signatory_name=_clean(name),
        signatory_role=_clean(role),
        signed_on=signed_on,
    )
    plan.status = ActionPlan.Status.SIGNED_OFF
    plan.changed_since_sign_off = False
    plan.signed_version = version
    plan.sent_for_sign_off_at, plan.sent_for_sign_off_by = None, None
    plan.save(
        update_fields=[
            "status",
            "changed_since_sign_off",
            "signed_version",
            "sent_for_sign_off_at",
            "sent_for_sign_off_by",
            "updated_at",
        ]
    )
    _notify(plan, PROGRAMME_LEADS, "plan_signed_off", user)
    return version


@transaction.atomic
def plan_publish(*, plan: ActionPlan, user: User, expected_state: str | None = None) -> ActionPlan:
    """Publish the last signed-off version at the plan's public address (programme lead or sponsor).
    Later changes appear there only once signed off again. With `expected_state` (the plan's state
    token as read), a plan changed since is not published (StaleWrite)."""
    plan = _lock(plan)
    require(user, plan.authority, PLAN_PUBLISHERS, "publish the action plan")
    row_stale(plan, expected_state, "The plan")
    if plan.signed_version_id is None:
        raise StateConflict(
            "Only a signed-off plan can be published. Ask your senior sponsor to sign it off."
        )
    if not plan.is_published:
        plan.is_published = True
        plan.published_at = timezone.now()
        plan.save(update_fields=["is_published", "published_at", "updated_at"])
    return plan


@transaction.atomic
def plan_withdraw(*, plan: ActionPlan, user: User, expected_state: str | None = None) -> ActionPlan:
    """Take the plan off its public address (programme lead or sponsor); the address then answers 404.
    `expected_state` as for plan_publish."""
    plan = _lock(plan)
    require(user, plan.authority, PLAN_PUBLISHERS, "withdraw the action plan")
    row_stale(plan, expected_state, "The plan")
    if not plan.is_published:
        raise StateConflict("This plan is not published.")
    plan.is_published = False
    plan.save(update_fields=["is_published", "updated_at"])
    return plan


def _unfinished(objective: Objective) -> list[Action]:
    return [a for a in objective.actions.order_by("number") if a.status != Action.Status.COMPLETE]


@transaction.atomic
def plan_roll_forward(*, plan: ActionPlan, user: User) -> ActionPlan:
    """Start next year's plan from this one (programme lead): the header is copied, "what we know" is
    pre-filled again from the latest results, and every unfinished objective (one with an action not
    complete, or with no actions) comes over with its unfinished actions and targets not yet met."""
    plan = _lock(plan)
    require(user, plan.authority, PROGRAMME_LEADS, "roll the plan forward")
    year = plan.year + 1
    if ActionPlan.objects.filter(authority=plan.authority, year=year).exists():
        raise StateConflict(f"There is already a plan for {year} to {year + 1}.")
    new = ActionPlan(
        authority=plan.authority,
        year=year,
        created_by=user,
        rolled_forward_from=plan,
        **{f: getattr(plan, f) for f in HEADER_FIELDS},
    )
    new.full_clean()
    new.save()
    _prefill_what_we_know(new)
    number = action_number = 0
    for objective in plan.objectives.prefetch_related("targets").order_by("number"):
        actions = _unfinished(objective)
        if objective.actions.exists() and not actions:
            continue
        number += 1
        copy = Objective.objects.create(
            authority=plan.authority,
            plan=new,
            number=number,
            carried_over_from=objective,
            **{f: getattr(objective, f) for f in OBJECTIVE_FIELDS},
        )
        for action in actions:
            action_number += 1
            Action.objects.create(
                authority=plan.authority,
                plan=new,
                objective=copy,
                number=action_number,
                carried_over_from=action,
                **{f: getattr(action, f) for f in ACTION_FIELDS},
            )
        for target in objective.targets.all():
            if target_evaluate(target)[0] != Target.Outcome.MET:
                target_create_copy = Target(
                    authority=plan.authority,
                    plan=new,
                    objective=copy,
                    indicator=target.indicator,
                    service=target.service,
                    comparison=target.comparison,
                    value=target.value,
                    round_label=target.round_label,
                )
                if Target.round_problem(new.year, target.round_label):
                    # The rule for the new plan's targets (Target.round_problem): a round the new plan
                    # cannot aim at moves to its earliest, so the copy can be edited as it stands.
                    target_create_copy.round_label = str(new.year + 1)
                target_create_copy.save()
                _store_outcome(target_create_copy)
    return new
