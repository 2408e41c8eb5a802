"""Forms validate shape; rules live in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from wres_portal.forms import PlainEnglishErrors

from .models import ApiToken, Authority, Role, User


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def clean_username(self) -> str:
        """Email addresses are stored in lower case, so sign-in ignores case."""
        return str(self.cleaned_data["username"]).strip().lower()

    error_messages = {
        "invalid_login": "Enter a correct email address and password. The password is case-sensitive.",
        "inactive": "This account is inactive. Contact your council's programme lead.",
    }


def _role_choices(roles: list[str]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if value in roles]


class InvitationForm(PlainEnglishErrors, forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="We will send them a link to join. It works once and expires after 7 days.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)

    def __init__(self, *args: object, roles: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = _role_choices(roles)
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]


class RoleForm(PlainEnglishErrors, forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect)

    def __init__(self, *args: object, roles: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if roles is not None:
            cast(forms.ChoiceField, self.fields["role"]).choices = _role_choices(roles)


class AcceptInvitationForm(PlainEnglishErrors, forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="At least 12 characters. Avoid common words and your name.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match. Enter the same password twice.")
        elif p1:
            try:
                password_validation.validate_password(
                    str(p1), User(email=self.email, full_name=str(data.get("full_name", "")))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AccountDetailsForm(PlainEnglishErrors, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}


class AuthorityForm(PlainEnglishErrors, forms.ModelForm):
    class Meta:
        model = Authority
        fields = [
            "name",
            "region",
            "authority_type",
            "population_minority_ethnic_percent",
            "population_source",
        ]
        labels = {
            "population_minority_ethnic_percent": "Minority ethnic share of the local population (%)",
            "population_source": "Source of the population share",
        }
        help_texts = {
            "population_minority_ethnic_percent": "Census 2021, as a percentage to 1 decimal place, "
            "for example 23.4. "
            "Leave blank if not known.",
            "population_source": "For example: ONS Census 2021 TS021, upper tier local authorities.",
        }
        widgets = {
            "population_minority_ethnic_percent": forms.TextInput(
                attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}
            ),
        }


class MFACodeForm(forms.Form):
    """A code from the authenticator app; on the sign-in step also a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "none",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def __init__(self, *args: Any, label: str, hint: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = label
        field.help_text = hint
        field.error_messages["required"] = required_message


class ApiTokenForm(PlainEnglishErrors, forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Say which system will use it, for example “HR system nightly upload”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    scope = forms.ChoiceField(
        label="What the token may do",
        widget=forms.RadioSelect,
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        help_text="Give a token the least it needs. Whatever it may do, it can only do what you "
        "can do, for your councils only.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Lasts for",
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(days, f"{days} days") for days in ApiToken.EXPIRY_CHOICES],
        initial=90,
    )
