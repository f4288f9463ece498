#!/bin/sh
# Web: collect static files, then gunicorn. Migrations are the one-shot `migrate` service (compose.yml), run
# once before any instance starts. The WSGI module refuses to start on an insecure configuration (DEBUG off
# without SECRET_KEY, demo data present, ...).
set -e
python -m backend.manage collectstatic --noinput -v0
# No gunicorn access log: the application writes one JSON access line per request (logger backend.access).
WEB_CONCURRENCY="${WEB_CONCURRENCY:-4}" exec gunicorn -c python:backend.config.gunicorn \
  backend.config.wsgi:application --bind 0.0.0.0:8000
