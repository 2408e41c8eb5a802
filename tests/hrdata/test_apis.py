"""The HR-extract mapping API: columns and values, never rows; offered again next round; scoped."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import ExtractMapping
from tests.factories import open_round

pytestmark = pytest.mark.django_db

MAPPING = {
    "columns": {"staff": {"service": "Service Area", "ethnicity": "Ethnic Origin", "funded_cpd": ""}},
    "values": {
        "ethnicity": {"wbri": "white", "bafr": "minority_ethnic"},
        "service": {"housing": "out_of_scope"},
    },
}


def _url(round_label: str, ons_code: str = "E09000022") -> str:
    return reverse("submissions-api:hr_mapping", args=[ons_code, round_label])


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_lead_saves_and_reads_the_mapping(alice, collection_round):
    client = _client(alice)
    empty = client.get(_url(collection_round.label))
    assert empty.status_code == 200 and empty.json()["round"] is None and empty.json()["values"] == {}
    response = client.put(_url(collection_round.label), MAPPING, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["round"] == collection_round.label
    again = client.get(_url(collection_round.label)).json()
    assert again["columns"] == MAPPING["columns"] and again["values"] == MAPPING["values"]
    # Saving again replaces it: one mapping per council and round.
    client.put(
        _url(collection_round.label), {**MAPPING, "values": {"ethnicity": {}, "service": {}}}, format="json"
    )
    assert ExtractMapping.objects.count() == 1


def test_the_mapping_is_offered_again_next_round(alice, analyst, collection_round):
    _client(alice).put(_url(collection_round.label), MAPPING, format="json")
    later = open_round(
        "2026",
        created_by=analyst,
        opens_on=collection_round.opens_on + datetime.timedelta(days=1),
        closes_on=collection_round.closes_on + datetime.timedelta(days=1),
    )
    offered = _client(alice).get(_url(later.label)).json()
    assert offered["round"] == collection_round.label
    assert offered["values"] == MAPPING["values"]


def test_outsider_gets_404_viewer_403_anonymous_401(bob, charlie, alice, collection_round):
    _client(alice).put(_url(collection_round.label), MAPPING, format="json")
    assert _client(charlie).get(_url(collection_round.label)).status_code == 404
    assert _client(charlie).put(_url(collection_round.label), MAPPING, format="json").status_code == 404
    assert _client(bob).get(_url(collection_round.label)).status_code == 200
    assert _client(bob).put(_url(collection_round.label), MAPPING, format="json").status_code == 403
    assert APIClient().get(_url(collection_round.label)).status_code == 401
    assert ExtractMapping.objects.get().values == MAPPING["values"]


@pytest.mark.parametrize(
    "payload",
    [
        {**MAPPING, "columns": {"payroll": {"service": "x"}}},
        {**MAPPING, "columns": {"staff": {"date_of_birth": "DOB"}}},
        {**MAPPING, "columns": {"staff": {"service": "x" * 201}}},
        {**MAPPING, "values": {"ethnicity": {"wbri": "british"}, "service": {}}},
        {**MAPPING, "values": {"ethnicity": {"WBRI ": "white"}, "service": {}}},
        {**MAPPING, "values": {"salary": {"41237.17": "white"}}},
        {**MAPPING, "values": {"ethnicity": {f"v{i}": "white" for i in range(2001)}, "service": {}}},
        {"rows": [["EMP001", "A Person", "41237.17"]]},
    ],
)
def test_anything_but_columns_and_values_is_refused(alice, collection_round, payload):
    response = _client(alice).put(_url(collection_round.label), payload, format="json")
    assert response.status_code == 400
    assert not ExtractMapping.objects.exists()
