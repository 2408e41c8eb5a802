"""The national indicator page's rows made in Python (issue 18), as the monitor's and the list of
authorities' are (tests/portal/test_list_rows.py): the same markup as the template loop they
replaced, byte for byte, and the same escaping."""

from __future__ import annotations

from urllib.parse import quote

from django.template import engines
from django.urls import reverse

from metrics.calculations import (
    ADVERSE_TO_MINORITY_ETHNIC,
    ADVERSE_TO_WHITE,
    FOUR_FIFTHS_LABELS,
    WITHIN_RANGE,
)
from metrics.indicators import INDICATORS_BY_CODE
from metrics.presenters import figure, indicator_rows

# The template loop the presenter replaced (templates/metrics/national_indicator.html), word for
# word, with the rows the view used to build for it.
INDICATOR_LOOP = """
    {% for name, link, value, band_label, low in rows %}
    <tr class="govuk-table__row"><th scope="row" class="govuk-table__header"><a class="govuk-link" href="{{ link }}?service={{ service }}">{{ name }}</a></th><td class="govuk-table__cell govuk-table__cell--numeric">{{ value }}{% if low %} <span class="govuk-hint govuk-!-display-inline">(low numbers)</span>{% endif %}</td><td class="govuk-table__cell">{{ band_label|default:"–" }}</td></tr>
    {% empty %}
    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="3">No authority matches these filters.</td></tr>
    {% endfor %}
  """  # noqa: E501
SLOT = "XSLOTX"
ROWS = [
    ("A & B <script>alert(1)</script>", "E09000022", 0.7321, ADVERSE_TO_MINORITY_ETHNIC, False),
    ("Leeds", "E08000035", 1.0, WITHIN_RANGE, True),
    ("Nowhere", "E06000001", None, None, True),
    ('O\'Brien "Council"', "E06 0/2?", 1.31, ADVERSE_TO_WHITE, False),
]


def _loop(rows, indicator, link: str, service: str) -> str:
    shaped = [
        (
            name,
            link.replace(SLOT, quote(ons_code, safe="")),
            figure(indicator, value),
            FOUR_FIFTHS_LABELS.get(band_code, ""),
            low,
        )
        for name, ons_code, value, band_code, low in rows
    ]
    return engines["django"].from_string(INDICATOR_LOOP).render({"rows": shaped, "service": service})


def test_the_indicator_rows_are_the_template_loops_markup() -> None:
    link = reverse("metrics:council_results", args=[SLOT, "2026"])
    for code in ("m1_upper", "m2", "m6"):  # a share, a relative likelihood, a percentage
        indicator = INDICATORS_BY_CODE[code]
        for service in ("all", "adults"):
            rows = indicator_rows(ROWS, indicator, link, SLOT, service)
            assert "\n    " + rows + "\n  " == _loop(ROWS, indicator, link, service)
    assert "A &amp; B &lt;script&gt;alert(1)&lt;/script&gt;" in rows and "<script>" not in rows
    assert "O&#x27;Brien &quot;Council&quot;" in rows and "/councils/E06%200%2F2%3F/results/2026/" in rows
    assert rows.count("(low numbers)") == 2 and rows.count(">–</td>") == 1
    empty = indicator_rows([], indicator, link, SLOT, "all")
    assert "\n    " + empty + "\n  " == _loop([], indicator, link, "all")
    assert "No authority matches these filters." in empty
