"""The summary that opens a council's results page, written in Python (issue 18,
metrics.presenters.summary_html): the markup of the template it replaced, byte for byte, in every
branch, and the same escaping."""

from __future__ import annotations

import itertools

import pytest
from django.template import Context, Template

from metrics.indicators import INDICATORS
from metrics.presenters import summary_html
from metrics.summary import Line, PlanLink, Summary

# The two templates the function replaced (templates/metrics/_summary.html and
# _summary_objectives.html), word for word.
SUMMARY_TEMPLATE = """
{# The summary that opens a council's results: metrics.summary.results_summary #}
{% load wres %}
<div class="govuk-summary-card app-results-summary">
  <div class="govuk-summary-card__title-wrapper"><h2 class="govuk-summary-card__title">Summary{% if service_label %}: {{ service_label|lower }}{% endif %}</h2></div>
  <div class="govuk-summary-card__content">
    <h3 class="govuk-heading-s">Outside the four-fifths range</h3>
    {% if summary.outside %}
    <ul class="govuk-list govuk-list--bullet">
      {% for line in summary.outside %}<li><a class="govuk-link" href="#{{ line.indicator.code }}-title">{{ line.indicator.title }}</a> (metric {{ line.indicator.metric }}): {{ line.figure }}, {{ line.words }}.{% include objectives_template %}</li>{% endfor %}
    </ul>
    {% else %}<p class="govuk-body">Every relative likelihood that can be calculated is within the four-fifths range (0.80 to 1.25).</p>{% endif %}
    <h3 class="govuk-heading-s">Significant differences</h3>
    {% if summary.significant %}
    <ul class="govuk-list govuk-list--bullet">
      {% for line in summary.significant %}<li><a class="govuk-link" href="#{{ line.indicator.code }}-title">{{ line.indicator.title }}</a>: {{ line.words }}.</li>{% endfor %}
    </ul>
    {% else %}<p class="govuk-body">None: no difference between minority ethnic and white staff is larger than chance alone could explain.</p>{% endif %}
    <h3 class="govuk-heading-s">Changed since {% if summary.previous_label %}{{ summary.previous_label }}{% else %}last round{% endif %}</h3>
    {% if summary.changes %}
    <ul class="govuk-list govuk-list--bullet">
      {% for line in summary.changes %}<li><a class="govuk-link" href="#{{ line.indicator.code }}-title">{{ line.indicator.title }}</a>: {{ line.figure }}, {{ line.words }}.</li>{% endfor %}
    </ul>
    {% if summary.unchanged %}<p class="govuk-body">{{ summary.unchanged|length }} other metric{{ summary.unchanged|length|pluralize }} about the same as in {{ summary.previous_label }}.</p>{% endif %}
    {% elif summary.unchanged %}<p class="govuk-body">Every metric is about the same as in {{ summary.previous_label }}.</p>
    {% elif summary.previous_label %}<p class="govuk-body">No figure can be compared with {{ summary.previous_label }}.</p>
    {% else %}<p class="govuk-body">There is no earlier return to compare with.</p>{% endif %}
    {% if summary.without_objective %}<p class="govuk-body">No objective in your action plan is tied to {% for indicator in summary.without_objective %}{% if not forloop.first %}{% if forloop.last %} or {% else %}, {% endif %}{% endif %}{{ indicator.title|in_sentence }}{% endfor %}, although {% if summary.without_objective|length == 1 %}it is{% else %}they are{% endif %} outside the four-fifths range.</p>{% endif %}
  </div>
</div>
"""  # noqa: E501
OBJECTIVES_TEMPLATE = """
{% if line.objectives %} Your action plan: {% for link in line.objectives %}<a class="govuk-link" href="{{ link.url }}">objective {{ link.number }}<span class="govuk-visually-hidden"> of the {{ link.plan_label }} plan: {{ link.text|truncatewords:12 }}</span></a>{% if not forloop.last %}, {% endif %}{% endfor %}.{% endif %}
"""  # noqa: E501


def _template(summary: Summary, service_label: str | None) -> str:
    objectives = Template(OBJECTIVES_TEMPLATE.removeprefix("\n"))
    page = Template(SUMMARY_TEMPLATE.removeprefix("\n"))
    return page.render(
        Context({"summary": summary, "service_label": service_label, "objectives_template": objectives})
    )


M1, M2, M3, M6 = (next(i for i in INDICATORS if i.code == code) for code in ("m1_upper", "m2", "m3", "m6"))
PLAN = "/councils/E08000035/action-plans/2026/"
LONG = "Open every shortlisting panel to a minority ethnic member of staff, in both services and all grades"
LINKS = (
    PlanLink("m2", 1, LONG, PLAN + "#objective-1", "2026"),
    PlanLink("m2", 3, 'Check "fair" & <unbiased> scoring', PLAN + "?a=1&b=2", "2026–27"),
)
OUTSIDE = [
    [],
    [Line(M2, "0.59", "adverse to minority ethnic staff", LINKS)],
    [
        Line(M2, "0.59", "adverse to minority ethnic staff"),
        Line(M3, "2.10", "adverse to <white> staff", LINKS[1:]),
    ],
]
SIGNIFICANT = [[], [Line(M2, "0.59", "less likely, beyond chance"), Line(M6, "12.0%", "more & likelier")]]
CHANGES = [[], [Line(M1, "12.5%", "up 2.0 points"), Line(M2, "0.59", "further from equal than last round")]]
UNCHANGED = [[], [M6], [M6, M3]]
WITHOUT = [[], [M2], [M2, M3], [M1, M2, M6]]
PREVIOUS = [None, "2025", "2024 & <b>"]


def _cases():
    for outside, significant, changes, unchanged, without, previous in itertools.product(
        OUTSIDE, SIGNIFICANT, CHANGES, UNCHANGED, WITHOUT, PREVIOUS
    ):
        yield Summary(
            outside=outside,
            significant=significant,
            changes=changes,
            previous_label=previous,
            unchanged=unchanged,
            without_objective=without,
        )


@pytest.mark.parametrize("service_label", [None, "", "Adult social care", "Children's <social> care"])
def test_the_summary_is_the_templates_markup_in_every_branch(service_label: str | None) -> None:
    count = 0
    for summary in _cases():
        assert str(summary_html(summary, service_label)) == _template(summary, service_label), summary
        count += 1
    assert count == 3 * 2 * 2 * 3 * 4 * 3


def test_text_from_a_plan_is_escaped_and_shortened_as_before() -> None:
    summary = Summary(outside=[Line(M2, "0.59", "adverse to minority ethnic staff", LINKS)])
    html = str(summary_html(summary, "Adult social care"))
    assert "Check &quot;fair&quot; &amp; &lt;unbiased&gt; scoring" in html and "<unbiased>" not in html
    assert "a minority ethnic member of staff, in …</span>" in html  # twelve words, then an ellipsis
    assert 'href="/councils/E08000035/action-plans/2026/?a=1&amp;b=2"' in html


def test_an_analyst_reads_the_councils_action_plan_not_yours() -> None:
    summary = Summary(
        outside=[Line(M2, "0.59", "adverse to minority ethnic staff", LINKS)], without_objective=[M3]
    )
    member = str(summary_html(summary, None))
    analyst = str(summary_html(summary, None, member=False))
    assert " Your action plan: <a" in member and "No objective in your action plan is tied to" in member
    assert " The council's action plan: <a" in analyst
    assert "No objective in the council's action plan is tied to" in analyst
    assert "your action plan" not in analyst.lower()
