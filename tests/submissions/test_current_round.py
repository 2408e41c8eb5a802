"""submissions.selectors.current_round: the latest round that has opened (read by a query compiled
once per process), on PostgreSQL and on SQLite alike."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from submissions.selectors import current_round
from tests.factories import open_round

pytestmark = pytest.mark.django_db


def test_the_current_round_is_the_latest_opened_not_one_still_to_open(analyst) -> None:
    today = timezone.localdate()
    assert current_round() is None
    later = open_round(
        "2027",
        analyst,
        opens_on=today + datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=90),
    )
    assert current_round() is None, "a round that opens tomorrow is not current today"
    open_round(
        "2024",
        analyst,
        opens_on=today - datetime.timedelta(days=400),
        closes_on=today - datetime.timedelta(days=300),
    )
    now = open_round("2025", analyst, opens_on=today, closes_on=today + datetime.timedelta(days=60))
    found = current_round()
    assert found is not None
    assert (found.pk, found.label, found.uuid, found.opens_on) == (now.pk, "2025", now.uuid, today)
    assert later.pk != found.pk
