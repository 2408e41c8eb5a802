"""The measured steps of `make bench`. Each returns a figure; the run prints them side by side."""

from __future__ import annotations

import csv
import io
import os
import time
from dataclasses import dataclass

import psycopg
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from accounts.models import Authority, AuthorityType, Membership, Region, Role, User
from metrics.models import Benchmark, VersionResults
from metrics.tasks import recompute_round
from submissions import services
from submissions.models import CollectionRound, Return, ReturnEvent, ReturnRow, ReturnVersion
from submissions.schema import GROUPS, HEADER, ReturnData
from submissions.synthetic import synthetic_return
from wres_portal.bulk import insert_ignoring_conflicts

REGIONS = Region.values
UNUSABLE = make_password(None)  # nobody can sign in as a benchmark user
TYPES = [
    AuthorityType.UNITARY,
    AuthorityType.COUNTY,
    AuthorityType.METROPOLITAN_DISTRICT,
    AuthorityType.LONDON_BOROUGH,
]


@dataclass
class World:
    authorities: list[Authority]
    rounds: list[CollectionRound]  # oldest first; the last is the open round
    analyst: User
    leads: dict[int, User]

    @property
    def collection_round(self) -> CollectionRound:
        return self.rounds[-1]


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metrics_result, metrics_versionresults, metrics_benchmark, submissions_returnevent, "
            "submissions_warningexplanation, submissions_returnrow, submissions_returnversion, "
            "submissions_return, submissions_collectionround, accounts_membership, accounts_authority, "
            "accounts_user CASCADE"
        )


def build_world(n: int, rounds: int = 1) -> World:
    """`n` organisations (synthetic codes), `rounds` yearly rounds (the last open), each organisation
    with a programme lead."""
    analyst = User.objects.create_user("bench-analyst@bench.example", national_role=User.NationalRole.ANALYST)
    authorities = Authority.objects.bulk_create(
        Authority(
            ons_code=f"B{i:08d}",
            name=f"Organisation {i}",
            region=REGIONS[i % len(REGIONS)],
            authority_type=TYPES[i % len(TYPES)],
            population_minority_ethnic_percent=5 + i % 40,
        )
        for i in range(n)
    )
    import datetime

    today = datetime.date.today()  # noqa: DTZ011 - a local benchmark
    collection_rounds = []
    for year in range(2027 - rounds, 2027):
        latest = year == 2026
        collection_rounds.append(
            CollectionRound.objects.create(
                label=str(year),
                period_start=datetime.date(year - 1, 4, 1),
                period_end=datetime.date(year, 3, 31),
                snapshot_date=datetime.date(year, 3, 31),
                opens_on=today - datetime.timedelta(days=10) if latest else datetime.date(year, 4, 1),
                closes_on=today + datetime.timedelta(days=60) if latest else datetime.date(year, 7, 31),
                created_by=analyst,
            )
        )
    leads = User.objects.bulk_create(
        User(email=f"lead{a.pk}@bench.example", password=UNUSABLE) for a in authorities
    )
    Membership.objects.bulk_create(
        Membership(user=u, authority=a, role=Role.PROGRAMME_LEAD)
        for u, a in zip(leads, authorities, strict=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # a register of organisations exists long before its returns
    return World(
        authorities, collection_rounds, analyst, {a.pk: u for a, u in zip(authorities, leads, strict=True)}
    )


def _figures(authority: Authority, label: str = "2026") -> ReturnData:
    percent = authority.population_minority_ethnic_percent
    if percent is None:  # every council in data/authorities.csv has one
        raise ValueError(f"{authority.ons_code} has no population share")
    return synthetic_return(f"{label}-{authority.ons_code}", minority_share=float(percent) / 100)


def _csv(data: ReturnData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for key, counts in sorted(data.items()):
        writer.writerow([key.service, key.measure, key.pay_band, *(counts[g] for g in GROUPS)])
    return out.getvalue().encode()


def ingest_through_upload(world: World, sample: int) -> float:
    """Returns per second through the normal upload service: read, check, save a version."""
    files = [(a, _csv(_figures(a))) for a in world.authorities[:sample]]
    warm, files = files[:WARM_UP], files[WARM_UP:]
    _upload(world, warm)  # first uses import modules, fill caches and plan queries: not timed
    started = time.perf_counter()
    _upload(world, files)
    return len(files) / (time.perf_counter() - started)


#: Uploads before the clock starts, so the figure is the steady rate, not the first requests' cost.
WARM_UP = 10


def _upload(world: World, files: list[tuple[Authority, bytes]]) -> None:
    for authority, content in files:
        record = services.return_get_or_create(authority=authority, collection_round=world.collection_round)
        checked = services.upload_check(record=record, filename="return.csv", content=content)
        assert checked.ok, checked.problems[:1]  # noqa: S101 - synthetic data is valid by construction
        services.draft_save(
            record=record,
            data=checked.data,
            user=world.leads[authority.pk],
            source="upload",
            filename="return.csv",
        )


def copy_floor(url: str, world: World, sample: int) -> float:
    """The same counts loaded with one PostgreSQL COPY into a plain table, as returns per second."""
    rows = [
        (a.pk, k.service, k.measure, k.pay_band, *(c[g] for g in GROUPS))
        for a in world.authorities[:sample]
        for k, c in _figures(a).items()
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(
            "CREATE UNLOGGED TABLE bench_copy (authority int, service text, measure text, pay_band text, "
            "white int, minority_ethnic int, unknown int)"
        )
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
    return sample / elapsed


def bulk_load(world: World, *, skip: int) -> None:
    """Every return of every round accepted: in the open round the first `skip` (uploaded through
    the service) are marked accepted and the rest bulk-loaded; earlier rounds are bulk-loaded whole."""
    for collection_round in world.rounds:
        latest = collection_round == world.collection_round
        _bulk_load_round(world, collection_round, world.authorities[skip:] if latest else world.authorities)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a large load, so plans see the real sizes


@transaction.atomic
def _bulk_load_round(world: World, collection_round: CollectionRound, rest: list[Authority]) -> None:
    records = Return.objects.bulk_create(Return(authority=a, round=collection_round) for a in rest)
    versions = ReturnVersion.objects.bulk_create(
        ReturnVersion(authority=a, return_record=r, number=1, source="api", created_by=world.analyst)
        for a, r in zip(rest, records, strict=True)
    )
    insert_ignoring_conflicts(
        ReturnRow,
        ("authority", "version", "service", "measure", "pay_band", *GROUPS),
        [
            (authority.pk, version.pk, key.service, key.measure, key.pay_band, *(c[g] for g in GROUPS))
            for authority, version in zip(rest, versions, strict=True)
            for key, c in _figures(authority, collection_round.label).items()
        ],
    )
    for record, version in zip(records, versions, strict=True):
        record.current_version = version
    Return.objects.bulk_update(records, ["current_version"], batch_size=2000)
    Return.objects.filter(round=collection_round).update(status=Return.Status.ACCEPTED)
    ReturnEvent.objects.bulk_create(
        ReturnEvent(
            authority_id=r.authority_id,
            return_record=r,
            version=version,
            action=ReturnEvent.Action.ACCEPTED,
            actor=world.analyst,
        )
        for r, version in zip(records, versions, strict=True)
    )


def compute_everything(world: World) -> float:
    """Seconds for a full national recompute of every round on the running Celery workers: every
    return's results (in batches spread over the workers) and then the benchmarks."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE metrics_result, metrics_versionresults, metrics_benchmark")
    started = time.perf_counter()
    for collection_round in world.rounds:
        recompute_round.delay(collection_round.pk)
    deadline = started + 900
    waiting = {r.pk for r in world.rounds}
    while waiting:
        waiting -= set(Benchmark.objects.filter(round__in=waiting).values_list("round_id", flat=True))
        if time.perf_counter() > deadline:
            raise RuntimeError("the national recompute did not finish within 15 minutes")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    stored = VersionResults.objects.count()
    expected = Return.objects.filter(status=Return.Status.ACCEPTED).count()
    if stored != expected:
        raise RuntimeError(f"{stored} results stored for {expected} accepted returns")
    return elapsed


@transaction.atomic
def load_plans(world: World) -> None:
    """Every organisation's action plan for the current plan year, for the analysts' national
    action-plan page: two objectives (two themes each), three actions, a first-quarter report (every
    other one submitted) with an update per action; started when the year began, so the reports of
    every quarter already over are counted as overdue. Bulk-inserted: the plans version moves once,
    at commit."""
    import datetime

    from django.utils import timezone

    from actionplans.models import Action, ActionPlan, ActionUpdate, Objective, Quarter, QuarterlyReport
    from actionplans.themes import Theme

    year = Quarter.containing(timezone.localdate()).year
    themes, rags = Theme.values, ("green", "amber", "red")
    plans = ActionPlan.objects.bulk_create(
        ActionPlan(
            authority=a, year=year, created_by=world.analyst, status="signed_off" if i % 3 else "draft"
        )
        for i, a in enumerate(world.authorities)
    )
    ActionPlan.objects.filter(year=year).update(
        created_at=datetime.datetime(year, 4, 1, 9, tzinfo=datetime.UTC)
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            authority_id=p.authority_id,
            plan=p,
            number=n,
            text="Objective",
            themes=[themes[(i + n) % len(themes)], themes[(i + 2 * n + 1) % len(themes)]],
        )
        for i, p in enumerate(plans)
        for n in (1, 2)
    )
    actions = Action.objects.bulk_create(
        Action(authority_id=o.authority_id, plan_id=o.plan_id, objective=o, number=number, text="Action")
        for o in objectives
        for number in ((1, 2) if o.number == 1 else (3,))
    )
    reports = {
        r.plan_id: r
        for r in QuarterlyReport.objects.bulk_create(
            QuarterlyReport(
                authority_id=p.authority_id,
                plan=p,
                year=year,
                quarter=1,
                status="submitted" if i % 2 else "draft",
            )
            for i, p in enumerate(plans)
        )
    }
    ActionUpdate.objects.bulk_create(
        ActionUpdate(
            authority_id=a.authority_id,
            report=reports[a.plan_id],
            action=a,
            rag=rags[i % 3],
            narrative="Progress",
            updated_by=world.analyst,
        )
        for i, a in enumerate(actions)
    )


def settle(deadline_seconds: float = 900) -> float:
    """Seconds until the workers have finished what the recompute hands them after its benchmarks
    (the round's dashboards and indicator summaries, built ahead by metrics.tasks.build_dashboards):
    the recompute's time stops at its benchmarks, and the pages are then measured with the workers
    idle rather than competing with them for the same cores. Idle means: nothing active, reserved or
    scheduled on any worker and nothing waiting in the queue, twice in a row."""
    import redis
    from celery import Celery

    url = os.environ["REDIS_URL"]
    app, broker = Celery(broker=url), redis.Redis.from_url(url)
    started = time.perf_counter()
    idle = 0
    while idle < 2:
        if time.perf_counter() - started > deadline_seconds:
            raise RuntimeError("the workers were still busy 15 minutes after the recompute")
        inspect = app.control.inspect(timeout=1.0, limit=1)  # one worker: answer as soon as it does
        replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
        busy = any(reply is None or any(reply.values()) for reply in replies)
        idle = 0 if busy or broker.llen("celery") else idle + 1
        time.sleep(0.2)
    return time.perf_counter() - started


def sql_sum_floor(world: World) -> float:
    """Seconds for one SQL query summing the same counts by service and group."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT service, measure, pay_band, SUM(white), SUM(minority_ethnic), SUM(unknown) "
            "FROM submissions_returnrow GROUP BY service, measure, pay_band"
        )
        cursor.fetchall()
    return time.perf_counter() - started


#: The published release tables.xlsx is measured on: made for real (builder and auditor) at the first
#: scenario, then re-used, frozen tables and all, at the larger ones (see `publish_release`).
_RELEASE_TEMPLATE: dict[str, object] = {}


def publish_release(world: World, *, build_up_to: int = 200) -> float:
    """Publish a release of the open round so that tables.xlsx has one to serve; returns the seconds
    the real builder and auditor took, or 0 where the release was copied.

    The workbook is made from the release's frozen tables, one row per area and indicator (England,
    the regions, the types), so its size does not grow with N; what does grow is the row's `basis`
    (every council behind each area), read with it. Up to `build_up_to` councils the release is built
    for real (`release_create`, `release_publish`); above that, where the builder takes minutes, the
    first scenario's tables are stored with a basis naming all N councils, so the download reads a
    row of the real size. make bench times the builder and the auditor themselves in bench/releases.py.
    """
    from django.utils import timezone

    from metrics.models import Release
    from metrics.releases.services import release_create, release_publish

    started = time.perf_counter()
    if not _RELEASE_TEMPLATE or len(world.authorities) <= build_up_to:
        release = release_create(
            collection_round=world.collection_round,
            user=world.analyst,
            note="Bench release",
            budget_seconds=0,
        )
        release = release_publish(release=release, user=world.analyst)
        _RELEASE_TEMPLATE.update(
            changes=release.changes,
            tables=release.tables,
            audit=release.audit,
            suppression=release.suppression,
        )
        return time.perf_counter() - started
    members = {
        f"{a.ons_code}:{a.pk}": {
            "authority": a.pk, "ons_code": a.ons_code, "name": a.name, "version": None,
            "region": a.region, "type": a.authority_type,
        }
        for a in world.authorities
    }  # fmt: skip
    Release.objects.create(
        round=world.collection_round,
        number=1,
        created_by=world.analyst,
        note="Bench release (tables of the first scenario)",
        basis={"members": members, "bases": [["england", "England", sorted(members)]], "withheld": []},
        published=True,
        published_at=timezone.now(),
        published_by=world.analyst,
        **_RELEASE_TEMPLATE,
    )
    return 0.0
