from __future__ import annotations

from django import forms

from accounts.models import AuthorityType, Region
from submissions.models import Return
from submissions.selectors import NOT_STARTED


class AuthorityFilterForm(forms.Form):
    govuk_mark_optional = False

    q = forms.CharField(label="Name or ONS code", required=False)
    region = forms.ChoiceField(label="Region", required=False, choices=[("", "All regions"), *Region.choices])
    authority_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *AuthorityType.choices]
    )
    status = forms.ChoiceField(
        label="Return",
        required=False,
        choices=[("", "Any status"), (NOT_STARTED, "Not started"), *Return.Status.choices],
    )

    def __init__(self, *args: object, with_status: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not with_status:  # no round yet: no return to filter by
            del self.fields["status"]
