#!/usr/bin/env bash
# Every benchmark at a tiny size (`.ci/run`, or `bash bench/smoke.sh` by hand): each must still load its data
# through the current models, reach the current API and finish; no figure is judged (no timing assertion),
# so a schema or API change that breaks a benchmark fails CI without making CI depend on machine speed.
# Uses the local PostgreSQL (databases ${BENCH_DB_PREFIX}_*, dropped afterwards) and Redis when it answers.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
P=${BENCH_DB_PREFIX:-zhifa_bench_smoke}
export PYTHONUNBUFFERED=1
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } \
  || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
mkdir -p var/bench

# One migrated database, copied for each benchmark (CREATE DATABASE ... TEMPLATE) instead of migrating five times.
template="${P}_template"
export PGOPTIONS="-c client_min_messages=warning"
export BENCH_DB_TEMPLATE=$template
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS \"$template\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$template\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
trap 'psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS \"$template\" WITH (FORCE)" || true' EXIT
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$template" $PY backend/manage.py migrate --noinput -v0

ran=()
smoke() {
  local name=$1; shift
  local started=$SECONDS log="var/bench/smoke-$name.log"
  if ! "$PY" "$@" --smoke >"$log" 2>&1; then
    echo "bench smoke: $name FAILED; its output ($log):"
    tail -n 60 "$log"
    exit 1
  fi
  echo "bench smoke: $name ran in $((SECONDS - started)) s"
  ran+=("$name")
}

smoke ledger_pure    bench/bench_ledger_pure.py
smoke ledger         bench/bench_ledger.py --db "postgres://postgres@127.0.0.1:5432/${P}_ledger"
smoke ledger_writes  bench/bench_ledger_writes.py --db-prefix "${P}_lw"
smoke case_list      bench/bench_case_list.py --db "${P}_cases"
smoke notices        bench/bench_notices.py --db "${P}_notices"
smoke uploads        bench/bench_uploads.py
smoke media          bench/bench_media.py
smoke media_worker   bench/bench_media_worker.py
smoke sqlite_write_lock bench/bench_sqlite_write_lock.py
# Slow devices (issue 20 items 1-3, another branch): included as soon as the script is on main.
if [ -f bench/bench_slow_clients.py ]; then
  smoke slow_clients bench/bench_slow_clients.py
fi
echo "bench smoke: every benchmark ran (${ran[*]})"
