"""The audit trail: one append-only event table per tracked model, written by PostgreSQL triggers
(django-pghistory), so every insert, update and delete is caught, including `QuerySet.update()`,
`bulk_create()` and imports, whichever code path makes them.

Each event row is a snapshot of the tracked row (after an insert or update, before a delete), the
time, a label (insert, update, delete) and the context of the change as JSON: the acting user's id
and the URL for web requests, or the task or command for background work (see `context.py`).
"What changed" is the difference between an event and the previous event of the same object.

The tracked models all have an `authority` column (Authority's own events use the object id and
Benchmark rows are national), kept in the snapshot and indexed, so a council's history is one query.

Triggers and the append-only protection are PostgreSQL-only: with `PGTRIGGER_MIGRATIONS = False`
they are installed after every `migrate` (`PGTRIGGER_INSTALL_ON_MIGRATE`), and on SQLite (the local
demo and test run) nothing is installed: the tables exist but stay empty. CI proves the triggers on
PostgreSQL (tests/audit/).
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.db import models

from accounts.models import ApiToken, Authority, Invitation, Membership, SecurityEvent, User
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
from metrics.models import Benchmark, Result, VersionResults
from submissions.models import (
    ClosingDateExtension,
    ExtractMapping,
    Return,
    ReturnEvent,
    ReturnRow,
    ReturnVersion,
    WarningExplanation,
)


def _track(
    model: type[models.Model],
    *,
    exclude: list[str] | None = None,
    trackers: tuple[pghistory.Tracker, ...] | None = None,
) -> type[Any]:
    """Create the event model `<Model>History` in this app and register its triggers. Typed Any:
    its fields are the tracked model's, copied at run time, which no type checker sees.

    `exclude`: columns never copied into the trail (secrets and their hashes, and columns that
    change on every use); a change to those alone writes no event.
    """
    return pghistory.create_event_model(
        model,
        *(trackers or (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())),
        exclude=exclude,
        # Denormalised context: who and where are stored in the event row itself, so they are
        # covered by the append-only protection and need no join.
        context_field=pghistory.ContextJSONField(),
        context_id_field=pghistory.ContextUUIDField(),
        obj_field=pghistory.ObjForeignKey(related_name="audit_events", related_query_name="audit_event"),
        append_only=True,
        model_name=f"{model.__name__}History",
        app_label="audit",
        abstract=False,
        # The history pages read events newest first across every table (audit.history): with this
        # index each table is read backwards from its newest event as far as the page needs, not
        # scanned and sorted whole (130 ms at 20,000 organisations, growing with the history).
        meta={
            "ordering": ["-pgh_id"],
            "indexes": [
                models.Index(fields=["pgh_created_at", "pgh_id"], name=f"{model.__name__.lower()}_h_at")
            ],
        },
    )


AuthorityHistory = _track(Authority)
MembershipHistory = _track(Membership)
ReturnHistory = _track(Return)
ReturnVersionHistory = _track(ReturnVersion)
ReturnRowHistory = _track(ReturnRow)
WarningExplanationHistory = _track(WarningExplanation)
ReturnEventHistory = _track(ReturnEvent)
VersionResultsHistory = _track(VersionResults)
# Result rows are not audited row by row (issue 18): each is the headline of one entry of its
# version's results document, which VersionResultsHistory records whole, once per version, with the
# context that computed it; the document itself is a pure function of the version's rows (audited in
# ReturnRowHistory). A trigger per result row (36 per version, 720,000 for a national recompute at
# 20,000) recorded nothing the document does not, and was the largest cost of a recompute. The event
# table stays, with the events recorded before, for the history pages; no new ones are written.
ResultHistory = _track(Result, trackers=(pghistory.ManualEvent("manual"),))  # no trigger
BenchmarkHistory = _track(Benchmark)
ActionPlanHistory = _track(ActionPlan)
WhatWeKnowHistory = _track(WhatWeKnow)
ObjectiveHistory = _track(Objective)
ActionHistory = _track(Action)
TargetHistory = _track(Target)
PlanVersionHistory = _track(PlanVersion)
QuarterlyReportHistory = _track(QuarterlyReport)
ActionUpdateHistory = _track(ActionUpdate)
InvitationHistory = _track(Invitation, exclude=["token_hash"])
ClosingDateExtensionHistory = _track(ClosingDateExtension)
ExtractMappingHistory = _track(ExtractMapping)
# Accounts and their security: users' roles and flags (not the password hash or the last sign-in,
# which SecurityEvent covers), API tokens (not the key's hash, nor when last used), and the security
# events themselves (only ever inserted).
UserHistory = _track(User, exclude=["password", "last_login"])
ApiTokenHistory = _track(ApiToken, exclude=["key_hash", "last_used_at", "roles_fingerprint"])
SecurityEventHistory = _track(SecurityEvent, trackers=(pghistory.InsertEvent(),))
