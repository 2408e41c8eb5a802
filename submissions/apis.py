"""REST API for returns: upload a file, send figures as JSON, read status, versions and problems,
and take the lifecycle steps. Scoped like the pages: another council's return answers 404.

Every return response carries an `ETag` naming its version and status (`"12-draft"`). Writes sent
with `If-Match` are applied only to that state (else 412, with what changed); the lifecycle steps
(submit, sign off, accept, return for revision) require it (428 without), so every attestation
names the version it is about. See wres_portal.concurrency."""

from __future__ import annotations

from typing import Any, TypedDict

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.http import AuthenticatedRequest
from accounts.models import ApiToken
from wres_portal.api_schema import errors
from wres_portal.api_views import ApiListView, located
from wres_portal.concurrency import ConditionalApiMixin, PreconditionFailed, if_match_parameter
from wres_portal.models import NOTE_MAX
from wres_portal.problems import ApiProblem

from . import selectors, services
from .access import ReturnContext, get_return_for_user
from .forms import MAX_UPLOAD_BYTES
from .models import CollectionRound, Return, ReturnEvent, ReturnVersion
from .schema import GROUPS, MAX_COUNT, PAY_BANDS, SERVICES, RowKey, all_row_keys
from .validation import diff, merge_services, services_effect


def figure_errors(problems: list, rows: dict[RowKey, int] | None = None) -> list[dict[str, object]]:
    """The figures' problems as problem-document `errors`, each located by service, measure, pay
    band and group (and, in a file, sheet, row and column; in JSON, a pointer to the row sent)."""
    found = []
    for problem in _in_order(problems):
        item: dict[str, object] = {"code": problem.code, "detail": problem.message, "fix": problem.fix}
        found.append(item)
        if problem.key is not None:
            item.update(
                service=problem.key.service, measure=problem.key.measure, pay_band=problem.key.pay_band
            )
        if problem.group:
            item["group"] = problem.group
        place = problem.place
        if place is not None:
            item.update(
                {k: v for k, v in (("sheet", place.sheet), ("row", place.row), ("column", place.column)) if v}
            )
        if rows is not None and problem.key in rows:
            item["pointer"] = f"/rows/{rows[problem.key]}" + (f"/{problem.group}" if problem.group else "")
    return found


def _in_order(problems: list) -> list:
    """The problems in the order `problem_rows` lists them (by place)."""

    def order(problem: object) -> tuple[int, str, int, str]:
        place = getattr(problem, "place", None)
        if place is None:
            return (1, "", 0, "")
        return (0, place.sheet or "", place.row or 0, place.column or "")

    return sorted(problems, key=order)


def _invalid_figures(problems: list, *, more: int = 0, rows: dict[RowKey, int] | None = None) -> ApiProblem:
    count = len(problems) + more
    extra: dict[str, Any] = {"more_errors": more} if more else {}
    return ApiProblem(
        400,
        f"The figures have {count} problem{'s' if count != 1 else ''}, so nothing was saved. Each is listed "
        "in errors with where it is and how to fix it.",
        code="invalid_figures",
        errors=figure_errors(problems, rows),
        **extra,
    )


class RowSerializer(serializers.Serializer):
    service = serializers.ChoiceField(choices=SERVICES)
    measure = serializers.ChoiceField(choices=sorted({k.measure for k in all_row_keys()}))
    pay_band = serializers.ChoiceField(choices=["", *PAY_BANDS], allow_blank=True, required=False, default="")
    white = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    minority_ethnic = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    unknown = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)

    class Meta:
        ref_name = "ReturnRow"


class VersionSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email")

    class Meta:
        model = ReturnVersion
        fields = ["number", "source", "filename", "note", "created_by", "created_at"]


class WarningSerializer(serializers.Serializer):
    key = serializers.CharField()
    message = serializers.CharField()
    explanation = serializers.CharField(allow_null=True)
    explanation_to_check = serializers.BooleanField(
        help_text="The explanation was written about other figures: keep it (send it again) or change it."
    )

    class Meta:
        ref_name = "ReturnWarning"


#: A return's status in the API: the model's, and "not_started" before the first figures.
RETURN_STATUSES = [("not_started", "Not started"), *Return.Status.choices]


class EventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ReturnEvent.Action.choices)
    actor = serializers.EmailField(source="actor.email")
    at = serializers.DateTimeField()
    message = serializers.CharField()
    version = serializers.IntegerField(source="version.number")

    class Meta:
        ref_name = "ReturnEvent"


class ServicesEffectSerializer(serializers.Serializer):
    """What a file or set of figures does to each service of the draft."""

    replaced = serializers.ListField(child=serializers.CharField())
    added = serializers.ListField(child=serializers.CharField())
    kept = serializers.ListField(child=serializers.CharField(), help_text="Left out, so left as it was.")
    removed = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "ServicesEffect"


class ReturnSerializer(serializers.Serializer):
    authority = serializers.CharField(help_text="The council's ONS code.")
    round = serializers.CharField()
    status = serializers.ChoiceField(choices=RETURN_STATUSES)
    is_late = serializers.BooleanField()
    late_reason = serializers.CharField()
    current_version = serializers.IntegerField(allow_null=True)
    warnings = WarningSerializer(many=True)
    blockers = serializers.ListField(child=serializers.CharField())
    events = EventSerializer(many=True)

    class Meta:
        ref_name = "Return"


def _state(ctx: ReturnContext) -> str:
    return ctx.record.state_token() if ctx.record else f"0-{Return.Status.DRAFT}"


def _return_payload(ctx: ReturnContext) -> dict[str, object]:
    record = ctx.record
    version = record.current_version if record else None
    explained = {e.warning_key: e for e in version.explanations.all()} if version else {}
    warnings = services.version_warnings(version) if version else []
    return {
        "authority": ctx.authority.ons_code,
        "round": ctx.round.label,
        "status": record.status if record else "not_started",
        "is_late": bool(record and record.is_late),
        "late_reason": record.late_reason if record else "",
        "current_version": version.number if version else None,
        "warnings": [
            {
                "key": w.key,
                "message": w.message,
                "explanation": explained[w.key].text if w.key in explained else None,
                "explanation_to_check": w.key in explained and not explained[w.key].is_current_for(w.message),
            }
            for w in warnings
        ],
        "blockers": services.submission_blockers(record, warnings) if record and record.is_editable() else [],
        "events": list(record.events.select_related("actor", "version")) if record else [],
    }


class ExpectedState(TypedDict, total=False):
    """The state a client names in If-Match, as the services' keywords."""

    expected_version: int
    expected_status: str
    expected_explanations: str


class _ReturnApi(ConditionalApiMixin, APIView):
    def context(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> ReturnContext:
        return get_return_for_user(request.user, ons_code, round_label)

    def respond(
        self, request: AuthenticatedRequest, ons_code: str, round_label: str, code: int = 200
    ) -> Response:
        ctx = self.context(request, ons_code, round_label)
        return self.tagged(ReturnSerializer(_return_payload(ctx)).data, _state(ctx), code)

    def expected(self, request: AuthenticatedRequest, *, required: bool = False) -> ExpectedState:
        """The version and status the client names in If-Match, as service keywords (none sent:
        nothing checked, unless `required`, which answers 428)."""
        token = self.if_match(request, required=required)
        if token is None:
            return {}
        parsed = Return.parse_state_token(token)
        if parsed is None:
            raise PreconditionFailed("If-Match does not name a state of this return. Send its ETag.")
        return {
            "expected_version": parsed[0],
            "expected_status": parsed[1],
            "expected_explanations": parsed[2],
        }

    @staticmethod
    def require_lead(request: AuthenticatedRequest, ctx: ReturnContext) -> None:
        if not permissions.can_change_return(request.user, ctx.authority):
            raise PermissionDenied

    @staticmethod
    def record(ctx: ReturnContext) -> Return:
        if ctx.record is None:
            raise Http404
        return ctx.record


@extend_schema(summary="Collection rounds, newest first")
class RoundListApi(ApiListView):
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = CollectionRound
            fields = ["label", "period_start", "period_end", "snapshot_date", "opens_on", "closes_on"]
            ref_name = "CollectionRound"

    serializer_class = OutputSerializer
    filterset_fields = ["label"]
    ordering_fields = ["label", "opens_on", "closes_on"]
    ordering = ["-label", "pk"]

    def get_queryset(self):
        return selectors.rounds()


class ReturnDetailApi(_ReturnApi):
    @extend_schema(
        responses=ReturnSerializer, summary="A return's status, warnings, what blocks submission, history"
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        return self.respond(request, ons_code, round_label)


class VersionFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=ReturnVersion.Source.choices)

    class Meta:
        model = ReturnVersion
        fields = ["source"]


@extend_schema(summary="Every version of a return")
class VersionListApi(ApiListView):
    serializer_class = VersionSerializer
    filterset_class = VersionFilter
    queryset = ReturnVersion.objects.none()  # the schema's model; requests use get_queryset
    ordering_fields = ["number", "created_at"]
    ordering = ["number"]
    request: AuthenticatedRequest
    kwargs: dict[str, str]

    def get_queryset(self):
        ctx = get_return_for_user(self.request.user, self.kwargs["ons_code"], self.kwargs["round_label"])
        if ctx.record is None:
            raise Http404
        return ctx.record.versions.select_related("created_by")


class VersionDetailApi(_ReturnApi):
    class OutputSerializer(serializers.Serializer):
        version = VersionSerializer()
        rows = RowSerializer(many=True)

        class Meta:
            ref_name = "VersionFigures"

    @extend_schema(responses=OutputSerializer, summary="The figures of one version")
    def get(self, request: AuthenticatedRequest, ons_code: str, round_label: str, number: int) -> Response:
        record = self.record(self.context(request, ons_code, round_label))
        version = get_object_or_404(record.versions, number=number)
        rows = [
            {"service": k.service, "measure": k.measure, "pay_band": k.pay_band, **c}
            for k, c in sorted(version.data().items())
        ]
        # A version never changes, so its tag never does.
        return self.tagged(
            self.OutputSerializer({"version": version, "rows": rows}).data, f"version-{number}"
        )


class ReturnUploadApi(_ReturnApi):
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="The return as CSV or Excel (.xlsx), at most 5 MB.")
        dry_run = serializers.BooleanField(
            default=False, help_text="Check only: report problems and changes, store nothing."
        )
        remove_services = serializers.ListField(
            child=serializers.ChoiceField(choices=SERVICES),
            required=False,
            default=list,
            help_text="Services the file has no rows for that should be removed from the draft. "
            "By default a service the file leaves out keeps its figures.",
        )

        class Meta:
            ref_name = "ReturnUpload"

    class ResultSerializer(serializers.Serializer):
        dry_run = serializers.BooleanField(help_text="True if nothing was stored (a check only).")
        changes = serializers.IntegerField(help_text="How many figures differ from the current draft.")
        version = serializers.IntegerField(allow_null=True, help_text="The version stored; null for a check.")
        services = ServicesEffectSerializer()

        class Meta:
            ref_name = "UploadResult"

    @extend_schema(
        parameters=[if_match_parameter(required=False)],
        request={"multipart/form-data": InputSerializer},
        responses={
            200: OpenApiResponse(ResultSerializer, description="Checked (dry_run): nothing stored."),
            201: OpenApiResponse(ResultSerializer, description="Stored as a new version of the draft."),
            **errors(400, 409, 413, 415),
        },
        summary="Upload a CSV or XLSX return: checked whole; nothing is stored if it has a problem",
        description="A file with problems is refused with 400 `invalid_figures`, listing every problem "
        "(at most 100, and how many more) with its sheet, row and column, service, measure, pay band "
        "and group. A file that cannot be read as CSV or XLSX is 415; over 5 MB, 413. A return that is "
        "not a draft, or whose round has not opened, is 409 (before the file is read).",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = self.context(request, ons_code, round_label)
        self.require_lead(request, ctx)
        expected = self.expected(request)
        # Before the body is parsed: a return that cannot change costs nothing to refuse (H1, L9).
        services.require_changeable(ctx.record or Return(authority=ctx.authority, round=ctx.round))
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        remove = payload.validated_data["remove_services"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ApiProblem(413, "The file is larger than 5 MB. Upload a file of 5 MB or less.")
        record = ctx.record or Return(authority=ctx.authority, round=ctx.round)
        checked = services.upload_check(record=record, filename=upload.name, content=upload.read())
        if checked.unreadable:
            # A kind of file the return is never read from is 415; a damaged CSV or XLSX is 400.
            supported = upload.name.lower().endswith((".csv", ".xlsx"))
            raise ApiProblem(
                400 if supported else 415,
                checked.unreadable,
                code="unreadable_file" if supported else "unsupported_file_type",
                errors=[{"code": "unreadable_file", "detail": checked.unreadable, "pointer": "/file"}],
            )
        if checked.problems:
            raise _invalid_figures(checked.problems, more=checked.more_problems)
        current = services.current_data(ctx.record) if ctx.record else {}
        effect = services_effect(current, checked.data, remove)
        merged = merge_services(current, checked.data, remove)
        changes = len(diff(current, merged))
        if payload.validated_data["dry_run"]:
            return self.tagged(
                {"dry_run": True, "changes": changes, "version": None, "services": effect}, _state(ctx)
            )
        record = ctx.record or services.return_get_or_create(
            authority=ctx.authority, collection_round=ctx.round
        )
        version = services.draft_save(
            record=record,
            data=checked.data,
            user=request.user,
            source=ReturnVersion.Source.API,
            filename=upload.name,
            remove_services=remove,
            **expected,
        )
        response = self.tagged(
            {"dry_run": False, "changes": changes, "version": version.number, "services": effect},
            f"{version.number}-{Return.Status.DRAFT}",
            status.HTTP_201_CREATED,
        )
        return located(
            response, request, "submissions-api:version_detail", ons_code, round_label, version.number
        )


class ReturnDataApi(_ReturnApi):
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        rows = RowSerializer(many=True)
        remove_services = serializers.ListField(
            child=serializers.ChoiceField(choices=SERVICES),
            required=False,
            default=list,
            help_text="Services not sent that should be removed from the draft (by default they are kept).",
        )

        class Meta:
            ref_name = "ReturnFigures"

    @extend_schema(
        parameters=[if_match_parameter(required=False)],
        request=InputSerializer,
        responses={201: ReturnSerializer, **errors(400, 409)},
        summary="Replace the figures of the services sent (every row of each); services not sent are "
        "kept unless listed in remove_services",
        description="Figures that break the return's rules are refused with 400 `invalid_figures`: each "
        "problem names the service, measure, pay band and group, with a pointer to the row sent "
        "(`/rows/3/white`). The new version is at the Location.",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = self.context(request, ons_code, round_label)
        self.require_lead(request, ctx)
        expected = self.expected(request)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[RowKey, dict[str, int]] = {}
        rows: dict[RowKey, int] = {}
        twice = []
        for number, row in enumerate(payload.validated_data["rows"]):
            key = RowKey(row["service"], row["measure"], row.get("pay_band") or "")
            if key in data:
                twice.append(
                    {
                        "code": "duplicate_row",
                        "detail": f"{key} is given twice. Send each row once.",
                        "pointer": f"/rows/{number}",
                        "service": key.service,
                        "measure": key.measure,
                        "pay_band": key.pay_band,
                    }
                )
            data[key] = {g: row[g] for g in GROUPS}
            rows.setdefault(key, number)
        if twice:
            raise ApiProblem(
                400, "Some rows are given twice, so nothing was saved.", code="invalid_figures", errors=twice
            )
        services.require_changeable(ctx.record or Return(authority=ctx.authority, round=ctx.round))
        record = ctx.record or services.return_get_or_create(
            authority=ctx.authority, collection_round=ctx.round
        )
        try:
            version = services.draft_save(
                record=record,
                data=data,
                user=request.user,
                source=ReturnVersion.Source.API,
                remove_services=payload.validated_data["remove_services"],
                **expected,
            )
        except services.ReturnDataInvalid as invalid:
            raise _invalid_figures(invalid.problems, rows=rows) from None
        response = self.respond(request, ons_code, round_label, status.HTTP_201_CREATED)
        return located(
            response, request, "submissions-api:version_detail", ons_code, round_label, version.number
        )


class ReturnSubmitApi(_ReturnApi):
    class InputSerializer(serializers.Serializer):
        late_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)

        class Meta:
            ref_name = "ReturnSubmit"

    @extend_schema(
        parameters=[if_match_parameter(required=True)],
        request=InputSerializer,
        responses={200: ReturnSerializer, **errors(400, 409)},
        summary="Submit the draft (programme lead)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = self.context(request, ons_code, round_label)
        self.require_lead(request, ctx)
        expected = self.expected(request, required=True)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.return_submit(
            record=self.record(ctx), user=request.user, **payload.validated_data, **expected
        )
        return self.respond(request, ons_code, round_label)


class ReturnSignOffApi(_ReturnApi):
    token_scope = ApiToken.Scope.ATTEST  # a token made after multi-factor sign-in

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=150)
        role = serializers.CharField(max_length=150)
        signed_on = serializers.DateField()
        declaration = serializers.BooleanField()

        class Meta:
            ref_name = "ReturnSignOff"

    @extend_schema(
        parameters=[if_match_parameter(required=True)],
        request=InputSerializer,
        responses={200: ReturnSerializer, **errors(400, 409)},
        summary="Sign off (senior sponsor)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = self.context(request, ons_code, round_label)
        if not permissions.can_sign_off_return(request.user, ctx.authority):
            raise PermissionDenied
        expected = self.expected(request, required=True)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.return_sign_off(
            record=self.record(ctx), user=request.user, **payload.validated_data, **expected
        )
        return self.respond(request, ons_code, round_label)


class ReturnAcceptApi(_ReturnApi):
    token_scope = ApiToken.Scope.ATTEST  # a token made after multi-factor sign-in

    @extend_schema(
        parameters=[if_match_parameter(required=True)],
        request=None,
        responses={200: ReturnSerializer, **errors(400, 409)},
        summary="Accept a signed-off return (analyst)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = self.context(request, ons_code, round_label)
        if not permissions.can_accept_return(request.user):
            raise PermissionDenied
        expected = self.expected(request, required=True)
        services.return_accept(record=self.record(ctx), user=request.user, **expected)
        return self.respond(request, ons_code, round_label)


class ReturnSendBackApi(_ReturnApi):
    token_scope = ApiToken.Scope.ATTEST  # a token made after multi-factor sign-in

    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(max_length=NOTE_MAX)

        class Meta:
            ref_name = "ReturnSendBack"

    @extend_schema(
        parameters=[if_match_parameter(required=True)],
        request=InputSerializer,
        responses={200: ReturnSerializer, **errors(400, 409)},
        summary="Return for revision (sponsor or analyst)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = self.context(request, ons_code, round_label)
        if not permissions.can_send_back_return(request.user, ctx.authority, submitted=True):
            raise PermissionDenied
        expected = self.expected(request, required=True)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.return_send_back(
            record=self.record(ctx), user=request.user, **payload.validated_data, **expected
        )
        return self.respond(request, ons_code, round_label)


class WarningExplainApi(_ReturnApi):
    class InputSerializer(serializers.Serializer):
        key = serializers.CharField(max_length=200)
        text = serializers.CharField(max_length=NOTE_MAX)

        class Meta:
            ref_name = "WarningExplanation"

    @extend_schema(
        parameters=[if_match_parameter(required=False)],
        request=InputSerializer,
        responses={200: ReturnSerializer, **errors(400, 409)},
        summary="Explain a warning (programme lead)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, round_label: str) -> Response:
        ctx = self.context(request, ons_code, round_label)
        self.require_lead(request, ctx)
        expected = self.expected(request)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.warning_explain(
            record=self.record(ctx), user=request.user, **payload.validated_data, **expected
        )
        return self.respond(request, ons_code, round_label)
