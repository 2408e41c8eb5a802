from django.urls import path

from . import apis

app_name = "metrics-api"

urlpatterns = [
    path(
        "authorities/<str:ons_code>/returns/<str:round_label>/versions/<int:number>/results/",
        apis.VersionResultsApi.as_view(),
        name="version_results",
    ),
]
