"""Issue 15, item 4: targets that cannot be misread. Pay band shares are entered as percentages
("15" and "15%" both mean 15%, shown as 15% on the plan page and in the document its PDF is made
from), relative likelihoods as plain numbers; the round is the one after the plan's year at the
earliest; no raw "---------" option."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actionplans.models import Target
from actionplans.presenters import plan_document
from tests.actionplans.conftest import PLAN_YEAR
from tests.concurrency import hidden

pytestmark = pytest.mark.django_db


def _url(plan) -> str:
    objective = plan.objectives.order_by("number").first()
    return reverse("actionplans:target_create", args=[plan.authority.ons_code, plan.year, objective.uuid])


def _post(client, plan, **fields):
    data = {
        "indicator": "m1_upper",
        "service": "all",
        "comparison": "gte",
        "value": "15",
        "round_label": str(PLAN_YEAR + 1),
    }
    page = client.get(_url(plan)).content.decode()
    return client.post(_url(plan), {**data, **fields, "seen": hidden(page, "seen")})


@pytest.mark.parametrize("typed", ["15", "15%", "15 %"])
def test_a_pay_band_share_is_entered_as_a_percentage(client, alice, written_plan, typed) -> None:
    client.force_login(alice)
    response = _post(client, written_plan, value=typed)
    assert response.status_code == 302
    target = Target.objects.get(plan=written_plan, indicator="m1_upper")
    assert target.value == pytest.approx(0.15)
    assert "at least 15% by the 2027 round" in target.description
    page = client.get(
        reverse("actionplans:detail", args=[written_plan.authority.ons_code, written_plan.year])
    )
    assert "at least 15% by the 2027 round" in page.content.decode()
    targets = [t["description"] for o in plan_document(written_plan)["objectives"] for t in o["targets"]]
    assert any("at least 15% by the 2027 round" in text for text in targets), targets


def test_a_relative_likelihood_is_a_plain_number_and_refuses_a_percent_sign(
    client, alice, written_plan
) -> None:
    client.force_login(alice)
    assert _post(client, written_plan, indicator="m2", value="0.80").status_code == 302
    assert Target.objects.get(plan=written_plan, indicator="m2").value == pytest.approx(0.8)
    response = _post(client, written_plan, indicator="m2", value="80%")
    assert response.status_code == 200
    assert "A relative likelihood is not a percentage" in response.content.decode()


@pytest.mark.parametrize("value", ["150", "-5%", "lots"])
def test_impossible_percentages_are_refused_in_plain_english(client, alice, written_plan, value) -> None:
    client.force_login(alice)
    response = _post(client, written_plan, value=value)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a percentage from 0% to 100%" in html or "Enter the target figure as a number" in html
    assert not Target.objects.filter(plan=written_plan, indicator="m1_upper").exists()


@pytest.mark.parametrize("round_label", ["1999", str(PLAN_YEAR), "twenty"])
def test_the_round_is_the_one_after_the_plans_year_at_the_earliest(
    client, alice, written_plan, round_label
) -> None:
    client.force_login(alice)
    response = _post(client, written_plan, round_label=round_label)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{PLAN_YEAR + 1}" in html
    assert "The round must be 2027 or later" in html or "Enter the round as a year, like 2027" in html
    assert not Target.objects.filter(plan=written_plan).exists()


def test_the_target_form_has_no_blank_dashes_option(client, alice, written_plan) -> None:
    client.force_login(alice)
    html = client.get(_url(written_plan)).content.decode()
    assert "---------" not in html
