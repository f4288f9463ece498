"""``manage.py supervision_escalate_overdue``: the hourly escalation of overdue correction orders, by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backend.supervision.services import orders_escalate_overdue


class Command(BaseCommand):
    help = "逾期未答复的责令纠正/执法监督意见书转为督办（每小时由 beat 运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        count = orders_escalate_overdue()
        self.stdout.write(f"escalated {count}")
