"""The end of an unfinished upload: tus termination by its creator, expiry of abandoned uploads."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.common.errors import Forbidden, NotFound
from backend.common.storage import StorageError, get_storage
from backend.evidence.conf import upload_limits
from backend.evidence.models import Upload
from backend.evidence.services.claims import upload_claim, upload_release
from backend.evidence.services.common import _gone
from backend.ledger.services import AuditContext, audit_record

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- termination and expiry


def upload_terminate(*, upload: Upload, user: User, context: AuditContext) -> None:
    """tus termination: only the creator, only while incomplete. A completed upload is evidence."""
    if upload.created_by_id != user.pk:
        raise NotFound("上传不存在", code="upload_not_found")
    if upload.status in (Upload.Status.TERMINATED, Upload.Status.EXPIRED):
        raise _gone(upload)
    if upload.status != Upload.Status.RECEIVING:
        raise Forbidden("已完成的上传是证据，不能删除", code="upload_completed_cannot_delete")
    token = upload_claim(upload=upload)
    try:
        with transaction.atomic():
            changed = Upload.objects.filter(pk=upload.pk, status=Upload.Status.RECEIVING, lock_token=token).update(
                status=Upload.Status.TERMINATED, completed_at=timezone.now(), hash_state=b""
            )
            if not changed:
                raise Forbidden("已完成的上传是证据，不能删除", code="upload_completed_cannot_delete")
            audit_record(
                action="upload.terminated",
                target=upload,
                context=context,
                agency_id=upload.agency_id,
                case_id=upload.case_id,
                data={"offset": upload.offset, "length": upload.length},
            )
    finally:
        upload_release(upload=upload, token=token)
    get_storage().upload_discard(str(upload.pk), upload.storage_state)


def upload_expire_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Expire unfinished uploads past their (sliding) expiry and delete their partial bytes.

    Run by the periodic task ``evidence_expire_uploads`` and ``manage.py expire_uploads``. Claims each row
    with a conditional UPDATE, so two cleaners never double-process and a PATCH in progress is not touched.
    """
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=upload_limits().lock_stale_seconds)
    count = 0
    candidates = Upload.objects.filter(status=Upload.Status.RECEIVING, expires_at__lt=now).values_list("pk", flat=True)
    for upload_id in list(candidates[:1000]):
        with transaction.atomic():
            changed = (
                Upload.objects.filter(pk=upload_id, status=Upload.Status.RECEIVING, expires_at__lt=now)
                .filter(Q(lock_token="") | Q(lock_heartbeat_at__lt=stale_before))
                .update(status=Upload.Status.EXPIRED, completed_at=now, hash_state=b"", lock_token="")
            )
            if not changed:
                continue
            upload = Upload.objects.get(pk=upload_id)
            audit_record(
                action="upload.expired",
                target=upload,
                agency_id=upload.agency_id,
                case_id=upload.case_id,
                data={"offset": upload.offset, "length": upload.length, "expired_at": upload.expires_at},
            )
        try:
            get_storage().upload_discard(str(upload_id), upload.storage_state)
        except StorageError:
            logger.warning("could not delete partial bytes of expired upload %s", upload_id)
        count += 1
    return count
