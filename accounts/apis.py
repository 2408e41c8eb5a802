"""REST API for the caller's own identity, authorities and team, scoped like the web pages."""

from __future__ import annotations

from uuid import UUID

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from wres_portal.api_schema import errors
from wres_portal.api_views import ApiListView, located

from . import selectors, services
from .access import get_authority_for_user, get_invitation_for_user
from .http import AuthenticatedRequest
from .models import Authority, AuthorityType, Membership, Region, Role
from .permissions import can_invite


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
    authority = serializers.CharField(source="authority.ons_code", help_text="The council's ONS code.")
    authority_name = serializers.CharField(source="authority.name")
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        ref_name = "MyMembership"


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
                "memberships": selectors.memberships_of(user),
            }
        ).data
        return Response(data)


class AuthorityFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(choices=Region.choices)
    authority_type = django_filters.ChoiceFilter(choices=AuthorityType.choices)

    class Meta:
        model = Authority
        fields = ["region", "authority_type"]


@extend_schema(summary="The councils you may see (national staff: all of them)")
class AuthorityListApi(ApiListView):
    serializer_class = AuthoritySerializer
    filterset_class = AuthorityFilter
    ordering_fields = ["ons_code", "name"]
    ordering = ["ons_code"]

    def get_queryset(self):
        return selectors.authorities_visible(self.request.user)


@extend_schema(summary="One council")
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


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["role"]


@extend_schema(summary="The council's team")
class MembershipListApi(AuthorityScopedMixin, ApiListView):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    queryset = Membership.objects.none()  # the schema's model; requests use get_queryset
    ordering_fields = ["user__email", "role"]
    ordering = ["user__email", "pk"]

    def get_queryset(self):
        return selectors.members_visible(self.request.user, self.get_authority())


class InvitationCreateApi(AuthorityScopedMixin, APIView):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=Role.choices)

        class Meta:
            ref_name = "InvitationInput"

    class OutputSerializer(serializers.Serializer):
        uuid = serializers.UUIDField()
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=Role.choices)
        expires_at = serializers.DateTimeField()

        class Meta:
            ref_name = "Invitation"

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer, **errors(400)},
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
        response = Response(self.OutputSerializer(invitation).data, status=status.HTTP_201_CREATED)
        return located(response, request, "accounts-api:invitation_detail", ons_code, invitation.uuid)


class InvitationDetailApi(AuthorityScopedMixin, APIView):
    @extend_schema(responses=InvitationCreateApi.OutputSerializer, summary="One invitation to this authority")
    def get(self, request: AuthenticatedRequest, ons_code: str, invitation: UUID) -> Response:
        found = get_invitation_for_user(request.user, self.get_authority(), invitation)
        return Response(InvitationCreateApi.OutputSerializer(found).data)
