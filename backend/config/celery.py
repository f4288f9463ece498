"""The Celery app. Tasks are thin wrappers over services; see each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

app = Celery("zhifa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_insecure_worker(**_kwargs: object) -> None:
    from backend.config.checks import refuse_insecure_start

    refuse_insecure_start()
