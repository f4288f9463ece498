"""Media processing of a received original: verify, probe, derive, store (the ``evidence_process`` task's body).

One run of :func:`evidence_process_item`:

1. **Claim** the item with a conditional UPDATE (``pending`` → ``processing``, carrying a claim token in
   ``media_metadata["claim"]``), so two workers never process the same item. Replays are harmless: a gone
   item is logged and skipped, a ``ready`` item of the current pipeline version is skipped, a permanently
   ``failed`` one is left alone (``force`` — the ``reprocess_evidence`` command — reprocesses both). A
   claim whose worker died (same host, process gone) or went silent (no heartbeat for
   ``MEDIA_CLAIM_STALE_S``) is taken over (the claim-and-heartbeat mechanism of ``common.owners``); after
   ``MEDIA_MAX_INTERRUPTIONS`` take-overs the file is assumed to kill workers and ends ``failed``.
2. **Fetch** the original from storage (local disk or S3) into a per-run scratch directory and
   **re-verify its SHA-256** against the item. A mismatch means the stored original was altered: the item
   ends ``failed`` with an integrity reason, an ``evidence.integrity_alert`` event is recorded, and the
   bytes are never processed (or served as derivatives). The item's first run also records the provenance
   check (SM3, C2PA; ``services.provenance_check``) from the same copy: a new original is read from storage
   once.
3. **Process** the copy with :func:`media_pipeline.process` under the ``MEDIA_*`` limits (the stored
   original is only ever read).
4. **Store** the derivatives through the storage interface under deterministic keys
   ``derived/<item id>/<file name>``: a rerun overwrites the same keys, and keys a previous pipeline
   version wrote that are no longer produced are deleted afterwards (no duplicates, no orphans).
5. **Record** the metadata, derivative keys, the camera-vs-declared discrepancy flags, ``ready`` and an
   ``evidence.processed`` audit event in one transaction — or ``failed`` + reason and
   ``evidence.processing_failed``.

Errors: a permanent :class:`media_pipeline.MediaError` (the *file* is bad: corrupt, truncated, bomb, a
hang) ends ``failed`` and is never retried. Transient faults — :class:`StorageError`, a transient
``MediaError`` (tool missing, disk full), a database hiccup — put the item back to ``pending`` and
propagate, so the Celery task retries with backoff (``backend/evidence/tasks.py``); when the retries are
exhausted the task calls :func:`evidence_processing_give_up`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import logging
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from backend.common.inputs import is_ascii_int
from backend.common.owners import HOST, Heartbeat, holder_gone, owner_token
from backend.common.storage import DERIVED_PREFIX, ObjectMissing, StorageError, get_storage
from backend.evidence.camera_check import MEDIA_FLAG_CODES as MEDIA_FLAG_CODES
from backend.evidence.camera_check import camera_discrepancies, merge_flags
from backend.evidence.conf import upload_limits
from backend.evidence.integrity import file_blocks, original_rehash
from backend.evidence.models import EvidenceItem
from backend.evidence.provenance import c2pa_inspect, sm3_hasher
from backend.evidence.services.provenance_check import PROVENANCE_KINDS, provenance_record, provenance_recorded
from backend.ledger.services import audit_record
from media_pipeline import (
    Limits,
    MediaError,
    ProcessResult,
    RenderOptions,
    TransientMediaError,
    process,
    sniff,
)

logger = logging.getLogger(__name__)

# Bump when the pipeline's output changes in a way that should reach stored items; together with a
# fingerprint of the render options it forms ``media_metadata["pipeline_version"]``. Items of an older
# version are reprocessed on request (``manage.py reprocess_evidence --outdated``).
PIPELINE_REVISION = 1

PS = EvidenceItem.ProcessingStatus
MEDIA_KINDS = ("photo", "video", "audio")
# Keys of ``media_metadata`` that are bookkeeping, not facts about the file (the API hides them).
INTERNAL_METADATA_KEYS = frozenset({"claim", "interruptions", "queued_at"})

# Worth a retry: the environment failed, not the file.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    StorageError,
    TransientMediaError,
    OperationalError,
    InterfaceError,
)

SCRATCH_PREFIX = "process-"


class ScratchUnavailable(StorageError):
    """The local scratch directory cannot hold the original (disk full, permissions): transient."""


# --------------------------------------------------------------------------- configuration


def media_limits() -> Limits:
    """``media_pipeline.Limits`` from the ``MEDIA_*`` settings."""
    return Limits(
        ffmpeg=settings.MEDIA_FFMPEG,
        ffprobe=settings.MEDIA_FFPROBE,
        probe_timeout_s=settings.MEDIA_PROBE_TIMEOUT_S,
        transcode_timeout_base_s=settings.MEDIA_TRANSCODE_TIMEOUT_BASE_S,
        transcode_timeout_per_media_s=settings.MEDIA_TRANSCODE_TIMEOUT_PER_MEDIA_S,
        memory_bytes=settings.MEDIA_MEMORY_BYTES,
        max_output_bytes=settings.MEDIA_MAX_OUTPUT_BYTES,
        max_image_pixels=settings.MEDIA_MAX_IMAGE_PIXELS,
        max_image_decoded_bytes=settings.MEDIA_MAX_IMAGE_DECODED_BYTES,
        image_memory_bytes=settings.MEDIA_IMAGE_MEMORY_BYTES,
        max_video_pixels=settings.MEDIA_MAX_VIDEO_PIXELS,
        max_duration_s=settings.MEDIA_MAX_DURATION_S,
    )


def render_options() -> RenderOptions:
    return RenderOptions(preview_preset=settings.MEDIA_PREVIEW_PRESET)


def pipeline_version(options: RenderOptions | None = None) -> str:
    """``<revision>.<fingerprint of the render options>``: changes whenever derivatives would change."""
    # The preset changes encoding speed, not what a reviewer sees; it stays out of the fingerprint.
    opts = options or render_options()
    fingerprint = hashlib.sha256(repr(_options_for_version(opts)).encode()).hexdigest()[:8]
    return f"{PIPELINE_REVISION}.{fingerprint}"


def _options_for_version(options: RenderOptions) -> tuple[Any, ...]:
    return tuple((f.name, getattr(options, f.name)) for f in dataclasses.fields(options) if f.name != "preview_preset")


def derivative_key(item_id: uuid.UUID | str, filename: str) -> str:
    """Deterministic storage key of a derivative: ``derived/<item id>/<file name>``."""
    return f"{DERIVED_PREFIX}{item_id}/{filename}"


# --------------------------------------------------------------------------- claims


# Claim tokens this process is working on right now. A claim naming this process but not listed here was left
# behind by an earlier attempt in this process (e.g. its final write failed): it is abandoned, not busy.
_ACTIVE_TOKENS: set[str] = set()


def _holder_dead(claim: dict[str, Any]) -> bool:
    """The claim was taken by a process on this host that no longer exists (a killed worker), or by this
    process in a job that is over."""
    pid = claim.get("pid")
    if not isinstance(pid, int):
        return False
    return holder_gone(host=str(claim.get("host")), pid=pid, token=str(claim.get("token") or ""), active=_ACTIVE_TOKENS)


def _claim_is_abandoned(item: EvidenceItem, now: datetime.datetime) -> bool:
    claim = (item.media_metadata or {}).get("claim") or {}
    stale_before = now - datetime.timedelta(seconds=settings.MEDIA_CLAIM_STALE_S)
    return _holder_dead(claim) or item.updated_at < stale_before


@dataclass
class Claim:
    item: EvidenceItem
    token: str


def _claim(item_id: uuid.UUID | str, *, force: bool) -> Claim | str:
    """Claim the item or say why not (``gone``, ``skipped``, ``busy``, ``failed``)."""
    version = pipeline_version()
    for _attempt in range(3):
        item = EvidenceItem.objects.select_related("case").filter(pk=item_id).first()
        if item is None or item.status != EvidenceItem.Status.RECEIVED:
            logger.info("evidence %s no longer exists or is not received evidence; skipping", item_id)
            return "gone"
        metadata = dict(item.media_metadata or {})
        now = timezone.now()
        status = item.processing_status
        interruptions = int(metadata.get("interruptions") or 0)
        cas = Q(processing_status=status)
        if status == PS.PENDING:
            pass
        elif status == PS.PROCESSING:
            if not _claim_is_abandoned(item, now):
                logger.info("evidence %s is being processed by another worker; skipping", item_id)
                return "busy"
            old = metadata.get("claim") or {}
            cas &= Q(media_metadata__claim__token=old["token"]) if old.get("token") else Q(updated_at=item.updated_at)
            interruptions += 1
            if interruptions > settings.MEDIA_MAX_INTERRUPTIONS:
                _fail_interrupted(item=item, cas=cas, interruptions=interruptions)
                return "failed"
            logger.warning("evidence %s: taking over an abandoned claim %s", item_id, old)
        elif status == PS.READY:
            if not force and metadata.get("pipeline_version") == version:
                logger.info("evidence %s is already processed with pipeline %s; skipping", item_id, version)
                return "skipped"
        elif status == PS.FAILED:
            if not force and not (metadata.get("error") or {}).get("transient"):
                logger.info("evidence %s failed permanently (%s); skipping", item_id, item.processing_error)
                return "skipped"
        else:  # an unknown state: leave it to a person
            return "skipped"
        token = owner_token()
        metadata["claim"] = {"token": token, "host": HOST, "pid": os.getpid(), "at": now.isoformat()}
        metadata["interruptions"] = interruptions
        changed = EvidenceItem.objects.filter(cas, pk=item.pk, status=EvidenceItem.Status.RECEIVED).update(
            processing_status=PS.PROCESSING, processing_error="", media_metadata=metadata, updated_at=now
        )
        if changed:
            item.processing_status = PS.PROCESSING
            item.processing_error = ""
            item.media_metadata = metadata
            item.updated_at = now
            return Claim(item=item, token=token)
    logger.info("evidence %s: lost the race for the claim; skipping", item_id)
    return "busy"


def _mine(claim: Claim) -> Q:
    return Q(pk=claim.item.pk, processing_status=PS.PROCESSING, media_metadata__claim__token=claim.token)


def _heartbeat(claim: Claim) -> Heartbeat:
    """Refresh the claim (``updated_at``) every ``MEDIA_HEARTBEAT_S`` while a long job runs (in a thread)."""

    def beat() -> bool:
        return bool(EvidenceItem.objects.filter(_mine(claim)).update(updated_at=timezone.now()))

    return Heartbeat(beat, every_s=settings.MEDIA_HEARTBEAT_S, name=f"heartbeat-{claim.item.pk}")


# --------------------------------------------------------------------------- the job


@dataclass(frozen=True)
class _Output:
    metadata: dict[str, Any]
    derivatives: dict[str, dict[str, Any]]
    flags: list[dict[str, Any]]


def evidence_process_item(*, item_id: uuid.UUID | str, force: bool = False) -> str:
    """Process one evidence item; returns ``ready``, ``failed``, ``skipped``, ``busy`` or ``gone``.

    Raises one of :data:`TRANSIENT_ERRORS` (after putting the item back to ``pending``) when a retry may
    succeed; the caller (the Celery task) retries with backoff.
    """
    claimed = _claim(item_id, force=force)
    if isinstance(claimed, str):
        return claimed
    claim = claimed
    _ACTIVE_TOKENS.add(claim.token)
    try:
        return _process_claimed(claim)
    finally:
        _ACTIVE_TOKENS.discard(claim.token)


def _process_claimed(claim: Claim) -> str:
    item = claim.item
    started = time.monotonic()
    try:
        with _heartbeat(claim) as heartbeat:
            output = _run(item)
        if heartbeat.lost:
            logger.warning("evidence %s: claim lost; results of this run are not recorded", item.pk)
            return "busy"
    except _IntegrityMismatch as mismatch:
        _finish_failed(
            claim,
            code="original_integrity_mismatch",
            reason=(
                "原始文件完整性校验失败：存储中的文件与接收时的 SHA-256 不一致，已停止处理 / "
                "Stored original does not match the SHA-256 recorded at intake; not processed"
            ),
            detail={"expected_sha256": item.sha256, "actual_sha256": mismatch.actual, "size": mismatch.size},
            integrity=mismatch,
        )
        return "failed"
    except MediaError as err:
        if err.transient:
            _release(claim, reason=err.reason)
            raise
        detail = err.to_dict()
        detail["stderr_tail"] = (detail.get("stderr_tail") or "")[-1000:]
        _finish_failed(claim, code=err.code, reason=err.reason, detail=detail)
        return "failed"
    except TRANSIENT_ERRORS as exc:
        _release(claim, reason=f"{type(exc).__name__}: {exc}")
        raise
    except _soft_time_limit() as exc:
        _finish_failed(
            claim,
            code="processing_time_limit",
            reason="处理超出时间上限 / Processing exceeded the task time limit",
            detail={"error": type(exc).__name__},
        )
        return "failed"
    except Exception as exc:  # a bug, not a property of the file: recorded, never retried blindly
        logger.exception("evidence %s: processing crashed", item.pk)
        _finish_failed(
            claim,
            code="processing_internal_error",
            reason=f"处理程序内部错误 / Internal processing error: {type(exc).__name__}",
            detail={"error": type(exc).__name__, "message": str(exc)[:500]},
        )
        return "failed"
    try:
        recorded = _finish_ready(claim, output)
    except TRANSIENT_ERRORS as exc:  # e.g. the database was briefly unavailable or locked
        _release(claim, reason=f"{type(exc).__name__}: {exc}")
        raise
    logger.info(
        "evidence %s processed in %.2f s (%s)", item.pk, time.monotonic() - started, ", ".join(output.derivatives)
    )
    return "ready" if recorded else "busy"


def _soft_time_limit() -> type[BaseException]:
    from celery.exceptions import SoftTimeLimitExceeded

    exceeded: type[BaseException] = SoftTimeLimitExceeded
    return exceeded


class _IntegrityMismatch(Exception):
    def __init__(self, actual: str, size: int) -> None:
        super().__init__(actual)
        self.actual = actual
        self.size = size


def _scratch_root() -> Path:
    root = Path(settings.UPLOAD_SCRATCH_DIR)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScratchUnavailable(f"scratch directory {root}: {exc}") from exc
    return root


def _run(item: EvidenceItem) -> _Output:
    storage = get_storage()
    options = render_options()
    prefix = f"{SCRATCH_PREFIX}{HOST}-{os.getpid()}-"
    with tempfile.TemporaryDirectory(dir=_scratch_root(), prefix=prefix) as tmp:
        work = Path(tmp)
        original = work / "original"
        try:
            storage.download_to(item.storage_key, original)
        except OSError as exc:  # local disk full or unwritable while copying
            raise ScratchUnavailable(str(exc)) from exc
        # The provenance check (SHA-256, SM3, C2PA) reads the same local copy: one read of the stored original.
        provenance_due = not provenance_recorded(item)
        sm3 = sm3_hasher() if provenance_due and upload_limits().sm3_enabled else None
        integrity = original_rehash(item, blocks=file_blocks(original), sinks=[sm3.update] if sm3 is not None else [])
        if provenance_due:
            c2pa = c2pa_inspect(str(original), mime=item.content_type) if item.kind in PROVENANCE_KINDS else {}
            sm3_hex = sm3.hexdigest() if sm3 is not None else None
            provenance_record(item=item, stored_ok=integrity.intact, sm3=sm3_hex, c2pa=c2pa)
        if not integrity.intact:
            raise _IntegrityMismatch(integrity.sha256, integrity.size)
        original.chmod(0o444)  # the copy too: nothing in the pipeline may write to it

        result: ProcessResult | None = None
        if item.kind in MEDIA_KINDS:
            result = process(original, item.kind, work / "out", media_limits(), options=options)
        derivatives: dict[str, dict[str, Any]] = {}
        for derivative in result.derivatives if result else ():
            key = derivative_key(item.pk, derivative.path.name)
            storage.put_file(key, derivative.path, content_type=derivative.mime)
            derivatives[derivative.name] = {
                "key": key,
                "content_type": derivative.mime,
                "size": derivative.size_bytes,
                "sha256": derivative.sha256,
                "width": derivative.width,
                "height": derivative.height,
                "duration_s": derivative.duration_s,
            }
        sniffed = result.sniffed if result else sniff(original)

    metadata: dict[str, Any] = {
        "pipeline_version": pipeline_version(options),
        "processed_at": timezone.now().isoformat(),
        "original_sha256_verified": True,
        "format": {"kind": sniffed.kind, "mime": sniffed.mime, "format": sniffed.format},
    }
    flags: list[dict[str, Any]] = []
    if result is not None:
        metadata.update(result.info.to_dict())
        metadata["timings"] = {step: round(seconds, 4) for step, seconds in result.timings}
        check, flags = camera_discrepancies(
            info=result.info,
            captured_at=item.captured_at,
            latitude=item.latitude,
            longitude=item.longitude,
            accuracy_m=item.accuracy_m,
        )
        metadata["camera_check"] = check
        metadata["discrepancy_flags"] = flags
    return _Output(metadata=metadata, derivatives=derivatives, flags=flags)


# --------------------------------------------------------------------------- outcomes


def _finish_ready(claim: Claim, output: _Output) -> bool:
    item = claim.item
    previous = dict(item.derivatives or {})
    with transaction.atomic():
        # The claim check is the transaction's first statement and a write: SQLite takes its write lock at
        # once (waiting up to the busy timeout) rather than failing to upgrade a read lock later ("database is
        # locked"), and PostgreSQL locks the row, so the flags read next cannot change before we write them.
        changed = EvidenceItem.objects.filter(_mine(claim)).update(
            processing_status=PS.READY,
            processing_error="",
            media_metadata=output.metadata,
            derivatives=output.derivatives,
            updated_at=timezone.now(),
        )
        if not changed:
            logger.warning("evidence %s: claim lost before the result was recorded", item.pk)
            return False
        current = EvidenceItem.objects.filter(pk=item.pk).values_list("flags", flat=True).first() or []
        flags = merge_flags(current, output.flags)
        if flags != current:
            EvidenceItem.objects.filter(pk=item.pk).update(flags=flags)
        audit_record(
            action="evidence.processed",
            target=item,
            agency_id=item.case.agency_id,
            case_id=item.case_id,
            data={
                "pipeline_version": output.metadata["pipeline_version"],
                "original_sha256": item.sha256,
                "original_sha256_verified": True,
                "derivatives": {name: entry["sha256"] for name, entry in sorted(output.derivatives.items())},
                "duration_s": output.metadata.get("duration_s"),
                "width": output.metadata.get("display_width"),
                "height": output.metadata.get("display_height"),
                "flags": [flag["code"] for flag in output.flags],
            },
        )
    item.processing_status = PS.READY
    item.media_metadata = output.metadata
    item.derivatives = output.derivatives
    item.flags = flags
    # Keys an earlier pipeline version wrote that this one no longer produces.
    wanted = {entry["key"] for entry in output.derivatives.values()}
    for entry in previous.values():
        key = entry.get("key") if isinstance(entry, dict) else entry
        if key and key not in wanted and str(key).startswith(f"{DERIVED_PREFIX}{item.pk}/"):
            try:
                get_storage().delete_derived(key)
            except Exception:  # an orphan derivative is harmless; never fail a finished job for it
                logger.warning("evidence %s: could not delete old derivative %s", item.pk, key, exc_info=True)
    return True


def _finish_failed(
    claim: Claim,
    *,
    code: str,
    reason: str,
    detail: dict[str, Any],
    integrity: _IntegrityMismatch | None = None,
) -> None:
    item = claim.item
    metadata = {
        "pipeline_version": pipeline_version(),
        "processed_at": timezone.now().isoformat(),
        "error": {"code": code, "transient": False, **detail},
    }
    with transaction.atomic():
        changed = EvidenceItem.objects.filter(
            _mine(claim)
        ).update(  # first and a write: see _finish_ready
            processing_status=PS.FAILED,
            processing_error=reason[:500],
            media_metadata=metadata,
            updated_at=timezone.now(),
        )
        if not changed:
            logger.warning("evidence %s: claim lost before the failure was recorded", item.pk)
            return
        if integrity is not None:
            flags = list(EvidenceItem.objects.filter(pk=item.pk).values_list("flags", flat=True).first() or [])
            if not any(f.get("code") == "stored_hash_mismatch" for f in flags):
                flags.append({"code": "stored_hash_mismatch", "message": "存储中的原始文件与接收时的哈希不一致"})
                EvidenceItem.objects.filter(pk=item.pk).update(flags=flags)
        _audit_failed(item=item, code=code, reason=reason, transient=False, detail=detail)
        if integrity is not None:
            _integrity_alert(
                item,
                actual_sha256=integrity.actual,
                expected_size=item.size,
                actual_size=integrity.size,
            )
    if integrity is not None:
        logger.error(
            "EVIDENCE INTEGRITY ALERT: %s (%s) stored sha256 %s, recorded %s",
            item.pk, item.storage_key, integrity.actual, item.sha256,
        )  # fmt: skip
    else:
        logger.info("evidence %s failed: %s", item.pk, reason)


def _integrity_alert(item: EvidenceItem, **findings: Any) -> None:
    """Record that the stored original no longer matches what was received (changed or missing)."""
    audit_record(
        action="evidence.integrity_alert",
        target=item,
        agency_id=item.case.agency_id,
        case_id=item.case_id,
        data={
            "storage_key": item.storage_key,
            "expected_sha256": item.sha256,
            **findings,
            "detected_by": "evidence_process",
        },
    )


def _audit_failed(*, item: EvidenceItem, code: str, reason: str, transient: bool, detail: dict[str, Any]) -> None:
    audit_record(
        action="evidence.processing_failed",
        target=item,
        agency_id=item.case.agency_id,
        case_id=item.case_id,
        data={
            "code": code,
            "reason": reason[:500],
            "transient": transient,
            "pipeline_version": pipeline_version(),
            "detail": {k: v for k, v in detail.items() if k not in {"stderr_tail", "message_en"}},
        },
    )


def _fail_interrupted(*, item: EvidenceItem, cas: Q, interruptions: int) -> None:
    reason = (
        f"处理过程中工作进程多次中断（{interruptions - 1} 次），已停止重试 / "
        "The worker died repeatedly while processing this file; not retried"
    )
    metadata = {
        "pipeline_version": pipeline_version(),
        "processed_at": timezone.now().isoformat(),
        "error": {"code": "processing_interrupted", "transient": False, "interruptions": interruptions - 1},
    }
    with transaction.atomic():
        changed = EvidenceItem.objects.filter(cas, pk=item.pk).update(
            processing_status=PS.FAILED, processing_error=reason[:500], media_metadata=metadata,
            updated_at=timezone.now(),
        )  # fmt: skip
        if changed:
            _audit_failed(
                item=item, code="processing_interrupted", reason=reason, transient=False,
                detail={"interruptions": interruptions - 1},
            )  # fmt: skip


def _release(claim: Claim, *, reason: str) -> None:
    """A transient fault: back to ``pending`` so the retry (or the recovery sweep) can claim it again."""
    metadata = dict(claim.item.media_metadata or {})
    metadata.pop("claim", None)
    for attempt in range(5):
        try:
            EvidenceItem.objects.filter(_mine(claim)).update(
                processing_status=PS.PENDING,
                processing_error=f"暂时性错误，将自动重试 / Transient error, will retry: {reason}"[:500],
                media_metadata=metadata,
                updated_at=timezone.now(),
            )
            return
        except DatabaseError:
            time.sleep(0.2 * (attempt + 1))
    # The database itself is the fault: the retry takes over this process's orphaned claim, and the recovery
    # sweep any other (it is stale once the heartbeat stops).
    logger.warning("evidence %s: could not release the claim", claim.item.pk)


def evidence_processing_give_up(*, item_id: uuid.UUID | str, error: BaseException) -> bool:
    """The task's retries are exhausted: ``pending`` → ``failed`` (marked transient, so a replay may retry)."""
    missing = isinstance(error, ObjectMissing)
    if missing:
        code = "original_missing"
        reason = f"存储中找不到原始文件，多次重试后仍失败 / The stored original is missing: {error}"
    else:
        code = "processing_retries_exhausted"
        reason = (
            f"多次重试后仍失败（存储或处理环境暂时不可用） / Gave up after retries: {type(error).__name__}: {error}"
        )
    item = EvidenceItem.objects.select_related("case").filter(pk=item_id).first()
    if item is None:
        return False
    metadata = {key: value for key, value in (item.media_metadata or {}).items() if key != "claim"}
    metadata["error"] = {"code": code, "transient": True, "error": type(error).__name__}
    with transaction.atomic():
        changed = EvidenceItem.objects.filter(pk=item.pk, processing_status=PS.PENDING).update(
            processing_status=PS.FAILED, processing_error=reason[:500], media_metadata=metadata,
            updated_at=timezone.now(),
        )  # fmt: skip
        if changed:
            _audit_failed(
                item=item, code=code, reason=reason, transient=True,
                detail={"error": type(error).__name__, "message": str(error)[:300]},
            )  # fmt: skip
            if missing:
                _integrity_alert(item, missing=True)
    if changed:
        logger.error("evidence %s: processing gave up after retries (%s): %s", item_id, code, error)
    return bool(changed)


# --------------------------------------------------------------------------- recovery


def evidence_processing_recover(*, pending_older_than_s: int | None = None, limit: int = 1000) -> list[str]:
    """Find work whose task message was lost and return the item ids to enqueue again.

    * ``processing`` items whose worker died (same host, process gone) or whose claim went stale: the
      message was consumed by a worker that is gone (the filesystem broker deletes a message when it is
      fetched, so a SIGKILLed worker takes it along; Redis returns it only after its visibility timeout).
    * ``pending`` items untouched for ``pending_older_than_s`` (default ``MEDIA_CLAIM_STALE_S`` × 12, an
      hour): the enqueue after commit failed, or a retry message was lost. Their ``updated_at`` is bumped
      so a backlog is not re-sent on every sweep; a duplicate message is harmless (the claim decides).

    Also removes scratch directories left behind by dead workers on this host.
    """
    now = timezone.now()
    if pending_older_than_s is None:
        pending_older_than_s = settings.MEDIA_CLAIM_STALE_S * 12
    ids: list[str] = []
    processing = EvidenceItem.objects.filter(status=EvidenceItem.Status.RECEIVED, processing_status=PS.PROCESSING)
    for item in processing.only("id", "updated_at", "media_metadata")[:limit]:
        if _claim_is_abandoned(item, now):
            ids.append(str(item.pk))
    pending_before = now - datetime.timedelta(seconds=pending_older_than_s)
    pending = list(
        EvidenceItem.objects.filter(
            status=EvidenceItem.Status.RECEIVED, processing_status=PS.PENDING, updated_at__lte=pending_before
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[: max(0, limit - len(ids))]
    )
    if pending:
        EvidenceItem.objects.filter(pk__in=pending, processing_status=PS.PENDING).update(updated_at=now)
        ids.extend(str(pk) for pk in pending)
    _clean_scratch()
    return ids


def _clean_scratch() -> None:
    root = Path(settings.UPLOAD_SCRATCH_DIR)
    if not root.is_dir():
        return
    too_old = time.time() - settings.MEDIA_TASK_TIME_LIMIT - 3600
    for path in root.glob(f"{SCRATCH_PREFIX}*"):
        try:
            host_pid = path.name[len(SCRATCH_PREFIX) :].rsplit("-", 2)
            dead = len(host_pid) == 3 and is_ascii_int(host_pid[1])
            dead = dead and holder_gone(host=host_pid[0], pid=int(host_pid[1]), token="")
            if path.is_dir() and (dead or path.stat().st_mtime < too_old):
                with contextlib.suppress(OSError):
                    shutil.rmtree(path)
        except (OSError, ValueError):
            continue
