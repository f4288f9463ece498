"""``manage.py import_holiday_notice FILE [--year Y] [--source 文号] [--yes]``: the operator's yearly task.

Without ``--yes`` it only prints what it parsed (the confirmation step); with it, it saves the year, audits the
import and recomputes every open deadline that depended on it (backend/holiday_calendar/services.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backend.common.errors import ApplicationError
from backend.ledger.services import AuditContext


class Command(BaseCommand):
    help = "Parse the State Council's holiday notice (a text file, '-' for stdin), show it, and save it with --yes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--source", default="")
        parser.add_argument("--yes", action="store_true", help="save after showing the parsed days")

    def handle(self, *args: Any, **options: Any) -> None:
        from backend.common.calendar import recompute_summary
        from backend.holiday_calendar.services import holiday_notice_import, holiday_notice_preview

        name = options["file"]
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        try:
            preview = holiday_notice_preview(text=text, year=options["year"])
        except ApplicationError as exc:
            raise CommandError("\n".join((exc.extra or {}).get("problems") or [exc.message])) from exc
        notice = preview.notice
        self.stdout.write(f"{notice.year}年 {notice.document_number or '(无文号)'}")
        for entry in notice.entries:
            rest = "、".join(d.isoformat() for d in entry.rest)
            work = "、".join(d.isoformat() for d in entry.work) or "—"
            self.stdout.write(f"  {entry.name}: 放假 {rest}; 上班 {work}")
        for warning in notice.warnings:
            self.stdout.write(self.style.WARNING(f"  注意: {warning}"))
        changed = [d for d in preview.days if d.changes]
        self.stdout.write(f"与当前日历不同的日期: {len(changed)}; 将删除的原有调整: {len(preview.removed)}")
        if not options["yes"]:
            self.stdout.write("未保存（核对无误后加 --yes 保存）。")
            return
        _saved, changes = holiday_notice_import(
            text=text, year=options["year"], source=options["source"], today=timezone.localdate(),
            context=AuditContext(),
        )
        self.stdout.write(self.style.SUCCESS(f"已保存。重新计算：{recompute_summary(changes)}"))
