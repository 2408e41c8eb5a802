"""axe-core (WCAG 2.0-2.2 A and AA) on every page of the portal, in every state worth checking:
empty forms, forms with errors and their error summaries, results with charts, analyst pages.

The page list is data: one `Page(...)` line per page or state. A page whose URL name does not exist
yet (an app still being written) is reported as skipped rather than failing the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.browser.helpers import describe, run_axe, session_cookie
from tests.browser.world import World, build_world
from tests.submissions.files import csv_bytes, set_count, valid_rows


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # a World attribute ("alice", "analyst", ...); None: signed out
    url: Callable[[World], str]
    then: Callable[[Any, World], None] | None = None  # puts the page in the state to check
    status: int = 200

    @property
    def shows_errors(self) -> bool:
        """States named for their errors must show the error summary."""
        return any(word in self.name for word in ("errors", "mistakes", "no file", "submitted empty"))


def submit(page: Any, world: World | None = None, fill: dict[str, str] | None = None) -> None:
    """Fill fields (selector: value), then press the main form's first button."""
    for selector, value in (fill or {}).items():
        page.locator(selector).first.fill(value)
    with page.expect_navigation():
        page.locator("#main-content form[method=post] button[type=submit]").first.click()


def upload(content: bytes, name: str = "return.csv") -> Callable[[Any, World], None]:
    def action(page: Any, world: World) -> None:
        page.set_input_files(
            "input[type=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
        )
        submit(page)

    return action


def sign_in_wrongly(times: int) -> Callable[[Any, World], None]:
    def action(page: Any, world: World) -> None:
        for _ in range(times):
            submit(
                page, fill={"input[name=username]": "locked@lambeth.example", "input[type=password]": "no"}
            )

    return action


def _bad_file() -> bytes:
    rows = valid_rows()
    set_count(rows, "adults", "headcount", "white", "lots")
    set_count(rows, "children", "cpd", "unknown", -3)
    return csv_bytes(rows)


def _reset_link(world: World) -> str:
    uid = urlsafe_base64_encode(force_bytes(world.bob.pk))
    token = default_token_generator.make_token(world.bob)
    return reverse("accounts:password_reset_confirm", args=[uid, token])


def u(name: str, *args: str, query: str = "") -> Callable[[World], str]:
    """The URL `name`, its arguments formatted with the world's keys ("{a}" is A's ONS code)."""
    return lambda w: reverse(name, args=[arg.format(**w.keys()) for arg in args]) + query.format(**w.keys())


def fill(**fields: str) -> Callable[[Any, World], None]:
    """Fill fields (by name), then submit the form."""
    return lambda page, world: submit(page, fill={f"[name={name}]": value for name, value in fields.items()})


A, S, AN = "alice", "sponsor", "analyst"
RETURN = ("{a}", "{current}")
SUBMITTED = ("{a}", "{previous}")
PAST = ("{a}", "{past}")
WARNING = (*RETURN, "{warning}")
PLAN = ("{a}", "{plan_year}")
UPDATE = (*PLAN, "{quarter}", "{action}")
PAGES: list[Page] = [
    # Signed out ------------------------------------------------------------------------------------
    Page("sign in", None, u("accounts:login")),
    Page("sign in, errors", None, u("accounts:login"), submit),
    Page("password reset", None, u("accounts:password_reset")),
    Page("password reset, errors", None, u("accounts:password_reset"), submit),
    Page("password reset sent", None, u("accounts:password_reset_done")),
    Page("password reset, new password", None, _reset_link),
    Page("password reset, new password errors", None, _reset_link, submit),
    Page("password reset, bad link", None, u("accounts:password_reset_confirm", "MQ", "bad-link")),
    Page("password reset complete", None, u("accounts:password_reset_complete")),
    Page("invitation", None, u("accounts:invitation_accept", "{token}")),
    Page("invitation, errors", None, u("accounts:invitation_accept", "{token}"), submit),
    Page("invitation, invalid", None, u("accounts:invitation_accept", "not-a-token"), status=410),
    Page("accessibility statement", None, u("portal:accessibility")),
    Page("not found", None, lambda w: "/no-such-page/", status=404),
    # Council: programme lead -----------------------------------------------------------------------
    Page("council home", A, u("portal:council_home", "{a}")),
    Page("account settings", A, u("accounts:settings")),
    Page("change password", A, u("accounts:password_change")),
    Page("change password, errors", A, u("accounts:password_change"), submit),
    Page("password changed", A, u("accounts:password_change_done")),
    Page("API tokens", A, u("accounts:api_tokens")),
    Page("API tokens, errors", A, u("accounts:api_tokens"), submit),
    Page(
        "API tokens, new key",
        A,
        u("accounts:api_tokens"),
        lambda page, world: submit(page, world, {"input[name=name]": "HR system"}),
    ),
    Page("team", A, u("accounts:team", "{a}")),
    Page("invite", A, u("accounts:team_invite", "{a}")),
    Page("invite, errors", A, u("accounts:team_invite", "{a}"), submit),
    Page("change role", A, u("accounts:member_role", "{a}", "{bob}")),
    Page("remove member", A, u("accounts:member_remove", "{a}", "{bob}")),
    Page("returns", A, u("submissions:list", "{a}")),
    Page("return, draft with warnings", A, u("submissions:detail", *RETURN)),
    Page("return, submitted", A, u("submissions:detail", *SUBMITTED)),
    Page("upload", A, u("submissions:upload", *RETURN)),
    Page("upload, no file", A, u("submissions:upload", *RETURN), submit),
    Page("upload, file with mistakes", A, u("submissions:upload", *RETURN), upload(_bad_file())),
    Page("upload, check changes", A, u("submissions:upload", *RETURN), upload(csv_bytes(valid_rows()))),
    Page("enter figures", A, u("submissions:enter", *RETURN, "adults")),
    Page("enter figures, errors", A, u("submissions:enter", *RETURN, "adults"), fill(cpd__all__white="x")),
    Page("remove a service", A, u("submissions:remove_service", *RETURN, "children")),
    Page("explain a warning", A, u("submissions:explain_warning", *WARNING)),
    Page("explain a warning, errors", A, u("submissions:explain_warning", *WARNING), fill(text="")),
    Page("submit, blocked", A, u("submissions:submit", *RETURN)),
    Page("submit, errors", A, u("submissions:submit", *RETURN), submit),
    Page("versions", A, u("submissions:versions", *RETURN)),
    Page("compare versions", A, u("submissions:compare", *RETURN)),
    Page("results with charts", A, u("metrics:council_results", *PAST)),
    Page("results, one service", A, u("metrics:council_results", *PAST, query="?service=adults")),
    Page("results report", A, u("metrics:council_report", *PAST)),
    Page("indicator help", A, u("metrics:help", "m1_lower")),
    Page("forbidden", A, u("submissions:sign_off", *SUBMITTED), status=403),
    Page("another council: not found", A, u("portal:council_home", "{b}"), status=404),
    # Council: other roles --------------------------------------------------------------------------
    Page("choose a council", "charlie", u("portal:home")),
    Page("no results yet", "charlie", u("metrics:council_latest", "{a}")),
    Page("return as viewer", "bob", u("submissions:detail", *RETURN)),
    Page("sign off", S, u("submissions:sign_off", *SUBMITTED)),
    Page("sign off, submitted empty", S, u("submissions:sign_off", *SUBMITTED), submit),
    Page("send back", S, u("submissions:send_back", *SUBMITTED)),
    Page("send back, errors", S, u("submissions:send_back", *SUBMITTED), submit),
    # Skills for Care analysts -----------------------------------------------------------------------
    Page("authority list", AN, u("portal:authority_list")),
    Page("authority list, filtered", AN, u("portal:authority_list", query="?q=lam&region=London")),
    Page("authority details", AN, u("accounts:authority_edit", "{a}")),
    Page("authority details, errors", AN, u("accounts:authority_edit", "{a}"), fill(name="")),
    Page("rounds", AN, u("submissions:round_list")),
    Page("new round", AN, u("submissions:round_new")),
    Page("new round, errors", AN, u("submissions:round_new"), submit),
    Page("monitor", AN, u("submissions:monitor", "{current}")),
    Page("monitor, filtered", AN, u("submissions:monitor", "{current}", query="?status=draft")),
    Page("extend", AN, u("submissions:extend", *RETURN)),
    Page("extend, errors", AN, u("submissions:extend", *RETURN), submit),
    Page("accept", AN, u("submissions:accept", "{b}", "{previous}")),
    Page("accept, errors", AN, u("submissions:accept", *SUBMITTED), submit),
    Page("national results", AN, u("metrics:dashboard", query="?round={past}")),
    Page("national results, filtered", AN, u("metrics:dashboard", query="?region=London&service=adults")),
    Page("indicator", AN, u("metrics:indicator", "{past}", "m2")),
    Page("national report", AN, u("metrics:national_report", "{past}")),
    Page("council results as analyst", AN, u("metrics:council_results", "{b}", "{past}")),
    Page("national history, filtered", AN, u("audit:national_history", query="?authority={a}")),
    Page("national history, council errors", AN, u("audit:national_history", query="?authority=Atlantis")),
    Page("national history, several councils", AN, u("audit:national_history", query="?authority=e")),
    # Action plans ----------------------------------------------------------------------------------
    Page("action plans", A, u("actionplans:list", "{a}")),
    Page("new action plan", A, u("actionplans:create", "{a}")),
    Page("new action plan, errors", A, u("actionplans:create", "{a}"), fill(year="")),
    Page("action plan", A, u("actionplans:detail", *PLAN)),
    Page("action plan details", A, u("actionplans:header", *PLAN)),
    Page("what we know", A, u("actionplans:what_we_know", *PLAN)),
    Page("new objective", A, u("actionplans:objective_create", *PLAN)),
    Page("new objective, errors", A, u("actionplans:objective_create", *PLAN), submit),
    Page("objective", A, u("actionplans:objective_edit", *PLAN, "{objective}")),
    Page("remove objective", A, u("actionplans:objective_delete", *PLAN, "{objective}")),
    Page("new action", A, u("actionplans:action_create", *PLAN, "{objective}")),
    Page("new action, errors", A, u("actionplans:action_create", *PLAN, "{objective}"), submit),
    Page("action", A, u("actionplans:action_edit", *PLAN, "{action}")),
    Page("remove action", A, u("actionplans:action_delete", *PLAN, "{action}")),
    Page("new target", A, u("actionplans:target_create", *PLAN, "{objective}")),
    Page("new target, errors", A, u("actionplans:target_create", *PLAN, "{objective}"), submit),
    Page("plan versions", A, u("actionplans:versions", *PLAN)),
    Page("plan version", A, u("actionplans:version", *PLAN, "1")),
    Page("compare plan versions", A, u("actionplans:compare", *PLAN)),
    Page("plan, printable", A, u("actionplans:print", *PLAN)),
    Page("quarterly report", A, u("actionplans:report", *PLAN, "{quarter}")),
    Page("progress update", A, u("actionplans:update", *UPDATE)),
    Page("progress update, errors", A, u("actionplans:update", *UPDATE), fill(narrative="")),
    Page("submit quarterly report", A, u("actionplans:report_submit", *PLAN, "{quarter}")),
    Page("quarterly report, printable", A, u("actionplans:report_print", *PLAN, "{quarter}")),
    Page("sign off plan", S, u("actionplans:sign_off", *PLAN)),
    Page("sign off plan, submitted empty", S, u("actionplans:sign_off", *PLAN), submit),
    Page("published plan", None, u("actionplans:public", "{public_plan}")),
    Page("action plans, national", AN, u("actionplans:national")),
    Page(
        "action plans, national, filtered",
        AN,
        u("actionplans:national", query="?plan=none&region=London&sort=-council"),
    ),
    Page("overdue quarterly reports", AN, u("actionplans:overdue", query="?year={plan_year}")),
    # Last: the lockout blocks this address for the signed-out pages above.
    Page("locked out", None, u("accounts:login"), sign_in_wrongly(5), status=429),
]  # fmt: skip


@pytest.fixture
def world(alice, bob, sponsor_a, charlie, analyst) -> World:
    return build_world(alice=alice, bob=bob, sponsor=sponsor_a, charlie=charlie, analyst=analyst)


def test_every_page_and_state_has_no_wcag_a_or_aa_violations(
    browser,
    axe_source,
    live_server,
    world,
) -> None:
    tabs: dict[str | None, Any] = {}  # one browser tab per person, reused from page to page
    failures, skipped = [], []
    for spec in PAGES:
        try:
            path = spec.url(world)
        except (NoReverseMatch, KeyError):  # no such URL (or no data for it) yet
            skipped.append(spec.name)
            continue
        if spec.user not in tabs:
            # bypass_csp only so the axe script can be injected; the policy is tested on its own.
            context = browser.new_context(base_url=live_server.url, bypass_csp=True)
            context.add_init_script(script=axe_source)
            if spec.user:
                context.add_cookies([session_cookie(getattr(world, spec.user), live_server.url)])
            tabs[spec.user] = context.new_page()
        page = tabs[spec.user]
        status = page.goto(path).status
        if spec.then:
            spec.then(page, world)
            status = page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
        if status != spec.status:
            failures.append(f"{spec.name} ({page.url}): status {status}, expected {spec.status}")
        if spec.shows_errors and not page.locator(".govuk-error-summary").count():
            failures.append(f"{spec.name} ({page.url}): no error summary")
        if violations := run_axe(page):
            failures.append(f"{spec.name} ({page.url}):\n{describe(violations)}")
    for page in tabs.values():
        page.context.close()
    if skipped:
        # In CI every page must be checked: a page list gone stale is a failure, not a skip.
        in_ci = os.environ.get("WRES_REQUIRE_SERVICES") == "1"
        assert not in_ci, f"Not checked (no such URL): {', '.join(skipped)}"
        print(f"Not checked (no such URL yet): {', '.join(skipped)}")
    checked = len(PAGES) - len(skipped)
    assert not failures, f"{len(failures)} of {checked} pages failed:\n" + "\n".join(failures)
