"""``manage.py supervision_escalate_overdue``: the hourly supervision sweep (backend/supervision/tasks.py), by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backend.supervision.tasks import supervision_escalate_overdue


class Command(BaseCommand):
    help = "逾期监督文书督办、检察建议逾期提醒、年度数据公开提醒（每小时由 beat 运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = supervision_escalate_overdue()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
