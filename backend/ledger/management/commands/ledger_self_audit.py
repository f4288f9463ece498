import json

from django.core.management.base import BaseCommand, CommandError

from backend.ledger.selfaudit import ledger_self_audit


class Command(BaseCommand):
    help = (
        "Recompute the Merkle log from its stored entries, compare with the signed checkpoints, verify the "
        "audit chain and re-hash a sample (or --all) of stored originals. Exits non-zero and raises a "
        "ledger.alert on any mismatch."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--all", action="store_true", help="re-hash every original and check every checkpoint")
        parser.add_argument("--sample", type=int, default=20, help="originals to re-hash (default 20)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        report = ledger_self_audit(full=options["all"], sample=options["sample"])
        if options["json"]:
            self.stdout.write(json.dumps({"ok": report.ok, "summary": report.summary(),
                                          "problems": report.problems}, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report.summary())
            for problem in report.problems:
                self.stdout.write(f"  - [{problem['kind']}] {problem['message']}")
        if not report.ok:
            raise CommandError(f"台账自检发现 {len(report.problems)} 处不一致，已告警")
