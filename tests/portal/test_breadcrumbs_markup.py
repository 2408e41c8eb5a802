"""The breadcrumbs written in Python (issue 18): the markup of the template they replaced
(includes/breadcrumbs.html), byte for byte, and the same escaping."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from portal.navigation import Crumb, breadcrumbs_html

# The template the function replaced, word for word.
BREADCRUMBS_TEMPLATE = """{% comment %}GOV.UK breadcrumbs. crumbs: portal.navigation.Crumb list (label, href), parents only.{% endcomment %}{% if crumbs %}
<nav class="govuk-breadcrumbs govuk-breadcrumbs--collapse-on-mobile" aria-label="Breadcrumb">
  <ol class="govuk-breadcrumbs__list">
    {% for crumb in crumbs %}
    <li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="{{ crumb.href }}">{{ crumb.label }}</a></li>
    {% endfor %}
  </ol>
</nav>
{% endif %}
"""  # noqa: E501

TRAILS = [
    [],
    [Crumb("Home", "/")],
    [Crumb("Authorities", "/national/authorities/"), Crumb("Leeds", "/councils/E08000035/")],
    [
        Crumb("Home", "/"),
        Crumb('O\'Brien & "Sons" <script>alert(1)</script>', "/councils/E06%200/?a=1&b=2"),
        Crumb("Results", "/councils/E06000001/results/"),
        Crumb("2026 results", "/councils/E06000001/results/2026/"),
    ],
    [Crumb(mark_safe("<b>already safe</b>"), "/")],
]


@pytest.mark.parametrize("crumbs", TRAILS, ids=lambda crumbs: f"{len(crumbs)} crumbs")
def test_the_breadcrumbs_are_the_templates_markup(crumbs: list[Crumb]) -> None:
    expected = engines["django"].from_string(BREADCRUMBS_TEMPLATE).render({"crumbs": crumbs})
    assert breadcrumbs_html(crumbs) == expected


def test_a_council_name_is_escaped() -> None:
    markup = breadcrumbs_html(TRAILS[3])
    assert "O&#x27;Brien &amp; &quot;Sons&quot; &lt;script&gt;" in markup and "<script>" not in markup
    assert 'href="/councils/E06%200/?a=1&amp;b=2"' in markup
