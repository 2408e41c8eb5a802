from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import mfa_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="emails/password_reset.txt",
            subject_template_name="emails/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("account/", views.account_settings, name="settings"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/two-factor/verify/", mfa_views.mfa_verify, name="mfa_verify"),
    path("account/two-factor/set-up/", mfa_views.mfa_setup, name="mfa_setup"),
    path("account/two-factor/recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("account/two-factor/remove/", mfa_views.mfa_remove, name="mfa_remove"),
    path("account/session/keep-alive/", mfa_views.session_keep_alive, name="session_keep_alive"),
    path("account/session/", mfa_views.session_status, name="session_status"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("councils/<str:ons_code>/details/", views.authority_edit, name="authority_edit"),
    path("councils/<str:ons_code>/team/", views.team, name="team"),
    path("councils/<str:ons_code>/team/invite/", views.team_invite, name="team_invite"),
    path(
        "councils/<str:ons_code>/team/members/<uuid:member>/role/", views.team_member_role, name="member_role"
    ),
    path(
        "councils/<str:ons_code>/team/members/<uuid:member>/remove/",
        views.team_member_remove,
        name="member_remove",
    ),
    path(
        "councils/<str:ons_code>/team/invitations/<uuid:invitation>/withdraw/",
        views.team_invitation_withdraw,
        name="invitation_withdraw",
    ),
]
