"""The analysts' long lists' rows made in Python (issue 18): the completeness monitor's and the list of
authorities' table bodies are written by their apps' presenters instead of a template loop, with the
same markup and the same escaping, and the list of authorities reads what it shows in a fixed, small
number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import QuerySet
from django.template import engines
from django.urls import reverse

from accounts.models import Authority, Region
from portal.presenters import AUTHORITY_ROW_FIELDS, authority_rows
from submissions.models import ClosingDateExtension, Return
from submissions.presenters import MONITOR_ROW_FIELDS, monitor_rows
from submissions.selectors import authorities_in_round, with_return_status
from tests.builders import accepted_return, draft_return, signed_off_return, submitted_return
from tests.factories import AuthorityFactory
from tests.workers import require_postgresql

# The template loops the presenters replaced, word for word: what the rows must still give.
MONITOR_LOOP = """{% load navigation %}
    {% for authority in page.object_list %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{% cached_url 'submissions:detail' authority.ons_code round.label %}">{{ authority.name }}</a></td>
      <td class="govuk-table__cell">{{ authority.get_region_display }}</td>
      <td class="govuk-table__cell">{% return_status_tag authority.return_status %}{% if authority.return_late %} <strong class="govuk-tag govuk-tag--orange">Late</strong>{% endif %}</td>
      <td class="govuk-table__cell">{{ authority.closes|date:"j M Y" }}</td>
      <td class="govuk-table__cell">{% if authority.return_status != "accepted" %}<a class="govuk-link" href="{% cached_url 'submissions:extend' authority.ons_code round.label %}">Extend<span class="govuk-visually-hidden"> the closing date for {{ authority.name }}</span></a>{% endif %}</td>
    </tr>
    {% empty %}
    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="5">No authority matches these filters.</td></tr>
    {% endfor %}
  """  # noqa: E501
AUTHORITY_LOOP = """{% load navigation %}
    {% for authority in page.object_list %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{% cached_url 'portal:council_home' authority.ons_code %}">{{ authority.name }}</a></td>
      <td class="govuk-table__cell">{{ authority.ons_code }}</td>
      <td class="govuk-table__cell">{{ authority.get_region_display }}</td>
      <td class="govuk-table__cell">{{ authority.get_authority_type_display }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{% if authority.population_minority_ethnic_percent is not None %}{{ authority.population_minority_ethnic_percent }}%{% else %}<a class="govuk-link" href="{% cached_url 'accounts:authority_edit' authority.ons_code %}">Not known<span class="govuk-visually-hidden">: add it for {{ authority.name }}</span></a>{% endif %}</td>
      <td class="govuk-table__cell">{% if current_round %}<a class="govuk-link" href="{% cached_url 'submissions:detail' authority.ons_code current_round.label %}">{% return_status_tag authority.return_status %}<span class="govuk-visually-hidden"> – {{ authority.name }}</span></a>{% else %}<strong class="govuk-tag govuk-tag--grey">No round open</strong>{% endif %}</td>
    </tr>
    {% empty %}
    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="6">No authority matches these filters.</td></tr>
    {% endfor %}
  """  # noqa: E501

SCRIPT = "A & B <script>alert(1)</script>"


def _loop(source: str, **context) -> str:
    return (
        engines["django"]
        .from_string(source)
        .render({"page": {"object_list": context.pop("rows")}, **context})
    )


@pytest.fixture
def councils(analyst, collection_round) -> list[Authority]:
    """Councils at every status, late and extended, with names that need escaping and shares blank."""
    made = [
        AuthorityFactory.create(name=SCRIPT, population_minority_ethnic_percent=None),
        AuthorityFactory.create(name='O\'Brien "Q" & Co', population_minority_ethnic_percent=Decimal("12.5")),
        AuthorityFactory.create(
            name="Zed > Y", region=Region.LONDON, population_minority_ethnic_percent=Decimal("0.0")
        ),
        AuthorityFactory.create(name="Ünïcode – dash", population_minority_ethnic_percent=Decimal("99.9")),
        AuthorityFactory.create(name="Not started", population_minority_ethnic_percent=None),
        AuthorityFactory.create(name="Late one", population_minority_ethnic_percent=Decimal("5")),
    ]
    signed_off_return(made[0], collection_round)
    draft_return(made[1], collection_round)
    submitted_return(made[2], collection_round)
    accepted_return(made[3], collection_round, analyst)
    late = draft_return(made[5], collection_round)
    Return.objects.filter(pk=late.pk).update(is_late=True)
    ClosingDateExtension.objects.create(
        round=collection_round,
        authority=made[1],
        closes_on=collection_round.closes_on + datetime.timedelta(days=31),
        reason="Asked",
        granted_by=analyst,
    )
    return made


def test_the_monitor_rows_are_the_template_loops_markup(councils, collection_round) -> None:
    annotated = authorities_in_round(collection_round).order_by("name", "pk")
    rows = monitor_rows(annotated.values(*MONITOR_ROW_FIELDS), collection_round.label)
    assert "\n    " + rows + "\n  " == _loop(MONITOR_LOOP, rows=list(annotated), round=collection_round)
    assert "A &amp; B &lt;script&gt;alert(1)&lt;/script&gt;" in rows and "<script>" not in rows
    assert "O&#x27;Brien &quot;Q&quot; &amp; Co" in rows and "Zed &gt; Y" in rows
    assert rows.count("govuk-tag--orange") == 1 and rows.count(">Extend<") == len(councils) - 1
    empty = monitor_rows([], collection_round.label)
    assert "\n    " + empty + "\n  " == _loop(MONITOR_LOOP, rows=[], round=collection_round)


@pytest.mark.parametrize("with_round", [True, False])
def test_the_authority_rows_are_the_template_loops_markup(councils, collection_round, with_round) -> None:
    authorities: QuerySet[Authority] = Authority.objects.order_by("name", "pk")
    fields: tuple[str, ...] = AUTHORITY_ROW_FIELDS
    if with_round:
        authorities = with_return_status(authorities, collection_round)
        fields = (*fields, "return_status")
    label = collection_round.label if with_round else None
    rows = authority_rows(authorities.values(*fields), label)
    expected = _loop(
        AUTHORITY_LOOP, rows=list(authorities), current_round=collection_round if with_round else None
    )
    assert "\n    " + rows + "\n  " == expected
    assert "A &amp; B &lt;script&gt;alert(1)&lt;/script&gt;" in rows and "<script>" not in rows
    assert "12.5%" in rows and rows.count("Not known") == 2
    assert "\n    " + authority_rows([], label) + "\n  " == _loop(AUTHORITY_LOOP, rows=[], current_round=None)


def test_equal_shares_written_differently_are_each_shown_as_written() -> None:
    """The rows keep each formatted share (issue 18): 12.3 and 12.30 are equal numbers, and each
    must still read as `{{ share }}` writes it."""
    row = {"ons_code": "E1", "name": "A", "region": Region.LONDON, "authority_type": "london_borough"}
    for share, shown in [
        (Decimal("12.3"), "12.3%"),
        (Decimal("12.30"), "12.30%"),
        (12, "12%"),
        (12.0, "12.0%"),
    ]:
        rows = authority_rows([{**row, "population_minority_ethnic_percent": share}], None)
        assert f'--numeric">{shown}</td>' in rows


def test_both_pages_escape_a_councils_name(client, analyst, councils, collection_round) -> None:
    client.force_login(analyst)
    for url in (
        reverse("portal:authority_list"),
        reverse("submissions:monitor", args=[collection_round.label]),
    ):
        page = client.get(url).content.decode()
        assert "A &amp; B &lt;script&gt;alert(1)&lt;/script&gt;</a>" in page
        assert "<script>alert(1)" not in page


def test_the_authority_list_reads_what_it_shows_in_five_queries(
    client, analyst, councils, collection_round, django_assert_num_queries
) -> None:
    """Issue 18: eleven queries (a transaction's BEGIN and COMMIT, the waiting list's four), now the
    session with its user, the round, the status counts, the waiting list's document (with the latest
    release's date) and the page, with returns to accept or without. The documents are PostgreSQL's
    (SQLite keeps no monitor versions, and counts every time)."""
    require_postgresql()
    url = reverse("portal:authority_list")
    client.force_login(analyst)
    client.get(url)  # the documents built
    with django_assert_num_queries(5) as queries:
        page = client.get(url).content.decode()
    assert "Accept A &amp; B" in page and "1 return was accepted since the last release" in page
    assert not [q for q in queries.captured_queries if "submissions_returnevent" in q["sql"]]
    Return.objects.filter(status=Return.Status.SIGNED_OFF).update(status=Return.Status.SUBMITTED)
    client.get(url)
    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    assert "Accept " not in page


def test_the_waiting_document_follows_returns_releases_names_and_the_day(
    client, analyst, collection_round, monkeypatch
) -> None:
    """The analyst's waiting list is kept for the monitor version, the latest release and the day:
    each change shows on the next page."""
    from metrics.releases.services import release_create
    from tests.builders import advance

    url = reverse("portal:authority_list")
    client.force_login(analyst)
    signed = signed_off_return(AuthorityFactory.create(name="Signed"), collection_round)
    AuthorityFactory.create(name="Quiet")  # no return
    assert "Accept Signed&#x27;s" in client.get(url).content.decode()
    Authority.objects.filter(name="Signed").update(name="Renamed")
    page = client.get(url).content.decode()
    assert "Accept Renamed&#x27;s" in page and "Make a release" not in page
    advance(signed, Return.Status.ACCEPTED, analyst=analyst)
    page = client.get(url).content.decode()
    assert "Accept Renamed" not in page and "1 return was accepted since the last release" in page
    release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    assert "Make a release" not in client.get(url).content.decode()
    assert "has not submitted" not in client.get(url).content.decode()
    after_closing = collection_round.closes_on + datetime.timedelta(days=1)
    monkeypatch.setattr("portal.waiting.timezone.localdate", lambda: after_closing)
    assert "1 council has not submitted the" in client.get(url).content.decode()
