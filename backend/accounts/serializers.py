from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts import login_guard, services
from backend.accounts.authentication import (
    DEVICE_CLAIM,
    TOKEN_VERSION_CLAIM,
    ensure_device_active,
    ensure_token_current,
)
from backend.accounts.models import Agency, Device, OfficerCredential, Role, User


def add_identity_claims(token: RefreshToken, user: User) -> None:
    """Claims the apps read without another request: roles and agency; and the user's token version (read
    from the database, not a possibly stale instance), which revokes the token when it is raised."""
    token["roles"] = sorted(user.role_set)
    token["agency"] = user.agency_id
    token["username"] = user.username
    token[TOKEN_VERSION_CLAIM] = User.objects.values_list("token_version", flat=True).get(pk=user.pk)


class TokenObtainInputSerializer(TokenObtainPairSerializer):
    """``{"username", "password"}`` (+ optional ``device_id``) → ``{"access", "refresh"}``.

    A token bound to a device stops working when the device is revoked. Repeated failures for one
    username lock it out for a while (password guessing); the view adds a per-address throttle.
    """

    device_id = serializers.UUIDField(required=False, write_only=True)

    default_error_messages = {"no_active_account": "用户名或密码错误"}

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        username = attrs.get(self.username_field, "")
        try:
            login_guard.login_attempt_begin(username=username)
        except login_guard.LoginRefused as refused:
            raise exceptions.Throttled(wait=refused.retry_after, detail=refused.message)
        user = authenticate(
            request=self.context.get("request"), username=username, password=attrs.get("password")
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("用户名或密码错误", code="invalid_credentials")
        login_guard.login_attempt_succeeded(username=username)
        device_id = attrs.get("device_id")
        if device_id is not None:
            device = Device.objects.filter(pk=device_id, owner=user).first()
            if device is None:
                raise exceptions.AuthenticationFailed("终端未登记或不属于该用户", code="device_unknown")
            ensure_device_active(device.pk)
        self.user = user
        refresh = self.get_token(user)
        if device_id is not None:
            refresh[DEVICE_CLAIM] = str(device_id)
        if jwt_settings.UPDATE_LAST_LOGIN:
            from django.contrib.auth.models import update_last_login

            update_last_login(None, user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}

    @classmethod
    def get_token(cls, user: User) -> RefreshToken:
        token = super().get_token(user)
        add_identity_claims(token, user)
        return token


class TokenRefreshInputSerializer(TokenRefreshSerializer):
    """Rotating refresh: the old refresh token is blacklisted; a revoked device cannot refresh, nor a token
    issued before the user's password, roles or active flag changed."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refresh = RefreshToken(attrs["refresh"])
        ensure_device_active(refresh.get(DEVICE_CLAIM))
        ensure_token_current(refresh)
        return super().validate(attrs)


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "uscc", "region_name"]


class CredentialOutputSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = OfficerCredential
        fields = ["number", "category", "scope", "issued_on", "valid_until", "status", "state"]

    def get_state(self, obj: OfficerCredential) -> str:
        from django.utils import timezone

        return obj.state_on(timezone.localdate())


class MeOutputSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    agency = AgencyBriefSerializer(allow_null=True, help_text="null for a system administrator (no agency).")
    credentials = CredentialOutputSerializer(many=True)
    credential_status = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "roles", "agency", "credentials", "credential_status"]

    def get_roles(self, obj: User) -> list[str]:
        return sorted(obj.role_set)

    def get_credential_status(self, obj: User) -> str:
        """``valid`` or why the user may not act as an enforcement officer today."""
        return services.credential_state(user=obj)


class DirectoryFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False, help_text="只列出持有该角色的人员")
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="姓名或用户名的一部分")
    credential = serializers.ChoiceField(
        choices=[("valid", "执法证今日有效"), ("invalid", "无有效执法证")], required=False
    )


class DirectoryEntryOutputSerializer(serializers.ModelSerializer):
    """A colleague as the apps pick them: name, roles, and whether they may act as an officer today."""

    roles = serializers.SerializerMethodField()
    credentials = CredentialOutputSerializer(many=True)
    credential_status = serializers.SerializerMethodField()
    legal_qualification = serializers.SerializerMethodField(help_text="已登记法律职业资格（法制审核人员）")

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "roles", "credentials", "credential_status", "legal_qualification"]

    def get_roles(self, obj: User) -> list[str]:
        return sorted(obj.role_set)

    def get_credential_status(self, obj: User) -> str:
        return services.credential_state(user=obj)

    def get_legal_qualification(self, obj: User) -> bool:
        return bool(obj.legal_qualification_no)


class DeviceOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")

    class Meta:
        model = Device
        fields = [
            "id", "name", "model", "serial_number", "public_key", "status",
            "owner", "agency", "created_at", "revoked_at", "revoked_reason",
        ]


class DeviceRegisterInputSerializer(serializers.Serializer):
    model = serializers.CharField(max_length=100)
    public_key = serializers.CharField(max_length=64, help_text="32-byte Ed25519 public key, base64")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    serial_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class DeviceRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


# --------------------------------------------------------------------------- account administration

ACCOUNT_ROLE_CHOICES = Role.choices


class AccountFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False, help_text="只列出持有该角色的账号")
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="姓名或用户名的一部分")
    active = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true：在用；false：已停用"
    )


class AccountCreateInputSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[A-Za-z0-9_.-]{3,50}$", label="用户名",
                                      help_text="3–50 个字母、数字或 _ . -")  # fmt: skip
    full_name = serializers.CharField(max_length=100, label="姓名")
    password = serializers.CharField(
        max_length=128, write_only=True, label="初始密码", style={"input_type": "password"},
        help_text="Django 的密码规则；登录后应由本人修改",
    )  # fmt: skip
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ACCOUNT_ROLE_CHOICES), min_length=1,
                                  max_length=len(Role.choices), label="角色")  # fmt: skip
    agency_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, label="执法主体",
                                         help_text="仅系统管理员填写；机关负责人只能为本机关开设账号")  # fmt: skip
    legal_qualification_no = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                                   label="法律职业资格证书编号")  # fmt: skip


class AccountRoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ACCOUNT_ROLE_CHOICES, label="角色")


class AccountStatusInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="原因", help_text="如：调离本机关、退休、复职")


class AccountOutputSerializer(serializers.ModelSerializer):
    """An account as its administrators see it (no password, no token)."""

    agency_name = serializers.CharField(source="agency.name", default=None, allow_null=True)
    roles = serializers.SerializerMethodField()
    credential_status = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "agency", "agency_name", "roles", "is_active",
                  "legal_qualification_no", "credential_status", "date_joined", "last_login"]  # fmt: skip

    def get_roles(self, obj: User) -> list[str]:
        return sorted(r.role for r in obj.roles.all())

    def get_credential_status(self, obj: User) -> str:
        return services.credential_state(user=obj)
