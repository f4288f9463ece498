"""Account writes: devices, credentials. Every change is written to the audit trail.

The login guard (throttle and lock-out) is backend/accounts/login_guard.py.
"""

from __future__ import annotations

import base64
import binascii
import datetime

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Device, OfficerCredential, Role, User
from backend.common.errors import ApplicationError, Forbidden, PreconditionFailed
from backend.ledger.services import AuditContext, audit_record

# --------------------------------------------------------------------------- credentials

CREDENTIAL_MESSAGES = {
    "expired": "执法证已过期",
    "suspended": "执法证已被暂扣",
    "revoked": "执法证已被注销或吊销",
    "not_yet_valid": "执法证尚未生效",
    "missing": "未持有执法证",
}


def credential_state(*, user: User, on: datetime.date | None = None) -> str:
    """``valid`` or why the user may not act as an enforcement officer on ``on``."""
    on = on or timezone.localdate()
    states = [c.state_on(on) for c in user.credentials.all()]
    if not states:
        return "missing"
    if "valid" in states:
        return "valid"
    for preferred in ("revoked", "suspended", "expired", "not_yet_valid"):
        if preferred in states:
            return preferred
    return states[0]


def officer_ensure_can_act(*, user: User, on: datetime.date | None = None) -> OfficerCredential:
    """Refuse an enforcement act by someone without a valid 执法证.

    行政处罚法 第四十二条: 行政处罚应当由具有行政执法资格的执法人员实施; 执法人员不得少于两人.
    """
    if not user.has_role(Role.FIELD_OFFICER):
        raise Forbidden("只有执法人员可以实施执法行为", code="not_field_officer")
    credential = user.valid_credential(on)
    if credential is None:
        state = credential_state(user=user, on=on)
        raise PreconditionFailed(
            f"credential_{state}",
            f"{user}：{CREDENTIAL_MESSAGES.get(state, '执法证无效')}，不能实施执法行为",
            extra={"officer": str(user.pk), "credential_state": state},
        )
    return credential


@transaction.atomic
def credential_set_status(
    *, credential: OfficerCredential, status: str, reason: str, context: AuditContext
) -> OfficerCredential:
    old = credential.status
    credential.status = status
    credential.status_reason = reason
    credential.full_clean()
    credential.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(
        action="credential.status_changed",
        target=credential,
        context=context,
        agency_id=credential.user.agency_id,
        data={"number": credential.number, "from": old, "to": status, "reason": reason},
    )
    return credential


# --------------------------------------------------------------------------- devices


def _decode_public_key(value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ApplicationError(
            "invalid_public_key",
            "公钥格式错误：应为 32 字节 Ed25519 公钥的 base64 编码",
            status=400,
            fields={"public_key": ["应为 32 字节 Ed25519 公钥的 base64 编码"]},
        )
    return raw


@transaction.atomic
def device_register(
    *, owner: User, model: str, public_key: str, name: str = "", serial_number: str = "", context: AuditContext
) -> Device:
    if owner.agency_id is None:
        raise Forbidden("未归属执法主体的用户不能登记终端", code="no_agency")
    _decode_public_key(public_key)
    if Device.objects.filter(public_key=public_key).exists():
        raise ApplicationError("device_key_in_use", "该公钥已被其他终端登记", status=409)
    device = Device(
        agency_id=owner.agency_id,
        owner=owner,
        model=model,
        public_key=public_key,
        name=name,
        serial_number=serial_number,
    )
    device.full_clean()
    device.save()
    audit_record(
        action="device.registered",
        target=device,
        context=context,
        data={"model": model, "public_key": public_key, "owner": owner.username},
    )
    return device


@transaction.atomic
def device_revoke(*, device: Device, actor: User, reason: str, context: AuditContext) -> Device:
    """Revoke a device: every token bound to it stops working on its next request."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    may_revoke = device.owner_id == actor.pk or actor.has_role(Role.AGENCY_HEAD, Role.SYSTEM_ADMIN)
    if not may_revoke:
        raise Forbidden("只有终端持有人、机关负责人或系统管理员可以吊销终端")
    if device.status == Device.Status.REVOKED:
        return device
    device.status = Device.Status.REVOKED
    device.revoked_at = timezone.now()
    device.revoked_reason = reason
    device.save(update_fields=["status", "revoked_at", "revoked_reason", "updated_at"])
    audit_record(action="device.revoked", target=device, context=context, data={"reason": reason})
    return device


def device_public_key_bytes(device: Device) -> bytes:
    return _decode_public_key(device.public_key)
