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
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

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

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT_TEMPLATE:
            fast = select_html(context["widget"])
            if fast is not None:
                return fast
        return super().render(template_name, context, request)


#: Django's <select> and its options: their markup is made in Python (`select_html`), the same as
#: the templates give (tests/test_forms_rendering.py compares them), because the templates include
#: one template per option, twice over with the attributes: on the analysts' filter forms that was
#: a third of a list page's CPU (issue 18). The project overrides neither template.
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"` each, ` name` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` in an autoescaped template."""
    return str(value) if isinstance(value, SafeData) else escape(f"{value}")


def select_html(widget: dict[str, Any]) -> str | None:
    """The markup django/forms/widgets/select.html gives for a Select widget's context, or None for an
    option with a template of its own (the caller renders the templates)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the option template's last line
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308  # every value above is escaped


def widget_type(widget: forms.Widget) -> str:
    """The GOV.UK component family for a widget.

    One of "hidden", "checkboxes", "radios", "checkbox", "select", "textarea", "file",
    "multi", "input" or "other".
    """
    for widget_class, kind in _WIDGET_KINDS:
        if isinstance(widget, widget_class):
            return kind
    return "other"
