"""Upload, web entry and lifecycle pages, as a council officer uses them."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from submissions.models import Return, ReturnVersion
from submissions.schema import GROUPS, HEADER, RowKey
from tests.builders import downloaded
from tests.factories import valid_data


def _csv(data, *, breaks: dict | None = None) -> bytes:
    """The figures as a CSV file, with `breaks` {(service, measure, band, group): value} written over."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for key, counts in sorted(data.items()):
        values = [(breaks or {}).get((key.service, key.measure, key.pay_band, g), counts[g]) for g in GROUPS]
        writer.writerow([key.service, key.measure, key.pay_band, *values])
    return out.getvalue().encode()


def _upload(client, record_url: str, content: bytes, name: str = "return.csv"):
    return client.post(record_url + "upload/", {"file": _file(content, name)})


def _file(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.fixture
def url(authority_a, collection_round) -> str:
    return reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label])


def _snapshot() -> dict[str, list]:
    """Every row of every model, to prove a request changed nothing."""
    return {
        model._meta.label: sorted(
            model._default_manager.values_list(*[f.attname for f in model._meta.concrete_fields]), key=str
        )
        for model in apps.get_models()
        # pghistory.Events is an unmanaged view across the audit tables (audit), not a table. An
        # upload's problems wait in UploadPreview for the errors CSV (as they waited in the cache).
        if not model._meta.label.startswith(
            ("sessions.", "accounts.Session", "axes.", "pghistory.", "submissions.UploadPreview")
        )
    }


def test_upload_with_three_mistakes_shows_all_with_places_and_stores_nothing(client, alice, url) -> None:
    client.force_login(alice)
    broken = _csv(
        valid_data(),
        breaks={
            ("adults", "appointed", "", "white"): 400,  # more appointed than shortlisted
            ("adults", "leavers", "", "minority_ethnic"): "ten",  # not a number
            ("children", "cpd", "", "unknown"): -3,  # negative
        },
    )
    before = _snapshot()
    response = _upload(client, url, broken)
    assert _snapshot() == before
    body = response.content.decode()
    assert response.status_code == 200
    assert "There are problems with return.csv" in body
    assert "Nothing was saved" in body
    rows = {int(m) for m in re.findall(r'govuk-table__cell--numeric">(\d+)</td>', body)}
    keys = sorted(valid_data())
    row_of = {(k.service, k.measure): n for n, k in enumerate(keys, start=2)}
    assert {
        row_of[("adults", "appointed")],
        row_of[("adults", "leavers")],
        row_of[("children", "cpd")],
    } <= rows
    found = re.search(r'href="([^"]+errors\.csv)"', body)
    assert found, body
    csv_link = found.group(1)
    errors_csv = list(csv.reader(io.StringIO(client.get(csv_link).content.decode())))
    assert errors_csv[0] == ["sheet", "row", "column", "what is wrong", "how to fix it"]
    assert len(errors_csv) - 1 >= 3


def test_clean_upload_previews_changes_then_saves_on_confirmation(client, alice, url) -> None:
    client.force_login(alice)
    response = _upload(client, url, _csv(valid_data(("adults",))))
    assert response.status_code == 302
    assert not ReturnVersion.objects.exists()
    preview = client.get(response["Location"]).content.decode()
    assert "Check what return.csv changes" in preview
    assert "Save as my draft" in preview
    assert 'name="version" value="0"' in preview, "the preview names the version it was built on"
    client.post(response["Location"], {"version": "0"})
    version = ReturnVersion.objects.get()
    assert version.source == "upload" and version.filename == "return.csv"
    assert version.data() == valid_data(("adults",))
    # the same token cannot be confirmed twice
    client.post(response["Location"], {"version": "1"})
    assert ReturnVersion.objects.count() == 1


def test_xlsx_upload_is_accepted(client, alice, url) -> None:
    client.force_login(alice)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Return"
    sheet.append(list(HEADER))
    for key, counts in sorted(valid_data().items()):
        sheet.append([key.service, key.measure, key.pay_band or None, *(float(counts[g]) for g in GROUPS)])
    out = io.BytesIO()
    workbook.save(out)
    response = _upload(client, url, out.getvalue(), "return.xlsx")
    assert response.status_code == 302, response.content.decode()[:2000]


def test_unreadable_file_gets_a_plain_message(client, alice, url) -> None:
    client.force_login(alice)
    response = _upload(client, url, b"\x00\x01\x02 not a spreadsheet", "return.xlsx")
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Traceback" not in body
    assert not Return.objects.exists()


def test_upload_over_5_mb_is_refused(client, alice, url) -> None:
    client.force_login(alice)
    body = _upload(client, url, b"a" * (5 * 1024 * 1024 + 1)).content.decode()
    assert "It must be 5 MB or less" in body


def test_web_entry_saves_with_the_same_checks(client, alice, url) -> None:
    from submissions.forms import field_name

    client.force_login(alice)
    form = {field_name(k, g): str(c[g]) for k, c in valid_data(("adults",)).items() for g in GROUPS}
    form[field_name(RowKey("adults", "ftp_referrals"), "white")] = "400"  # more than regulated headcount
    form[field_name(RowKey("adults", "cpd"), "unknown")] = "12.5"
    form["version"] = "0"
    response = client.post(url + "enter/adults/", form)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_cpd__all__unknown"' in body
    assert "id_ftp_referrals__all__white" in body
    assert not ReturnVersion.objects.exists()
    form[field_name(RowKey("adults", "ftp_referrals"), "white")] = "3"
    form[field_name(RowKey("adults", "cpd"), "unknown")] = "4.0"
    assert client.post(url + "enter/adults/", form).status_code == 302
    assert ReturnVersion.objects.get().data() == valid_data(("adults",))


def test_template_downloads(client, bob, url, authority_a) -> None:
    client.force_login(bob)
    response = client.get(url + "template.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert {"About", "Return", "Guidance"} <= set(workbook.sheetnames)
    assert authority_a.ons_code in str([c.value for row in workbook["About"].iter_rows() for c in row])
    text = client.get(url + "template.csv").content.decode()
    assert text.splitlines()[0].startswith("service,measure,pay_band,white,minority_ethnic,unknown")


def test_lifecycle_pages(client, alice, sponsor_a, analyst, url, draft) -> None:
    client.force_login(alice)
    assert "Submit the return" in client.get(url).content.decode()
    # Each step's page carries the version it shows, and the step acts on that version only.
    assert 'name="version" value="1"' in client.get(url + "submit/").content.decode()
    assert client.post(url + "submit/", {"version": "1"}).status_code == 302
    client.force_login(sponsor_a)
    page = client.get(url).content.decode()
    assert "Sign off the return" in page
    missing = client.post(
        url + "sign-off/", {"name": "Dr S", "role": "DASS", "signed_on": "2020-01-01", "version": "1"}
    )
    assert "Confirm that the figures are accurate" in missing.content.decode()
    assert (
        client.post(
            url + "sign-off/",
            {"name": "Dr S", "role": "DASS", "signed_on": "2020-01-01", "declaration": "on", "version": "1"},
        ).status_code
        == 302
    )
    client.force_login(analyst)
    assert client.post(url + "accept/").status_code == 200, "a step naming no version is refused"
    assert client.post(url + "accept/", {"version": "1"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Return.Status.ACCEPTED
    history = client.get(url + "versions/").content.decode()
    for word in ("Submitted", "Signed off", "Accepted"):
        assert word in history


def test_compare_versions_marks_changes(client, alice, url, draft) -> None:
    from submissions import services

    data = valid_data()
    data[RowKey("children", "leavers")] = {"white": 80, "minority_ethnic": 22, "unknown": 4}
    services.draft_save(record=draft, data=data, user=alice, source=ReturnVersion.Source.WEB)
    client.force_login(alice)
    body = client.get(url + "versions/compare/?a=1&b=2").content.decode()
    assert body.count("(changed)") == 1
    assert ">80<" in body


def test_analyst_monitor_filters_and_downloads(
    client, analyst, authority_a, authority_b, collection_round, draft
) -> None:
    client.force_login(analyst)
    url = reverse("submissions:monitor", args=[collection_round.label])
    body = client.get(url, {"status": "draft"}).content.decode()
    assert "Lambeth" in body and "Leeds" not in body
    body = client.get(url, {"status": "not_started"}).content.decode()
    assert "Leeds" in body and "Lambeth" not in body
    text = downloaded(client.get(url + "status.csv")).decode()  # unfiltered: stored whole on PostgreSQL
    lines = text.splitlines()
    assert lines[0].startswith("ons_code,authority,region")
    assert any(line.startswith(f"{authority_a.ons_code},Lambeth") and ",draft," in line for line in lines)


def test_analyst_opens_a_round_and_council_sees_it(client, analyst, alice, authority_a) -> None:
    import datetime

    from django.utils import timezone

    client.force_login(analyst)
    today = timezone.localdate()
    response = client.post(
        reverse("submissions:round_new"),
        {
            "label": "2026",
            "period_start": "2025-04-01",
            "period_end": "2026-03-31",
            "snapshot_date": "2026-03-31",
            "opens_on": (today - datetime.timedelta(days=1)).isoformat(),
            "closes_on": (today + datetime.timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    client.force_login(alice)
    home = client.get(reverse("portal:council_home", args=[authority_a.ons_code])).content.decode()
    assert "The 2026 round" in home and "Start the 2026 return" in home


def test_version_figures_download_round_trips_through_the_upload(client, alice, url, draft) -> None:
    client.force_login(alice)
    exported = client.get(url + "versions/1/figures.csv").content
    assert exported.decode().splitlines()[0].strip() == ",".join(HEADER)
    response = _upload(client, url, exported, "again.csv")
    assert response.status_code == 302
    assert "same figures as your current draft" in client.get(response["Location"]).content.decode()
    xlsx = client.get(url + "versions/1/figures.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content))["Return"].max_row == len(valid_data()) + 1
    assert _upload(client, url, xlsx.content, "again.xlsx").status_code == 302
