from django.urls import path

from . import apis, council_apis, national_apis

council = "authorities/<str:ons_code>/returns/<str:round_label>/"
rounds = "rounds/<str:round_label>/"

app_name = "metrics-api"

urlpatterns = [
    path(council + "results/", council_apis.CouncilResultsApi.as_view(), name="council_results"),
    path(
        council + "results.csv",
        council_apis.CouncilResultsFileApi.as_view(),
        {"fmt": "csv"},
        name="council_csv",
    ),
    path(
        council + "results.xlsx",
        council_apis.CouncilResultsFileApi.as_view(),
        {"fmt": "xlsx"},
        name="council_xlsx",
    ),
    path(
        "authorities/<str:ons_code>/returns/<str:round_label>/versions/<int64:number>/results/",
        apis.VersionResultsApi.as_view(),
        name="version_results",
    ),
    path("rounds/<str:round_label>/releases/", apis.ReleaseListApi.as_view(), name="releases"),
    path("rounds/<str:round_label>/releases/<int64:number>/", apis.ReleaseApi.as_view(), name="release"),
    path(
        "rounds/<str:round_label>/releases/<int64:number>/tables/<str:table>/",
        apis.ReleaseTableApi.as_view(),
        name="release_table",
    ),
    path(
        "rounds/<str:round_label>/releases/<int64:number>/tables/<str:table>.csv",
        apis.ReleaseTableCsvApi.as_view(),
        name="release_table_csv",
    ),
    path(rounds + "results/", national_apis.RoundResultsApi.as_view(), name="round_results"),
    path(rounds + "results.csv", national_apis.RoundResultsCsvApi.as_view(), name="round_results_csv"),
    path(rounds + "benchmarks/", national_apis.RoundBenchmarksApi.as_view(), name="benchmarks"),
    path(rounds + "national/tables.xlsx", national_apis.NationalWorkbookApi.as_view(), name="national_xlsx"),
    path(rounds + "national/<str:table>/", national_apis.NationalTableApi.as_view(), name="national_table"),
    path(
        rounds + "national/<str:table>.csv",
        national_apis.NationalTableApi.as_view(),
        {"fmt": "csv"},
        name="national_table_csv",
    ),
    path(
        rounds + "releases/<int64:number>/tables.xlsx",
        national_apis.ReleaseWorkbookApi.as_view(),
        name="release_xlsx",
    ),
    path("changes/", national_apis.ChangeFeedApi.as_view(), name="changes"),
]
