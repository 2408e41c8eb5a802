"""REST API for the steps of an action plan and its quarterly reports: sign-off, publishing,
targets, removing objects, the quarter's report (submit for sign-off, sign off, return to draft)
and the plan's files. Scoped like the pages (`get_plan_for_user`: another council's plan is 404)
and thin: every write is one service call.

State changes name the state they act on, as the return steps do: the sign-offs, submitting and
returning a report, and every delete require `If-Match` (428 without it, 412 when the state has
moved on, with what changed and the current `ETag`). The tag of a sign-off names the last signed
version and the document as read; the tag of a report names its status and the document, so two
sponsors signing off with the same tag at once get one sign-off and one 412.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, ClassVar
from uuid import UUID

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import ApiToken
from accounts.permissions import PLAN_PUBLISHERS, PROGRAMME_LEADS, SENIOR_SPONSORS
from metrics.calculations import INDICATORS_BY_CODE
from submissions.schema import SERVICE_LABELS
from wres_portal.api_schema import errors
from wres_portal.concurrency import (
    ConditionalApiMixin,
    PreconditionFailed,
    if_match_parameter,
)
from wres_portal.downloads import PDF, XLSX, attachment

from . import selectors, services
from .access import (
    PlanContext,
    get_plan_for_user,
    get_quarter,
    get_target_for_user,
    get_version_for_user,
)
from .apis import (
    PLAN_STATUSES,
    PlanOutputSerializer,
    _PlanListApi,
    _TaggedSerializer,
    _token,
    get_objective_or_400,
)
from .exports import document_pdf, document_xlsx
from .models import ActionPlan, PlanVersion, QuarterlyReport, Target
from .presenters import plan_document, progress_rows, report_document


class SignOffInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, help_text="Your name as it should appear on the sign-off.")
    role = serializers.CharField(max_length=150, help_text="Your role as it should appear on the sign-off.")
    signed_on = serializers.DateField(help_text="The date of the sign-off; not in the future.")
    declaration = serializers.BooleanField(help_text="You confirm the declaration: must be true.")

    class Meta:
        ref_name = "ActionPlanSignOffInput"


class PlanVersionSerializer(serializers.ModelSerializer):
    signed_by = serializers.EmailField(source="signed_by.email")

    class Meta:
        model = PlanVersion
        ref_name = "ActionPlanVersion"
        fields = ["number", "signed_by", "signed_at", "signatory_name", "signatory_role", "signed_on"]


# Sign-off ------------------------------------------------------------------------------------------


class PlanSignOffSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=PLAN_STATUSES, help_text="draft, signed_off, or changed (since the last sign-off)."
    )
    needs_sign_off = serializers.BooleanField()
    waiting_for_sign_off = serializers.BooleanField(
        help_text="Sent to the senior sponsors, and not signed off as it stands since."
    )
    sent_for_sign_off_at = serializers.DateTimeField(allow_null=True)
    blockers = serializers.ListField(
        child=serializers.CharField(), help_text="What stops a sign-off now, in plain English."
    )
    signed_version = PlanVersionSerializer(allow_null=True)
    document = serializers.JSONField(help_text="The plan as the sponsor signs it off.")

    class Meta:
        ref_name = "ActionPlanSignOff"


def _sign_off_state(ctx: PlanContext, code: int = 200) -> Response:
    """The plan as a sponsor would sign it off, with its sign-off state as the ETag."""
    plan = selectors.plan_with_signed_version(ctx.plan)
    data = {
        "status": plan.status_key,
        "needs_sign_off": plan.needs_sign_off(),
        "waiting_for_sign_off": plan.is_waiting_for_sign_off(),
        "sent_for_sign_off_at": plan.sent_for_sign_off_at,
        "blockers": services.sign_off_blockers(plan),
        "signed_version": plan.signed_version,
        "document": plan_document(plan),
    }
    return ConditionalApiMixin.tagged(
        PlanSignOffSerializer(data).data, services.plan_sign_off_state(plan), code
    )


class PlanSignOffApi(ConditionalApiMixin, APIView):
    token_scope = {"POST": ApiToken.Scope.ATTEST}  # signing needs a token made after multi-factor sign-in

    @extend_schema(
        responses=PlanSignOffSerializer,
        summary="The plan as it would be signed off, what blocks it, and its sign-off state (ETag)",
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        return _sign_off_state(get_plan_for_user(request.user, ons_code, plan_year))

    @extend_schema(
        parameters=[if_match_parameter(required=True)],
        request=SignOffInputSerializer,
        responses={201: PlanSignOffSerializer},
        summary="Sign off the plan as read (senior sponsor): stored as a new version",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=SENIOR_SPONSORS)
        token = self.if_match(request, required=True) or ""
        parsed = services.parse_plan_sign_off_state(token)
        if parsed is None:
            raise PreconditionFailed("If-Match does not name a sign-off state of this plan. Send its ETag.")
        payload = SignOffInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.plan_sign_off(
            plan=ctx.plan,
            user=request.user,
            expected_version=parsed[0],
            expected_state=parsed[1],
            **payload.validated_data,
        )
        return _sign_off_state(ctx, status.HTTP_201_CREATED)


class PlanSendForSignOffApi(APIView):
    token_scope = ApiToken.Scope.SUBMIT  # the lead's step: asking for a sign-off attests nothing

    @extend_schema(
        request=None,
        responses={200: PlanSignOffSerializer, **errors(400, 409)},
        summary="Send the plan to the senior sponsors for sign-off (programme lead): they are emailed, "
        "and sending again emails again",
        description="Refused with 409 when the plan has not changed since it was last signed off, and "
        "with 400 while anything else in `blockers` stops a sign-off.",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        services.plan_send_for_sign_off(plan=ctx.plan, user=request.user)
        return _sign_off_state(ctx)


@extend_schema_view(get=extend_schema(summary="The plan's signed versions"))
class PlanVersionListApi(_PlanListApi):
    serializer_class = PlanVersionSerializer
    queryset = PlanVersion.objects.none()  # the schema's model; requests use get_queryset
    ordering_fields = ["number"]
    ordering = ["number"]

    def get_queryset(self):
        return selectors.versions_of(self.request.user, self.plan().plan)


class PlanVersionDetailApi(APIView):
    class OutputSerializer(PlanVersionSerializer):
        document = serializers.JSONField()

        class Meta(PlanVersionSerializer.Meta):
            ref_name = "ActionPlanVersionDocument"
            fields = [*PlanVersionSerializer.Meta.fields, "document"]

    @extend_schema(responses=OutputSerializer, summary="One signed version: the plan exactly as signed")
    def get(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, number: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year)
        return Response(self.OutputSerializer(get_version_for_user(request.user, ctx, number)).data)


# Publishing ----------------------------------------------------------------------------------------


class _PlanStepApi(ConditionalApiMixin, APIView):
    """A step on the plan itself: `service(plan=, user=, expected_state=)` as `roles`, with the
    If-Match the client sent (if any); answers with the plan and its ETag."""

    roles: ClassVar[Collection[str]]
    service: ClassVar[Callable[..., ActionPlan]]

    def post(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=self.roles)
        plan = type(self).service(plan=ctx.plan, user=request.user, expected_state=self.if_match(request))
        return self.tagged(PlanOutputSerializer(plan).data, _token(plan))


@extend_schema_view(
    post=extend_schema(
        parameters=[if_match_parameter(required=False)],
        request=None,
        responses=PlanOutputSerializer,
        summary="Publish the last signed-off version at the plan's public address (programme lead or "
        "senior sponsor)",
    )
)
class PlanPublishApi(_PlanStepApi):
    roles = PLAN_PUBLISHERS
    service = staticmethod(services.plan_publish)


@extend_schema_view(
    post=extend_schema(
        parameters=[if_match_parameter(required=False)],
        request=None,
        responses=PlanOutputSerializer,
        summary="Take the plan off its public address (programme lead or senior sponsor)",
    )
)
class PlanWithdrawApi(_PlanStepApi):
    roles = PLAN_PUBLISHERS
    service = staticmethod(services.plan_withdraw)


# Targets -------------------------------------------------------------------------------------------


class TargetOutputSerializer(_TaggedSerializer):
    objective = serializers.UUIDField(source="objective.uuid")
    description = serializers.CharField()

    class Meta:
        model = Target
        ref_name = "ActionPlanTarget"
        fields = [
            "uuid",
            "objective",
            "indicator",
            "service",
            "comparison",
            "value",
            "round_label",
            "description",
            "outcome",
            "actual_value",
            "evaluated_at",
            "etag",
        ]


class TargetInputSerializer(serializers.Serializer):
    objective = serializers.UUIDField(help_text="The objective the target belongs to (on creation only).")
    indicator = serializers.ChoiceField(choices=sorted(INDICATORS_BY_CODE))
    service = serializers.ChoiceField(choices=sorted(SERVICE_LABELS))
    comparison = serializers.ChoiceField(choices=Target.Comparison.choices)
    value = serializers.FloatField(min_value=0, max_value=1000)
    round_label = serializers.CharField(max_length=20, help_text="The round the target is for, e.g. 2026.")

    class Meta:
        ref_name = "ActionPlanTargetInput"


class TargetFilter(django_filters.FilterSet):
    objective = django_filters.UUIDFilter(field_name="objective__uuid")
    indicator = django_filters.ChoiceFilter(choices=[(code, code) for code in sorted(INDICATORS_BY_CODE)])
    outcome = django_filters.ChoiceFilter(choices=Target.Outcome.choices)

    class Meta:
        model = Target
        fields = ["objective", "indicator", "outcome"]


@extend_schema_view(get=extend_schema(summary="The plan's targets"))
class TargetListCreateApi(_PlanListApi):
    serializer_class = TargetOutputSerializer
    queryset = Target.objects.none()  # the schema's model; requests use get_queryset
    filterset_class = TargetFilter
    ordering_fields = ["created_at"]
    ordering = ["objective__number", "created_at", "pk"]

    def get_queryset(self):
        return selectors.targets_of(self.request.user, self.plan().plan)

    @extend_schema(
        request=TargetInputSerializer,
        responses={201: TargetOutputSerializer},
        summary="Add a measurable target to an objective (programme lead)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        payload = TargetInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        objective = get_objective_or_400(request.user, ctx, fields.pop("objective"))
        target = services.target_create(objective=objective, user=request.user, **fields)
        return Response(TargetOutputSerializer(target).data, status=status.HTTP_201_CREATED)


class TargetDetailApi(ConditionalApiMixin, APIView):
    @extend_schema(responses=TargetOutputSerializer, summary="One target and how it stands")
    def get(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, target: UUID) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year)
        instance = get_target_for_user(request.user, ctx, target)
        return self.tagged(TargetOutputSerializer(instance).data, _token(instance))

    @extend_schema(
        parameters=[if_match_parameter(required=False)],
        request=TargetInputSerializer,
        responses=TargetOutputSerializer,
        summary="Change a target (programme lead); it is evaluated again",
    )
    def patch(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, target: UUID) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        instance = get_target_for_user(request.user, ctx, target)
        expected = self.if_match(request)
        payload = TargetInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = {k: v for k, v in payload.validated_data.items() if k != "objective"}
        instance = services.target_update(
            target=instance, user=request.user, expected_state=expected, **fields
        )
        return self.tagged(TargetOutputSerializer(instance).data, _token(instance))

    @extend_schema(
        parameters=[if_match_parameter(required=True)],
        request=None,
        responses={204: None},
        summary="Remove a target (programme lead)",
    )
    def delete(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, target: UUID) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        instance = get_target_for_user(request.user, ctx, target)
        expected = self.if_match(request, required=True)
        services.target_delete(target=instance, user=request.user, expected_state=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Quarterly reports ---------------------------------------------------------------------------------


class ReportOutputSerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text='The quarter, as in the address: "2026-q1".')
    period = serializers.CharField(help_text='The quarter in words: "Quarter 1: April to June 2026".')
    status = serializers.ChoiceField(choices=["not_started", *QuarterlyReport.Status.values])
    summary = serializers.CharField(allow_blank=True)
    missing_updates = serializers.ListField(
        child=serializers.IntegerField(), help_text="Numbers of the actions with no update this quarter."
    )
    submitted_by = serializers.EmailField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    signed_by = serializers.EmailField(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)
    document = serializers.JSONField(help_text="The report as signed, or as it stands.")

    class Meta:
        ref_name = "QuarterlyReport"


class _ReportApi(ConditionalApiMixin, APIView):
    def respond(self, ctx: PlanContext, quarter: str, code: int = 200) -> Response:
        period, report = get_quarter(ctx, quarter)
        rows = progress_rows(ctx.plan, report, period.ends_on)
        data = {
            "quarter": period.slug,
            "period": period.label,
            "status": report.status if report else "not_started",
            "summary": report.summary if report else "",
            "missing_updates": [r.action.number for r in rows if r.missing],
            "submitted_by": report.submitted_by.email if report and report.submitted_by else None,
            "submitted_at": report.submitted_at if report else None,
            "signed_by": report.signed_by.email if report and report.signed_by else None,
            "signed_at": report.signed_at if report else None,
            "document": (report.signed_document or report_document(report)) if report else None,
        }
        token = services.report_api_state(report) if report else None
        return self.tagged(ReportOutputSerializer(data).data, token, code)


class ReportDetailApi(_ReportApi):
    @extend_schema(
        responses=ReportOutputSerializer,
        summary="A quarter's report: status, the actions still missing an update, the document (ETag)",
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, quarter: str) -> Response:
        return self.respond(get_plan_for_user(request.user, ons_code, plan_year), quarter)


class _ReportStepApi(_ReportApi):
    """A step of the quarter's report, one shape for all: as `roles`, on the report the client read
    (If-Match required: 428 without it), with the body `Input` takes (if any), one service call
    `service(report=, user=, expected_state=, expected_status=, **body)`; answers with the report."""

    roles: ClassVar[Collection[str]]
    service: ClassVar[Callable[..., Any]]
    Input: ClassVar[type[serializers.Serializer] | None] = None

    def post(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, quarter: str) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=self.roles)
        _, report = get_quarter(ctx, quarter)
        if report is None:
            raise NotFound("Nothing has been recorded for this quarter yet: record an action's update first.")
        token = self.if_match(request, required=True) or ""
        parsed = services.parse_report_api_state(token)
        if parsed is None:
            raise PreconditionFailed("If-Match does not name a state of this report. Send its ETag.")
        fields: dict[str, Any] = {}
        if self.Input is not None:
            payload = self.Input(data=request.data)
            payload.is_valid(raise_exception=True)
            fields = dict(payload.validated_data)
        type(self).service(
            report=report, user=request.user, expected_status=parsed[0], expected_state=parsed[1], **fields
        )
        return self.respond(ctx, quarter)


class ReportSubmitInputSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    class Meta:
        ref_name = "QuarterlyReportSubmit"


@extend_schema_view(
    post=extend_schema(
        parameters=[if_match_parameter(required=True)],
        responses=ReportOutputSerializer,
        request=ReportSubmitInputSerializer,
        summary="Send the quarter's report for sign-off (programme lead): every action needs an update",
    )
)
class ReportSubmitApi(_ReportStepApi):
    roles = PROGRAMME_LEADS
    service = staticmethod(services.report_submit)
    Input = ReportSubmitInputSerializer


@extend_schema_view(
    post=extend_schema(
        parameters=[if_match_parameter(required=True)],
        responses=ReportOutputSerializer,
        request=SignOffInputSerializer,
        summary="Sign off the submitted report as read (senior sponsor)",
    )
)
class ReportSignOffApi(_ReportStepApi):
    token_scope = ApiToken.Scope.ATTEST  # a token made after multi-factor sign-in
    roles = SENIOR_SPONSORS
    service = staticmethod(services.report_sign_off)
    Input = SignOffInputSerializer


@extend_schema_view(
    post=extend_schema(
        parameters=[if_match_parameter(required=True)],
        responses=ReportOutputSerializer,
        request=None,
        summary="Return the submitted report to draft so its updates can be corrected (senior sponsor)",
    )
)
class ReportSendBackApi(_ReportStepApi):
    token_scope = ApiToken.Scope.ATTEST  # a token made after multi-factor sign-in
    roles = SENIOR_SPONSORS
    service = staticmethod(services.report_send_back)


# Files ---------------------------------------------------------------------------------------------

_FILE_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A PDF file."),
    (
        200,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ): OpenApiResponse(OpenApiTypes.BINARY, description="An Excel workbook."),
}


def _plan_file(ctx: PlanContext, fmt: str, version: PlanVersion | None = None) -> HttpResponse:
    if version is None:
        document = plan_document(ctx.plan)
        signature = ctx.plan.signed_version if not ctx.plan.changed_since_sign_off else None
        name = f"wres-action-plan-{ctx.plan.year}-{ctx.authority.ons_code}"
    else:
        document, signature = version.document, version
        name = f"wres-action-plan-{ctx.plan.year}-{ctx.authority.ons_code}-v{version.number}"
    if fmt == "pdf":
        return attachment(document_pdf(document, signature=signature), f"{name}.pdf", PDF)
    return attachment(document_xlsx(document, signature=signature), f"{name}.xlsx", XLSX)


class PlanFileApi(APIView):
    @extend_schema(
        responses=_FILE_RESPONSES,
        summary="The plan as it stands, as a PDF (plan.pdf) or an Excel workbook (plan.xlsx)",
    )
    def get(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, fmt: str) -> HttpResponse:
        return _plan_file(get_plan_for_user(request.user, ons_code, plan_year), fmt)


class PlanVersionFileApi(APIView):
    @extend_schema(responses=_FILE_RESPONSES, summary="One signed version, as a PDF or an Excel workbook")
    def get(
        self, request: AuthenticatedRequest, ons_code: str, plan_year: int, number: int, fmt: str
    ) -> HttpResponse:
        ctx = get_plan_for_user(request.user, ons_code, plan_year)
        return _plan_file(ctx, fmt, get_version_for_user(request.user, ctx, number))


class ReportFileApi(APIView):
    @extend_schema(responses=_FILE_RESPONSES, summary="A quarter's report, as a PDF or an Excel workbook")
    def get(
        self, request: AuthenticatedRequest, ons_code: str, plan_year: int, quarter: str, fmt: str
    ) -> HttpResponse:
        ctx = get_plan_for_user(request.user, ons_code, plan_year)
        period, report = get_quarter(ctx, quarter)
        if report is None:
            raise NotFound("Nothing has been recorded for this quarter yet.")
        document = report.signed_document or report_document(report)
        signature = report if report.status == QuarterlyReport.Status.SIGNED_OFF else None
        name = f"wres-action-plan-progress-{period.slug}-{ctx.authority.ons_code}.{fmt}"
        if fmt == "pdf":
            return attachment(document_pdf(document, signature=signature), name, PDF)
        return attachment(document_xlsx(document, signature=signature), name, XLSX)
