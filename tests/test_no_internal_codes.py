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


def _stored_codes() -> set[str]:
    """Every stored choice of a tracked model whose label differs ("programme_lead", "draft"), and so
    is a code a person should never read."""
    from audit.history import TRACKED

    return {
        str(code)
        for tracked in TRACKED
        for f in tracked.event_model._meta.concrete_fields
        if f.choices
        for code, label in f.flatchoices
        if str(code) != str(label)
    }


#: A raw id where a record is named: "#12", "user 7", "return 3", "(round 2)", "of version 5".
RAW_ID = re.compile(r"#\d+|\b(?:user|return|round|of version) \d+\b")


@pytest.mark.django_db
def test_history_shows_no_role_status_codes_or_raw_ids(world) -> None:
    """Issue 15: the history's records and changed values read as labels ("Programme lead → Staff
    voice lead", "Draft → Submitted") and names, never as the stored codes or ids."""
    from accounts.models import Membership, Role
    from audit.context import history_context
    from tests.workers import require_postgresql

    require_postgresql()  # the history is recorded by PostgreSQL triggers
    membership = Membership.objects.get(user=world.alice, authority=world.a)
    with history_context(user=world.analyst.pk):
        Membership.objects.filter(pk=membership.pk).update(role=Role.STAFF_VOICE_LEAD)
    codes = _stored_codes()
    assert {"programme_lead", "staff_voice_lead", "draft", "submitted"} <= codes
    found, shown = [], False
    for user, path in (
        (world.alice, u("audit:council_history", "{a}")(world)),
        (world.analyst, u("audit:national_history")(world)),
    ):
        client = Client()
        client.force_login(user)
        for page in (1, 2):
            body = client.get(path, {"page": page}).content.decode()
            shown = shown or "Programme lead → <span" in body
            cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', body, flags=re.DOTALL)
            values = re.findall(r'<dd class="govuk-summary-list__value">(.*?)</dd>', body, flags=re.DOTALL)
            for value in values:
                for part in visible_text(value).replace("from", " ").split("→"):
                    if " ".join(part.split()).removeprefix("to ").strip() in codes:
                        found.append(f"{path}: a code in a change: {' '.join(visible_text(value).split())}")
            for record in cells[2::4]:  # the Record column: the action, the kind, then the record
                cell = record.split("<br>", 1)[-1]
                if match := RAW_ID.search(visible_text(cell)):
                    found.append(f"{path}: a raw id in a record: …{match.group()}… in {visible_text(cell)}")
                if any(word in codes for word in re.findall(r"[a-z_]+", visible_text(cell)) if "_" in word):
                    found.append(f"{path}: a code in a record: {' '.join(visible_text(cell).split())}")
    assert not found, "\n".join(found[:20])
    assert shown, "the history should show the role change"
