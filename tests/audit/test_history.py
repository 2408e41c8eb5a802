"""The audit trail (issue 6): every change to returns, results, memberships and authorities is
recorded by PostgreSQL triggers with who, when and before/after, including bulk updates and the
import path's bulk_create; a council reads only its own history, analysts read all of it, and no
one can change it through the application.

The trigger tests need PostgreSQL: they skip locally on SQLite and fail in CI if it is missing
(WRES_REQUIRE_SERVICES=1). The access tests run everywhere.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import DatabaseError, transaction
from django.urls import reverse

from accounts.models import Membership, Role
from audit import models as audit_models
from audit.context import history_context
from audit.history import TRACKED
from metrics import services as metric_services
from metrics.models import Result
from submissions import services as submission_services
from submissions.models import Return, ReturnRow
from tests.workers import require_postgresql


def _history_url(authority) -> str:
    return reverse("audit:council_history", args=[authority.ons_code])


def _ready_to_submit(record: Return, user) -> Return:
    for warning in submission_services.version_warnings(Return.objects.get(pk=record.pk).current()):
        submission_services.warning_explain(record=record, key=warning.key, text="Checked.", user=user)
    return Return.objects.get(pk=record.pk)


# Access: runs on SQLite and PostgreSQL --------------------------------------------------------------


def test_council_members_read_their_history_and_outsiders_get_404(
    client, authority_a, alice, bob, charlie, analyst
) -> None:
    url = _history_url(authority_a)
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(bob)
    assert client.get(url).status_code == 200
    client.force_login(alice)
    assert client.get(url).status_code == 200
    assert client.get(reverse("audit:national_history")).status_code == 404
    client.force_login(analyst)
    assert client.get(url).status_code == 200
    assert client.get(reverse("audit:national_history")).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to sign-in


def test_the_application_offers_no_way_to_change_events(client, authority_a, alice, analyst) -> None:
    client.force_login(alice)
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(_history_url(authority_a)).status_code == 405
    client.force_login(analyst)
    assert client.post(reverse("audit:national_history")).status_code == 405
    # Not in the admin either, and no API route names them.
    for tracked in TRACKED:
        assert tracked.event_model not in admin.site._registry
    from django.urls import get_resolver

    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not any("history" in r for r in routes if r.startswith("api/"))


# Triggers: PostgreSQL only (CI) ---------------------------------------------------------------------


@pytest.fixture
def postgresql():
    require_postgresql()


def test_import_bulk_create_and_bulk_update_are_recorded_with_before_and_after(
    postgresql, draft, alice, analyst
) -> None:
    version = draft.current_version
    rows = ReturnRow.objects.filter(version=version)
    # The draft fixture wrote its rows with one COPY (submissions/rows.py).
    inserted = audit_models.ReturnRowHistory.objects.filter(version_id=version.pk, pgh_label="insert")
    assert inserted.count() == rows.count() > 10

    with history_context(user=analyst.pk, source="test:bulk"):
        changed = rows.filter(service=rows[0].service).update(unknown=999)
        Return.objects.filter(pk=draft.pk).update(late_reason="Bulk correction")
    assert changed > 1
    updates = audit_models.ReturnRowHistory.objects.filter(version_id=version.pk, pgh_label="update")
    assert updates.count() == changed
    for event in updates:
        assert event.unknown == 999
        assert event.pgh_context == {"user": analyst.pk, "source": "test:bulk"}
        before = (
            audit_models.ReturnRowHistory.objects.filter(pgh_obj_id=event.pgh_obj_id, pgh_id__lt=event.pgh_id)
            .order_by("-pgh_id")
            .first()
        )
        assert before is not None and before.unknown != 999
    return_update = (
        audit_models.ReturnHistory.objects.filter(pgh_obj_id=draft.pk, pgh_label="update")
        .order_by("-pgh_id")
        .first()
    )
    assert return_update.late_reason == "Bulk correction"


def test_history_page_shows_who_when_and_before_after(
    postgresql, client, draft, alice, charlie, analyst, django_capture_on_commit_callbacks
) -> None:
    record = _ready_to_submit(draft, alice)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("submissions:submit", args=[record.authority.ons_code, record.round.label]),
            {"version": str(record.version_number)},
        )
    assert response.status_code in (200, 302)
    record.refresh_from_db()
    assert record.status == Return.Status.SUBMITTED
    # The web request's user and URL were recorded with the change (HistoryMiddleware).
    submitted = audit_models.ReturnHistory.objects.filter(pgh_obj_id=record.pk, status="submitted").first()
    assert submitted.pgh_label == "update"
    assert submitted.pgh_context["user"] == alice.pk
    assert submitted.pgh_context["url"].endswith("/submit/")
    # The results computed after submission (an eager task here) are recorded too.
    assert audit_models.VersionResultsHistory.objects.filter(version_id=record.current_version_id).exists()

    # A membership change by an analyst, and the page that shows it.
    membership = Membership.objects.get(user=alice, authority=record.authority)
    with history_context(user=analyst.pk):
        Membership.objects.filter(pk=membership.pk).update(role=Role.STAFF_VOICE_LEAD)
    page = client.get(_history_url(record.authority), {"model": "membership"})
    text = page.content.decode()
    assert "Changed</strong> team membership" in text
    # Roles and statuses in people's words, the member by name (issue 15): never codes or ids.
    assert 'Programme lead → <span class="govuk-visually-hidden">to </span>Staff voice lead' in text
    assert f"{alice.display_name} as staff voice lead" in text
    assert analyst.display_name in text
    page = client.get(_history_url(record.authority), {"model": "return"})
    assert 'Draft → <span class="govuk-visually-hidden">to </span>Submitted' in page.content.decode()
    assert f"{record.round.label} return" in page.content.decode()
    assert alice.display_name in page.content.decode()

    # Scoped: Leeds's programme lead sees none of it, the analyst sees it filtered by council.
    client.force_login(charlie)
    assert client.get(_history_url(record.authority)).status_code == 404
    client.force_login(analyst)
    national = client.get(reverse("audit:national_history"), {"authority": record.authority.ons_code})
    assert f"{alice.display_name} as staff voice lead" in national.content.decode()
    leeds = client.get(
        reverse("audit:national_history"), {"authority": charlie.memberships.get().authority.ons_code}
    )
    assert f"{alice.display_name} as staff voice lead" not in leeds.content.decode()


def test_events_cannot_be_updated_or_deleted_even_with_sql(postgresql, draft) -> None:
    events = audit_models.ReturnRowHistory.objects.filter(version_id=draft.current_version_id)
    assert events.exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        events.update(unknown=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        events.delete()
    assert events.exclude(unknown=0).exists()


def test_results_written_by_a_service_are_recorded_with_their_context(postgresql, draft, alice) -> None:
    version = draft.current_version
    with history_context(source="task:metrics.tasks.compute_version_results"):
        stored = metric_services.results_compute(version=version)
    event = audit_models.VersionResultsHistory.objects.get(pgh_obj_id=stored.pk)
    assert event.pgh_label == "insert"
    assert event.document == stored.document
    assert event.pgh_context == {"source": "task:metrics.tasks.compute_version_results"}


def test_result_rows_are_the_audited_document_and_are_not_audited_row_by_row(postgresql, draft) -> None:
    """Issue 18: the headline rows are a projection of the results document, which is audited whole
    (once per version); every row can be rebuilt from the recorded event, so no trigger fires per
    row (it was the largest cost of a national recompute)."""
    version = draft.current_version
    stored = metric_services.results_compute(version=version)
    event = audit_models.VersionResultsHistory.objects.get(pgh_obj_id=stored.pk)
    from_audit = {
        (e["service"], e["indicator"]): metric_services.headline(e) for e in event.document["results"]
    }
    rows = {(r.service, r.indicator): r.value for r in Result.objects.filter(version=version)}
    assert rows and rows == {key: from_audit[key] for key in rows}
    assert not audit_models.ResultHistory.objects.filter(version_id=version.pk).exists()


#: Models with an `authority` that are deliberately not in the audit trail (bookkeeping only).
#: Bookkeeping with no figures in it: reminders sent, and a checked upload waiting an hour for its
#: uploader's confirmation (what it becomes on confirmation is a version, which is audited).
#: Bookkeeping rather than council records: reminders sent, previews, the change feed (one entry per
#: audited change, written in the same transaction) and the comparison groups a council was shown
#: (an append-only record that the differencing rule reads). The results page documents are derived:
#: a pure function of audited versions, results and releases, rebuilt whenever those change.
NOT_AUDITED = {
    "submissions.ReminderSent",
    "actionplans.QuarterReminderSent",
    "submissions.UploadPreview",
    "submissions.ChangeFeedEntry",
    "metrics.ComparisonGroup",
    "metrics.ResultsPageDocument",
}


def test_every_council_model_is_tracked() -> None:
    from django.apps import apps

    tracked = {t.event_model.pgh_tracked_model._meta.label for t in TRACKED}
    with_authority = {
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "submissions", "metrics", "actionplans"}
        and any(f.name == "authority" for f in m._meta.concrete_fields)
    }
    assert with_authority - NOT_AUDITED <= tracked
    assert {"accounts.Authority", "metrics.Benchmark", "actionplans.ActionUpdate"} <= tracked


def test_every_tracked_table_has_its_triggers_installed(db, postgresql) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, count(*) FROM pg_trigger WHERE tgname LIKE 'pgtrigger_%%' "
            "GROUP BY 1"
        )
        triggers = dict(cursor.fetchall())
    for tracked in TRACKED:
        model = tracked.event_model.pgh_tracked_model
        # insert, update, delete; security events are only inserted, and refuse updates and deletes;
        # result rows are recorded whole in their version's document (VersionResultsHistory), and
        # keep only the events recorded before issue 18
        expected = {"accounts.SecurityEvent": 2, "metrics.Result": None}.get(model._meta.label, 3)
        assert triggers.get(model._meta.db_table) == expected, model
        assert triggers.get(tracked.event_model._meta.db_table) == 1, tracked.event_model  # append-only


def test_the_trigger_ignore_check_starts_no_subtransaction(db, postgresql) -> None:
    """pgtrigger's own `_pgtrigger_should_ignore` catches an exception per audited row (a
    subtransaction each, 47 s for 72,000 rows in `make bench`); after migrate ours is in place."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = '_pgtrigger_should_ignore'")
        (source,) = cursor.fetchone()
    assert "EXCEPTION" not in source.upper()
    assert "CURRENT_SETTING('pgtrigger.ignore', TRUE)" in source


def test_pgtrigger_ignore_still_skips_the_named_trigger_and_only_inside_the_block(postgresql, draft) -> None:
    """The replacement keeps pgtrigger's semantics: ignored inside `pgtrigger.ignore`, recorded
    again afterwards (when the setting has been emptied rather than unset)."""
    import pgtrigger

    row = ReturnRow.objects.filter(version_id=draft.current_version_id)[0]
    events = audit_models.ReturnRowHistory.objects.filter(pgh_obj_id=row.pk, pgh_label="update")
    with transaction.atomic(), pgtrigger.ignore("submissions.ReturnRow:update_update"):
        ReturnRow.objects.filter(pk=row.pk).update(unknown=row.unknown + 1)
    assert not events.exists()
    ReturnRow.objects.filter(pk=row.pk).update(unknown=row.unknown + 2)
    assert events.count() == 1


def test_history_names_metrics_and_services_never_by_code(postgresql, client, draft, alice) -> None:
    """Issue 15: a target, an objective's metrics and a warning's explanation read in the history as
    metric names ("Metric 2: ..."), never as the codes the database keeps ("m2")."""
    from actionplans import services as plan_services
    from tests.test_no_internal_codes import CODE, visible_text

    plan = plan_services.plan_create(authority=draft.authority, year=2026, user=alice)
    objective = plan_services.objective_create(
        plan=plan, user=alice, text="Fair recruitment.", related_indicators=["m2", "m1_upper"]
    )
    plan_services.target_create(
        objective=objective,
        user=alice,
        indicator="m2",
        service="adults",
        comparison="gte",
        value=0.8,
        round_label="2027",
    )
    _ready_to_submit(draft, alice)
    client.force_login(alice)
    for model in ("objective", "target", "warningexplanation"):
        text = visible_text(client.get(_history_url(draft.authority), {"model": model}).content.decode())
        assert not CODE.search(text), (model, CODE.search(text))
        if model != "warningexplanation":
            assert "Metric 2: Appointment from shortlisting" in text, model
    text = visible_text(client.get(_history_url(draft.authority), {"model": "target"}).content.decode())
    assert "Adult social care" in text
