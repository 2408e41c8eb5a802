"""`{% load navigation %}`: `{% breadcrumbs %}`, the GOV.UK breadcrumbs for the page being rendered
(base.html shows them above <main> unless the page puts a back link there instead),
`{% cached_url %}`, `{% url %}` for the links every page carries, `{% return_status_tag %}`, and
`{% page_header %}` and `{% page_footer %}`, base.html's header and footer."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix
from django.utils.safestring import mark_safe

from portal.navigation import breadcrumbs as trail
from portal.navigation import breadcrumbs_html
from submissions.presenters import status_tag
from wres_portal.converters import SECRET_URL_KWARGS
from wres_portal.memo import ProcessStore
from wres_portal.reverse_cache import reverse_cached

register = template.Library()


@register.simple_tag(takes_context=True)
def breadcrumbs(context: template.Context) -> str:
    """The page's breadcrumbs (`portal.navigation.breadcrumbs_html`), worked out from the URL matched
    and kept once per process for each page, its URL's arguments, the council's name and the kind of
    user (issue 18: about 0.12 ms a page to work out and render, 0.02 ms to look up). They have a
    store of their own, so that many councils' trails never push the header and footer out. A page
    whose address carries a secret (an invitation or password-reset link) is worked out each time,
    so the secret is never kept in the process."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return mark_safe(breadcrumbs_html([]))  # noqa: S308 - a line break
    # The council's name from the page's own context: no query of our own.
    authority = context.get("authority") or getattr(context.get("ctx"), "authority", None)
    council_name = getattr(authority, "name", None)
    national = bool(getattr(user, "is_national", False))
    kwargs = dict(match.kwargs)

    def make() -> str:
        return breadcrumbs_html(trail(match.view_name, kwargs, council_name=council_name, national=national))

    if SECRET_URL_KWARGS & kwargs.keys():
        # An invitation or password-reset link opened while signed in: its secret is not kept.
        return mark_safe(make())  # noqa: S308 - every label and link escaped there
    key = (
        "crumbs",
        match.view_name,
        tuple(sorted(kwargs.items())),
        council_name,
        national,
        get_script_prefix(),
    )
    html = _TRAILS.get(key, make)
    return mark_safe(html)  # noqa: S308 - every label and link escaped there


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


# The page's header and footer (issue 18) ------------------------------------------------------------

#: Rendered headers and footers by what they are made from (the navigation differs by role, council
#: and section, so the keys are few).
_FRAGMENTS: ProcessStore[str] = ProcessStore(limit=2048)
#: Rendered breadcrumbs by page name, URL arguments, council name, kind of user and script prefix.
_TRAILS: ProcessStore[str] = ProcessStore(limit=4096)
#: Where the sign-out form's CSRF field goes in a stored header: replaced on every request.
_CSRF_SLOT = "\x00csrf-field\x00"


def _fragment(key: tuple[Any, ...], template_name: str, values: dict[str, Any]) -> str:
    return _FRAGMENTS.get(key, lambda: render_to_string(template_name, values))


@register.simple_tag(takes_context=True)
def page_header(context: template.Context) -> str:
    """base.html's <header> (includes/header.html): the service name, the navigation and, for a
    signed-in user, the sign-out form. Rendered once per process for each navigation, with the
    request's own CSRF field put in (base.html with the header and footer rendered each time: 0.42 ms
    of CPU a page, 0.32 ms now, in-process). The include is given only the values in the key, so it
    cannot depend on anything else."""
    request = context.get("request")
    path = getattr(request, "path", None)
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    nav = tuple(
        (
            str(item["label"]),
            str(item["href"]),
            bool(item.get("active")),
            bool(item.get("active")) and path == item["href"],
        )
        for item in context.get("nav_items") or ()
    )
    service_name = context.get("service_name") or ""
    html = _fragment(
        ("header", service_name, signed_in, nav),
        "includes/header.html",
        {
            "service_name": service_name,
            "signed_in": signed_in,
            "nav_items": [
                {"label": label, "href": href, "active": active, "current": current}
                for label, href, active, current in nav
            ],
            "csrf_slot": _CSRF_SLOT,
        },
    )
    if signed_in:
        html = html.replace(_CSRF_SLOT, CsrfTokenNode().render(context))
    return mark_safe(html)  # noqa: S308 - rendered by our own template, the CSRF field by Django's tag


@register.simple_tag(takes_context=True)
def page_footer(context: template.Context) -> str:
    """base.html's <footer> (includes/footer.html), rendered once per process for each service name."""
    service_name = context.get("service_name") or ""
    html = _fragment(("footer", service_name), "includes/footer.html", {"service_name": service_name})
    return mark_safe(html)  # noqa: S308 - rendered by our own template
