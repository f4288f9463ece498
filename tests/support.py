"""Test helpers shared by all test folders: factories for the personas and authenticated clients."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts.models import Agency, OfficerCredential, User, UserRole
from backend.accounts.serializers import add_identity_claims

PASSWORD = "correct-horse-battery-2026"


def make_agency(name: str, uscc: str, parent: Agency | None = None) -> Agency:
    return Agency.objects.create(
        name=name,
        uscc=uscc,
        region_code="220400",
        region_name="吉林省辽源市",
        region_bbox=[124.6, 42.5, 126.0, 43.3],
        parent=parent,
        enforcement_categories=["市场监管"],
        legal_basis="《中华人民共和国行政处罚法》",
    )


def make_user(
    username: str,
    agency: Agency | None,
    roles: list[str],
    *,
    credential: str | None = None,
    valid_until: datetime.date | None = None,
    credential_status: str = OfficerCredential.Status.ACTIVE,
    full_name: str = "",
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, agency=agency, full_name=full_name or username
    )
    for role in roles:
        UserRole.objects.create(user=user, role=role)
    if credential:
        today = timezone.localdate()
        OfficerCredential.objects.create(
            user=user,
            number=credential,
            category="市场监管综合执法",
            issued_on=today - datetime.timedelta(days=400),
            valid_until=valid_until or today + datetime.timedelta(days=400),
            status=credential_status,
        )
    return user


def token_for(user: User, *, device_id: str | None = None) -> str:
    refresh = RefreshToken.for_user(user)
    add_identity_claims(refresh, user)
    if device_id:
        refresh["device"] = str(device_id)
    return str(refresh.access_token)


def client_for(user: User | None, *, device_id: str | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, device_id=device_id)}")
    return client
