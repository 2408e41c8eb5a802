"""The return's integrity rules, used by every write (issue 12):

- every write names the version it was built on (`expected_version`, and for the API's If-Match
  also `expected_status`); under the row lock, a write built on anything else is refused with who
  moved the return on, when, and which figures changed (`check_version`, a StaleWrite);
- an explanation belongs to its warning (rule, service, indicator), so each new version carries the
  latest explanation of every warning that still stands (`carry_explanations`); one whose figures a
  change alters is carried too, to be kept or edited, and the pages say so before saving
  (`explanations_affected`).
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from submissions.models import Return, ReturnEvent, ReturnVersion, WarningExplanation
from submissions.schema import ReturnData
from submissions.validation import diff
from wres_portal.concurrency import Change, StaleWrite, when

from . import warnings as _warnings

_DID: dict[str, str] = {
    ReturnEvent.Action.SAVED: "saved version {number}",
    ReturnEvent.Action.SUBMITTED: "submitted it",
    ReturnEvent.Action.SIGNED_OFF: "signed it off",
    ReturnEvent.Action.ACCEPTED: "accepted it",
    ReturnEvent.Action.RETURNED: "returned it for revision as version {number}",
}


def figure_changes(old: ReturnData, new: ReturnData) -> list[Change]:
    """Every count that differs, as "Adult social care: headcount, White: 120 → 125"."""
    return [Change(c.label, c.old, c.new) for c in diff(old, new)]


def check_version(
    record: Return,
    expected_version: int | None,
    *,
    refused: str,
    expected_status: str | None = None,
    expected_explanations: str | None = None,
) -> None:
    """Refuse a write built on another state of the return. `record` must be held under
    `select_for_update` in the caller's transaction, so nothing can move it on between this check
    and the write. `expected_version` None (and no `expected_status`) checks nothing: internal
    callers that build on the current version themselves. `refused` says what did not happen.
    `expected_explanations` is the digest of the version's explanations the client read (the last
    part of the state token; "" for none): an explanation written since refuses the write too."""
    number = record.version_number
    version_moved = expected_version is not None and expected_version != number
    status_moved = expected_status is not None and expected_status != record.status
    current = record.current_version
    explained_moved = (
        expected_explanations is not None
        and not version_moved
        and expected_explanations != (current.explanations_digest() if current is not None else "")
    )
    if explained_moved and not status_moved and current is not None:
        _refuse_explained(record, current, refused)
    if not (version_moved or status_moved):
        return
    latest = record.events.select_related("actor", "version").order_by("-at", "-id").first()
    by = latest.actor.display_name if latest else ""
    at = latest.at if latest else record.updated_at
    did = (
        _DID.get(latest.action, "changed it").format(number=latest.version.number) if latest else "changed it"
    )
    changes: list[Change] = []
    if version_moved and expected_version is not None and record.current_version is not None:
        base = record.versions.filter(number=expected_version).first()
        changes = figure_changes(base.data() if base else {}, record.current_version.data())
    status = record.get_status_display().lower()
    situation = (
        f"This return changed after you opened this page: {by or 'someone'} {did} at {when(at)}. "
        f"It is now version {number}, {status}."
    )
    raise StaleWrite(
        f"{situation} {refused}",
        current=record.state_token(),
        changed_by=by,
        changed_at=at,
        changes=changes,
        situation=situation,
    )


def _refuse_explained(record: Return, version: ReturnVersion, refused: str) -> None:
    """The figures and stage are as the client read them, but an explanation changed since."""
    latest = version.explanations.select_related("written_by").order_by("-updated_at", "-id").first()
    by = latest.written_by.display_name if latest else "someone"
    at = latest.updated_at if latest else record.updated_at
    situation = (
        f"The explanations of this return's warnings changed after you opened this page: {by} "
        f"saved one at {when(at)}."
    )
    changes = [Change(f"Explanation of “{latest.figures}”", "", latest.text)] if latest else []
    raise StaleWrite(
        f"{situation} {refused}",
        current=record.state_token(),
        changed_by=by,
        changed_at=at,
        changes=changes,
        situation=situation,
    )


def carry_explanations(
    record: Return, version: ReturnVersion, *, user: User, given: dict[str, str] | None = None
) -> None:
    """Give a new version the explanations of its warnings: for each warning it has, the text the
    person just gave (`given`, written about these figures), else the latest explanation of that
    warning on any earlier version of the return, as it was. A key given with an empty text was
    cleared on purpose and is not carried. Nothing is computed when there is nothing to carry."""
    given = {key: text.strip() for key, text in (given or {}).items()}
    latest: dict[str, WarningExplanation] = {}
    for explanation in (
        WarningExplanation.objects.filter(version__return_record=record)
        .exclude(version=version)
        .order_by("version__number", "id")
    ):
        latest[explanation.warning_key] = explanation
    if not latest and not any(given.values()):
        return
    rows = []
    for warning in _warnings.version_warnings(version):
        earlier = latest.get(warning.key)
        if given.get(warning.key):
            text, figures, author = given[warning.key], warning.message, user
        elif warning.key in given or earlier is None:
            continue
        else:
            text, figures, author = earlier.text, earlier.figures, earlier.written_by
        rows.append(
            WarningExplanation(
                authority=record.authority,
                version=version,
                warning_key=warning.key,
                text=text,
                figures=figures,
                written_by=author,
            )
        )
    WarningExplanation.objects.bulk_create(rows)


@dataclass(frozen=True)
class AffectedExplanation:
    """An explained warning a change touches: `after` is the warning with the new figures (None:
    the warning no longer applies), `explanation` the text written about the figures before."""

    key: str
    before: str
    after: str | None
    explanation: WarningExplanation


def explanations_affected(record: Return | None, data: ReturnData) -> list[AffectedExplanation]:
    """The current version's explanations whose warning the new figures alter (same warning, other
    figures) or end. Shown before saving, with the earlier text to keep or edit."""
    version = record.current_version if record is not None else None
    if version is None:
        return []
    explanations = {e.warning_key: e for e in version.explanations.select_related("written_by")}
    if not explanations:
        return []
    before = {w.key: w.message for w in _warnings.version_warnings(version)}
    after = {w.key: w.message for w in _warnings.data_warnings(record, data)}  # type: ignore[arg-type]
    affected = []
    for key, explanation in explanations.items():
        if key not in before:
            continue
        if after.get(key) != before[key]:
            affected.append(AffectedExplanation(key, before[key], after.get(key), explanation))
    return affected
