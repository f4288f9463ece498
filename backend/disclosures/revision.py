"""The public revision: one number that changes whenever anything public changes.

Every public response carries ``ETag: W/"r<revision>-<digest of the URL>"`` and ``Last-Modified`` from
it, so a conditional request is answered ``304`` from a value held in process memory for at most
``TTL`` seconds — no query against the notices table. Writers bump it in their own transaction
(:func:`bump`), and the process that wrote forgets its memo on commit; other workers see the change
within ``TTL`` seconds, well inside the ``max-age`` the responses advertise anyway.
"""

from __future__ import annotations

import datetime
import threading
import time

from django.db import transaction
from django.utils import timezone

from backend.disclosures.models import PublicRevision

NAME = "notices"
TTL = 1.0
_EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
_lock = threading.Lock()
_memo: dict[str, object] = {"at": -1e9, "value": None}


def current() -> tuple[int, datetime.datetime]:
    """``(revision, changed_at)``, memoised per process for :data:`TTL` seconds."""
    now = time.monotonic()
    value = _memo["value"]
    if value is not None and now - float(_memo["at"]) < TTL:  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    row = PublicRevision.objects.filter(name=NAME).values_list("revision", "changed_at").first()
    value = (row[0], row[1]) if row else (0, _EPOCH)
    with _lock:
        _memo["value"] = value
        _memo["at"] = now
    return value


def forget() -> None:
    with _lock:
        _memo["value"] = None


def bump(*, allocate_seq: bool = False) -> int | None:
    """Increment the revision inside the caller's transaction; optionally allocate the next list position.

    The row lock also serialises publications, so ``public_seq`` values are strictly increasing.
    """
    row, _ = PublicRevision.objects.select_for_update().get_or_create(
        name=NAME, defaults={"changed_at": timezone.now()}
    )
    row.revision += 1
    row.changed_at = timezone.now()
    seq = None
    if allocate_seq:
        row.last_seq += 1
        seq = row.last_seq
    row.save(update_fields=["revision", "changed_at", "last_seq"])
    # Forget now (this connection already sees the new value) and again after commit, so a concurrent
    # request in this process cannot keep the pre-commit value for longer than TTL.
    forget()
    transaction.on_commit(forget)
    return seq
