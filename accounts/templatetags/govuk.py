"""Template tags and filters for GOV.UK Design System markup: `{% load govuk %}`.

Used by templates/includes/forms/*.html (the form renderer's templates) and the other
templates/includes/ partials. Ids follow GOV.UK Frontend's conventions: a field's hint
is `<id>-hint` and its error message `<id>-error`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.forms import BoundField
from django.forms.boundfield import BoundWidget
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString

from wres_portal.forms_rendering import widget_type

register = template.Library()

# GOV.UK Frontend's class for each kind of control, and its modifier when in error.
_CONTROL_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "multi": ("govuk-input", "govuk-input--error"),
}
_CHOICE_INPUT_CLASSES = {
    "radios": "govuk-radios__input",
    "checkboxes": "govuk-checkboxes__input",
}


def _join(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


def _base_id(field: BoundField) -> str:
    return field.auto_id or field.html_name


@register.filter
def govuk_widget_type(field: BoundField) -> str:
    """The GOV.UK component family of a bound field's widget.

    See wres_portal.forms_rendering.widget_type for the values.
    """
    return widget_type(field.field.widget)


@register.filter
def govuk_optional(field: BoundField) -> bool:
    """Whether the label gets " (optional)": the field is not required and its form
    does not opt out with `govuk_mark_optional = False` (e.g. a filter form)."""
    if field.field.required or widget_type(field.field.widget) == "checkbox":
        return False
    return getattr(field.form, "govuk_mark_optional", True)


@register.filter
def govuk_hint_id(field: BoundField) -> str:
    return f"{_base_id(field)}-hint"


@register.filter
def govuk_error_id(field: BoundField) -> str:
    return f"{_base_id(field)}-error"


@register.filter
def govuk_describedby(field: BoundField) -> str:
    """Space-separated ids of the field's hint and error message, each only if shown."""
    return _join(
        govuk_hint_id(field) if field.help_text else None,
        govuk_error_id(field) if field.errors else None,
    )


@register.filter
def govuk_error_target(field: BoundField) -> str:
    """The id an error summary link points at.

    The control itself, or for radios, checkbox groups and multi-widgets the first
    control of the group (Django numbers them `<id>_0`, `<id>_1`, ...).
    """
    auto_id = _base_id(field)
    widget = field.field.widget
    if widget.use_fieldset:
        return widget.id_for_label(auto_id, "0") or f"{auto_id}_0"
    return field.id_for_label or auto_id


@register.simple_tag
def govuk_widget(field: BoundField) -> SafeString:
    """Render a field's control with GOV.UK classes and aria-describedby.

    Other widget attrs pass through: autocomplete, inputmode, spellcheck, and extra
    classes such as govuk-input--width-10. Radios and checkbox groups are laid out by
    the field template, one `govuk_choice_input` per choice.
    """
    widget = field.field.widget
    kind = widget_type(widget)
    attrs: dict[str, Any] = {}
    if kind in _CONTROL_CLASSES:
        base, error = _CONTROL_CLASSES[kind]
        attrs["class"] = _join(base, error if field.errors else None, widget.attrs.get("class"))
    # A fieldset (radios, checkbox groups, multi-widgets) carries aria-describedby.
    if not widget.use_fieldset:
        own = widget.attrs.get("aria-describedby")
        describedby = _join(own, govuk_describedby(field))
        if describedby:
            attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)


@register.simple_tag
def govuk_choice_input(choice: BoundWidget, kind: str) -> SafeString:
    """Render one choice of a RadioSelect or CheckboxSelectMultiple field.

    kind is "radios" or "checkboxes"; the input gets govuk-radios__input or
    govuk-checkboxes__input and keeps Django's id, name, value, state and other attrs.
    """
    data = choice.data
    attrs = dict(data.get("attrs") or {})
    extra_class = attrs.pop("class", None)
    attrs.pop("checked", None)
    ordered: dict[str, Any] = {
        "class": _join(_CHOICE_INPUT_CLASSES.get(kind, ""), extra_class),
        "id": attrs.pop("id", None),
        "name": data["name"],
        "type": data["type"],
        "value": "" if data["value"] is None else str(data["value"]),
        **attrs,
        "checked": bool(data.get("selected")),
    }
    return format_html("<input{}>", flatatt(ordered))


@register.filter
def govuk_any(items: Iterable[Mapping[str, Any]] | None, key: str) -> bool:
    """Whether any dict in items has a truthy key: `rows|govuk_any:"actions"`."""
    return any(item.get(key) for item in items or ())


#: `stored_field_group`'s store: a few dozen entries (a filter's fields times their choices).
_FIELD_GROUPS: dict[tuple[Any, ...], SafeString] = {}
_FIELD_GROUPS_MAX = 512


@register.filter
def stored_field_group(bound: BoundField) -> SafeString:
    """`{{ field.as_field_group }}`, rendered once per process for each of a filter field's states
    (issue 18: a list page's four filter fields were a tenth of its CPU, rendered by templates on
    every request). Stored only for a field without errors whose value is empty or one of its own
    choices, keyed on everything the field's markup is made from, so the store stays small and
    never holds what a visitor typed; anything else is rendered as before."""
    field, form = bound.field, bound.form
    value = bound.value()
    choices = getattr(field, "choices", None)
    if value not in ("", None) and not (
        isinstance(value, str) and choices is not None and value in {str(key) for key, _ in choices}
    ):
        return bound.as_field_group()
    if bound.errors:
        return bound.as_field_group()
    key = (
        type(form),
        form.prefix,
        form.auto_id,
        form.is_bound,
        bound.name,
        value,
        tuple(choices) if choices is not None else None,
        str(field.label),
        str(field.help_text),
        field.required,
        tuple(sorted(field.widget.attrs.items())),
    )
    found = _FIELD_GROUPS.get(key)
    if found is None:
        found = bound.as_field_group()
        if len(_FIELD_GROUPS) < _FIELD_GROUPS_MAX:
            _FIELD_GROUPS[key] = found
    return found
