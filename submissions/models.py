"""Collection rounds and returns. A return's figures are kept as numbered versions that are never
changed once written: every save (upload, web entry, API) writes a new version, and every step of
the lifecycle is an event naming who, when and why."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Authority, User
from wres_portal.models import NOTE_MAX, PublicIdModel, TimeStampedModel

from .schema import GROUPS, ReturnData, RowKey

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class CollectionRoundQuerySet(models.QuerySet["CollectionRound"]):
    def open_on(self, day: datetime.date) -> CollectionRoundQuerySet:
        return self.filter(opens_on__lte=day, closes_on__gte=day)

    def opened_by(self, day: datetime.date) -> CollectionRoundQuerySet:
        """The rounds opened on or before `day`, the latest first: the first is the one councils are
        working on (or just finished), `submissions.selectors.current_round`."""
        return self.filter(opens_on__lte=day).order_by("-opens_on")


class CollectionRound(PublicIdModel):
    """One annual collection, opened by an analyst."""

    label = models.CharField(
        "year label",
        max_length=20,
        unique=True,
        help_text="For example 2025 or 2025-26.",
        # The label is part of addresses and file names (issue 13, L4): no slashes, quotes or markup.
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$",
                "Use only letters, numbers, spaces, full stops, hyphens and underscores, for example 2025.",
            )
        ],
    )
    period_start = models.DateField("reporting period start")
    period_end = models.DateField("reporting period end")
    snapshot_date = models.DateField("headcount snapshot date")
    opens_on = models.DateField("opening date")
    closes_on = models.DateField("closing date")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CollectionRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="round_period_order"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="round_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} round"

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%-d %B %Y} to {self.period_end:%-d %B %Y}"

    def is_open(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on

    def closes_on_for(self, authority: Authority) -> datetime.date:
        """The closing date for one authority, after any extension."""
        extension = self.extensions.filter(authority=authority).first()
        return extension.closes_on if extension else self.closes_on


class ClosingDateExtension(TimeStampedModel):
    """An analyst extends the closing date for one authority."""

    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="extensions")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="extensions")
    closes_on = models.DateField("new closing date")
    reason = models.TextField(max_length=NOTE_MAX)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "authority"], name="extension_unique")]


class ReturnQuerySet(models.QuerySet["Return"]):
    def for_user(self, user: User | AnonymousUser) -> ReturnQuerySet:
        """Returns of the authorities `user` may see (all of them for national staff)."""
        return self.filter(authority__in=Authority.objects.for_user(user)).select_related(
            "authority", "round"
        )


class Return(PublicIdModel):
    """An authority's return for one round: its status and the pointer to its latest version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SIGNED_OFF = "signed_off", "Signed off"
        ACCEPTED = "accepted", "Accepted"

    # No index of its own: the unique (authority, round) key leads with it.
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="returns", db_index=False)
    round = models.ForeignKey(CollectionRound, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    current_version = models.ForeignKey(
        "ReturnVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_late = models.BooleanField(default=False)
    late_reason = models.TextField(blank=True, max_length=NOTE_MAX)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ReturnQuerySet.as_manager()

    class Meta:
        ordering = ["round", "authority__name"]
        constraints = [models.UniqueConstraint(fields=["authority", "round"], name="return_unique_per_round")]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return f"{self.authority} {self.round.label} return"

    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def version_number(self) -> int:
        """The current version's number; 0 before the first save. Web forms carry it as `version`."""
        return self.current_version.number if self.current_version is not None else 0

    def state_token(self) -> str:
        """The return's state as the API's ETag names it: version number and status, e.g. "12-draft",
        and, once the version has explanations, a digest of them ("12-draft-3f9c0a1b"). Every save
        makes a new version, every step changes the status and explaining a warning changes the
        digest, so an attestation sent with this token names exactly the figures, explanations and
        stage the client read."""
        token = f"{self.version_number}-{self.status}"
        digest = self.current_version.explanations_digest() if self.current_version is not None else ""
        return f"{token}-{digest}" if digest else token

    @staticmethod
    def parse_state_token(token: str) -> tuple[int, str, str] | None:
        """(version number, status, explanations digest: "" for none) or None for garbage."""
        number, _, rest = token.partition("-")
        status, _, digest = rest.partition("-")
        if not number.isdigit() or status not in Return.Status.values:
            return None
        if digest and not (len(digest) == 8 and all(c in "0123456789abcdef" for c in digest)):
            return None
        return int(number), status, digest

    def current(self) -> ReturnVersion:
        """The current version. Every stored return has one: a return and its first version are
        written in one transaction."""
        if self.current_version is None:
            raise ValueError(f"{self} has no version")
        return self.current_version


class ReturnVersion(PublicIdModel):
    """An immutable snapshot of a return's figures. Drafts are versions too: saving writes a new one."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "File upload"
        WEB = "web", "Typed in"
        API = "api", "API"
        REVISION = "revision", "Returned for revision"
        EXTRACT = "extract", "Built from HR data"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    return_record = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=20, choices=Source.choices)
    filename = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, max_length=NOTE_MAX)

    class Meta:
        ordering = ["return_record", "number"]
        constraints = [
            models.UniqueConstraint(fields=["return_record", "number"], name="version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"version {self.number}"

    @property
    def source_phrase(self) -> str:
        """How the version was made, to sit inside a sentence: "file upload", "built from HR data",
        "API" (the first letter lowered unless the label starts with an abbreviation)."""
        label = str(self.get_source_display())
        return label if label[:2].isupper() else label[:1].lower() + label[1:]

    def explanations_digest(self) -> str:
        """A digest of this version's explanations (warning key and text), "" when it has none: the
        part of the return's state that changes without a new version."""
        return self.digest_of(self.explanations.values_list("warning_key", "text"))

    @staticmethod
    def digest_of(explanations: Iterable[tuple[str, str]]) -> str:
        """`explanations_digest` of (warning key, text) pairs already read (for a list of returns)."""
        rows = sorted(explanations)
        if not rows:
            return ""
        text = "\x1f".join(f"{key}\x1e{body}" for key, body in rows)
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def data(self) -> ReturnData:
        return {row.key: row.counts for row in self.rows.all()}


class ReturnRow(models.Model):
    """One row of a version: counts by group for a service, measure and pay band."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    # No index of its own: the unique (version, service, measure, pay band) key leads with it.
    version = models.ForeignKey(ReturnVersion, on_delete=models.PROTECT, related_name="rows", db_index=False)
    service = models.CharField(max_length=10)
    measure = models.CharField(max_length=30)
    pay_band = models.CharField(max_length=10, blank=True)
    white = models.PositiveIntegerField()
    minority_ethnic = models.PositiveIntegerField()
    unknown = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "service", "measure", "pay_band"], name="row_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(white__lte=10_000_000)
                & Q(minority_ethnic__lte=10_000_000)
                & Q(unknown__lte=10_000_000),
                name="row_counts_in_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.key)

    @property
    def key(self) -> RowKey:
        return RowKey(self.service, self.measure, self.pay_band)

    @property
    def counts(self) -> dict[str, int]:
        return {group: getattr(self, group) for group in GROUPS}


class WarningExplanation(TimeStampedModel):
    """A council's written explanation of a warning (rule, service, indicator: `warning_key`) on a
    version, needed before submitting.

    It belongs to its warning, not to the figures around it: every new version carries it forward
    while the warning stands (services._carry_explanations). `figures` is the warning as it read when
    the explanation was written or last kept; when a later change alters those figures the text is
    still carried, but it must be kept or edited again (`is_current_for`) before the return can be
    submitted.
    """

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ReturnVersion, on_delete=models.PROTECT, related_name="explanations")
    warning_key = models.CharField(max_length=100)
    text = models.TextField(max_length=NOTE_MAX)
    figures = models.TextField(
        blank=True, max_length=NOTE_MAX, help_text="The warning's message when this text was written or kept."
    )
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "warning_key"], name="explanation_unique")]

    def __str__(self) -> str:
        return f"explanation of {self.warning_key}"

    def is_current_for(self, message: str) -> bool:
        """Written (or kept) about the figures the warning now gives. Explanations from before this
        was recorded (`figures` empty) count as current."""
        return not self.figures or self.figures == message


class ReturnEvent(models.Model):
    """One step in a return's life, with who, when and why. Never changed or deleted."""

    class Action(models.TextChoices):
        SAVED = "saved", "Draft saved"
        SUBMITTED = "submitted", "Submitted"
        SIGNED_OFF = "signed_off", "Signed off"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned for revision"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    return_record = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="events")
    version = models.ForeignKey(ReturnVersion, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    message = models.TextField(blank=True, max_length=NOTE_MAX)
    # Sign-off declaration (action signed_off): the sponsor's name and role as they signed.
    signatory_name = models.CharField(max_length=150, blank=True)
    signatory_role = models.CharField(max_length=150, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


class ReminderSent(models.Model):
    """Keeps reminder emails to once per round, authority and kind, however often the job runs."""

    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="+")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    #: When the email was last handed to the email task (wres_portal/emails.py).
    queued_at = models.DateTimeField(default=timezone.now)
    #: Set by the email task once the reminder has really been sent; empty while it is pending.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "authority", "kind"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.kind} reminder to {self.authority_id} for round {self.round_id}"


class UploadPreviewQuerySet(models.QuerySet["UploadPreview"]):
    def live(self) -> UploadPreviewQuerySet:
        return self.filter(expires_at__gt=timezone.now())


class UploadPreview(models.Model):
    """A checked upload waiting for its uploader to confirm it, or its problems, downloadable as
    CSV. Kept in the database rather than the cache, so an upload can be confirmed while Redis is
    down; expired ones are deleted by `submissions.tasks.delete_expired_upload_previews`."""

    class Flow(models.TextChoices):
        UPLOAD = "upload", "File upload"
        HRDATA = "hrdata", "Built from HR data"

    token = models.CharField(max_length=32, unique=True)
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    #: The flow that made the preview: only that flow's pages read it back (a token from one flow
    #: is unknown to the other's confirmation page).
    flow = models.CharField(max_length=16, choices=Flow.choices, default=Flow.UPLOAD)
    filename = models.CharField(max_length=255)
    #: The checked figures, as [[service, measure, pay band, {group: count}], ...], or null.
    data = models.JSONField(null=True, blank=True)
    #: The problems found, as the rows of the errors CSV, or null.
    errors = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    objects = UploadPreviewQuerySet.as_manager()

    def __str__(self) -> str:
        return f"upload {self.filename} by {self.user_id} for {self.authority_id}"


class ExtractMappingQuerySet(models.QuerySet["ExtractMapping"]):
    def for_user(self, user: User | AnonymousUser) -> ExtractMappingQuerySet:
        """Mappings of the authorities `user` may see (all of them for national staff)."""
        return self.filter(authority__in=Authority.objects.for_user(user))


class ExtractMapping(TimeStampedModel):
    """How a council's HR extracts map onto the return, kept for its next visit and next round:
    which column holds each field and what each ethnicity and service value means. Never rows:
    `columns` is {extract: {field: header}}, `values` is {"ethnicity": {value: group},
    "service": {value: service}}, with values in the extract reader's normalised form."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", db_index=False)
    round = models.ForeignKey(CollectionRound, on_delete=models.PROTECT, related_name="+")
    columns = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ExtractMappingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "round"], name="extract_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"HR extract mapping of {self.authority_id} for round {self.round_id}"


class ChangeFeedEntry(models.Model):
    """One change national data users sync from (the API's change feed): a version accepted into a
    round's national figures, a return sent back for revision (its version leaves them), a release of
    national tables published. Written in the same transaction as the change, never changed.

    Entries are read in id order, so ids must become visible in that order: an id is handed out at
    insert but seen at commit, and a reader who saw id 11 before id 10 committed would pass 10 by.
    `submissions.services.feed_record` therefore takes one lock for the feed before inserting, held
    until its transaction ends: the next writer gets its id only after the previous one committed.
    """

    class Kind(models.TextChoices):
        ACCEPTED = "return_accepted", "Return accepted"
        SENT_BACK = "return_sent_back", "Return sent back for revision"
        RELEASE_PUBLISHED = "release_published", "Release published"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    round = models.ForeignKey(CollectionRound, on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        ReturnVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_number = models.PositiveIntegerField(null=True, blank=True)
    #: For a return sent back: its status before (accepted: it left the national figures).
    from_status = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class MonitorVersion(models.Model):
    """A number that changes whenever what the completeness monitor shows may change (issue 18): one
    row, bumped by PostgreSQL triggers (migrations 0011, 0012) once in every commit that inserts,
    deletes or changes any row among returns (their round, council, status, submission time or lateness),
    closing-date extensions and authorities (ONS code, name, region, type). The triggers are deferred
    to the commit, so the row is locked only while a transaction commits, and a reader sees the new
    number in the same snapshot as the rows that changed. Were the row removed, the next change adds
    it back from a number never used before. Absent on SQLite (no triggers) and until then: the
    monitor reads its counts and CSV afresh every time."""

    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"monitor version {self.n}"


class MonitorDocument(models.Model):
    """What the completeness monitor shows of a round, built once for a `MonitorVersion` (issue 18):
    its status counts (`kind` "counts", JSON) and the unfiltered status.csv (`kind` "csv"), the CSV
    with its gzip beside it (`gzipped`, built with it and sent to a client that accepts gzip: 2.1 MB
    is 130 kB at 20,000 councils). `key` names what it was built from
    (`submissions.selectors.monitor_key`: the round, its closing date, the monitor version and, for
    the CSV, the day); a page uses it only where the key matches, and rebuilds it otherwise, so a
    stale document is never served. Derived data, not audited."""

    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=10)
    key = models.CharField(max_length=64)
    content = models.BinaryField()
    gzipped = models.BinaryField(null=True, blank=True)
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "kind"], name="monitor_document_once")]

    def __str__(self) -> str:
        return f"{self.kind} of round {self.round_id}"
