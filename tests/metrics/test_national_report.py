"""The printable national report prints on A4: one section per indicator, narrow tables (issue 15,
item 8: it was 27-column tables 2,773 px wide)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from metrics.indicators import INDICATORS
from metrics.releases.services import dataset, release_create, release_publish
from metrics.report import indicator_sections
from tests.builders import round_with_accepted_returns

pytestmark = pytest.mark.django_db


def _columns(table_html: str) -> int:
    head = re.search(r"<thead.*?</thead>", table_html, re.S)
    return len(re.findall(r"<th ", head.group(0))) if head else 0


def test_the_national_report_is_one_section_per_indicator_with_narrow_tables(client, analyst) -> None:
    collection_round = round_with_accepted_returns(analyst, n=6, label="2025", regions=["London"])
    release = release_create(collection_round=collection_round, user=analyst, note="1.", budget_seconds=0)
    release_publish(release=release, user=analyst)
    client.force_login(analyst)
    body = client.get(reverse("metrics:national_report", args=["2025"])).content.decode()
    tables = re.findall(r"<table.*?</table>", body, re.S)
    assert tables and max(_columns(t) for t in tables) <= 8
    for indicator in INDICATORS:
        assert f'id="{indicator.code}"' in body and indicator.title in body
    assert "app-report--a4" in body  # printed on A4, each indicator from a new page
    # the figures are the release's, as printed
    pooled = dataset(release, "pooled").dict
    england_m2 = next(r for r in pooled if r["Scope"] == "England" and r["Indicator code"] == "m2")
    assert f">{england_m2['Relative likelihood']}<" in body


def test_sections_carry_the_printed_symbols_and_nothing_else() -> None:
    pooled = [
        {"Scope": "England", "Area": "England", "Service": "Both services", "Indicator code": "m3",
         "Authorities": 40, "White rate (%)": 2.1, "Minority ethnic rate (%)": "[low]",
         "Relative likelihood": "[low]", "95% interval: lower": "[low]", "95% interval: upper": "[low]"},
        {"Scope": "Region", "Area": "London", "Service": "Both services", "Indicator code": "m3",
         "Authorities": 4, "White rate (%)": "[c]", "Minority ethnic rate (%)": "[c]",
         "Relative likelihood": "[c]", "95% interval: lower": "[c]", "95% interval: upper": "[c]"},
    ]  # fmt: skip
    distribution = [
        {"Scope": "England", "Area": "England", "Service": "Both services", "Indicator code": "m3",
         "Median": 1.1, "Lower quartile": 0.8, "Upper quartile": 1.4},
    ]  # fmt: skip
    (section,) = indicator_sections(pooled, distribution)
    (table,) = section.tables
    assert section.indicator.code == "m3" and table.service == "Both services"
    assert table.rows[0] == ("England", 40, 2.1, "[low]", "[low]", "[low]", 1.1, "0.8 to 1.4")
    assert table.rows[1] == ("London", 4, "[c]", "[c]", "[c]", "[c]", "", "")
