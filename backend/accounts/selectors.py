from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import Device, Role, User
from backend.accounts.permissions import readable_agency_ids


def device_list(*, user: User) -> QuerySet[Device]:
    """Own devices; heads and admins see their agency's devices."""
    qs = Device.objects.select_related("owner", "agency")
    if user.has_role(Role.AGENCY_HEAD, Role.AUDITOR):
        return qs.filter(agency_id__in=readable_agency_ids(user))
    return qs.filter(owner=user)


def user_with_profile(*, user_id) -> User:
    return (
        User.objects.select_related("agency")
        .prefetch_related("roles", "credentials")
        .get(pk=user_id)
    )
