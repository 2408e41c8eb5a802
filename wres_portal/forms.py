"""Form helpers shared by every app."""

from __future__ import annotations

from django import forms


class PlainEnglishErrors:
    """Replace Django's "This field is required." with GOV.UK wording that names the field:
    "Enter your role", "Select a region". Messages a field sets itself are kept."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            if field.error_messages.get("required") != forms.Field.default_error_messages["required"]:
                continue
            label = str(field.label or "this").strip()
            if not label[:2].isupper():  # keep acronyms such as "ONS code"
                label = label[0].lower() + label[1:]
            verb = "Select" if isinstance(field, forms.ChoiceField | forms.BooleanField) else "Enter"
            field.error_messages["required"] = f"{verb} {label}"
