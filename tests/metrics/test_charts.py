"""The SVG charts (metrics.charts): well-formed, accessible, escaped, placed right, fast. No database."""

from __future__ import annotations

import ast
import math
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.utils.safestring import SafeString

from metrics import charts
from metrics.calculations import distribution
from metrics.charts import (
    WIDTH,
    distribution_chart,
    distribution_geometry,
    histogram_chart,
    histogram_geometry,
    interval_chart,
    interval_geometry,
    share_chart,
    share_geometry,
    trend_chart,
    trend_geometry,
)

NS = "{http://www.w3.org/2000/svg}"
NASTY = 'Bury <script>alert("x")</script> & Co\'s'
# The interval chart's axis: 0.25 to 4 on a log scale, drawn from x = 32 to x = WIDTH - 32.
AXIS_LEFT, AXIS_RIGHT = 32.0, WIDTH - 32.0


def expected_x(value: float, low: float = 0.25, high: float = 4.0) -> float:
    return AXIS_LEFT + (math.log(value) - math.log(low)) / (math.log(high) - math.log(low)) * (
        AXIS_RIGHT - AXIS_LEFT
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - markup we just generated


def find_all(root: ET.Element, tag: str, css_class: str | None = None) -> list[ET.Element]:
    return [el for el in root.iter(NS + tag) if css_class is None or el.get("class") == css_class]


def text_of(el: ET.Element) -> str:
    return el.text or ""


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(NS + "text")]


def path_start(el: ET.Element) -> tuple[float, float]:
    start = re.match(r"M(-?[\d.]+) (-?[\d.]+)", el.attrib["d"])
    assert start, el.attrib["d"]
    return float(start[1]), float(start[2])


def every_chart(text: str = "Chart", prefix: str = "chart") -> dict[str, str]:
    return {
        "interval": interval_chart(
            value=0.61, ci95=(0.43, 0.87), national_median=0.92, label=text, id_prefix=prefix
        ),
        "share": share_chart(shares=[(text, 0.2), ("Workforce", None)], id_prefix=prefix, title=text),
        "distribution": distribution_chart(
            values=[(text, 0.61), ("Leeds", 1.1), ("Camden", 0.9)],
            highlight=text,
            id_prefix=prefix,
            title=text,
        ),
        "trend": trend_chart(
            points=[("2024", 0.7), ("2025", 0.8)],
            national=[("2024", 0.9), ("2025", 1.0)],
            id_prefix=prefix,
            title=text,
            name=text,
        ),
    }


@pytest.mark.parametrize("kind", ["interval", "share", "distribution", "trend"])
def test_each_chart_is_an_accessible_scalable_svg(kind: str) -> None:
    svg = every_chart(prefix="m2-adults")[kind]
    assert isinstance(svg, SafeString)
    root = parse(svg)

    assert root.tag == NS + "svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 640 \d+", root.attrib["viewBox"])
    assert root.get("aria-labelledby") == "m2-adults-title m2-adults-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id")) == (NS + "title", "m2-adults-title")
    assert (desc.tag, desc.get("id")) == (NS + "desc", "m2-adults-desc")
    assert title.text == "Chart"
    assert len(text_of(desc)) > 20


@pytest.mark.parametrize("kind", ["interval", "share", "distribution", "trend"])
def test_no_inline_style_or_script_so_a_strict_csp_allows_it(kind: str) -> None:
    root = parse(every_chart()[kind])
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    assert not find_all(root, "script")
    assert not find_all(root, "style")


def hostile_charts() -> dict[str, str]:
    """Every chart kind with NASTY in every text that comes from the data or the caller."""
    return {
        "interval": interval_chart(
            value=0.61, ci95=(0.43, 0.87), national_median=0.92, label=NASTY, name=NASTY, id_prefix="c"
        ),
        "share": share_chart(shares=[(NASTY, 0.2), (NASTY, None)], id_prefix="c", title=NASTY),
        "distribution": distribution_chart(
            values=[(NASTY, 0.61), ("Leeds", 1.1)],
            highlight=NASTY,
            id_prefix="c",
            title=NASTY,
            axis_label=NASTY,
        ),
        "distribution without the highlighted figure": distribution_chart(
            values=[("Leeds", 1.1)], highlight=NASTY, id_prefix="c", title=NASTY
        ),
        "trend": trend_chart(
            points=[(NASTY, 0.7), ("2025", None)],
            national=[(NASTY, 0.9)],
            id_prefix="c",
            title=NASTY,
            name=NASTY,
        ),
        "histogram": histogram_chart(
            bins=[(0.25, 1.0, 2), (1.0, 4.0, 1)],
            quartiles=distribution([0.5, 0.9, 2.0]),
            id_prefix="c",
            title=NASTY,
            axis_label=NASTY,
        ),
    }


# How many times each kind shows NASTY: in its title, description and texts.
HOSTILE_PLACES = {
    "interval": 4,  # title; desc (label, name); legend
    "share": 6,  # title; desc (title, both rows); both rows' names
    "distribution": 5,  # title; desc (title, highlight); highlight label; axis label
    "distribution without the highlighted figure": 4,  # title; desc (title, highlight); "no figure" note
    "trend": 8,  # title; desc (title, name, round, national round); legend; round label; missing note
    "histogram": 3,  # title; desc; axis label
}


@pytest.mark.parametrize("kind", HOSTILE_PLACES)
def test_hostile_names_and_labels_are_escaped_in_every_chart_kind(kind: str) -> None:
    svg = hostile_charts()[kind]

    assert "<script" not in svg
    assert '"x"' not in svg and "& Co" not in svg
    root = parse(svg)  # an unescaped & or quote would not parse
    assert not find_all(root, "script")
    shown = [root[0].text or "", root[1].text or "", *texts(root)]
    assert sum(text.count(NASTY) for text in shown) == HOSTILE_PLACES[kind]
    assert (
        svg.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co&#x27;s") == HOSTILE_PLACES[kind]
    )


@pytest.mark.parametrize("prefix", ["", "1abc", "a b", 'x" onload="alert(1)', "a<b"])
def test_unusable_id_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        interval_chart(value=1.0, ci95=None, label="x", id_prefix=prefix)


@pytest.mark.parametrize("kind", ["interval", "share", "distribution", "trend"])
def test_the_same_input_gives_the_same_markup(kind: str) -> None:
    assert every_chart()[kind] == every_chart()[kind]


@pytest.mark.parametrize("value", [0.25, 0.3, 0.61, 0.8, 1.0, 1.25, 2.5, 4.0])
def test_interval_dot_is_placed_on_the_log_scale(value: float) -> None:
    root = parse(interval_chart(value=value, ci95=None, label="m2", id_prefix="c"))

    (dot,) = find_all(root, "circle", "chart-value")
    assert float(dot.attrib["cx"]) == pytest.approx(expected_x(value), abs=0.06)
    assert not find_all(root, "path", "chart-off-scale")


def test_interval_one_is_in_the_middle_and_doubling_moves_a_quarter_of_the_axis() -> None:
    def dot_x(value: float) -> float:
        chart = parse(interval_chart(value=value, ci95=None, label="m", id_prefix="c"))
        return float(find_all(chart, "circle")[0].attrib["cx"])

    x_one, x_two = dot_x(1), dot_x(2)

    assert x_one == pytest.approx(WIDTH / 2)
    assert x_two - x_one == pytest.approx((AXIS_RIGHT - AXIS_LEFT) / 4, abs=0.1)


def test_interval_line_ends_and_national_diamond_are_placed_on_the_log_scale() -> None:
    root = parse(
        interval_chart(value=0.61, ci95=(0.43, 0.87), national_median=0.92, label="m2", id_prefix="c")
    )

    (line,) = [el for el in find_all(root, "line") if el.get("class") == "chart-ci"]
    assert float(line.attrib["x1"]) == pytest.approx(expected_x(0.43), abs=0.06)
    assert float(line.attrib["x2"]) == pytest.approx(expected_x(0.87), abs=0.06)
    (diamond,) = find_all(root, "path", "chart-national")
    assert path_start(diamond)[0] == pytest.approx(expected_x(0.92), abs=0.06)
    assert "National median: 0.92" in texts(root)
    assert "This authority: 0.61 (95% confidence interval 0.43 to 0.87)" in texts(root)


def test_interval_values_off_the_axis_are_clamped_to_the_edge_and_marked() -> None:
    root = parse(interval_chart(value=6.0, ci95=(2.1, 17.0), national_median=0.1, label="m3", id_prefix="c"))

    assert not find_all(root, "circle", "chart-value")
    assert not find_all(root, "path", "chart-national")
    arrows = find_all(root, "path", "chart-off-scale")
    tips = sorted(path_start(arrow)[0] for arrow in arrows)
    # The value and its interval's upper end at the right edge, the national median at the left.
    assert tips == pytest.approx([AXIS_LEFT, AXIS_RIGHT, AXIS_RIGHT])
    assert "6.00, off the scale" in texts(root)
    assert "0.10, off the scale" in texts(root)
    (line,) = [el for el in find_all(root, "line") if el.get("class") == "chart-ci"]
    assert float(line.attrib["x2"]) == AXIS_RIGHT


def test_interval_zero_is_clamped_to_the_left_edge() -> None:
    root = parse(interval_chart(value=0.0, ci95=(0.002, 1.6), label="m2", id_prefix="c"))

    assert not find_all(root, "circle", "chart-value")
    assert all(path_start(arrow)[0] == AXIS_LEFT for arrow in find_all(root, "path", "chart-off-scale"))
    assert "0.00, off the scale" in texts(root)


def test_interval_not_calculable_says_so_and_still_shows_the_national_median() -> None:
    root = parse(interval_chart(value=None, ci95=None, national_median=0.92, label="m2", id_prefix="c"))

    assert "Not calculable" in texts(root)
    assert not find_all(root, "circle", "chart-value")
    assert find_all(root, "path", "chart-national")
    assert "not calculable" in text_of(root[1])


def test_interval_band_equal_line_and_tick_labels() -> None:
    root = parse(interval_chart(value=1.0, ci95=None, label="m2", id_prefix="c"))

    (band,) = find_all(root, "rect", "chart-band")
    assert float(band.attrib["x"]) == pytest.approx(expected_x(0.8), abs=0.06)
    assert float(band.attrib["width"]) == pytest.approx(expected_x(1.25) - expected_x(0.8), abs=0.1)
    assert "Within the four-fifths range (0.80 to 1.25)" in texts(root)
    assert "equal likelihood" in texts(root)
    (equal,) = [el for el in find_all(root, "line") if el.get("class") == "chart-equal"]
    assert float(equal.attrib["x1"]) == pytest.approx(WIDTH / 2)
    for label in ("0.25", "0.5", "0.8", "1", "1.25", "2", "4"):
        assert label in texts(root)


def test_share_bars_are_proportional_labelled_and_missing_ones_say_not_known() -> None:
    root = parse(
        share_chart(
            shares=[("Lower pay band", 0.2134), ("Upper pay band", None), ("Workforce", 0.1)],
            id_prefix="m1",
            title="Minority ethnic shares",
        )
    )

    bars = find_all(root, "rect", "chart-bar")
    assert len(bars) == 2
    assert float(bars[0].attrib["width"]) / float(bars[1].attrib["width"]) == pytest.approx(2.134, rel=1e-3)
    assert {"Lower pay band", "Upper pay band", "Workforce", "21.3%", "10.0%", "not known"} <= set(
        texts(root)
    )
    assert "Upper pay band: not known." in text_of(root[1])
    assert "0%" in texts(root)


def test_share_chart_with_nothing_known_still_draws() -> None:
    root = parse(share_chart(shares=[("Senior managers", None)], id_prefix="m9", title="m9"))

    assert "not known" in texts(root)
    assert not find_all(root, "rect", "chart-bar")


def sample(n: int) -> list[tuple[str, float]]:
    return [(f"Authority {i}", math.exp(math.sin(i) * 1.5)) for i in range(n)]


def test_distribution_draws_a_dot_per_authority_and_a_box() -> None:
    values = sample(150)
    root = parse(distribution_chart(values=values, id_prefix="d", title="m2"))

    (dots,) = find_all(root, "g", "chart-dots")
    assert len(dots) == 150
    assert len(find_all(root, "rect", "chart-box")) == 1
    assert len(find_all(root, "line", "chart-median")) == 1
    assert find_all(root, "rect", "chart-band")
    assert "150 authorities" in text_of(root[1])


def test_distribution_jitter_follows_the_name_not_the_order() -> None:
    values = sample(50)
    forwards = parse(distribution_chart(values=values, id_prefix="d", title="m2"))
    backwards = parse(distribution_chart(values=values[::-1], id_prefix="d", title="m2"))

    def positions(root: ET.Element) -> set[tuple[str, str]]:
        return {(dot.attrib["cx"], dot.attrib["cy"]) for dot in find_all(root, "g", "chart-dots")[0]}

    assert positions(forwards) == positions(backwards)
    assert len({dot.get("cy") for dot in find_all(forwards, "g", "chart-dots")[0]}) > 40


def test_distribution_highlight_is_drawn_larger_and_labelled() -> None:
    values = [*sample(100), (NASTY, 0.61)]
    svg = distribution_chart(values=values, highlight=NASTY, id_prefix="d", title="m2")
    root = parse(svg)

    (dot,) = find_all(root, "circle", "chart-highlight")
    assert float(dot.attrib["r"]) > float(find_all(root, "g", "chart-dots")[0][0].attrib["r"])
    (label,) = find_all(root, "text", "chart-highlight-label")
    assert "".join(label.itertext()) == f"{NASTY}: 0.61"
    assert f"{NASTY}: 0.61, in the" in text_of(root[1])


def test_distribution_highlight_without_a_figure_is_said() -> None:
    root = parse(distribution_chart(values=sample(10), highlight="Rutland", id_prefix="d", title="m2"))

    assert not find_all(root, "circle", "chart-highlight")
    assert "Rutland: no figure." in texts(root)


def test_distribution_zero_on_a_log_scale_is_clamped_to_the_axis_minimum_and_noted() -> None:
    values = [("Zero", 0.0), ("Also zero", 0.0), ("Middling", 1.0), ("Huge", 1000.0)]
    root = parse(distribution_chart(values=values, id_prefix="d", title="m2"))

    xs = sorted(float(dot.attrib["cx"]) for dot in find_all(root, "g", "chart-dots")[0])
    # The axis runs from 0.25 (0 has no logarithm, so it does not widen the axis) to 16, its widest.
    assert xs == pytest.approx([AXIS_LEFT, AXIS_LEFT, expected_x(1.0, 0.25, 16.0), AXIS_RIGHT])
    assert "2 below 0.25 (including 0) shown at the left edge, by the arrow." in texts(root)
    assert "1 above 16 shown at the right edge, by the arrow." in texts(root)
    assert len(find_all(root, "path", "chart-off-scale")) == 2
    assert {"0.25", "16"} <= set(texts(root))


def test_distribution_linear_scale_has_no_band_and_shows_percentages() -> None:
    values = [("A", 0.1), ("B", 0.25), ("C", 0.4)]
    root = parse(
        distribution_chart(
            values=values, log_scale=False, percent=True, highlight="B", id_prefix="d", title="m1"
        )
    )

    assert not find_all(root, "rect", "chart-band")
    assert "B: 25.0%" in texts(root)
    assert "0%" in texts(root)
    xs = sorted(float(dot.attrib["cx"]) for dot in find_all(root, "g", "chart-dots")[0])
    assert xs[0] == pytest.approx(AXIS_LEFT + 0.1 / 0.4 * (AXIS_RIGHT - AXIS_LEFT), abs=0.06)
    assert xs[-1] == pytest.approx(AXIS_RIGHT)


def test_distribution_uses_the_quartiles_given() -> None:
    quartiles = {"n": 3, "min": 0.5, "lower_quartile": 0.8, "median": 1.0, "upper_quartile": 1.25, "max": 2.0}
    root = parse(distribution_chart(values=sample(3), quartiles=quartiles, id_prefix="d", title="m2"))

    (median,) = find_all(root, "line", "chart-median")
    assert float(median.attrib["x1"]) == pytest.approx(WIDTH / 2)


def test_distribution_with_no_values_says_so() -> None:
    root = parse(distribution_chart(values=[], id_prefix="d", title="m2"))

    assert "There are no figures to show." in texts(root)
    assert not find_all(root, "rect", "chart-box")


def test_distribution_of_20000_authorities_is_fast() -> None:
    values = sample(20_000)
    start = time.perf_counter()
    svg = distribution_chart(values=values, highlight="Authority 7", id_prefix="d", title="m2")
    elapsed = time.perf_counter() - start
    print(f"\n20,000-dot distribution chart: {elapsed * 1000:.0f} ms, {len(svg):,} characters")

    assert elapsed < 5
    assert len(find_all(parse(svg), "g", "chart-dots")[0]) == 20_000


def test_trend_breaks_the_line_at_gaps_and_says_which_rounds() -> None:
    root = parse(
        trend_chart(
            points=[("2022", 0.7), ("2023", 0.75), ("2024", None), ("2025", 1.1), ("2026", 1.2)],
            national=[("2022", 0.9), ("2023", 0.92), ("2024", 0.95), ("2025", 1.0), ("2026", 0.97)],
            id_prefix="t",
            title="m2 over time",
        )
    )

    runs = find_all(root, "polyline", "chart-line")
    assert [len(run.attrib["points"].split()) for run in runs] == [2, 2]
    (national,) = find_all(root, "polyline", "chart-national-line")
    assert national.get("stroke-dasharray")
    assert len(national.attrib["points"].split()) == 5
    assert len(find_all(root, "circle", "chart-value")) == 4
    assert len(find_all(root, "path", "chart-national")) == 5
    assert "This authority: not calculable in 2024." in texts(root)
    assert {"2022", "2023", "2024", "2025", "2026", "0.70", "1.20"} <= set(texts(root))
    assert find_all(root, "rect", "chart-band")
    assert "Not calculable in 2024." in text_of(root[1])


def test_trend_places_points_on_a_log_scale() -> None:
    root = parse(trend_chart(points=[("2024", 0.5), ("2025", 1.0), ("2026", 2.0)], id_prefix="t", title="m"))

    ys = [float(dot.attrib["cy"]) for dot in find_all(root, "circle", "chart-value")]
    xs = [float(dot.attrib["cx"]) for dot in find_all(root, "circle", "chart-value")]
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2], abs=0.1)  # equal steps per doubling
    assert ys[0] > ys[1] > ys[2]  # higher values further up
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.1)
    (equal,) = [el for el in find_all(root, "line") if el.get("class") == "chart-equal"]
    assert float(equal.attrib["y1"]) == pytest.approx(ys[1], abs=0.06)


def test_trend_values_off_the_axis_are_arrows_with_their_figure() -> None:
    root = parse(trend_chart(points=[("2024", 0.0), ("2025", 40.0)], id_prefix="t", title="m"))

    assert not find_all(root, "circle", "chart-value")
    assert len(find_all(root, "path", "chart-off-scale")) == 2
    assert {"0.00", "40.00"} <= set(texts(root))


def test_trend_linear_in_percentages_without_a_band() -> None:
    root = parse(
        trend_chart(
            points=[("2024", 0.12), ("2025", 0.15)],
            national=[("2024", 0.2)],
            log_scale=False,
            percent=True,
            id_prefix="t",
            title="m9",
        )
    )

    assert not find_all(root, "rect", "chart-band")
    assert {"12.0%", "15.0%", "0%"} <= set(texts(root))
    assert "National median: 2024 20.0%." in text_of(root[1])


def test_trend_merges_rounds_only_in_the_national_series_in_order() -> None:
    root = parse(
        trend_chart(points=[("2025", 1.0)], national=[("2024", 0.9), ("2025", 1.0)], id_prefix="t", title="m")
    )

    labels = [t for t in texts(root) if t in {"2024", "2025"}]
    assert labels == ["2024", "2025"]
    assert "This authority: not calculable in 2024." in texts(root)


def test_distribution_log_axis_widens_in_powers_of_two_to_fit_small_values() -> None:
    root = parse(distribution_chart(values=[("Tiny", 0.1), ("One", 1.0)], id_prefix="d", title="m2"))

    xs = sorted(float(dot.attrib["cx"]) for dot in find_all(root, "g", "chart-dots")[0])
    assert xs == pytest.approx([expected_x(0.1, 0.0625, 4.0), expected_x(1.0, 0.0625, 4.0)], abs=0.06)
    assert not find_all(root, "path", "chart-off-scale")


def test_distribution_box_alone_from_quartiles_without_values() -> None:
    quartiles = {"n": 20, "lower_quartile": 0.8, "median": 1.0, "upper_quartile": 6.0, "p5": 0.1, "p95": 9.0}
    root = parse(distribution_chart(values=[], quartiles=quartiles, id_prefix="d", title="m2"))

    assert len(find_all(root, "g", "chart-dots")[0]) == 0
    (box,) = find_all(root, "rect", "chart-box")
    assert float(box.attrib["x"]) == pytest.approx(expected_x(0.8, 0.25, 8.0), abs=0.06)  # widened to fit 6
    assert not find_all(root, "line", "chart-whisker")  # no min or max given
    assert "The box spans the middle half of 20 authorities," in texts(root)
    assert "its thick line is the median." in texts(root)
    assert "20 authorities: lower quartile 0.80, median 1.00, upper quartile 6.00." in text_of(root[1])


def test_distribution_linear_scale_shows_shares_as_percentages_by_default() -> None:
    root = parse(
        distribution_chart(values=[("A", 0.1), ("B", 0.3)], log_scale=False, id_prefix="d", title="m1")
    )

    assert {"0%", "10%", "30%"} <= set(texts(root))
    assert "median 20.0%" in text_of(root[1])


def geometries() -> dict[str, dict]:
    return {
        "interval": interval_geometry(
            value=6.0, ci95=(0.43, 17.0), national_median=0.92, label="m2", id_prefix="c"
        ),
        "share": share_geometry(
            shares=[("Workforce", 0.2), ("Senior managers", None)], id_prefix="c", title="m9"
        ),
        "distribution": distribution_geometry(
            values=sample(20), highlight="Authority 3", id_prefix="c", title="m2"
        ),
        "trend": trend_geometry(
            points=[("2024", 0.7), ("2025", None), ("2026", 40.0)],
            national=[("2024", 0.9)],
            id_prefix="c",
            title="m2",
        ),
        "histogram": histogram_geometry(
            bins=[(0.25, 1.0, 2), (1.0, 4.0, 1)],
            above=1,
            quartiles=distribution([0.5, 0.9, 2.0]),
            id_prefix="c",
            title="m2",
        ),
    }


@pytest.mark.parametrize("kind", ["interval", "share", "distribution", "trend", "histogram"])
def test_geometry_is_plain_data_with_no_markup(kind: str) -> None:
    geometry = geometries()[kind]

    def leaves(value: object) -> list[object]:
        if isinstance(value, dict):
            return [leaf for item in value.values() for leaf in leaves(item)]
        if isinstance(value, (list, tuple)):
            return [leaf for item in value for leaf in leaves(item)]
        return [value]

    values = leaves(geometry)
    assert all(value is None or type(value) in (str, int, float, bool) for value in values)  # no SafeString
    assert not [value for value in values if isinstance(value, str) and re.search(r"<[a-zA-Z/]", value)]
    assert geometry == geometries()[kind]


def test_interval_geometry_places_the_value_its_interval_and_the_median() -> None:
    geometry = interval_geometry(
        value=6.0, ci95=(0.43, 17.0), national_median=0.92, label="m2", id_prefix="c"
    )

    value = geometry["value"]
    assert value["arrow"] == {"x": AXIS_RIGHT, "y": 68, "direction": "right"}
    assert value["label"]["text"] == "6.00, off the scale" and value["label"]["anchor"] == "end"
    assert value["ci"]["low"] == pytest.approx(expected_x(0.43), abs=0.06)
    low_end, high_end = value["ci"]["ends"]
    assert "arrow" not in low_end and high_end["arrow"]["direction"] == "right"
    assert geometry["national"]["diamond"]["x"] == pytest.approx(expected_x(0.92), abs=0.06)


def test_no_chart_builds_markup_in_python() -> None:
    """The charts' markup is in templates/metrics/charts, where autoescape applies: no string in the
    charts' code (docstrings aside) holds a tag, and nothing there escapes or marks text safe by hand."""
    for path in sorted(Path(charts.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        tags = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and re.search(r"<[a-zA-Z/]", node.value)
        ]
        assert not tags, f"{path.name} builds markup: {tags[:3]}"
        names = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
        }
        assert not names & {"mark_safe", "escape", "format_html", "conditional_escape"}, path.name
