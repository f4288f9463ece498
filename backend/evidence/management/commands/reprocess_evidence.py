"""``manage.py reprocess_evidence``: run media processing again (e.g. after a pipeline upgrade).

Selection (at least one): ``--all``, ``--case <id>``, ``--status <processing status>``, ``--kind``,
``--id <item id>`` (each repeatable), ``--outdated`` (ready items made by an older pipeline version).
Only received evidence is considered. By default each item is enqueued to the workers (``evidence_process``
with ``force``); ``--inline`` processes here, one after another, with a progress bar. The claim in the
service still applies: an item a live worker is processing is left alone.

Examples::

    manage.py reprocess_evidence --outdated                # after changing the pipeline or render options
    manage.py reprocess_evidence --status failed --inline  # retry failures here and watch the outcome
    manage.py reprocess_evidence --case 5b0c… --dry-run
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend.evidence.models import EvidenceItem, EvidenceKind


class Command(BaseCommand):
    help = "Reprocess evidence media (derivatives, metadata, flags): enqueue to the workers or run --inline."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="every received item")
        parser.add_argument("--case", action="append", default=[], metavar="CASE_ID", help="items of this case")
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            choices=EvidenceItem.ProcessingStatus.values,
            help="items in this processing status",
        )
        parser.add_argument("--kind", action="append", default=[], choices=EvidenceKind.values)
        parser.add_argument("--id", action="append", default=[], metavar="ITEM_ID", dest="ids", help="this item")
        parser.add_argument(
            "--outdated", action="store_true", help="ready items made by an older pipeline version only"
        )
        parser.add_argument("--inline", action="store_true", help="process here instead of enqueueing")
        parser.add_argument("--dry-run", action="store_true", help="only count the selected items")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        from backend.evidence.processing import pipeline_version

        if not (options["all"] or options["case"] or options["status"] or options["kind"] or options["ids"]) and (
            not options["outdated"]
        ):
            raise CommandError("choose what to reprocess: --all, --case, --status, --kind, --id or --outdated")
        items = EvidenceItem.objects.filter(status=EvidenceItem.Status.RECEIVED)
        if options["case"]:
            items = items.filter(case_id__in=options["case"])
        if options["status"]:
            items = items.filter(processing_status__in=options["status"])
        if options["kind"]:
            items = items.filter(kind__in=options["kind"])
        if options["ids"]:
            items = items.filter(pk__in=options["ids"])
        ids = list(items.order_by("received_at", "id").values_list("pk", "processing_status", "media_metadata"))
        if options["outdated"]:
            current = pipeline_version()
            ids = [
                row
                for row in ids
                if row[1] == EvidenceItem.ProcessingStatus.READY and (row[2] or {}).get("pipeline_version") != current
            ]
        selected = [str(pk) for pk, _status, _md in ids]
        self.stdout.write(f"{len(selected)} item(s) selected")
        if options["dry_run"] or not selected:
            return

        outcomes: Counter[str] = Counter()
        bar = tqdm(
            selected,
            desc="reprocess" if options["inline"] else "enqueue",
            unit="item",
            file=sys.stderr,
            disable=options["no_progress"],
        )
        for item_id in bar:
            outcomes[self._one(item_id, inline=options["inline"])] += 1
            bar.set_postfix(outcomes, refresh=False)
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items()))
        self.stdout.write(summary)

    def _one(self, item_id: str, *, inline: bool) -> str:
        if not inline:
            from backend.evidence.tasks import evidence_process

            evidence_process.delay(item_id, force=True)
            return "enqueued"
        from backend.evidence.processing import TRANSIENT_ERRORS, evidence_process_item

        try:
            return evidence_process_item(item_id=item_id, force=True)
        except TRANSIENT_ERRORS as exc:
            self.stderr.write(f"{item_id}: transient error, left pending for the workers: {exc}")
            return "transient_error"
