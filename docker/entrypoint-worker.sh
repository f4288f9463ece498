#!/bin/sh
# Background worker for media processing, reminders and self-audit (ROLE=worker, the default; run as many
# as needed), or the single scheduler (ROLE=beat: exactly one per deployment, docker/compose.yml `beat`).
set -e
case "${ROLE:-worker}" in
  beat)
    exec celery -A backend.config.celery beat --schedule /var/lib/zhifa/celerybeat-schedule --loglevel INFO ;;
  worker)
    exec celery -A backend.config.celery worker --loglevel INFO --concurrency "${WORKER_CONCURRENCY:-2}" ;;
  *)
    echo "ROLE must be worker or beat, not '${ROLE}'" >&2; exit 64 ;;
esac
