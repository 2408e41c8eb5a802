from django.urls import path

from . import apis, step_apis

app_name = "actionplans-api"

base = "authorities/<str:ons_code>/action-plans/"
plan = base + "<int64:plan_year>/"
quarter = plan + "quarters/<str:quarter>/"

urlpatterns = [
    path(base, apis.PlanListCreateApi.as_view(), name="plans"),
    path(plan, apis.PlanDetailApi.as_view(), name="plan"),
    path(plan + "objectives/", apis.ObjectiveListCreateApi.as_view(), name="objectives"),
    path(plan + "objectives/<uuid:objective>/", apis.ObjectiveDetailApi.as_view(), name="objective"),
    path(plan + "actions/", apis.ActionListCreateApi.as_view(), name="actions"),
    path(plan + "actions/<uuid:action>/", apis.ActionDetailApi.as_view(), name="action"),
    path(quarter + "updates/", apis.UpdateListCreateApi.as_view(), name="updates"),
    path(plan + "targets/", step_apis.TargetListCreateApi.as_view(), name="targets"),
    path(plan + "targets/<uuid:target>/", step_apis.TargetDetailApi.as_view(), name="target"),
    path(plan + "send-for-sign-off/", step_apis.PlanSendForSignOffApi.as_view(), name="send_for_sign_off"),
    path(plan + "sign-off/", step_apis.PlanSignOffApi.as_view(), name="sign_off"),
    path(plan + "publish/", step_apis.PlanPublishApi.as_view(), name="publish"),
    path(plan + "withdraw/", step_apis.PlanWithdrawApi.as_view(), name="withdraw"),
    path(plan + "versions/", step_apis.PlanVersionListApi.as_view(), name="versions"),
    path(plan + "versions/<int64:number>/", step_apis.PlanVersionDetailApi.as_view(), name="version"),
    path(
        plan + "versions/<int64:number>/plan.pdf",
        step_apis.PlanVersionFileApi.as_view(),
        {"fmt": "pdf"},
        name="version_pdf",
    ),
    path(plan + "plan.pdf", step_apis.PlanFileApi.as_view(), {"fmt": "pdf"}, name="pdf"),
    path(plan + "plan.xlsx", step_apis.PlanFileApi.as_view(), {"fmt": "xlsx"}, name="xlsx"),
    path(quarter, step_apis.ReportDetailApi.as_view(), name="report"),
    path(quarter + "submit/", step_apis.ReportSubmitApi.as_view(), name="report_submit"),
    path(quarter + "sign-off/", step_apis.ReportSignOffApi.as_view(), name="report_sign_off"),
    path(quarter + "send-back/", step_apis.ReportSendBackApi.as_view(), name="report_send_back"),
    path(quarter + "report.pdf", step_apis.ReportFileApi.as_view(), {"fmt": "pdf"}, name="report_pdf"),
    path(quarter + "report.xlsx", step_apis.ReportFileApi.as_view(), {"fmt": "xlsx"}, name="report_xlsx"),
]
