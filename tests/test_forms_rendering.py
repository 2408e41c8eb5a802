"""`<select>` markup made in Python (wres_portal.forms_rendering.select_html, issue 18) is exactly what
Django's select templates give, for every shape of choices the forms use."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from portal.forms import AuthorityFilterForm
from submissions.forms import MonitorFilterForm
from submissions.national import STATUS_CHOICES
from wres_portal.forms_rendering import GovukFormRenderer, select_html

CHOICES = [
    ("", "All"),
    ("a&b", 'Quote " and <tag>'),
    (3, "Three"),
    ("Group", [("g1", "First"), ("g2", "Second")]),
    ("safe", mark_safe("<em>kept</em>")),
]


def _both(widget: forms.Select, name: str, value, attrs=None) -> tuple[str, str]:
    context = widget.get_context(name, value, attrs)
    return select_html(context["widget"]) or "", DjangoTemplates().render(widget.template_name, context)


@pytest.mark.parametrize("value", ["", "a&b", "3", "g2", None, ["a&b", "g1"]])
@pytest.mark.parametrize("multiple", [False, True])
def test_select_markup_is_the_templates(value, multiple) -> None:
    widget = (forms.SelectMultiple if multiple else forms.Select)(
        choices=CHOICES,
        attrs={"class": "govuk-select", "aria-describedby": 'x"y', "disabled": True, "data-no": False},
    )
    fast, slow = _both(widget, 'na"me', value, {"id": "id_x"})
    assert fast == slow


@pytest.mark.django_db
def test_the_filter_forms_render_as_before(rf) -> None:
    renderer = GovukFormRenderer()
    forms_ = [
        MonitorFilterForm({"status": "draft", "late": "yes"}, statuses=STATUS_CHOICES),
        AuthorityFilterForm({"region": "London"}),
    ]
    for form in forms_:
        form.is_valid()
        for field in form:
            widget = field.field.widget
            if isinstance(widget, forms.Select):
                context = widget.get_context(field.html_name, field.value(), {"id": field.auto_id})
                assert renderer.render(widget.template_name, context) == DjangoTemplates().render(
                    widget.template_name, context
                )


def test_an_option_with_its_own_template_is_left_to_the_templates() -> None:
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    context = Custom(choices=[("a", "A")]).get_context("n", "a", {})
    assert select_html(context["widget"]) is None
