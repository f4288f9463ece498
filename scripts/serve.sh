#!/usr/bin/env bash
# Serve the embedded default: migrate, load demo data (DEBUG only), then gunicorn + a Celery worker
# (with beat for periodic jobs). Ctrl-C stops both cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=backend.config.settings

$PY backend/manage.py migrate --noinput -v0
$PY backend/manage.py collectstatic --noinput -v0
if [ "${DEBUG:-0}" = 1 ] || [ "${DEBUG:-}" = true ]; then
  $PY backend/manage.py seed_demo
fi

RUN_DIR="${VAR_DIR:-var}/run"
mkdir -p "$RUN_DIR"
.venv/bin/celery -A backend.config.celery worker --beat --schedule "$RUN_DIR/celerybeat-schedule" \
  --loglevel INFO --concurrency "${WORKER_CONCURRENCY:-2}" &
worker=$!
.venv/bin/gunicorn -c python:backend.config.gunicorn backend.config.wsgi:application \
  --bind "127.0.0.1:${PORT}" &
web=$!

stop() {
  echo "stopping web ($web) and worker ($worker)…"
  kill -TERM "$web" "$worker" 2>/dev/null || true
  wait "$web" "$worker" 2>/dev/null || true
  exit 0
}
trap stop INT TERM
echo "执法记录 is serving on http://127.0.0.1:${PORT}/ (API docs: /api/docs/, health: /healthz). Ctrl-C stops."
# If either process dies, stop the other too.
wait -n "$web" "$worker"
stop
