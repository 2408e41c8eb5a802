"""Issue 15, items 13 and 14: validation messages written for people, GOV.UK day/month/year date
fields instead of the browser's date picker, and thousands separators accepted on the web form as
they are in an uploaded file."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplans.models import ActionPlan
from submissions.models import CollectionRound, ReturnVersion
from submissions.schema import GROUPS, RowKey
from tests.actionplans.conftest import PLAN_YEAR
from tests.factories import valid_data

pytestmark = pytest.mark.django_db

RAW = (
    "Constraint",
    "Ensure this value",
    "This field is required",
    "Enter a valid date",
    "Enter a whole number.",
)


def _no_raw_messages(html: str) -> None:
    for raw in RAW:
        assert raw not in html, f"raw Django message {raw!r} shown"


def _date(prefix: str, day: object, month: object, year: object) -> dict[str, str]:
    return {f"{prefix}_day": str(day), f"{prefix}_month": str(month), f"{prefix}_year": str(year)}


def test_a_round_whose_period_ends_before_it_starts_is_refused_in_plain_english(client, analyst) -> None:
    client.force_login(analyst)
    today = timezone.localdate()
    response = client.post(
        reverse("submissions:round_new"),
        {
            "label": "2031",
            **_date("period_start", 1, 4, 2031),
            **_date("period_end", 31, 3, 2030),
            **_date("snapshot_date", 31, 3, 2031),
            **_date("opens_on", today.day, today.month, today.year),
            **_date("closes_on", today.day, today.month, today.year),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The reporting period must end after it starts" in html
    _no_raw_messages(html)
    assert not CollectionRound.objects.filter(label="2031").exists()


def test_round_dates_are_gov_uk_day_month_year_fields_and_save(client, analyst) -> None:
    client.force_login(analyst)
    page = client.get(reverse("submissions:round_new")).content.decode()
    assert 'type="date"' not in page
    for part in ("day", "month", "year"):
        assert f'name="period_start_{part}"' in page
    assert 'class="govuk-date-input"' in page
    today = timezone.localdate()
    later = today + datetime.timedelta(days=60)
    response = client.post(
        reverse("submissions:round_new"),
        {
            "label": "2031",
            **_date("period_start", 1, 4, 2030),
            **_date("period_end", 31, 3, 2031),
            **_date("snapshot_date", 31, 3, 2031),
            **_date("opens_on", today.day, today.month, today.year),
            **_date("closes_on", later.day, later.month, later.year),
        },
    )
    assert response.status_code == 302
    assert CollectionRound.objects.get(label="2031").period_start == datetime.date(2030, 4, 1)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "3", "2026", "Date of sign-off must include a day"),
        ("31", "2", "2026", "Date of sign-off must be a real date"),
        ("1", "2", "26", "Date of sign-off must be a real date"),
    ],
)
def test_a_half_typed_or_impossible_date_is_named(
    client, alice, sponsor_a, draft, day, month, year, message
) -> None:
    url = reverse("submissions:detail", args=[draft.authority.ons_code, draft.round.label])
    client.force_login(alice)
    client.post(url + "submit/", {"version": "1"})
    client.force_login(sponsor_a)
    response = client.post(
        url + "sign-off/",
        {
            "name": "Dr S",
            "role": "DASS",
            "declaration": "on",
            "version": "1",
            **_date("signed_on", day, month, year),
        },
    )
    html = response.content.decode()
    assert message in html
    _no_raw_messages(html)


def test_figures_with_thousands_separators_are_accepted_on_the_web_form(client, alice, draft) -> None:
    from submissions.forms import field_name

    client.force_login(alice)
    url = reverse("submissions:enter", args=[draft.authority.ons_code, draft.round.label, "adults"])
    data = valid_data(("adults",))
    form = {field_name(k, g): str(c[g]) for k, c in data.items() for g in GROUPS}
    key = RowKey("adults", "shortlisted")
    form[field_name(key, "white")] = f"{data[key]['white'] + 1000:,}"
    assert "," in form[field_name(key, "white")]
    form["version"] = str(draft.version_number)
    response = client.post(url, form)
    assert response.status_code == 302, re.findall(
        r'govuk-error-message">(.*?)</p>', response.content.decode(), re.S
    )
    saved = ReturnVersion.objects.filter(return_record=draft).latest("number").data()
    assert saved[key]["white"] == data[key]["white"] + 1000


def test_a_negative_number_of_employees_gets_a_message_naming_the_field(client, alice, authority_a) -> None:
    from actionplans import services

    plan = services.plan_create(authority=authority_a, year=PLAN_YEAR, user=alice)
    client.force_login(alice)
    url = reverse("actionplans:header", args=[authority_a.ons_code, plan.year])
    response = client.post(url, {"direct_employees": "-3"})
    html = response.content.decode()
    assert "number of direct employees must be 0 or more" in html.lower()
    _no_raw_messages(html)
    # The form names the details it showed (issue 12): post the state from the page, as a browser does.
    found = re.search(r'name="seen" value="([^"]*)"', client.get(url).content.decode())
    assert found, "the details form names the state it showed"
    seen = found.group(1)
    ok = client.post(
        url,
        {
            "direct_employees": "1,930",
            "senior_sponsors": "S",
            "programme_leads": "P",
            "how_agreed": "Board",
            "seen": seen,
        },
    )
    assert ok.status_code == 302, re.findall(r'govuk-error-message">(.*?)</p>', ok.content.decode(), re.S)
    assert ActionPlan.objects.get(pk=plan.pk).direct_employees == 1930


def test_a_missing_objective_says_enter_the_objective(client, alice, authority_a) -> None:
    from actionplans import services

    plan = services.plan_create(authority=authority_a, year=PLAN_YEAR, user=alice)
    client.force_login(alice)
    response = client.post(
        reverse("actionplans:objective_create", args=[authority_a.ons_code, plan.year]), {"text": ""}
    )
    html = response.content.decode()
    assert "Enter the objective" in html
    assert "Enter objective" not in html
