from django.urls import path

from . import national, public, quarterly, views

app_name = "actionplans"

council = "councils/<str:ons_code>/action-plans/"
base = council + "<int64:plan_year>/"
quarter = base + "quarters/<str:quarter>/"

urlpatterns = [
    path(council, views.plan_list, name="list"),
    path(council + "new/", views.plan_create, name="create"),
    path(base, views.plan_detail, name="detail"),
    path(base + "details/", views.header_edit, name="header"),
    path(base + "what-we-know/", views.what_we_know_edit, name="what_we_know"),
    path(base + "objectives/new/", views.objective_create, name="objective_create"),
    path(base + "objectives/<uuid:objective>/", views.objective_edit, name="objective_edit"),
    path(base + "objectives/<uuid:objective>/remove/", views.objective_delete, name="objective_delete"),
    path(base + "objectives/<uuid:objective>/actions/new/", views.action_create, name="action_create"),
    path(base + "objectives/<uuid:objective>/targets/new/", views.target_create, name="target_create"),
    path(base + "actions/<uuid:action>/", views.action_edit, name="action_edit"),
    path(base + "actions/<uuid:action>/remove/", views.action_delete, name="action_delete"),
    path(base + "targets/<uuid:target>/remove/", views.target_delete, name="target_delete"),
    path(base + "send-for-sign-off/", views.send_for_sign_off, name="send_for_sign_off"),
    path(base + "sent-for-sign-off/", views.sent_for_sign_off, name="sent_for_sign_off"),
    path(base + "sign-off/", views.sign_off, name="sign_off"),
    path(base + "signed-off/<int64:number>/", views.signed_off, name="signed_off"),
    path(base + "publish/", views.publish, name="publish"),
    path(base + "withdraw/", views.withdraw, name="withdraw"),
    path(base + "roll-forward/", views.roll_forward, name="roll_forward"),
    path(base + "versions/", views.version_list, name="versions"),
    path(base + "versions/compare/", views.version_compare, name="compare"),
    path(base + "versions/<int64:number>/", views.version_detail, name="version"),
    path(base + "versions/<int64:number>/plan.pdf", views.plan_download, {"fmt": "pdf"}, name="version_pdf"),
    path(base + "print/", views.plan_print, name="print"),
    path(base + "plan.xlsx", views.plan_download, {"fmt": "xlsx"}, name="xlsx"),
    path(base + "plan.pdf", views.plan_download, {"fmt": "pdf"}, name="pdf"),
    path(quarter, quarterly.report_detail, name="report"),
    path(quarter + "actions/<uuid:action>/", quarterly.update_edit, name="update"),
    path(quarter + "submit/", quarterly.report_submit, name="report_submit"),
    path(quarter + "done/", quarterly.report_done, name="report_done"),
    path(quarter + "sign-off/", quarterly.report_sign_off, name="report_sign_off"),
    path(quarter + "send-back/", quarterly.report_send_back, name="report_send_back"),
    path(quarter + "print/", quarterly.report_print, name="report_print"),
    path(quarter + "report.xlsx", quarterly.report_download, {"fmt": "xlsx"}, name="report_xlsx"),
    path(quarter + "report.pdf", quarterly.report_download, {"fmt": "pdf"}, name="report_pdf"),
    path("national/action-plans/", national.national, name="national"),
    path("national/action-plans/overdue-reports/", national.overdue, name="overdue"),
    path("action-plans/<uuid:public_id>/", public.public_plan, name="public"),
    path("action-plans/<uuid:public_id>/plan.pdf", public.public_plan_pdf, name="public_pdf"),
]
