"""Dependencies point one way (README, Architecture): accounts <- submissions <- metrics <- actionplans,
with audit and portal on top and wres_portal below. Later stages hear of earlier ones by signals."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TypeGuard

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


#: Views and APIs that still query the ORM themselves, to move into their app's selectors (issue 11).
#: The list may only shrink: the test below fails when one on it no longer needs to be here.
VIEWS_STILL_QUERYING: set[str] = set()

VIEW_DECORATORS = {"login_required", "require_safe", "require_http_methods", "require_POST", "require_GET"}
#: A class whose base is named so (Django's View, TemplateView...; DRF's APIView, GenericAPIView,
#: ListAPIView, ViewSet...), directly or through classes of the apps (`ApiListView`), is a view.
VIEW_BASE_SUFFIXES = ("View", "ViewSet")


def _name(node: ast.expr) -> str:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _is_view_function(node: ast.AST) -> TypeGuard[ast.FunctionDef | ast.AsyncFunctionDef]:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and bool(
        {_name(d) for d in node.decorator_list} & VIEW_DECORATORS
    )


def _is_view_module(path: Path, tree: ast.Module) -> bool:
    """apis.py, *_apis.py, views.py, *_views.py, a module of a views/ package, or any other module
    defining a view function (submissions/national.py, actionplans/public.py): interfaces only."""
    name = path.name
    return (
        name in ("apis.py", "views.py")
        or name.endswith(("_apis.py", "_views.py"))
        or "views" in path.relative_to(ROOT).parts[:-1]
        or any(_is_view_function(node) for node in tree.body)
    )


def _query_lines(node: ast.AST) -> set[int]:
    """Lines where `node` reads the ORM itself: `Model.objects`, `Model._default_manager`, `.raw()`,
    or `get_object_or_404(Model, ...)` (a model class, not a queryset from a selector or relation).
    `Model.objects.none()` is no read (an empty queryset, no query): DRF list views name their
    model with it for the schema, while requests use `get_queryset()`."""
    empty = {
        id(n.func.value)
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "none"
    }
    return {
        n.lineno
        for n in ast.walk(node)
        if (isinstance(n, ast.Attribute) and n.attr in ("objects", "_default_manager") and id(n) not in empty)
        or (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "raw")
        or (
            isinstance(n, ast.Call)
            and _name(n.func) in ("get_object_or_404", "get_list_or_404")
            and bool(n.args)
            and isinstance(n.args[0], ast.Name)
            and n.args[0].id[:1].isupper()
        )
    }


def _trees() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(), str(path))
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _view_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """The names of the apps' classes that are Django or DRF views, however far down they inherit."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(_name(b) for b in node.bases)
    views = {name for name, named in bases.items() if any(b.endswith(VIEW_BASE_SUFFIXES) for b in named)}
    while grown := {name for name, named in bases.items() if named & views} - views:
        views |= grown
    return views


def _views_querying() -> dict[str, set[int]]:
    """Every view or API (`path:name`) that queries the ORM itself, with the lines: each function with
    a view decorator, each class inheriting a Django or DRF view, and each class and module-level
    function of a view or API module."""
    trees = _trees()
    views = _view_classes(trees)
    found: dict[str, set[int]] = {}
    for path, tree in trees.items():
        checked = [
            node
            for node in ast.walk(tree)
            if _is_view_function(node)
            or (isinstance(node, ast.ClassDef) and {_name(b) for b in node.bases} & views)
        ]
        if _is_view_module(path, tree):
            checked += [
                n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            ]
        for node in checked:
            if lines := _query_lines(node):
                found.setdefault(f"{path.relative_to(ROOT)}:{node.name}", set()).update(lines)
    return found


@pytest.mark.parametrize(
    ("code", "queries"),
    [
        ("Return.objects.filter(pk=1)", True),
        ("type(device).objects.get(pk=1)", True),
        ("Return._default_manager.get(pk=1)", True),
        ("User.objects.raw('SELECT 1')", True),
        ("get_object_or_404(CollectionRound, label=label)", True),
        ("get_object_or_404(selectors.releases_in(collection_round), number=2)", False),
        ("queryset = Return.objects.none()  # the schema's model", False),
        ("selectors.plans_of(user, authority).filter(year=2026)", False),
    ],
)
def test_the_check_sees_a_view_query_the_orm(code: str, queries: bool) -> None:
    assert bool(_query_lines(ast.parse(code))) is queries


def test_the_check_knows_the_views_and_apis() -> None:
    """Through the apps' own bases: ApiListView (a DRF ListAPIView), AuthorityScopedMixin (an APIView)."""
    views = _view_classes(_trees())
    assert {"ApiListView", "RoundResultsApi", "MembershipListApi", "MeApi", "ReleaseTableCsvApi"} <= views
    assert "AuthoritySerializer" not in views


def test_views_read_through_selectors_not_the_orm() -> None:
    """Thin views: reads live in each app's `selectors` (writes in `services`), so no view function,
    view or API class, or helper of a view or API module builds a query itself (`Model.objects...`)."""
    querying = _views_querying()
    new = {place: sorted(lines) for place, lines in querying.items() if place not in VIEWS_STILL_QUERYING}
    assert new == {}, "new queries in views, move them to selectors:\n" + "\n".join(
        f"{place} (line {', '.join(map(str, lines))})" for place, lines in sorted(new.items())
    )
    assert VIEWS_STILL_QUERYING - set(querying) == set(), "moved to selectors: take them off the list"


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
