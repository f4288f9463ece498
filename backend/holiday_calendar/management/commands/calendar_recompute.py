"""``manage.py calendar_recompute [--year Y ...]``: run the recompute job by hand (the admin import and the
daily beat entry run it too). With no year it recomputes every still-provisional deadline."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from backend.common.calendar import calendar_recompute, recompute_summary
from backend.ledger.services import AuditContext


class Command(BaseCommand):
    help = "Recompute every open deadline that depends on the given years (or every provisional one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", default=[])

    def handle(self, *args: Any, **options: Any) -> None:
        changes = calendar_recompute(years=options["year"], today=timezone.localdate(), context=AuditContext())
        self.stdout.write(recompute_summary(changes))
