"""Issue 15's "Done when": each role's main journey in Debian's chromium, at 1280 px and at 320 px
(400% zoom of a 1280 px window). On every page: no sideways page scroll
(document.scrollingElement.scrollWidth <= innerWidth), no WCAG 2.2 A/AA violation that axe-core
finds, and breadcrumbs or a back link to say where the page sits. Plus a stale security token during
a form (signing in again in another tab) keeps what the person typed.

One browser for the run, one context per person; each page is loaded once and checked at both
widths by resizing the viewport (the layout reflows without a reload), to keep the CPU cost down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.utils.crypto import get_random_string

from tests.browser.helpers import describe, run_axe, session_cookie
from tests.browser.test_accessibility import u
from tests.browser.world import World, build_world

WIDTHS = (1280, 320)
SAVE = "#main-content form[method=post] button[type=submit]"
SIDEWAYS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(el => !el.closest('.app-table-container'))
  .slice(0, 3).map(el => el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0]
    + ' (' + Math.round(el.getBoundingClientRect().right) + ' px)')"""

# Chart text smaller than 16 px as drawn (its font size times the chart's scale on screen).
SMALL_CHART_TEXT = """() => [...document.querySelectorAll('.app-chart svg')].flatMap(svg => {
  const box = svg.viewBox.baseVal;
  const scale = box && box.width ? svg.getBoundingClientRect().width / box.width : 1;
  return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
}).filter(size => size < 15.5).map(size => Math.round(size * 10) / 10)"""

RETURN = ("{a}", "{current}")
SUBMITTED = ("{a}", "{previous}")
PAST = ("{a}", "{past}")
PLAN = ("{a}", "{plan_year}")

# (person, page name, URL): each role's main journey, in the order a person would go.
JOURNEYS: list[tuple[str | None, str, Callable[[World], str]]] = [
    # The public pages.
    (None, "sign in", u("accounts:login")),
    (None, "accessibility statement", u("portal:accessibility")),
    (None, "published action plan", u("actionplans:public", "{public_plan}")),
    # Programme lead: the return, its results, the action plan, the team.
    ("alice", "council home", u("portal:council_home", "{a}")),
    ("alice", "returns", u("submissions:list", "{a}")),
    ("alice", "return with warnings", u("submissions:detail", *RETURN)),
    ("alice", "enter figures", u("submissions:enter", *RETURN, "adults")),
    ("alice", "upload", u("submissions:upload", *RETURN)),
    ("alice", "explain a warning", u("submissions:explain_warning", *RETURN, "{warning}")),
    ("alice", "submit", u("submissions:submit", *RETURN)),
    ("alice", "versions", u("submissions:versions", *RETURN)),
    ("alice", "compare versions", u("submissions:compare", *RETURN)),
    ("alice", "results", u("metrics:council_results", *PAST)),
    ("alice", "results report", u("metrics:council_report", *PAST)),
    ("alice", "action plans", u("actionplans:list", "{a}")),
    ("alice", "action plan", u("actionplans:detail", *PLAN)),
    ("alice", "new action", u("actionplans:action_create", *PLAN, "{objective}")),
    ("alice", "new target", u("actionplans:target_create", *PLAN, "{objective}")),
    ("alice", "quarterly report", u("actionplans:report", *PLAN, "{quarter}")),
    ("alice", "compare plan versions", u("actionplans:compare", *PLAN)),
    ("alice", "team", u("accounts:team", "{a}")),
    ("alice", "history", u("audit:council_history", "{a}")),
    ("alice", "your account", u("accounts:settings")),
    # Senior sponsor: sign off the return and the plan.
    ("sponsor", "sponsor's council home", u("portal:council_home", "{a}")),
    ("sponsor", "sign off the return", u("submissions:sign_off", *SUBMITTED)),
    ("sponsor", "sign off the plan", u("actionplans:sign_off", *PLAN)),
    # Analyst: authorities, rounds, national results, the releases of the publication issue.
    ("analyst", "authorities", u("portal:authority_list")),
    ("analyst", "a council as analyst", u("portal:council_home", "{a}")),
    ("analyst", "rounds", u("submissions:round_list")),
    ("analyst", "new round", u("submissions:round_new")),
    ("analyst", "monitor", u("submissions:monitor", "{current}")),
    ("analyst", "extend", u("submissions:extend", *RETURN)),
    ("analyst", "accept", u("submissions:accept", "{b}", "{previous}")),
    ("analyst", "national results", u("metrics:dashboard", query="?round={past}")),
    ("analyst", "indicator", u("metrics:indicator", "{past}", "m2")),
    ("analyst", "national report", u("metrics:national_report", "{past}")),
    ("analyst", "releases", u("metrics:releases", "{past}")),
    ("analyst", "release", u("metrics:release", "{past}", "1")),
    ("analyst", "action plans, national", u("actionplans:national")),
    ("analyst", "national history", u("audit:national_history")),
]


@pytest.fixture
def world(alice, bob, sponsor_a, charlie, analyst) -> World:
    world = build_world(alice=alice, bob=bob, sponsor=sponsor_a, charlie=charlie, analyst=analyst)
    from metrics.releases import services as releases

    release = releases.release_create(
        collection_round=world.past, user=analyst, note="First release.", budget_seconds=2
    )
    releases.release_publish(release=release, user=analyst)
    return world


def _context(browser: Any, axe_source: str, base_url: str, user: Any | None) -> Any:
    # bypass_csp only so the axe script can be injected; the policy is tested on its own.
    context = browser.new_context(base_url=base_url, bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe_source)
    if user is not None:
        context.add_cookies([session_cookie(user, base_url)])
    return context


def test_each_roles_journey_reflows_at_320_px_and_has_no_wcag_violations(
    browser, axe_source, live_server, world
) -> None:
    pages: dict[str | None, Any] = {}
    failures: list[str] = []
    for person, name, url in JOURNEYS:
        if person not in pages:
            user = getattr(world, person) if person else None
            pages[person] = _context(browser, axe_source, live_server.url, user).new_page()
        page = pages[person]
        page.set_viewport_size({"width": 1280, "height": 900})
        response = page.goto(url(world))
        if response is None or response.status != 200:
            failures.append(f"{name}: status {response.status if response else 'none'} at {page.url}")
            continue
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            scroll_width, inner_width = page.evaluate(SIDEWAYS)
            if scroll_width > inner_width:
                failures.append(
                    f"{name} at {width} px: the page scrolls sideways ({scroll_width} px wide): "
                    + ", ".join(page.evaluate(WIDEST))
                )
            if small := page.evaluate(SMALL_CHART_TEXT):
                failures.append(f"{name} at {width} px: chart text smaller than body text: {small[:5]} px")
            if violations := run_axe(page):
                failures.append(f"{name} at {width} px ({page.url}):\n{describe(violations)}")
        hub = name in ("council home", "sponsor's council home", "authorities")
        if person and not hub and not page.locator(".govuk-breadcrumbs, .govuk-back-link").count():
            failures.append(f"{name}: neither breadcrumbs nor a back link")
    for page in pages.values():
        page.context.close()
    assert not failures, f"{len(failures)} problems on {len(JOURNEYS)} pages:\n" + "\n".join(failures)


def test_a_stale_security_token_keeps_the_figures_typed(browser, axe_source, live_server, world) -> None:
    """Typing figures, signing in again in another tab (which gives the session a new token), then
    saving: the figures come back with a fresh token and a banner, nothing is saved until the
    person saves again, and then it is."""
    from submissions.models import Return

    context = _context(browser, axe_source, live_server.url, world.alice)
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(u("submissions:enter", *RETURN, "adults")(world))
    field = page.locator("input[name=disciplinary__all__white]")
    typed = str(int(field.input_value()) + 7)
    field.fill(typed)
    before = Return.objects.get(authority=world.a, round=world.current).current_version_id
    # What signing in in another tab does to this browser: a new CSRF secret in its cookie.
    context.add_cookies(
        [{"name": settings.CSRF_COOKIE_NAME, "value": get_random_string(32), "url": live_server.url}]
    )
    with page.expect_navigation():
        page.locator(SAVE).click()
    assert page.locator("#session-changed").count() == 1, page.content()[:2000]
    assert "Your session changed" in page.locator("#session-changed").inner_text()
    assert page.locator("input[name=disciplinary__all__white]").input_value() == typed
    assert Return.objects.get(authority=world.a, round=world.current).current_version_id == before
    assert not run_axe(page), "the page given back must be as accessible as the form"
    scroll_width, inner_width = page.evaluate(SIDEWAYS)
    assert scroll_width <= inner_width
    with page.expect_navigation():
        page.locator(SAVE).click()
    assert page.locator("#session-changed").count() == 0
    saved = Return.objects.get(authority=world.a, round=world.current).current()
    assert saved.pk != before
    context.close()
