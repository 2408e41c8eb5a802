from __future__ import annotations

from django import forms

from accounts.models import AuthorityType, Region


class AuthorityFilterForm(forms.Form):
    govuk_mark_optional = False

    q = forms.CharField(label="Name or ONS code", required=False)
    region = forms.ChoiceField(label="Region", required=False, choices=[("", "All regions"), *Region.choices])
    authority_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *AuthorityType.choices]
    )
