"""``manage.py backup_create DIR``: the database and every stored object into a new directory (docs/backups.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.common.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or SQLite's backup API) and the evidence storage into a new directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("target", help="a new (or empty) directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_create(Path(options["target"]))
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}")
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{summary.path}（{summary.vendor} 数据库，"
                f"{summary.objects} 个存储对象，{summary.bytes} 字节）"
            )
        )
