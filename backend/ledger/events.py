"""What the ledger asks the apps above it (backend/common/events.py): the ledger is the floor of the
application apps (ARCHITECTURE.md "Layers") and imports none of them."""

from __future__ import annotations

import dataclasses
from typing import Any

from backend.common.events import Question, domain_question


@domain_question
class CaseNumbers(Question[dict[Any, str]]):
    """The 案号 of each case id (the public "was this file recorded, in which case" answer names only the id
    and its number, never parties or facts)."""

    case_ids: frozenset[Any]


@dataclasses.dataclass(frozen=True, kw_only=True)
class OriginalProblem:
    kind: str  # original_missing | original_changed
    message: str
    evidence_id: str
    case_id: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OriginalsAudited:
    checked: int
    problems: list[OriginalProblem]


@domain_question
class AuditOriginals(Question[OriginalsAudited]):
    """Re-hash the stored evidence originals against the SHA-256 recorded at intake (all with ``full``,
    else a random ``sample``): the self-audit's check that no original was changed in storage."""

    full: bool
    sample: int
