from django.urls import path

from . import national, views, worklist
from .hrdata import views as hrdata

app_name = "submissions"

base = "councils/<str:ons_code>/returns/<str:round_label>/"

urlpatterns = [
    path("councils/<str:ons_code>/returns/", views.return_list, name="list"),
    path(base, views.return_detail, name="detail"),
    path(base + "template.xlsx", views.template_download, {"fmt": "xlsx"}, name="template_xlsx"),
    path(base + "template.csv", views.template_download, {"fmt": "csv"}, name="template_csv"),
    path(base + "upload/", views.upload, name="upload"),
    path(base + "upload/<str:upload_token>/", views.upload_confirm, name="upload_confirm"),
    path(base + "upload/<str:upload_token>/errors.csv", views.upload_errors_csv, name="upload_errors_csv"),
    path(base + "enter/<str:service>/", views.enter_service, name="enter"),
    path(base + "remove/<str:service>/", views.remove_service, name="remove_service"),
    path(base + "warnings/<str:key>/", views.explain_warning, name="explain_warning"),
    path(base + "hr-data/", hrdata.build, name="hrdata_build"),
    path(base + "hr-data/check/", hrdata.check, name="hrdata_check"),
    path(base + "hr-data/check/<str:upload_token>/", hrdata.confirm, name="hrdata_confirm"),
    path(base + "hr-data/guidance/", hrdata.guidance, name="hrdata_guidance"),
    path(base + "hr-data/extract-template.xlsx", hrdata.template_download, name="hrdata_template_xlsx"),
    path(
        base + "hr-data/extract-template-<str:extract>.csv",
        hrdata.template_download,
        name="hrdata_template_csv",
    ),
    path(base + "submit/", views.submit, name="submit"),
    path(base + "done/", views.done, name="done"),
    path(base + "sign-off/", views.sign_off, name="sign_off"),
    path(base + "accept/", views.accept, name="accept"),
    path(base + "send-back/", views.send_back, name="send_back"),
    path(base + "versions/", views.version_list, name="versions"),
    path(base + "versions/compare/", views.version_compare, name="compare"),
    path(
        base + "versions/<int64:number>/figures.csv",
        views.version_download,
        {"fmt": "csv"},
        name="version_csv",
    ),
    path(
        base + "versions/<int64:number>/figures.xlsx",
        views.version_download,
        {"fmt": "xlsx"},
        name="version_xlsx",
    ),
    path("national/returns/", worklist.worklist, name="worklist"),
    path("national/returns/actions/", worklist.worklist_action, name="worklist_action"),
    path("national/rounds/", national.round_list, name="round_list"),
    path("national/rounds/new/", national.round_new, name="round_new"),
    path("national/rounds/<str:round_label>/", national.monitor, name="monitor"),
    path("national/rounds/<str:round_label>/status.csv", national.monitor_csv, name="monitor_csv"),
    path("councils/<str:ons_code>/returns/<str:round_label>/extend/", national.extend, name="extend"),
]
