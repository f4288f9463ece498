from __future__ import annotations

from celery import shared_task

from backend.notifications import services


@shared_task(name="notifications.tasks.notifications_dispatch", time_limit=600, soft_time_limit=540)
def notifications_dispatch() -> dict[str, int]:
    """Collect reminders into inboxes and deliver what is due (retries are stored state, not Celery retries)."""
    return services.notifications_dispatch()
