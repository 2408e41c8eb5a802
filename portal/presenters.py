"""Shape what the portal's pages show: the rows of the analysts' list of authorities. No queries."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.formats import localize
from django.utils.safestring import SafeString

from accounts.models import AuthorityType
from submissions.presenters import region_label, status_tag, table_body, text
from wres_portal.reverse_cache import reverser

#: What the rows read of each council (`.values(*fields)`); "return_status" too with a round open.
AUTHORITY_ROW_FIELDS = (
    "ons_code",
    "name",
    "region",
    "authority_type",
    "population_minority_ethnic_percent",
)

# Hand-written HTML, for speed (issue 18), as submissions.presenters writes the monitor's rows: 50 rows
# of six cells through a template loop cost more CPU than the rest of the page. Every value from the
# database goes through `text` (the templates' escaping); the markup and whitespace are the template
# loop's, so the page is byte for byte what it was.
_ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <td class="govuk-table__cell"><a class="govuk-link" href="{home}">{name}</a></td>'
    '\n      <td class="govuk-table__cell">{ons_code}</td>'
    '\n      <td class="govuk-table__cell">{region}</td>'
    '\n      <td class="govuk-table__cell">{kind}</td>'
    '\n      <td class="govuk-table__cell govuk-table__cell--numeric">{population}</td>'
    '\n      <td class="govuk-table__cell">{status}</td>'
    "\n    </tr>\n    "
)
_NOT_KNOWN = (
    '<a class="govuk-link" href="{}">Not known<span class="govuk-visually-hidden">: add it for {}</span></a>'
)
_STATUS = '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> – {}</span></a>'
_NO_ROUND = '<strong class="govuk-tag govuk-tag--grey">No round open</strong>'
_KINDS: dict[str, str] = dict(AuthorityType.choices)


def _percent(share: Any) -> str:
    """`{{ share }}%` as a row shows it: many councils share a value, so each is formatted once."""
    return _percent_shown(type(share).__name__, str(share), share)


@functools.lru_cache(maxsize=2048)
def _percent_shown(kind: str, written: str, share: Any) -> str:
    # Kept by type and text as well as value: 12.3 and 12.30 are equal numbers, written differently.
    return text(localize(share)) + "%"


def _row(row: Mapping[str, Any], round_label: str | None, urls: _Urls) -> str:
    ons_code, name = row["ons_code"], text(row["name"])
    share = row["population_minority_ethnic_percent"]
    population = _NOT_KNOWN.format(text(urls.edit(ons_code)), name) if share is None else _percent(share)
    if round_label is None:
        status = _NO_ROUND
    else:
        detail = urls.detail(ons_code, round_label)
        status = _STATUS.format(text(detail), status_tag(row["return_status"]), name)
    return _ROW.format(
        home=text(urls.home(ons_code)),
        name=name,
        ons_code=text(ons_code),
        region=text(region_label(row["region"])),
        kind=text(_KINDS.get(row["authority_type"], row["authority_type"])),
        population=population,
        status=status,
    )


class _Urls:
    """The links of a page of rows, each made by `reverser` once a page."""

    def __init__(self) -> None:
        self.home = reverser("portal:council_home", 1)
        self.edit = reverser("accounts:authority_edit", 1)
        self.detail = reverser("submissions:detail", 2)


def authority_rows(rows: Iterable[Mapping[str, Any]], round_label: str | None) -> SafeString:
    """The analysts' list of authorities' table body (templates/portal/authority_list.html): one row
    per council of `rows` (dicts of AUTHORITY_ROW_FIELDS, and "return_status" when a round is open),
    the no-match row when there is none."""
    urls = _Urls()
    return table_body((_row(row, round_label, urls) for row in rows), 6)
