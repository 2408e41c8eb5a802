"""What plans and reports say, as plain dicts: the council's latest results in words, the plan
document stored in every signed version (and rendered by the pages, the exports and the public
page), and two versions compared line by line."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Authority
from metrics.calculations import INDICATORS_BY_CODE, sentence
from metrics.models import VersionResults
from metrics.services import headline
from submissions.models import Return
from submissions.presenters import text
from submissions.schema import SERVICE_LABELS
from wres_portal.reverse_cache import reverser

from .models import Action, ActionPlan, ActionUpdate, Objective, QuarterlyReport, Rag
from .themes import METRIC_INDICATORS, METRICS, Theme, theme_label

DOCUMENT_SCHEMA = "wres-action-plan/1"


@dataclass
class LatestResults:
    """The council's most recent stored results: the round and each entry by (service, indicator)."""

    round_label: str = ""
    entries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def entry(self, code: str, service: str = "all") -> dict[str, Any] | None:
        return self.entries.get((service, code))


def latest_results(authority: Authority) -> LatestResults:
    """Results of the council's latest submitted (or later) return: the current version's stored
    document, from the round that opened last. Empty when the council has no results yet."""
    stored = (
        VersionResults.objects.filter(
            authority=authority, version__return_record__current_version=F("version")
        )
        .exclude(version__return_record__status=Return.Status.DRAFT)
        .select_related("round")
        .order_by("-round__opens_on")
        .first()
    )
    if stored is None:
        return LatestResults()
    return LatestResults(
        stored.round.label, {(e["service"], e["indicator"]): e for e in stored.document["results"]}
    )


def what_we_know_suggestions(results: LatestResults) -> dict[str, str]:
    """For each metric, the sentences of its indicators for both services together."""
    suggestions = {}
    for metric in METRICS:
        entries = [results.entry(code) for code in METRIC_INDICATORS[metric]]
        suggestions[metric] = " ".join(sentence(e) for e in entries if e is not None)
    return suggestions


def metrics_data(codes: list[str], results: LatestResults) -> list[dict[str, Any]]:
    """The linked indicators' figures in words, as "data from WRES metrics" shows them."""
    lines = []
    for code in codes:
        entry = results.entry(code)
        indicator = INDICATORS_BY_CODE.get(code)
        if entry is None or indicator is None:
            continue
        lines.append(
            {
                "indicator": code,
                "metric": indicator.metric,
                "title": indicator.title,
                "round": results.round_label,
                "sentence": sentence(entry),
                "value": headline(entry),
            }
        )
    return lines


# The plan document ----------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _objective(objective: Objective, actions: list[Action], *, frozen: bool, results: LatestResults) -> dict:
    data = objective.metrics_data if frozen else metrics_data(objective.related_indicators, results)
    return {
        "uuid": str(objective.uuid),
        "number": objective.number,
        "text": objective.text,
        "themes": [{"code": t, "label": theme_label(t)} for t in objective.themes if t in Theme.values],
        "related_indicators": [
            {"code": c, "label": f"Metric {INDICATORS_BY_CODE[c].metric}: {INDICATORS_BY_CODE[c].title}"}
            for c in objective.related_indicators
            if c in INDICATORS_BY_CODE
        ],
        "leads": _lines(objective.leads),
        "data_note": objective.data_note,
        "metrics_data": data,
        "indicators_of_improvement": objective.indicators_of_improvement,
        "timeframe": objective.timeframe,
        "actions": [
            {
                "uuid": str(a.uuid),
                "number": a.number,
                "text": a.text,
                "lead": a.lead,
                "due_date": a.due_date.isoformat() if a.due_date else None,
                "due_label": f"{a.due_date:%-d %B %Y}" if a.due_date else "",
                "status": a.status,
                "status_label": a.get_status_display(),
            }
            for a in actions
        ],
        "targets": [
            {
                "indicator": t.indicator,
                "service": t.service,
                "comparison": t.comparison,
                "value": t.value,
                "round_label": t.round_label,
                "description": t.description,
            }
            for t in objective.targets.all()
        ],
    }


def plan_document(plan: ActionPlan, *, frozen: bool = False, results: LatestResults | None = None) -> dict:
    """The whole plan as one JSON-safe dict: what a signed version stores and every layout renders.

    `frozen` takes each objective's metrics data as frozen at sign-off; otherwise it is worked out
    from the council's latest results.
    """
    if results is None and not frozen:
        results = latest_results(plan.authority)
    objectives = list(plan.objectives.prefetch_related("targets").order_by("number"))
    actions: dict[int, list[Action]] = {}
    for action in plan.actions.order_by("number"):
        actions.setdefault(action.objective_id, []).append(action)
    known = {line.metric: line for line in plan.what_we_know.all()}
    return {
        "schema": DOCUMENT_SCHEMA,
        "authority": {"name": plan.authority.name, "ons_code": plan.authority.ons_code},
        "year": plan.year,
        "year_label": plan.year_label,
        "header": {
            "senior_sponsors": _lines(plan.senior_sponsors),
            "programme_leads": _lines(plan.programme_leads),
            "staff_voice_leads": _lines(plan.staff_voice_leads),
            "direct_employees": plan.direct_employees,
            "how_agreed": plan.how_agreed,
            "staff_voice_summary": plan.staff_voice_summary,
        },
        "what_we_know": [
            {
                "metric": number,
                "title": title,
                "text": known[number].text if number in known else "",
                "source_round": known[number].source_round if number in known else "",
            }
            for number, title in METRICS.items()
        ],
        "themes": [{"code": t.value, "label": theme_label(t.value)} for t in Theme],
        "objectives": [
            _objective(o, actions.get(o.pk, []), frozen=frozen, results=results or LatestResults())
            for o in objectives
        ],
    }


def signature(version: Any) -> dict[str, Any]:
    return {
        "number": version.number,
        "name": version.signatory_name,
        "role": version.signatory_role,
        "signed_on": version.signed_on,
        "signed_at": version.signed_at,
    }


# Quarterly reports ---------------------------------------------------------------------------------


def suggested_rag(action: Action, day: datetime.date | None = None) -> str | None:
    """What the portal suggests: red when past due and not complete; complete and not started
    follow the action's own status; otherwise the person reporting decides."""
    if action.is_overdue(day):
        return Rag.RED
    if action.status == Action.Status.COMPLETE:
        return Rag.COMPLETE
    if action.status == Action.Status.NOT_STARTED:
        return Rag.NOT_STARTED
    return None


@dataclass
class ProgressRow:
    action: Action
    update: ActionUpdate | None
    suggested: str | None

    @property
    def missing(self) -> bool:
        return self.update is None

    @property
    def suggested_label(self) -> str:
        return Rag(self.suggested).label if self.suggested else ""


def progress_rows(
    plan: ActionPlan, report: QuarterlyReport | None, day: datetime.date | None = None
) -> list[ProgressRow]:
    """Every action of the plan with its update this quarter (None: missing) and the suggestion."""
    updates = {u.action_id: u for u in report.updates.select_related("updated_by")} if report else {}
    day = day or (report.period.ends_on if report else None)
    return [
        ProgressRow(action, updates.get(action.pk), suggested_rag(action, day))
        for action in plan.actions.select_related("objective").order_by("number")
    ]


def report_document(report: QuarterlyReport) -> dict[str, Any]:
    """The plan with this quarter's progress against each action: what a signed report stores."""
    document = plan_document(report.plan)
    updates = {str(u.action.uuid): u for u in report.updates.select_related("action", "updated_by").all()}
    for objective in document["objectives"]:
        for action in objective["actions"]:
            update = updates.get(action["uuid"])
            action["progress"] = (
                {
                    "rag": update.rag,
                    "rag_label": update.get_rag_display(),
                    "narrative": update.narrative,
                    "evidence_url": update.evidence_url,
                    "by": update.updated_by.display_name,
                    "at": update.updated_at.isoformat(),
                }
                if update
                else None
            )
    document["quarter"] = {
        "year": report.year,
        "quarter": report.quarter,
        "label": report.period.label,
        "summary": report.summary,
    }
    return document


# Comparing versions ---------------------------------------------------------------------------------


def _flatten(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Every line a reader would compare, keyed by (section, field)."""
    rows: dict[tuple[str, str], str] = {}
    header = document["header"]
    labels = {
        "senior_sponsors": "Senior sponsors",
        "programme_leads": "Programme leads",
        "staff_voice_leads": "Staff voice leads",
        "direct_employees": "Number of direct employees",
        "how_agreed": "How the plan was agreed",
        "staff_voice_summary": "Staff voice",
    }
    for key, label in labels.items():
        value = header.get(key)
        rows[("Plan", label)] = "\n".join(value) if isinstance(value, list) else str(value or "")
    for line in document["what_we_know"]:
        rows[("What we know", f"{line['metric']}. {line['title']}")] = line["text"]
    for objective in document["objectives"]:
        section = f"Objective {objective['number']}"
        rows[(section, "Objective")] = objective["text"]
        rows[(section, "WRES themes")] = "; ".join(t["label"] for t in objective["themes"])
        rows[(section, "Related metrics")] = "; ".join(i["label"] for i in objective["related_indicators"])
        rows[(section, "Leads")] = "\n".join(objective["leads"])
        rows[(section, "Data from WRES metrics")] = "\n".join(
            [d["sentence"] for d in objective["metrics_data"]] + [objective["data_note"]]
        ).strip()
        rows[(section, "Indicators of improvement")] = objective["indicators_of_improvement"]
        rows[(section, "Timeframe")] = objective["timeframe"]
        rows[(section, "Targets")] = "\n".join(t["description"] for t in objective["targets"])
        for action in objective["actions"]:
            due = action["due_date"] or "no due date"
            rows[(section, f"Action {action['number']}")] = (
                f"{action['text']}\nLead: {action['lead'] or 'none'}. Due: {due}. {action['status_label']}."
            )
            if "progress" in action:  # a quarterly report's document
                progress = action["progress"]
                rows[(section, f"Action {action['number']}: progress")] = (
                    f"{progress['rag_label']}. {progress['narrative']}"
                    + (f"\nEvidence: {progress['evidence_url']}" if progress["evidence_url"] else "")
                    + f"\n({progress['by']})"
                    if progress
                    else "No update"
                )
    if "quarter" in document:
        rows[("Quarter", "Summary")] = document["quarter"]["summary"]
    return rows


def compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Both documents line by line, in reading order, each marked when it changed."""
    first, second = _flatten(a), _flatten(b)
    keys = list(first) + [k for k in second if k not in first]
    return [
        {
            "section": section,
            "label": label,
            "a": first.get((section, label)),
            "b": second.get((section, label)),
            "changed": first.get((section, label)) != second.get((section, label)),
        }
        for section, label in keys
    ]


SERVICE_CHOICES = [
    ("all", SERVICE_LABELS["all"]),
    ("adults", SERVICE_LABELS["adults"]),
    ("children", SERVICE_LABELS["children"]),
]


# The national pages' long lists, written in Python (issue 18): a row of the template reversed a
# URL and included the status tag, about a quarter of a millisecond each. Byte for byte the markup
# of the template loops they replace (tests/fixtures/actionplans_*_rows_template.html).

_PLAN_TAGS = {
    "signed_off": '<strong class="govuk-tag govuk-tag--green">Signed off</strong>\n',
    "changed": '<strong class="govuk-tag govuk-tag--orange">Changed since sign-off</strong>\n',
    "submitted": '<strong class="govuk-tag govuk-tag--blue">Submitted</strong>\n',
    "draft": '<strong class="govuk-tag govuk-tag--yellow">Draft</strong>\n',
}
_NOT_STARTED = '<strong class="govuk-tag govuk-tag--grey">Not started</strong>\n'
_PLAN_ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <th scope="row" class="govuk-table__header">{council}</th>'
    '\n      <td class="govuk-table__cell">{region}</td>'
    '\n      <td class="govuk-table__cell">{plan}</td>'
    '\n      <td class="govuk-table__cell">{signed}</td>'
    '\n      <td class="govuk-table__cell">{published}</td>'
    "\n    </tr>\n    "
)
_NO_COUNCIL = (
    '\n    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="5">'
    "No council matches these filters.</td></tr>\n    "
)
_OVERDUE_ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <th scope="row" class="govuk-table__header">'
    '<a class="govuk-link" href="{href}">{council}</a></th>'
    '\n      <td class="govuk-table__cell">{quarter}</td>'
    '\n      <td class="govuk-table__cell">{due}</td>'
    '\n      <td class="govuk-table__cell">{tag}</td>'
    "\n    </tr>\n    "
)


def plan_tag(status: str | None) -> str:
    """A plan's or report's status as templates/actionplans/_status_tag.html renders it."""
    return _PLAN_TAGS.get(status or "", _NOT_STARTED)


def _long_date(day: datetime.date) -> str:
    return str(date_filter(day, "j F Y"))


def _plan_row(row: Mapping[str, Any], detail: Callable[..., str]) -> str:
    name = text(row["name"])
    year = row["plan_year"]
    return _PLAN_ROW.format(
        council=f'<a class="govuk-link" href="{text(detail(row["ons_code"], year))}">{name}</a>'
        if year
        else name,
        region=text(row["region"]),
        plan=plan_tag(row["plan_state"])
        if year
        else '<strong class="govuk-tag govuk-tag--grey">No plan</strong>',
        signed=text(_long_date(row["plan_signed_on"])) if row["plan_signed_on"] else "–",
        published="Yes" if row["plan_published"] else "No",
    )


def national_plan_rows(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    """The national action-plan page's list of councils (rows of `selectors.councils_and_plans`)."""
    detail = reverser("actionplans:detail", 2)
    body = "".join(_plan_row(row, detail) for row in rows) or _NO_COUNCIL
    return mark_safe(f"\n    {body}\n  ")  # noqa: S308  # values escaped by `text`


def overdue_rows(items: Iterable[Mapping[str, Any]]) -> SafeString:
    """The rows of templates/actionplans/_overdue_table.html: overdue reports with their quarter and
    the day they were due (`national._overdue_rows`)."""
    report = reverser("actionplans:report", 3)
    body = "".join(
        _OVERDUE_ROW.format(
            href=text(report(item["council_code"], item["year"], item["quarter"].slug)),
            council=text(item["council"]),
            quarter=text(item["quarter"].label),
            due=text(_long_date(item["due"])),
            tag=plan_tag(item["report_status"]),
        )
        for item in items
    )
    return mark_safe(f"\n    {body}\n  ")  # noqa: S308  # values escaped by `text`
