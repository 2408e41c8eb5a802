"""Forms for rounds, uploads, web entry and the lifecycle steps. Shape only; rules live in services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import AuthorityType, Region
from wres_portal.forms import GovukDateField, PlainEnglishErrors, SeenStateForm, WholeNumberField
from wres_portal.models import NOTE_MAX

from .models import CollectionRound, Return
from .schema import (
    GROUP_LABELS,
    GROUPS,
    MAX_COUNT,
    MEASURES_BY_CODE,
    PAY_BAND_LABELS,
    RowKey,
    row_keys,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RoundForm(PlainEnglishErrors, forms.ModelForm):
    # The form says which dates are in the wrong order (clean), so the database constraints that
    # also check it add nothing.
    constraint_messages = {"round_period_order": None, "round_dates_order": None}

    class Meta:
        model = CollectionRound
        fields = ["label", "period_start", "period_end", "snapshot_date", "opens_on", "closes_on"]
        field_classes = {
            "period_start": GovukDateField,
            "period_end": GovukDateField,
            "snapshot_date": GovukDateField,
            "opens_on": GovukDateField,
            "closes_on": GovukDateField,
        }
        widgets = {"label": forms.TextInput(attrs={"class": "govuk-input--width-5"})}
        help_texts = {
            "period_start": "The first day of the 12 months the event counts cover, for example 1 4 2024.",
            "period_end": "The last day of those 12 months, for example 31 3 2025.",
            "snapshot_date": "The date the headcounts describe, for example 31 3 2025.",
            "opens_on": "For example 1 6 2025.",
            "closes_on": "For example 31 7 2025.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", "The reporting period must end after it starts")
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be the same as or after the opening date")
        return cleaned


class ExtensionForm(PlainEnglishErrors, forms.Form):
    closes_on = GovukDateField(label="New closing date", help_text="For example 14 8 2025.")
    reason = forms.CharField(label="Reason", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload your return",
        help_text="A CSV or Excel (.xlsx) file of 5 MB or less, laid out like the template.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": "Select a CSV or Excel file to upload.",
            "empty": "The selected file is empty.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The selected file is {upload.size / 1024 / 1024:.1f} MB. It must be 5 MB or less."
            )
        return upload


def field_name(key: RowKey, group: str) -> str:
    return "__".join((key.measure, key.pay_band or "all", group))


class ServiceEntryForm(forms.Form):
    """Every figure of one service: one whole-number field per measure (and pay band) and group."""

    govuk_mark_optional = False

    def __init__(self, *args: Any, service: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        for key in row_keys(service):
            for group in GROUPS:
                band = f", {PAY_BAND_LABELS[key.pay_band]}" if key.pay_band else ""
                # Thousands separators ("1,250") are accepted, as in an uploaded file.
                self.fields[field_name(key, group)] = WholeNumberField(
                    label=f"{MEASURES_BY_CODE[key.measure].label}{band}: {GROUP_LABELS[group]}",
                    min_value=0,
                    max_value=MAX_COUNT,
                    error_messages=_entry_errors(key, group),
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
                )

    def rows(self) -> list[dict[str, object]]:
        """The fields grouped by row, for the table layout."""
        return [
            {
                "key": key,
                "measure": MEASURES_BY_CODE[key.measure],
                "band": PAY_BAND_LABELS.get(key.pay_band, ""),
                "fields": [self[field_name(key, group)] for group in GROUPS],
                "cells": [
                    {"field": self[field_name(key, group)], "group": GROUP_LABELS[group]} for group in GROUPS
                ],
            }
            for key in row_keys(self.service)
        ]

    def counts(self) -> dict[RowKey, dict[str, int]]:
        return {
            key: {group: int(self.cleaned_data[field_name(key, group)]) for group in GROUPS}
            for key in row_keys(self.service)
        }

    @staticmethod
    def initial_from(data: dict[RowKey, dict[str, int]], service: str) -> dict[str, int]:
        return {
            field_name(key, group): counts[group]
            for key, counts in data.items()
            if key.service == service
            for group in GROUPS
        }


def _entry_errors(key: RowKey, group: str) -> dict[str, str]:
    what = f"{_what(key)}, {GROUP_LABELS[group].lower()}"
    return {
        "required": f"Enter a number for {what} (0 if none)",
        "invalid": f"{what.capitalize()}: enter a whole number, like 12",
        "min_value": f"{what.capitalize()}: enter 0 or more",
        "max_value": f"{what.capitalize()}: enter 10,000,000 or less",
    }


def _what(key: RowKey) -> str:
    band = f" ({key.pay_band} pay band)" if key.pay_band else ""
    return f"{MEASURES_BY_CODE[key.measure].in_sentence}{band}"


class LateReasonForm(PlainEnglishErrors, forms.Form):
    late_reason = forms.CharField(
        label="Why is the return late?",
        help_text="Skills for Care will see this with your return.",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignOffForm(PlainEnglishErrors, forms.Form):
    name = forms.CharField(
        label="Your full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    role = forms.CharField(
        label="Your role",
        max_length=150,
        help_text="For example: Director of Adult Social Services",
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    signed_on = GovukDateField(label="Date of sign-off", help_text="For example 27 3 2026.")
    declaration = forms.BooleanField(
        label="I confirm that, to the best of my knowledge, the figures in this return are accurate.",
        error_messages={"required": "Confirm that the figures are accurate to sign off"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()


class SendBackForm(PlainEnglishErrors, forms.Form):
    message = forms.CharField(
        label="What needs to change?",
        max_length=NOTE_MAX,
        help_text="The programme lead will see this message and get it by email.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what needs to change"},
    )


class ExplanationForm(PlainEnglishErrors, forms.Form):
    text = forms.CharField(
        label="Explanation",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter an explanation of the warning"},
    )


LATE_CHOICES = [("", "Late or on time"), ("yes", "Late"), ("no", "On time")]


class MonitorFilterForm(forms.Form):
    govuk_mark_optional = False
    status = forms.ChoiceField(label="Status", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    authority_type = forms.ChoiceField(label="Type", required=False)
    late = forms.ChoiceField(label="Late", required=False, choices=LATE_CHOICES)

    def __init__(
        self, *args: Any, statuses: list[tuple[str, str]], all_statuses: str = "All statuses", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("status", [("", all_statuses), *statuses]),
            ("region", [("", "All regions"), *Region.choices]),
            ("authority_type", [("", "All types"), *AuthorityType.choices]),
        ):
            cast(forms.ChoiceField, self.fields[name]).choices = choices


class WorklistFilterForm(MonitorFilterForm):
    """The analysts' worklist: a round and the monitor's filters (status defaults to the returns on
    their way to acceptance)."""

    round = forms.ChoiceField(label="Round", required=False)
    field_order = ["round", "status", "region", "authority_type", "late"]

    def __init__(self, *args: Any, rounds: list[str], **kwargs: Any) -> None:
        super().__init__(
            *args, statuses=list(Return.Status.choices), all_statuses="Submitted or signed off", **kwargs
        )
        cast(forms.ChoiceField, self.fields["round"]).choices = [(label, label) for label in rounds]


class BulkReturnsForm(SeenStateForm, forms.Form):
    """Returns chosen on a worklist page, and what to do with them. The page signs into `seen` the
    state token of every return it listed (uuid to `Return.state_token`): only those can be chosen,
    and each is acted on only at the state it was shown in (services.returns_accept_many)."""

    returns = forms.MultipleChoiceField(
        label="Returns",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one return",
            "invalid_choice": "Select returns from the list as it was shown: open the list again",
        },
    )
    action = forms.ChoiceField(
        label="Action",
        choices=[("accept", "Accept"), ("remind", "Send a reminder")],
        error_messages={"required": "Choose to accept the returns or to send a reminder"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["returns"]).choices = [(u, u) for u in self.shown()]

    def shown(self) -> dict[str, str]:
        """The returns the page listed, each with the state it was shown in."""
        if self.seen_now is not None:
            return {str(k): str(v) for k, v in self.seen_now.values.items()}
        seen = self.seen_before()
        return {str(k): str(v) for k, v in seen.values.items()} if seen else {}
