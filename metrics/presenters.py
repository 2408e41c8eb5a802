"""Shape results and benchmarks for the results pages: one card per indicator, with its sentence,
figures, comparators, trend and charts. Reads what the views pass in; no queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.utils.safestring import SafeString
from django.utils.text import Truncator

from submissions.presenters import table_body, text
from submissions.schema import SERVICE_LABELS

from . import charts
from .calculations import (
    FOUR_FIFTHS_LABELS,
    INDICATORS,
    QUARTILE_LABELS,
    format_interval,
    format_percent,
    format_ratio,
    quartile_position,
    sentence,
)
from .disclosure import BENCHMARK_NOT_SHOWN
from .guidance import Guidance, guidance_for, median_note, quartile_reading
from .indicators import Indicator
from .publication import Comparator, PublishedComparators
from .summary import Line, Summary


def figure(indicator: Indicator, value: float | None) -> str:
    return format_percent(value) if indicator.kind == "share" else format_ratio(value)


# Hand-written HTML, for speed (issue 18), as the monitor's and the list of authorities' rows are
# (submissions.presenters, portal.presenters): the 50 rows of the national indicator page through a
# template loop took 0.62 ms a request, these 0.21 ms. Every value goes through `text` (the
# templates' escaping); the markup is the template loop's, byte for byte.
_INDICATOR_ROW = (
    '\n    <tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
    '<a class="govuk-link" href="{link}?service={service}">{name}</a></th>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{value}{low}</td>'
    '<td class="govuk-table__cell">{band}</td></tr>\n    '
)
_LOW_NUMBERS = ' <span class="govuk-hint govuk-!-display-inline">(low numbers)</span>'


def indicator_rows(
    rows: Iterable[tuple[str, str, float | None, str | None, bool]],
    indicator: Indicator,
    link: str,
    code_slot: str,
    service: str,
) -> SafeString:
    """The national indicator page's table body (templates/metrics/national_indicator.html): one row
    per authority of `rows` (name, ONS code, value, four-fifths band, low numbers), its link `link`
    with the ONS code in place of `code_slot`; the no-match row when there is none."""
    service_text = text(service)
    return table_body(
        (
            _INDICATOR_ROW.format(
                link=text(link.replace(code_slot, quote(ons_code, safe=""))),
                service=service_text,
                name=text(name),
                value=text(figure(indicator, value)),
                low=_LOW_NUMBERS if low else "",
                band=text(FOUR_FIFTHS_LABELS.get(band_code or "", "")) or "–",
            )
            for name, ons_code, value, band_code, low in rows
        ),
        3,
    )


@dataclass
class Card:
    indicator: Indicator
    entry: dict[str, Any]
    value: float | None
    sentence: str
    figure: str
    interval: str
    band: str
    band_label: str
    national_median: str
    quartile: str
    region_median: str
    type_median: str
    national_pooled: str = ""
    quartile_reading: str = ""
    median_note: str = ""
    guidance: Guidance | None = None
    trend: list[tuple[str, str, str]] = field(default_factory=list)
    chart: str = ""
    trend_chart: str = ""


#: What a council page says where a round has no published release yet (issue 14).
NOT_PUBLISHED = "not published yet"


def _median_text(comparator: Comparator | None, indicator: Indicator, *, published: bool) -> str:
    """A published median with the number of councils behind it, or why there is none."""
    if not published:
        return NOT_PUBLISHED
    if comparator is None:
        return "not available"
    if comparator.withheld or comparator.median is None:
        return BENCHMARK_NOT_SHOWN
    return f"{figure(indicator, comparator.median)} ({comparator.n_with_value} councils)"


def _pooled_text(comparator: Comparator | None, indicator: Indicator) -> str:
    if comparator is None or comparator.pooled is None:
        return ""
    return figure(indicator, comparator.pooled)


def comparator(comparator: Comparator | None, indicator: Indicator, *, published: bool) -> dict[str, Any]:
    """One area's published comparator as the results API gives it: the figures of the round's latest
    published release (None where the release prints a symbol or withholds the area), and the median
    as the cards print it (`_median_text`)."""
    shown = published and comparator is not None and not comparator.withheld
    return {
        "median": comparator.median if shown and comparator else None,
        "lower_quartile": comparator.lower_quartile if shown and comparator else None,
        "upper_quartile": comparator.upper_quartile if shown and comparator else None,
        "pooled": comparator.pooled if published and comparator else None,
        "n_with_value": comparator.n_with_value if published and comparator else None,
        "withheld": bool(comparator.withheld) if published and comparator else False,
        "median_text": _median_text(comparator, indicator, published=published),
    }


def comparisons(
    *, entries: list[dict[str, Any]], comparators: PublishedComparators, region: str, authority_type: str
) -> list[dict[str, Any]]:
    """Every results entry (each service and indicator, in the spec's order) with its headline figure
    beside the national, regional and type comparators of the round's latest published release and
    its quarter nationally: what the results page's cards (`cards`) show, as numbers."""
    from .services import headline

    published = comparators.release_number is not None
    by_key = {(e["service"], e["indicator"]): e for e in entries}
    rows = []
    for service in SERVICE_LABELS:
        for indicator in INDICATORS:
            entry = by_key.get((service, indicator.code))
            if entry is None:
                continue
            value = headline(entry)
            areas = comparators.for_authority(region, authority_type, service, indicator.code)
            national = areas["national"]
            position = (
                quartile_position(value, national.distribution)
                if national and not national.withheld
                else None
            )
            rows.append(
                {
                    "service": service,
                    "indicator": indicator.code,
                    "title": indicator.title,
                    "value": value,
                    "figure": figure(indicator, value),
                    "sentence": sentence(entry),
                    "four_fifths": entry.get("four_fifths") or "",
                    "national": comparator(national, indicator, published=published),
                    "region": comparator(areas["region"], indicator, published=published),
                    "authority_type": comparator(areas["authority_type"], indicator, published=published),
                    "national_quarter": position,
                    "entry": entry,
                }
            )
    return rows


def cards(
    *,
    entries: list[dict[str, Any]],
    service: str,
    comparators: PublishedComparators,
    region: str,
    authority_type: str,
    trend: dict[tuple[str, str], list[tuple[str, float | None]]],
    national_trend: dict[tuple[str, str], list[tuple[str, float | None]]],
) -> list[Card]:
    """One card per indicator of `service`, in the order of the spec, beside the comparators of the
    round's latest published release (never live benchmarks: issue 14)."""
    from .services import headline

    published = comparators.release_number is not None

    by_code = {e["indicator"]: e for e in entries if e["service"] == service}
    result = []
    for indicator in INDICATORS:
        entry = by_code.get(indicator.code)
        if entry is None:
            continue
        value = headline(entry)
        areas = comparators.for_authority(region, authority_type, service, indicator.code)
        national = areas["national"]
        position = (
            quartile_position(value, national.distribution) if national and not national.withheld else None
        )
        band = entry.get("four_fifths") or ""
        card = Card(
            indicator=indicator,
            entry=entry,
            value=value,
            sentence=sentence(entry),
            figure=figure(indicator, value),
            interval=format_interval(entry.get("ci95")) if indicator.kind != "share" else "",
            band=band,
            band_label=FOUR_FIFTHS_LABELS.get(band, ""),
            national_median=_median_text(national, indicator, published=published),
            quartile=QUARTILE_LABELS.get(position, "") if position else "",
            region_median=_median_text(areas["region"], indicator, published=published),
            type_median=_median_text(areas["authority_type"], indicator, published=published),
            national_pooled=_pooled_text(national, indicator),
            quartile_reading=quartile_reading(position, indicator),
            median_note=next(
                (
                    note
                    for area in areas.values()
                    if area and not area.withheld and (note := median_note(area.median, indicator))
                ),
                "",
            ),
            guidance=guidance_for(indicator),
        )
        points = trend.get((service, indicator.code), [])
        national_points = national_trend.get((service, indicator.code), [])
        national_by_round = dict(national_points)
        card.trend = [
            (label, figure(indicator, v), figure(indicator, national_by_round.get(label)))
            for label, v in points
        ]
        prefix = f"{service}-{indicator.code}"
        if indicator.kind == "share":
            shares = entry.get("share") or {}
            card.chart = charts.share_chart(
                shares=[("This pay band", shares.get("band")), ("Whole workforce", shares.get("workforce"))],
                id_prefix=prefix,
                title=indicator.title,
            )
        else:
            ci = entry.get("ci95")
            card.chart = charts.interval_chart(
                value=value,
                ci95=tuple(ci) if ci else None,
                national_median=national.median if national and not national.withheld else None,
                label=indicator.title,
                id_prefix=prefix,
            )
        if len(points) > 1:
            card.trend_chart = charts.trend_chart(
                points=points,
                national=national_points or None,
                log_scale=indicator.kind != "share",
                id_prefix=f"{prefix}-trend",
                title=f"{indicator.title}: trend",
            )
        result.append(card)
    return result


def series(
    rows: list[tuple[str, str, str, float | None]],
) -> dict[tuple[str, str], list[tuple[str, float | None]]]:
    """(round label, service, indicator, value) rows as a trend per (service, indicator), in row order."""
    out: dict[tuple[str, str], list[tuple[str, float | None]]] = defaultdict(list)
    for label, service, indicator, value in rows:
        out[(service, indicator)].append((label, value))
    return out


SERVICE_CHOICES = [(code, SERVICE_LABELS[code]) for code in ("all", "adults", "children")]


# The summary that opens a council's results page (templates/metrics/_summary.html before), written in
# Python for speed (issue 18): through the template it took about a tenth of the page's time. The
# markup and whitespace are the template's, byte for byte, and every value goes through `text`, as
# `{{ }}` escaped it (tests/metrics/test_summary_markup.py renders the old template beside it).
_SUMMARY_OUTSIDE_NONE = (
    '<p class="govuk-body">Every relative likelihood that can be calculated is within the four-fifths range '
    "(0.80 to 1.25).</p>"
)
_SUMMARY_SIGNIFICANT_NONE = (
    '<p class="govuk-body">None: no difference between minority ethnic and white staff is larger than chance '
    "alone could explain.</p>"
)
_BULLETS = '\n    <ul class="govuk-list govuk-list--bullet">\n      {}\n    </ul>\n    '


def in_sentence(title: str) -> str:
    """A metric's title inside a sentence: its first letter lowered, its acronyms kept ("Funded
    non-mandatory CPD" becomes "funded non-mandatory CPD", not "... cpd" as `lower` would)."""
    words = str(title)
    if len(words) > 1 and words[1].isupper():  # starts with an acronym
        return words
    return words[:1].lower() + words[1:]


def _summary_link(line: Line) -> str:
    return f'<a class="govuk-link" href="#{text(line.indicator.code)}-title">{text(line.indicator.title)}</a>'


def _summary_objectives(line: Line, whose: str) -> str:
    if not line.objectives:
        return "\n"  # the included template's last line break
    links = ", ".join(
        f'<a class="govuk-link" href="{text(link.url)}">objective {text(link.number)}'
        f'<span class="govuk-visually-hidden"> of the {text(link.plan_label)} plan: '
        f"{text(Truncator(link.text).words(12, truncate=' …'))}</span></a>"
        for link in line.objectives
    )
    return f" {whose.capitalize()} action plan: {links}.\n"


def summary_html(summary: Summary, service_label: str | None, *, member: bool = True) -> SafeString:
    """The summary card of a council's results page: outside the four-fifths range (with the plan
    objectives tied to each), significant differences, changes since the previous round, and the
    metrics outside the range that no objective is tied to. `member`: the reader works for the
    council ("your action plan"); an analyst reads "the council's action plan"."""
    whose = "your" if member else "the council's"
    title = f": {text(str(service_label).lower())}" if service_label else ""
    parts = [
        '\n\n<div class="govuk-summary-card app-results-summary">\n'
        '  <div class="govuk-summary-card__title-wrapper"><h2 class="govuk-summary-card__title">'
        f"Summary{title}</h2></div>\n"
        '  <div class="govuk-summary-card__content">\n'
        '    <h3 class="govuk-heading-s">Outside the four-fifths range</h3>\n    '
    ]
    if summary.outside:
        items = "".join(
            f"<li>{_summary_link(line)} (metric {text(line.indicator.metric)}): {text(line.figure)}, "
            f"{text(line.words)}.{_summary_objectives(line, whose)}</li>"
            for line in summary.outside
        )
        parts.append(_BULLETS.format(items))
    else:
        parts.append(_SUMMARY_OUTSIDE_NONE)
    parts.append('\n    <h3 class="govuk-heading-s">Significant differences</h3>\n    ')
    if summary.significant:
        items = "".join(
            f"<li>{_summary_link(line)}: {text(line.words)}.</li>" for line in summary.significant
        )
        parts.append(_BULLETS.format(items))
    else:
        parts.append(_SUMMARY_SIGNIFICANT_NONE)
    previous = text(summary.previous_label)
    since = previous if summary.previous_label else "last round"
    parts.append(f'\n    <h3 class="govuk-heading-s">Changed since {since}</h3>\n    ')
    if summary.changes:
        items = "".join(
            f"<li>{_summary_link(line)}: {text(line.figure)}, {text(line.words)}.</li>"
            for line in summary.changes
        )
        parts.append(_BULLETS.format(items))
        if summary.unchanged:
            count = len(summary.unchanged)
            parts.append(
                f'<p class="govuk-body">{count} other metric{"" if count == 1 else "s"} about the same as in '
                f"{previous}.</p>"
            )
        parts.append("\n    ")
    elif summary.unchanged:
        parts.append(f'<p class="govuk-body">Every metric is about the same as in {previous}.</p>\n    ')
    elif summary.previous_label:
        parts.append(f'<p class="govuk-body">No figure can be compared with {previous}.</p>\n    ')
    else:
        parts.append('<p class="govuk-body">There is no earlier return to compare with.</p>')
    parts.append("\n    ")
    if summary.without_objective:
        titles = [text(in_sentence(indicator.title)) for indicator in summary.without_objective]
        named = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]
        verb = "it is" if len(titles) == 1 else "they are"
        parts.append(
            f'<p class="govuk-body">No objective in {whose} action plan is tied to {named}, although {verb} '
            "outside the four-fifths range.</p>"
        )
    parts.append("\n  </div>\n</div>\n")
    return SafeString("".join(parts))
