"""Uploads through the web page and the API under attack (issue 13, H1, L1, L2, L8, L9): a locked
return parses nothing, a CSV of 18,279 columns is a clear error, problems are capped with a count of
the rest, an oversized body is refused before it is read, and nothing goes in before the round opens.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from submissions import returnfile
from submissions.models import Return, ReturnVersion
from submissions.validation import MAX_PROBLEMS
from tests.builders import draft_return, submitted_return
from tests.factories import open_round, valid_data
from tests.submissions import hostile
from tests.submissions.test_apis import _client
from tests.submissions.test_views import _csv


@pytest.fixture
def url(authority_a, collection_round) -> str:
    return reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label])


@pytest.fixture
def api(authority_a, collection_round) -> str:
    return f"/api/v1/authorities/{authority_a.ons_code}/returns/{collection_round.label}/upload/"


@pytest.fixture
def nothing_is_parsed(monkeypatch):
    """Fail the test if the request body or the file is parsed at all."""
    from django.http import multipartparser
    from rest_framework import parsers

    def refuse(*_args, **_kwargs):
        raise AssertionError("the upload was parsed")

    monkeypatch.setattr(returnfile, "read_return_file", refuse)
    monkeypatch.setattr(parsers.MultiPartParser, "parse", refuse)
    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", refuse)


# H1: a return that cannot change parses nothing ---------------------------------------------------


def test_api_upload_to_a_submitted_return_parses_nothing(
    alice, authority_a, collection_round, api, nothing_is_parsed
) -> None:
    submitted_return(authority_a, collection_round, lead=alice)
    content = hostile.space_rows(0.05)
    response = _client(alice).post(api, {"file": SimpleUploadedFile("r.xlsx", content)}, format="multipart")
    assert response.status_code == 409
    assert "submitted, so it cannot be changed" in response.json()["detail"]


def test_web_upload_to_a_submitted_return_parses_nothing(
    client, alice, authority_a, collection_round, url, monkeypatch
) -> None:
    submitted_return(authority_a, collection_round, lead=alice)
    monkeypatch.setattr(returnfile, "read_return_file", lambda *a: pytest.fail("parsed"))
    client.force_login(alice)
    response = client.post(url + "upload/", {"file": SimpleUploadedFile("r.csv", _csv(valid_data()))})
    assert response.status_code == 302
    assert "cannot be changed" in client.get(response["Location"]).content.decode()


# L1: 18,279 columns ------------------------------------------------------------------------------


def test_csv_of_18279_columns_is_a_clear_error_on_the_page_and_in_the_api(client, alice, url, api) -> None:
    content = hostile.many_columns_csv(0)  # 18,279 columns, about 36 KB
    client.force_login(alice)
    page = client.post(url + "upload/", {"file": SimpleUploadedFile("r.csv", content)})
    assert page.status_code == 200
    assert "Line 1 of the file is more than 4,000 characters long" in page.content.decode()
    response = _client(alice).post(api, {"file": SimpleUploadedFile("r.csv", content)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"].startswith("Line 1 of the file is more than 4,000")


# L2: problems capped and counted --------------------------------------------------------------------


def test_a_file_full_of_mistakes_lists_the_first_100_and_counts_the_rest(
    client, alice, authority_a, collection_round, url, api
) -> None:
    content = hostile.many_problems_csv(1.0)
    client.force_login(alice)
    page = client.post(url + "upload/", {"file": SimpleUploadedFile("r.csv", content)})
    text = page.content.decode()
    assert text.count('<tr class="govuk-table__row" id="') == MAX_PROBLEMS
    more = int(text.split("there are ")[1].split(" more")[0])
    assert more > 100
    assert f"And {more} more problems, not listed." in text
    assert len(page.content) < 200_000
    # What is kept for the errors CSV is the same 100 (the cache holds no more).
    args = [authority_a.ons_code, collection_round.label, page.context["token"]]
    errors_csv = client.get(reverse("submissions:upload_errors_csv", args=args))
    assert errors_csv.content.decode().count("\n") == MAX_PROBLEMS + 1
    response = _client(alice).post(api, {"file": SimpleUploadedFile("r.csv", content)}, format="multipart")
    assert len(response.json()["errors"]) == MAX_PROBLEMS
    assert response.json()["more_errors"] == more


# L8: the body is refused before it is read ------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_before_it_is_read(
    client, alice, url, api, nothing_is_parsed, settings
) -> None:
    client.force_login(alice)
    declared = str(50 * 1024 * 1024)
    page = client.post(url + "upload/", {"file": SimpleUploadedFile("r.csv", b"x")}, CONTENT_LENGTH=declared)
    assert page.status_code == 413
    assert "The largest file you can upload is 5 MB" in page.content.decode()
    response = _client(alice).post(
        api, {"file": SimpleUploadedFile("r.csv", b"x")}, format="multipart", CONTENT_LENGTH=declared
    )
    assert response.status_code == 413
    assert "5 MB" in response.json()["detail"]
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.MAX_REQUEST_BYTES  # never spooled to disk


def test_a_real_body_just_over_the_limit_is_refused_and_one_of_5_mb_is_read(client, alice, url) -> None:
    client.force_login(alice)
    big = client.post(url + "upload/", {"file": SimpleUploadedFile("r.csv", b"a" * (6 * 1024 * 1024))})
    assert big.status_code == 413
    five = client.post(url + "upload/", {"file": SimpleUploadedFile("r.csv", b"a," * (5 * 1024 * 512))})
    assert five.status_code == 200
    assert "more than 4,000 characters" in five.content.decode()


# L9: nothing goes in before the round opens ------------------------------------------------------------


@pytest.fixture
def future_round(analyst):
    today = timezone.localdate()
    return open_round(
        "2030",
        created_by=analyst,
        opens_on=today + datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=60),
    )


def test_nothing_can_be_uploaded_entered_or_submitted_before_the_round_opens(
    client, alice, authority_a, future_round
) -> None:
    from submissions import services
    from wres_portal.errors import ApplicationError

    url = reverse("submissions:detail", args=[authority_a.ons_code, future_round.label])
    client.force_login(alice)
    page = client.post(
        url + "upload/", {"file": SimpleUploadedFile("r.csv", _csv(valid_data()))}, follow=True
    )
    assert "round opens on" in page.content.decode()
    api = _client(alice)
    base = f"/api/v1/authorities/{authority_a.ons_code}/returns/{future_round.label}/"
    upload = api.post(
        base + "upload/", {"file": SimpleUploadedFile("r.csv", _csv(valid_data()))}, format="multipart"
    )
    assert upload.status_code == 409
    assert "opens on" in upload.json()["detail"]
    record = services.return_get_or_create(authority=authority_a, collection_round=future_round)
    with pytest.raises(ApplicationError, match="opens on"):
        services.draft_save(record=record, data=valid_data(), user=alice, source=ReturnVersion.Source.WEB)
    with pytest.raises(ApplicationError, match="opens on"):
        services.return_submit(record=record, user=alice)
    assert not ReturnVersion.objects.filter(return_record__round=future_round).exists()
    assert Return.objects.get(pk=record.pk).status == Return.Status.DRAFT


def test_a_draft_made_before_a_round_was_moved_later_cannot_be_submitted(
    alice, authority_a, collection_round
) -> None:
    from submissions import services
    from wres_portal.errors import ApplicationError

    record = draft_return(authority_a, collection_round, lead=alice)
    collection_round.opens_on = timezone.localdate() + datetime.timedelta(days=1)
    collection_round.save()
    record.refresh_from_db()
    with pytest.raises(ApplicationError, match="opens on"):
        services.return_submit(record=record, user=alice)
