"""Deployment files stay consistent with the code: docker compose, the Dockerfile,
.env.example, the README and CI. No database needed."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DJANGO_SERVICES = ("web", "worker", "beat")

# env("NAME"), env.bool("NAME", ...), env.list('NAME') ...: how settings.py reads them.
SETTINGS_VARIABLE = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


@pytest.fixture(scope="module")
def services() -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def _settings_variables() -> set[str]:
    source = (ROOT / "wres_portal" / "settings.py").read_text()
    return set(SETTINGS_VARIABLE.findall(source))


def test_compose_has_every_service(services):
    assert {"db", "redis", *DJANGO_SERVICES} <= services.keys()


def test_database_and_redis_have_healthchecks(services):
    assert services["db"]["image"].startswith("postgres:")
    assert services["db"]["volumes"]
    assert "healthcheck" in services["db"]
    assert services["redis"]["image"].startswith("redis:")
    assert "healthcheck" in services["redis"]


@pytest.mark.parametrize("name", DJANGO_SERVICES)
def test_django_services_share_build_and_env_file(services, name):
    web = services["web"]
    service = services[name]

    assert service["build"] == web["build"]
    assert service["env_file"] == web["env_file"] == ".env"
    assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"


def test_web_runs_gunicorn_with_the_repository_config(services):
    command = _command(services["web"])
    assert command.startswith("gunicorn -c gunicorn.conf.py ")
    assert command.endswith(" wres_portal.wsgi:application")
    assert (ROOT / "gunicorn.conf.py").exists()


def test_the_app_connects_as_its_own_role_and_migrations_as_the_owner(services):
    """Issue 12 item 10: web, worker and beat are not the table owner; migrate is, and grants."""
    for name in DJANGO_SERVICES:
        url = services[name]["environment"]["DATABASE_URL"]
        assert url.startswith("postgres://wres_app:"), name
    migrate = services["migrate"]["environment"]
    assert migrate["DATABASE_URL"].startswith("postgres://wres:")
    assert migrate["DATABASE_APP_ROLE"] == "wres_app"
    init = ROOT / "scripts" / "db-init" / "app-role.sh"
    assert "CREATE ROLE wres_app LOGIN" in init.read_text()
    assert "./scripts/db-init:/docker-entrypoint-initdb.d:ro" in services["db"]["volumes"]


def test_worker_runs_a_celery_worker(services):
    assert re.search(r"\bcelery -A wres_portal worker\b", _command(services["worker"]))


def test_beat_runs_celery_beat(services):
    assert re.search(r"\bcelery -A wres_portal beat\b", _command(services["beat"]))


def test_migrations_run_before_the_django_services_start(services):
    migrate = services["migrate"]

    assert "migrate" in _command(migrate)
    assert "load_authorities" in _command(migrate)
    for name in DJANGO_SERVICES:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_dockerfile_builds_the_front_end_in_a_node_stage():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"(?m)^FROM\s+", dockerfile)[1:]
    node_stages = [stage for stage in stages if stage.startswith("node:20")]

    assert node_stages
    assert "npm run build" in node_stages[0]
    assert re.search(r"(?m)^FROM python:3\.11-slim", dockerfile)
    assert "COPY --from=" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"(?m)^USER (?!root\b)\S+", dockerfile)


def test_settings_variables_are_found():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= _settings_variables()


def test_env_example_names_every_settings_variable():
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"(?m)^#?\s*([A-Z][A-Z0-9_]*)=", text))

    assert _settings_variables() - documented == set()


def test_readme_documents_every_settings_variable():
    readme = (ROOT / "README.md").read_text()

    missing = {name for name in _settings_variables() if f"`{name}`" not in readme}
    assert missing == set()


def test_ci_script_is_executable_and_runs_the_tests():
    script = ROOT / ".ci" / "run"

    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in text
    assert "make test" in text


def test_web_healthcheck_polls_healthz(services):
    check = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in check
    assert "X-Forwarded-Proto" in check and "ALLOWED_HOSTS" in check  # gets past HTTPS and host checks


def _uv_version() -> str:
    """The uv version pyproject.toml requires: every install path bootstraps exactly this one."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    required = pyproject["tool"]["uv"]["required-version"]
    assert required.startswith("==")
    assert f"uv{required}" in pyproject["project"]["optional-dependencies"]["dev"]
    return required.removeprefix("==")


def test_lock_file_is_committed_and_matches_the_uv_version():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {package["name"]: package.get("version") for package in lock["package"]}

    assert locked["uv"] == _uv_version()
    assert locked["django"].startswith("5.2.")
    # Every package from the registry carries hashes, so a tampered download fails to install.
    registry = [p for p in lock["package"] if "registry" in p.get("source", {})]
    assert registry
    files = [file for p in registry for file in [p.get("sdist"), *p.get("wheels", [])] if file]
    assert files
    assert all(file["hash"].startswith("sha256:") for file in files)


def test_make_lint_runs_ruff_and_mypy():
    makefile = (ROOT / "Makefile").read_text()
    lint = re.search(r"(?ms)^lint:.*?\n\n", makefile)

    assert lint
    assert "ruff check" in lint.group(0) and "ruff format --check" in lint.group(0)
    assert "bin/mypy" in lint.group(0)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert pyproject["warn_unused_ignores"] is True
    assert "mypy_django_plugin.main" in pyproject["plugins"]


def test_make_install_installs_exactly_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    install = re.search(r"(?ms)^\$\(PY_STAMP\):(.*?)^\ttouch", makefile)

    assert install
    assert "uv.lock" in install.group(1).splitlines()[0]  # a new lock reinstalls
    assert "uv sync --locked" in install.group(1)
    assert "pip install -e" not in makefile


def test_dockerfile_installs_from_the_lock_without_dev_packages():
    dockerfile = (ROOT / "Dockerfile").read_text()
    runs = re.findall(r"(?m)^RUN (.*)$", dockerfile)
    installs = [run for run in runs if "uv sync" in run or "pip install" in run]

    assert "COPY pyproject.toml uv.lock ./" in dockerfile
    assert f"pip install uv=={_uv_version()}" in installs
    assert all(run == f"pip install uv=={_uv_version()}" or "uv sync --locked" in run for run in installs)
    assert not any("--extra" in run or "--all-extras" in run for run in installs)
    assert re.search(r"(?m)^\s*PATH=/opt/venv/bin:\$PATH", dockerfile)  # gunicorn, celery, python
