"""Formatting filters for results pages (no queries)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from metrics import disclosure, presenters
from metrics.calculations import format_percent, format_ratio

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """mapping[key], or an empty string: for dicts such as a result's counts by group."""
    if isinstance(mapping, dict):
        value = mapping.get(key)
        return "" if value is None else value
    return ""


# A metric's title inside a sentence (the board summary); the results page's summary uses it too.
register.filter("in_sentence", presenters.in_sentence)


@register.filter
def percent(value: float | None) -> str:
    return format_percent(value, missing="–") if value != "" else "–"


@register.filter
def ratio(value: float | None) -> str:
    return format_ratio(value, missing="–")


@register.filter
def benchmark_shown(n_authorities: int | None) -> bool:
    """Whether a benchmark cell from `n_authorities` authorities may be shown (metrics.disclosure)."""
    return disclosure.benchmark_shown(n_authorities if isinstance(n_authorities, int) else None)


@register.simple_tag
def disclosure_legend() -> str:
    """The disclosure markers explained (metrics.disclosure.LEGEND)."""
    return disclosure.LEGEND


_RULES = {
    "suppressed": disclosure.SUPPRESSED,
    "low": disclosure.LOW,
    "small_count_min": disclosure.SMALL_COUNT_MIN,
    "small_count_max": disclosure.SMALL_COUNT_MAX,
    "min_authorities": disclosure.MIN_AUTHORITIES,
}


@register.simple_tag
def disclosure_rule(name: str) -> object:
    """One of the disclosure rules' values by name, e.g. {% disclosure_rule "min_authorities" %}."""
    return _RULES[name]


@register.simple_tag
def options(choices: Any, selected: Any) -> SafeString:
    """A filter's `<option>`s, the one equal to `selected` marked: for metrics/_filters.html, where
    four template for-loops were a third of the dashboard's rendering (issue 18). `choices` are
    (value, label) pairs; labels and values are escaped as `{{ }}` escapes them."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, _SELECTED if value == selected else "", label) for value, label in choices),
    )


_SELECTED = mark_safe(" selected")  # a constant
