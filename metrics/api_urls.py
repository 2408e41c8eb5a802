from django.urls import path

from . import apis

app_name = "metrics-api"

urlpatterns = [
    path(
        "authorities/<str:ons_code>/returns/<str:round_label>/versions/<int:number>/results/",
        apis.VersionResultsApi.as_view(),
        name="version_results",
    ),
    path("rounds/<str:round_label>/releases/", apis.ReleaseListApi.as_view(), name="releases"),
    path("rounds/<str:round_label>/releases/<int:number>/", apis.ReleaseApi.as_view(), name="release"),
    path(
        "rounds/<str:round_label>/releases/<int:number>/tables/<str:table>/",
        apis.ReleaseTableApi.as_view(),
        name="release_table",
    ),
    path(
        "rounds/<str:round_label>/releases/<int:number>/tables/<str:table>.csv",
        apis.ReleaseTableApi.as_view(),
        {"fmt": "csv"},
        name="release_table_csv",
    ),
]
