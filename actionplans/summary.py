"""The analysts' national action-plan page's counts for a plan year (issue 18): plans started and
signed off, councils, plan years, objectives by theme, each quarter's RAG statuses by theme, the
latest quarter reported and the overdue reports (how many, and the first few). Counting them read
every plan, objective, report and update of the year: 290 to 301 ms at 20,000 councils, growing with their
number. They are built once for each `PlansVersion` and day and stored (`PlansDocument`), so the
page reads them in one query whatever the number of councils.

As the completeness monitor's documents (`submissions.documents`): the version is read before the
rows a build reads, and the triggers bump it in the same commit as the rows, so a document is built
from rows at least as new as the version its key names; a later change gives a new key and another
build, never a stale document. The key names the day too: a report becomes overdue with the date.
Two builds at once both store (an upsert), the later one wins. Without a kept version (not
PostgreSQL) nothing is stored and the counts are counted on every request, as before."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import User
from wres_portal.bulk import store_document

from . import selectors
from .models import PlansDocument

#: How many overdue reports the national page lists before linking to all of them.
OVERDUE_SHOWN = 10

#: Raise when what a document holds, or how it is made, changes (the key names it).
FORMAT = 1


@dataclass(frozen=True)
class NationalCounts:
    councils: int
    started: int
    signed: int
    years: list[int]
    #: The number of the latest quarter of the year with a submitted or signed-off report, if any.
    latest_reported: int | None
    objectives: dict[str, int]
    #: By quarter number, theme and RAG status (only those with updates).
    rag: dict[int, dict[str, dict[str, int]]]
    overdue_count: int
    #: The first OVERDUE_SHOWN overdue reports, as rows of `selectors.OVERDUE_FIELDS`.
    overdue_first: list[dict[str, Any]]

    def rag_in(self, quarter: int) -> dict[str, Counter[str]]:
        return {theme: Counter(counts) for theme, counts in self.rag.get(quarter, {}).items()}


def key(year: int, version: int, today: datetime.date) -> str:
    return hashlib.sha256(repr((FORMAT, year, version, today.isoformat())).encode()).hexdigest()


def count(user: User | AnonymousUser, year: int, today: datetime.date) -> NationalCounts:
    """The counts, read from the database (what a stored document holds)."""
    started, signed = selectors.plan_counts(user, year)
    latest = selectors.latest_reported_quarter(user, year)
    overdue = selectors.overdue_reports(user, year, today)
    return NationalCounts(
        councils=selectors.councils_count(user),
        started=started,
        signed=signed,
        years=selectors.plan_years(user),
        latest_reported=latest.number if latest else None,
        objectives=dict(selectors.objective_theme_counts(user, year)),
        rag={
            number: {theme: dict(values) for theme, values in themes.items()}
            for number, themes in selectors.rag_theme_counts(user, year).items()
        },
        overdue_count=overdue.count(),
        overdue_first=list(overdue[:OVERDUE_SHOWN]),
    )


def _loads(content: bytes) -> NationalCounts:
    data = json.loads(content)
    data["rag"] = {int(number): themes for number, themes in data["rag"].items()}
    return NationalCounts(**data)


def national_counts(user: User, year: int, today: datetime.date) -> NationalCounts:
    """The counts of plan year `year` as of `today` for a national user (who sees every council: the
    caller has checked), from the stored document where it was built for the current version and
    day, else counted and stored. The document is shared by every national user, so it is never
    read or built for anyone else."""
    if not user.is_national:
        raise PermissionDenied
    found = selectors.plans_document(year)
    if found is None:
        return count(user, year, today)
    version, stored_key, content = found
    wanted = key(year, version, today)
    if stored_key == wanted and content is not None:
        return _loads(content)
    counts = count(user, year, today)
    store_document(
        PlansDocument,
        unique={"year": year},
        values={"key": wanted, "content": json.dumps(asdict(counts), sort_keys=True).encode()},
    )
    return counts
