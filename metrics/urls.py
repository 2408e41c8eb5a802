from django.urls import path

from . import views

app_name = "metrics"

council = "councils/<str:ons_code>/results/"
national = "national/results/"

urlpatterns = [
    path(council, views.council_results_latest, name="council_latest"),
    path(council + "<str:round_label>/", views.council_results, name="council_results"),
    path(council + "<str:round_label>/report/", views.council_report, name="council_report"),
    path(council + "<str:round_label>/compare/", views.council_compare, name="compare"),
    path(council + "<str:round_label>/board-summary/", views.council_board_summary, name="board_summary"),
    path(
        council + "<str:round_label>/board-summary.pdf",
        views.council_board_summary_pdf,
        name="board_summary_pdf",
    ),
    path(
        council + "<str:round_label>/results.csv",
        views.council_results_download,
        {"fmt": "csv"},
        name="council_csv",
    ),
    path(
        council + "<str:round_label>/results.xlsx",
        views.council_results_download,
        {"fmt": "xlsx"},
        name="council_xlsx",
    ),
    path(national, views.national_dashboard, name="dashboard"),
    path(national + "<str:round_label>/indicators/<str:code>/", views.national_indicator, name="indicator"),
    path(national + "<str:round_label>/report/", views.national_report, name="national_report"),
    path(
        national + "<str:round_label>/<str:table>.csv",
        views.national_download,
        {"fmt": "csv"},
        name="national_csv",
    ),
    path(
        national + "<str:round_label>/tables.xlsx",
        views.national_download,
        {"fmt": "xlsx", "table": "all"},
        name="national_xlsx",
    ),
    path(national + "<str:round_label>/releases/", views.release_list, name="releases"),
    path(national + "<str:round_label>/releases/<int64:number>/", views.release_detail, name="release"),
    path(
        national + "<str:round_label>/releases/<int64:number>/report/",
        views.release_report,
        name="release_report",
    ),
    path(
        national + "<str:round_label>/releases/<int64:number>/<str:table>.csv",
        views.release_download,
        {"fmt": "csv"},
        name="release_csv",
    ),
    path(
        national + "<str:round_label>/releases/<int64:number>/tables.xlsx",
        views.release_download,
        {"fmt": "xlsx", "table": "all"},
        name="release_xlsx",
    ),
    path("help/indicators/<str:code>/", views.indicator_help, name="help"),
]
