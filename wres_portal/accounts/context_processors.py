"""Template context shared by every page: the service name and the navigation for this user."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    nav: list[dict[str, object]] = []
    if user is not None and user.is_authenticated:
        nav.append({"label": "Home", "href": reverse("home")})
        if user.is_national:
            nav.append({"label": "Authorities", "href": reverse("accounts:authority_list")})
            nav.append({"label": "Rounds", "href": reverse("submissions:round_list")})
            nav.append({"label": "National results", "href": reverse("metrics:dashboard")})
        nav.append({"label": "Your account", "href": reverse("accounts:settings")})
    path = request.path
    for item in nav:
        href = str(item["href"])
        item["active"] = path == href if href == "/" else path.startswith(href)
    return {"service_name": settings.SERVICE_NAME, "nav_items": nav}
