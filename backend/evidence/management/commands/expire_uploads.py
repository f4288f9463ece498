"""``manage.py expire_uploads``: expire abandoned partial uploads now (also an hourly Celery task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backend.evidence.services import upload_expire_abandoned


class Command(BaseCommand):
    help = "Expire unfinished uploads past their sliding expiry and delete their partial bytes."

    def handle(self, *args: Any, **options: Any) -> None:
        count = upload_expire_abandoned()
        self.stdout.write(f"expired {count} upload(s)")
