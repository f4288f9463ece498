"""Account writes: devices, credentials. Every change is written to the audit trail.

The login guard (throttle and lock-out) is backend/accounts/login_guard.py.
"""

from __future__ import annotations

import base64
import binascii
import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import Device, OfficerCredential, Role, User, UserRole
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


# --------------------------------------------------------------------------- users and roles
#
# Who may manage an account: a system administrator any account; an agency head the accounts of their own
# agency (another agency's account is not even found: the selectors answer 404). Tokens carry the roles and the
# active flag, so every change here revokes the person's tokens (``User.save`` / ``UserRole.save|delete``), and
# the console session of a deactivated user ends at its next request (Django's backend refuses inactive users).

AGENCY_ROLES = frozenset(str(role) for role in Role if role != Role.SYSTEM_ADMIN)
# 监督人员 oversee and never act (permissions.ROLE_ACTIONS): joined to an acting role, a write would be allowed
# to the supervisor, so the auditor role is held alone.
EXCLUSIVE_ROLES = frozenset({str(Role.AUDITOR), str(Role.SYSTEM_ADMIN)})


def _ensure_account_manager(*, actor: User, agency_id: int | None) -> None:
    if actor.has_role(Role.SYSTEM_ADMIN):
        return
    if actor.has_role(Role.AGENCY_HEAD) and actor.agency_id is not None and actor.agency_id == agency_id:
        return
    raise Forbidden("只有本机关负责人或系统管理员可以管理人员账号", code="not_account_manager")


def _ensure_role_fits(*, actor: User, agency_id: int | None, roles: set[str]) -> None:
    """The roles a person may hold together, and who may grant them."""
    unknown = roles - {str(r) for r in Role}
    if unknown:
        raise ApplicationError("role_unknown", f"未知角色：{'、'.join(sorted(unknown))}", status=422)
    if Role.SYSTEM_ADMIN in roles and not actor.has_role(Role.SYSTEM_ADMIN):
        raise Forbidden("只有系统管理员可以授予系统管理员角色", code="role_not_grantable")
    if agency_id is None and roles - {str(Role.SYSTEM_ADMIN)}:
        raise ApplicationError("role_needs_agency", "未归属执法主体的账号只能是系统管理员", status=422)
    if agency_id is not None and Role.SYSTEM_ADMIN in roles:
        raise ApplicationError("role_needs_no_agency", "系统管理员不归属执法主体", status=422)
    if len(roles) > 1 and roles & EXCLUSIVE_ROLES:
        names = "、".join(str(Role(r).label) for r in sorted(roles & EXCLUSIVE_ROLES))
        raise PreconditionFailed("role_conflict", f"{names}角色不能与其他角色同时持有", extra={"roles": sorted(roles)})


def _account_data(user: User) -> dict[str, object]:
    return {"username": user.username, "full_name": user.full_name, "agency": user.agency_id,
            "roles": sorted(user.roles.values_list("role", flat=True)), "is_active": user.is_active}  # fmt: skip


@transaction.atomic
def user_create(
    *,
    actor: User,
    agency_id: int | None,
    username: str,
    full_name: str,
    password: str,
    roles: list[str],
    legal_qualification_no: str = "",
    context: AuditContext,
) -> User:
    """Open an account with an initial password (Django's password validators; hashed with Argon2)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    _ensure_account_manager(actor=actor, agency_id=agency_id)
    wanted = set(roles)
    if not wanted:
        raise ApplicationError("role_required", "至少授予一个角色", status=422, fields={"roles": ["至少授予一个角色"]})
    _ensure_role_fits(actor=actor, agency_id=agency_id, roles=wanted)
    if User.objects.filter(username__iexact=username).exists():
        raise PreconditionFailed(
            "username_taken", f"用户名“{username}”已被使用", fields={"username": ["用户名已被使用"]}
        )
    user = User(username=username, full_name=full_name, agency_id=agency_id,
                legal_qualification_no=legal_qualification_no)  # fmt: skip
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("password_too_weak", "初始密码不符合要求：" + "；".join(exc.messages), status=422,
                               fields={"password": list(exc.messages)}) from exc  # fmt: skip
    user.set_password(password)
    user.full_clean(exclude=["password", "username"])  # the name's uniqueness: the constraint, below
    try:
        with transaction.atomic():  # two heads opening the same name at once: the second gets the 409 too
            user.save()
    except IntegrityError as exc:
        raise PreconditionFailed(
            "username_taken", f"用户名“{username}”已被使用", fields={"username": ["用户名已被使用"]}
        ) from exc
    for role in sorted(wanted):
        UserRole.objects.create(user=user, role=role)
    audit_record(action="user.created", target=user, context=context, actor=actor, agency_id=agency_id,
                 data=_account_data(user))  # fmt: skip
    return user


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def user_role_grant(*, user: User, role: str, actor: User, context: AuditContext) -> User:
    user = _lock_user(user)
    _ensure_account_manager(actor=actor, agency_id=user.agency_id)
    held = set(user.roles.values_list("role", flat=True))
    if role in held:
        raise PreconditionFailed("role_already_held", f"{user}已持有“{Role(role).label}”角色")
    _ensure_role_fits(actor=actor, agency_id=user.agency_id, roles=held | {role})
    UserRole.objects.create(user=user, role=role)  # revokes the user's tokens: the next login carries the role
    audit_record(action="user.role_granted", target=user, context=context, actor=actor, agency_id=user.agency_id,
                 data={"role": role, "roles": sorted(held | {role})})  # fmt: skip
    user.refresh_from_db()
    return user


@transaction.atomic
def user_role_revoke(*, user: User, role: str, actor: User, context: AuditContext) -> User:
    user = _lock_user(user)
    _ensure_account_manager(actor=actor, agency_id=user.agency_id)
    if role == Role.SYSTEM_ADMIN and not actor.has_role(Role.SYSTEM_ADMIN):
        raise Forbidden("只有系统管理员可以撤销系统管理员角色", code="role_not_grantable")
    grant = user.roles.filter(role=role).first()
    if grant is None:
        raise PreconditionFailed("role_not_held", f"{user}未持有该角色")
    if user.pk == actor.pk and role in (Role.AGENCY_HEAD, Role.SYSTEM_ADMIN):
        # Nobody locks themselves out of account management; another head or an administrator does it.
        raise PreconditionFailed("cannot_revoke_own_management", "不能撤销自己的管理角色")
    remaining = sorted(set(user.roles.values_list("role", flat=True)) - {role})
    if not remaining:
        raise PreconditionFailed("role_last", "账号至少保留一个角色；不再使用的账号请停用")
    grant.delete()  # revokes the user's tokens
    audit_record(action="user.role_revoked", target=user, context=context, actor=actor, agency_id=user.agency_id,
                 data={"role": role, "roles": remaining})  # fmt: skip
    user.refresh_from_db()
    return user


@transaction.atomic
def user_deactivate(*, user: User, reason: str, actor: User, context: AuditContext) -> User:
    """Close an account (left the agency, transferred): every token and session of it stops working at once.

    The person's records stay (cases, evidence, the audit trail name them); an account is never deleted."""
    user = _lock_user(user)
    _ensure_account_manager(actor=actor, agency_id=user.agency_id)
    if user.pk == actor.pk:
        raise PreconditionFailed("cannot_deactivate_self", "不能停用自己的账号")
    if not user.is_active:
        raise PreconditionFailed("user_already_inactive", f"{user}的账号已停用")
    user.is_active = False
    user.save(update_fields=["is_active"])  # User.save revokes the tokens when the flag changes
    audit_record(action="user.deactivated", target=user, context=context, actor=actor, agency_id=user.agency_id,
                 data={"username": user.username, "reason": reason})  # fmt: skip
    return user


@transaction.atomic
def user_reactivate(*, user: User, reason: str, actor: User, context: AuditContext) -> User:
    from django.conf import settings

    user = _lock_user(user)
    _ensure_account_manager(actor=actor, agency_id=user.agency_id)
    if user.is_active:
        raise PreconditionFailed("user_already_active", f"{user}的账号未停用")
    if user.demo_account and not settings.DEBUG:
        # The service refuses to start with DEBUG off while demo accounts are active (config/checks).
        raise PreconditionFailed("demo_account", "演示账号不能在生产环境中启用")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(action="user.reactivated", target=user, context=context, actor=actor, agency_id=user.agency_id,
                 data={"username": user.username, "reason": reason})  # fmt: skip
    return user
