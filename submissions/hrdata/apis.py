"""The council's HR-extract mapping (columns and values, never rows): read it (this round's, or
the latest earlier round's, offered again) and save it. Scoped like the pages: another council's
answers 404; only the programme lead may save."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.permissions import can_change_return
from submissions.access import get_return_for_user
from submissions.hrdata import selectors, services


class ExtractMappingApi(APIView):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        columns = serializers.DictField(
            child=serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=200)),
            help_text="{extract: {field: column header}}; an empty header means not in the extract.",
        )
        values = serializers.DictField(
            child=serializers.DictField(child=serializers.CharField()),
            help_text='{"ethnicity": {value: white|minority_ethnic|unknown}, '
            '"service": {value: adults|children|out_of_scope}}, values in normalised form.',
        )

        class Meta:
            ref_name = "ExtractMappingInput"

    class OutputSerializer(serializers.Serializer):
        round = serializers.CharField(
            source="round.label",
            allow_null=True,
            help_text="The round it was saved for; null if never saved.",
        )
        columns = serializers.DictField()
        values = serializers.DictField()
        updated_at = serializers.DateTimeField(allow_null=True)

        class Meta:
            ref_name = "ExtractMapping"

    @extend_schema(
        responses={200: OutputSerializer},
        summary="The council's HR-extract mapping for the round (or its latest earlier one; empty if none)",
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = get_return_for_user(request.user, ons_code, round_label)
        mapping = selectors.mapping_for(authority=ctx.authority, collection_round=ctx.round)
        if mapping is None:
            return Response({"round": None, "columns": {}, "values": {}, "updated_at": None})
        return Response(self.OutputSerializer(mapping).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer},
        summary="Save the council's HR-extract mapping for the round (programme lead)",
    )
    def put(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = get_return_for_user(request.user, ons_code, round_label)
        if not can_change_return(request.user, ctx.authority):
            raise PermissionDenied
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        mapping = services.mapping_save(
            authority=ctx.authority, collection_round=ctx.round, user=request.user, **payload.validated_data
        )
        return Response(self.OutputSerializer(mapping).data)
