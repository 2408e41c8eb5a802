"""Releases: made on purpose, frozen, audited with every earlier release, published only when safe."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from metrics.models import Release
from metrics.releases import services as releases
from metrics.tasks import make_release
from submissions.synthetic import synthetic_return
from tests.builders import round_with_accepted_returns
from tests.factories import open_round
from tests.metrics.test_auditor import ONE_COUNCIL_TYPES, PLACES, adversarial_figures
from tests.workers import require_postgresql


@pytest.fixture
def adversarial(analyst):
    return round_with_accepted_returns(
        analyst,
        n=len(PLACES),
        label="2032",
        data=adversarial_figures,
        authority_fields=lambda n: {
            "region": PLACES[n][0],
            "authority_type": PLACES[n][1],
            "name": ONE_COUNCIL_TYPES.get(PLACES[n][1], f"{PLACES[n][0]} {n}"),
        },
    )


def test_a_release_of_an_adversarial_world_passes_its_audit(adversarial, analyst) -> None:
    release = releases.release_create(
        collection_round=adversarial, user=analyst, note="First release.", budget_seconds=5
    )
    print(release.audit["ok"], release.audit["targets"], release.audit["programs"], release.audit["seconds"])
    print(release.suppression)
    print(release.changes)
    for leak in release.audit["leaks"][:20]:
        print(leak)
    assert release.audit["ok"]


def test_a_council_accepted_between_releases_is_not_given_away(adversarial, analyst) -> None:
    first = releases.release_create(
        collection_round=adversarial, user=analyst, note="First.", budget_seconds=2
    )
    releases.release_publish(release=first, user=analyst)
    round_with_accepted_returns(
        analyst, n=1, collection_round=adversarial, data=lambda _: synthetic_return("plymouth"),
        authority_fields=lambda _: {"region": "South West", "authority_type": "unitary", "name": "Plymouth"},
    )  # fmt: skip
    second = releases.release_create(
        collection_round=adversarial, user=analyst, note="Plymouth accepted.", budget_seconds=2
    )
    print(second.changes, second.audit["ok"], second.suppression)
    # Plymouth alone would change England, the South West and the unitary authorities by one council:
    # it is held back until 5 or more have changed in each of its areas
    assert second.changes["held_back"] == ["Plymouth"] and second.changes["added"] == []
    kept = {(k["scope"], k["area"]) for k in second.changes["kept"]}
    assert kept == {("national", ""), ("region", "South West"), ("authority_type", "unitary")}
    assert second.tables["pooled"] == first.tables["pooled"]  # every area Plymouth is in keeps its figures
    assert second.tables["distribution"] == first.tables["distribution"]
    assert second.audit["ok"]
    assert releases.release_publish(release=second, user=analyst).published


def test_publishing_is_refused_naming_the_cells(client, adversarial, analyst) -> None:
    """Release 1 is made and left unpublished; Plymouth is accepted; release 2 (built against no
    published release) is published. Publishing release 1 now would let a reader take one from the
    other: refused, naming Plymouth's counts."""
    first = releases.release_create(
        collection_round=adversarial, user=analyst, note="First.", budget_seconds=0
    )
    round_with_accepted_returns(
        analyst, n=1, collection_round=adversarial, data=lambda _: synthetic_return("plymouth"),
        authority_fields=lambda _: {"region": "South West", "authority_type": "unitary", "name": "Plymouth"},
    )  # fmt: skip
    second = releases.release_create(
        collection_round=adversarial, user=analyst, note="Second.", budget_seconds=0
    )
    releases.release_publish(release=second, user=analyst)
    with pytest.raises(releases.PublishRefused) as refused:
        releases.release_publish(release=first, user=analyst)
    assert any(leak.kind == "council" and "Plymouth" in leak.what for leak in refused.value.leaks)
    assert not Release.objects.get(pk=first.pk).published
    client.force_login(analyst)
    page = client.post(reverse("metrics:release", args=[adversarial.label, first.number]))
    assert page.status_code == 409
    body = page.content.decode()
    assert "This release cannot be published" in body and "Plymouth" in body
    assert not Release.objects.get(pk=first.pk).published


def test_a_release_cannot_be_changed_or_deleted(adversarial, analyst) -> None:
    release = releases.release_create(
        collection_round=adversarial, user=analyst, note="First.", budget_seconds=0
    )
    release.note = "Rewritten"
    with pytest.raises(ValueError, match="cannot be changed"):
        release.save()
    with pytest.raises(ValueError, match="never deleted"):
        release.delete()
    assert Release.objects.get(pk=release.pk).note == "First."


def test_postgresql_refuses_to_rewrite_or_delete_a_release(db, analyst) -> None:
    require_postgresql()
    release = Release.objects.create(
        round=open_round("2040", created_by=analyst), number=1, created_by=analyst, note="First.",
        changes={}, tables={}, basis={}, audit={}, suppression={},
    )  # fmt: skip
    rows = Release.objects.filter(pk=release.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(note="Rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(tables={"pooled": "anything"})
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.delete()
    rows.update(published=True, published_by=analyst)  # publishing: the one change allowed, once
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(published=False)
    assert rows.get().note == "First." and rows.get().published


def test_an_analyst_makes_checks_and_publishes_a_release_from_the_pages(client, adversarial, analyst) -> None:
    client.force_login(analyst)
    releases_page = reverse("metrics:releases", args=[adversarial.label])
    assert "No release has been made" in client.get(releases_page).content.decode()
    empty = client.post(releases_page, {"note": " "})
    assert "Enter what changed since the previous release" in empty.content.decode()
    made = client.post(releases_page, {"note": "The first 17 accepted returns."})
    assert made.status_code == 302
    release = Release.objects.get(round=adversarial)
    assert made["Location"] == reverse("metrics:release", args=[adversarial.label, 1])
    # the background task is safe to run twice: release 1 is made once
    assert make_release(adversarial.pk, analyst.pk, "Again.", 1) == release.pk
    assert Release.objects.filter(round=adversarial).count() == 1
    page = client.get(made["Location"]).content.decode()
    suppression = release.suppression
    assert f"{suppression['hidden']} of {suppression['cells']}" in page
    assert f"{suppression['primary']} (a count from 1 to 9" in page
    assert "Ready to publish" in client.get(releases_page).content.decode()
    csv = client.get(reverse("metrics:release_csv", args=[adversarial.label, 1, "pooled"])).content.decode()
    assert "London boroughs and the City of London" in csv and "City of London," not in csv.split("\n")[1]
    assert client.post(made["Location"]).status_code == 302
    assert Release.objects.get(pk=release.pk).published
    assert "Published" in client.get(made["Location"]).content.decode()
    assert (
        client.get(reverse("metrics:national_csv", args=[adversarial.label, "pooled"])).content.decode()
        == csv
    )


def test_the_live_dashboard_says_which_figures_are_not_safe_to_publish(client, adversarial, analyst) -> None:
    client.force_login(analyst)
    page = client.get(reverse("metrics:dashboard"), {"round": adversarial.label}).content.decode()
    assert "not safe to publish" in page and "[c]: a count from 1 to 9" in page
    assert "say how many councils had a case" in page
    combination = client.get(
        reverse("metrics:dashboard"),
        {"round": adversarial.label, "region": "London", "authority_type": "city_of_london"},
    ).content.decode()
    assert "A region and a type together is never published" in combination
    city = client.get(
        reverse("metrics:dashboard"), {"round": adversarial.label, "authority_type": "city_of_london"}
    )
    assert "Built from 1 council, fewer than 5" in city.content.decode()


def test_the_api_lists_releases_and_serves_their_tables_to_analysts_only(db, analyst, alice) -> None:
    from rest_framework.test import APIClient

    from tests.factories import api_key

    collection_round = open_round("2041", created_by=analyst)
    tables = {
        "about": {"title": "About", "headers": ["Item", "Value"], "rows": [["Release", 1]]},
        "pooled": {
            "title": "Pooled counts",
            "headers": ["Scope", "Numerator: white"],
            "rows": [["England", "[c]"]],
        },
        "distribution": {"title": "Distribution", "headers": ["Scope"], "rows": []},
    }
    Release.objects.create(
        round=collection_round, number=1, created_by=analyst, note="First.", changes={"added": ["Leeds"]},
        tables=tables, basis={}, audit={"ok": True, "leaks": []}, suppression={"hidden": 1},
    )  # fmt: skip
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(analyst, 'read')}")
    base = f"/api/v1/rounds/{collection_round.label}/releases/"
    listed = api.get(base).json()["results"]
    assert [r["number"] for r in listed] == [1] and listed[0]["note"] == "First." and listed[0]["audit_ok"]
    assert listed[0]["tables"]["pooled"].endswith(f"{base}1/tables/pooled/")
    assert api.get(f"{base}1/").json()["changes"] == {"added": ["Leeds"]}
    assert api.get(f"{base}1/tables/pooled/").json() == tables["pooled"]
    csv = api.get(f"{base}1/tables/pooled.csv")
    assert (
        csv["Content-Type"].startswith("text/csv") and csv.content.decode().splitlines()[1] == "England,[c]"
    )
    assert api.get(f"{base}1/tables/secret/").status_code == 404
    assert api.get(f"{base}2/").status_code == 404
    council = APIClient()
    council.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice, 'read')}")
    for url in (base, f"{base}1/", f"{base}1/tables/pooled/", f"{base}1/tables/pooled.csv"):
        assert council.get(url).status_code == 404
    assert APIClient().get(base).status_code == 401
