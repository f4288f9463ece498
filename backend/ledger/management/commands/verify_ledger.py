from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.ledger.sequencer import pending_count
from backend.ledger.services import ledger_verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail and name the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        pending = pending_count()
        if pending:
            self.stdout.write(f"尚有 {pending} 条事件等待排序入链（未计入下述校验）")
        result = ledger_verify_chain()
        if not result.ok:
            raise CommandError(
                f"审计链校验失败：第 {result.first_broken_seq} 号事件 — {result.reason}"
                f"（此前 {result.checked} 条事件完好）"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完好：共 {result.checked} 条事件"))
