"""A number in a path is at most the largest a database integer holds (wres_portal/converters.py):
a longer one names nothing, so it is a 404 like any other unknown address, never a server error.
Found trying the results API as a programme lead in the demo: version 99999999999999999999 gave
500 ("Python int too large to convert to SQLite INTEGER")."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.exceptions import Resolver404
from rest_framework.test import APIClient

from accounts.models import Role
from tests.builders import draft_return
from tests.factories import AuthorityFactory, api_key, member, open_round
from wres_portal.converters import LARGEST, Int64Converter

TOO_LARGE = [str(LARGEST + 1), "9" * 19, "9" * 20, "1" + "0" * 40]


def _routes(resolvers: list, prefix: str = "") -> list[tuple[str, dict]]:
    """Every route of the project with its converters: (the route's text, {name: converter})."""
    found = []
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        converters = getattr(entry.pattern, "converters", {})
        if isinstance(entry, URLResolver):
            found += [(r, {**converters, **c}) for r, c in _routes(entry.url_patterns, route)]
        elif isinstance(entry, URLPattern):
            found.append((route, converters))
    return found


def _path(route: str, number: str) -> str:
    """The route with `number` for each number and a plain word for each other part."""
    filled = re.sub(r"<int64:[a-z_]+>", number, route)
    filled = re.sub(r"<uuid:[a-z_]+>", "00000000-0000-4000-8000-000000000000", filled)
    filled = re.sub(r"<(?:str:)?[a-z_]+>", "word", filled)
    return "/" + filled


def test_every_number_in_a_path_is_bounded() -> None:
    routes = _routes(get_resolver().url_patterns)
    numbered = [(route, c) for route, c in routes if any(isinstance(v, Int64Converter) for v in c.values())]
    assert len(numbered) >= 19
    # Django's own unbounded `int` is left only in the admin of the authenticator app (django-otp's
    # routes, for staff): the portal's routes all use `int64`.
    unbounded = [route for route, c in routes if any(isinstance(v, IntConverter) for v in c.values())]
    assert unbounded and all(route.startswith("admin/otp_totp/") for route in unbounded)
    for route, _ in numbered:
        match = resolve(_path(route, str(LARGEST)))
        assert LARGEST in match.kwargs.values(), route
        for number in TOO_LARGE:
            with pytest.raises(Resolver404):
                resolve(_path(route, number))


@pytest.mark.django_db
def test_a_version_number_too_large_for_the_database_is_not_found(client) -> None:
    authority = AuthorityFactory.create()
    collection_round = open_round("2026")
    lead = member(authority, Role.PROGRAMME_LEAD)
    draft_return(authority, collection_round, lead=lead)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(lead, 'read', verified=True)}")
    client.force_login(lead)
    base = f"/api/v1/authorities/{authority.ons_code}/returns/2026/versions/"
    assert api.get(base + "1/results/").status_code == 200
    for number in TOO_LARGE:
        response = api.get(f"{base}{number}/results/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        page = client.get(f"/councils/{authority.ons_code}/returns/2026/versions/{number}/figures.csv")
        assert page.status_code == 404
