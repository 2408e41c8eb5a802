"""REST API for results: the spec section 3 document of any stored return version."""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.permissions import is_national
from submissions.access import get_return_for_user, get_round
from submissions.models import CollectionRound
from wres_portal.api_views import ApiListView
from wres_portal.downloads import CSV, attachment, dataset_csv
from wres_portal.renderers import JSONRenderer

from .calculations import FOUR_FIFTHS_BANDS, RESULTS_SCHEMA
from .models import Release
from .releases.services import TABLES, dataset
from .selectors import releases_in, version_results_document


def _number(help_text: str = "") -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, required=False, help_text=help_text)


class GroupCountsSerializer(serializers.Serializer):
    white = serializers.IntegerField()
    minority_ethnic = serializers.IntegerField()
    unknown = serializers.IntegerField()

    class Meta:
        ref_name = "GroupCounts"


class ResultShareSerializer(serializers.Serializer):
    band = _number("m1: minority ethnic share of the pay band (0 to 1).")
    workforce = _number("Minority ethnic share of the workforce (0 to 1).")
    senior_managers = _number("m9: minority ethnic share of senior managers (0 to 1).")
    population = _number("m9: minority ethnic share of the local population (0 to 1).")

    class Meta:
        ref_name = "ResultShare"


class ResultRateSerializer(serializers.Serializer):
    white = _number()
    minority_ethnic = _number()

    class Meta:
        ref_name = "ResultRate"


class ResultGapSerializer(serializers.Serializer):
    vs_workforce = _number("Percentage points.")
    vs_population = _number("Percentage points.")

    class Meta:
        ref_name = "ResultGap"


class ResultEntrySerializer(serializers.Serializer):
    service = serializers.CharField(help_text="adults, children, or all (both pooled).")
    indicator = serializers.CharField(help_text="The metric: m1_<pay band>, m2 ... m9.")
    numerator = GroupCountsSerializer()
    denominator = GroupCountsSerializer()
    share = ResultShareSerializer(required=False, help_text="m1 and m9.")
    unknown_share = _number("m1: unknown ethnicity over all three groups in the band.")
    rate = ResultRateSerializer(required=False)
    relative_likelihood = _number("Unrounded.")
    ci95 = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, required=False, min_length=2, max_length=2
    )
    four_fifths = serializers.ChoiceField(choices=list(FOUR_FIFTHS_BANDS), allow_null=True, required=False)
    significant = serializers.BooleanField(allow_null=True, required=False)
    nhs_direction = _number("m2 and m5: 1 / relative likelihood, as NHS WRES reports it.")
    gap_pp = ResultGapSerializer(required=False)
    low_numbers = serializers.BooleanField()
    calculable = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "ResultEntry"


class ResultsDocumentSerializer(serializers.Serializer):
    schema = serializers.ChoiceField(choices=[RESULTS_SCHEMA])
    results = ResultEntrySerializer(many=True)

    class Meta:
        ref_name = "ResultsDocument"


# It writes nothing (a token's last use is one UPDATE, at most once in 15 minutes): no BEGIN and COMMIT
# round trips around its reads (issue 18).
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class VersionResultsApi(APIView):
    @extend_schema(
        responses=ResultsDocumentSerializer,
        summary="The results document (schema wres-results/1) of one version of a return",
        description="Stored when the version was submitted; a draft version's results are computed on "
        "request. Values are unrounded.",
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, round_label: str, number: int) -> Response:
        ctx = get_return_for_user(request.user, ons_code, round_label)
        if ctx.record is None:
            raise NotFound("No return has been started for this round.")
        document = version_results_document(ctx.record, number)
        if document is None:
            raise Http404
        return Response(document)


# Releases (analysts only) -------------------------------------------------------------------------


class ReleaseSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    created_by = serializers.EmailField(source="created_by.email")
    note = serializers.CharField()
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    changes = serializers.JSONField()
    suppression = serializers.JSONField()
    audit_ok = serializers.SerializerMethodField()
    tables = serializers.SerializerMethodField()

    def get_audit_ok(self, release: Release) -> bool:
        return bool(release.audit.get("ok"))

    def get_tables(self, release: Release) -> dict[str, str]:
        """Where each table can be read, as JSON (and as CSV with `.csv`)."""
        request = self.context["request"]
        return {
            name: request.build_absolute_uri(
                reverse("metrics-api:release_table", args=[release.round.label, release.number, name])
            )
            for name in TABLES
        }


def _national_round(request: AuthenticatedRequest, round_label: str) -> CollectionRound:
    """Releases exist for Skills for Care staff only: anyone else gets 404, as for any outsider."""
    if not is_national(request.user):
        raise NotFound
    return get_round(round_label)


class ReleaseFilter(django_filters.FilterSet):
    published = django_filters.BooleanFilter(
        help_text="true: published releases only; false: the others only."
    )

    class Meta:
        model = Release
        fields = ["published"]


@extend_schema(summary="The releases of a round (analysts)")
class ReleaseListApi(ApiListView):
    serializer_class = ReleaseSerializer
    queryset = Release.objects.none()  # the schema's model; requests use get_queryset
    filterset_class = ReleaseFilter
    ordering_fields = ["number"]
    ordering = ["number"]
    request: AuthenticatedRequest
    kwargs: dict[str, str]

    def get_queryset(self):
        collection_round = _national_round(self.request, self.kwargs["round_label"])
        return releases_in(collection_round)


def _release(request: AuthenticatedRequest, round_label: str, number: int) -> Release:
    collection_round = _national_round(request, round_label)
    return get_object_or_404(releases_in(collection_round), number=number)


class ReleaseApi(APIView):
    @extend_schema(responses=ReleaseSerializer, summary="One release of a round (analysts)")
    def get(self, request: AuthenticatedRequest, round_label: str, number: int) -> Response:
        release = _release(request, round_label, number)
        return Response(ReleaseSerializer(release, context={"request": request}).data)


class ReleaseTableSerializer(serializers.Serializer):
    title = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField(allow_null=True)),
        help_text="One list per row, in the order of headers: text, numbers, or null (hidden).",
    )

    class Meta:
        ref_name = "ReleaseTable"


class ReleaseTableApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("table", str, OpenApiParameter.PATH, enum=list(TABLES))],
        responses=ReleaseTableSerializer,
        summary="One table of a release (analysts): about, pooled or distribution",
        description="Add `.csv` to the address for the same table as CSV.",
    )
    def get(
        self, request: AuthenticatedRequest, round_label: str, number: int, table: str, fmt: str = "json"
    ) -> HttpResponse:
        release = _release(request, round_label, number)
        if table not in TABLES:
            raise NotFound(f"There is no table called {table!r}: use one of {', '.join(TABLES)}.")
        if fmt == "csv":
            name = f"wres-national-{release.round.label}-release-{release.number}-{table}.csv"
            return attachment(dataset_csv(dataset(release, table)), name, CSV)
        return Response(release.tables[table])


class _CsvRenderer(JSONRenderer):
    """Lets a client ask for text/csv: the view writes the CSV itself, and an error is still a problem
    document in JSON (its response names application/problem+json)."""

    media_type = "text/csv"
    format = "csv"


class ReleaseTableCsvApi(ReleaseTableApi):
    renderer_classes = [JSONRenderer, _CsvRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("table", str, OpenApiParameter.PATH, enum=list(TABLES))],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        operation_id="rounds_releases_tables_csv_retrieve",
        summary="One table of a release as CSV (analysts): about, pooled or distribution",
    )
    def get(
        self, request: AuthenticatedRequest, round_label: str, number: int, table: str, fmt: str = "csv"
    ) -> HttpResponse:
        return super().get(request, round_label, number, table, "csv")
