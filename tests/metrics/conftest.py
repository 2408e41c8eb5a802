from __future__ import annotations

import datetime

import pytest

from accounts.models import Role
from submissions import services as submission_services
from submissions.models import Return, ReturnVersion
from submissions.synthetic import synthetic_return
from tests.factories import AuthorityFactory, member, open_round


def accept_return(authority, collection_round, data, analyst):  # type: ignore[no-untyped-def]
    """Take a return through every step to accepted, as the people involved would."""
    lead = member(authority, Role.PROGRAMME_LEAD)
    sponsor = member(authority, Role.SENIOR_SPONSOR)
    record = submission_services.return_get_or_create(authority=authority, collection_round=collection_round)
    submission_services.draft_save(record=record, data=data, user=lead, source=ReturnVersion.Source.API)
    for warning in submission_services.version_warnings(Return.objects.get(pk=record.pk).current_version):
        submission_services.warning_explain(record=record, key=warning.key, text="Checked.", user=lead)
    submission_services.return_submit(record=record, user=lead, late_reason="Test")
    submission_services.return_sign_off(
        record=record, user=sponsor, name="S", role="R", signed_on=datetime.date(2026, 1, 1), declaration=True
    )
    submission_services.return_accept(record=record, user=analyst)
    return Return.objects.get(pk=record.pk)


@pytest.fixture
def national(analyst, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A round with 8 accepted returns across two regions, results and benchmarks computed."""
    collection_round = open_round("2025", created_by=analyst)
    regions = ["London", "North West"]
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(8):
            authority = AuthorityFactory(region=regions[n % 2], population_minority_ethnic_percent=20 + n)
            accept_return(
                authority, collection_round, synthetic_return(n, minority_share=0.1 + n / 50), analyst
            )
    return collection_round
