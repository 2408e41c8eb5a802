"""Forms for action plans. Shape only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Region
from metrics.calculations import INDICATORS_BY_CODE
from submissions.forms import SignOffForm
from wres_portal.forms import (
    GovukDateField,
    PlainEnglishErrors,
    SeenStateForm,
    WholeNumberField,
    parse_number,
)
from wres_portal.models import TEXT_MAX

from .models import Action, ActionPlan, Objective, Rag, Target
from .presenters import SERVICE_CHOICES
from .selectors import PLAN_STATES
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


class HeaderForm(PlainEnglishErrors, SeenStateForm, forms.ModelForm):
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
        field_classes = {"direct_employees": WholeNumberField}  # "1,930" as well as "1930"
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
                if name not in ("staff_voice_summary", "seen"):
                    del self.fields[name]


class WhatWeKnowForm(PlainEnglishErrors, SeenStateForm, forms.Form):
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
            "status": forms.RadioSelect,
        }
        labels = {"text": "Specific action", "due_date": "Due date"}
        field_classes = {"due_date": GovukDateField}
        help_texts = {"due_date": "For example 31 3 2027."}


class TargetForm(PlainEnglishErrors, SeenStateForm, forms.Form):
    """A measurable target. Pay band shares are typed as percentages ("15" or "15%" is 15%) and
    stored as fractions; relative likelihoods are plain numbers ("0.80"). The round is the one after
    the plan's year at the earliest: the 2027 round measures April 2026 to March 2027, the first year
    of a 2026 plan."""

    indicator = forms.ChoiceField(label="Metric", choices=INDICATOR_CHOICES)
    service = forms.ChoiceField(label="Service", choices=SERVICE_CHOICES, widget=forms.RadioSelect)
    comparison = forms.ChoiceField(
        label="The figure should be", choices=Target.Comparison.choices, widget=forms.RadioSelect
    )
    value = forms.CharField(
        label="Target figure",
        max_length=20,
        help_text="For a pay band share, a percentage such as 15%. For any other metric, a relative "
        "likelihood such as 0.80 (1 means minority ethnic and white staff are equally likely).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={"required": "Enter the target figure, like 15% or 0.80"},
    )
    round_label = forms.CharField(
        label="By the round",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={"required": "Enter the round the target is for, like 2027"},
    )

    def __init__(self, *args: object, plan_year: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.earliest_round = plan_year + 1
        self.fields["round_label"].help_text = (
            f"The year of the collection round, {self.earliest_round} or later. The {self.earliest_round} "
            f"round counts April {plan_year} to March {plan_year + 1}, the first year of this plan."
        )
        self.fields["round_label"].initial = str(self.earliest_round)

    def clean_round_label(self) -> str:
        text = self.cleaned_data["round_label"].strip()
        problem = Target.round_problem(self.earliest_round - 1, text)
        if problem:
            raise forms.ValidationError(problem)
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text = str(cleaned.get("value") or "").strip().replace(" ", "")
        indicator = INDICATORS_BY_CODE.get(str(cleaned.get("indicator")))
        if not text or indicator is None:
            return cleaned
        share = indicator.kind == "share"
        percent = text.endswith("%")
        number = parse_number(text.removesuffix("%"))
        if number is None:
            example = "15%" if share else "0.80"
            self.add_error("value", f"Enter the target figure as a number, like {example}")
        elif share:
            if not 0 <= number <= 100:
                self.add_error("value", "Enter a percentage from 0% to 100%, like 15%")
            else:
                cleaned["value"] = number / 100
        elif percent:
            self.add_error(
                "value",
                "A relative likelihood is not a percentage: enter a number such as 0.80 or 1.25, without %",
            )
        elif not 0 <= number <= 1000:
            self.add_error("value", "Enter a relative likelihood from 0 to 1,000, like 0.80")
        else:
            cleaned["value"] = number
        return cleaned


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


class PlanListFilterForm(forms.Form):
    """The national list of councils and their plans: search, region and the plan's state."""

    govuk_mark_optional = False

    q = forms.CharField(label="Name or ONS code", required=False, max_length=120)
    region = forms.ChoiceField(label="Region", required=False, choices=[("", "All regions"), *Region.choices])
    plan = forms.ChoiceField(label="Plan", required=False, choices=[("", "Any"), *PLAN_STATES.items()])
