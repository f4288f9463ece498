"""Reads of the Merkle log: checkpoints, inclusion and consistency proofs, entries.

Everything returned by the ``public_*`` functions is safe for anonymous callers: hashes, sizes,
signed checkpoints, times and an opaque case reference — never the content of an entry.
"""

from __future__ import annotations

import base64
from typing import Any

from backend.accounts.models import Role
from backend.accounts.permissions import readable_agency_ids
from backend.common.errors import ApplicationError, NotFound, PreconditionFailed
from backend.ledger.canonical import SHA256_HEX, format_timestamp
from backend.ledger.checkpoints import checkpoint_for_size, checkpoint_latest, checkpoint_time
from backend.ledger.keys import current_verifier, previous_verifiers
from backend.ledger.models import AuditEvent, Checkpoint, LogEntry
from backend.ledger.store import log_tree

MAX_SHA256_MATCHES = 20


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "origin": checkpoint.origin,
        "tree_size": checkpoint.tree_size,
        "root_hash": bytes(checkpoint.root_hash).hex(),
        "signed_at": checkpoint_time(checkpoint),
        "note": checkpoint.note,
        "key": checkpoint.verifier_key,
        "timestamp_token": (base64.b64encode(bytes(checkpoint.tsa_token)).decode("ascii")
                            if checkpoint.tsa_token else None),
    }


def public_keys() -> dict[str, Any]:
    current = current_verifier()
    return {
        "key": current.to_vkey(),
        "name": current.name,
        "key_id": f"{current.key_id:08x}",
        "algorithm": "ed25519",
        "format": "C2SP signed-note verifier key (<name>+<key id>+<base64(0x01 || public key)>)",
        "previous_keys": [k.to_vkey() for k in previous_verifiers()],
    }


def _require_checkpoint() -> Checkpoint:
    latest = checkpoint_latest()
    if latest is None:
        raise PreconditionFailed("no_checkpoint", "台账尚未签署检查点，请稍后再试")
    return latest


def _signed_size(size: int | None) -> tuple[int, Checkpoint | None]:
    """The tree size to prove against (default: the latest checkpoint) and its checkpoint, if any."""
    latest = _require_checkpoint()
    if size is None:
        return latest.tree_size, latest
    if size < 0 or size > latest.tree_size:
        raise ApplicationError(
            "size_not_signed", f"树大小须在 0 至 {latest.tree_size}（最新已签名检查点）之间", status=422,
            extra={"latest_tree_size": latest.tree_size},
        )
    return size, latest if size == latest.tree_size else checkpoint_for_size(size)


def _inclusion(index: int, size: int) -> dict[str, Any]:
    tree = log_tree(size=size)
    return {
        "index": index,
        "tree_size": size,
        "leaf_hash": tree.leaf_hash_at(index).hex(),
        "proof": [h.hex() for h in tree.inclusion_proof(index, size)],
    }


def public_inclusion_proof(*, index: int, size: int | None = None) -> dict[str, Any]:
    size, checkpoint = _signed_size(size)
    if index < 0:
        raise ApplicationError("invalid_index", "序号不能为负数", status=422)
    if index >= size:
        exists = LogEntry.objects.filter(index=index).exists()
        raise ApplicationError(
            "entry_not_covered" if exists else "entry_not_found",
            "该记录尚未纳入已签名的检查点，请稍后再试" if exists else "台账中没有该序号的记录",
            status=409 if exists else 404,
        )
    return {**_inclusion(index, size), "checkpoint": checkpoint_json(checkpoint) if checkpoint else None}


def public_consistency_proof(*, first: int, second: int | None = None) -> dict[str, Any]:
    second, checkpoint = _signed_size(second)
    if not 0 <= first <= second:
        raise ApplicationError("invalid_size", f"first 须在 0 至 {second} 之间", status=422)
    tree = log_tree(size=second)
    return {
        "first": first,
        "second": second,
        "first_root_hash": tree.root(first).hex(),
        "second_root_hash": tree.root(second).hex(),
        "proof": [h.hex() for h in tree.consistency_proof(first, second)],
        "checkpoint": checkpoint_json(checkpoint) if checkpoint else None,
    }


def public_proof_by_sha256(*, sha256: str) -> dict[str, Any]:
    """"Was this file recorded, when, in which case": every log entry that recorded the hash."""
    sha256 = sha256.strip().lower()
    if not SHA256_HEX.match(sha256):
        raise ApplicationError("invalid_sha256", "sha256 须为 64 位十六进制小写字符串", status=422)
    latest = _require_checkpoint()
    rows = list(
        LogEntry.objects.filter(evidence_sha256=sha256).order_by("index")
        .values_list("index", "event__occurred_at", "event__case_id")[:MAX_SHA256_MATCHES]
    )
    if not rows:
        raise NotFound("台账中没有该哈希的证据记录", code="sha256_not_recorded")
    case_numbers = _case_numbers({case_id for _, _, case_id in rows if case_id})
    records = []
    for index, occurred_at, case_id in rows:
        record: dict[str, Any] = {
            "index": index,
            "recorded_at": format_timestamp(occurred_at),
            # Opaque reference only: the case id and its 案号, never parties or facts.
            "case": {"id": str(case_id), "number": case_numbers.get(case_id, "")} if case_id else None,
        }
        if index < latest.tree_size:
            record.update(_inclusion(index, latest.tree_size))
            record["pending"] = False
        else:
            record["pending"] = True  # recorded, but the next checkpoint will cover it
        records.append(record)
    return {"sha256": sha256, "records": records, "checkpoint": checkpoint_json(latest)}


def _case_numbers(case_ids: set[Any]) -> dict[Any, str]:
    if not case_ids:
        return {}
    from backend.cases.models import Case

    return dict(Case.objects.filter(id__in=case_ids).values_list("id", "case_number"))


# --------------------------------------------------------------------------------------------
# Full entries (authorised users only)
# --------------------------------------------------------------------------------------------


def entry_visible_to(user: Any, event: AuditEvent) -> bool:
    """Auditors (监督人员) of the event's agency or a supervising agency, and the agency's head.

    Events without an agency (system events) are visible to auditors only.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.AUDITOR):
        return event.agency_id is None or event.agency_id in readable_agency_ids(user)
    if user.has_role(Role.SUPERVISOR):  # 执法监督人员: the events of the agencies it supervises
        return event.agency_id is not None and event.agency_id in readable_agency_ids(user)
    if user.has_role(Role.AGENCY_HEAD):
        return event.agency_id is not None and event.agency_id == user.agency_id
    return False


def entry_get_for_user(*, user: Any, index: int) -> LogEntry:
    entry = LogEntry.objects.select_related("event").filter(index=index).first()
    if entry is None or not entry_visible_to(user, entry.event):
        raise NotFound("台账中没有该序号的记录", code="entry_not_found")
    return entry
