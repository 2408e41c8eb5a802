"""Every package the code imports is declared in pyproject.toml, and every declared package is used.

The portal's own code (the packages pyproject.toml ships, plus manage.py) may import only the
runtime dependencies; tests/ and bench/ may also import the dev extra. Imports inside an
`if TYPE_CHECKING:` block count as dev-only. Django also imports modules named by dotted strings in
settings.py (INSTALLED_APPS, MIDDLEWARE...), so those count as runtime imports. A package imported
only through another one (tablib through django-import-export, redis through celery[redis]) still
has to be declared: the other package may drop it, or move to a version with a different API.
No database needed.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import TypeGuard

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# Declared packages that no Python file imports, each with where it is used instead.
USED_WITHOUT_IMPORT = {
    "gunicorn": "the web server: Dockerfile CMD and docker-compose.yml",
    "argon2-cffi": "Django's Argon2PasswordHasher (PASSWORD_HASHERS) imports argon2 itself",
    "defusedxml": "openpyxl parses uploaded workbooks with it when it is installed (XML bombs)",
    "pytest-django": "pytest plugin (DJANGO_SETTINGS_MODULE in [tool.pytest.ini_options])",
    "pytest-xdist": "pytest plugin (-n in make test)",
    "ruff": "make lint and make format",
    "mypy": "make lint",
    "django-stubs": "type stubs and the mypy plugin ([tool.mypy])",
    "djangorestframework-stubs": "type stubs and the mypy plugin ([tool.mypy])",
    "uv": "make install: installs uv.lock",
    "import-linter": "make lint: the layers contract",
    "mutmut": "make mutation",
}

DOTTED_NAME = re.compile(r"[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return _normalise(match.group(1))


def _declared() -> tuple[set[str], set[str]]:
    runtime = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    dev = {_requirement_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}
    return runtime, dev


def _first_party() -> set[str]:
    shipped = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    return {pattern.rstrip("*") for pattern in shipped}


def _python_files() -> list[Path]:
    """manage.py and every module of the shipped packages, tests/ and bench/."""
    folders = [ROOT / name for name in sorted(_first_party() | {"tests", "bench"})]
    return [ROOT / "manage.py", *(path for folder in folders for path in sorted(folder.rglob("*.py")))]


def _is_type_checking_block(node: ast.AST) -> TypeGuard[ast.If]:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level module names imported by one file: (at run time, only for type checking)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if _is_type_checking_block(node):
            typing_only |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    runtime: set[str] = set()
    typing: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        target = typing if id(node) in typing_only else runtime
        target |= {name.split(".")[0] for name in names}
    return runtime, typing


def _settings_modules() -> set[str]:
    """Top-level modules that settings.py names in dotted strings, which Django imports."""
    tree = ast.parse((ROOT / "wres_portal" / "settings.py").read_text())
    return {
        node.value.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and DOTTED_NAME.fullmatch(node.value)
    }


@cache
def _distributions() -> dict[str, set[str]]:
    """Top-level import name -> the installed distributions that provide it."""
    return {
        module: {_normalise(dist) for dist in dists}
        for module, dists in importlib.metadata.packages_distributions().items()
    }


def _third_party(modules: set[str]) -> set[str]:
    local = _first_party() | {"tests", "bench", "manage", "conftest", "__future__"}
    return {m for m in modules if m not in local and m not in sys.stdlib_module_names}


def _code_imports() -> tuple[set[str], set[str]]:
    """(modules the portal imports at run time, modules only tests, bench and type checks import)."""
    shipped = _first_party()
    runtime: set[str] = set()
    dev: set[str] = set()
    for path in _python_files():
        top = path.relative_to(ROOT).parts[0]
        file_runtime, file_typing = _imports(path)
        if top in shipped or top == "manage.py":
            runtime |= file_runtime
            dev |= file_typing
        else:
            dev |= file_runtime | file_typing
    runtime |= {m for m in _settings_modules() if m in _distributions()}
    return _third_party(runtime), _third_party(dev) - _third_party(runtime)


def _providers(module: str) -> set[str]:
    return _distributions().get(module, set())


def test_the_import_walk_finds_known_imports():
    runtime, dev = _code_imports()

    assert {"django", "rest_framework", "celery", "tablib", "redis", "pgtrigger"} <= runtime
    assert {"pytest", "hypothesis", "yaml"} <= dev
    assert not {"os", "accounts", "wres_portal", "tests"} & (runtime | dev)
    assert len(_python_files()) > 100


def test_every_runtime_import_is_a_runtime_dependency():
    declared_runtime, _ = _declared()
    runtime, _ = _code_imports()

    undeclared = {m: sorted(_providers(m)) for m in runtime if not _providers(m) & declared_runtime}
    assert undeclared == {}, "imported by the portal but not in [project] dependencies"


def test_every_test_and_bench_import_is_declared():
    declared_runtime, declared_dev = _declared()
    _, dev = _code_imports()

    declared = declared_runtime | declared_dev
    undeclared = {m: sorted(_providers(m)) for m in dev if not _providers(m) & declared}
    assert undeclared == {}, "imported by tests or bench but not in the dev extra"


def test_every_declared_package_is_used():
    declared_runtime, declared_dev = _declared()
    runtime, dev = _code_imports()

    imported = set().union(*(_providers(m) for m in runtime | dev))
    stubs = {
        name for name in declared_dev if name.startswith("types-") or name.endswith(("-stubs", "-types"))
    }
    unused = (declared_runtime | declared_dev) - imported - set(USED_WITHOUT_IMPORT) - stubs
    # drf-spectacular-sidecar is named in INSTALLED_APPS, psycopg is Django's PostgreSQL driver.
    assert unused == set()


def test_dev_only_packages_are_not_runtime_dependencies():
    declared_runtime, declared_dev = _declared()

    assert declared_runtime & declared_dev == set()
    assert not {"pytest", "ruff", "mypy", "uv"} & declared_runtime
