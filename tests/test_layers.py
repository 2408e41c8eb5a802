"""Dependencies point one way (README, Architecture): accounts <- submissions <- metrics <- actionplans,
with audit and portal on top and wres_portal below. Later stages hear of earlier ones by signals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from accounts.models import Role
from actionplans import services as plan_services
from actionplans.models import Target
from metrics.models import Benchmark, VersionResults
from submissions import services as submission_services
from tests.builders import draft_return, signed_off_return, submit, written_plan
from tests.factories import member

ROOT = Path(__file__).resolve().parent.parent
APPS = ("wres_portal", "accounts", "submissions", "metrics", "actionplans", "audit", "portal")


def _imports_in_functions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    names = [inner.module]
                elif isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                else:
                    continue
                found += [
                    f"{path.relative_to(ROOT)}:{inner.lineno} {name}"
                    for name in names
                    if name.split(".")[0] in APPS
                ]
    return found


def test_no_module_of_the_apps_imports_another_app_inside_a_function() -> None:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and path.name != "apps.py":
                found += _imports_in_functions(path)
    # AppConfig.ready() may import its own app's receivers (which import models); nothing else may.
    for path in sorted(ROOT.glob("*/apps.py")):
        found += [f for f in _imports_in_functions(path) if not f.split(" ")[1].startswith(path.parent.name)]
    assert found == []


#: View functions that still query the ORM themselves, to move into their app's selectors (issue 11).
#: The list may only shrink: the test below fails when one on it no longer needs to be here.
VIEWS_STILL_QUERYING: set[str] = set()

VIEW_DECORATORS = {"login_required", "require_safe", "require_http_methods", "require_POST", "require_GET"}


def _decorator_name(node: ast.expr) -> str:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _views_querying() -> set[str]:
    """Every view function (one with a view decorator) whose body uses `Model.objects`."""
    found = set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.FunctionDef):
                    continue
                if not {_decorator_name(d) for d in node.decorator_list} & VIEW_DECORATORS:
                    continue
                if any(isinstance(n, ast.Attribute) and n.attr == "objects" for n in ast.walk(node)):
                    found.add(f"{path.relative_to(ROOT)}:{node.name}")
    return found


def test_views_read_through_selectors_not_the_orm() -> None:
    """Thin views: reads live in each app's `selectors` (writes in `services`), so a view never
    builds a query itself (`Model.objects...`)."""
    querying = _views_querying()
    assert querying - VIEWS_STILL_QUERYING == set(), "new queries in views: move them to selectors"
    assert VIEWS_STILL_QUERYING - querying == set(), "moved to selectors: take them off the list"


def test_the_layers_contract_is_kept(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


@pytest.mark.django_db
def test_a_submission_reaches_the_action_plan_targets_through_signals(
    authority_a, alice, collection_round, django_capture_on_commit_callbacks
) -> None:
    """submissions -> (return_submitted) -> metrics computes results -> (results_stored) -> actionplans
    evaluates the targets waiting on them; no app calls the one above it."""
    plan = written_plan(authority_a, alice, year=2024)  # its targets may name the 2025 round
    target = plan_services.target_create(
        objective=plan.objectives.first(),
        user=alice,
        indicator="m2",
        service="adults",
        comparison="gte",
        value=0.01,
        round_label=collection_round.label,
    )
    record = draft_return(authority_a, collection_round, lead=alice)
    with django_capture_on_commit_callbacks(execute=True):
        record = submit(record, lead=alice)
    assert VersionResults.objects.filter(version_id=record.current_version_id).exists()
    target.refresh_from_db()
    assert target.outcome == Target.Outcome.MET


@pytest.mark.django_db
def test_accepting_a_return_recomputes_the_benchmarks_through_a_signal(
    authority_a, analyst, collection_round, django_capture_on_commit_callbacks
) -> None:
    record = signed_off_return(
        authority_a, collection_round, lead=member(authority_a, Role.PROGRAMME_LEAD, "lead@a.example")
    )
    assert not Benchmark.objects.filter(round=collection_round).exists()
    with django_capture_on_commit_callbacks(execute=True):
        submission_services.return_accept(record=record, user=analyst)
    assert Benchmark.objects.filter(round=collection_round, scope=Benchmark.Scope.NATIONAL).exists()
