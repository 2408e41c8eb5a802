"""The HR-data pages: the builder (with and without JavaScript), the check and confirmation of the
counts it posts, the extract templates and the guidance. Scoped like every return page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from submissions.models import Return, ReturnVersion
from submissions.schema import GROUPS
from submissions.services import upload_preview_store
from tests.factories import valid_data

pytestmark = pytest.mark.django_db


def _url(name: str, record_or_round, *args: str) -> str:
    return reverse(f"submissions:{name}", args=["E09000022", record_or_round.label, *args])


def _rows(data) -> str:
    return json.dumps(
        [{"service": k.service, "measure": k.measure, "pay_band": k.pay_band, **c} for k, c in data.items()]
    )


def test_builder_page_loads_the_worker_and_says_what_it_needs_without_javascript(
    client, alice, collection_round
):
    client.force_login(alice)
    response = client.get(_url("hrdata_build", collection_round))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This page needs JavaScript" in body
    assert _url("hrdata_template_xlsx", collection_round) in body
    assert _url("upload", collection_round) in body
    assert "js/hr-extract-worker.js" in body and "js/hr-extract.js" in body
    setup = response.context["setup"]
    assert (
        setup["vocabulary"]["ethnicity"]["white english welsh scottish northern irish or british"] == "white"
    )
    assert setup["round"]["snapshot_date"] == collection_round.snapshot_date.isoformat()
    assert response.context["base_version"] == 0


def test_builder_page_keeps_connect_src_self(client, alice, collection_round):
    client.force_login(alice)
    policy = client.get(_url("hrdata_build", collection_round))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["connect-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "worker-src" not in directives or directives["worker-src"] == "'self'"


def test_outsider_gets_404_and_viewer_403(client, bob, charlie, collection_round):
    client.force_login(charlie)
    assert client.get(_url("hrdata_build", collection_round)).status_code == 404
    assert client.get(_url("hrdata_guidance", collection_round)).status_code == 404
    assert client.get(_url("hrdata_template_xlsx", collection_round)).status_code == 404
    assert client.post(_url("hrdata_check", collection_round), {"counts": "[]"}).status_code == 404
    client.force_login(bob)
    assert client.get(_url("hrdata_build", collection_round)).status_code == 403
    assert client.post(_url("hrdata_check", collection_round), {"counts": "[]"}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, collection_round, authority_a):
    response = client.get(_url("hrdata_build", collection_round))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_counts_are_checked_previewed_then_saved_as_a_draft_version(
    client, alice, authority_a, collection_round
):
    client.force_login(alice)
    response = client.post(
        _url("hrdata_check", collection_round),
        {"counts": _rows(valid_data()), "base_version": "0", "sources": "staff extract, 10 rows counted"},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "Check what the counts from your HR data change" in preview.content.decode()
    assert Return.objects.filter(authority=authority_a).count() == 0  # nothing saved before confirming
    saved = client.post(response["Location"], {"base_version": "0"})
    assert saved.status_code == 302
    record = Return.objects.get(authority=authority_a, round=collection_round)
    version = record.current()
    assert version.source == ReturnVersion.Source.EXTRACT
    assert version.data() == valid_data()
    assert "staff extract" in version.note
    # The return page and the version list say how the version was made, keeping "HR" in capitals.
    for page in ("detail", "versions"):
        body = client.get(_url(page, collection_round)).content.decode()
        assert "(built from HR data)" in body, page


def test_counts_breaking_the_rules_are_listed_and_nothing_is_stored(
    client, alice, authority_a, collection_round
):
    client.force_login(alice)
    data = valid_data()
    key = next(k for k in data if k.measure == "appointed" and k.service == "adults")
    data[key] = {**data[key], "white": 100_000}
    response = client.post(
        _url("hrdata_check", collection_round), {"counts": _rows(data), "base_version": "0"}
    )
    assert response.status_code == 200
    assert "have problems" in response.content.decode()
    assert not Return.objects.filter(authority=authority_a).exists()


@pytest.mark.parametrize(
    "counts",
    [
        "not json",
        "[]",
        json.dumps(
            [{"service": "adults", "measure": "headcount", "white": -1, "minority_ethnic": 0, "unknown": 0}]
        ),
        json.dumps(
            [{"service": "adults", "measure": "headcount", "white": "1", "minority_ethnic": 0, "unknown": 0}]
        ),
        json.dumps(
            [{"service": "pets", "measure": "headcount", "white": 1, "minority_ethnic": 0, "unknown": 0}]
        ),
        json.dumps([{"row": 1, "name": "A Person", "salary": 30000}]),
        "[" + ",".join(["{}"] * 10_000) + "]",
    ],
)
def test_anything_but_counts_is_refused_with_a_message(client, alice, collection_round, counts):
    client.force_login(alice)
    response = client.post(_url("hrdata_check", collection_round), {"counts": counts, "base_version": "0"})
    assert response.status_code == 302
    assert response["Location"] == _url("hrdata_build", collection_round)
    assert not Return.objects.exists()


def test_a_stale_confirmation_is_refused_and_the_counts_kept(client, alice, draft, collection_round):
    from submissions import services

    client.force_login(alice)
    base = draft.current_version.number
    checked = client.post(
        _url("hrdata_check", collection_round),
        {"counts": _rows(valid_data(("adults",))), "base_version": str(base)},
    )
    token_url = checked["Location"]
    # Someone else saves the draft meanwhile.
    services.draft_save(
        record=draft, data=valid_data(), user=alice, source=ReturnVersion.Source.WEB, note="other tab"
    )
    response = client.post(token_url, {"base_version": str(base)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved" in body and "version" in body
    draft.refresh_from_db()
    assert draft.current_version.number == base + 1  # nothing written by the stale page
    # The counts are kept: confirming against the draft as it is now saves them.
    again = client.post(token_url, {"base_version": str(base + 1)})
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.current_version.number == base + 2
    # Only the adults were in the extracts: children keep their figures, as with any save.
    assert draft.current_version.data() == valid_data()


def test_submitted_return_cannot_be_rebuilt(client, alice, draft, collection_round):
    from submissions import services

    services.return_submit(record=draft, user=alice)
    client.force_login(alice)
    response = client.get(_url("hrdata_build", collection_round))
    assert response.status_code == 302


def test_extract_templates_have_columns_and_two_example_rows(client, alice, collection_round):
    client.force_login(alice)
    for extract, first in (("staff", "service"), ("recruitment", "service"), ("survey", "service")):
        response = client.get(_url("hrdata_template_csv", collection_round, extract))
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][0] == first and len(rows) == 3
    assert client.get(_url("hrdata_template_csv", collection_round, "payroll")).status_code == 404
    workbook = load_workbook(io.BytesIO(client.get(_url("hrdata_template_xlsx", collection_round)).content))
    assert workbook.sheetnames == [
        "Guidance",
        "Staff extract",
        "Recruitment extract",
        "Staff survey extract",
        "Columns and values",
    ]
    staff = list(workbook["Staff extract"].iter_rows(values_only=True))
    assert staff[0][:3] == ("service", "ethnicity", "in_post_at_snapshot") and len(staff) == 3
    guidance = " ".join(str(r[0]) for r in workbook["Guidance"].iter_rows(values_only=True) if r[0])
    assert "no row, name, employee number" in guidance
    assert "Asian, Asian British or Asian Welsh: Indian" in guidance


def test_guidance_page_for_hr_officers(client, alice, collection_round):
    client.force_login(alice)
    body = client.get(_url("hrdata_guidance", collection_round)).content.decode()
    assert "guidance for HR officers" in body
    assert "in_post_at_snapshot" in body and "harassed_by_managers" in body
    assert set(GROUPS) <= {"white", "minority_ethnic", "unknown"}


def test_a_preview_token_works_only_in_the_flow_that_made_it(client, alice, authority_a, collection_round):
    """An HR-data preview and an upload preview are stored alike: the upload confirmation must not
    accept an HR-data token (nor the HR-data confirmation an upload's), even for the same lead."""
    client.force_login(alice)
    response = client.post(
        _url("hrdata_check", collection_round),
        {"counts": _rows(valid_data()), "base_version": "0", "sources": "staff extract"},
    )
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    shown = client.get(_url("upload_confirm", collection_round, token))
    assert shown.status_code == 302
    assert shown["Location"] == _url("upload", collection_round)
    saved = client.post(_url("upload_confirm", collection_round, token), {"expected_version": "0"})
    assert saved.status_code == 302
    assert not Return.objects.filter(authority=authority_a).exists()

    # An upload whose file is named like an HR-data preview is not an HR-data preview.
    upload = upload_preview_store(
        user=alice,
        authority=authority_a,
        collection_round=collection_round,
        filename="hr-data:0:staff.csv",
        data=[[k.service, k.measure, k.pay_band, c] for k, c in sorted(valid_data().items())],
    )
    refused = client.post(_url("hrdata_confirm", collection_round, upload.token), {"base_version": "0"})
    assert refused.status_code == 302
    assert refused["Location"] == _url("hrdata_build", collection_round)
    assert not Return.objects.filter(authority=authority_a).exists()
    # and the HR-data token still works where it was made
    assert client.get(response["Location"]).status_code == 200
