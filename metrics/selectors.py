"""Reads of results shared by the council pages, their downloads and the results API; no writes."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, JSONField, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast

from accounts.models import Authority, User
from submissions.access import ReturnContext
from submissions.models import ChangeFeedEntry, CollectionRound, Return, ReturnEvent, ReturnVersion
from submissions.schema import SERVICE_LABELS
from submissions.selectors import submitted_version_ids
from wres_portal.prepared import read_cursor
from wres_portal.rawrows import instance, width
from wres_portal.renderers import JSONText

from .calculations import results_document
from .exports.national import type_values
from .models import (
    Benchmark,
    BenchmarkRun,
    DashboardDocument,
    IndicatorDocument,
    Release,
    ReleaseQuerySet,
    Result,
    ResultsPageDocument,
    VersionResults,
)
from .publication import Comparator, ComparatorKey, PublishedComparators, comparators_from_tables
from .services import population_share
from .signals import plan_objectives_wanted
from .summary import PlanLink, Summary, results_summary


def version_results(ctx: ReturnContext, version: ReturnVersion) -> VersionResults:
    """The stored results of `version` (one of `ctx`'s return, already scoped to the user), or, for a
    version without them (a draft), results computed now and not saved."""
    stored = stored_version_results(version)
    if stored is not None:
        return stored
    return VersionResults(
        authority=ctx.authority,
        round=ctx.round,
        version=version,
        document=results_document(version.data(), population_share=population_share(ctx.authority)),
    )


def stored_version_results(version: ReturnVersion) -> VersionResults | None:
    """The results stored for `version` (already scoped to the user), or None (a draft's)."""
    return VersionResults.objects.filter(version=version).first()


def results_by_version(version_ids: Iterable[int | None]) -> dict[int, list[dict[str, Any]]]:
    """The stored results entries of each version, by version id, in one query (a version without
    stored results is left out). National staff only: no scoping."""
    found = VersionResults.objects.filter(version_id__in=list(version_ids)).values_list(
        "version_id", "document"
    )
    return {version_id: document["results"] for version_id, document in found}


def council_trend(authority: Authority, service: str) -> list[tuple[str, str, str, float | None]]:
    """(round label, service, indicator, value) of the authority's results for a service, from the
    current version of each return past draft, oldest round first: the points of its trend."""
    return list(
        Result.objects.filter(
            authority=authority, service=service, version_id__in=submitted_version_ids(authority)
        )
        .order_by("round__opens_on")
        .values_list("round__label", "service", "indicator", "value")
    )


def version_results_document(record: Return, number: int) -> JSONText | dict[str, Any] | None:
    """The results document (spec section 3) of version `number` of `record` (a return already
    scoped to the user): the one stored when the version was submitted, as its JSON text, read with
    the version in one query compiled once per process; for a version without one (a draft) computed
    now and not saved. None when the return has no such version."""
    sql, params = _compiled("version document")
    values = {RECORD_SLOT: record.pk, NUMBER_SLOT: number}
    found = next(iter(ReturnVersion.objects.raw(sql, [values.get(p, p) for p in params])), None)
    if found is None:
        return None
    stored = found.stored_document  # type: ignore[attr-defined]
    if stored is not None:
        return JSONText(stored)
    return results_document(found.data(), population_share=population_share(record.authority))


#: Parsed comparators by (release pk, created_at): releases never change once made, so a parse is
#: good for the life of the process. Bounded: a few releases a round.
_PARSED: dict[tuple[int, datetime.datetime], Mapping[ComparatorKey, Comparator]] = {}
_PARSED_MAX = 256


def _parsed(pk: int, created_at: datetime.datetime) -> Mapping[ComparatorKey, Comparator]:
    key = (pk, created_at)
    found = _PARSED.get(key)
    if found is None:
        tables = Release.objects.values_list("tables", flat=True).get(pk=pk)
        found = comparators_from_tables(
            _rows(tables["pooled"]),
            _rows(tables["distribution"]),
            type_values=type_values(published_types=True),
        )
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _rows(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    headers = table["headers"]
    return [dict(zip(headers, row, strict=False)) for row in table["rows"]]


def latest_published_releases(
    round_ids: Iterable[int] | None = None,
) -> dict[int, tuple[int, int, datetime.datetime, datetime.datetime | None]]:
    """{round id: (release pk, number, created_at, published_at)} of each round's latest published
    release (of `round_ids`, or of every round), in one query."""
    releases = Release.objects.published()
    if round_ids is not None:
        releases = releases.filter(round_id__in=list(round_ids))
    latest: dict[int, tuple[int, int, datetime.datetime, datetime.datetime | None]] = {}
    for round_id, pk, number, created_at, published_at in releases.order_by("round_id", "number").values_list(
        "round_id", "pk", "number", "created_at", "published_at"
    ):
        latest[round_id] = (pk, number, created_at, published_at)
    return latest


def published_comparators(collection_round: CollectionRound) -> PublishedComparators:
    """The national, regional and type comparators of the round's latest published release."""
    found = latest_published_releases([collection_round.pk]).get(collection_round.pk)
    if found is None:
        return PublishedComparators(collection_round.label, None, None, {})
    pk, number, created_at, published_at = found
    return PublishedComparators(collection_round.label, number, published_at, _parsed(pk, created_at))


def published_national_trend(service: str) -> dict[tuple[str, str], list[tuple[str, float | None]]]:
    """The published England median of each indicator of `service`, round by round (oldest first),
    from each round's latest published release: {(service, indicator): [(round label, median)]}."""
    latest = latest_published_releases()
    labels = dict(
        CollectionRound.objects.filter(pk__in=latest).order_by("opens_on").values_list("pk", "label")
    )
    return national_trend(
        [(label, latest[round_id][0], latest[round_id][2]) for round_id, label in labels.items()], service
    )


def national_trend(
    releases: Iterable[tuple[str, int, datetime.datetime]], service: str
) -> dict[tuple[str, str], list[tuple[str, float | None]]]:
    """`published_national_trend` from given releases: (round label, release pk, created_at), the
    oldest round first."""
    trend: dict[tuple[str, str], list[tuple[str, float | None]]] = defaultdict(list)
    for label, pk, created_at in releases:
        for (scope, _, svc, indicator), comparator in _parsed(pk, created_at).items():
            if scope == "national" and svc == service:
                trend[(svc, indicator)].append((label, None if comparator.withheld else comparator.median))
    return trend


def parsed_release(pk: int, created_at: datetime.datetime) -> Mapping[ComparatorKey, Comparator]:
    """The comparators of one release (parsed once per process: releases never change)."""
    return _parsed(pk, created_at)


def previous_round_values(
    authority: Authority, collection_round: CollectionRound, service: str
) -> tuple[str | None, dict[str, float | None]]:
    """The authority's headline values for `service` in its latest earlier round with a return past
    draft: (round label, {indicator: value}), or (None, {}) when there is none."""
    earlier = (
        Return.objects.filter(authority=authority, round__opens_on__lt=collection_round.opens_on)
        .exclude(status=Return.Status.DRAFT)
        .exclude(current_version=None)
        .order_by("-round__opens_on")
        .values_list("round__label", "current_version_id")
        .first()
    )
    if earlier is None:
        return None, {}
    label, version_id = earlier
    values = dict(
        Result.objects.filter(version_id=version_id, service=service).values_list("indicator", "value")
    )
    return label, values


def plan_objectives(authority: Authority, user: User | AnonymousUser) -> list[PlanLink]:
    """The plan objectives tied to indicators, from whichever app answers `plan_objectives_wanted`."""
    links: list[PlanLink] = []
    for _, response in plan_objectives_wanted.send(sender=None, authority=authority, user=user):
        if isinstance(response, list):
            links.extend(link for link in response if isinstance(link, PlanLink))
    return links


def council_results_summary(
    ctx: ReturnContext, version: ReturnVersion, service: str, user: User | AnonymousUser
) -> Summary:
    """The summary that opens a council's results page and its board summary."""
    label, previous = previous_round_values(ctx.authority, ctx.round, service)
    return results_summary(
        version_results(ctx, version).document["results"],
        service=service,
        previous=previous,
        previous_label=label,
        objectives=plan_objectives(ctx.authority, user),
    )


def accepted_since_last_release(collection_round: CollectionRound | None) -> int:
    """How many of the round's returns were accepted (or accepted again) after its latest release
    was made: national tables an analyst may want to release again (all accepted ones before the
    first release)."""
    if collection_round is None:
        return 0
    made = latest_release_made(collection_round).first()
    return accepted_since(collection_round, made["created_at"] if made else None).count()


def latest_release_made(collection_round: CollectionRound) -> QuerySet[Release, Any]:
    """When the round's latest release was made, as a one-row queryset of `created_at` (empty before
    the first): only its date, for the release row's basis names every council (issue 18)."""
    return Release.objects.filter(round=collection_round).order_by("-number").values("created_at")[:1]


def accepted_since(
    collection_round: CollectionRound, made: datetime.datetime | None
) -> QuerySet[ReturnEvent, Any]:
    """The ids of the round's returns accepted (or accepted again) after `made` (every accepted one
    when None), one row each: count it."""
    accepted = ReturnEvent.objects.filter(
        return_record__round=collection_round, action=ReturnEvent.Action.ACCEPTED
    )
    if made is not None:
        accepted = accepted.filter(at__gt=made)
    return accepted.order_by().values("return_record_id").distinct()


def default_round() -> CollectionRound | None:
    """The round the national results pages show unless asked: the newest with benchmarks, else the
    newest (None before the first round)."""
    with_benchmarks = (
        CollectionRound.objects.filter(Exists(Benchmark.objects.filter(round=OuterRef("pk"))))
        .order_by("-opens_on")
        .first()
    )
    return with_benchmarks or CollectionRound.objects.order_by("-opens_on").first()


def round_benchmarks(collection_round: CollectionRound) -> QuerySet[Benchmark]:
    """The round's benchmarks: national, by region and by authority type (national staff only)."""
    return Benchmark.objects.filter(round=collection_round)


def rounds_newest_first() -> Iterable[CollectionRound]:
    """Every collection round, the newest first (national filters)."""
    return CollectionRound.objects.order_by("-opens_on")


class RoundChoice(NamedTuple):
    pk: int
    label: str


def round_choices() -> list[RoundChoice]:
    """The pk and label of every collection round, the newest first (a filter's options), in a
    statement prepared once per connection (the dashboard's, issue 18)."""
    return [RoundChoice(*row) for row in _run("round choices", {})]


def indicator_breakdown(collection_round: CollectionRound, service: str, code: str) -> list[Benchmark]:
    """An indicator's benchmarks in a round and service: England, then each region and type."""
    return list(
        Benchmark.objects.filter(round=collection_round, service=service, indicator=code).order_by(
            "scope", "scope_value"
        )
    )


def releases_of(collection_round: CollectionRound) -> ReleaseQuerySet:
    """A round's releases, the newest first, with who made and published them."""
    return (
        Release.objects.filter(round=collection_round)
        .select_related("created_by", "published_by")
        .order_by("-number")
    )


def releases_in(collection_round: CollectionRound) -> ReleaseQuerySet:
    """A round's releases with their round and who made them (the API: national staff only)."""
    return Release.objects.filter(round=collection_round).select_related("round", "created_by")


def releases_with_makers() -> ReleaseQuerySet:
    """Every release with its round and who made and published it (national staff only)."""
    return Release.objects.select_related("round", "created_by", "published_by")


def release_exists(collection_round: CollectionRound, number: int) -> bool:
    return Release.objects.filter(round=collection_round, number=number).exists()


def latest_round_with_results(authority: Authority) -> str | None:
    """The label of the latest round in which the authority (already scoped to the user) has a
    saved version, or None."""
    return (
        Return.objects.filter(authority=authority)
        .exclude(current_version=None)
        .order_by("-round__opens_on")
        .values_list("round__label", flat=True)
        .first()
    )


# Precomputed page documents (issue 18) --------------------------------------------------------------
#: Where the code that renders a page document lives: its fingerprint is part of every document's
#: key, so a deploy that changes how results pages or the dashboard look rebuilds them.
_RENDERING = (
    "metrics/*.py",
    "metrics/charts/*.py",
    "metrics/templatetags/*.py",
    "templates/metrics/**/*",
    "wres_portal/urls.py",  # the links a results page document holds
)


@functools.cache
def rendering_fingerprint() -> str:
    """A digest of the code and templates that render page documents (read once per process)."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for pattern in _RENDERING:
        for path in sorted(p for p in base.glob(pattern) if p.is_file()):
            digest.update(path.relative_to(base).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(*parts: object) -> str:
    return hashlib.sha256(repr((rendering_fingerprint(), *parts)).encode()).hexdigest()


@dataclass(frozen=True)
class RoundState:
    """One round as a council's results page sees it: the authority's return in it (its current
    version, whether it is past draft and whether that version's results are stored) and the round's
    latest published release."""

    round_id: int
    label: str
    version_id: int | None
    submitted: bool
    stored: bool
    release_id: int | None


@dataclass(frozen=True)
class ResultsPageBasis:
    """Everything a council's results page document is a function of. Its `key` names it all."""

    authority: Authority
    collection_round: CollectionRound
    version_id: int
    rounds: tuple[RoundState, ...]  # the rounds that matter to the page, the oldest first

    @property
    def page_round(self) -> RoundState | None:
        return next((r for r in self.rounds if r.round_id == self.collection_round.pk), None)

    @property
    def stored(self) -> bool:
        """Whether the page's version has stored results (otherwise it is a draft preview)."""
        page = self.page_round
        return bool(page and page.version_id == self.version_id and page.stored)

    @property
    def key(self) -> str:
        authority = self.authority
        return _key(
            "results-page",
            authority.pk,
            authority.ons_code,  # in the links the document holds, with the round's label
            self.collection_round.label,
            authority.region,
            authority.authority_type,
            str(authority.population_minority_ethnic_percent),
            self.collection_round.pk,
            self.version_id,
            self.rounds,
        )


#: Values no row has, standing for the values of a query compiled once per process (`_compiled`).
AUTHORITY_SLOT, ROUND_SLOT, KEY_SLOT = -730_118, -730_119, "slot:key"


@functools.cache
def _compiled(name: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters of query `name`, built with slot values where each request's values go:
    compiling these annotated queries costs more CPU than running them (as for the signed-in user,
    `accounts.mfa.signed_in_user`), so a page request only fills the slots in."""
    sql, params = _QUERIES[name]().query.sql_with_params()
    return sql, tuple(params)


def _run(name: str, values: Mapping[Any, Any]) -> list[tuple[Any, ...]]:
    """Run query `name` with each slot value replaced by `values[slot]`."""
    sql, params = _compiled(name)
    filled = [values[p] if isinstance(p, int | str) and p in values else p for p in params]
    with read_cursor() as cursor:
        cursor.execute(sql, filled)
        return cursor.fetchall()


def _basis_query(service: str | None = None) -> Any:
    returns = Return.objects.filter(authority_id=AUTHORITY_SLOT, round=OuterRef("pk")).order_by()
    rounds = CollectionRound.objects.order_by("opens_on", "pk").annotate(
        version_id=Subquery(returns.values("current_version_id")[:1]),
        submitted=Exists(returns.exclude(status=Return.Status.DRAFT)),
        stored=Exists(returns.filter(current_version__results__isnull=False)),
        release_id=Subquery(
            Release.objects.published().filter(round=OuterRef("pk")).order_by("-number").values("pk")[:1]
        ),
    )
    fields = ["pk", "label", "version_id", "submitted", "stored", "release_id"]
    if service is not None:
        # The page's stored document on the page round's row (null on the others), whatever its
        # key: the page compares the key with its basis's.
        documents = ResultsPageDocument.objects.filter(
            authority_id=AUTHORITY_SLOT, round_id=ROUND_SLOT, round=OuterRef("pk")
        )
        rounds = rounds.annotate(
            document_key=Subquery(documents.values("key")[:1]),
            document=Subquery(documents.values("document")[:1], output_field=JSONField()),
            cards=Subquery(documents.values(ResultsPageDocument.CARDS[service])[:1]),
        )
        fields += ["document_key", "document", "cards"]
    return rounds.values_list(*fields)


def _document_query(service: str) -> Any:
    return ResultsPageDocument.objects.filter(
        authority_id=AUTHORITY_SLOT, round_id=ROUND_SLOT, key=KEY_SLOT
    ).values_list("document", ResultsPageDocument.CARDS[service])


#: Slot values of the results API's query: a return id and a version number no row has (the number
#: within the column's range: Django refuses to compile a negative one).
RECORD_SLOT, NUMBER_SLOT = -730_120, 2_147_483_001


def _version_document_query() -> Any:
    # As text: the API sends the stored document as PostgreSQL prints it (wres_portal.renderers).
    stored = (
        VersionResults.objects.filter(version=OuterRef("pk"))
        .annotate(text=Cast("document", TextField()))
        .values("text")[:1]
    )
    return ReturnVersion.objects.filter(return_record_id=RECORD_SLOT, number=NUMBER_SLOT).annotate(
        stored_document=Subquery(stored, output_field=TextField())
    )


_QUERIES: dict[str, Callable[[], Any]] = {
    "version document": _version_document_query,
    "basis": _basis_query,
    **{f"basis:{service}": functools.partial(_basis_query, service) for service in SERVICE_LABELS},
    **{f"document:{service}": functools.partial(_document_query, service) for service in SERVICE_LABELS},
}


def _basis(ctx: ReturnContext, version: ReturnVersion, rows: list[tuple[Any, ...]]) -> ResultsPageBasis:
    rounds = tuple(
        RoundState(pk, label, version_id, bool(submitted), bool(stored), release_id)
        for pk, label, version_id, submitted, stored, release_id, *_ in rows
        if version_id is not None or release_id is not None or pk == ctx.round.pk
    )
    return ResultsPageBasis(ctx.authority, ctx.round, version.pk, rounds)


def results_page_basis(ctx: ReturnContext, version: ReturnVersion) -> ResultsPageBasis:
    """What the results page of `version` (the current version of `ctx`'s return, already scoped to
    the user) is built from, in one query whatever the number of authorities: every round with the
    authority's return in it and its latest published release."""
    return _basis(ctx, version, _run("basis", {AUTHORITY_SLOT: ctx.authority.pk}))


def results_page_read(
    ctx: ReturnContext, version: ReturnVersion, service: str
) -> tuple[ResultsPageBasis, dict[str, Any] | None]:
    """`results_page_basis` and, in the same query, `results_page_document`: the stored document
    with the cards of `service` where it was built from exactly that basis, else None."""
    rows = _run(f"basis:{service}", {AUTHORITY_SLOT: ctx.authority.pk, ROUND_SLOT: ctx.round.pk})
    basis = _basis(ctx, version, rows)
    for *_, key, document, cards in rows:
        if key is not None and key == basis.key:
            return basis, _json(document) | {"cards": {service: cards}}
    return basis, None


def results_page_document(basis: ResultsPageBasis, service: str) -> dict[str, Any] | None:
    """The stored results page document built from exactly `basis`, with the cards of `service`
    alone under "cards" (a third of the rendered HTML), or None (none yet, or stale)."""
    slots = {AUTHORITY_SLOT: basis.authority.pk, ROUND_SLOT: basis.collection_round.pk, KEY_SLOT: basis.key}
    rows = _run(f"document:{service}", slots)
    if not rows:
        return None
    document, cards = rows[0]
    return _json(document) | {"cards": {service: cards}}


def _json(value: Any) -> Any:
    """A JSON column as read by a plain cursor: text to parse (PostgreSQL and SQLite, as Django reads
    them), or already parsed. orjson, as documents are stored (wres_portal.bulk): a results page's
    document (16.5 kB) parses in 36 us against the standard library's 122 us, to the same value; the
    standard library still takes what orjson refuses (NaN, which SQLite's JSON may hold)."""
    if not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return json.loads(value)


@dataclass(frozen=True)
class ReleaseNote:
    """Which release a results page's national, regional and type figures are from."""

    round_label: str
    release_number: int | None
    published_at: datetime.datetime | None


def release_note(collection_round: CollectionRound, document: Mapping[str, Any]) -> ReleaseNote:
    release = document["release"]
    published_at = release["published_at"]
    return ReleaseNote(
        collection_round.label,
        release["number"],
        datetime.datetime.fromisoformat(published_at) if published_at else None,
    )


def results_page_summary(
    ctx: ReturnContext, document: Mapping[str, Any], service: str, user: User | AnonymousUser
) -> Summary:
    """The summary that opens a council's results page, from its precomputed document and the plan
    objectives tied to its indicators (read now: they change with the plan, not the results)."""
    previous = document["previous"].get(service) or {}
    return results_summary(
        document["results"],
        service=service,
        previous=previous,
        previous_label=document["previous_label"],
        objectives=plan_objectives(ctx.authority, user),
    )


def releases_by_pk(pks: Iterable[int]) -> dict[int, tuple[int, datetime.datetime, datetime.datetime | None]]:
    """{release pk: (number, created_at, published_at)}."""
    return {
        pk: (number, created_at, published_at)
        for pk, number, created_at, published_at in Release.objects.filter(pk__in=list(pks)).values_list(
            "pk", "number", "created_at", "published_at"
        )
    }


def headline_rows(version_ids: Iterable[int]) -> list[tuple[int, str, str, float | None]]:
    """(version id, service, indicator, value) of the stored results of `version_ids`."""
    return list(
        Result.objects.filter(version_id__in=list(version_ids)).values_list(
            "version_id", "service", "indicator", "value"
        )
    )


def stored_results(version_id: int) -> dict[str, Any] | None:
    return VersionResults.objects.filter(version_id=version_id).values_list("document", flat=True).first()


def dashboard_key(
    collection_round: CollectionRound, service: str, region: str, kind: str, run: tuple[str, Any] | None
) -> str:
    """The key of a dashboard document: the round, service and filter, and the round's benchmark run
    (fingerprint and time) it was built from."""
    stamp = (run[0], run[1].isoformat()) if run else None
    return _key("dashboard", collection_round.pk, collection_round.label, service, region, kind, stamp)


def benchmark_run_of(collection_round: CollectionRound) -> tuple[str, datetime.datetime] | None:
    """(fingerprint, computed_at) of the round's benchmark run, or None before its first."""
    return (
        BenchmarkRun.objects.filter(round=collection_round).values_list("fingerprint", "computed_at").first()
    )


#: Slot values of the dashboard's query (compiled once per process, `_compiled`).
LABEL_SLOT, SERVICE_SLOT, REGION_SLOT, KIND_SLOT = "slot:label", "slot:service", "slot:region", "slot:kind"


def _dashboard_query(labelled: bool) -> Any:
    rounds = CollectionRound.objects.all()
    if labelled:
        rounds = rounds.filter(label=LABEL_SLOT)
    else:
        with_benchmarks = Exists(Benchmark.objects.filter(round=OuterRef("pk")))
        rounds = rounds.order_by(with_benchmarks.desc(), "-opens_on")
    stored = DashboardDocument.objects.filter(
        round=OuterRef("pk"), service=SERVICE_SLOT, region=REGION_SLOT, authority_type=KIND_SLOT
    )
    run = BenchmarkRun.objects.filter(round=OuterRef("pk"))
    return rounds.annotate(
        document_key=Subquery(stored.values("key")[:1]),
        figures_html=Subquery(stored.values("figures_html")[:1]),
        run_fingerprint=Subquery(run.values("fingerprint")[:1]),
        run_at=Subquery(run.values("computed_at")[:1]),
    )[:1]


_QUERIES["round choices"] = lambda: CollectionRound.objects.order_by("-opens_on").values_list("pk", "label")
_QUERIES["dashboard:labelled"] = functools.partial(_dashboard_query, True)
_QUERIES["dashboard:latest"] = functools.partial(_dashboard_query, False)


def dashboard_round(
    label: str | None, service: str, region: str, kind: str
) -> tuple[CollectionRound, dict[str, Any] | None] | None:
    """The round the dashboard shows (the one labelled `label`; without one, the latest with
    benchmarks, or the latest) with its stored figures for the service and filter where they were
    built from the round's current benchmark run (else None: none yet, or stale), in one query; None
    when there is no such round."""
    values = {LABEL_SLOT: label, SERVICE_SLOT: service, REGION_SLOT: region, KIND_SLOT: kind}
    rows = _run("dashboard:labelled" if label else "dashboard:latest", values)
    if not rows:
        return None
    # The round's columns, then the annotations in the order `_dashboard_query` makes them.
    found = instance(CollectionRound, rows[0][: width(CollectionRound)])
    if found is None:
        return None
    document_key, figures_html, run_fingerprint, run_at = rows[0][width(CollectionRound) :]
    # A raw cursor skips the fields' conversions: SQLite hands a subquery's time back as text, and on
    # a connection made without a time zone (as under the test runner) PostgreSQL's UTC time comes
    # back naive; the key, built from the ORM's aware time, would never match.
    run_at = _aware(run_at)
    current = (run_fingerprint, run_at) if run_fingerprint is not None else None
    fresh = document_key == dashboard_key(found, service, region, kind, current)
    return found, {"figures_html": figures_html} if fresh else None


def _aware(value: Any) -> Any:
    """A time read by a raw query as the ORM reads it: SQLite hands it back as text, and PostgreSQL
    naive on a connection made without a time zone (as under the test runner)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


@dataclass(frozen=True)
class IndicatorStamp:
    """What an indicator page's summary is a function of, beyond the round, service, filter and
    indicator, each read in one index look-up whatever the number of authorities:

    - the round's benchmark run (fingerprint and time): the breakdown by region and type;
    - the newest change feed entry: every acceptance and every accepted return sent back writes one
      in the same transaction, so the accepted versions cannot change without it moving, even
      before the benchmarks are recomputed (which the summary does not wait for);
    - the newest stored results: an accepted version whose results are stored late joins the
      authorities' values;
    - the newest change to an authority's details: its region or type moves it between filters.

    Any of them moving (in any round: they are global) rebuilds the document on its next view."""

    run: tuple[str, datetime.datetime] | None
    feed: int | None
    results: int | None
    authorities: datetime.datetime | None


def indicator_key(
    collection_round: CollectionRound, service: str, region: str, kind: str, code: str, stamp: IndicatorStamp
) -> str:
    """The key of an indicator page's summary document."""
    run = (stamp.run[0], stamp.run[1].isoformat()) if stamp.run else None
    authorities = stamp.authorities.isoformat() if stamp.authorities else None
    return _key(
        "indicator",
        collection_round.pk,
        collection_round.label,
        service,
        region,
        kind,
        code,
        run,
        stamp.feed,
        stamp.results,
        authorities,
    )


CODE_SLOT = "slot:code"


def _indicator_query() -> Any:
    stored = IndicatorDocument.objects.filter(
        round=OuterRef("pk"),
        service=SERVICE_SLOT,
        region=REGION_SLOT,
        authority_type=KIND_SLOT,
        indicator=CODE_SLOT,
    )
    run = BenchmarkRun.objects.filter(round=OuterRef("pk"))
    return CollectionRound.objects.filter(label=LABEL_SLOT).annotate(
        document_key=Subquery(stored.values("key")[:1]),
        document=Subquery(stored.values("document")[:1], output_field=JSONField()),
        run_fingerprint=Subquery(run.values("fingerprint")[:1]),
        run_at=Subquery(run.values("computed_at")[:1]),
        # Newest first by an indexed column: one index read each (the primary keys; the
        # authorities' `updated_at` has its own index).
        feed_id=Subquery(ChangeFeedEntry.objects.order_by("-id").values("id")[:1]),
        results_id=Subquery(VersionResults.objects.order_by("-id").values("id")[:1]),
        authorities_at=Subquery(Authority.objects.order_by("-updated_at").values("updated_at")[:1]),
    )[:1]


_QUERIES["indicator"] = _indicator_query


def indicator_read(
    label: str, service: str, region: str, kind: str, code: str
) -> tuple[CollectionRound, IndicatorStamp, dict[str, Any] | None] | None:
    """The round labelled `label`, what its indicator summary is built from now (`IndicatorStamp`),
    and the stored summary of the service, filter and indicator where it was built from exactly
    that (else None: none yet, or stale), in one query compiled once per process; None when there
    is no such round."""
    sql, params = _compiled("indicator")
    values = {LABEL_SLOT: label, SERVICE_SLOT: service, REGION_SLOT: region, KIND_SLOT: kind, CODE_SLOT: code}
    filled = [values[p] if isinstance(p, str) and p in values else p for p in params]
    found = next(iter(CollectionRound.objects.raw(sql, filled)), None)
    if found is None:
        return None
    extra: Any = found  # the annotations a raw query sets
    run = (extra.run_fingerprint, _aware(extra.run_at)) if extra.run_fingerprint is not None else None
    stamp = IndicatorStamp(run, extra.feed_id, extra.results_id, _aware(extra.authorities_at))
    fresh = extra.document_key == indicator_key(found, service, region, kind, code, stamp)
    return found, stamp, _json(extra.document) if fresh else None


def indicator_stamp(collection_round: CollectionRound) -> IndicatorStamp:
    """What the round's indicator summaries are built from now (a worker building them ahead)."""
    found = indicator_read(collection_round.label, "", "", "", "")
    if found is None:
        raise CollectionRound.DoesNotExist
    return found[1]


def accepted_results(collection_round: CollectionRound, service: str, region: str, kind: str):
    """The headline rows of a service in the round's accepted returns, of a region and type if given."""
    results = Result.objects.filter(
        round=collection_round,
        service=service,
        version_id__in=Return.objects.filter(round=collection_round, status=Return.Status.ACCEPTED).values(
            "current_version_id"
        ),
    )
    if region:
        results = results.filter(authority__region=region)
    if kind:
        results = results.filter(authority__authority_type=kind)
    return results


def listed_counts(results: QuerySet[Result]) -> dict[str, tuple[int, int]]:
    """How many of `results` are in each four-fifths band ("" for none), and how many of those have
    a value: the table of authorities' counts, unfiltered and by band."""
    counts = results.order_by().values("four_fifths").annotate(n=Count("pk"), valued=Count("value"))
    return {row["four_fifths"]: (row["n"], row["valued"]) for row in counts}


def dashboard_benchmarks(
    collection_round: CollectionRound, service: str, scope: str, scope_value: str
) -> dict[str, Benchmark]:
    """The round's stored benchmarks of a service and scope, by indicator."""
    return {
        b.indicator: b
        for b in Benchmark.objects.filter(
            round=collection_round, service=service, scope=scope, scope_value=scope_value
        )
    }
