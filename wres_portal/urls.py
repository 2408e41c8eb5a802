"""HTML routes, the REST API under /api/v1/, and its schema and documentation."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from wres_portal.api_docs import api_docs
from wres_portal.views import healthz

# Apps are included by name, so this module (plumbing, below every app) imports none of them.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("", include("submissions.urls")),
    path("", include("metrics.urls")),
    path("", include("actionplans.urls")),
    path("", include("audit.urls")),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("submissions.api_urls")),
    path("api/v1/", include("metrics.api_urls")),
    path("api/v1/", include("actionplans.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("admin/", admin.site.urls),
]

# Under /api/ these answer with problem documents (wres_portal/api_errors.py); elsewhere, the pages.
handler404 = "wres_portal.api_errors.not_found"
handler500 = "wres_portal.api_errors.server_error"
