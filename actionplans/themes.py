"""The six WRES themes, the nine metrics and the indicators behind them: plain data, no ORM.

Themes and their metrics as councils' plans state them (seeds/001, "action plan objectives"):
leadership (metrics 1 and 9), recruitment and retention (2 and 8), learning and career development (5),
culture and staff experience (3, 4, 6 and 7), health and wellbeing, employee voice.
"""

from __future__ import annotations

from django.db import models

from metrics.calculations import INDICATORS, INDICATORS_BY_CODE


class Theme(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership"
    RECRUITMENT_RETENTION = "recruitment_retention", "Recruitment and retention"
    LEARNING_DEVELOPMENT = "learning_development", "Learning and career development"
    CULTURE_EXPERIENCE = "culture_experience", "Culture and staff experience"
    HEALTH_WELLBEING = "health_wellbeing", "Health and wellbeing"
    EMPLOYEE_VOICE = "employee_voice", "Employee voice"


THEME_METRICS: dict[str, tuple[str, ...]] = {
    Theme.LEADERSHIP: ("1", "9"),
    Theme.RECRUITMENT_RETENTION: ("2", "8"),
    Theme.LEARNING_DEVELOPMENT: ("5",),
    Theme.CULTURE_EXPERIENCE: ("3", "4", "6", "7"),
    Theme.HEALTH_WELLBEING: (),
    Theme.EMPLOYEE_VOICE: (),
}

#: The nine metrics as councils' "what we know" tables name them (seeds/001).
METRICS: dict[str, str] = {
    "1": "Pay band comparisons",
    "2": "Recruitment (appointment from shortlisting)",
    "3": "Disciplinary",
    "4": "Fitness to practise (regulated professionals)",
    "5": "Continuing professional development uptake",
    "6": "Harassment and bullying from people who use services or the public",
    "7": "Harassment and bullying from colleagues or managers",
    "8": "Leaving the organisation",
    "9": "Progression to senior and leadership roles",
}


def metric_of(code: str) -> str:
    """The metric number of an indicator code: "m1_upper" -> "1", "m7a" -> "7"."""
    return INDICATORS_BY_CODE[code].metric.rstrip("ab")


#: Indicator codes of each metric, in the order the results list them.
METRIC_INDICATORS: dict[str, tuple[str, ...]] = {
    number: tuple(i.code for i in INDICATORS if metric_of(i.code) == number) for number in METRICS
}

INDICATOR_CHOICES: list[tuple[str, str]] = [(i.code, f"Metric {i.metric}: {i.title}") for i in INDICATORS]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def theme_label(theme: str) -> str:
    """ "Leadership (metrics 1 and 9)", as plans write it; themes without metrics have just the name."""
    numbers = list(THEME_METRICS.get(theme, ()))
    if not numbers:
        return Theme(theme).label
    word = "metric" if len(numbers) == 1 else "metrics"
    return f"{Theme(theme).label} ({word} {_and(numbers)})"


def themes_for_indicators(codes: list[str]) -> list[str]:
    """The themes whose metrics include any of these indicators (used to suggest themes)."""
    metrics = {metric_of(code) for code in codes if code in INDICATORS_BY_CODE}
    return [theme for theme, numbers in THEME_METRICS.items() if metrics & set(numbers)]
