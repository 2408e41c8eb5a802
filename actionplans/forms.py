"""Forms for action plans. Shape only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from submissions.forms import DateInput, SignOffForm
from wres_portal.forms import PlainEnglishErrors, SeenStateForm
from wres_portal.models import TEXT_MAX

from .models import Action, ActionPlan, Objective, Rag, Target
from .presenters import SERVICE_CHOICES
from .themes import INDICATOR_CHOICES, METRICS, Theme, theme_label


class PlanCreateForm(PlainEnglishErrors, forms.Form):
    year = forms.IntegerField(
        label="Plan year",
        min_value=2020,
        max_value=2100,
        help_text="The year the plan starts: 2026 for a plan running from April 2026 to March 2027.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={"invalid": "Enter the plan year as a number, like 2026"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year if today.month >= 4 else today.year - 1


class HeaderForm(PlainEnglishErrors, forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = [
            "senior_sponsors",
            "programme_leads",
            "staff_voice_leads",
            "direct_employees",
            "how_agreed",
            "staff_voice_summary",
        ]
        widgets = {
            "senior_sponsors": forms.Textarea(attrs={"rows": 3}),
            "programme_leads": forms.Textarea(attrs={"rows": 3}),
            "staff_voice_leads": forms.Textarea(attrs={"rows": 3}),
            "direct_employees": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}
            ),
            "how_agreed": forms.Textarea(attrs={"rows": 5}),
            "staff_voice_summary": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "how_agreed": "For example the boards and groups that agreed it and how staff were asked.",
            "staff_voice_summary": "What staff told you, and how you will keep listening.",
        }

    def __init__(self, *args: object, voice_only: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if voice_only:
            for name in list(self.fields):
                if name != "staff_voice_summary":
                    del self.fields[name]


class WhatWeKnowForm(PlainEnglishErrors, forms.Form):
    """One text box per metric; the hint shows what the latest results say."""

    govuk_mark_optional = False

    def __init__(
        self, *args: object, suggestions: dict[str, str], round_label: str, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        for number, title in METRICS.items():
            hint = f"Your {round_label} results: {suggestions[number]}" if suggestions.get(number) else ""
            self.fields[f"metric_{number}"] = forms.CharField(
                label=f"{number}. {title}",
                required=False,
                help_text=hint,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def lines(self) -> dict[str, str]:
        return {number: self.cleaned_data[f"metric_{number}"] for number in METRICS}


class ObjectiveForm(PlainEnglishErrors, SeenStateForm, forms.ModelForm):
    themes = forms.MultipleChoiceField(
        label="WRES themes",
        required=False,
        choices=[(t.value, theme_label(t.value)) for t in Theme],
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    related_indicators = forms.MultipleChoiceField(
        label="Related metrics",
        required=False,
        choices=INDICATOR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="The figures from your latest results for these metrics appear in the plan as "
        "“data from WRES metrics”, and are frozen when the plan is signed off.",
    )

    class Meta:
        model = Objective
        fields = [
            "text",
            "themes",
            "related_indicators",
            "leads",
            "data_note",
            "indicators_of_improvement",
            "timeframe",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "leads": forms.Textarea(attrs={"rows": 3}),
            "data_note": forms.Textarea(attrs={"rows": 3}),
            "indicators_of_improvement": forms.Textarea(attrs={"rows": 5}),
            "timeframe": forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        }
        labels = {"text": "Objective"}
        help_texts = {"timeframe": "For example: by March 2027."}


class ActionForm(PlainEnglishErrors, SeenStateForm, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["text", "lead", "due_date", "status"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "lead": forms.TextInput(attrs={"class": "govuk-input--width-20"}),
            "due_date": DateInput(),
            "status": forms.RadioSelect,
        }
        labels = {"text": "Specific action", "due_date": "Due date"}


class TargetForm(PlainEnglishErrors, forms.ModelForm):
    indicator = forms.ChoiceField(label="Metric", choices=INDICATOR_CHOICES)
    service = forms.ChoiceField(label="Service", choices=SERVICE_CHOICES, widget=forms.RadioSelect)
    value = forms.FloatField(
        label="Value",
        min_value=0,
        max_value=1000,
        help_text="A relative likelihood such as 0.80, or for pay band shares a fraction such as 0.15.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter the value as a number, like 0.80"},
    )

    class Meta:
        model = Target
        fields = ["indicator", "service", "comparison", "value", "round_label"]
        widgets = {
            "comparison": forms.RadioSelect,
            "round_label": forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        }
        labels = {"comparison": "The figure should be", "round_label": "By the round"}
        help_texts = {"round_label": "The year label of the collection round, for example 2026."}


class UpdateForm(PlainEnglishErrors, SeenStateForm, forms.Form):
    rag = forms.ChoiceField(label="RAG status", choices=Rag.choices, widget=forms.RadioSelect)
    narrative = forms.CharField(
        label="Progress this quarter", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    evidence_url = forms.URLField(
        label="Link to evidence",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="For example a link to a report or minutes on your intranet.",
        error_messages={
            "invalid": "Enter the link in the right format, like https://intranet.example/report"
        },
    )


class ReportSubmitForm(PlainEnglishErrors, SeenStateForm, forms.Form):
    summary = forms.CharField(
        label="Summary of the quarter",
        required=False,
        max_length=TEXT_MAX,
        help_text="What went well, what is behind and why. Your senior sponsor reads this first.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PlanSignOffForm(SeenStateForm, SignOffForm):
    declaration = forms.BooleanField(
        label="I confirm that this action plan has been agreed as described and I am responsible for it.",
        error_messages={"required": "Confirm the declaration to sign off the action plan"},
    )


class ReportSignOffForm(SeenStateForm, SignOffForm):
    declaration = forms.BooleanField(
        label="I confirm that, to the best of my knowledge, this report of progress is accurate.",
        error_messages={"required": "Confirm the declaration to sign off the quarterly report"},
    )
