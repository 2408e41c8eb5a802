"""Shape what the portal's pages show: the rows of the analysts' list of authorities. No queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.formats import localize
from django.utils.safestring import SafeString

from accounts.models import AuthorityType
from submissions.presenters import region_label, status_tag, table_body, text
from wres_portal.reverse_cache import reverse_cached

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


def _row(row: Mapping[str, Any], round_label: str | None) -> str:
    ons_code, name = row["ons_code"], text(row["name"])
    share = row["population_minority_ethnic_percent"]
    if share is None:
        population = _NOT_KNOWN.format(text(reverse_cached("accounts:authority_edit", (ons_code,))), name)
    else:
        population = text(localize(share)) + "%"
    if round_label is None:
        status = _NO_ROUND
    else:
        detail = reverse_cached("submissions:detail", (ons_code, round_label))
        status = _STATUS.format(text(detail), status_tag(row["return_status"]), name)
    return _ROW.format(
        home=text(reverse_cached("portal:council_home", (ons_code,))),
        name=name,
        ons_code=text(ons_code),
        region=text(region_label(row["region"])),
        kind=text(_KINDS.get(row["authority_type"], row["authority_type"])),
        population=population,
        status=status,
    )


def authority_rows(rows: Iterable[Mapping[str, Any]], round_label: str | None) -> SafeString:
    """The analysts' list of authorities' table body (templates/portal/authority_list.html): one row
    per council of `rows` (dicts of AUTHORITY_ROW_FIELDS, and "return_status" when a round is open),
    the no-match row when there is none."""
    return table_body((_row(row, round_label) for row in rows), 6)
