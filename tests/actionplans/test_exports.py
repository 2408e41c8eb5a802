"""The plan and quarterly reports as XLSX and PDF."""

from __future__ import annotations

import io
import re

import openpyxl
from django.test import Client
from django.urls import reverse

from actionplans import services
from actionplans.exports import document_pdf, document_xlsx
from actionplans.presenters import plan_document, report_document
from tests.actionplans.conftest import PLAN_YEAR


def _get(user, name, plan, *args):
    client = Client()
    client.force_login(user)
    return client.get(reverse(f"actionplans:{name}", args=[plan.authority.ons_code, plan.year, *args]))


def test_xlsx_opens_with_a_row_per_action(signed_plan, bob):
    response = _get(bob, "xlsx", signed_plan)
    assert f'filename="wres-action-plan-{PLAN_YEAR}-E09000022.xlsx"' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Plan", "What we know", "Objectives", "Targets"]
    rows = list(workbook["Objectives"].iter_rows(values_only=True))
    assert rows[0][:7] == (
        "No",
        "Objective",
        "WRES themes",
        "Lead",
        "Data from WRES metrics",
        "Action no",
        "Specific action",
    )
    assert [r[5] for r in rows[1:]] == [1, 2, 3]
    assert workbook["Plan"]["B2"].value == "Lambeth"


def test_xlsx_escapes_text_that_looks_like_a_formula(written_plan, alice):
    services.objective_create(plan=written_plan, user=alice, text='=HYPERLINK("http://evil.example","x")')
    services.plan_update(plan=written_plan, user=alice, how_agreed="+1 agreed", staff_voice_summary="@risk")
    written_plan.refresh_from_db()
    workbook = openpyxl.load_workbook(io.BytesIO(document_xlsx(plan_document(written_plan))))
    cells = [
        c
        for row in workbook.worksheets
        for r in row.iter_rows(values_only=True)
        for c in r
        if isinstance(c, str)
    ]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'+1 agreed" in cells and "'@risk" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_pdf_is_a_real_pdf_with_the_council_name(signed_plan, bob):
    response = _get(bob, "pdf", signed_plan)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    readable = document_pdf(
        plan_document(signed_plan), signature=signed_plan.signed_version, uncompressed=True
    )
    assert b"Lambeth action plan 2026 to 2027" in readable  # the document title and outline
    count = re.search(rb"/Kids \[[^\]]*\]\s*/Count (\d+)", readable)
    assert count
    pages = int(count.group(1))
    assert pages >= 2


def test_pdf_never_fetches_anything(signed_plan, monkeypatch):
    import urllib.request

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF tried to reach the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    assert document_pdf(plan_document(signed_plan)).startswith(b"%PDF-")


def test_quarterly_report_exports(signed_plan, alice):
    for action in signed_plan.actions.all():
        services.update_save(
            plan=signed_plan,
            quarter=signed_plan.quarters()[0],
            action=action,
            user=alice,
            rag="green",
            narrative="-Done",
        )
    quarter = f"{PLAN_YEAR}-q1"
    workbook = openpyxl.load_workbook(io.BytesIO(_get(alice, "report_xlsx", signed_plan, quarter).content))
    rows = list(workbook["Objectives"].iter_rows(values_only=True))
    assert rows[1][-3:-1] == ("Green", "'-Done")
    assert _get(alice, "report_pdf", signed_plan, quarter).content.startswith(b"%PDF-")
    report = signed_plan.reports.get()
    assert "progress" in report_document(report)["objectives"][0]["actions"][0]
