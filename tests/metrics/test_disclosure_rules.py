"""The disclosure rules live in one module (metrics.disclosure); pages, templates and exports ask it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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


ROOT = Path(__file__).resolve().parents[2]
APPS = ("wres_portal", "accounts", "submissions", "metrics", "actionplans", "audit", "portal")
RETYPED_TEXT = re.compile(r"\[c\]|\[low\]|\b1 to 9\b|fewer than 5\b")
RETYPED_TEMPLATE = re.compile(r"\[c\]|\[low\]|\b1 to 9\b|fewer than 5\b|[<>]=? ?[59]\b")


def _retyped_in_python(path: Path) -> list[str]:
    source = path.read_text()
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and RETYPED_TEXT.search(node.value)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value[:60]!r}")
        if isinstance(node, ast.Compare) and any(
            isinstance(operand, ast.Constant) and type(operand.value) is int and operand.value in (5, 9)
            for operand in (node.left, *node.comparators)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.get_source_segment(source, node)}")
        if (
            isinstance(node, ast.keyword)
            and node.arg
            and "n_authorities" in node.arg
            and isinstance(node.value, ast.Constant)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.arg}={node.value.value!r}")
    return found


def test_only_the_disclosure_module_spells_out_the_threshold_and_the_markers() -> None:
    """Pages, exports, templates and APIs ask metrics.disclosure; none retypes `>= 5` or "[c]"."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and path != ROOT / "metrics" / "disclosure.py":
                found += _retyped_in_python(path)
    for path in sorted((ROOT / "templates").rglob("*.*")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if RETYPED_TEMPLATE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number} {line.strip()[:60]}")
    assert found == []


def test_a_template_reads_any_rule_by_name() -> None:
    rendered = Template(
        '{% load wres %}{% disclosure_rule "small_count_min" %}-{% disclosure_rule "small_count_max" %} '
        '{% disclosure_rule "min_authorities" %} {% disclosure_rule "suppressed" %} '
        '{% disclosure_rule "low" %}'
    ).render(Context({}))
    assert rendered == "1-9 5 [c] [low]"
