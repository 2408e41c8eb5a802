"""Issue 16: the start of the journey in the API: the round open today (worked out from its dates)
and the council's return template as files, by token, never a sign-in page."""

from __future__ import annotations

import csv
import datetime
import io

from django.utils import timezone
from rest_framework.test import APIClient

from submissions.template_files import csv_template
from tests.builders import closed_round, draft_return
from tests.factories import api_key, open_round, valid_data


def _token(user, scope: str = "read") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, scope)}")
    return client


def test_the_open_round_is_worked_out_from_the_dates(alice, analyst):
    client = _token(alice)
    assert client.get("/api/v1/rounds/open/").status_code == 404
    closed_round("2024", created_by=analyst)
    today = timezone.localdate()
    open_round(
        "2027",
        created_by=analyst,
        opens_on=today + datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=60),
    )
    missing = client.get("/api/v1/rounds/open/")
    assert missing.status_code == 404 and "No collection round is open today" in missing.json()["detail"]
    open_round("2025", created_by=analyst, closes_on=today + datetime.timedelta(days=9))
    found = client.get("/api/v1/rounds/open/")
    assert found.status_code == 200
    assert found.json()["label"] == "2025" and found.json()["days_left"] == 10
    assert APIClient().get("/api/v1/rounds/open/").status_code == 401


def test_the_template_comes_to_a_token_as_a_file_prefilled(
    authority_a, alice, bob, charlie, collection_round
):
    base = f"/api/v1/authorities/{authority_a.ons_code}/returns/{collection_round.label}/"
    blank = _token(bob).get(base + "template.csv")
    assert blank.status_code == 200 and blank["Content-Type"].startswith("text/csv")
    assert blank.content.decode() == csv_template(None)
    draft_return(authority_a, collection_round, lead=alice, data=valid_data())
    filled = _token(bob).get(base + "template.csv").content.decode()
    assert filled == csv_template(valid_data())
    assert len(list(csv.reader(io.StringIO(filled)))) > 10
    xlsx = _token(bob).get(base + "template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert 'filename="wres-return-2025-E09000022.xlsx"' in xlsx["Content-Disposition"]
    for path in ("template.csv", "template.xlsx"):
        assert _token(charlie).get(base + path).status_code == 404
