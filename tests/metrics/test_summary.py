"""The summary that opens a council's results, and the one-page board summary (issue 15, item 5)."""

from __future__ import annotations

import math
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import Role
from metrics.calculations import compute_results
from metrics.indicators import INDICATORS_BY_CODE
from metrics.presenters import summary_html
from metrics.summary import AS_FAR, PlanLink, Summary, change_words, results_summary
from submissions.schema import RowKey
from submissions.synthetic import synthetic_return
from tests.builders import accepted_return, closed_round, signed_plan, store_results, submitted_return
from tests.factories import AuthorityFactory, member, open_round
from wres_portal.pdf import html_pdf

M2 = INDICATORS_BY_CODE["m2"]


def _no_minority_appointments(seed):
    data = synthetic_return(seed)
    for service in ("adults", "children"):
        key = RowKey(service, "appointed")
        data[key] = {**data[key], "minority_ethnic": 0}
    return data


def test_the_summary_lists_metrics_outside_the_range_with_their_plan_objectives() -> None:
    entries = compute_results(_no_minority_appointments(1), population_share=0.2)
    link = PlanLink("m2", 1, "Fair recruitment.", "/plan/", "2026 to 2027")
    summary = results_summary(entries, service="all", objectives=[link])
    outside = {line.indicator.code: line for line in summary.outside}
    assert outside["m2"].words == "adverse to minority ethnic staff" and outside["m2"].objectives == (link,)
    assert M2 not in summary.without_objective
    assert all(line.indicator.code != "m2" or "less likely" in line.words for line in summary.significant)
    assert summary.changes == [] and summary.previous_label is None


def test_the_summary_says_what_changed_since_the_previous_round() -> None:
    entries = compute_results(_no_minority_appointments(1), population_share=0.2)
    previous = {"m3": 2.0, "m2": 0.0, "m5": None}
    summary = results_summary(entries, service="all", previous=previous, previous_label="2024")
    changes = {line.indicator.code: line for line in summary.changes}
    assert summary.previous_label == "2024"
    assert "m2" not in changes and M2 in summary.unchanged  # 0 then, 0 now
    assert "m5" not in changes  # nothing to compare with
    assert changes["m3"].figure.startswith("2.00 to ")


@pytest.mark.parametrize(
    ("before", "now", "words"),
    [
        (0.5, 0.8, "closer to equal than last round"),
        (2.0, 1.25, "closer to equal than last round"),
        (0.9, 0.5, "further from equal than last round"),
        (1.0, 1.02, "about the same as last round"),
        (0.0, 0.7, "now above 0"),
        (2.0, 0.5, AS_FAR),
        (20.0, 0.05, AS_FAR),
        (0.05, 20.0, AS_FAR),
        (1.5, 0.65, AS_FAR),  # 0.65 is 1.54 the other way: within the 5% that is "about the same"
    ],
)
def test_change_words(before, now, words) -> None:
    assert change_words(M2, before, now) == words


ratios = st.floats(min_value=0.05, max_value=20, allow_nan=False)


@given(ratios, ratios)
# Found on main: a ratio then its reciprocal read "further from equal" both ways round, which the
# test's old second check (words differ when the order is swapped) could not allow either: swapping
# a ratio and its reciprocal is the same as inverting both, which must not change the words.
@example(20.0, 0.05)
# 1/7 rounds so that 7 then 1/7 read "further from equal" and, written the other way, "closer".
@example(7.0, 1 / 7)
# On the 5% boundary the other way (1.5 x 0.7 = 1.05): a 1-ulp difference between log(1/x) and
# -log(x) must not put the two ways of writing it on different sides.
@example(1.5, 0.7)
def test_a_change_reads_the_same_whichever_way_the_ratio_is_written(before, now) -> None:
    """0.5 and 2 are equally far from equal: inverting both figures never changes the words."""
    words = change_words(M2, before, now)
    assert words == change_words(M2, 1 / before, 1 / now)
    moved = abs(math.log(now / before))
    closer_by = abs(math.log(before)) - abs(math.log(now))  # margins clear of the 5% boundary
    if abs(closer_by) >= math.log(1.06):
        assert words != change_words(M2, now, before)  # closer one way is further the other
    elif moved >= math.log(1.06) and abs(closer_by) < math.log(1.04):
        assert words == change_words(M2, now, before) == AS_FAR


@pytest.mark.django_db
def test_the_results_page_opens_with_the_summary_linked_to_the_plan(client, analyst) -> None:
    earlier = closed_round("2024", created_by=analyst, days_ago=200)
    later = open_round("2025", created_by=analyst)
    authority = AuthorityFactory.create(name="Lambeth")
    lead, sponsor = member(authority, Role.PROGRAMME_LEAD), member(authority, Role.SENIOR_SPONSOR)
    store_results(accepted_return(authority, earlier, analyst, data=synthetic_return(7)))
    submitted_return(authority, later, lead=lead, data=_no_minority_appointments(7), compute_results=True)
    signed_plan(authority, lead, sponsor)  # objective 1 is tied to m2 and m8
    client.force_login(lead)
    body = client.get(reverse("metrics:council_results", args=[authority.ons_code, "2025"])).content.decode()
    summary_at, first_card_at = body.index("Outside the four-fifths range"), body.index('id="m1_lower-title"')
    assert summary_at < first_card_at
    summary = body[summary_at:first_card_at]
    assert re.search(
        r'href="#m2-title">Appointment from shortlisting</a> \(metric 2\): 0\.00, adverse', summary
    )
    plan_url = reverse("actionplans:detail", args=[authority.ons_code, 2026])
    assert f'href="{plan_url}">objective 1' in summary
    assert "Changed since 2024" in summary and "1.73 to 0.00, now 0" in summary
    assert "11 other metrics about the same as in 2024" in summary
    assert "One-page board summary" in body
    assert f'Your action plan: <a class="govuk-link" href="{plan_url}">objective 1' in summary
    # Found trying the demo as an analyst: "Your action plan" on a council's page, as if the analyst
    # worked there (issue 15 had taken "Your council" off the analyst's council pages).
    client.force_login(analyst)
    body = client.get(reverse("metrics:council_results", args=[authority.ons_code, "2025"])).content.decode()
    summary = body[body.index("Outside the four-fifths range") : body.index('id="m1_lower-title"')]
    assert f'The council\'s action plan: <a class="govuk-link" href="{plan_url}">objective 1' in summary
    assert "your action plan" not in body.lower()


@pytest.mark.django_db
def test_the_board_summary_is_one_page_in_html_and_pdf(client, analyst) -> None:
    collection_round = open_round("2025", created_by=analyst)
    authority = AuthorityFactory.create(name="Lambeth")
    lead = member(authority, Role.PROGRAMME_LEAD)
    submitted_return(
        authority, collection_round, lead=lead, data=_no_minority_appointments(3), compute_results=True
    )
    client.force_login(lead)
    page = client.get(reverse("metrics:board_summary", args=[authority.ons_code, "2025"]))
    body = page.content.decode()
    assert page.status_code == 200 and "Lambeth: 2025 board summary" in body
    assert "Appointment from shortlisting" in body and "metrics outside the four-fifths range" in body
    pdf = client.get(reverse("metrics:board_summary_pdf", args=[authority.ons_code, "2025"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    html = pdf.wsgi_request and client.get(
        reverse("metrics:board_summary", args=[authority.ons_code, "2025"]) + "?service=adults"
    )
    assert html.status_code == 200
    # the same document, uncompressed, to count its pages
    from django.template.loader import render_to_string

    from metrics.views.council import BOARD_CSS, _board_context

    request = pdf.wsgi_request
    request.user = lead
    readable = html_pdf(
        render_to_string(
            "metrics/board_summary_pdf.html", _board_context(request, authority.ons_code, "2025")
        ),
        BOARD_CSS.read_text(),
        uncompressed=True,
    )
    count = re.search(rb"/Kids \[[^\]]*\]\s*/Count (\d+)", readable)
    assert count and int(count.group(1)) == 1


@pytest.mark.django_db
def test_another_councils_board_summary_is_404(client, analyst) -> None:
    collection_round = open_round("2025", created_by=analyst)
    authority = AuthorityFactory.create()
    submitted_return(authority, collection_round, compute_results=True)
    client.force_login(member(AuthorityFactory.create(), Role.PROGRAMME_LEAD))
    for name in ("metrics:board_summary", "metrics:board_summary_pdf"):
        assert client.get(reverse(name, args=[authority.ons_code, "2025"])).status_code == 404


def test_metric_names_inside_a_sentence_keep_their_acronyms() -> None:
    """Found trying the results page as a lead: "... tied to funded non-mandatory cpd" (`lower`)."""
    cpd, leaving = INDICATORS_BY_CODE["m5"], INDICATORS_BY_CODE["m8"]
    assert cpd.title.endswith("CPD")
    html = str(summary_html(Summary(without_objective=[cpd, leaving]), None))
    assert f"tied to {cpd.title[0].lower()}{cpd.title[1:]} or leaving the council" in html
    board = render_to_string(
        "metrics/_board_body.html", {"summary": Summary(without_objective=[cpd]), "cards": []}
    )
    assert "non-mandatory CPD" in board and "cpd" not in board
