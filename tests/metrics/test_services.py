"""Results and benchmarks: stored once, recomputed to the same rows, triggered by the lifecycle."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.models import Sum

from metrics import services, tasks
from metrics.calculations import compute_results, distribution, pooled
from metrics.models import Benchmark, Result, VersionResults
from submissions.models import Return, ReturnRow
from submissions.schema import RowKey


def _rows() -> list[tuple]:
    return sorted(
        Benchmark.objects.values_list(
            "pk",
            "round_id",
            "service",
            "indicator",
            "scope",
            "scope_value",
            "n_authorities",
            "pooled",
            "distribution",
            "p5",
            "p95",
            "bands",
        ),
        key=str,
    )


def test_accepting_returns_computes_results_and_benchmarks(national) -> None:
    accepted = Return.objects.filter(round=national, status="accepted")
    assert accepted.count() == 8
    assert VersionResults.objects.count() == 8
    assert Result.objects.filter(service="all").count() == 8 * 12
    england = Benchmark.objects.get(round=national, scope="national", service="adults", indicator="m2")
    assert england.n_authorities == 8
    values = [r.value for r in Result.objects.filter(round=national, service="adults", indicator="m2")]
    assert england.distribution == distribution(values)
    assert (
        Benchmark.objects.filter(round=national, scope="region").values("scope_value").distinct().count() == 2
    )


def test_pooled_figure_is_computed_on_the_summed_counts(national) -> None:
    datas = [r.current().data() for r in Return.objects.filter(round=national)]
    expected = {
        (e["service"], e["indicator"]): e for e in compute_results(pooled(datas), population_share=None)
    }
    for benchmark in Benchmark.objects.filter(round=national, scope="national"):
        assert benchmark.pooled == expected[(benchmark.service, benchmark.indicator)]
    total = ReturnRow.objects.filter(measure="appointed", service="adults").aggregate(Sum("white"))[
        "white__sum"
    ]
    m2 = Benchmark.objects.get(round=national, scope="national", service="adults", indicator="m2")
    assert m2.pooled["numerator"]["white"] == total


def test_results_are_stored_once(national) -> None:
    version = Return.objects.filter(round=national)[0].current()
    first = services.results_compute(version=version)
    second = services.results_compute(version=version)
    assert first.pk == second.pk
    assert Result.objects.filter(version=version).count() == 36


def test_benchmark_task_run_twice_leaves_the_same_rows(national) -> None:
    before = _rows()
    tasks.recompute_benchmarks(national.pk)
    tasks.recompute_benchmarks()
    assert _rows() == before


def test_returning_an_accepted_return_drops_it_from_the_benchmarks(national, analyst) -> None:
    from submissions import services as submission_services

    record = Return.objects.filter(round=national)[0]
    submission_services.return_send_back(record=record, user=analyst, message="Check")
    tasks.recompute_benchmarks(national.pk)
    assert (
        Benchmark.objects.get(round=national, scope="national", service="all", indicator="m3").n_authorities
        == 7
    )


def test_sweep_computes_results_left_undone(national) -> None:
    record = Return.objects.filter(round=national)[0]
    Result.objects.filter(version=record.current_version).delete()
    VersionResults.objects.filter(version=record.current_version).delete()
    assert list(services.versions_missing_results()) == [record.current_version_id]
    assert tasks.sweep_missing_results() == 1
    assert tasks.sweep_missing_results() == 0


def test_outlier_against_the_previous_round_is_a_warning(national, authority_a, alice, analyst) -> None:
    from submissions import services as submission_services
    from submissions.models import ReturnVersion
    from tests.factories import open_round, valid_data

    # Open now (a round takes figures only once open), but opened after the national round.
    later = open_round(
        "2026",
        created_by=analyst,
        opens_on=national.opens_on + datetime.timedelta(days=1),
        closes_on=national.closes_on + datetime.timedelta(days=365),
    )
    data = valid_data()
    data[RowKey("adults", "appointed")] = {"white": 300, "minority_ethnic": 1, "unknown": 1}
    record = submission_services.return_get_or_create(authority=authority_a, collection_round=later)
    version = submission_services.draft_save(
        record=record, data=data, user=alice, source=ReturnVersion.Source.WEB
    )
    warnings = {w.key: w for w in submission_services.version_warnings(version)}
    assert "metric_outlier:adults:m2" in warnings
    # Issue 15 item 1: the metric's name in plain English, never its internal code, and a link to
    # the figures it is worked out from.
    warning = warnings["metric_outlier:adults:m2"]
    assert "metric 2 (appointment from shortlisting)" in warning.message
    assert "relative likelihood" in warning.message
    assert not re.search(r"\bm\d", warning.message)
    assert warning.figures_anchor == "figures-adults-appointed"
    assert "restructure" not in warning.hint


@pytest.mark.parametrize("run", [1, 2])
def test_submitting_enqueues_results_after_commit(
    draft, alice, run, django_capture_on_commit_callbacks
) -> None:
    from submissions import services as submission_services

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submission_services.return_submit(record=draft, user=alice)
    assert len(callbacks) >= 1
    assert VersionResults.objects.filter(version=draft.current_version).exists()


def test_a_national_recompute_fills_in_every_missing_result_then_the_benchmarks(national) -> None:
    """recompute_round (eager here; tests/metrics/test_workers.py runs it on two real workers)."""
    expected_rows = sorted((row[1:] for row in _rows()), key=str)
    expected_documents = dict(VersionResults.objects.values_list("version_id", "document"))
    Benchmark.objects.all().delete()
    Result.objects.all().delete()
    VersionResults.objects.all().delete()
    assert len(services.versions_missing_results_in(national)) == 8

    assert tasks.recompute_round(national.pk, batch_size=3) == len(expected_rows)
    assert services.versions_missing_results_in(national) == []
    assert dict(VersionResults.objects.values_list("version_id", "document")) == expected_documents
    assert sorted((row[1:] for row in _rows()), key=str) == expected_rows
    assert tasks.recompute_round(national.pk) == len(expected_rows)  # twice: the same rows
    assert sorted((row[1:] for row in _rows()), key=str) == expected_rows


def test_results_compute_many_stores_each_version_once_and_matches_the_single_path(national) -> None:
    version_ids = list(VersionResults.objects.values_list("version_id", flat=True))
    before = dict(VersionResults.objects.values_list("version_id", "document"))
    results = Result.objects.count()
    assert services.results_compute_many(version_ids=version_ids) == 0  # all stored already
    Result.objects.filter(version_id=version_ids[0]).delete()
    VersionResults.objects.filter(version_id=version_ids[0]).delete()
    assert services.results_compute_many(version_ids=version_ids + version_ids) == 1
    assert dict(VersionResults.objects.values_list("version_id", "document")) == before
    assert Result.objects.count() == results


def _content(rows: list[Benchmark]) -> list[tuple]:
    return sorted(
        (
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
        ),
        key=str,
    )


def test_benchmarks_aggregated_by_postgresql_equal_the_python_ones(national) -> None:
    """On PostgreSQL the value statistics come from one GROUPING SETS query with percentile_cont;
    they must be the very same numbers as the Python path (type 7 quartiles), to the last bit,
    including a group whose values are all missing and results with no band."""
    from tests.workers import require_postgresql

    require_postgresql()
    first = Result.objects.filter(round=national, indicator="m2").order_by("pk")
    Result.objects.filter(pk__in=list(first.values_list("pk", flat=True)[:3])).update(
        value=None, four_fifths=""
    )
    Result.objects.filter(round=national, indicator="m4").update(value=None, four_fifths="")
    in_python = _content(services._benchmark_rows(national, in_database=False))
    in_sql = _content(services._benchmark_rows(national, in_database=True))
    assert len(in_sql) > 100
    assert in_sql == in_python
    empty = [row for row in in_sql if row[3] == "m4"]
    assert empty and all(row[5]["n"] == 0 and row[6] is None for row in empty)


def test_outlier_words_stored_before_metrics_were_named_are_reworded() -> None:
    from metrics.receivers import METRIC_NAMES, reworded_outlier
    from submissions.validation import outlier_message

    old = (
        "Adult social care: m3 is 2.50, outside the range of most councils in the previous round (0.60 to "
        "2.40, the 5th to 95th percentile). Explain why, or check the figures."
    )
    assert reworded_outlier(old) == outlier_message("Adult social care", METRIC_NAMES["m3"], 2.5, (0.6, 2.4))
    assert "m3" not in (reworded_outlier(old) or "")
    assert reworded_outlier("Adult social care: ethnicity is unknown for 12.0% of staff") is None
