# The two commands a newcomer needs:
#   make run    set up everything, load demo data, serve on 127.0.0.1:$(PORT) with the background worker
#   make test   set up what the tests need and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := backend.config.settings

.PHONY: run test setup setup-dev system-deps migrate demo openapi openapi-check lint lint-imports typecheck error-guide format bench worker audit clean lock

# Installs come from the hashed lock files (requirements/*.txt, made by `make lock` from pyproject.toml), then the
# project itself without dependencies: the same pins on every machine, CI and the Docker image. run.txt: the
# server and the field client (`make run`); dev.txt: everything (`make test`); server.txt: the Docker image.
$(VENV)/.installed: pyproject.toml requirements/run.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements/run.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.txt
	$(PY) -m pip install -q --require-hashes -r requirements/dev.txt
	touch $@

# Re-resolve the locks after changing dependencies in pyproject.toml: for Linux x86-64 with glibc ≥ 2.36 (Debian 12:
# these machines, CI and the Docker image), Python 3.11 markers; every pinned version has wheels for 3.11–3.13.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --python-platform x86_64-manylinux_2_36 --python-version 3.11 \
	--generate-hashes --quiet
lock: setup-dev
	$(LOCK) --extra server -o requirements/server.txt
	$(LOCK) --extra server --extra field -o requirements/run.txt
	$(LOCK) --extra dev -o requirements/dev.txt

setup: $(VENV)/.installed
	@WITH_BROWSER=0 bash scripts/system-deps.sh
setup-dev: $(VENV)/.installed-dev
	@WITH_BROWSER=1 bash scripts/system-deps.sh

# ffmpeg/ffprobe for media processing; Chromium (Debian package) for the browser tests; WenQuanYi fonts
# for PDF opinions. Installed only when absent.
system-deps:
	@bash scripts/system-deps.sh

migrate: setup
	$(PY) backend/manage.py migrate --noinput -v0

demo: migrate
	DEBUG=1 $(PY) backend/manage.py seed_demo

# Embedded default: SQLite + local disk + filesystem broker, gunicorn and a Celery worker side by side.
run: setup
	DEBUG=$${DEBUG:-1} PORT=$(PORT) bash scripts/serve.sh

# Two pytest-xdist workers by default (TEST_WORKERS=0 runs in one process); each worker has its own test
# database and Redis databases (tests/worker_env.py).
TEST_WORKERS ?= 2
test: setup-dev
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check .

# mypy with the Django and DRF plugins over backend/ and media_pipeline/ ([tool.mypy] in pyproject.toml: strict for
# new modules, a per-module baseline for the ones written before the checker ran).
typecheck: setup-dev
	$(VENV)/bin/mypy

# api_docs/guides/error-codes.md from the apps' ErrorCode enums (backend/<app>/error_codes.py); tests/common/
# test_error_codes.py fails when it is stale or a raised code is missing from its enum.
error-guide: setup-dev
	$(PY) -m backend.common.error_catalog

# The layering of the apps ([tool.importlinter] in pyproject.toml; ARCHITECTURE.md "Layers").
lint-imports: setup-dev
	$(VENV)/bin/lint-imports

# bandit and pip-audit (scripts/security-audit.sh); .ci/run runs the same.
audit: setup-dev
	bash scripts/security-audit.sh

format: setup-dev
	$(VENV)/bin/ruff format .

# Integer bounds in the schema come from the database backend; generate against SQLite everywhere so the
# committed document is the same whichever DATABASE_URL is set.
OPENAPI_ENV := DATABASE_URL=sqlite:///var/openapi.sqlite3

openapi: setup
	$(OPENAPI_ENV) $(PY) backend/manage.py spectacular --file api_docs/openapi.yaml

# The committed document is current and valid OpenAPI 3.0 (openapi-spec-validator, a dev dependency).
openapi-check: setup-dev
	$(OPENAPI_ENV) $(PY) backend/manage.py spectacular --file var/openapi.check.yaml
	diff -u api_docs/openapi.yaml var/openapi.check.yaml && echo "OpenAPI schema is up to date"
	$(VENV)/bin/openapi-spec-validator api_docs/openapi.yaml

bench: setup-dev
	bash bench/run_all.sh

clean:
	rm -rf var/ .pytest_cache .ruff_cache
