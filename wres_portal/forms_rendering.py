"""Django form rendering with GOV.UK Design System markup.

`FORM_RENDERER` points here, so `{{ form }}` renders templates/includes/forms/form.html
and `{{ field.as_field_group }}` renders templates/includes/forms/field.html. The field
template picks the GOV.UK component with the `govuk` template tag library
(accounts/templatetags/govuk.py), which uses `widget_type` below.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.forms.widgets import Input
from django.template import TemplateDoesNotExist

# Widget kinds the field template knows how to lay out, most specific class first.
_WIDGET_KINDS: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.HiddenInput, "hidden"),
    (forms.MultipleHiddenInput, "hidden"),
    (forms.CheckboxSelectMultiple, "checkboxes"),
    (forms.RadioSelect, "radios"),
    (forms.CheckboxInput, "checkbox"),
    (forms.Select, "select"),  # also SelectMultiple, NullBooleanSelect
    (forms.Textarea, "textarea"),
    (forms.FileInput, "file"),  # also ClearableFileInput
    (forms.MultiWidget, "multi"),  # e.g. SplitDateTimeWidget: inputs in a fieldset
    (Input, "input"),  # text, email, number, password, url, date ...
)


class GovukFormRenderer(TemplatesSetting):
    """Render forms and fields with the project's GOV.UK templates.

    Templates come from settings.TEMPLATES first, so the project can override any of
    them; Django's own form and widget templates (django/forms/...) are found even
    though "django.forms" is not in INSTALLED_APPS.
    """

    form_template_name = "includes/forms/form.html"
    field_template_name = "includes/forms/field.html"

    @cached_property
    def _django_forms_renderer(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django_forms_renderer.get_template(template_name)


def widget_type(widget: forms.Widget) -> str:
    """The GOV.UK component family for a widget.

    One of "hidden", "checkboxes", "radios", "checkbox", "select", "textarea", "file",
    "multi", "input" or "other".
    """
    for widget_class, kind in _WIDGET_KINDS:
        if isinstance(widget, widget_class):
            return kind
    return "other"
