from django.core.management.base import BaseCommand

from backend.ledger.sequencer import ledger_sequence, pending_count


class Command(BaseCommand):
    help = "Seal the audit events still waiting for the sequencer (chain + Merkle log) now; print what is left."

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        sealed = ledger_sequence()
        left = pending_count()
        self.stdout.write(self.style.SUCCESS(f"已排序入链 {sealed} 条事件；仍待排序 {left} 条"))
