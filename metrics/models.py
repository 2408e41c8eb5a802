"""Results stored against return versions, and national benchmarks per round."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pgtrigger
from django.db import models
from django.utils import timezone

from accounts.models import Authority, User
from submissions.models import CollectionRound, ReturnVersion
from wres_portal.models import NOTE_MAX

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class VersionResultsQuerySet(models.QuerySet["VersionResults"]):
    def for_user(self, user: User | AnonymousUser) -> VersionResultsQuerySet:
        """Results of the authorities `user` may see."""
        return self.filter(authority__in=Authority.objects.for_user(user))


class VersionResults(models.Model):
    """The results document (spec section 3) computed for one version. Written once, never changed."""

    # Foreign keys that lead a composite index or unique key have no index of their own: fewer
    # indexes to update when a national recompute writes every round's results (issue 7).
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", db_index=False)
    round = models.ForeignKey(CollectionRound, on_delete=models.PROTECT, related_name="+")
    version = models.OneToOneField(ReturnVersion, on_delete=models.PROTECT, related_name="results")
    document = models.JSONField()
    population_share = models.FloatField(null=True, blank=True, help_text="As used for metric 9 (0 to 1).")
    computed_at = models.DateTimeField(default=timezone.now)

    objects = VersionResultsQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["authority", "round"])]

    def __str__(self) -> str:
        return f"results of {self.version_id}"


class Result(models.Model):
    """One indicator of one service in a version's results: the headline value, for aggregation."""

    # Authority and round are copies of the version's, kept for filtering and scoping; the version is
    # the row's enforced reference. Not checking the copies in the database saves two foreign key
    # look-ups per row: about 2.3 s of database time per 72,000 rows, a third of the cost of storing
    # a national recompute (issue 7). Django still protects them on delete (on_delete=PROTECT).
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    round = models.ForeignKey(
        CollectionRound, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    version = models.ForeignKey(
        ReturnVersion, on_delete=models.PROTECT, related_name="result_rows", db_index=False
    )
    service = models.CharField(max_length=10)
    indicator = models.CharField(max_length=10)
    value = models.FloatField(
        null=True, blank=True, help_text="Relative likelihood, or the band share for m1."
    )
    four_fifths = models.CharField(max_length=30, blank=True)
    low_numbers = models.BooleanField(default=False)
    calculable = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "service", "indicator"], name="result_unique_per_version"
            )
        ]
        indexes = [
            models.Index(fields=["authority", "round"]),
            # With the value last, it also hands an indicator's rows over in order of value: the
            # national indicator page sorted by value reads one page of it (issue 18). No more
            # indexes for a national recompute to update than before.
            models.Index(
                fields=["round", "service", "indicator", "value"], name="result_round_indicator_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.service} = {self.value}"


class Benchmark(models.Model):
    """National figures for a round, service and indicator over the accepted returns: nationally,
    or for one region or one authority type (spec section 4)."""

    class Scope(models.TextChoices):
        NATIONAL = "national", "England"
        REGION = "region", "Region"
        TYPE = "authority_type", "Authority type"

    round = models.ForeignKey(
        CollectionRound, on_delete=models.CASCADE, related_name="benchmarks", db_index=False
    )
    service = models.CharField(max_length=10)
    indicator = models.CharField(max_length=10)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    scope_value = models.CharField(max_length=40, blank=True)
    n_authorities = models.PositiveIntegerField()
    pooled = models.JSONField(help_text="The results entry computed on the summed counts.")
    distribution = models.JSONField(help_text="n, min, quartiles, median, max of authority values.")
    p5 = models.FloatField(null=True, blank=True)
    p95 = models.FloatField(null=True, blank=True)
    bands = models.JSONField(help_text="Number and share of authorities in each four-fifths band.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "service", "indicator", "scope", "scope_value"], name="benchmark_unique"
            )
        ]
        indexes = [models.Index(fields=["round", "scope", "service"])]

    def __str__(self) -> str:
        return f"{self.round} {self.service} {self.indicator} {self.scope} {self.scope_value}"


class BenchmarkRun(models.Model):
    """What a round's stored benchmarks were computed from: a fingerprint of its accepted versions
    (and their councils' region and type). The sweep recomputes a round whose accepted versions no
    longer match, so benchmarks stay a pure function of the accepted returns however a step or a
    message went astray (`metrics.services.benchmarks_sweep`)."""

    round = models.OneToOneField(CollectionRound, on_delete=models.CASCADE, related_name="benchmark_run")
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"benchmarks of {self.round} from {self.fingerprint[:12]}"


class ReleaseQuerySet(models.QuerySet["Release"]):
    def published(self) -> ReleaseQuerySet:
        return self.filter(published=True)


class Release(models.Model):
    """A numbered, dated publication of a round's national tables (spec section 5, v1.1): made by an
    analyst on purpose, frozen when made. Only `published` (with who and when) ever changes, once,
    from False to True: `release_publish`, after the auditor passes it together with every other
    published release of the round. PostgreSQL refuses any other update, and every delete."""

    round = models.ForeignKey(CollectionRound, on_delete=models.PROTECT, related_name="releases")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(
        help_text="What changed since the previous release, and why.", max_length=NOTE_MAX
    )
    changes = models.JSONField(help_text="What the builder found changed since the previous release.")
    tables = models.JSONField(help_text="The frozen tables: about, pooled, distribution.")
    basis = models.JSONField(help_text="The councils (and versions) behind each area's figures.")
    audit = models.JSONField(help_text="The auditor's result when the release was made.")
    suppression = models.JSONField(help_text="How many counts are hidden, and by which rule.")
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="release_number_unique")]
        triggers = [
            pgtrigger.ReadOnly(name="release_frozen", exclude=["published", "published_at", "published_by"]),
            pgtrigger.Protect(
                name="release_published_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__published=True),
            ),
            pgtrigger.Protect(name="release_never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.round} release {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Only ever inserted: a release has no update path (publishing is a guarded update)."""
        if self.pk is not None and not self._state.adding:
            raise ValueError("A release cannot be changed once made: make a new release instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("A release is never deleted.")


class ComparisonGroup(models.Model):
    """A group of councils whose median figures a council has been shown in a round: its nearest
    neighbours or a basket it chose (metrics.neighbours). Kept so that a later basket differing from
    any of them by 1 to 4 councils is refused (differencing). Only ever added."""

    class Kind(models.TextChoices):
        NEIGHBOURS = "neighbours", "Nearest neighbours"
        BASKET = "basket", "Your basket"

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    members = models.JSONField(help_text="The ONS codes of the councils in the group, sorted.")
    key = models.CharField(max_length=64, help_text="A digest of the kind and members.")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "round", "key"], name="comparison_group_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.authority_id} in {self.round_id}"


class ReleaseFile(models.Model):
    """A download of a release (the national tables as XLSX), built the first time it is asked for
    and kept: a release never changes once made (its row is read-only in the database), so the file
    is always what a fresh build would give, and serving it costs one read (issue 18)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files", db_index=False)
    name = models.CharField(max_length=40)
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "name"], name="release_file_unique")]

    def __str__(self) -> str:
        return f"{self.name} of release {self.release_id}"


class ResultsPageDocument(models.Model):
    """What a council's results page shows of a round beyond the user-specific parts (issue 18): its
    results, the rendered cards of each service beside the latest published release, and what the
    summary needs, built once and read in one query. `key` names everything it was built from (the
    authority's return versions of every round, whether their results are stored, each round's
    latest published release, the authority's region, type and population share, and the code that
    renders it: `metrics.selectors.ResultsPageBasis`); a page reads it only where the key matches
    what is current, and rebuilds it otherwise, so a stale document is never shown. Derived data,
    not audited: it is a pure function of audited rows."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+", db_index=False)
    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=64)
    document = models.JSONField(help_text="The results, the previous round's values and the release.")
    # The rendered cards of each service (about 100 kB of HTML each), one column per service, stored
    # uncompressed on PostgreSQL (migration 0013): a page reads one service's, and taking it out of
    # one compressed JSON column of all three cost PostgreSQL 0.5 ms a request, against 0.08 ms.
    cards_all = models.TextField(help_text="The rendered cards of both services pooled.")
    cards_adults = models.TextField(help_text="The rendered cards of adult social care.")
    cards_children = models.TextField(help_text="The rendered cards of children's social care.")
    built_at = models.DateTimeField(default=timezone.now)

    #: The column holding each service's cards.
    CARDS = {"all": "cards_all", "adults": "cards_adults", "children": "cards_children"}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "round"], name="results_page_document_once")
        ]

    def __str__(self) -> str:
        return f"results page of {self.authority_id} in {self.round_id}"


class DashboardDocument(models.Model):
    """The analyst dashboard's figures for one round, service and filter (issue 18), rendered once
    and read in one query. `key` names the round's benchmark run (fingerprint and time) and the code
    that renders it (`metrics.selectors.dashboard_key`); a page reads it only where the key matches
    the current run, and rebuilds it otherwise."""

    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="+", db_index=False)
    service = models.CharField(max_length=10)
    region = models.CharField(max_length=40, blank=True)
    authority_type = models.CharField(max_length=40, blank=True)
    key = models.CharField(max_length=64)
    # Rendered HTML (about 50 kB), stored uncompressed on PostgreSQL (migration 0014): read as JSON it
    # cost 0.33 ms a request (decompressing, printing and parsing the JSON), as text 0.12 ms.
    figures_html = models.TextField(help_text="The figures, rendered.")
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "service", "region", "authority_type"], name="dashboard_document_once"
            )
        ]

    def __str__(self) -> str:
        return f"dashboard of {self.round_id} {self.service} {self.region} {self.authority_type}"


class IndicatorDocument(models.Model):
    """The summary of one indicator across the authorities for a round, service and filter (issue
    18): the chart (histogram and box), the breakdown by region and type, and how many authorities
    are in each band, rendered once and read in one query with the round. `key` names what it was
    built from (`metrics.selectors.indicator_key`): the round's benchmark run, the newest change of
    the accepted returns (the change feed), of stored results and of authorities' details, and the
    code that renders it; a page reads it only where the key matches what is current, and rebuilds
    it otherwise, so a stale summary is never shown. The table of authorities is read live."""

    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="+", db_index=False)
    service = models.CharField(max_length=10)
    region = models.CharField(max_length=40, blank=True)
    authority_type = models.CharField(max_length=40, blank=True)
    indicator = models.CharField(max_length=10)
    key = models.CharField(max_length=64)
    document = models.JSONField()
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "service", "region", "authority_type", "indicator"],
                name="indicator_document_once",
            )
        ]

    def __str__(self) -> str:
        where = f"{self.service} {self.region} {self.authority_type}"
        return f"indicator {self.indicator} of {self.round_id} {where}"
