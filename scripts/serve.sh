#!/usr/bin/env bash
# Serve the embedded default: migrate, load demo data (DEBUG only), then gunicorn + a Celery worker (with
# beat for periodic jobs) under scripts/supervise.py: if either dies, both stop and this script exits
# non-zero saying which one and how; Ctrl-C / SIGTERM (to this script or its whole process group) stops
# both cleanly, SIGKILL to what is still running after SERVE_STOP_TIMEOUT seconds (default 40: gunicorn
# lets requests in flight finish for up to 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=backend.config.settings

$PY backend/manage.py migrate --noinput -v0
$PY backend/manage.py collectstatic --noinput -v0
debug=0
if [ "${DEBUG:-0}" = 1 ] || [ "${DEBUG:-}" = true ]; then debug=1; fi
# Demo accounts and cases with DEBUG (SEED_DEMO=0 skips them; they are never loaded without DEBUG).
if [ "$debug" = 1 ] && [ "${SEED_DEMO:-1}" = 1 ]; then
  $PY backend/manage.py seed_demo
fi

RUN_DIR="${VAR_DIR:-var}/run"
mkdir -p "$RUN_DIR"
echo "执法记录 is serving on http://127.0.0.1:${PORT}/ (API docs: /api/docs/, health: /healthz). Ctrl-C stops."
# exec: the supervisor takes this shell's pid, so signals sent to the script reach it directly.
exec $PY scripts/supervise.py --stop-timeout "${SERVE_STOP_TIMEOUT:-40}" \
  --run web ".venv/bin/gunicorn -c python:backend.config.gunicorn backend.config.wsgi:application \
--bind 127.0.0.1:${PORT} --access-logfile -" \
  --run worker ".venv/bin/celery -A backend.config.celery worker --beat --schedule $(printf %q "$RUN_DIR/celerybeat-schedule") \
--loglevel INFO --concurrency ${WORKER_CONCURRENCY:-2}"
