"""Every periodic job in the one schedule (settings.CELERY_BEAT_SCHEDULE) names a real task."""

from django.conf import settings

from backend.config.celery import app


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    missing = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] not in app.tasks]
    assert missing == []


def test_the_statutory_periodic_jobs_are_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "cases.tasks.deadline_reminders",
        "disclosures.notice_expire_display_periods",
        "ledger_checkpoint",
        "ledger_self_audit",
        "evidence_processing_recover",
        "evidence_expire_uploads",
    } <= tasks
