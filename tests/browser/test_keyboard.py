"""The upload-and-submit journey with the keyboard alone (Tab, Shift+Tab, Enter, Space), under the
real Content Security Policy: sign in, open the return, upload a file with mistakes, follow the
error summary, upload the corrected file, check and confirm it, explain the warnings, submit.

The only non-keyboard step is choosing the file in the operating system's file picker, which
Playwright does with `set_input_files` once the file input has keyboard focus.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from submissions.models import Return
from tests.browser.world import _round
from tests.factories import TEST_PASSWORD
from tests.submissions.files import csv_bytes, set_count, valid_rows

MAX_TABS = 80
UNEXPLAINED = "links => links.filter(a => a.innerText.trim().startsWith('Explain')).length"

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || "").trim().slice(0, 80),
    href: el.getAttribute("href") || "",
    type: el.getAttribute("type") || "",
    classes: el.className || "",
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    background: style.backgroundColor,
  };
}"""


def focused(page: Any) -> dict[str, Any] | None:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page: Any) -> dict[str, Any]:
    """The focused element shows GOV.UK's focus state: an outline, a box shadow (inputs, buttons)
    or the yellow focus background (links)."""
    element = focused(page)
    assert element is not None, f"nothing has focus on {page.url}"
    visible = element["outline"] or element["shadow"] or element["background"] == "rgb(255, 221, 0)"
    assert visible, f"no visible focus indicator on {element} at {page.url}"
    return element


def tab_to(page: Any, matches: Any, what: str) -> dict[str, Any]:
    """Press Tab until the focused element matches; every stop on the way must show its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = assert_focus_visible(page)
        if matches(element):
            return element
    raise AssertionError(f"could not reach {what} with Tab on {page.url}")


def press(page: Any, key: str) -> None:
    """Press a key that follows a link or submits a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def link(text: str) -> Any:
    return lambda el: el["tag"] == "a" and text.lower() in el["text"].lower()


def button(text: str) -> Any:
    return lambda el: el["tag"] == "button" and text.lower() in el["text"].lower()


def _choose_file(page: Any, content: bytes) -> None:
    tab_to(page, lambda el: el["tag"] == "input" and el["type"] == "file", "the file input")
    page.set_input_files(
        "input[type=file]", files=[{"name": "return.csv", "mimeType": "text/csv", "buffer": content}]
    )


def test_upload_and_submit_with_the_keyboard_alone(browser, live_server, alice, analyst) -> None:
    from submissions.demo import _add_return

    authority = alice.memberships.get().authority
    _add_return(authority, _round("2025", analyst, 400, -340), Return.Status.ACCEPTED, analyst, "kb")
    current = _round("2026", analyst, 30, 30)
    bad = valid_rows()
    set_count(bad, "adults", "headcount", "white", "lots")
    set_count(bad, "children", "cpd", "unknown", -3)

    context = browser.new_context(base_url=live_server.url)  # the real CSP: GOV.UK's JS must run
    page = context.new_page()
    try:
        page.goto("/sign-in/")
        page.wait_for_load_state("load")
        # Django's sign-in form puts focus in the email field; otherwise Tab to it.
        if (focused(page) or {}).get("id") != "id_username":
            tab_to(page, lambda el: el["id"] == "id_username", "the email field")
        assert_focus_visible(page)
        page.keyboard.type(alice.email)
        tab_to(page, lambda el: el["type"] == "password", "the password field")
        page.keyboard.type(TEST_PASSWORD)
        press(page, "Enter")
        assert f"/councils/{authority.ons_code}/" in page.url

        tab_to(page, link(f"the {current.label} return"), "the link to the return")
        press(page, "Enter")
        tab_to(page, link("Enter or upload the figures"), "the upload task")
        press(page, "Enter")
        assert urlsplit(page.url).path.endswith("/upload/")

        # A file with mistakes: the error summary takes focus and its links move focus to each problem.
        _choose_file(page, csv_bytes(bad))
        tab_to(page, button("Check the file"), "the upload button")
        press(page, "Enter")
        page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
        assert page.title().startswith("Error:")
        first_problem = tab_to(page, lambda el: el["href"].startswith("#"), "the first error link")
        page.keyboard.press("Enter")
        target = first_problem["href"][1:]
        page.wait_for_function("id => document.activeElement.id === id", arg=target)
        assert_focus_visible(page)

        # The corrected file: checked, previewed and saved.
        _choose_file(page, csv_bytes(valid_rows()))
        tab_to(page, button("Check the file"), "the upload button")
        press(page, "Enter")
        assert "/upload/" in page.url and "Check what" in page.title()
        tab_to(page, button("Save as my draft"), "the confirm button")
        press(page, " ")  # Space activates a button too
        assert urlsplit(page.url).path.endswith(f"/returns/{current.label}/")
        page.wait_for_function("document.activeElement.classList.contains('govuk-notification-banner')")

        record = Return.objects.get(authority=authority, round=current)
        assert record.current_version is not None
        explained = 0
        while page.locator("a[href*='/warnings/']").evaluate_all(UNEXPLAINED):
            tab_to(
                page, lambda el: "/warnings/" in el["href"] and el["text"].startswith("Explain"), "Explain"
            )
            press(page, "Enter")
            tab_to(page, lambda el: el["tag"] == "textarea", "the explanation")
            page.keyboard.type("A restructure moved staff between services this year.")
            tab_to(page, button("Save explanation"), "the save button")
            press(page, "Enter")
            explained += 1
            assert explained < 10, "explaining warnings does not end"
        assert explained, "the journey should include a warning to explain (headcount change since 2025)"

        # The submit link is styled as a button (role=button): GOV.UK's JS makes Space follow it.
        tab_to(
            page, lambda el: "/submit/" in el["href"] and "govuk-button" in el["classes"], "the submit button"
        )
        press(page, " ")
        tab_to(page, button("Submit the return"), "the submit button")
        press(page, "Enter")
        assert "Return submitted" in page.locator(".govuk-panel").inner_text()
    finally:
        context.close()
    record.refresh_from_db()
    assert record.status == Return.Status.SUBMITTED
