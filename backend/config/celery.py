"""The Celery app. Tasks are thin wrappers over services; see each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun, task_success, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

app = Celery("zhifa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_insecure_worker(**_kwargs: object) -> None:
    # Celery logs an exception raised by a signal handler and starts anyway: leave with a status instead.
    from backend.config.checks import exit_if_insecure

    exit_if_insecure("celery worker")


@beat_init.connect
def _refuse_insecure_beat(**_kwargs: object) -> None:
    from backend.config.checks import exit_if_insecure

    exit_if_insecure("celery beat")


# Every log line a task writes names the task and its id (backend/common/observability.py); periodic tasks
# leave their last success time for /metrics (zhifa_periodic_task_last_success_timestamp_seconds).
@task_prerun.connect
def _bind_task(task_id: str | None = None, task: object = None, **_kwargs: object) -> None:
    from backend.common.observability import bind_task

    bind_task(getattr(task, "name", ""), task_id or "")


@task_postrun.connect
def _unbind_task(**_kwargs: object) -> None:
    from backend.common.observability import unbind_task

    unbind_task()


@task_success.connect
def _record_task_success(sender: object = None, **_kwargs: object) -> None:
    from backend.common.metrics import record_task_success

    record_task_success(getattr(sender, "name", ""))
