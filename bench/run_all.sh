#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its figures beside the baseline measured in the same run.
# Runs only against this machine (127.0.0.1). Takes a while (tens of minutes at full size); pass
# BENCH=name1,name2 to run a subset: media, media_worker, uploads, ledger_pure, ledger, ledger_writes, case_list,
# notices, sqlite_write_lock, slow_clients. `bash bench/smoke.sh` runs every one of them at a tiny size in seconds (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p bench/results
# Load generator and the npm tus peer used by the baselines.
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null || true; }

want() { [ -z "${BENCH:-}" ] || [[ ",$BENCH," == *",$1,"* ]]; }
run() {
  local name=$1; shift
  want "$name" || return 0
  echo "=================== $name ==================="
  "$PY" "$@" 2>&1 | tee "bench/results/$name.txt"
}

run media        bench/bench_media.py
run media_worker bench/bench_media_worker.py
run uploads      bench/bench_uploads.py --s3
run ledger_pure  bench/bench_ledger_pure.py
run ledger       bench/bench_ledger.py
run ledger_writes bench/bench_ledger_writes.py
run case_list    bench/bench_case_list.py
run notices      bench/bench_notices.py
run sqlite_write_lock bench/bench_sqlite_write_lock.py
# Slow devices on 4G (issue 20 items 1-3, another branch): included as soon as the script is on main.
[ -f bench/bench_slow_clients.py ] && run slow_clients bench/bench_slow_clients.py
exit 0
