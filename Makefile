# WRES Portal developer commands. `make help` lists them; `make demo` and `make test` are the quick start.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
PYTEST_ARGS ?=
VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
# Stamps live inside the folders they describe, so deleting .venv or node_modules forces a reinstall.
PY_STAMP := $(VENV)/.make-installed
NODE_STAMP := node_modules/.make-installed
NODE_LOCK := $(wildcard package-lock.json)
# The demo always runs on SQLite with eager tasks. Empty values (not just unset ones) also win over a
# DATABASE_URL or REDIS_URL in .env, because settings only fill in variables that are missing.
LOCAL_ENV := env -u DATABASE_URL -u REDIS_URL DATABASE_URL= REDIS_URL= MFA_REQUIRED_ROLES_ENFORCED=false

.PHONY: help install build assets migrate demo run worker beat test test-quickstart lint format migrations-check bench mutation ci clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'

install: $(PY_STAMP) build ## Create .venv, install Python and npm packages, build the front end

$(VENV)/pyvenv.cfg:
	python3 -m venv $(VENV)

# uv.lock pins every Python package (with hashes) for every machine: `uv sync --locked` installs
# exactly those versions, and fails if pyproject.toml changed without `uv lock`. uv itself comes
# from PyPI into .venv, at the version pyproject.toml requires ([tool.uv] required-version).
# --inexact keeps packages the lock does not name (pip, or one being tried out); a fresh .venv,
# as in CI, holds exactly the lock.
$(PY_STAMP): pyproject.toml uv.lock $(VENV)/pyvenv.cfg
	$(VENV)/bin/python -m pip install --quiet "uv$$(sed -n 's/^required-version = "\(.*\)"/\1/p' pyproject.toml)"
	UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --locked --inexact --extra dev
	touch $@

$(NODE_STAMP): package.json $(NODE_LOCK)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	touch $@

build: $(NODE_STAMP) ## Build the front end into static_build/ (npm run build)
	npm run build

assets: build $(PY_STAMP) ## Build the front end and collect static files into staticfiles/
	$(MANAGE) collectstatic --noinput --verbosity 0

migrate: $(PY_STAMP) ## Apply database migrations
	$(MANAGE) migrate --noinput

demo: install ## Install, build, migrate SQLite, load councils and demo data, serve on 127.0.0.1:PORT (default 8000)
	$(LOCAL_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	$(LOCAL_ENV) $(MANAGE) migrate --noinput
	$(LOCAL_ENV) $(MANAGE) load_authorities
	$(LOCAL_ENV) $(MANAGE) load_demo
	@echo
	@echo "WRES Portal demo: http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo
	$(LOCAL_ENV) DEBUG=false $(MANAGE) runserver 127.0.0.1:$(PORT) --noreload

run: $(PY_STAMP) ## Run the development server (DEBUG on unless set) on 127.0.0.1:PORT
	DEBUG=$${DEBUG:-true} $(MANAGE) runserver 127.0.0.1:$(PORT)

worker: $(PY_STAMP) ## Run a Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A wres_portal worker -l info

beat: $(PY_STAMP) ## Run Celery beat, the scheduler (needs REDIS_URL)
	$(VENV)/bin/celery -A wres_portal beat -l info

test: install assets ## Run the test suite with the DATABASE_URL/REDIS_URL in the environment (PYTEST_ARGS=...)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# `make test` as the quick start runs it on a fresh machine: no DATABASE_URL, REDIS_URL or SECRET_KEY,
# so SQLite, eager tasks and in-process caches and limits; tests that need PostgreSQL, Redis or a
# worker skip. Two pytest-xdist processes, each with its own SQLite database.
test-quickstart: install assets ## Run the suite as a fresh machine's `make test` does: SQLite, no Redis
	env -u DATABASE_URL -u REDIS_URL -u SECRET_KEY -u WRES_REQUIRE_SERVICES $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: $(PY_STAMP) ## Check code: ruff (lint, formatting), mypy (types) and the layers contract (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	PYTHONPATH=. $(VENV)/bin/lint-imports

format: $(PY_STAMP) ## Format code and apply ruff's safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(PY_STAMP) ## Fail if a model change has no migration
	$(MANAGE) makemigrations --check --dry-run

bench: install ## Performance at national scale on PostgreSQL and Redis (see README "Performance")
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PYTHON) -m bench.run

# Mutation testing of the maths and the disclosure rules: mutmut copies the project into mutants/ and
# runs the fast tests of tests/metrics against each mutant ([tool.mutmut] in pyproject.toml), on
# SQLite, niced, MUTATION_JOBS at once. Slow (tens of minutes on 2 cores), so not part of `make test`
# or CI. The report gives each module's score and fails on a survivor that tests/metrics/MUTANTS.md
# does not explain.
MUTATION_JOBS ?= 2
mutation: $(PY_STAMP) ## Mutation testing of metrics/calculations.py and metrics/disclosure.py (slow; not in CI)
	rm -rf mutants && mkdir mutants
	env -u DATABASE_URL -u REDIS_URL DATABASE_URL= REDIS_URL= HYPOTHESIS_PROFILE=mutation nice -n 10 \
		$(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) > mutants/run.log 2>&1 || (tail -40 mutants/run.log; exit 1)
	$(PYTHON) -m tests.metrics.mutation_report

ci: lint migrations-check test test-quickstart ## Everything CI checks, except the services set-up of .ci/run

clean: ## Remove build output, caches and install stamps (keeps .venv, node_modules and db.sqlite3)
	rm -rf static_build staticfiles .pytest_cache .ruff_cache $(PY_STAMP) $(NODE_STAMP)
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
