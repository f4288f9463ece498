# The two commands a newcomer needs:
#   make run    set up everything, load demo data, serve on 127.0.0.1:$(PORT) with the background worker
#   make test   set up what the tests need and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := backend.config.settings

.PHONY: run test setup setup-dev system-deps migrate demo openapi openapi-check lint format audit bench worker clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

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

test: setup-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check .

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

openapi-check: setup
	$(OPENAPI_ENV) $(PY) backend/manage.py spectacular --file var/openapi.check.yaml
	diff -u api_docs/openapi.yaml var/openapi.check.yaml && echo "OpenAPI schema is up to date"

bench: setup-dev
	bash bench/run_all.sh

clean:
	rm -rf var/ .pytest_cache .ruff_cache
