from django.core.management.base import BaseCommand, CommandError

from backend.ledger.checkpoints import LedgerInconsistent, checkpoint_sign


class Command(BaseCommand):
    help = "Sign a checkpoint (signed tree head) of the Merkle log now and print the signed note."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--force", action="store_true",
                            help="sign even if the latest checkpoint already covers the current tree")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            result = checkpoint_sign(force=options["force"])
        except LedgerInconsistent as exc:
            raise CommandError(exc.message) from exc
        checkpoint = result.checkpoint
        state = "已签署新检查点" if result.created else "最新检查点已覆盖当前台账，未重新签署"
        self.stdout.write(self.style.SUCCESS(f"{state}：树大小 {checkpoint.tree_size}"))
        self.stdout.write(checkpoint.note, ending="")
