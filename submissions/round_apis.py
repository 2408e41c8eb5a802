"""REST API for the start of the annual journey: which round is open (worked out from its dates, as
the pages do), and the return template of a council for a round, as CSV or XLSX files (the same
files as the pages give: pre-filled with the current version's figures when there is one)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from wres_portal.downloads import XLSX

from .access import get_return_for_user
from .models import CollectionRound
from .selectors import open_round
from .template_files import template_download


class OpenRoundApi(APIView):
    class OutputSerializer(serializers.ModelSerializer):
        days_left = serializers.SerializerMethodField(
            help_text="Days until the closing date, today included."
        )

        class Meta:
            model = CollectionRound
            fields = [
                "label",
                "period_start",
                "period_end",
                "snapshot_date",
                "opens_on",
                "closes_on",
                "days_left",
            ]
            ref_name = "OpenRound"

        def get_days_left(self, found: CollectionRound) -> int:
            return (found.closes_on - timezone.localdate()).days + 1

    @extend_schema(
        responses={200: OutputSerializer, 404: OpenApiResponse(description="No round is open today.")},
        summary="The collection round open today (from its opening and closing dates)",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        today = timezone.localdate()
        found = open_round(today)
        if found is None:
            raise NotFound("No collection round is open today. GET /api/v1/rounds/ lists every round.")
        return Response(self.OutputSerializer(found).data)


class TemplateApi(APIView):
    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The return as CSV."),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The return as a workbook."),
        },
        summary="The return template for this council and round (template.csv or template.xlsx), "
        "pre-filled with the current version's figures when there is one",
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, round_label: str, fmt: str) -> HttpResponse:
        return template_download(get_return_for_user(request.user, ons_code, round_label), fmt)
