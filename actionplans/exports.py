"""The plan (or a quarterly report) as XLSX and as PDF, both from the plan document
(`presenters.plan_document` / `report_document`), so every format says the same thing.

The PDF is WeasyPrint over the same template as the printable page's content, with a stylesheet
read from this package and a URL fetcher that refuses everything: it never reaches the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from wres_portal.downloads import safe_cell, workbook_bytes
from wres_portal.pdf import html_pdf

PDF_CSS = Path(__file__).with_name("pdf.css")


def _text(value: Any) -> Any:
    """Text that a spreadsheet could read as a formula (= + - @, tab, CR) gets a leading quote."""
    return safe_cell(value)


def _rows(document: dict[str, Any], signature: Any) -> dict[str, list[list[Any]]]:
    header = document["header"]
    plan = [
        ["Name of local authority", document["authority"]["name"]],
        ["Plan year", document["year_label"]],
        ["Senior sponsors", "\n".join(header["senior_sponsors"])],
        ["Programme leads", "\n".join(header["programme_leads"])],
        ["Staff voice leads", "\n".join(header["staff_voice_leads"])],
        ["Number of direct employees", header["direct_employees"]],
        ["How this action plan has been agreed", header["how_agreed"]],
        ["Staff voice", header["staff_voice_summary"]],
    ]
    if "quarter" in document:
        plan += [
            ["Quarter", document["quarter"]["label"]],
            ["Summary of the quarter", document["quarter"]["summary"]],
        ]
    if signature is not None:
        plan += [
            ["Signed off by", f"{signature.signatory_name}, {signature.signatory_role}"],
            ["Signed off on", signature.signed_on],
        ]
    known = [[f"{line['metric']}. {line['title']}", line["text"]] for line in document["what_we_know"]]
    objectives, targets = [], []
    for o in document["objectives"]:
        common = [
            o["number"],
            o["text"],
            "; ".join(t["label"] for t in o["themes"]),
            "\n".join(o["leads"]),
            "\n".join(
                [d["sentence"] for d in o["metrics_data"]] + ([o["data_note"]] if o["data_note"] else [])
            ),
        ]
        after = [o["indicators_of_improvement"], o["timeframe"]]
        for action in o["actions"] or [None]:
            cells = (
                [None] * 5
                if action is None
                else [
                    action["number"],
                    action["text"],
                    action["lead"],
                    action["due_label"],
                    action["status_label"],
                ]
            )
            progress = (action or {}).get("progress") or {}
            objectives.append(
                [
                    *common,
                    *cells,
                    *after,
                    progress.get("rag_label"),
                    progress.get("narrative"),
                    progress.get("evidence_url"),
                ]
            )
        targets += [[o["number"], t["description"]] for t in o["targets"]]
    return {
        "Plan": [["", ""], *plan],
        "What we know": [["Metric", "What we know from our data"], *known],
        "Objectives": [
            [
                "No",
                "Objective",
                "WRES themes",
                "Lead",
                "Data from WRES metrics",
                "Action no",
                "Specific action",
                "Action lead",
                "Due",
                "Status",
                "Indicators of improvement",
                "Timeframe",
                "RAG",
                "Progress",
                "Evidence",
            ],
            *objectives,
        ],
        "Targets": [["Objective", "Target"], *targets],
    }


def document_xlsx(document: dict[str, Any], *, signature: Any = None) -> bytes:
    """One sheet each for the plan's details, what we know, objectives (a row per action) and targets."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for title, rows in _rows(document, signature).items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([_text(value) for value in row])
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 50)
            for cell in column:
                cell.alignment = wrap
    return workbook_bytes(workbook)


def document_pdf(document: dict[str, Any], *, signature: Any = None, uncompressed: bool = False) -> bytes:
    """The printable layout as a PDF (A4 landscape, objective tables as councils publish them).
    `uncompressed` leaves its text streams readable, for tests."""
    html = render_to_string("actionplans/plan_pdf.html", {"doc": document, "signature": signature})
    return html_pdf(html, PDF_CSS.read_text(), uncompressed=uncompressed)
