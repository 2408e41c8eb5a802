"""Exports that cannot be turned against the people who open them (issue 13, L3 and L4): formula
injection neutralised in every CSV and XLSX, analyst-set text escaped in HTML, and file names that
cannot break Content-Disposition."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from submissions.forms import RoundForm
from submissions.models import CollectionRound
from tests.builders import downloaded
from tests.factories import open_round
from tests.submissions.files import valid_rows, xlsx_bytes
from wres_portal.downloads import content_disposition, csv_text, safe_cell, workbook_bytes

HOSTILE = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


# The helper ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert next(csv.reader(io.StringIO(csv_text([[text]])))) == ["'" + text]


def test_numbers_dates_and_plain_text_are_left_alone() -> None:
    import datetime

    for value in (-5, 0, 3.5, None, datetime.date(2025, 1, 1), "Lambeth", "2025-26", "O'Neill"):
        assert safe_cell(value) == value


def test_a_workbook_holds_no_formula_and_keeps_its_numbers() -> None:
    workbook = openpyxl.Workbook()
    written = workbook.active
    assert isinstance(written, Worksheet)
    written.append(["=1+1", -4, "@x", 12])
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes(workbook))).active
    assert isinstance(sheet, Worksheet)
    assert [c.value for c in sheet[1]] == ["'=1+1", -4, "'@x", 12]
    assert {c.data_type for c in sheet[1]} == {"s", "n"}


@pytest.mark.parametrize(
    "name", ["wres-2025/26-status.csv", 'a"b.csv', "a\r\nSet-Cookie: x=1.csv", "Ŵrexham – plan.pdf", ""]
)
def test_content_disposition_is_one_safe_header_line(name: str) -> None:
    header = content_disposition(name)
    assert "\n" not in header and "\r" not in header
    ascii_name = header.split('filename="')[1].split('"')[0]
    assert "/" not in ascii_name and '"' not in ascii_name and ascii_name.isascii() and ascii_name
    assert "filename*=UTF-8''" in header


# L3: status.csv and the upload errors.csv ------------------------------------------------------------


def test_status_csv_neutralises_authority_names(client, analyst, authority_a, collection_round) -> None:
    authority_a.name = '=HYPERLINK("http://evil.example","Lambeth")'
    authority_a.save()
    client.force_login(analyst)
    response = client.get(reverse("submissions:monitor_csv", args=[collection_round.label]))
    whole = downloaded(response)  # stored whole on PostgreSQL (issue 18), streamed on SQLite
    rows = list(csv.reader(io.StringIO(whole.decode())))
    names = [row[1] for row in rows[1:]]
    assert "'" + authority_a.name in names
    assert not any(name.startswith("=") for name in names)
    streamed = client.get(reverse("submissions:monitor_csv", args=[collection_round.label]), {"late": "no"})
    assert b"".join(streamed.streaming_content) == whole, "filtered or not, the same rows"


def test_upload_errors_csv_neutralises_sheet_names_and_headers_copied_from_the_file(
    client, alice, authority_a, collection_round
) -> None:
    rows = valid_rows()
    rows[0] = [*rows[0], "@SUM(1+1)*cmd"]
    rows[1] = [*rows[1], "1"]
    content = xlsx_bytes(rows, sheet_name="=2+5")
    url = reverse("submissions:upload", args=[authority_a.ons_code, collection_round.label])
    client.force_login(alice)
    page = client.post(url, {"file": SimpleUploadedFile("r.xlsx", content)})
    args = [authority_a.ons_code, collection_round.label, page.context["token"]]
    response = client.get(reverse("submissions:upload_errors_csv", args=args))
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    assert "'=2+5" in cells
    assert "'@SUM(1+1)*cmd" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


# L4: an analyst-set round label ---------------------------------------------------------------------


def test_round_labels_with_slashes_quotes_or_markup_are_refused(db) -> None:
    for label in ("2025/26", '2025"', "<b>2025</b>", "2025\nx", "=1+1"):
        form = RoundForm(data={"label": label})
        assert not form.is_valid()
        assert "Use only letters, numbers" in str(form.errors["label"])
    assert "label" not in RoundForm(data={"label": "2025-26"}).errors


def test_a_label_made_before_the_rule_breaks_no_download(client, analyst, db) -> None:
    """Labels already stored (or set in the admin) still give a clean header, never a 500."""
    odd = open_round('20"25 x', created_by=analyst)
    CollectionRound.objects.filter(pk=odd.pk).update(label='20"25\nx')
    client.force_login(analyst)
    response = client.get(reverse("submissions:monitor_csv", args=['20"25\nx']))
    assert response.status_code == 200
    assert "\n" not in response["Content-Disposition"]
    assert "filename*=UTF-8''wres-20%2225x-status.csv" in response["Content-Disposition"]


def test_what_we_know_hints_escape_the_round_label(client, alice, authority_a, monkeypatch) -> None:
    from types import SimpleNamespace

    from actionplans.themes import METRICS
    from actionplans.views import plans
    from tests.builders import PLAN_YEAR, written_plan

    written_plan(authority_a, alice)
    label = '<img src=x data-x="1">2025'
    monkeypatch.setattr(plans, "latest_results", lambda authority: SimpleNamespace(round_label=label))
    monkeypatch.setattr(plans, "what_we_know_suggestions", lambda results: dict.fromkeys(METRICS, "<i>7</i>"))
    client.force_login(alice)
    page = client.get(
        reverse("actionplans:what_we_know", args=[authority_a.ons_code, PLAN_YEAR])
    ).content.decode()
    assert "<img src=x" not in page and "<i>7</i>" not in page
    assert "&lt;img src=x" in page
