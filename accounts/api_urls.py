from django.urls import path

from . import apis

app_name = "accounts-api"

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="me"),
    path("authorities/", apis.AuthorityListApi.as_view(), name="authority_list"),
    path("authorities/<str:ons_code>/", apis.AuthorityDetailApi.as_view(), name="authority_detail"),
    path("authorities/<str:ons_code>/members/", apis.MembershipListApi.as_view(), name="member_list"),
    path(
        "authorities/<str:ons_code>/invitations/",
        apis.InvitationCreateApi.as_view(),
        name="invitation_create",
    ),
    path(
        "authorities/<str:ons_code>/invitations/<uuid:invitation>/",
        apis.InvitationDetailApi.as_view(),
        name="invitation_detail",
    ),
]
