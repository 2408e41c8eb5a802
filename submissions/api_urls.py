from django.urls import path

from . import apis, round_apis
from .hrdata import apis as hrdata_apis

app_name = "submissions-api"

base = "authorities/<str:ons_code>/returns/<str:round_label>/"

urlpatterns = [
    path("rounds/", apis.RoundListApi.as_view(), name="round_list"),
    path("rounds/open/", round_apis.OpenRoundApi.as_view(), name="open_round"),
    path(base + "template.csv", round_apis.TemplateApi.as_view(), {"fmt": "csv"}, name="template_csv"),
    path(base + "template.xlsx", round_apis.TemplateApi.as_view(), {"fmt": "xlsx"}, name="template_xlsx"),
    path(base, apis.ReturnDetailApi.as_view(), name="detail"),
    path(base + "versions/", apis.VersionListApi.as_view(), name="version_list"),
    path(base + "versions/<int64:number>/", apis.VersionDetailApi.as_view(), name="version_detail"),
    path(base + "upload/", apis.ReturnUploadApi.as_view(), name="upload"),
    path(base + "data/", apis.ReturnDataApi.as_view(), name="data"),
    path(base + "warnings/", apis.WarningExplainApi.as_view(), name="explain"),
    path(base + "hr-mapping/", hrdata_apis.ExtractMappingApi.as_view(), name="hr_mapping"),
    path(base + "submit/", apis.ReturnSubmitApi.as_view(), name="submit"),
    path(base + "sign-off/", apis.ReturnSignOffApi.as_view(), name="sign_off"),
    path(base + "accept/", apis.ReturnAcceptApi.as_view(), name="accept"),
    path(base + "send-back/", apis.ReturnSendBackApi.as_view(), name="send_back"),
]
