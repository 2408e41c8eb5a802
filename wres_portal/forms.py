"""Form helpers shared by every app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.validators import MaxLengthValidator

if TYPE_CHECKING:
    from .concurrency import Change


class PlainEnglishErrors:
    """Replace Django's "This field is required." with GOV.UK wording that names the field:
    "Enter your role", "Select a region". Messages a field sets itself are kept. A text over its
    length limit gets "Your role must be 150 characters or fewer"."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            for validator in field.validators:
                if isinstance(validator, MaxLengthValidator):
                    label = str(field.label or "The text").strip()
                    validator.message = (
                        f"{label[0].upper()}{label[1:]} must be {validator.limit_value:,} characters or fewer"
                    )
            if field.error_messages.get("required") != forms.Field.default_error_messages["required"]:
                continue
            label = str(field.label or "this").strip()
            if not label[:2].isupper():  # keep acronyms such as "ONS code"
                label = label[0].lower() + label[1:]
            verb = "Select" if isinstance(field, forms.ChoiceField | forms.BooleanField) else "Enter"
            field.error_messages["required"] = f"{verb} {label}"


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
