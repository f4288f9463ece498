"""``manage.py verify_evidence``: re-hash every received original against its recorded SHA-256 (STYLE R12).

Exit status 1 when any original is missing or differs, naming each one.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.common.storage import ObjectMissing
from backend.evidence.integrity import original_rehash
from backend.evidence.models import EvidenceItem


class Command(BaseCommand):
    help = "Re-hash stored originals and compare with the SHA-256 recorded at intake."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--case", help="only this case id")

    def handle(self, *args: Any, **options: Any) -> None:
        items = EvidenceItem.objects.filter(status=EvidenceItem.Status.RECEIVED).order_by("received_at")
        if options.get("case"):
            items = items.filter(case_id=options["case"])
        checked = bad = 0
        for item in items.iterator():
            try:
                integrity = original_rehash(item)
            except ObjectMissing:
                bad += 1
                self.stderr.write(f"MISSING {item.pk} {item.storage_key}")
                continue
            checked += 1
            if not integrity.intact:
                bad += 1
                self.stderr.write(f"MISMATCH {item.pk}: stored {item.sha256}, actual {integrity.sha256}")
        self.stdout.write(f"checked {checked} original(s), {bad} problem(s)")
        if bad:
            raise CommandError(f"{bad} original(s) failed verification")
