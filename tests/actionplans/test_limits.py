"""Length limits on free text, and the public plan PDF cached and throttled (issue 13, L11)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from actionplans import public, services
from actionplans.models import Objective
from tests.actionplans.conftest import PLAN_YEAR
from wres_portal.models import NOTE_MAX, TEXT_MAX

OWN_APPS = ("accounts", "submissions", "metrics", "actionplans", "portal")


#: Pages the portal renders from stored figures and keeps to serve again (issue 18): nobody types
#: them, and their size follows the figures, not anyone's input.
RENDERED = {
    "metrics.ResultsPageDocument.cards_all",
    "metrics.ResultsPageDocument.cards_adults",
    "metrics.ResultsPageDocument.cards_children",
    "metrics.DashboardDocument.figures_html",
    # Django's signed session data (accounts.Session): written by the portal, never typed.
    "accounts.Session.session_data",
}


def test_every_free_text_field_has_a_length_limit() -> None:
    unlimited = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OWN_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField | models.CharField) and not field.max_length
    ]
    assert sorted(set(unlimited) - RENDERED) == []
    assert set(unlimited) >= RENDERED  # the list names fields that exist


def test_a_plan_paragraph_over_the_limit_is_refused_on_the_page(plan, alice) -> None:
    client = Client()
    client.force_login(alice)
    url = reverse("actionplans:objective_create", args=[plan.authority.ons_code, plan.year])
    response = client.post(url, {"text": "x" * (TEXT_MAX + 1)})
    assert response.status_code == 200
    assert "Objective must be 5,000 characters or fewer" in response.content.decode()
    assert not Objective.objects.filter(plan=plan).exists()


def test_a_plan_paragraph_over_the_limit_is_refused_by_the_api(plan, alice) -> None:
    api = APIClient()
    api.force_authenticate(alice)
    base = f"/api/v1/authorities/{plan.authority.ons_code}/action-plans/{PLAN_YEAR}/"
    response = api.post(base + "objectives/", {"text": "x" * (TEXT_MAX + 1)}, format="json")
    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == ["/text"]
    response = api.patch(base, {"senior_sponsors": "x" * (NOTE_MAX + 1)}, format="json")
    assert response.status_code == 400
    assert not Objective.objects.filter(plan=plan).exists()


def test_a_late_reason_or_a_message_over_the_limit_is_refused(alice, sponsor_a, draft) -> None:
    from submissions.forms import ExplanationForm, LateReasonForm, SendBackForm

    for form, field in (
        (LateReasonForm, "late_reason"),
        (SendBackForm, "message"),
        (ExplanationForm, "text"),
    ):
        bound = form(data={field: "x" * (NOTE_MAX + 1)})
        assert not bound.is_valid()
        assert "must be 2,000 characters or fewer" in bound.errors[field][0]


# The public PDF -----------------------------------------------------------------------------------


@pytest.fixture
def published(signed_plan, alice):
    return services.plan_publish(plan=signed_plan, user=alice)


def test_the_public_pdf_is_drawn_once_per_signed_version_and_may_be_kept(published, monkeypatch) -> None:
    from actionplans import exports

    drawn = []
    real = exports.document_pdf

    def counted(*args: Any, **kwargs: Any) -> bytes:
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "document_pdf", counted)
    url = reverse("actionplans:public_pdf", args=[published.public_id])
    client = Client()
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert len(drawn) == 1
    assert first["Cache-Control"] == "public, max-age=3600"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert len(drawn) == 1


def test_the_public_pdf_is_throttled_per_address(published, monkeypatch) -> None:
    monkeypatch.setattr(public, "PUBLIC_PDF_RATE", "3/min")
    url = reverse("actionplans:public_pdf", args=[published.public_id])
    client = Client()
    statuses = [client.get(url, REMOTE_ADDR="198.51.100.7").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(url, REMOTE_ADDR="198.51.100.7")
    assert int(refused["Retry-After"]) >= 1
    assert client.get(url, REMOTE_ADDR="198.51.100.8").status_code == 200
