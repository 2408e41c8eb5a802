"""REST API for a council's own results: the current version's results beside the national, regional
and type comparators the results page shows, from the same selector: those of the round's latest
published release, never live benchmarks (issue 14), so nothing a release withholds or hides is
given; and the results as CSV or XLSX files (the page's files). Scoped like the pages: another
council's results are 404."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from submissions.access import ReturnContext, get_return_for_user
from submissions.models import ReturnVersion
from wres_portal.downloads import CSV, XLSX, attachment

from .exports import council_results_csv, council_results_xlsx
from .presenters import comparisons
from .selectors import published_comparators, version_results


class ComparatorSerializer(serializers.Serializer):
    median = serializers.FloatField(
        allow_null=True, help_text="The published median of the councils' values; null where not published."
    )
    lower_quartile = serializers.FloatField(allow_null=True)
    upper_quartile = serializers.FloatField(allow_null=True)
    pooled = serializers.FloatField(allow_null=True, help_text="The area's figure on its pooled counts.")
    n_with_value = serializers.IntegerField(allow_null=True, help_text="Councils with a value.")
    withheld = serializers.BooleanField(help_text="The release withholds the area's statistics.")
    median_text = serializers.CharField(help_text="The median as the results page prints it.")

    class Meta:
        ref_name = "ResultsComparator"


class ComparisonSerializer(serializers.Serializer):
    service = serializers.CharField()
    indicator = serializers.CharField()
    title = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="The headline figure (share or ratio).")
    figure = serializers.CharField(help_text="The headline figure as the results page prints it.")
    sentence = serializers.CharField()
    four_fifths = serializers.CharField(allow_blank=True)
    national = ComparatorSerializer()
    region = ComparatorSerializer()
    authority_type = ComparatorSerializer()
    national_quarter = serializers.IntegerField(
        allow_null=True, help_text="1 (lowest) to 4 (highest): where the value falls nationally."
    )
    entry = serializers.JSONField(help_text="The full results entry (schema wres-results/1).")

    class Meta:
        ref_name = "ResultsComparison"


class CouncilResultsSerializer(serializers.Serializer):
    authority = serializers.CharField()
    round = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    stored = serializers.BooleanField(
        help_text="False for a draft: its results are worked out on request and change with it."
    )
    region = serializers.CharField()
    authority_type = serializers.CharField()
    release = serializers.IntegerField(
        allow_null=True, help_text="The release the comparators come from; null: none published yet."
    )
    release_published_at = serializers.DateTimeField(allow_null=True)
    results = ComparisonSerializer(many=True)

    class Meta:
        ref_name = "CouncilResults"


def _current(ctx: ReturnContext) -> ReturnVersion:
    version = ctx.record.current_version if ctx.record else None
    if version is None:
        raise NotFound("No return has been started for this round, so there are no results.")
    return version


class CouncilResultsApi(APIView):
    @extend_schema(
        responses=CouncilResultsSerializer,
        summary="The council's results for a round (current version) beside the national, regional "
        "and type comparators of the round's latest published release",
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = get_return_for_user(request.user, ons_code, round_label)
        version = _current(ctx)
        results = version_results(ctx, version)
        authority = ctx.authority
        comparators = published_comparators(ctx.round)
        rows = comparisons(
            entries=results.document["results"],
            comparators=comparators,
            region=authority.region,
            authority_type=authority.authority_type,
        )
        data = {
            "authority": authority.ons_code,
            "round": ctx.round.label,
            "version": version.number,
            "status": ctx.record.status if ctx.record else "",
            "stored": results.pk is not None,
            "region": authority.region,
            "authority_type": authority.authority_type,
            "release": comparators.release_number,
            "release_published_at": comparators.published_at,
            "results": rows,
        }
        return Response(CouncilResultsSerializer(data).data)


class CouncilResultsFileApi(APIView):
    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The results as CSV."),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The results as a workbook."),
        },
        summary="The council's results for a round (current version) as results.csv or results.xlsx",
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, round_label: str, fmt: str) -> HttpResponse:
        ctx = get_return_for_user(request.user, ons_code, round_label)
        stored = version_results(ctx, _current(ctx))
        name = f"wres-results-{ctx.round.label}-{ctx.authority.ons_code}.{fmt}"
        if fmt == "csv":
            return attachment(council_results_csv(stored), name, CSV)
        return attachment(council_results_xlsx(stored), name, XLSX)
