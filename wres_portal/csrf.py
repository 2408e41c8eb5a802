"""What a person sees when a form's security token no longer matches (settings.CSRF_FAILURE_VIEW).

The usual cause is innocent: they signed in again in another tab (which gives the session a new
token), or the page sat open across a sign-out. Django's own page is unstyled and the typed answers
are lost. Here, for a same-origin form post, the page the form came from is rendered again (its
view called as a GET, so nothing is saved) with the posted answers put back into its fields, a fresh
token and a banner saying to check and save again. Nothing is saved without a valid token: the
person has to press the button again.

A post from another site is never replayed (it could prefill a form with someone else's values);
it gets the plain GOV.UK-styled page, as does a post whose page cannot be re-rendered (a button
with no page of its own, or a session that has ended).
"""

from __future__ import annotations

import html
import logging
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)

# Posted fields never put back: the stale token itself, and secrets the browser should not be sent
# back (passwords are also skipped by their input type).
_NEVER_REFILL = {
    "csrfmiddlewaretoken",
    "password",
    "password1",
    "password2",
    "new_password1",
    "new_password2",
}
_NOT_TEXT = {"password", "file", "submit", "button", "image", "reset"}

BANNER = (
    '<div class="govuk-notification-banner" role="alert" aria-labelledby="app-session-changed-title" '
    'data-module="govuk-notification-banner" id="session-changed">'
    '<div class="govuk-notification-banner__header">'
    '<h2 class="govuk-notification-banner__title" id="app-session-changed-title">Important</h2></div>'
    '<div class="govuk-notification-banner__content">'
    '<p class="govuk-notification-banner__heading">Your session changed, so nothing has been saved yet.</p>'
    '<p class="govuk-body">This happens when you sign in again in another tab or window. Your answers '
    "are below: check them and save again.</p></div></div>"
)


def _same_origin(request: HttpRequest) -> bool:
    """The post came from a page of this site: its Origin (or, without one, its Referer) names our
    host and scheme."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return parts.scheme == request.scheme and url_has_allowed_host_and_scheme(
        source, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


class _Refill(HTMLParser):
    """Copies an HTML page, putting the posted values into its form fields."""

    def __init__(self, data: QueryDict) -> None:
        super().__init__(convert_charrefs=False)
        self.data = data
        self.out: list[str] = []
        self.select: str | None = None
        self.textarea: str | None = None

    def _has(self, name: str | None) -> bool:
        return bool(name) and name not in _NEVER_REFILL and name in self.data

    @staticmethod
    def _tag(tag: str, attrs: list[tuple[str, str | None]], close: bool) -> str:
        parts = [tag] + [
            name if value is None else f'{name}="{html.escape(value, quote=True)}"' for name, value in attrs
        ]
        return "<" + " ".join(parts) + (" />" if close else ">")

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], close: bool) -> None:
        raw = self.get_starttag_text() or ""
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and self._has(name) and (found.get("type") or "text") not in _NOT_TEXT:
            kind = found.get("type") or "text"
            values = self.data.getlist(str(name))
            rest = [(k, v) for k, v in attrs if k not in ("value", "checked")]
            if kind in ("radio", "checkbox"):
                value = found.get("value") or "on"
                attrs = [*rest, ("value", value)] + ([("checked", None)] if value in values else [])
            else:
                attrs = [*rest, ("value", values[-1])]
            raw = self._tag(tag, attrs, close)
        elif tag == "select":
            self.select = str(name) if self._has(name) else None
        elif tag == "option" and self.select is not None:
            value = found.get("value") or ""
            rest = [(k, v) for k, v in attrs if k != "selected"]
            selected = value in self.data.getlist(self.select)
            raw = self._tag(tag, rest + ([("selected", None)] if selected else []), close)
        elif tag == "textarea" and self._has(name):
            self.textarea = str(name)
        self.out.append(raw)
        if self.textarea is not None and tag == "textarea":
            self.out.append(html.escape(self.data.get(self.textarea, "")))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, close=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, close=True)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        if tag == "select":
            self.select = None
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.textarea is None:  # a refilled textarea's own text is replaced
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        if self.textarea is None:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if self.textarea is None:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def refill(page: str, data: QueryDict) -> str:
    """`page` with the form fields named in `data` set to its values, and the banner at the top of
    the main content."""
    parser = _Refill(data)
    parser.feed(page)
    parser.close()
    out = "".join(parser.out)
    marker = 'id="main-content">'
    at = out.find(marker)
    if at == -1:
        return out
    at += len(marker)
    return out[:at] + BANNER + out[at:]


def _rerender(request: HttpRequest) -> HttpResponse | None:
    """The page at the posted URL, as a GET, with the posted answers in its fields; None when it
    cannot be shown (no such page, not an HTML page, a redirect such as to the sign-in page)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    data = request.POST.copy()
    posted, files = request.POST, request.FILES
    # (WSGIRequest has a setter for POST but not for FILES: FILES reads _files.)
    # The view sees a plain GET with no body, so no code path of it can save the posted answers.
    request.method = "GET"
    request.POST, request._files = QueryDict(), MultiValueDict()  # type: ignore[attr-defined]
    try:
        response = match.func(request, *match.args, **match.kwargs)
        render_response = getattr(response, "render", None)
        if callable(render_response):
            response = render_response()
    except Exception:  # the page cannot be shown again: the plain page instead
        logger.warning("CSRF failure: could not re-render %s", request.path_info, exc_info=True)
        return None
    finally:
        request.method = "POST"
        request.POST, request._files = posted, files  # type: ignore[attr-defined]
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    charset = response.charset or "utf-8"
    response.content = refill(response.content.decode(charset), data).encode(charset)
    response.status_code = 403
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: the form again with its answers (same-origin posts), or a
    GOV.UK-styled page saying what happened and what to do."""
    if request.method == "POST" and _same_origin(request):
        response = _rerender(request)
        if response is not None:
            return response
    back = request.headers.get("Referer")
    if back and not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = None
    return render(request, "403_csrf.html", {"back": back}, status=403)
