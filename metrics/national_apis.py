"""REST API for national data, for Skills for Care analysts by token (everyone else gets 404, as for
any outsider): every council's results for a round in one list (current versions past draft: by
default the accepted ones; JSON pages or one CSV file), the round's benchmarks, the national tables of
the latest published release (the national downloads, by token), and a change feed to sync from.

Collecting a round is one request per page of councils (up to 500 a page), with no drafts: the
results documents of a page are read in one query, whatever its size."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import AuthorityType, Region
from accounts.permissions import is_national
from submissions.access import get_round
from submissions.models import ChangeFeedEntry, CollectionRound, Return
from submissions.selectors import feed_cursor, feed_since, parse_feed_cursor
from wres_portal.api_lists import CursorPage
from wres_portal.api_schema import errors
from wres_portal.api_views import ApiListView
from wres_portal.downloads import (
    CSV,
    XLSX,
    accepts_gzip,
    attachment,
    dataset_csv,
    stored_attachment,
    streamed_attachment,
)

from . import results_file
from .disclosure import benchmark_shown, benchmark_value
from .exports.columns import _xlsx
from .models import Benchmark, Release
from .releases.services import TABLES, dataset, latest_published
from .results_file import LISTED_STATUSES, council_row
from .selectors import releases_in, results_by_version, round_benchmarks


def _national(request: Request) -> None:
    """National data exists for Skills for Care staff only: anyone else gets 404."""
    if not is_national(request.user):
        raise NotFound


def _round(request: Request, round_label: str) -> CollectionRound:
    _national(request)
    return get_round(round_label)


class NationalPage(CursorPage):
    """The API's cursor pages, 100 to a page unless `page_size` asks (up to 500)."""

    page_size = 100


# Every council's results ---------------------------------------------------------------------------


class RoundResultsFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(field_name="authority__region", choices=Region.choices)
    authority_type = django_filters.ChoiceFilter(
        field_name="authority__authority_type", choices=AuthorityType.choices
    )
    status = django_filters.MultipleChoiceFilter(
        choices=[(s, Return.Status(s).label) for s in LISTED_STATUSES],
        help_text="The returns' status (repeat for several). By default accepted only: the versions in "
        "the national figures. Drafts are never listed.",
    )

    class Meta:
        model = Return
        fields = ["region", "authority_type", "status"]


def _returns(request: Request, collection_round: CollectionRound) -> QuerySet[Return]:
    """The round's returns past draft, with the council's facts; accepted only unless `status` asks."""
    if "status" not in request.query_params:
        return results_file.accepted_returns(collection_round)
    return results_file.listed_returns(collection_round)


class CouncilRoundResultsSerializer(serializers.Serializer):
    authority = serializers.CharField(help_text="The council's ONS code.")
    authority_name = serializers.CharField()
    region = serializers.CharField()
    authority_type = serializers.CharField()
    status = serializers.ChoiceField(choices=LISTED_STATUSES)
    version = serializers.IntegerField()
    results = serializers.JSONField(
        allow_null=True,
        help_text="The version's results entries (schema wres-results/1); null until computed (minutes "
        "after submission at most).",
    )

    class Meta:
        ref_name = "CouncilRoundResults"


class RoundResultsApi(ApiListView):
    pagination_class = NationalPage
    filterset_class = RoundResultsFilter
    ordering_fields = ["authority"]
    ordering_aliases = {"authority": "authority__ons_code"}
    ordering = ["authority"]  # one return per council in a round: unique
    serializer_class = CouncilRoundResultsSerializer
    queryset = Return.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self) -> QuerySet[Return]:
        return _returns(self.request, _round(self.request, self.kwargs["round_label"]))

    @extend_schema(summary="Every council's results for a round, current versions (analysts)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        documents = results_by_version(r.current_version_id for r in page)
        rows = [{**council_row(r), "results": documents.get(r.current_version_id or 0)} for r in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class RoundResultsCsvApi(generics.GenericAPIView):
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = RoundResultsFilter

    def get_queryset(self) -> QuerySet[Return]:
        return _returns(self.request, _round(self.request, self.kwargs["round_label"]))

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV file.")},
        summary="Every council's results for a round as one CSV file, filtered as the list (analysts)",
    )
    def get(self, request: AuthenticatedRequest, round_label: str) -> HttpResponse | StreamingHttpResponse:
        """Unfiltered, to a client that accepts gzip (every browser; curl with --compressed), the
        gzip stored for what the round's results are now, read in one query (`metrics.results_file`);
        otherwise, or until it is built, streamed (and a worker asked to build it)."""
        collection_round = _round(request, round_label)  # national staff only, else 404
        records = self.filter_queryset(_returns(request, collection_round))
        name = f"wres-results-{round_label}-all-councils.csv"
        if not request.query_params and accepts_gzip(request):
            found = results_file.stored(collection_round)
            if found is not None:
                wanted, gzipped = found
                if gzipped is not None:
                    return stored_attachment(gzipped, name, CSV, gzipped=True)
                results_file.build_later(collection_round, wanted)
        return streamed_attachment(results_file.csv_chunks(records), name, CSV)


# Benchmarks ----------------------------------------------------------------------------------------


class BenchmarkFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(choices=Benchmark.Scope.choices)
    area = django_filters.CharFilter(
        field_name="scope_value", help_text="The region, or the authority type's code; empty for England."
    )
    service = django_filters.CharFilter()
    indicator = django_filters.CharFilter()

    class Meta:
        model = Benchmark
        fields = ["scope", "area", "service", "indicator"]


class BenchmarkSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="scope_value")
    shown = serializers.SerializerMethodField(
        help_text="Whether enough councils are behind it for its distribution to be shown."
    )
    distribution = serializers.SerializerMethodField(
        help_text="n, min, quartiles, median, max of the councils' values; null where not shown."
    )

    class Meta:
        model = Benchmark
        ref_name = "Benchmark"
        fields = [
            "scope",
            "area",
            "service",
            "indicator",
            "n_authorities",
            "shown",
            "pooled",
            "distribution",
            "bands",
            "computed_at",
        ]

    def get_shown(self, benchmark: Benchmark) -> bool:
        return benchmark_shown(benchmark.n_authorities)

    def get_distribution(self, benchmark: Benchmark) -> dict[str, Any] | None:
        """As the national dashboard shows it: not from fewer councils than the rules allow."""
        found: dict[str, Any] | None = benchmark_value(
            benchmark.distribution, n_authorities=benchmark.n_authorities
        )
        return found


class RoundBenchmarksApi(ApiListView):
    pagination_class = NationalPage
    filterset_class = BenchmarkFilter
    ordering_fields = ["pk"]
    ordering = "pk"
    serializer_class = BenchmarkSerializer
    queryset = Benchmark.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self) -> QuerySet[Benchmark]:
        return round_benchmarks(_round(self.request, self.kwargs["round_label"]))

    @extend_schema(summary="The round's benchmarks: national, by region and by authority type (analysts)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# The national tables of the latest published release -----------------------------------------------


def _latest(request: Request, round_label: str) -> Release:
    release = latest_published(_round(request, round_label))
    if release is None:
        raise NotFound(
            "No release of this round's national tables has been published yet: the national tables "
            "are served from published releases only."
        )
    return release


def _table(table: str) -> str:
    if table not in TABLES:
        raise NotFound(f"There is no table called {table!r}: use one of {', '.join(TABLES)}.")
    return table


class NationalTableApi(APIView):
    @extend_schema(
        responses={
            200: OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV file (.csv)."),
        },
        summary="A national table of the round's latest published release (analysts): about, pooled or "
        "distribution; JSON {title, headers, rows}, or CSV with .csv",
    )
    def get(
        self, request: AuthenticatedRequest, round_label: str, table: str, fmt: str = "json"
    ) -> HttpResponse:
        release = _latest(request, round_label)
        name = _table(table)
        if fmt == "csv":
            filename = f"wres-national-{release.round.label}-release-{release.number}-{name}.csv"
            response = attachment(dataset_csv(dataset(release, name)), filename, CSV)
        else:
            response = Response({"release": release.number, **release.tables[name]})
        response["X-WRES-Release"] = str(release.number)
        return response


def _workbook(release: Release) -> HttpResponse:
    name = f"wres-national-{release.round.label}-release-{release.number}.xlsx"
    response = attachment(_xlsx(dataset(release, t) for t in TABLES), name, XLSX)
    response["X-WRES-Release"] = str(release.number)
    return response


_WORKBOOK = {(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="An Excel workbook.")}


class NationalWorkbookApi(APIView):
    @extend_schema(
        responses=_WORKBOOK,
        summary="Every national table of the round's latest published release, as one workbook (analysts)",
    )
    def get(self, request: AuthenticatedRequest, round_label: str) -> HttpResponse:
        return _workbook(_latest(request, round_label))


class ReleaseWorkbookApi(APIView):
    @extend_schema(responses=_WORKBOOK, summary="Every table of one release, as one workbook (analysts)")
    def get(self, request: AuthenticatedRequest, round_label: str, number: int) -> HttpResponse:
        release = get_object_or_404(releases_in(_round(request, round_label)), number=number)
        return _workbook(release)


# The change feed -----------------------------------------------------------------------------------


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Send as `since` to read what came after this change.")
    kind = serializers.ChoiceField(choices=ChangeFeedEntry.Kind.choices)
    at = serializers.DateTimeField()
    round = serializers.CharField()
    authority = serializers.CharField(allow_null=True, help_text="The council's ONS code (returns).")
    version = serializers.IntegerField(
        allow_null=True,
        help_text="Accepted: the version now in the national figures. Sent back: the version returned.",
    )
    from_status = serializers.CharField(
        allow_blank=True, help_text="Sent back: the return's status before (accepted: it left the figures)."
    )
    release = serializers.IntegerField(allow_null=True, help_text="The release published.")
    results = serializers.URLField(allow_null=True, help_text="Where the accepted version's results are.")

    class Meta:
        ref_name = "Change"


class ChangesSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    next = serializers.CharField(
        allow_null=True, help_text="The cursor to send as `since` next time (null: nothing read yet)."
    )
    more = serializers.BooleanField(help_text="More changes wait: ask again with `since` = next now.")

    class Meta:
        ref_name = "Changes"


class ChangeFeedApi(APIView):
    query_parameters = ("since", "limit")

    def _change(self, request: Request, entry: ChangeFeedEntry) -> dict[str, Any]:
        results = None
        if entry.kind == ChangeFeedEntry.Kind.ACCEPTED and entry.authority and entry.version:
            results = request.build_absolute_uri(
                reverse(
                    "metrics-api:version_results",
                    args=[entry.authority.ons_code, entry.round.label, entry.version.number],
                )
            )
        return {
            "cursor": feed_cursor(entry),
            "kind": entry.kind,
            "at": entry.at,
            "round": entry.round.label,
            "authority": entry.authority.ons_code if entry.authority else None,
            "version": entry.version.number if entry.version else None,
            "from_status": entry.from_status,
            "release": entry.release_number,
            "results": results,
        }

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", str, description="The `next` cursor of the last answer; none: from the start."
            ),
            OpenApiParameter("limit", int, description="At most this many changes (1 to 1000, default 100)."),
        ],
        responses={200: ChangesSerializer, **errors(404)},
        summary="What changed in the national data, in order (analysts): accepted versions, returns sent "
        "back, releases published",
        description="Keep the `next` cursor and send it as `since`: every change is given exactly once, in "
        "the order it was committed, also while others are being made.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        _national(request)
        since = request.query_params.get("since")
        after = None
        if since:
            after = parse_feed_cursor(since)
            if after is None:
                raise ValidationError(
                    {"since": ["This is not a cursor this feed gave. Send a `next` value."]}
                )
        try:
            limit = int(request.query_params.get("limit", 100))
        except ValueError:
            raise ValidationError({"limit": ["Send a whole number from 1 to 1000."]}) from None
        if not 1 <= limit <= 1000:
            raise ValidationError({"limit": ["Send a whole number from 1 to 1000."]})
        entries = feed_since(after, limit=limit + 1)
        more = len(entries) > limit
        entries = entries[:limit]
        data = {
            "changes": [self._change(request, e) for e in entries],
            "next": feed_cursor(entries[-1]) if entries else since or None,
            "more": more,
        }
        return Response(ChangesSerializer(data).data)
