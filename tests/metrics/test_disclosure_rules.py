"""The disclosure rules live in one module (metrics.disclosure); pages, templates and exports ask it."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from metrics import disclosure


@pytest.mark.parametrize(
    ("n", "shown"), [(None, False), (0, False), (1, False), (4, False), (5, True), (6, True), (300, True)]
)
def test_a_benchmark_cell_is_shown_from_five_authorities(n: int | None, shown: bool) -> None:
    assert disclosure.benchmark_shown(n) is shown
    assert disclosure.benchmark_figure("1.20", n_authorities=n) == ("1.20" if shown else "[c]")
    assert disclosure.benchmark_value(1.2, n_authorities=n) == (1.2 if shown else None)


@pytest.mark.parametrize(("count", "small"), [(None, False), (0, False), (1, True), (9, True), (10, False)])
def test_counts_from_one_to_nine_are_small(count: int | None, small: bool) -> None:
    assert disclosure.is_small(count) is small


def test_the_markers_and_legend_come_from_the_rules() -> None:
    assert (disclosure.SUPPRESSED, disclosure.LOW, disclosure.MIN_AUTHORITIES) == ("[c]", "[low]", 5)
    assert disclosure.LEGEND == (
        "[c]: a count from 1 to 9, or a figure that would reveal one; [low]: worked out from such a count; "
        "benchmark figures from fewer than 5 authorities are [c]."
    )
    assert disclosure.BENCHMARK_NOT_SHOWN == "not shown (fewer than 5 returns)"


def test_templates_ask_the_rules_through_a_filter_and_a_tag() -> None:
    template = Template(
        "{% load wres %}{% for n in ns %}{% if n|benchmark_shown %}y{% else %}n{% endif %}{% endfor %}"
        "|{% disclosure_legend %}"
    )
    rendered = template.render(Context({"ns": [None, "", 4, 5]}))
    shown, legend = rendered.split("|", 1)
    assert shown == "nnny"
    assert legend == disclosure.LEGEND.replace("&", "&amp;")
