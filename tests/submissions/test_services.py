"""The return's lifecycle, every transition and the forbidden ones."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from submissions import services
from submissions.models import Return, ReturnEvent, ReturnRow, ReturnVersion
from submissions.schema import RowKey
from tests.builders import advance, sign_off
from tests.factories import member, valid_data
from wres_portal.errors import ApplicationError


def test_saving_writes_a_new_version_every_time(draft, alice) -> None:
    first = draft.current_version
    data = valid_data()
    data[RowKey("adults", "leavers")] = {"white": 90, "minority_ethnic": 22, "unknown": 4}
    second = services.draft_save(record=draft, data=data, user=alice, source=ReturnVersion.Source.WEB)
    assert (first.number, second.number) == (1, 2)
    assert first.data()[RowKey("adults", "leavers")]["white"] == 95
    assert second.data()[RowKey("adults", "leavers")]["white"] == 90


def test_invalid_figures_write_nothing(draft, alice) -> None:
    data = valid_data()
    data[RowKey("adults", "appointed")] = {"white": 400, "minority_ethnic": 31, "unknown": 1}
    rows, versions = ReturnRow.objects.count(), ReturnVersion.objects.count()
    with pytest.raises(services.ReturnDataInvalid) as raised:
        services.draft_save(record=draft, data=data, user=alice, source=ReturnVersion.Source.WEB)
    assert raised.value.problems
    assert (ReturnRow.objects.count(), ReturnVersion.objects.count()) == (rows, versions)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.SENIOR_SPONSOR, Role.STAFF_VOICE_LEAD])
def test_only_programme_leads_change_or_submit(draft, authority_a, role) -> None:
    user = member(authority_a, role)
    with pytest.raises(ApplicationError):
        services.draft_save(record=draft, data=valid_data(), user=user, source=ReturnVersion.Source.WEB)
    with pytest.raises(ApplicationError):
        services.return_submit(record=draft, user=user)
    assert Return.objects.get(pk=draft.pk).status == Return.Status.DRAFT


def test_full_lifecycle_with_emails(
    draft, alice, sponsor_a, analyst, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.return_submit(record=draft, user=alice)
    assert mail.outbox[-1].to == [sponsor_a.email]
    with django_capture_on_commit_callbacks(execute=True):
        sign_off(draft, sponsor_a)
    assert mail.outbox[-1].to == [analyst.email]
    with django_capture_on_commit_callbacks(execute=True):
        services.return_accept(record=draft, user=analyst)
    assert set(mail.outbox[-1].to) == {alice.email, sponsor_a.email}
    draft.refresh_from_db()
    assert draft.status == Return.Status.ACCEPTED
    actions = list(draft.events.values_list("action", flat=True))
    assert actions == ["saved", "submitted", "signed_off", "accepted"]
    signed = draft.events.get(action=ReturnEvent.Action.SIGNED_OFF)
    assert (signed.signatory_name, signed.signatory_role, signed.actor) == (
        "Dr A Sponsor",
        "Director of Adult Social Services",
        sponsor_a,
    )


def test_programme_lead_cannotsign_off(draft, alice) -> None:
    services.return_submit(record=draft, user=alice)
    with pytest.raises(ApplicationError, match="senior sponsor"):
        sign_off(draft, alice)


def test_sign_off_needs_the_declaration(draft, alice, sponsor_a) -> None:
    services.return_submit(record=draft, user=alice)
    with pytest.raises(ApplicationError, match="accurate"):
        services.return_sign_off(
            record=draft,
            user=sponsor_a,
            name="A",
            role="B",
            signed_on=timezone.localdate(),
            declaration=False,
        )


def test_cannot_sign_off_a_draft_or_accept_beforesign_off(draft, sponsor_a, analyst, alice) -> None:
    with pytest.raises(ApplicationError):
        sign_off(draft, sponsor_a)
    services.return_submit(record=draft, user=alice)
    with pytest.raises(ApplicationError):
        services.return_accept(record=draft, user=analyst)


def test_council_staff_cannot_accept(draft, sponsor_a) -> None:
    advance(draft, Return.Status.SIGNED_OFF, sponsor=sponsor_a)
    with pytest.raises(ApplicationError):
        services.return_accept(record=draft, user=sponsor_a)


def test_submitted_and_accepted_returns_cannot_be_changed(draft, alice, sponsor_a, analyst) -> None:
    services.return_submit(record=draft, user=alice)
    with pytest.raises(ApplicationError, match="returned for revision"):
        services.draft_save(record=draft, data=valid_data(), user=alice, source=ReturnVersion.Source.WEB)
    sign_off(draft, sponsor_a)
    services.return_accept(record=draft, user=analyst)
    with pytest.raises(ApplicationError, match="returned for revision"):
        services.draft_save(
            record=draft, data=valid_data(("adults",)), user=alice, source=ReturnVersion.Source.WEB
        )
    with pytest.raises(ApplicationError):
        services.return_submit(record=draft, user=alice)


def test_sponsor_returns_for_revision_starting_a_new_draft(
    draft, alice, sponsor_a, django_capture_on_commit_callbacks
) -> None:
    services.return_submit(record=draft, user=alice)
    submitted = draft.current_version
    with django_capture_on_commit_callbacks(execute=True):
        services.return_send_back(record=draft, user=sponsor_a, message="Leavers look too high.")
    draft.refresh_from_db()
    assert draft.status == Return.Status.DRAFT
    assert draft.current_version.number == submitted.number + 1
    assert draft.current_version.data() == submitted.data()
    assert mail.outbox[-1].to == [alice.email]
    assert "Leavers look too high." in mail.outbox[-1].body
    returned = draft.events.get(action=ReturnEvent.Action.RETURNED)
    assert (returned.actor, returned.message) == (sponsor_a, "Leavers look too high.")
    # the submitted version is untouched and still answers for what was submitted
    assert draft.events.get(action=ReturnEvent.Action.SUBMITTED).version == submitted


def test_analyst_can_return_an_accepted_return(draft, sponsor_a, analyst) -> None:
    advance(draft, Return.Status.ACCEPTED, sponsor=sponsor_a, analyst=analyst)
    with pytest.raises(ApplicationError):
        services.return_send_back(record=draft, user=sponsor_a, message="Sponsor cannot after acceptance")
    services.return_send_back(record=draft, user=analyst, message="Please correct the CPD figures.")
    draft.refresh_from_db()
    assert draft.status == Return.Status.DRAFT


def test_send_back_needs_a_message_and_a_non_draft(draft, alice, sponsor_a, analyst) -> None:
    with pytest.raises(ApplicationError, match="already a draft"):
        services.return_send_back(record=draft, user=analyst, message="x")
    services.return_submit(record=draft, user=alice)
    with pytest.raises(ApplicationError, match="what needs to change"):
        services.return_send_back(record=draft, user=sponsor_a, message="  ")


def test_late_submission_needs_a_reason_and_is_marked(draft, alice, collection_round) -> None:
    after = collection_round.closes_on + datetime.timedelta(days=2)
    with time_machine.travel(datetime.datetime.combine(after, datetime.time(12), tzinfo=datetime.UTC)):
        with pytest.raises(ApplicationError, match="late"):
            services.return_submit(record=draft, user=alice)
        services.return_submit(record=draft, user=alice, late_reason="Our HR system migration.")
    draft.refresh_from_db()
    assert draft.is_late and draft.late_reason == "Our HR system migration."
    assert draft.events.get(action=ReturnEvent.Action.SUBMITTED).late


def test_extension_moves_the_closing_date(draft, alice, analyst, authority_a, collection_round) -> None:
    later = collection_round.closes_on + datetime.timedelta(days=10)
    services.round_extend(
        collection_round=collection_round,
        authority=authority_a,
        closes_on=later,
        reason="Cyber incident",
        granted_by=analyst,
    )
    after = collection_round.closes_on + datetime.timedelta(days=2)
    with time_machine.travel(datetime.datetime.combine(after, datetime.time(12), tzinfo=datetime.UTC)):
        services.return_submit(record=draft, user=alice)
    draft.refresh_from_db()
    assert not draft.is_late


def test_only_analysts_open_rounds_and_extend(alice, authority_a, collection_round) -> None:
    with pytest.raises(ApplicationError):
        services.round_extend(
            collection_round=collection_round,
            authority=authority_a,
            closes_on=collection_round.closes_on + datetime.timedelta(days=1),
            reason="x",
            granted_by=alice,
        )
    with pytest.raises(ApplicationError):
        services.round_open(
            opened_by=alice,
            label="2030",
            period_start=datetime.date(2029, 4, 1),
            period_end=datetime.date(2030, 3, 31),
            snapshot_date=datetime.date(2030, 3, 31),
            opens_on=datetime.date(2030, 4, 1),
            closes_on=datetime.date(2030, 6, 30),
        )


def test_round_dates_must_be_in_order(analyst) -> None:
    with pytest.raises(ApplicationError, match="closing date"):
        services.round_open(
            opened_by=analyst,
            label="2031",
            period_start=datetime.date(2030, 4, 1),
            period_end=datetime.date(2031, 3, 31),
            snapshot_date=datetime.date(2031, 3, 31),
            opens_on=datetime.date(2031, 6, 1),
            closes_on=datetime.date(2031, 5, 1),
        )


def test_submission_is_claimed_once(draft, alice) -> None:
    services.return_submit(record=draft, user=alice)
    with pytest.raises(ApplicationError, match="already submitted"):
        services.return_submit(record=draft, user=alice)
    assert draft.events.filter(action=ReturnEvent.Action.SUBMITTED).count() == 1


def test_web_entry_replaces_one_service(draft, alice) -> None:
    services.draft_save_service(record=draft, service="children", counts=None, user=alice)
    draft.refresh_from_db()
    assert {k.service for k in draft.current_version.data()} == {"adults"}
    children = {k: v for k, v in valid_data(("children",)).items()}
    services.draft_save_service(record=draft, service="children", counts=children, user=alice)
    draft.refresh_from_db()
    assert {k.service for k in draft.current_version.data()} == {"adults", "children"}


def test_reminders_go_14_and_3_days_before_closing_once_each(
    authority_a, authority_b, alice, charlie, collection_round, django_capture_on_commit_callbacks
) -> None:
    closes = collection_round.closes_on
    # authority_b has submitted, so only authority_a is reminded
    submitted = services.return_get_or_create(authority=authority_b, collection_round=collection_round)
    Return.objects.filter(pk=submitted.pk).update(status=Return.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=closes - datetime.timedelta(days=20)) == 0
        assert services.reminders_send(today=closes - datetime.timedelta(days=14)) == 1
        assert services.reminders_send(today=closes - datetime.timedelta(days=14)) == 0
        assert services.reminders_send(today=closes - datetime.timedelta(days=10)) == 0
        assert services.reminders_send(today=closes - datetime.timedelta(days=2)) == 1
        assert services.reminders_send(today=closes - datetime.timedelta(days=1)) == 0
    assert [m.to for m in mail.outbox] == [[alice.email], [alice.email]]
    assert "in 14 days" in mail.outbox[0].body and "in 2 days" in mail.outbox[1].body


def test_reminder_task_runs_the_service(collection_round) -> None:
    from submissions.tasks import send_return_reminders

    assert send_return_reminders() == 0


def test_saving_a_version_leaves_the_row_id_sequence_alone(draft, alice) -> None:
    """django-import-export resets the id sequence to max(id) after an import; with uploads running
    at once that can hand out ids another upload holds (issue 7's concurrent ingest). Ours does not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.draft_save(record=draft, data=valid_data(), user=alice, source="web")
    statements = [q["sql"].lower() for q in queries.captured_queries]
    draft.refresh_from_db()
    assert ReturnRow.objects.filter(version=draft.current_version).count() == len(valid_data())
    assert not [s for s in statements if "setval" in s or "sqlite_sequence" in s]
