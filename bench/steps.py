"""The measured steps of `make bench`. Each returns a figure; the run prints them side by side."""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass

import psycopg
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from metrics.models import Benchmark, Result, VersionResults
from metrics.services import benchmarks_recompute, results_compute_many
from submissions import services
from submissions.models import CollectionRound, Return, ReturnEvent, ReturnRow, ReturnVersion
from submissions.schema import GROUPS, HEADER, ReturnData
from submissions.synthetic import synthetic_return
from wres_portal.accounts.models import Authority, AuthorityType, Membership, Region, Role, User

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
    collection_round: CollectionRound
    analyst: User
    leads: dict[int, User]


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metrics_result, metrics_versionresults, metrics_benchmark, submissions_returnevent, "
            "submissions_warningexplanation, submissions_returnrow, submissions_returnversion, "
            "submissions_return, submissions_collectionround, accounts_membership, accounts_authority, "
            "accounts_user CASCADE"
        )


def build_world(n: int) -> World:
    """`n` organisations (synthetic codes) in one open round, each with a programme lead."""
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
    collection_round = CollectionRound.objects.create(
        label="2026",
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        snapshot_date=datetime.date(2026, 3, 31),
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=60),
        created_by=analyst,
    )
    leads = User.objects.bulk_create(
        User(email=f"lead{a.pk}@bench.example", password=UNUSABLE) for a in authorities
    )
    Membership.objects.bulk_create(
        Membership(user=u, authority=a, role=Role.PROGRAMME_LEAD)
        for u, a in zip(leads, authorities, strict=True)
    )
    return World(
        authorities, collection_round, analyst, {a.pk: u for a, u in zip(authorities, leads, strict=True)}
    )


def _figures(authority: Authority) -> ReturnData:
    return synthetic_return(
        authority.ons_code, minority_share=float(authority.population_minority_ethnic_percent) / 100
    )


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
    started = time.perf_counter()
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
    return sample / (time.perf_counter() - started)


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


@transaction.atomic
def bulk_load_rest(world: World, *, skip: int) -> None:
    """Every return accepted: the sample's drafts are marked accepted; the rest bulk-loaded."""
    rest = world.authorities[skip:]
    records = Return.objects.bulk_create(Return(authority=a, round=world.collection_round) for a in rest)
    versions = ReturnVersion.objects.bulk_create(
        ReturnVersion(authority=a, return_record=r, number=1, source="api", created_by=world.analyst)
        for a, r in zip(rest, records, strict=True)
    )
    batch = []
    for authority, version in zip(rest, versions, strict=True):
        for key, counts in _figures(authority).items():
            batch.append(
                ReturnRow(
                    authority=authority,
                    version=version,
                    service=key.service,
                    measure=key.measure,
                    pay_band=key.pay_band,
                    **counts,
                )
            )
    ReturnRow.objects.bulk_create(batch, batch_size=5000)
    for record, version in zip(records, versions, strict=True):
        record.current_version = version
    Return.objects.bulk_update(records, ["current_version"], batch_size=2000)
    Return.objects.filter(round=world.collection_round).update(status=Return.Status.ACCEPTED)
    ReturnEvent.objects.bulk_create(
        ReturnEvent(
            authority_id=r.authority_id,
            return_record=r,
            version_id=r.current_version_id,
            action=ReturnEvent.Action.ACCEPTED,
            actor=world.analyst,
        )
        for r in Return.objects.filter(round=world.collection_round)
    )


def compute_everything(world: World) -> float:
    """Seconds to compute every return's results and the round's national benchmarks."""
    VersionResults.objects.all().delete()
    Result.objects.all().delete()
    Benchmark.objects.all().delete()
    version_ids = list(ReturnVersion.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    results_compute_many(version_ids=version_ids)
    benchmarks_recompute(collection_round=world.collection_round)
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
