#!/bin/sh
# Background worker for media processing, reminders and self-audit. Run exactly one with --beat
# (BEAT=1) or a separate beat container.
set -e
if [ "${BEAT:-0}" = 1 ]; then
  exec celery -A backend.config.celery worker --beat --schedule /var/lib/zhifa/celerybeat-schedule \
    --loglevel INFO --concurrency "${WORKER_CONCURRENCY:-2}"
fi
exec celery -A backend.config.celery worker --loglevel INFO --concurrency "${WORKER_CONCURRENCY:-2}"
