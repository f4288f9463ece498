"""JWT authentication that also refuses tokens of deactivated users, revoked devices and revoked sessions
(the user's token version, raised on a password, role or active-flag change: backend/accounts/models.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from backend.accounts.models import Device, User, UserRole
from backend.accounts.permissions import Action, roles_granting
from backend.common.observability import bind_user

DEVICE_CLAIM = "device"
TOKEN_VERSION_CLAIM = "tv"
_DEVICE_REVOKED = ("该终端已被吊销，请重新登记", "device_revoked")
_TOKEN_REVOKED = ("登录凭证已失效（密码、角色或账户状态已变更），请重新登录", "token_revoked")


def ensure_token_current(token: Token) -> None:
    """A token issued before its user's token version was raised (password, roles, deactivation) is refused."""
    user_id = token.get(api_settings.USER_ID_CLAIM)
    current = User.objects.filter(pk=user_id).values_list("token_version", flat=True).first()
    if current is None or token.get(TOKEN_VERSION_CLAIM, 0) != current:
        raise AuthenticationFailed(*_TOKEN_REVOKED)


def ensure_device_active(device_id: Any) -> None:
    """A revoked device's sessions stop working at once (access and refresh tokens alike)."""
    if device_id and not Device.objects.filter(pk=device_id, status=Device.Status.ACTIVE).exists():
        raise AuthenticationFailed(*_DEVICE_REVOKED)


class EnforcementJWTAuthentication(JWTAuthentication):
    """simplejwt's user checks (exists, active, password not changed) plus the device check, in one query.

    Every request (each tus PATCH included) is authenticated, so the user row and the device's status are
    read together: ``EXISTS`` on the active device is annotated onto the user lookup.
    """

    def get_user(self, validated_token: Token) -> Any:
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        device_id = validated_token.get(DEVICE_CLAIM)
        users = self.user_model.objects.filter(**{api_settings.USER_ID_FIELD: user_id}).annotate(
            # What the user's roles grant (ROLE_ACTIONS), read in the same query: the default permission
            # needs no second round trip (the tus PATCH hot path stays at its query budget).
            **{
                f"_may_{action}": Exists(
                    UserRole.objects.filter(user_id=OuterRef("pk"), role__in=roles_granting(action))
                )
                for action in (Action.READ, Action.WRITE)
            }
        )
        if device_id:
            active = Device.objects.filter(pk=device_id, status=Device.Status.ACTIVE)
            users = users.annotate(_device_active=Exists(active))
        user = users.first()
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        # Tokens issued before versions existed carry none: version 0, valid until the first revocation.
        if validated_token.get(TOKEN_VERSION_CLAIM, 0) != user.token_version:
            raise AuthenticationFailed(*_TOKEN_REVOKED)
        if device_id and not user._device_active:
            raise AuthenticationFailed(*_DEVICE_REVOKED)
        user._token_device_id = device_id
        bind_user(user)  # the user and agency of every log line this request writes
        return user
