"""Scenario builders: the states a test starts from, reached through the real services.

Each builder takes the return or plan there the way the people involved would (the services check
roles, statuses and warnings exactly as in production), so a scenario can never be one that the
portal itself could not reach. Missing people are made with `tests.factories.member`; pass your own
(`alice`, `sponsor_a`, `analyst`...) where the test asserts on who acted.

Returns (`Return`, re-read from the database, at the status the name says):
    draft_return(authority, round, lead=None, data=None)          a complete, valid draft
    submitted_return(authority, round, ..., compute_results=False) warnings explained, submitted; with
                                                                   `compute_results` its `Result` rows stored
    signed_off_return(authority, round, ..., sponsor=None)         signed off by a senior sponsor
    accepted_return(authority, round, analyst, ...)                accepted by an analyst
    advance(record, to, lead=, sponsor=, analyst=)                 an existing return taken on from its
                                                                   status to `to` (submit, sign off, accept)
    submit(record, lead=None) / sign_off(record, sponsor)          one step, the forms filled in
    store_results(record)                                          its current version's results stored

Rounds:
    closed_round(label, created_by=None)                           a round whose closing date has passed
    round_with_accepted_returns(analyst, n=8, regions=..., ...)    n councils' accepted returns in one
                                                                   round (synthetic figures), results and
                                                                   benchmarks computed

Action plans (`ActionPlan`, re-read):
    written_plan(authority, lead, year=2026)                       header, two objectives linked to
                                                                   metrics, three actions (one past due)
    write_plan(plan, lead)                                         the same, for a plan already started
    sign_plan(plan, sponsor)                                       the sponsor's sign-off (a `PlanVersion`)
    signed_plan(authority, lead, sponsor, year=2026)               a written plan, signed off

`compute_results` and the round builder run the metrics services in-process (no worker): tests whose
point is a real worker start one themselves (tests/workers.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone

from accounts.models import Authority, Role, User
from submissions import services as submission_services
from submissions.models import CollectionRound, Return, ReturnVersion
from submissions.schema import ReturnData
from tests.factories import AuthorityFactory, UserFactory, member, open_round, valid_data

PLAN_YEAR = 2026
_ORDER: list[str] = [
    Return.Status.DRAFT,
    Return.Status.SUBMITTED,
    Return.Status.SIGNED_OFF,
    Return.Status.ACCEPTED,
]


# Returns ------------------------------------------------------------------------------------------


def _reread(record: Return) -> Return:
    return Return.objects.select_related("current_version", "authority", "round").get(pk=record.pk)


def draft_return(
    authority: Authority,
    collection_round: CollectionRound,
    *,
    lead: User | None = None,
    data: ReturnData | None = None,
    source: str = ReturnVersion.Source.WEB,
) -> Return:
    """`authority`'s return for the round with one draft version of `data` (default: valid_data())."""
    lead = lead or member(authority, Role.PROGRAMME_LEAD)
    record = submission_services.return_get_or_create(authority=authority, collection_round=collection_round)
    submission_services.draft_save(
        record=record, data=valid_data() if data is None else data, user=lead, source=source
    )
    return _reread(record)


def _lead_of(record: Return) -> User:
    return member(record.authority, Role.PROGRAMME_LEAD)


def submit(record: Return, *, lead: User | None = None, late_reason: str = "Test") -> Return:
    """Explain every warning of the current version ("Checked.") and submit it."""
    lead = lead or _lead_of(record)
    record = _reread(record)
    for warning in submission_services.version_warnings(record.current()):
        submission_services.warning_explain(record=record, key=warning.key, text="Checked.", user=lead)
    submission_services.return_submit(record=record, user=lead, late_reason=late_reason)
    return _reread(record)


def sign_off(record: Return, sponsor: User, *, signed_on: datetime.date | None = None) -> Return:
    """`sponsor` signs the submitted return off with the declaration made."""
    submission_services.return_sign_off(
        record=record,
        user=sponsor,
        name="Dr A Sponsor",
        role="Director of Adult Social Services",
        signed_on=signed_on or timezone.localdate(),
        declaration=True,
    )
    return _reread(record)


def advance(
    record: Return,
    to: str,
    *,
    lead: User | None = None,
    sponsor: User | None = None,
    analyst: User | None = None,
) -> Return:
    """Take `record` on from its current status to `to` through each step between, as the people
    involved would (people not given are made: a programme lead, a senior sponsor, an analyst)."""
    record = _reread(record)
    start, stop = _ORDER.index(record.status), _ORDER.index(to)
    if stop < start:
        raise ValueError(f"cannot take a {record.status} return back to {to}")
    for status in _ORDER[start + 1 : stop + 1]:
        if status == Return.Status.SUBMITTED:
            record = submit(record, lead=lead)
        elif status == Return.Status.SIGNED_OFF:
            record = sign_off(record, sponsor or member(record.authority, Role.SENIOR_SPONSOR))
        else:
            analyst = analyst or UserFactory.create(national_role=User.NationalRole.ANALYST)
            submission_services.return_accept(record=record, user=analyst)
            record = _reread(record)
    return record


def store_results(record: Return) -> Return:
    """Store the results of the return's current version in-process, as the metrics task would."""
    from metrics.services import results_compute

    results_compute(version=record.current())
    return record


def submitted_return(
    authority: Authority,
    collection_round: CollectionRound,
    *,
    lead: User | None = None,
    data: ReturnData | None = None,
    compute_results: bool = False,
) -> Return:
    """A submitted return (warnings explained); with `compute_results` its results are stored too."""
    lead = lead or member(authority, Role.PROGRAMME_LEAD)
    record = submit(draft_return(authority, collection_round, lead=lead, data=data), lead=lead)
    return store_results(record) if compute_results else record


def signed_off_return(
    authority: Authority,
    collection_round: CollectionRound,
    *,
    lead: User | None = None,
    sponsor: User | None = None,
    data: ReturnData | None = None,
) -> Return:
    record = draft_return(authority, collection_round, lead=lead, data=data)
    return advance(record, Return.Status.SIGNED_OFF, lead=lead, sponsor=sponsor)


def accepted_return(
    authority: Authority,
    collection_round: CollectionRound,
    analyst: User,
    *,
    data: ReturnData | None = None,
    lead: User | None = None,
    sponsor: User | None = None,
) -> Return:
    """An accepted return. Its results and the round's benchmarks are computed by the on-commit tasks:
    inside a test's transaction wrap the call in `django_capture_on_commit_callbacks(execute=True)`,
    or call `metrics.services.benchmarks_recompute` afterwards."""
    record = draft_return(authority, collection_round, lead=lead, data=data, source=ReturnVersion.Source.API)
    return advance(record, Return.Status.ACCEPTED, lead=lead, sponsor=sponsor, analyst=analyst)


# Rounds -------------------------------------------------------------------------------------------


def closed_round(
    label: str = "2024", created_by: User | None = None, *, days_ago: int = 1
) -> CollectionRound:
    """A round that opened 90 days before it closed, `days_ago` days ago."""
    today = timezone.localdate()
    closes = today - datetime.timedelta(days=days_ago)
    return open_round(
        label, created_by=created_by, opens_on=closes - datetime.timedelta(days=90), closes_on=closes
    )


def round_with_accepted_returns(
    analyst: User,
    *,
    n: int = 8,
    label: str = "2025",
    regions: Sequence[str] = ("London", "North West"),
    data: Callable[[int], ReturnData] | None = None,
    collection_round: CollectionRound | None = None,
    authority_fields: Callable[[int], dict[str, Any]] | None = None,
) -> CollectionRound:
    """`n` councils (regions in turn) with accepted returns in one round, then the round's benchmarks
    recomputed. Figures: `data(i)` for council i, by default `synthetic_return(i)` with a minority
    ethnic share rising from 10%. The recompute stores every return's results first (in bulk)."""
    from metrics.services import benchmarks_recompute
    from submissions.synthetic import synthetic_return

    collection_round = collection_round or open_round(label, created_by=analyst)
    figures = data or (lambda i: synthetic_return(i, minority_share=0.1 + i / 50))
    for i in range(n):
        fields = {"region": regions[i % len(regions)], "population_minority_ethnic_percent": 20 + i}
        authority = AuthorityFactory.create(**{**fields, **(authority_fields(i) if authority_fields else {})})
        accepted_return(authority, collection_round, analyst, data=figures(i))
    benchmarks_recompute(collection_round=collection_round)
    return collection_round


# Action plans -------------------------------------------------------------------------------------


def written_plan(authority: Authority, lead: User, *, year: int = PLAN_YEAR):
    """`authority`'s plan for `year`: the header filled in, two objectives linked to metrics (m2 and m8;
    m9), three actions, the first due 1 May 2026."""
    from actionplans import services

    return write_plan(services.plan_create(authority=authority, year=year, user=lead), lead)


def write_plan(plan, lead):
    """Fill in a new draft `plan` as `written_plan` describes."""
    from actionplans import services
    from actionplans.models import ActionPlan

    services.plan_update(
        plan=plan,
        user=lead,
        senior_sponsors="Sam Sponsor, Director of Adult Social Services",
        programme_leads="Alice Lead, Principal Social Worker",
        direct_employees=1930,
        how_agreed="Agreed at the WRES project board.",
    )
    first = services.objective_create(
        plan=plan,
        user=lead,
        text="An anti-racist approach to recruitment.",
        themes=["recruitment_retention"],
        related_indicators=["m2", "m8"],
        leads="Head of HR",
        indicators_of_improvement="More minority ethnic candidates appointed from shortlisting.",
        timeframe="March 2027",
    )
    second = services.objective_create(
        plan=plan,
        user=lead,
        text="A diverse leadership team.",
        themes=["leadership"],
        related_indicators=["m9"],
    )
    services.action_create(
        objective=first, user=lead, text="Anonymised shortlisting.", due_date=datetime.date(2026, 5, 1)
    )
    services.action_create(objective=first, user=lead, text="Diverse interview panels.")
    services.action_create(objective=second, user=lead, text="Mentoring for aspiring leaders.")
    return ActionPlan.objects.get(pk=plan.pk)


def sign_plan(plan, sponsor):
    """`sponsor` signs the plan off (declaration made, today); returns the new `PlanVersion`."""
    from actionplans import services

    return services.plan_sign_off(
        plan=plan,
        user=sponsor,
        name="Sam Sponsor",
        role="Director of Adult Social Services",
        signed_on=timezone.localdate(),
        declaration=True,
    )


def signed_plan(authority: Authority, lead: User, sponsor: User, *, year: int = PLAN_YEAR):
    from actionplans.models import ActionPlan

    plan = written_plan(authority, lead, year=year)
    sign_plan(plan, sponsor)
    return ActionPlan.objects.get(pk=plan.pk)


def downloaded(response) -> bytes:
    """A download's bytes, whether it was sent whole (a stored document: PostgreSQL) or streamed
    (built row by row: SQLite keeps no monitor versions, so status.csv is always streamed there)."""
    return b"".join(response.streaming_content) if response.streaming else response.content
