"""No internal metric codes where people read (issue 15): every page of the accessibility page list
and the history pages, as their person sees them, name metrics ("Metric 3: ..."), never by code
("m3"). A guard over every page; tests/audit/test_history.py checks the history's own wording."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch

from tests.browser.test_accessibility import PAGES, Page, u
from tests.browser.world import World, build_world

#: A metric code as the portal stores it: m1 to m9, and the pay band shares m1_lower, m1_upper...
CODE = re.compile(r"\bm[1-9](?:_[a-z]+)?\b")


def visible_text(body: str) -> str:
    """What a person reads: no scripts, styles, tags or attribute values, nor web addresses (a page's
    address may name a metric's help page, /help/indicators/m2/, as the history's "via" does)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"(?<!\S)/\S*", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def world(alice, bob, sponsor_a, charlie, analyst) -> World:
    return build_world(alice=alice, bob=bob, sponsor=sponsor_a, charlie=charlie, analyst=analyst)


@pytest.mark.django_db
def test_no_page_shows_a_metric_code(world) -> None:
    clients: dict[str | None, Client] = {}
    found = []
    # The history pages are not in the accessibility list; they show every stored field of a change.
    history = [
        Page("history", "alice", u("audit:council_history", "{a}")),
        Page("national history", "analyst", u("audit:national_history")),
    ]
    for spec in [*PAGES, *history]:
        if spec.then is not None or spec.status != 200:
            continue
        try:
            path = spec.url(world)
        except (NoReverseMatch, KeyError):
            continue
        if spec.user not in clients:
            clients[spec.user] = Client()
            if spec.user:
                clients[spec.user].force_login(getattr(world, spec.user))
        response = clients[spec.user].get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        text = visible_text(response.content.decode())
        for match in CODE.finditer(text):
            found.append(f"{spec.name} ({path}): …{text[max(0, match.start() - 60) : match.end() + 40]}…")
    assert not found, "\n".join(found)
