"""Issue 12, item 7: national benchmarks are a pure function of the accepted returns.

A Hypothesis test drives random sequences of saves, submissions, sign-offs, acceptances and returns
for revision across four councils, runs what each step leaves to be done after commit (the
recompute tasks, in-process), and checks after every step that the stored benchmarks equal a fresh
computation. Before this, returning an accepted return for revision left it in the benchmarks.
A second test loses an acceptance's recompute message (as with Redis down) and shows the sweep
catches it up.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from metrics import services, tasks
from metrics.models import Benchmark, BenchmarkRun
from submissions import services as submission_services
from submissions.models import Return, ReturnVersion
from submissions.schema import GROUPS
from tests import builders
from tests.factories import AuthorityFactory, member, open_round, valid_data
from wres_portal.errors import ApplicationError

REGIONS = ["London", "London", "North East", "North West"]


def _content(rows: list[Benchmark]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            r.scope,
            r.scope_value,
            r.service,
            r.indicator,
            r.n_authorities,
            r.distribution,
            r.p5,
            r.p95,
            r.bands,
            r.pooled,
        )
        for r in rows
    )


def _stored_equals_fresh(collection_round) -> None:
    stored = _content(list(Benchmark.objects.filter(round=collection_round)))
    fresh = _content(services._benchmark_rows(collection_round))
    if not services._accepted(collection_round).exists():
        fresh = []  # nothing accepted: nothing may be published
        assert stored == fresh or not any(row[4] for row in stored)
        return
    assert stored == fresh


def _world():
    from accounts.models import User
    from tests.factories import UserFactory

    analyst = UserFactory.create(email="analyst@sfc.example", national_role=User.NationalRole.ANALYST)
    collection_round = open_round(created_by=analyst)
    councils = []
    for index, region in enumerate(REGIONS):
        authority = AuthorityFactory.create(
            ons_code=f"E0900{index:04d}", name=f"Council {index}", region=region
        )
        lead = member(authority, Role.PROGRAMME_LEAD, f"lead{index}@c.example")
        sponsor = member(authority, Role.SENIOR_SPONSOR, f"sponsor{index}@c.example")
        record = submission_services.return_get_or_create(
            authority=authority, collection_round=collection_round
        )
        councils.append((record, lead, sponsor))
    return analyst, collection_round, councils


def _figures(seed: int):
    data = valid_data()
    for offset, key in enumerate(sorted(data)):
        if key.measure in ("disciplinary", "leavers"):
            data[key] = {g: max(0, data[key][g] + (seed + offset) % 3 - 1) for g in GROUPS}
    return data


def _step(action: str, seed: int, record: Return, lead, sponsor, analyst) -> None:
    record = Return.objects.get(pk=record.pk)
    if action == "save":
        submission_services.draft_save(
            record=record, data=_figures(seed), user=lead, source=ReturnVersion.Source.WEB
        )
    elif action == "submit":
        if record.current_version is None:
            return
        builders.submit(record, lead=lead)
    elif action == "sign_off":
        builders.sign_off(record, sponsor)
    elif action == "accept":
        submission_services.return_accept(record=record, user=analyst)
    elif action == "send_back":
        submission_services.return_send_back(record=record, user=analyst, message="Please check leavers.")


NEXT: dict[str, str] = {
    Return.Status.DRAFT: "submit",
    Return.Status.SUBMITTED: "sign_off",
    Return.Status.SIGNED_OFF: "accept",
    Return.Status.ACCEPTED: "send_back",
}
#: "advance" takes a council's return one step on (a first save, submit, sign off, accept, then
#: return for revision), so random sequences reach every state; "save" and "send_back" also come
#: at any moment, allowed or not.
ACTIONS = st.sampled_from(["advance", "advance", "advance", "save", "send_back"])
STEPS = st.lists(st.tuples(st.integers(0, 2), ACTIONS, st.integers(0, 5)), min_size=4, max_size=24)


class _Rollback(Exception):
    pass


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_stored_benchmarks_equal_a_fresh_computation_after_every_step(
    db, django_capture_on_commit_callbacks, steps
) -> None:
    try:
        with transaction.atomic():
            analyst, collection_round, councils = _world()
            for index, action, seed in steps:
                record, lead, sponsor = councils[index]
                if action == "advance":
                    current = Return.objects.get(pk=record.pk)
                    action = "save" if current.current_version is None else NEXT[current.status]
                with django_capture_on_commit_callbacks(execute=True):
                    try:
                        with transaction.atomic():
                            _step(action, seed, record, lead, sponsor, analyst)
                    except ApplicationError:
                        continue  # not allowed in this state: nothing changed
                _stored_equals_fresh(collection_round)
            raise _Rollback
    except _Rollback:
        pass


def test_a_lost_recompute_message_is_caught_up_by_the_sweep(db, django_capture_on_commit_callbacks) -> None:
    analyst, collection_round, councils = _world()
    for record, lead, sponsor in councils[:3]:
        with django_capture_on_commit_callbacks(execute=True):
            for action in ("save", "submit", "sign_off", "accept"):
                _step(action, 0, record, lead, sponsor, analyst)
    _stored_equals_fresh(collection_round)
    record, lead, sponsor = councils[3]
    for action in ("save", "submit", "sign_off"):
        _step(action, 1, record, lead, sponsor, analyst)
    with django_capture_on_commit_callbacks(execute=False):  # Redis down: the message is lost
        _step("accept", 1, record, lead, sponsor, analyst)
    assert services.benchmarks_stale(collection_round)
    assert tasks.sweep_stale_benchmarks() == 1
    _stored_equals_fresh(collection_round)
    assert BenchmarkRun.objects.get(round=collection_round).fingerprint == services.accepted_fingerprint(
        collection_round
    )
    assert tasks.sweep_stale_benchmarks() == 0  # nothing left to do: safe to run again
