#!/usr/bin/env bash
# Serve the embedded default: migrate, load demo data (DEBUG only), then three processes under
# scripts/supervise.py — nginx on 127.0.0.1:$PORT (a buffering proxy: slow mobile uploads never hold an
# application thread, nginx/zhifa-proxy.conf), gunicorn behind it on 127.0.0.1:$UPSTREAM_PORT (default
# PORT+1, trusting only the local proxy's X-Forwarded-*), and a Celery worker with beat. If one dies, all
# stop and this script exits non-zero saying which one and how; Ctrl-C / SIGTERM (to this script or its whole
# process group) stops all cleanly, SIGKILL to what is still running after SERVE_STOP_TIMEOUT seconds
# (default 40: gunicorn lets requests in flight finish for up to 30 s).
# SERVE_PROXY=none serves gunicorn directly on $PORT (no nginx; slow clients then occupy its threads).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=.venv/bin/python
PORT=${PORT:-8000}
PROXY=${SERVE_PROXY:-nginx}
export DJANGO_SETTINGS_MODULE=backend.config.settings

die() { echo "serve: $*" >&2; exit 1; }
case "$PROXY" in
  nginx)
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    [ -x "$NGINX" ] || die "nginx is not installed: run 'make setup' (scripts/system-deps.sh installs it), or SERVE_PROXY=none"
    UPSTREAM_PORT=${UPSTREAM_PORT:-$((PORT + 1))}
    # gunicorn and Django believe X-Forwarded-For/-Proto from the local proxy only (and whatever was set).
    case ",${TRUSTED_PROXIES:-}," in
      *,127.0.0.1,*) ;;
      *) export TRUSTED_PROXIES="${TRUSTED_PROXIES:+$TRUSTED_PROXIES,}127.0.0.1" ;;
    esac
    ;;
  none) UPSTREAM_PORT=$PORT ;;
  *) die "SERVE_PROXY must be nginx or none, not '$PROXY'" ;;
esac

$PY backend/manage.py migrate --noinput -v0
$PY backend/manage.py collectstatic --noinput -v0
debug=0
if [ "${DEBUG:-0}" = 1 ] || [ "${DEBUG:-}" = true ]; then debug=1; fi
# Demo accounts and cases with DEBUG (SEED_DEMO=0 skips them; they are never loaded without DEBUG).
if [ "$debug" = 1 ] && [ "${SEED_DEMO:-1}" = 1 ]; then
  $PY backend/manage.py seed_demo
fi

VAR=$(realpath -m "${VAR_DIR:-var}")
RUN_DIR="$VAR/run"
mkdir -p "$RUN_DIR"
q() { printf %q "$1"; }
run=(--run web ".venv/bin/gunicorn -c python:backend.config.gunicorn backend.config.wsgi:application \
--bind 127.0.0.1:${UPSTREAM_PORT}")
run+=(--run worker ".venv/bin/celery -A backend.config.celery worker --beat --schedule $(q "$RUN_DIR/celerybeat-schedule") \
--loglevel INFO --concurrency ${WORKER_CONCURRENCY:-2}")

if [ "$PROXY" = nginx ]; then
  if [ "$(id -u)" = 0 ]; then
    # nginx's workers never run as root: as nobody, with temp files where nobody can write (VAR_DIR may
    # sit below a directory only root can enter).
    temp_dir="/tmp/zhifa-nginx-$PORT"
    user_line="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
  else
    temp_dir="$RUN_DIR/nginx"
    user_line=""
  fi
  mkdir -p "$temp_dir"
  [ "$(id -u)" = 0 ] && chown nobody "$temp_dir"
  # The @NAME@ placeholders of the template, passed through the environment (no quoting of paths to get wrong).
  RUN_DIR="$RUN_DIR" TEMP_DIR="$temp_dir" USER_LINE="$user_line" PORT="$PORT" UPSTREAM_PORT="$UPSTREAM_PORT" \
  REPO="$REPO" $PY - "$REPO/nginx/embedded.conf.template" "$RUN_DIR/nginx.conf" <<'PYEOF'
import os, sys
text = open(sys.argv[1]).read()
for name in ("RUN_DIR", "TEMP_DIR", "USER_LINE", "PORT", "UPSTREAM_PORT", "REPO"):
    text = text.replace(f"@{name}@", os.environ[name])
open(sys.argv[2], "w").write(text)
PYEOF
  "$NGINX" -q -t -e stderr -c "$RUN_DIR/nginx.conf" || die "the rendered nginx configuration is invalid ($RUN_DIR/nginx.conf)"
  run+=(--run proxy "$(q "$NGINX") -e stderr -c $(q "$RUN_DIR/nginx.conf")")
fi

echo "执法记录 is serving on http://127.0.0.1:${PORT}/ (API docs: /api/docs/, health: /healthz). Ctrl-C stops."
# exec: the supervisor takes this shell's pid, so signals sent to the script reach it directly.
exec $PY scripts/supervise.py --stop-timeout "${SERVE_STOP_TIMEOUT:-40}" "${run[@]}"
