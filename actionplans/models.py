"""Action plans: a council's plan for a plan year, its objectives, actions and measurable targets,
quarterly progress reports with one update per action, and the immutable versions its senior
sponsor signed off. Every model carries its own `authority`, so tenant scoping is one filter."""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Authority, User
from metrics.indicators import INDICATORS_BY_CODE
from submissions.schema import SERVICE_LABELS
from wres_portal.errors import ApplicationError
from wres_portal.models import NOTE_MAX, TEXT_MAX, PublicIdModel, TimeStampedModel

from .themes import Theme, theme_label

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


_QS = TypeVar("_QS", bound="models.QuerySet[Any]")


def _scoped(queryset: _QS, user: User | AnonymousUser) -> _QS:
    """The rows of `queryset` (whatever its QuerySet class) that `user` may see."""
    return queryset.filter(authority__in=Authority.objects.for_user(user))


# Quarters ------------------------------------------------------------------------------------------

QUARTER_MONTHS = {1: "April to June", 2: "July to September", 3: "October to December", 4: "January to March"}


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a financial year: `year` 2026, quarter 1 is April to June 2026; quarter 4 is
    January to March 2027. In URLs it is written "2026-q1"."""

    year: int
    number: int

    @classmethod
    def parse(cls, slug: str) -> Quarter | None:
        year, _, number = slug.partition("-q")
        if not (year.isdigit() and number in {"1", "2", "3", "4"}):
            return None
        return cls(int(year), int(number))

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @property
    def slug(self) -> str:
        return f"{self.year}-q{self.number}"

    @property
    def starts_on(self) -> datetime.date:
        month = 3 * self.number + 1
        return datetime.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def ends_on(self) -> datetime.date:
        return self.next().starts_on - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def label(self) -> str:
        calendar_year = self.year + 1 if self.number == 4 else self.year
        return f"Quarter {self.number}: {QUARTER_MONTHS[self.number]} {calendar_year}"


def plan_year_label(year: int) -> str:
    return f"{year} to {year + 1}"


# Plans ---------------------------------------------------------------------------------------------


class ActionPlanQuerySet(models.QuerySet["ActionPlan"]):
    def for_user(self, user: User | AnonymousUser) -> ActionPlanQuerySet:
        """Plans of the authorities `user` may see (every plan for national staff)."""
        return _scoped(self, user).select_related("authority", "signed_version")

    def published(self) -> ActionPlanQuerySet:
        """Plans anyone may read: published, with a signed-off version to show."""
        return self.filter(is_published=True, signed_version__isnull=False)


class ActionPlan(PublicIdModel):
    """An authority's WRES action plan for one plan year (April to March), with its header."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED_OFF = "signed_off", "Signed off"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="action_plans")
    year = models.PositiveIntegerField(
        "plan year", help_text="The year the plan starts: 2026 for 2026 to 2027."
    )
    senior_sponsors = models.TextField(
        "senior sponsors",
        blank=True,
        help_text="Senior directors responsible, one a line, with their role.",
        max_length=NOTE_MAX,
    )
    programme_leads = models.TextField(
        "programme leads", blank=True, help_text="One a line, with their role.", max_length=NOTE_MAX
    )
    staff_voice_leads = models.TextField(
        "staff voice leads", blank=True, help_text="One a line, with their role.", max_length=NOTE_MAX
    )
    direct_employees = models.PositiveIntegerField("number of direct employees", null=True, blank=True)
    how_agreed = models.TextField("how this action plan has been agreed", blank=True, max_length=TEXT_MAX)
    staff_voice_summary = models.TextField("staff voice", blank=True, max_length=TEXT_MAX)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # True when the plan changed after its last sign-off; cleared by the next sign-off.
    changed_since_sign_off = models.BooleanField(default=False)
    signed_version = models.ForeignKey(
        "PlanVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the programme lead last asked the senior sponsor to sign off; cleared by the sign-off.
    sent_for_sign_off_at = models.DateTimeField(null=True, blank=True)
    sent_for_sign_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    # The public address: separate from `uuid`, so knowing the API id says nothing about it.
    public_id = models.UUIDField(default=uuid_lib.uuid4, unique=True, editable=False)
    rolled_forward_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["authority__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="actionplan_unique_per_year"),
            models.CheckConstraint(condition=Q(year__gte=2020, year__lte=2100), name="actionplan_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.authority} action plan {self.year_label}"

    @property
    def year_label(self) -> str:
        return plan_year_label(self.year)

    @property
    def status_key(self) -> str:
        """draft, signed_off or changed: what the tag on a page says."""
        if self.status == self.Status.SIGNED_OFF and self.changed_since_sign_off:
            return "changed"
        return self.status

    def needs_sign_off(self) -> bool:
        return self.status == self.Status.DRAFT or self.changed_since_sign_off

    def is_waiting_for_sign_off(self) -> bool:
        """Sent to the senior sponsor, and not signed off as it stands since."""
        return self.sent_for_sign_off_at is not None and self.needs_sign_off()

    def quarters(self) -> list[Quarter]:
        return [Quarter(self.year, n) for n in (1, 2, 3, 4)]

    def reporting_quarters(self) -> list[Quarter]:
        """The quarters a report is due for: those of the plan year that had not ended when the plan
        was started. A plan started in November reports on quarters 3 and 4 only."""
        started = timezone.localdate(self.created_at) if self.created_at else None
        return [q for q in self.quarters() if started is None or q.ends_on >= started]


class WhatWeKnowQuerySet(models.QuerySet["WhatWeKnow"]):
    def for_user(self, user: User | AnonymousUser) -> WhatWeKnowQuerySet:
        return _scoped(self, user)


class WhatWeKnow(TimeStampedModel):
    """One line of the plan's "what we know" table: what the council's data says about a metric."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="what_we_know")
    metric = models.CharField(max_length=2)
    text = models.TextField(blank=True, max_length=TEXT_MAX)
    source_round = models.CharField(
        max_length=20, blank=True, help_text="The round whose results pre-filled this line."
    )

    objects = WhatWeKnowQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "metric"]
        constraints = [models.UniqueConstraint(fields=["plan", "metric"], name="whatweknow_unique_metric")]

    def __str__(self) -> str:
        return f"metric {self.metric}"


class ObjectiveQuerySet(models.QuerySet["Objective"]):
    def for_user(self, user: User | AnonymousUser) -> ObjectiveQuerySet:
        return _scoped(self, user).select_related("plan")


class Objective(PublicIdModel):
    """One objective of the plan: its WRES themes, the metrics it answers and what good looks like."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveIntegerField()
    text = models.TextField("objective", max_length=TEXT_MAX)
    themes = models.JSONField("WRES themes", default=list, blank=True)
    related_indicators = models.JSONField("related metrics", default=list, blank=True)
    leads = models.TextField(blank=True, help_text="One a line.", max_length=NOTE_MAX)
    data_note = models.TextField(
        "what the data shows",
        blank=True,
        help_text="Your own words beside the figures taken from your results.",
        max_length=TEXT_MAX,
    )
    # The figures of the related metrics as they were at the last sign-off (see services).
    metrics_data = models.JSONField(default=list, blank=True)
    metrics_data_frozen_at = models.DateTimeField(null=True, blank=True)
    indicators_of_improvement = models.TextField(
        "indicators of improvement: what good looks like", blank=True, max_length=TEXT_MAX
    )
    timeframe = models.CharField(max_length=100, blank=True)
    carried_over_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who saved it last: named when someone else's edit, built on the state before, is refused.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="objective_unique_number")]

    def __str__(self) -> str:
        return f"Objective {self.number}"

    def theme_labels(self) -> list[str]:
        return [theme_label(t) for t in self.themes if t in Theme.values]


class ActionQuerySet(models.QuerySet["Action"]):
    def for_user(self, user: User | AnonymousUser) -> ActionQuerySet:
        return _scoped(self, user).select_related("plan", "objective")


class Action(PublicIdModel):
    """A specific action under an objective; numbered across the whole plan, as plans print them."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField()
    text = models.TextField("action", max_length=TEXT_MAX)
    lead = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    carried_over_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="action_unique_number")]

    def __str__(self) -> str:
        return f"Action {self.number}"

    def is_overdue(self, day: datetime.date | None = None) -> bool:
        """Past its due date and not complete: the portal suggests red."""
        day = day or timezone.localdate()
        return self.status != self.Status.COMPLETE and self.due_date is not None and self.due_date < day


class TargetQuerySet(models.QuerySet["Target"]):
    def for_user(self, user: User | AnonymousUser) -> TargetQuerySet:
        return _scoped(self, user).select_related("plan", "objective")


class Target(PublicIdModel):
    """A measurable target of an objective, e.g. m2 for adults at least 0.80 by the 2026 round.

    Evaluated from the stored results of that round (services.target_evaluate); the outcome last
    worked out is kept in `outcome` for lists and the national view.
    """

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", "at least"
        AT_MOST = "lte", "at most"

    class Outcome(models.TextChoices):
        AWAITING = "awaiting", "Awaiting results"
        MET = "met", "Met"
        NOT_MET = "not_met", "Not met"
        NO_DATA = "no_data", "No data"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="targets")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(max_length=10)
    service = models.CharField(max_length=10, default="all")
    comparison = models.CharField(max_length=3, choices=Comparison.choices)
    value = models.FloatField()
    round_label = models.CharField("by the round", max_length=20)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.AWAITING)
    actual_value = models.FloatField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["objective__number", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=1000), name="target_value_range"),
        ]

    def __str__(self) -> str:
        return self.description

    @staticmethod
    def round_problem(plan_year: int, round_label: str) -> str | None:
        """Why `round_label` cannot be a target's round in a plan of `plan_year`, in plain English, or
        None. The earliest is the round after the plan's year: the 2027 round measures April 2026 to
        March 2027, the first year of a 2026 plan; the latest is ten rounds on."""
        earliest = plan_year + 1
        text = round_label.strip()
        if not text.isdigit() or len(text) != 4:
            return f"Enter the round as a year, like {earliest}"
        if int(text) < earliest:
            return (
                f"The round must be {earliest} or later: earlier rounds counted the years before this "
                "plan started"
            )
        if int(text) > earliest + 10:
            return f"The round must be {earliest + 10} or earlier"
        return None

    @property
    def description(self) -> str:
        indicator = INDICATORS_BY_CODE.get(self.indicator)
        title = f"metric {indicator.metric} ({indicator.title.lower()})" if indicator else self.indicator
        value = f"{self.value:.0%}" if indicator and indicator.kind == "share" else f"{self.value:.2f}"
        return (
            f"{title.capitalize()}, {SERVICE_LABELS.get(self.service, self.service).lower()}: "
            f"{self.get_comparison_display()} {value} by the {self.round_label} round"
        )


# Quarterly progress ---------------------------------------------------------------------------------


class QuarterlyReportQuerySet(models.QuerySet["QuarterlyReport"]):
    def for_user(self, user: User | AnonymousUser) -> QuarterlyReportQuerySet:
        return _scoped(self, user).select_related("plan", "authority")


class QuarterlyReport(PublicIdModel):
    """Progress on every action of a plan in one quarter: draft, submitted by the programme lead,
    signed off by the senior sponsor. Once signed off its updates never change."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SIGNED_OFF = "signed_off", "Signed off"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveIntegerField()
    quarter = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True, max_length=TEXT_MAX)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signatory_name = models.CharField(max_length=150, blank=True)
    signatory_role = models.CharField(max_length=150, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    declaration = models.BooleanField(default=False)
    # The report as signed off (services.report_document), so later plan changes do not alter it.
    signed_document = models.JSONField(null=True, blank=True)

    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "quarter"], name="report_unique_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="report_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.period.label}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    NOT_STARTED = "not_started", "Not started"
    COMPLETE = "complete", "Complete"


class ActionUpdateQuerySet(models.QuerySet["ActionUpdate"]):
    def for_user(self, user: User | AnonymousUser) -> ActionUpdateQuerySet:
        return _scoped(self, user).select_related("action", "report", "updated_by")


class ActionUpdate(PublicIdModel):
    """One action's progress in one quarter: RAG status, narrative, optional evidence, who and when."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="updates")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    rag = models.CharField("RAG status", max_length=20, choices=Rag.choices)
    narrative = models.TextField("progress", max_length=TEXT_MAX)
    evidence_url = models.URLField("link to evidence", max_length=500, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ActionUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["report", "action__number"]
        constraints = [models.UniqueConstraint(fields=["report", "action"], name="update_unique_per_action")]

    def __str__(self) -> str:
        return f"{self.action} {self.get_rag_display()}"


# Signed versions -----------------------------------------------------------------------------------


class PlanVersionQuerySet(models.QuerySet["PlanVersion"]):
    def for_user(self, user: User | AnonymousUser) -> PlanVersionQuerySet:
        return _scoped(self, user).select_related("signed_by")


class PlanVersion(TimeStampedModel):
    """The whole plan as the senior sponsor signed it off (services.plan_document), with the
    declaration. Written once: saving an existing version or deleting one is refused, so a signed
    snapshot can never change."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)
    declaration = models.BooleanField()
    signatory_name = models.CharField(max_length=150)
    signatory_role = models.CharField(max_length=150)
    signed_on = models.DateField()

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number"),
            models.CheckConstraint(condition=Q(declaration=True), name="planversion_declared"),
        ]

    def __str__(self) -> str:
        return f"version {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        # An invariant, not a workflow rule: a signed snapshot is immutable.
        if self.pk is not None:
            raise ApplicationError("A signed-off version cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ApplicationError("A signed-off version cannot be deleted.")


class QuarterReminderSent(models.Model):
    """Keeps the "updates due" email to once per plan and quarter, however often the job runs."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    quarter = models.PositiveSmallIntegerField()
    #: When the email was last handed to the email task (wres_portal/emails.py).
    queued_at = models.DateTimeField(default=timezone.now)
    #: Set by the email task once the reminder has really been sent; empty while it is pending.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "quarter"], name="quarter_reminder_once")
        ]

    def __str__(self) -> str:
        return f"reminder for plan {self.plan_id} {self.year} q{self.quarter}"


class PlansVersion(models.Model):
    """A number that changes whenever what the analysts' national action-plan page counts may change
    (issue 18), as `submissions.models.MonitorVersion` does for the completeness monitor: one row,
    bumped by PostgreSQL triggers (migration 0006) once in every commit that inserts, deletes or
    changes a plan (its council, year, status, sign-off or start), an objective's themes or plan, an
    action's objective, a quarterly report's quarter or status, an action update's RAG status or
    action, or a council (added, removed, renamed or recoded). Deferred to the commit, so the row is
    locked only while a transaction commits and a reader sees the new number with the rows that
    changed. Absent on SQLite (no triggers): the page counts afresh every time."""

    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"plans version {self.n}"


class PlansDocument(models.Model):
    """The national action-plan page's counts for a plan year (`actionplans.summary`), built once for
    a `PlansVersion` and day (overdue reports depend on the date) and read in one query whatever the
    number of councils (issue 18: counting them took about 300 ms at 20,000 councils). `key` names what it
    was built from; a page uses it only where the key matches and rebuilds it otherwise, so a stale
    document is never served. Derived data, not audited."""

    year = models.PositiveIntegerField(unique=True)
    key = models.CharField(max_length=64)
    content = models.BinaryField()
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"national action-plan counts for {self.year}"
