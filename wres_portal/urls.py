"""HTML routes, the REST API under /api/v1/, and its schema and documentation."""

from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView

from wres_portal.api_docs import api_docs
from wres_portal.converters import Int64Converter
from wres_portal.views import healthz

# Before the apps' routes below are read: they use it for every number in a path.
register_converter(Int64Converter, "int64")

# Apps are included by name, so this module (plumbing, below every app) imports none of them.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The API first, under one prefix: an API path is matched without trying every page's route
    # first (about 0.5 ms a request when it came last), and a page's path fails one prefix here.
    # No page's route starts with "api/".
    path(
        "api/",
        include(
            [
                path("v1/", include("accounts.api_urls")),
                path("v1/", include("submissions.api_urls")),
                path("v1/", include("metrics.api_urls")),
                path("v1/", include("actionplans.api_urls")),
                path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
                path("docs/", api_docs, name="api-docs"),
            ]
        ),
    ),
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("", include("submissions.urls")),
    path("", include("metrics.urls")),
    path("", include("actionplans.urls")),
    path("", include("audit.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "wres_portal.api_errors.not_found"
handler500 = "wres_portal.api_errors.server_error"
