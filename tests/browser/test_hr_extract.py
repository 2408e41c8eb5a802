"""Building the return from HR extracts in the browser, under the real Content Security Policy.

- The counts the page builds equal the tests' own aggregation (tests/hrdata/extracts.py, Python,
  sharing no code with the JavaScript) field by field, on messy generated extracts, as CSV and XLSX;
  the rows it could not place are exactly the spoiled ones.
- Every request the page makes while reading, mapping, counting and saving is recorded: none
  carries a value found only in the extracts (employee numbers, names, salaries, ids).
- axe-core finds no WCAG 2.x A or AA violation in any state of the page; without JavaScript the page
  says what it needs and offers the templates and the ordinary upload.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from submissions.models import ExtractMapping, Return, ReturnVersion
from submissions.schema import RowKey
from tests.browser.helpers import AXE_OPTIONS, describe, session_cookie
from tests.browser.world import _round
from tests.hrdata.extracts import (
    Extract,
    Round,
    expected_counts,
    recruitment_extract,
    staff_extract,
    survey_extract,
    value_choices,
)

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(collection_round: Any) -> Round:
    return Round(collection_round.period_start, collection_round.period_end, collection_round.snapshot_date)


def _file(name: str, extract: Extract, kind: str) -> dict[str, Any]:
    if kind == "xlsx":
        return {"name": f"{name}.xlsx", "mimeType": XLSX, "buffer": extract.xlsx_bytes()}
    return {"name": f"{name}.csv", "mimeType": CSV, "buffer": extract.csv_bytes()}


def _axe(page: Any, axe_source: str, state: str, failures: list[str]) -> None:
    # Injected through the DevTools protocol, which the page's CSP does not govern.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], f"axe-core checked nothing in state {state}"
    if result["violations"]:
        failures.append(f"{state}:\n{describe(result['violations'])}")


def _map_values(page: Any) -> int:
    """Choose what each value the defaults do not cover means, as the lead would."""
    choices = value_choices()
    selects = page.locator("[data-hr-values] select")
    for i in range(selects.count()):
        select = selects.nth(i)
        kind = select.get_attribute("data-kind")
        label = page.locator(f"#{select.get_attribute('id')}-label").inner_text().strip()
        select.select_option(choices[kind][label])
    return selects.count()


def _counts_by_service(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for row in rows:
        measure = f"{row['measure']}:{row['pay_band']}" if row["pay_band"] else row["measure"]
        counts.setdefault(row["service"], {})[measure] = {
            g: row[g] for g in ("white", "minority_ethnic", "unknown")
        }
    return counts


def _build(
    page: Any,
    files: dict[str, dict[str, Any]],
    axe_source: str | None = None,
    failures: list[str] | None = None,
) -> dict[str, Any]:
    """Choose the files, confirm the proposed columns, map the values, count. Returns what the page shows."""
    found = failures if failures is not None else []
    check = (lambda state: _axe(page, axe_source, state, found)) if axe_source else (lambda state: None)
    if files:  # a fresh page: first press on without choosing anything
        check("choose the extracts")
        page.locator("[data-hr-files-form] button[type=submit]").click()
        page.wait_for_selector("[data-hr-error-summary]:not([hidden])")
        check("choose the extracts, errors")
    for key, file in files.items():
        page.set_input_files(f"#hr-file-{key}", files=[file])
    page.locator("[data-hr-files-form] button[type=submit]").click()
    page.wait_for_selector("[data-hr-step=columns]:not([hidden])", timeout=60_000)
    check("check the columns")
    page.locator("[data-hr-columns-form] button[type=submit]").click()
    page.wait_for_selector("[data-hr-step=values]:not([hidden])", timeout=60_000)
    page.locator("[data-hr-values-form] button[type=submit]").click()  # nothing mapped yet: errors
    page.wait_for_selector("[data-hr-error-summary]:not([hidden])")
    check("map the values, errors")
    mapped = _map_values(page)
    page.locator("[data-hr-values-form] button[type=submit]").click()
    page.wait_for_selector(
        "[data-hr-step=survey]:not([hidden]), [data-hr-step=results]:not([hidden])", timeout=60_000
    )
    return {"mapped": mapped}


def _unplaced(page: Any) -> set[tuple[str, int]]:
    rows = page.locator("[data-hr-unplaced-table] tbody tr")
    return {
        (rows.nth(i).get_attribute("data-extract"), int(rows.nth(i).get_attribute("data-row")))
        for i in range(rows.count())
    }


@pytest.mark.parametrize(
    ("kind", "dates", "bands"),
    [("csv", False, False), ("xlsx", True, False), ("csv", True, True)],
    ids=["csv-flags-salaries", "xlsx-dates-salaries", "csv-dates-bands"],
)
def test_browser_counts_equal_an_independent_aggregation_and_no_extract_value_leaves(
    browser, axe_source, live_server, alice, analyst, kind, dates, bands
) -> None:
    authority = alice.memberships.get().authority
    current = _round("2026", analyst, 30, 30)
    period = _period(current)
    staff = staff_extract(1500, period, seed=7, dates=dates, bands=bands, xlsx_types=kind == "xlsx")
    recruitment = recruitment_extract(400)
    survey = survey_extract(600)
    expected = expected_counts(staff, recruitment, survey)
    secrets = staff.secrets | recruitment.secrets | survey.secrets

    context = browser.new_context(base_url=live_server.url)  # the real CSP
    context.add_cookies([session_cookie(alice, live_server.url)])
    requests: list[Any] = []
    context.on("request", lambda request: requests.append(request))
    page = context.new_page()
    failures: list[str] = []
    try:
        page.goto(reverse("submissions:hrdata_build", args=[authority.ons_code, current.label]))
        assert page.locator("[data-hr-no-js]").is_hidden()
        files = {
            "staff": _file("staff", staff, kind),
            "recruitment": _file("recruitment", recruitment, "xlsx"),
            "survey": _file("survey", survey, "csv"),
        }
        built = _build(page, files, axe_source if kind == "csv" and not dates else None, failures)
        assert built["mapped"] >= 5
        page.wait_for_selector("[data-hr-step=results]:not([hidden])")
        if kind == "csv" and not dates:
            _axe(page, axe_source, "check the counts", failures)

        counts = _counts_by_service(json.loads(page.locator("[data-hr-counts]").input_value()))
        assert set(counts) == set(expected) == {"adults", "children"}
        for service in expected:
            for measure, groups in expected[service].items():
                assert counts[service][measure] == groups, f"{service} {measure}"
        assert _unplaced(page) == {("staff", n) for n in staff.unplaced}
        assert staff.unplaced, "the generated staff extract has spoiled rows"

        # The lead saves: checked, previewed, confirmed.
        with page.expect_navigation():
            page.locator("[data-hr-save-form] button[type=submit]").click()
        assert "Check what the counts from your HR data change" in page.title()
        with page.expect_navigation():
            page.locator("#main-content form[method=post] button[type=submit]").click()
        record = Return.objects.get(authority=authority, round=current)
        assert record.current().source == ReturnVersion.Source.EXTRACT
        saved = record.current().data()
        for service in expected:
            for measure, groups in expected[service].items():
                name, _, band = measure.partition(":")
                assert saved[RowKey(service, name, band)] == groups

        # The mapping was remembered: columns and values, never rows.
        mapping = ExtractMapping.objects.get(authority=authority, round=current)
        assert mapping.values["service"]["housing"] == "out_of_scope"
        assert mapping.columns["staff"]["service"] == "Service Area"
    finally:
        context.close()

    assert not failures, "\n".join(failures)
    posted = [urlsplit(r.url).path for r in requests if r.method != "GET"]
    allowed = re.compile(
        r"^/(api/v1/authorities/\w+/returns/\w+/hr-mapping|councils/\w+/returns/\w+/hr-data/check(/[\w-]+)?)/$"
    )
    assert posted and all(allowed.match(path) for path in posted), posted
    for request in requests:
        sent = " ".join([request.url, request.post_data or "", json.dumps(request.headers)])
        leaked = [s for s in secrets if s in sent]
        assert not leaked, f"{request.method} {request.url} carries {leaked[:3]}"
    assert all(r.url.startswith(live_server.url) for r in requests), "the page contacted another origin"


def test_survey_summary_typed_in_and_unreadable_files_explained(
    browser, axe_source, live_server, alice, analyst
) -> None:
    authority = alice.memberships.get().authority
    current = _round("2026", analyst, 30, 30)
    staff = staff_extract(300, _period(current), seed=11, bad_rows=False)
    recruitment = recruitment_extract(80, seed=12)
    expected = expected_counts(staff, recruitment, None)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies([session_cookie(alice, live_server.url)])
    page = context.new_page()
    failures: list[str] = []
    try:
        page.goto(reverse("submissions:hrdata_build", args=[authority.ons_code, current.label]))
        # An old .xls workbook is explained, next to its field.
        page.set_input_files(
            "#hr-file-staff",
            files=[
                {
                    "name": "staff.xls",
                    "mimeType": "application/vnd.ms-excel",
                    "buffer": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
                }
            ],
        )
        page.set_input_files("#hr-file-recruitment", files=[_file("recruitment", recruitment, "csv")])
        page.locator("[data-hr-files-form] button[type=submit]").click()
        page.wait_for_selector("#hr-file-staff-error:not([hidden])")
        assert "old-format Excel workbook" in page.locator("#hr-file-staff-error").inner_text()
        _axe(page, axe_source, "unreadable file", failures)

        page.set_input_files("#hr-file-staff", files=[_file("staff", staff, "csv")])
        _build(page, {})
        page.wait_for_selector("[data-hr-step=survey]:not([hidden])")
        _axe(page, axe_source, "survey summary", failures)
        typed = {
            "survey_respondents": (50, 20, 3),
            "harassed_by_public": (9, 6, 1),
            "harassed_by_colleagues": (4, 30, 0),
            "harassed_by_managers": (2, 1, 0),
        }
        for service in ("adults", "children"):
            for measure, values in typed.items():
                for group, value in zip(("white", "minority_ethnic", "unknown"), values, strict=True):
                    page.fill(f"#hr-survey-{service}-{measure}-{group}", str(value))
        page.locator("[data-hr-survey-form] button[type=submit]").click()  # colleagues 30 > 20 respondents
        page.wait_for_selector("[data-hr-error-summary]:not([hidden])")
        assert "cannot be more than the respondents" in page.locator("[data-hr-error-summary]").inner_text()
        _axe(page, axe_source, "survey summary, errors", failures)
        for service in ("adults", "children"):
            page.fill(f"#hr-survey-{service}-harassed_by_colleagues-minority_ethnic", "3")
        page.locator("[data-hr-survey-form] button[type=submit]").click()
        page.wait_for_selector("[data-hr-step=results]:not([hidden])")
        counts = _counts_by_service(json.loads(page.locator("[data-hr-counts]").input_value()))
        for service in expected:
            assert counts[service]["survey_respondents"] == {"white": 50, "minority_ethnic": 20, "unknown": 3}
            assert counts[service]["harassed_by_colleagues"]["minority_ethnic"] == 3
            assert counts[service]["headcount"] == expected[service]["headcount"]
            assert counts[service]["appointed"] == expected[service]["appointed"]
        assert not _unplaced(page)

        # Download the counts as the return CSV instead: made in the browser.
        with page.expect_download() as download:
            page.locator("[data-hr-download]").click()
        text = Path(download.value.path()).read_bytes().decode()
        assert text.startswith("service,measure,pay_band,white,minority_ethnic,unknown\r\nadults,headcount,,")
        assert "adults,survey_respondents,,50,20,3" in text
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_without_javascript_the_page_says_what_it_needs(
    browser, axe_source, live_server, alice, analyst
) -> None:
    authority = alice.memberships.get().authority
    current = _round("2026", analyst, 30, 30)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_cookies([session_cookie(alice, live_server.url)])
    page = context.new_page()
    try:
        page.goto(reverse("submissions:hrdata_build", args=[authority.ons_code, current.label]))
        assert page.locator("[data-hr-no-js]").is_visible()
        assert page.locator("[data-module=app-hr-extract]").is_hidden()
        links = page.locator("[data-hr-no-js] a")
        hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
        assert reverse("submissions:upload", args=[authority.ons_code, current.label]) in hrefs
        assert reverse("submissions:hrdata_template_xlsx", args=[authority.ons_code, current.label]) in hrefs
    finally:
        context.close()
    # axe needs JavaScript: the no-JavaScript state is checked in a scripted tab with GOV.UK's
    # "supported" class taken off the body, which is exactly what the stylesheet keys on.
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies([session_cookie(alice, live_server.url)])
    page = context.new_page()
    failures: list[str] = []
    try:
        page.goto(reverse("submissions:hrdata_build", args=[authority.ons_code, current.label]))
        page.evaluate("document.body.classList.remove('govuk-frontend-supported')")
        assert page.locator("[data-hr-no-js]").is_visible()
        _axe(page, axe_source, "without JavaScript", failures)
        page.goto(reverse("submissions:hrdata_guidance", args=[authority.ons_code, current.label]))
        _axe(page, axe_source, "guidance for HR officers", failures)
    finally:
        context.close()
    assert not failures, "\n".join(failures)
