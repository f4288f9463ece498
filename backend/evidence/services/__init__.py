"""Evidence writes: tus upload lifecycle, completion into immutable evidence items, access and notes.

The order of a completion follows STYLE R9: the bytes are already durable in ``incoming/``; the service
decides the outcome (hash, content), moves the bytes to their final key (``originals/`` or
``quarantine/``; slow S3 copies stay *outside* the database transaction), then records the item, the
upload's transition and the audit event in one transaction and enqueues processing on commit. Every step is
idempotent, so a completion interrupted by a crash is finished by the client's next HEAD or PATCH.

Modules, in the order of an upload: :mod:`.creation` (metadata, the upload row), :mod:`.claims` (one writer
at a time), :mod:`.appending` (a PATCH body into storage), :mod:`.completion` (the evidence item),
:mod:`.termination` (termination, expiry), :mod:`.access` (reading an original, notes),
:mod:`.provenance_check` (the background check after receipt); :mod:`.common` what they share.
"""

from backend.evidence.services.access import OriginalRead, evidence_note_create, evidence_original_read
from backend.evidence.services.appending import upload_append
from backend.evidence.services.claims import upload_claim, upload_release
from backend.evidence.services.common import upload_is_expired
from backend.evidence.services.completion import capture_record_for, upload_complete
from backend.evidence.services.creation import ValidatedMetadata, upload_create, upload_metadata_validate
from backend.evidence.services.provenance_check import evidence_record_provenance
from backend.evidence.services.termination import upload_expire_abandoned, upload_terminate
from backend.evidence.tus import TusError

__all__ = [
    "OriginalRead",
    "TusError",
    "ValidatedMetadata",
    "capture_record_for",
    "evidence_note_create",
    "evidence_original_read",
    "evidence_record_provenance",
    "upload_append",
    "upload_claim",
    "upload_complete",
    "upload_create",
    "upload_expire_abandoned",
    "upload_is_expired",
    "upload_metadata_validate",
    "upload_release",
    "upload_terminate",
]
