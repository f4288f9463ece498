"""Evidence bundle export for a case, and share links for outside parties.

Export (the order is dictated by ``backend/ledgercore/bundle_format.py``):

1. collect the case's received evidence items and the log entries of the case (``case_id``);
2. ``build_manifest`` from the values recorded at intake (never re-read from the files);
3. append the ``bundle.exported`` audit event carrying ``manifest_sha256`` (commit);
4. sign a checkpoint covering it, compute the inclusion proofs, ``build_proofs``;
5. freeze manifest, proofs and checkpoint in a :class:`BundleExport` row;
6. stream: ``iter_bundle`` with the originals read chunk by chunk from storage (constant memory).

A share link points at one frozen export, so the court downloads exactly the bundle named in the
receipt; each download is an audit event.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from backend.accounts.models import Role
from backend.accounts.permissions import readable_agency_ids
from backend.cases.models import Case
from backend.common.errors import ApplicationError, Forbidden, NotFound, PreconditionFailed
from backend.evidence.models import EvidenceItem
from backend.ledger.checkpoints import checkpoint_sign
from backend.ledger.keys import log_origin
from backend.ledger.models import AuditEvent, BundleExport, BundleShare, LogEntry
from backend.ledger.sequencer import ledger_sequence
from backend.ledger.services import AuditContext, audit_record
from backend.ledger.store import CachedNodeStore, DjangoNodeStore
from backend.ledgercore.bundle_format import (
    BundleOriginal,
    ManifestFile,
    build_manifest,
    build_proofs,
    iter_bundle,
    original_path,
    sha256_hex,
)
from backend.ledgercore.canonical_json import CAPTURE_RECORD_FIELDS
from backend.ledgercore.merkle import MerkleTree

ENTRY_FETCH_BATCH = 500


# --------------------------------------------------------------------------------------------
# Who may export
# --------------------------------------------------------------------------------------------


def case_get_for_bundle(*, user: Any, case_id: Any) -> Any:
    """The case, if ``user`` may export its bundle: a handling officer, the agency head, or an auditor.

    Other agencies' cases answer 404; staff of the agency without one of those roles answer 403.
    """
    case = Case.objects.filter(id=case_id, agency_id__in=readable_agency_ids(user)).first()
    if case is None:
        raise NotFound("案件不存在", code="case_not_found")
    if user.has_role(Role.AUDITOR, Role.SUPERVISOR):  # oversight reads the whole record
        return case
    if user.has_role(Role.AGENCY_HEAD) and user.agency_id == case.agency_id:
        return case
    if case.handling_officers.filter(pk=user.pk).exists():
        return case
    raise Forbidden("仅承办人员、本机关负责人或监督人员可以导出证据包", code="bundle_not_allowed")


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def _received_items(case_id: Any) -> list[Any]:
    return list(
        EvidenceItem.objects.filter(case_id=case_id, status=EvidenceItem.Status.RECEIVED)
        .select_related("device")
        .order_by("captured_at", "id")
    )


def _capture_fields(item: Any) -> tuple[dict | None, str | None, str | None]:
    """Capture record, device signature and device public key, as the verifier expects them."""
    record = item.capture_record if isinstance(item.capture_record, dict) else None
    if not record or set(record) != set(CAPTURE_RECORD_FIELDS):
        return None, None, None
    signature = item.signature or None
    public_key = item.device.public_key if (signature and item.device_id) else None
    if signature is None or public_key is None:
        return record, None, None
    return record, signature, public_key


def bundle_export_create(
    *,
    case: Any,
    user: Any,
    context: AuditContext | None = None,
    purpose: str = BundleExport.Purpose.DOWNLOAD,
    note: str = "",
) -> BundleExport:
    """Freeze a bundle of ``case``: manifest, export entry, checkpoint and proofs."""
    ledger_sequence()  # the case's events recorded a moment ago belong in the bundle
    items = _received_items(case.id)
    case_entries = list(
        LogEntry.objects.filter(event__case_id=case.id)
        .order_by("index")
        .values_list("index", "event__target_id", "event__action")
    )
    received_index: dict[str, int] = {}
    for index, target_id, action in case_entries:
        if action == "evidence.received":
            received_index.setdefault(target_id, index)
    by_sha = dict(
        LogEntry.objects.filter(event__case_id=case.id, evidence_sha256__in=[i.sha256 for i in items])
        .order_by("-index")
        .values_list("evidence_sha256", "index")
    )
    files: list[ManifestFile] = []
    originals: list[list[Any]] = []
    missing: list[str] = []
    entry_cache = _entries({received_index.get(str(i.id), by_sha.get(i.sha256, -1)) for i in items} - {-1})
    for number, item in enumerate(items, start=1):
        index = received_index.get(str(item.id), by_sha.get(item.sha256))
        if index is None:
            missing.append(str(item.id))
            continue
        record, signature, public_key = _capture_fields(item)
        path = original_path(number, item.original_filename or f"{item.kind}")
        files.append(
            ManifestFile(
                path=path,
                sha256=item.sha256,
                size=item.size,
                log_index=index,
                log_entry=json.loads(entry_cache[index]),
                capture_record=record,
                device_signature=signature,
                device_public_key=public_key,
            )
        )
        originals.append([path, item.storage_key, item.size])
    if missing:
        raise PreconditionFailed(
            "evidence_not_logged",
            "部分证据在台账中没有接收记录，无法导出可核验的证据包",
            extra={"evidence_ids": missing},
        )
    indexes = [index for index, _, _ in case_entries]
    now = timezone.now()
    manifest = build_manifest(
        case={
            "id": str(case.id),
            "number": case.case_number,
            "agency": case.agency.name,
            "agency_uscc": case.agency.uscc,
        },
        log_origin=log_origin(),
        files=files,
        entry_indexes=indexes,
        created_at=now,
    )
    manifest_sha = sha256_hex(manifest)
    with transaction.atomic():
        event = audit_record(
            action="bundle.exported",
            target=case,
            context=context,
            actor=user,
            case_id=case.id,
            data={
                "manifest_sha256": manifest_sha,
                "files": len(files),
                "entries": len(indexes),
                "purpose": str(purpose),
                "note": note[:200],
            },
        )
    if event.seq is None:  # batched sequencer: the export proves its own entry, so it must be sealed
        ledger_sequence()
        event.seq = AuditEvent.objects.values_list("seq", flat=True).get(pk=event.pk)
    export_index = event.seq - 1
    checkpoint = checkpoint_sign(min_size=export_index + 1).checkpoint
    store = CachedNodeStore(DjangoNodeStore())
    tree = MerkleTree(store, size=checkpoint.tree_size)
    proven = sorted({*indexes, export_index})
    store.get_nodes((0, i) for i in proven)  # all leaf hashes in a few queries
    proofs = build_proofs(
        tree_size=checkpoint.tree_size,
        root_hash=bytes(checkpoint.root_hash),
        manifest_entry_index=export_index,
        proofs={i: (tree.leaf_hash_at(i), tree.inclusion_proof(i)) for i in proven},
    )
    return BundleExport.objects.create(
        case_id=case.id,
        agency_id=case.agency_id,
        purpose=purpose,
        created_by=user,
        created_at=now,
        manifest=manifest,
        manifest_sha256=manifest_sha,
        proofs=proofs,
        checkpoint=checkpoint,
        export_entry_id=export_index,
        entry_indexes=proven,
        originals=originals,
        total_bytes=sum(size for _, _, size in originals),
    )


def _entries(indexes: Iterable[int]) -> dict[int, bytes]:
    wanted = sorted(indexes)
    found: dict[int, bytes] = {}
    for start in range(0, len(wanted), ENTRY_FETCH_BATCH):
        chunk = wanted[start : start + ENTRY_FETCH_BATCH]
        found.update((i, bytes(e)) for i, e in LogEntry.objects.filter(index__in=chunk).values_list("index", "entry"))
    return found


class _ChunkReader:
    """A minimal read()/close() file object over the chunk iterator of ``Storage.open``."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> _ChunkReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _opener(storage_key: str) -> Any:
    def open_original() -> IO[bytes]:
        from backend.common.storage import get_storage

        return _ChunkReader(iter(get_storage().open(storage_key)))  # type: ignore[return-value]

    return open_original


def _stream_entries(indexes: list[int]) -> Iterator[tuple[int, bytes]]:
    for start in range(0, len(indexes), ENTRY_FETCH_BATCH):
        chunk = _entries(indexes[start : start + ENTRY_FETCH_BATCH])
        for index in indexes[start : start + ENTRY_FETCH_BATCH]:
            if index in chunk:
                yield index, chunk[index]


def bundle_stream(export: BundleExport) -> Iterator[bytes]:
    """The zip archive of an export, as byte chunks (memory ~ one chunk, whatever the case size)."""
    checkpoint = export.checkpoint
    return iter_bundle(
        manifest=bytes(export.manifest),
        entries=_stream_entries(list(export.entry_indexes)),
        proofs=bytes(export.proofs),
        checkpoint=checkpoint.note,
        log_public_key=checkpoint.verifier_key,
        originals=[BundleOriginal(path=path, source=_opener(key)) for path, key, _size in export.originals],
        checkpoint_timestamp=bytes(checkpoint.tsa_token) if checkpoint.tsa_token else None,
    )


def bundle_filename(export: BundleExport) -> str:
    return f"evidence-bundle-{export.case_id}-{export.created_at:%Y%m%d%H%M%S}.zip"


# --------------------------------------------------------------------------------------------
# Share links
# --------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedShare:
    share: BundleShare
    token: str  # shown once; only its hash is stored


def share_create(
    *,
    case: Any,
    user: Any,
    recipient_kind: str,
    recipient_name: str,
    purpose: str = "",
    valid_days: int | None = None,
    max_downloads: int | None = None,
    context: AuditContext | None = None,
) -> CreatedShare:
    max_days = getattr(settings, "LEDGER_SHARE_MAX_DAYS", 90)
    days = valid_days if valid_days is not None else getattr(settings, "LEDGER_SHARE_DEFAULT_DAYS", 30)
    if not 1 <= days <= max_days:
        raise ApplicationError("invalid_share_validity", f"有效期须在 1 至 {max_days} 天之间", status=422)
    # Every bound before the export is made: a refused share must leave nothing behind.
    max_count = getattr(settings, "LEDGER_SHARE_MAX_DOWNLOADS", 1000)
    if max_downloads is not None and not 1 <= max_downloads <= max_count:
        raise ApplicationError(
            "invalid_share_max_downloads",
            f"下载次数上限须在 1 至 {max_count} 之间",
            status=422,
            extra={"maximum": max_count},
        )
    export = bundle_export_create(
        case=case,
        user=user,
        context=context,
        purpose=BundleExport.Purpose.SHARE,
        note=f"{recipient_kind}:{recipient_name}",
    )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        share = BundleShare.objects.create(
            export=export,
            case_id=case.id,
            agency_id=case.agency_id,
            token_sha256=_token_hash(token),
            recipient_kind=recipient_kind,
            recipient_name=recipient_name,
            purpose=purpose,
            created_by=user,
            expires_at=timezone.now() + timedelta(days=days),
            max_downloads=max_downloads,
        )
        audit_record(
            action="bundle.share.created",
            target=share,
            context=context,
            actor=user,
            case_id=case.id,
            agency_id=case.agency_id,
            data={
                "export_id": str(export.id),
                "manifest_sha256": export.manifest_sha256,
                "recipient_kind": recipient_kind,
                "recipient_name": recipient_name,
                "expires_at": share.expires_at.isoformat(),
                "max_downloads": max_downloads,
            },
        )
    return CreatedShare(share=share, token=token)


def share_list_for_case(*, case: Any) -> list[BundleShare]:
    return list(BundleShare.objects.filter(case_id=case.id).select_related("export", "export__checkpoint"))


def share_get_for_user(*, user: Any, share_id: Any) -> BundleShare:
    share = BundleShare.objects.select_related("export", "export__checkpoint").filter(id=share_id).first()
    if share is None:
        raise NotFound("分享链接不存在", code="share_not_found")
    case_get_for_bundle(user=user, case_id=share.case_id)  # same rule as exporting
    return share


def share_revoke(
    *, share: BundleShare, user: Any, reason: str = "", context: AuditContext | None = None
) -> BundleShare:
    with transaction.atomic():
        locked = BundleShare.objects.select_for_update().get(pk=share.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by = user
        locked.revoke_reason = reason[:500]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            action="bundle.share.revoked",
            target=locked,
            context=context,
            actor=user,
            case_id=locked.case_id,
            agency_id=locked.agency_id,
            data={"reason": reason[:500]},
        )
    return locked


def share_access(*, token: str, context: AuditContext | None = None) -> BundleExport:
    """Resolve a share token for download: refuse unknown, revoked, expired or used-up links; log the access."""
    share = BundleShare.objects.filter(token_sha256=_token_hash(token)).first()
    if share is None:
        raise NotFound("分享链接无效", code="share_not_found")
    now = timezone.now()
    with transaction.atomic():
        state = share.state(now)
        if state != "active":
            audit_record(
                action="bundle.share.refused",
                target=share,
                context=context,
                case_id=share.case_id,
                agency_id=share.agency_id,
                data={"state": state},
            )
        else:
            updated = BundleShare.objects.filter(pk=share.pk, revoked_at__isnull=True, expires_at__gt=now)
            if share.max_downloads is not None:
                updated = updated.filter(download_count__lt=share.max_downloads)
            if not updated.update(download_count=F("download_count") + 1, last_downloaded_at=now):
                state = "exhausted"
            else:
                audit_record(
                    action="bundle.share.downloaded",
                    target=share,
                    context=context,
                    case_id=share.case_id,
                    agency_id=share.agency_id,
                    data={
                        "recipient_kind": share.recipient_kind,
                        "recipient_name": share.recipient_name,
                        "export_id": str(share.export_id),
                        "manifest_sha256": share.export.manifest_sha256,
                    },
                )
    if state != "active":
        messages = {"revoked": "分享链接已被撤销", "expired": "分享链接已过期", "exhausted": "分享链接的下载次数已用完"}
        raise ApplicationError(f"share_{state}", messages[state], status=410)
    return share.export


def share_receipt(*, share: BundleShare) -> dict[str, Any]:
    """What was shared, with whom, until when, under which signed checkpoint and manifest hash."""
    export = share.export
    manifest = json.loads(bytes(export.manifest))
    checkpoint = export.checkpoint
    return {
        "share_id": str(share.id),
        "state": share.state(timezone.now()),
        "case": manifest.get("case", {}),
        "recipient": {
            "kind": share.recipient_kind,
            "kind_label": share.get_recipient_kind_display(),
            "name": share.recipient_name,
        },
        "purpose": share.purpose,
        "created_at": share.created_at.isoformat(),
        "created_by": share.created_by.get_username(),
        "expires_at": share.expires_at.isoformat(),
        "max_downloads": share.max_downloads,
        "download_count": share.download_count,
        "last_downloaded_at": share.last_downloaded_at.isoformat() if share.last_downloaded_at else None,
        "revoked_at": share.revoked_at.isoformat() if share.revoked_at else None,
        "revoke_reason": share.revoke_reason,
        "bundle": {
            "export_id": str(export.id),
            "manifest_sha256": export.manifest_sha256,
            "export_log_index": export.export_entry_id,
            "total_bytes": export.total_bytes,
            "files": [
                {"path": f["path"], "sha256": f["sha256"], "size": f["size"], "log_index": f["log_index"]}
                for f in manifest.get("files", [])
            ],
        },
        "checkpoint": {
            "origin": checkpoint.origin,
            "tree_size": checkpoint.tree_size,
            "root_hash": bytes(checkpoint.root_hash).hex(),
            "note": checkpoint.note,
            "key": checkpoint.verifier_key,
        },
    }
