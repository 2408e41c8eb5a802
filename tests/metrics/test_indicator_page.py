"""The national indicator page (issues 15 and 18): its chart summarises the authorities as a
distribution (a histogram and a box) instead of one mark each, and its table of authorities is
sorted, filtered and paginated by the database."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from metrics.calculations import distribution
from metrics.charts.histogram import histogram_chart
from metrics.models import Result
from submissions.models import Return
from tests.builders import round_with_accepted_returns

pytestmark = pytest.mark.django_db


def _rows(page: str) -> list[tuple[str, str]]:
    """(authority, value) for each row of the authorities table."""
    return re.findall(
        r'<th scope="row" class="govuk-table__header">'
        r'<a class="govuk-link" href="/councils/[^"]+">([^<]+)</a></th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]+)',
        page,
    )


def _chart(page: str) -> str:
    return page[page.index("<svg") : page.index("</svg>")]


def _accepted_values(collection_round, code: str) -> list[float]:
    versions = Return.objects.filter(round=collection_round, status="accepted").values("current_version_id")
    values = Result.objects.filter(
        round=collection_round, service="all", indicator=code, version_id__in=versions
    ).values_list("value", flat=True)
    return [value for value in values if value is not None]


def test_indicator_chart_is_a_distribution_not_a_mark_per_authority(client, analyst):
    collection_round = round_with_accepted_returns(analyst, n=12)
    client.force_login(analyst)
    page = client.get(reverse("metrics:indicator", args=[collection_round.label, "m2"])).content.decode()
    chart = _chart(page)
    assert "<circle" not in chart, "no dot per authority"
    assert 'class="chart-bar"' in chart and 'class="chart-box"' in chart
    values = _accepted_values(collection_round, "m2")
    bars = [int(n) for n in re.findall(r'<rect class="chart-bar"[^>]*data-count="(\d+)"', chart)]
    off_scale = sum(int(n) for n in re.findall(r'data-off-scale="(\d+)"', chart))
    assert sum(bars) + off_scale == len(values), "every authority with a figure counted once"
    assert f"{len(values)} authorities" in chart


def test_histogram_chart_counts_and_describes_each_bin():
    values = [0.5, 0.9, 1.0, 1.1, 1.1, 2.0, 40.0]
    chart = histogram_chart(
        bins=[(0.25, 0.5, 0), (0.5, 1.0, 2), (1.0, 2.0, 3), (2.0, 4.0, 1)],
        below=0,
        above=1,
        quartiles=distribution(values),
        log_scale=True,
        id_prefix="hist-test",
        title="Test",
    )
    assert chart.count('class="chart-bar"') == 4
    assert 'data-count="3"' in chart
    assert "1 above 4 shown at the right edge" in chart
    assert "7 authorities" in chart and "median 1.10" in chart


def test_indicator_table_is_sorted_filtered_and_paginated(client, analyst, monkeypatch):
    monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 4)
    collection_round = round_with_accepted_returns(analyst, n=10)
    client.force_login(analyst)
    url = reverse("metrics:indicator", args=[collection_round.label, "m2"])

    first = client.get(url).content.decode()
    assert len(_rows(first)) == 4 and 'rel="next"' in first and "page 1 of 3" in first
    names = [name for name, _ in _rows(first)]
    assert names == sorted(names)
    by_value = client.get(url, {"sort": "-value"}).content.decode()
    shown = [float(v.split()[0]) for _, v in _rows(by_value) if v.strip()[0].isdigit()]
    assert shown == sorted(shown, reverse=True) and 'aria-sort="descending"' in by_value
    london = client.get(url, {"region": "London"}).content.decode()
    assert "5 authorities" in london
    # The filters and the sort survive paging.
    assert "region=London" in london and "page=2" in london


def test_the_spread_worked_out_by_the_database_equals_the_python_distribution(analyst):
    from metrics.spread import spread

    collection_round = round_with_accepted_returns(analyst, n=9)
    for code in ("m1", "m2", "m5"):
        versions = Return.objects.filter(round=collection_round, status="accepted").values(
            "current_version_id"
        )
        results = Result.objects.filter(
            round=collection_round, service="all", indicator=code, version_id__in=versions
        )
        expected = distribution(_accepted_values(collection_round, code))
        found = spread(results)
        assert found["n"] == expected["n"]
        for key in ("min", "lower_quartile", "median", "upper_quartile", "max"):
            assert found[key] == pytest.approx(expected[key])
