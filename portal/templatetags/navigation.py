"""`{% load navigation %}`: `{% breadcrumbs %}`, the GOV.UK breadcrumbs for the page being rendered
(base.html shows them above <main> unless the page puts a back link there instead),
`{% cached_url %}`, `{% url %}` for the links every page carries, and `{% return_status_tag %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch

from portal.navigation import breadcrumbs as trail
from submissions.presenters import status_tag
from wres_portal.reverse_cache import reverse_cached

register = template.Library()


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return {"crumbs": []}
    # The council's name from the page's own context: no query of our own.
    authority = context.get("authority") or getattr(context.get("ctx"), "authority", None)
    return {
        "crumbs": trail(
            match.view_name,
            dict(match.kwargs),
            council_name=getattr(authority, "name", None),
            national=bool(getattr(user, "is_national", False)),
        )
    }


@register.simple_tag
def cached_url(name: str, *args: Any, quiet: bool = False) -> str:
    """`{% url name args %}` reversed once per process (wres_portal.reverse_cache). With
    `quiet=True` a URL that does not exist gives "", as `{% url ... as var %}` does; otherwise
    NoReverseMatch, as `{% url %}` does."""
    try:
        return reverse_cached(name, args)
    except NoReverseMatch:
        if quiet:
            return ""
        raise


@register.simple_tag
def return_status_tag(status: str) -> str:
    """A return's status as a GOV.UK tag (submissions/_status_tag.html), made without rendering a
    template: a list page shows 50 of them, and an include per row cost more than the rest of the row
    (issue 18). The markup is `submissions.presenters.status_tag`'s, which the list rows use too."""
    return status_tag(status)
