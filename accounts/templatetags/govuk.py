"""Template tags and filters for GOV.UK Design System markup: `{% load govuk %}`.

Used by templates/includes/forms/*.html (the form renderer's templates) and the other
templates/includes/ partials. Ids follow GOV.UK Frontend's conventions: a field's hint
is `<id>-hint` and its error message `<id>-error`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from django import template
from django.forms import BoundField
from django.forms.boundfield import BoundWidget
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from wres_portal.forms_rendering import widget_type
from wres_portal.memo import ProcessStore

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
_FIELD_GROUPS: ProcessStore[SafeString] = ProcessStore(limit=512)


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
    return _FIELD_GROUPS.get(key, bound.as_field_group)


# A list's column headers and GOV.UK pagination (wres_portal/listing.py), written in Python: each of
# their links is a `{% querystring %}`, and the templates' tags and loops were a tenth of a list
# page's rendering (issue 18). The markup is the templates' own, byte for byte.

_SORTED = {
    "ascending": (
        '<span aria-hidden="true"> ▲</span>',
        " (sorted lowest first; select to sort highest first)",
    ),
    "descending": (
        '<span aria-hidden="true"> ▼</span>',
        " (sorted highest first; select to sort lowest first)",
    ),
}
_UNSORTED = ("", " (select to sort by this)")
_PREV_ICON = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--prev" xmlns="http://www.w3.org/2000/svg" '
    'height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">'
    '<path d="m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984'
    'l4.2931-4.293-1.414-1.414z"></path></svg>'
)
_CURRENT = (" govuk-pagination__item--current", ' aria-current="page"', "\n    ")
_NEXT_ICON = (
    '<svg class="govuk-pagination__icon govuk-pagination__icon--next" xmlns="http://www.w3.org/2000/svg" '
    'height="13" width="15" aria-hidden="true" focusable="false" viewBox="0 0 15 13">'
    '<path d="m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441'
    '-6.4062-6.7246-6.7266z"></path></svg>'
)


class _QueryString:
    """`{% querystring %}` (django.template.defaulttags.querystring) for many links from one query,
    as the template escapes it: the query's pairs encoded once (QueryDict.urlencode's way), not the
    QueryDict copied and encoded again for each link."""

    def __init__(self, query: QueryDict) -> None:
        self.empty = not query
        encoding = query.encoding
        self.pairs = {
            key: [urlencode({key.encode(encoding): str(v).encode(encoding)}) for v in values]
            for key, values in query.lists()
        }
        self.encoding = encoding

    def __call__(self, **changes: Any) -> str:
        pairs = dict(self.pairs)
        for key, value in changes.items():
            if value is None:
                pairs.pop(key, None)
            else:
                pairs[key] = [urlencode({key.encode(self.encoding): str(value).encode(self.encoding)})]
        if not pairs and self.empty:
            return ""
        return escape("?" + "&".join(pair for encoded in pairs.values() for pair in encoded))


@register.simple_tag(takes_context=True)
def sortable_headers(context: Mapping[str, Any], headers: Iterable[Any]) -> SafeString:
    """A table's column headers (`listing.Sorted.headers`), each a link that sorts the list by it and
    says how the list is sorted now with aria-sort."""
    querystring = _QueryString(context["request"].GET)
    cells = []
    for h in headers:
        numeric = " govuk-table__header--numeric" if h.numeric else ""
        arrow, hint = _SORTED.get(h.aria_sort, _UNSORTED)
        href = querystring(sort=h.next_sort, page=None)
        cells.append(
            f'<th scope="col" class="govuk-table__header{numeric}" '
            f'aria-sort="{conditional_escape(h.aria_sort)}">'
            f'<a class="govuk-link app-sort-link" href="{href}">{conditional_escape(h.label)}{arrow}'
            f'<span class="govuk-visually-hidden">{hint}</span></a></th>'
        )
    return mark_safe(f"\n{''.join(cells)}\n")  # noqa: S308 - every value escaped above


@register.simple_tag(takes_context=True)
def pagination(
    context: Mapping[str, Any], page: Any, page_numbers: list[int | None], label: str
) -> SafeString:
    """GOV.UK pagination for a list sorted and cut by the database: `page` (a Django Page),
    `page_numbers` (`listing.pages(page)`) and `label` (what the pages are of)."""
    if not page_numbers:
        return mark_safe("\n\n")
    querystring = _QueryString(context["request"].GET)
    prev = next_ = ""
    if page.has_previous():
        prev = (
            '<div class="govuk-pagination__prev"><a class="govuk-link govuk-pagination__link" '
            f'href="{querystring(page=page.previous_page_number())}" rel="prev">{_PREV_ICON}'
            '<span class="govuk-pagination__link-title">Previous'
            '<span class="govuk-visually-hidden"> page</span></span></a></div>'
        )
    items = []
    for number in page_numbers:
        if number is None:
            # As the template's lines left them, the ellipsis and the current page end in a line break.
            item = '<li class="govuk-pagination__item govuk-pagination__item--ellipses">&ctdot;</li>\n    '
        else:
            current, aria, end = ("", "", "") if number != page.number else _CURRENT
            item = (
                f'<li class="govuk-pagination__item{current}">'
                f'<a class="govuk-link govuk-pagination__link" href="{querystring(page=number)}" '
                f'aria-label="Page {number}"{aria}>{number}</a></li>{end}'
            )
        items.append(f"\n    {item}\n    ")
    if page.has_next():
        next_ = (
            '<div class="govuk-pagination__next"><a class="govuk-link govuk-pagination__link" '
            f'href="{querystring(page=page.next_page_number())}" rel="next">'
            '<span class="govuk-pagination__link-title">Next<span class="govuk-visually-hidden"> page</span>'
            f"</span>{_NEXT_ICON}</a></div>"
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'\n\n<nav class="govuk-pagination" aria-label="Pages of {conditional_escape(label)}">\n  {prev}\n'
        f'  <ul class="govuk-pagination__list">\n    {"".join(items)}\n  </ul>\n  {next_}\n</nav>\n\n'
    )
