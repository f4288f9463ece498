#!/bin/sh
# Web: apply migrations, collect static files, then gunicorn. The WSGI module refuses to start on an
# insecure configuration (DEBUG off without SECRET_KEY, demo data present, ...).
set -e
python -m backend.manage migrate --noinput
python -m backend.manage collectstatic --noinput -v0
exec gunicorn backend.config.wsgi:application \
  --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-4}" --threads 4 \
  --timeout 3600 --graceful-timeout 30 --access-logfile -
