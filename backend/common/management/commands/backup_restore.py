"""``manage.py backup_restore DIR``: a backup into an empty database and storage (docs/backups.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.common.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Check every hash of a backup, then restore it into the configured database and storage (both must be "
        "empty). Afterwards run ledger_self_audit --all, verify_ledger and verify_evidence."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="a directory written by backup_create")
        parser.add_argument("--check-only", action="store_true", help="only re-hash the backup; restore nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check_only"]:
                manifest = backup_check(Path(options["source"]))
                self.stdout.write(
                    self.style.SUCCESS(f"备份完好：{len(manifest['storage']['objects'])} 个存储对象与清单一致")
                )
                return
            summary = backup_restore(Path(options["source"]))
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}")
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：{summary.vendor} 数据库，{summary.objects} 个存储对象，{summary.bytes} 字节；"
                "请运行 ledger_self_audit --all、verify_ledger、verify_evidence"
            )
        )
