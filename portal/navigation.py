"""Where the signed-in person is: the service navigation's council links and the breadcrumbs.

Both are worked out from the URL that was matched (its name and arguments), never from the
database, so every page gets them for free and no page pays a query for them. The council's name in
the breadcrumbs comes from the page's own context (`authority` or `ctx.authority`) when it has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix
from django.utils.html import conditional_escape

from wres_portal.memo import ProcessStore
from wres_portal.reverse_cache import reverse_cached as reverse


@dataclass(frozen=True)
class Crumb:
    label: str
    href: str


# The council sections, in the order of the service navigation: (label, URL name, URL namespaces
# and names that belong to the section).
COUNCIL_SECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Return", "submissions:list", ("submissions:",)),
    ("Results", "metrics:council_latest", ("metrics:council_",)),
    ("Action plan", "actionplans:list", ("actionplans:",)),
    ("Team", "accounts:team", ("accounts:team", "accounts:member_")),
    ("History", "audit:council_history", ("audit:council_history",)),
]

# National sections: (label, URL name, the URL names below it).
NATIONAL_SECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Authorities", "portal:authority_list", ("portal:authority_list", "accounts:authority_edit")),
    ("Returns to accept", "submissions:worklist", ("submissions:worklist",)),
    ("Rounds", "submissions:round_list", ("submissions:round_", "submissions:monitor")),
    ("National results", "metrics:dashboard", ("metrics:dashboard", "metrics:indicator", "metrics:national_",
                                               "metrics:release")),
    ("Action plans", "actionplans:national", ("actionplans:national",)),
    ("History", "audit:national_history", ("audit:national_history",)),
]  # fmt: skip


def _url(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args)
    except NoReverseMatch:
        return None


def _in(view_name: str, prefixes: tuple[str, ...]) -> bool:
    return any(view_name.startswith(prefix) for prefix in prefixes)


def council_nav(view_name: str, ons_code: str) -> list[dict[str, object]]:
    """The council's own sections (Return, Results, Action plan, Team, History) for a page of
    that council; the current section is marked active. Worked out once per process for each page
    name and council (issue 18: five URLs, about 0.05 ms a page); each call gets dicts of its own."""
    sections = _COUNCIL_NAV.get(
        (view_name, ons_code, get_script_prefix()), lambda: _council_nav(view_name, ons_code)
    )
    return [{"label": label, "href": href, "active": active} for label, href, active in sections]


#: The council sections by page name, council and script prefix (a few per council in use).
_COUNCIL_NAV: ProcessStore[tuple[tuple[str, str, bool], ...]] = ProcessStore(limit=4096)


def _council_nav(view_name: str, ons_code: str) -> tuple[tuple[str, str, bool], ...]:
    found = []
    for label, name, prefixes in COUNCIL_SECTIONS:
        href = _url(name, ons_code)
        if href is not None:
            found.append((label, href, _in(view_name, prefixes)))
    return tuple(found)


def _council_trail(view_name: str, kwargs: dict[str, Any], council_name: str, national: bool) -> list[Crumb]:
    code = kwargs["ons_code"]
    # An analyst's home page is the list of authorities.
    trail = (
        [Crumb("Authorities", reverse("portal:authority_list"))]
        if national
        else [Crumb("Home", reverse("portal:home"))]
    )
    if view_name == "portal:council_home":
        return trail
    trail.append(Crumb(council_name, reverse("portal:council_home", [code])))
    round_label = kwargs.get("round_label")
    plan_year = kwargs.get("plan_year")
    if view_name.startswith("submissions:"):
        trail.append(Crumb("Returns", reverse("submissions:list", [code])))
        if round_label and view_name != "submissions:detail":
            trail.append(Crumb(f"{round_label} return", reverse("submissions:detail", [code, round_label])))
    elif view_name.startswith("metrics:"):  # every council page of metrics is one of its results
        trail.append(Crumb("Results", reverse("metrics:council_latest", [code])))
        if round_label and view_name != "metrics:council_results":
            trail.append(
                Crumb(f"{round_label} results", reverse("metrics:council_results", [code, round_label]))
            )
    elif view_name.startswith("actionplans:"):
        trail.append(Crumb("Action plans", reverse("actionplans:list", [code])))
        if plan_year and view_name != "actionplans:detail":
            trail.append(Crumb(f"{plan_year} action plan", reverse("actionplans:detail", [code, plan_year])))
        quarter = kwargs.get("quarter")
        if quarter and plan_year and view_name != "actionplans:report":
            label = quarter.replace("-q", " Q").upper() if isinstance(quarter, str) else str(quarter)
            trail.append(Crumb(f"{label} report", reverse("actionplans:report", [code, plan_year, quarter])))
    elif _in(view_name, ("accounts:team_", "accounts:member_")):
        trail.append(Crumb("Team", reverse("accounts:team", [code])))
    # The last crumb is the page itself when it is a section's front page: GOV.UK breadcrumbs stop
    # at the parent.
    current = reverse_current(view_name, kwargs)
    return [crumb for crumb in trail if crumb.href != current]


def reverse_current(view_name: str, kwargs: dict[str, Any]) -> str | None:
    try:
        return reverse(view_name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def breadcrumbs(
    view_name: str, kwargs: dict[str, Any], *, council_name: str | None, national: bool
) -> list[Crumb]:
    """The trail of parent pages for the page `view_name` (namespace:name) with URL `kwargs`.
    Empty for pages with no parent worth naming (home pages, sign-in, the public pages)."""
    if not view_name or view_name == "portal:home":
        return []
    if "ons_code" in kwargs:
        return _council_trail(view_name, kwargs, council_name or kwargs["ons_code"], national)
    current = reverse_current(view_name, kwargs)
    home = Crumb("Home", reverse("portal:home"))
    if view_name.startswith("accounts:") and (current or "").startswith(reverse("accounts:settings")):
        trail = [home]
        if view_name != "accounts:settings":
            trail.append(Crumb("Your account", reverse("accounts:settings")))
        return trail
    for label, name, prefixes in NATIONAL_SECTIONS:
        if _in(view_name, prefixes):
            trail = [home]
            section = reverse(name)
            if section != current:
                trail.append(Crumb(label, section))
            round_label = kwargs.get("round_label")
            if view_name == "metrics:release" and round_label:
                trail.append(Crumb(f"{round_label} releases", reverse("metrics:releases", [round_label])))
            return trail
    return []


# The breadcrumbs' markup, written in Python (issue 18): every signed-in page shows it, and rendering
# it through a template (includes/breadcrumbs.html, removed) cost about a tenth of a millisecond a
# page, more than working out the trail. Byte for byte the template's markup and whitespace, every
# label and link escaped as `{{ }}` escapes them (tests/portal/test_breadcrumbs_markup.py).
_TRAIL_START = (
    '\n<nav class="govuk-breadcrumbs govuk-breadcrumbs--collapse-on-mobile" aria-label="Breadcrumb">'
    '\n  <ol class="govuk-breadcrumbs__list">\n    '
)
_CRUMB = (
    '\n    <li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" href="{href}">'
    "{label}</a></li>\n    "
)
_TRAIL_END = "\n  </ol>\n</nav>\n\n"


def breadcrumbs_html(crumbs: list[Crumb]) -> str:
    """The GOV.UK breadcrumbs for `crumbs` (parents only), or a line break when there are none."""
    if not crumbs:
        return "\n"
    items = "".join(
        _CRUMB.format(href=conditional_escape(crumb.href), label=conditional_escape(crumb.label))
        for crumb in crumbs
    )
    return _TRAIL_START + items + _TRAIL_END
