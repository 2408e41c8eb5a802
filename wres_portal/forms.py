"""Form helpers shared by every app."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MaxLengthValidator

if TYPE_CHECKING:
    from .concurrency import Change


_NUMBER = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?")


def parse_number(text: str) -> float | None:
    """A number as people type it: "1250", "1,250", "0.8", ".8"; thousands separators only in their
    right places ("1,25" is not a number), as the upload reader accepts them. None if not a number."""
    text = text.strip()
    if not text or not any(c.isdigit() for c in text) or not _NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", ""))


class WholeNumberField(forms.IntegerField):
    """An IntegerField that also accepts thousands separators ("1,250"), as the XLSX and CSV
    readers do."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            number = parse_number(value)
            if number is not None and number == int(number) and "." not in value:
                value = str(int(number))
        return super().to_python(value)


_DETERMINERS = ("your ", "the ", "a ", "an ", "this ", "what ", "who ", "how ", "which ", "why ")


def _the(label: str) -> str:
    """'Objective' -> 'the objective'; 'Your role' -> 'your role'; 'ONS code' -> 'the ONS code'."""
    if not label[:2].isupper():  # keep acronyms such as "ONS code"
        label = label[0].lower() + label[1:]
    return label if label.lower().startswith(_DETERMINERS) else f"the {label}"


class GovukDateWidget(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes in a fieldset, instead of the browser's date
    picker (whose format follows the browser's locale, mm/dd/yyyy on many machines)."""

    template_name = "includes/forms/date_input.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in ("day", "month", "year")
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and (parsed := _iso_date(value)):
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return f"{id_}_day" if id_ else ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        # One ISO date under the field's own name ("2026-03-27") is still understood, for scripts
        # and tests that post the form directly.
        if not any(f"{name}_{part}" in data for part in ("day", "month", "year")) and name in data:
            return data.get(name)
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


def _iso_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


class GovukDateField(forms.Field):
    """A date typed into GOV.UK day, month and year boxes; errors say which part is missing or that
    the date is not real, as the Design System's date input pattern words them."""

    widget = GovukDateWidget

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):  # an ISO date from initial data or an API-like post
            return _iso_date(value)
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        if not any(parts):
            return None
        name = str(self.label or "The date").strip()
        name = name[0].upper() + name[1:]
        missing = [label for label, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise forms.ValidationError(f"{name} must include a {' and '.join(missing)}", code="incomplete")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(
                f"{name} must be a real date, with the year in 4 figures, like 27 3 2026", code="invalid"
            )
        try:
            return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise forms.ValidationError(f"{name} must be a real date", code="invalid") from None


class PlainEnglishErrors:
    """Replace Django's stock messages with GOV.UK wording that names the field: "Enter the
    objective", "Select the region", "The number of direct employees must be 0 or more". Messages a
    field sets itself are kept. A text over its length limit gets "Your role must be 150 characters
    or fewer". A model constraint that fails says what is wrong through `constraint_messages`
    (constraint name -> message, or None when the form's own checks already say it), never
    "Constraint 'x' is violated"."""

    constraint_messages: dict[str, str | None] = {}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            raw = str(field.label or "this").strip()
            label = raw.rstrip("?")
            question = raw.endswith("?")
            for validator in field.validators:
                if isinstance(validator, MaxLengthValidator):
                    validator.message = (
                        f"{raw[0].upper()}{raw[1:]} must be {validator.limit_value:,} characters or fewer"
                    )
            subject = _the(label)
            subject = subject[0].upper() + subject[1:]
            defaults = forms.IntegerField.default_error_messages | forms.FloatField.default_error_messages
            if isinstance(field, forms.IntegerField | forms.FloatField):
                kind = (
                    "a whole number, like 12"
                    if isinstance(field, forms.IntegerField)
                    else "a number, like 0.8"
                )
                plain = {
                    "invalid": f"Enter {_the(label)} as {kind}",
                    "min_value": f"{subject} must be %(limit_value)s or more",
                    "max_value": f"{subject} must be %(limit_value)s or less",
                }
                for code, message in plain.items():
                    current = str(field.error_messages.get(code, ""))
                    if not current or current == str(defaults.get(code, "")) or current.startswith("Ensure"):
                        field.error_messages[code] = message
            if field.error_messages.get("required") != forms.Field.default_error_messages["required"]:
                continue
            verb = "Select" if isinstance(field, forms.ChoiceField | forms.BooleanField) else "Enter"
            field.error_messages["required"] = (
                f"Answer the question “{raw}”" if question else f"{verb} {_the(label)}"
            )

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        errors = self._errors  # type: ignore[attr-defined]
        if not errors or NON_FIELD_ERRORS not in errors:
            return
        kept = []
        for error in errors[NON_FIELD_ERRORS].as_data():
            for message in error.messages:
                match = _CONSTRAINT.fullmatch(message)
                if match is None:
                    kept.append(message)
                    continue
                plain = self.constraint_messages.get(
                    match.group(1), "Check your answers: they do not fit together"
                )
                if plain:
                    kept.append(plain)
        if kept:
            errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")  # type: ignore[attr-defined]
        else:
            del errors[NON_FIELD_ERRORS]


_CONSTRAINT = re.compile(r"Constraint “(.+)” is violated\.")


class SeenStateForm:
    """Mixin: the form carries, in a signed hidden field `seen`, the state token of what it was
    rendered from and the values it showed (wres_portal.concurrency). The view passes the token
    the service must check (`expected_state()`); when the service refuses a stale save, `refused()`
    keeps everything typed, names the other person's changes and moves `seen` on to the state now,
    so saving again is a deliberate choice.

    Pass `seen_token=` (the state token of the object as loaded); the shown values are the form's
    initial values.
    """

    seen_salt = "wres.seen"

    def __init__(
        self,
        *args: object,
        seen_token: str | None = None,
        seen_values: dict[str, object] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields  # type: ignore[attr-defined]
        fields["seen"] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.seen_now = None
        if seen_token is not None:
            from .concurrency import Seen, seen_dumps

            values = seen_values
            if values is None:
                values = {
                    name: _jsonable(self.get_initial_for_field(field, name))  # type: ignore[attr-defined]
                    for name, field in fields.items()
                    if name != "seen"
                }
            self.seen_now = Seen(seen_token, values)
            self.initial["seen"] = seen_dumps(self.seen_now, salt=self.seen_salt)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()  # type: ignore[misc]
        cleaned.pop("seen", None)
        return cleaned

    def seen_before(self):
        """What the page showed when it was opened (None when the field is missing or forged)."""
        from .concurrency import seen_loads

        if not self.is_bound:  # type: ignore[attr-defined]
            return None
        return seen_loads(self.data.get("seen", ""), salt=self.seen_salt)

    def seen_sent(self):
        """What the form will send back: the state its hidden field names and the values shown with
        it (the posted ones for a bound form, moved on after a refusal), so a page can show exactly
        what a sign-off binds to. None when the field is missing or forged."""
        return self.seen_before() if self.is_bound else self.seen_now  # type: ignore[attr-defined]

    def expected_state(self) -> str:
        """The token the save is built on; a missing or forged one never matches, so it is refused."""
        seen = self.seen_before()
        return seen.token if seen else "unknown"

    def move_on(self, now: SeenStateForm) -> None:
        """Keep what was typed but name the state as it is now, so the next save can go through."""
        self.data = self.data.copy()  # type: ignore[has-type]
        self.data["seen"] = now.initial["seen"]  # type: ignore[attr-defined]

    def refused(self, error: object, now: SeenStateForm) -> list[Change]:
        """After a StaleWrite: add its message to the form (error summary), move `seen` on to `now`
        (an unbound form of the object as it is now), and return the other person's changes, each
        with this person's own value beside it."""
        from .concurrency import Change

        before = self.seen_before()
        self.add_error(None, error.message)  # type: ignore[attr-defined]
        self.move_on(now)
        old = before.values if before else {}
        new = now.seen_now.values if now.seen_now else {}
        cleaned = getattr(self, "cleaned_data", {})
        changes = []
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if name == "seen" or (before and old.get(name) == new.get(name)):
                continue
            yours = _jsonable(cleaned[name]) if name in cleaned else self.data.get(name)
            if before is None and yours == new.get(name):
                continue
            changes.append(
                Change(
                    str(field.label or name),
                    _display(field, old.get(name)) if before else "",
                    _display(field, new.get(name)),
                    _display(field, yours),
                )
            )
        return changes


def _jsonable(value: object) -> object:
    import datetime

    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def _display(field: forms.Field, value: object) -> str:
    """A value as a person reads it: choice labels, dates in words, blanks said as such."""
    import datetime

    if value in (None, "", []):
        return "(blank)"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return "; ".join(str(choices.get(v, v)) for v in value)
    if choices:
        return str(choices.get(value, value))
    if isinstance(field, forms.DateField) and isinstance(value, str):
        try:
            return f"{datetime.date.fromisoformat(value):%-d %B %Y}"
        except ValueError:
            return value
    return str(value)
