"""REST API for action plans, objectives, actions and quarterly updates. Scoped like the pages: the
authority comes from the URL through `get_plan_for_user`, so another council's plan answers 404,
and new objects take their plan and authority from the URL, never from the body.

Each path has one view; a collection's GET lists and its POST creates, an item's GET reads and its
PATCH changes only the fields sent. Roles are checked before the body is read (403).

Every item answers with an `ETag` (and lists give each item's `etag`); a PATCH, or a POST that
replaces a quarterly update, sent with `If-Match` is applied only if the item is still in that
state, else 412 with what changed (wres_portal.concurrency)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import django_filters
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_authority_for_user
from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.permissions import PROGRAMME_LEADS, PROGRESS_WRITERS
from wres_portal.api_schema import errors
from wres_portal.api_views import ApiListView, located
from wres_portal.concurrency import ConditionalApiMixin, etag, if_match_parameter, timestamp_token, with_etag
from wres_portal.errors import ApplicationError
from wres_portal.models import NOTE_MAX, TEXT_MAX

from . import selectors, services
from .access import PlanContext, get_action_for_user, get_objective_for_user, get_plan_for_user, get_quarter
from .models import Action, ActionPlan, ActionUpdate, Objective, Rag
from .themes import INDICATOR_CHOICES, Theme


class _TaggedSerializer(serializers.ModelSerializer):
    etag = serializers.SerializerMethodField(help_text="The item's state, to send back in If-Match.")

    def get_etag(self, obj: object) -> str:
        return etag(timestamp_token(obj.updated_at))  # type: ignore[attr-defined]


def _token(obj: object) -> str:
    return timestamp_token(obj.updated_at)  # type: ignore[attr-defined]


def self_tagged(data: Any, token: str) -> Response:
    """A 201 answer carrying the new object's ETag."""
    return with_etag(Response(data, status=status.HTTP_201_CREATED), token)


#: A plan's status in the API: signed off and then changed is "changed" (a new sign-off is due).
PLAN_STATUSES = [*ActionPlan.Status.choices, ("changed", "Changed since sign-off")]


class PlanOutputSerializer(_TaggedSerializer):
    status = serializers.ChoiceField(choices=PLAN_STATUSES, source="status_key")
    signed_version = serializers.IntegerField(source="signed_version.number", allow_null=True, default=None)
    public_id = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        ref_name = "ActionPlan"
        fields = [
            "uuid",
            "year",
            "senior_sponsors",
            "programme_leads",
            "staff_voice_leads",
            "direct_employees",
            "how_agreed",
            "staff_voice_summary",
            "status",
            "changed_since_sign_off",
            "signed_version",
            "is_published",
            "public_id",
            "updated_at",
            "etag",
        ]

    def get_public_id(self, plan: ActionPlan) -> str | None:
        """The public address id, only while the plan is published."""
        return str(plan.public_id) if plan.is_published else None


class ObjectiveOutputSerializer(_TaggedSerializer):
    remove_etag = serializers.SerializerMethodField(
        help_text="What to send in If-Match to remove the objective (it names its actions and targets)."
    )

    class Meta:
        model = Objective
        ref_name = "ActionPlanObjective"
        fields = [
            "uuid",
            "number",
            "text",
            "themes",
            "related_indicators",
            "leads",
            "data_note",
            "metrics_data",
            "indicators_of_improvement",
            "timeframe",
            "etag",
            "remove_etag",
        ]

    def get_remove_etag(self, objective: Objective) -> str:
        """The tag to send in If-Match to remove the objective: it names its actions and targets too,
        so one added or changed since makes the removal stale."""
        return etag(services.objective_state(objective))


class ActionOutputSerializer(_TaggedSerializer):
    objective = serializers.UUIDField(source="objective.uuid")

    class Meta:
        model = Action
        ref_name = "ActionPlanAction"
        fields = ["uuid", "number", "objective", "text", "lead", "due_date", "status", "etag"]


class UpdateOutputSerializer(_TaggedSerializer):
    action = serializers.UUIDField(source="action.uuid")
    updated_by = serializers.EmailField(source="updated_by.email")

    class Meta:
        model = ActionUpdate
        ref_name = "ActionPlanUpdate"
        fields = ["uuid", "action", "rag", "narrative", "evidence_url", "updated_by", "updated_at", "etag"]


def get_objective_or_400(user: User, ctx: PlanContext, uuid: UUID) -> Objective:
    """An objective of this plan named in a request body: a bad one is the body's fault (400)."""
    try:
        return get_objective_for_user(user, ctx, uuid)
    except Http404:
        raise ApplicationError("There is no such objective in this plan.", field="objective") from None


# Plans ---------------------------------------------------------------------------------------------


class _PlanListApi(ApiListView):
    """A list of one council's plan (or its objects): scoped through the URL's authority."""

    request: AuthenticatedRequest
    kwargs: dict[str, Any]

    def plan(self) -> Any:
        return get_plan_for_user(self.request.user, self.kwargs["ons_code"], self.kwargs["plan_year"])


@extend_schema_view(get=extend_schema(summary="The council's action plans"))
class PlanListCreateApi(ApiListView):
    serializer_class = PlanOutputSerializer
    queryset = ActionPlan.objects.none()  # the schema's model; requests use get_queryset
    filterset_fields = ["year"]
    ordering_fields = ["year"]
    ordering = ["-year", "pk"]
    request: AuthenticatedRequest
    kwargs: dict[str, Any]

    class InputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=2020, max_value=2100)

        class Meta:
            ref_name = "ActionPlanCreate"

    def get_queryset(self):
        authority = get_authority_for_user(self.request.user, self.kwargs["ons_code"])
        return selectors.plans_of(self.request.user, authority)

    @extend_schema(
        request=InputSerializer,
        responses={201: PlanOutputSerializer, **errors(400, 409)},
        summary="Start a plan (programme lead)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str) -> Response:
        authority = get_authority_for_user(request.user, ons_code, roles=PROGRAMME_LEADS)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.plan_create(authority=authority, user=request.user, **payload.validated_data)
        response = self_tagged(PlanOutputSerializer(plan).data, _token(plan))
        return located(response, request, "actionplans-api:plan", ons_code, plan.year)


class PlanDetailApi(ConditionalApiMixin, APIView):
    class InputSerializer(serializers.Serializer):
        senior_sponsors = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
        programme_leads = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
        staff_voice_leads = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
        direct_employees = serializers.IntegerField(required=False, allow_null=True, min_value=0)
        how_agreed = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
        staff_voice_summary = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)

        class Meta:
            ref_name = "ActionPlanHeader"

    @extend_schema(responses=PlanOutputSerializer, summary="One plan's details and status")
    def get(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year)
        return self.tagged(PlanOutputSerializer(ctx.plan).data, _token(ctx.plan))

    @extend_schema(
        request=InputSerializer,
        responses=PlanOutputSerializer,
        parameters=[if_match_parameter(required=False)],
        summary="Change the plan's details (programme lead; staff voice lead: staff voice summary only)",
    )
    def patch(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRESS_WRITERS)
        expected = self.if_match(request)
        payload = self.InputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        plan = services.plan_update(
            plan=ctx.plan, user=request.user, expected_state=expected, **payload.validated_data
        )
        return self.tagged(PlanOutputSerializer(plan).data, _token(plan))


# Objectives ----------------------------------------------------------------------------------------


class ObjectiveInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX)
    themes = serializers.ListField(child=serializers.ChoiceField(choices=Theme.choices), required=False)
    related_indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=INDICATOR_CHOICES), required=False
    )
    leads = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
    data_note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    indicators_of_improvement = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    timeframe = serializers.CharField(required=False, allow_blank=True, max_length=100)

    class Meta:
        ref_name = "ActionPlanObjectiveInput"


@extend_schema_view(get=extend_schema(summary="The plan's objectives"))
class ObjectiveListCreateApi(_PlanListApi):
    serializer_class = ObjectiveOutputSerializer
    queryset = Objective.objects.none()  # the schema's model; requests use get_queryset
    ordering_fields = ["number"]
    ordering = ["number", "pk"]

    def get_queryset(self):
        return selectors.objectives_of(self.request.user, self.plan().plan)

    @extend_schema(
        request=ObjectiveInputSerializer,
        responses={201: ObjectiveOutputSerializer, **errors(400, 409)},
        summary="Add an objective (programme lead)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        payload = ObjectiveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        objective = services.objective_create(plan=ctx.plan, user=request.user, **payload.validated_data)
        response = self_tagged(ObjectiveOutputSerializer(objective).data, _token(objective))
        return located(response, request, "actionplans-api:objective", ons_code, plan_year, objective.uuid)


class ObjectiveDetailApi(ConditionalApiMixin, APIView):
    @extend_schema(responses=ObjectiveOutputSerializer, summary="One objective")
    def get(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, objective: UUID) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year)
        instance = get_objective_for_user(request.user, ctx, objective)
        return self.tagged(ObjectiveOutputSerializer(instance).data, _token(instance))

    @extend_schema(
        parameters=[if_match_parameter(required=False)],
        request=ObjectiveInputSerializer,
        responses=ObjectiveOutputSerializer,
        summary="Change an objective",
    )
    def patch(
        self, request: AuthenticatedRequest, ons_code: str, plan_year: int, objective: UUID
    ) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        instance = get_objective_for_user(request.user, ctx, objective)
        expected = self.if_match(request)
        payload = ObjectiveInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        instance = services.objective_update(
            objective=instance, user=request.user, expected_state=expected, **payload.validated_data
        )
        return self.tagged(ObjectiveOutputSerializer(instance).data, _token(instance))

    @extend_schema(
        parameters=[if_match_parameter(required=True)],
        request=None,
        responses={204: None},
        summary="Remove an objective with its actions and targets (programme lead); the rest are renumbered",
    )
    def delete(
        self, request: AuthenticatedRequest, ons_code: str, plan_year: int, objective: UUID
    ) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        instance = get_objective_for_user(request.user, ctx, objective)
        expected = self.if_match(request, required=True)
        services.objective_delete(objective=instance, user=request.user, expected_state=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Actions -------------------------------------------------------------------------------------------


class ActionInputSerializer(serializers.Serializer):
    objective = serializers.UUIDField(help_text="The objective the action belongs to (on creation only).")
    text = serializers.CharField(max_length=TEXT_MAX)
    lead = serializers.CharField(required=False, allow_blank=True, max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Action.Status.choices, required=False)

    class Meta:
        ref_name = "ActionPlanActionInput"


class ActionFilter(django_filters.FilterSet):
    objective = django_filters.UUIDFilter(field_name="objective__uuid")
    status = django_filters.ChoiceFilter(choices=Action.Status.choices)

    class Meta:
        model = Action
        fields = ["objective", "status"]


@extend_schema_view(get=extend_schema(summary="The plan's actions, numbered across it"))
class ActionListCreateApi(_PlanListApi):
    serializer_class = ActionOutputSerializer
    queryset = Action.objects.none()  # the schema's model; requests use get_queryset
    filterset_class = ActionFilter
    ordering_fields = ["number", "due_date"]
    ordering = ["number", "pk"]

    def get_queryset(self):
        return selectors.actions_of(self.request.user, self.plan().plan)

    @extend_schema(
        request=ActionInputSerializer,
        responses={201: ActionOutputSerializer, **errors(400, 409)},
        summary="Add an action to an objective (programme lead)",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, plan_year: int) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        payload = ActionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        objective = get_objective_or_400(request.user, ctx, fields.pop("objective"))
        action = services.action_create(objective=objective, user=request.user, **fields)
        response = self_tagged(ActionOutputSerializer(action).data, _token(action))
        return located(response, request, "actionplans-api:action", ons_code, plan_year, action.uuid)


class ActionDetailApi(ConditionalApiMixin, APIView):
    @extend_schema(responses=ActionOutputSerializer, summary="One action")
    def get(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, action: UUID) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year)
        instance = get_action_for_user(request.user, ctx, action)
        return self.tagged(ActionOutputSerializer(instance).data, _token(instance))

    @extend_schema(
        request=ActionInputSerializer,
        responses=ActionOutputSerializer,
        parameters=[if_match_parameter(required=False)],
        summary="Change an action's text, lead, due date or status (programme lead)",
    )
    def patch(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, action: UUID) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        instance = get_action_for_user(request.user, ctx, action)
        expected = self.if_match(request)
        payload = ActionInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = {k: v for k, v in payload.validated_data.items() if k != "objective"}
        instance = services.action_update(
            action=instance, user=request.user, expected_state=expected, **fields
        )
        return self.tagged(ActionOutputSerializer(instance).data, _token(instance))

    @extend_schema(
        parameters=[if_match_parameter(required=True)],
        request=None,
        responses={204: None},
        summary="Remove an action (programme lead); the rest are renumbered",
    )
    def delete(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, action: UUID) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
        instance = get_action_for_user(request.user, ctx, action)
        expected = self.if_match(request, required=True)
        services.action_delete(action=instance, user=request.user, expected_state=expected)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Quarterly updates ---------------------------------------------------------------------------------


class UpdateFilter(django_filters.FilterSet):
    action = django_filters.UUIDFilter(field_name="action__uuid")
    rag = django_filters.ChoiceFilter(choices=Rag.choices)

    class Meta:
        model = ActionUpdate
        fields = ["action", "rag"]


@extend_schema_view(get=extend_schema(summary="A quarter's action updates"))
class UpdateListCreateApi(ConditionalApiMixin, _PlanListApi):
    serializer_class = UpdateOutputSerializer
    queryset = ActionUpdate.objects.none()  # the schema's model; requests use get_queryset
    filterset_class = UpdateFilter
    ordering_fields = ["updated_at"]
    ordering = ["action__number", "pk"]

    class InputSerializer(serializers.Serializer):
        action = serializers.UUIDField()
        rag = serializers.ChoiceField(choices=Rag.choices)
        narrative = serializers.CharField(max_length=TEXT_MAX)
        evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500)

        class Meta:
            ref_name = "ActionPlanUpdateInput"

    def get_queryset(self):
        _, report = get_quarter(self.plan(), self.kwargs["quarter"])
        return selectors.updates_in(self.request.user, report)

    @extend_schema(
        request=InputSerializer,
        responses={201: UpdateOutputSerializer, **errors(400, 409)},
        parameters=[if_match_parameter(required=False)],
        summary="Record an action's progress this quarter (programme or staff voice lead). Send "
        "If-Match with the update's etag to replace it only if nobody changed it since, or "
        "If-None-Match: * to record it only if there is none yet (else 412).",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str, plan_year: int, quarter: str) -> Response:
        ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRESS_WRITERS)
        period, _ = get_quarter(ctx, quarter)
        expected = self.if_match(request)
        if expected is None and request.headers.get("If-None-Match", "").strip() == "*":
            expected = timestamp_token(None)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        action = selectors.action_in(request.user, ctx.plan, fields.pop("action"))
        if action is None:
            raise ApplicationError("There is no such action in this plan.", field="action")
        update = services.update_save(
            plan=ctx.plan, quarter=period, action=action, user=request.user, expected_state=expected, **fields
        )
        response = self.tagged(UpdateOutputSerializer(update).data, _token(update), status.HTTP_201_CREATED)
        where = reverse("actionplans-api:updates", args=[ons_code, plan_year, quarter])
        response["Location"] = request.build_absolute_uri(f"{where}?action={action.uuid}")
        return response
