"""JWT authentication that also refuses tokens of deactivated users and revoked devices."""

from __future__ import annotations

from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from backend.accounts.models import Device

DEVICE_CLAIM = "device"


def ensure_device_active(device_id: Any) -> None:
    """A revoked device's sessions stop working at once (access and refresh tokens alike)."""
    if device_id and not Device.objects.filter(pk=device_id, status=Device.Status.ACTIVE).exists():
        raise AuthenticationFailed("该终端已被吊销，请重新登记", code="device_revoked")


class EnforcementJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        ensure_device_active(validated_token.get(DEVICE_CLAIM))
        user._token_device_id = validated_token.get(DEVICE_CLAIM)
        return user
