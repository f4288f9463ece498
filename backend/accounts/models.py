"""Agencies (执法主体), users and their roles, officer credentials (执法证) and field devices."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.common.models import BaseModel


class Agency(BaseModel):
    """An administrative law-enforcement body (行政执法主体).

    ``parent`` is the supervising agency: its auditors (监督人员) may read a subordinate's records.
    """

    name = models.CharField(_("名称"), max_length=200, unique=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    region_name = models.CharField(_("所在地区"), max_length=100, blank=True)
    # [min_lon, min_lat, max_lon, max_lat]: captures outside it are flagged at intake.
    region_bbox = models.JSONField(_("地域范围"), null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    enforcement_categories = models.JSONField(_("执法类别"), default=list, blank=True)
    legal_basis = models.TextField(_("执法依据"), blank=True)
    duties = models.TextField(_("职责"), blank=True)
    contact = models.CharField(_("联系方式"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("执法主体")
        verbose_name_plural = _("执法主体")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def subtree_ids(self) -> set[int]:
        """This agency and every agency it supervises (any depth)."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            children = list(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            frontier = [c for c in children if c not in ids]
            ids.update(frontier)
        return ids


class Role(models.TextChoices):
    FIELD_OFFICER = "field_officer", _("执法人员")
    LEGAL_REVIEWER = "legal_reviewer", _("法制审核人员")
    AGENCY_HEAD = "agency_head", _("机关负责人")
    DISCLOSURE_MANAGER = "disclosure_manager", _("公示管理员")
    AUDITOR = "auditor", _("监督人员")
    # 执法监督人员 of a supervising body (司法局/法制机构, the superior department): reads its subordinates' records
    # and takes the supervision actions (backend/supervision), nothing else.
    SUPERVISOR = "supervisor", _("执法监督人员")
    # 检察机关人员: reads only the cases a grant names, files 检察建议 (backend/supervision).
    PROCURATOR = "procurator", _("检察机关人员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


class User(AbstractUser):
    """A person using the service. ``agency`` is null only for system administrators."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    # 法律职业资格: required before a legal reviewer's first assignment (国办发〔2018〕118号).
    legal_qualification_no = models.CharField(_("法律职业资格证书编号"), max_length=50, blank=True)
    # Seeded by `seed_demo`: the service refuses to start with DEBUG off while any exists.
    demo_account = models.BooleanField(default=False, editable=False)
    # Carried by every access and refresh token (claim ``tv``) and checked on each use: raising it revokes all
    # of the user's tokens at once. Raised when the password, the roles or the active flag change.
    token_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> User:
        user = super().from_db(db, field_names, values)
        if "is_active" in user.__dict__:  # not deferred
            user._loaded_is_active = user.is_active
        return user

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new password (set_password keeps it in _password until saved) or a change of the active flag ends
        # every session of this user: whoever held the old password or the deactivated account loses access.
        revoke = not self._state.adding and (
            self._password is not None
            or ("_loaded_is_active" in self.__dict__ and self._loaded_is_active != self.is_active)
        )
        if not self._state.adding and not args and kwargs.get("update_fields") is None:
            # Never write token_version from memory: a stale instance would lower it and revive revoked tokens.
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "token_version" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)
        self._loaded_is_active = self.is_active
        if revoke:
            self.revoke_tokens()

    def revoke_tokens(self) -> None:
        """Every access and refresh token issued so far stops working on its next use."""
        from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

        User.objects.filter(pk=self.pk).update(token_version=models.F("token_version") + 1)
        self.token_version = User.objects.values_list("token_version", flat=True).get(pk=self.pk)
        self._role_cache = None
        outstanding = OutstandingToken.objects.filter(user_id=self.pk, blacklistedtoken__isnull=True)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
        )

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    def valid_credential(self, on: datetime.date | None = None) -> OfficerCredential | None:
        """The credential that makes this person an enforcement officer on ``on`` (today by default)."""
        on = on or timezone.localdate()
        for credential in self.credentials.all():
            if credential.is_valid_on(on):
                return credential
        return None


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="uniq_user_role")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"

    # Tokens carry the roles (claim ``roles``) and are authorised by them: granting, changing or withdrawing
    # a role revokes the user's tokens, so the next login carries the new set.
    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self._revoke_user_tokens()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        self._revoke_user_tokens()
        return result

    def _revoke_user_tokens(self) -> None:
        user = User.objects.filter(pk=self.user_id).first()
        if user is not None:
            user.revoke_tokens()


class OfficerCredentialQuerySet(models.QuerySet):
    def valid_on(self, on: datetime.date) -> OfficerCredentialQuerySet:
        """Credentials valid on ``on``: the query form of :meth:`OfficerCredential.is_valid_on`."""
        return self.filter(status=OfficerCredential.Status.ACTIVE, issued_on__lte=on, valid_until__gte=on)


class OfficerCredential(BaseModel):
    """执法证: without a valid one a person may not perform an enforcement act
    (行政处罚法 第四十二条: 执法人员应当具有行政执法资格)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        SUSPENDED = "suspended", _("暂扣")
        REVOKED = "revoked", _("注销/吊销")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="credentials")
    number = models.CharField(_("执法证号"), max_length=50, unique=True)
    category = models.CharField(_("执法类别"), max_length=100)
    scope = models.CharField(_("执法区域/范围"), max_length=200, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=200, blank=True)
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=200, blank=True)

    objects = OfficerCredentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法证")
        verbose_name_plural = _("执法证")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("issued_on")), name="credential_valid_after_issue"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, on: datetime.date) -> bool:
        return self.status == self.Status.ACTIVE and self.issued_on <= on <= self.valid_until

    def state_on(self, on: datetime.date) -> str:
        """``valid``, ``expired``, ``not_yet_valid``, ``suspended`` or ``revoked``."""
        if self.status != self.Status.ACTIVE:
            return str(self.status)
        if on > self.valid_until:
            return "expired"
        if on < self.issued_on:
            return "not_yet_valid"
        return "valid"


class Device(BaseModel):
    """A registered field device (phone, body camera). Its Ed25519 key signs capture records."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("在用")
        REVOKED = "revoked", _("已吊销")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="devices")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    model = models.CharField(_("型号"), max_length=100)
    serial_number = models.CharField(_("序列号"), max_length=100, blank=True)
    # Raw 32-byte Ed25519 public key, base64 (standard alphabet).
    public_key = models.CharField(_("Ed25519 公钥"), max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("执法终端")
        verbose_name_plural = _("执法终端")

    def __str__(self) -> str:
        return f"{self.model} ({self.owner})"
