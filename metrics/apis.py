"""REST API for results: the spec section 3 document of any stored return version."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from submissions.access import get_return_for_user

from .calculations import results_document
from .models import VersionResults
from .services import population_share


class VersionResultsApi(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="The results document (schema wres-results/1) of one version of a return",
        description="Stored when the version was submitted; a draft version's results are computed on "
        "request.",
    )
    def get(self, request: Request, ons_code: str, round_label: str, number: int) -> Response:
        ctx = get_return_for_user(request.user, ons_code, round_label)
        if ctx.record is None:
            return Response({"detail": "No return has been started for this round."}, status=404)
        version = get_object_or_404(ctx.record.versions, number=number)
        stored = VersionResults.objects.for_user(request.user).filter(version=version).first()
        if stored is not None:
            return Response(stored.document)
        return Response(results_document(version.data(), population_share=population_share(ctx.authority)))
