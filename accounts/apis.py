"""REST API for the caller's own identity, authorities and team, scoped like the web pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from wres_portal.concurrency import StaleWrite, stale_response
from wres_portal.errors import ApplicationError

from . import services
from .access import get_authority_for_user
from .http import AuthenticatedRequest
from .models import Authority, Membership, Role
from .permissions import can_invite


def exception_handler(exc: Exception, context: dict[str, object]) -> Response | None:
    """Map service errors to 400 with a plain-English message, like DRF's own validation errors;
    a write built on a state that has moved on (`StaleWrite`) is 412 with what changed."""
    if isinstance(exc, StaleWrite):
        return stale_response(exc)
    if isinstance(exc, ApplicationError):
        exc = ValidationError({exc.field or "detail": [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError({"detail": exc.messages})
    return drf_exception_handler(exc, context)


class AuthorityScopedMixin(APIView):
    """The one place API views take a tenant queryset from: the authority in the URL, seen through
    `Authority.objects.for_user`, so outsiders get 404."""

    request: AuthenticatedRequest  # IsAuthenticated, the default permission, turns others away
    kwargs: dict[str, str]

    def get_authority(self) -> Authority:
        if not hasattr(self, "_authority"):
            self._authority = get_authority_for_user(self.request.user, self.kwargs["ons_code"])
        return self._authority


class AuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Authority
        fields = ["ons_code", "name", "region", "authority_type", "population_minority_ethnic_percent"]


class MyMembershipSerializer(serializers.Serializer):
    ons_code = serializers.CharField(source="authority.ons_code")
    authority = serializers.CharField(source="authority.name")
    role = serializers.ChoiceField(choices=Role.choices)


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        full_name = serializers.CharField()
        national_role = serializers.CharField()
        memberships = MyMembershipSerializer(many=True)

        class Meta:
            ref_name = "Me"

    @extend_schema(responses=OutputSerializer, summary="The signed-in user and their roles")
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        data = self.OutputSerializer(
            {
                "email": user.email,
                "full_name": user.full_name,
                "national_role": user.national_role,
                "memberships": Membership.objects.filter(user=user).select_related("authority"),
            }
        ).data
        return Response(data)


class AuthorityListApi(generics.ListAPIView):
    serializer_class = AuthoritySerializer

    def get_queryset(self):
        return Authority.objects.for_user(self.request.user)


class AuthorityDetailApi(AuthorityScopedMixin, generics.RetrieveAPIView):
    serializer_class = AuthoritySerializer

    def get_object(self) -> Authority:
        return self.get_authority()


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = Membership
        fields = ["uuid", "email", "full_name", "role"]


class MembershipListApi(AuthorityScopedMixin, generics.ListAPIView):
    serializer_class = MembershipSerializer

    def get_queryset(self):
        return Membership.objects.for_user(self.request.user).filter(authority=self.get_authority())


class InvitationCreateApi(AuthorityScopedMixin, APIView):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=Role.choices)

        class Meta:
            ref_name = "InvitationInput"

    class OutputSerializer(serializers.Serializer):
        uuid = serializers.UUIDField()
        email = serializers.EmailField()
        role = serializers.CharField()
        expires_at = serializers.DateTimeField()

        class Meta:
            ref_name = "Invitation"

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer},
        summary="Invite a colleague to this authority",
    )
    def post(self, request: AuthenticatedRequest, ons_code: str) -> Response:
        authority = self.get_authority()
        if not any(can_invite(request.user, authority, role) for role in Role.values):
            raise PermissionDenied
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not can_invite(request.user, authority, payload.validated_data["role"]):
            raise PermissionDenied
        invitation, _ = services.invitation_create(
            authority=authority, invited_by=request.user, **payload.validated_data
        )
        return Response(self.OutputSerializer(invitation).data, status=status.HTTP_201_CREATED)
