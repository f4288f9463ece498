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


def user_directory(
    *, user: User, role: str | None = None, search: str = "", credential: str | None = None, on=None
) -> QuerySet[User]:
    """Colleagues of ``user``'s agency, for picking officers, chairs and participants (active accounts only).

    ``role``: one :class:`Role` value; ``search``: part of the name or username; ``credential``: ``valid`` (holds a
    执法证 valid on ``on``, today by default — 行政处罚法 第四十二条) or ``invalid``. A user without an agency (a
    system administrator) has no directory.
    """
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from backend.accounts.models import OfficerCredential

    if user.agency_id is None:
        return User.objects.none()
    qs = User.objects.filter(agency_id=user.agency_id, is_active=True)
    if role:
        qs = qs.filter(roles__role=role)
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(username__icontains=search))
    if credential in ("valid", "invalid"):
        valid = OfficerCredential.objects.valid_on(on or timezone.localdate()).filter(user=OuterRef("pk"))
        qs = qs.filter(Exists(valid)) if credential == "valid" else qs.exclude(Exists(valid))
    return qs.distinct().prefetch_related("roles", "credentials").order_by("username")


def account_list(
    *, user: User, role: str | None = None, search: str = "", active: bool | None = None
) -> QuerySet[User]:
    """The accounts ``user`` may administer or oversee: every account for a system administrator, the own agency's
    for a head, the agencies an auditor reads for an auditor (read-only); nothing for anyone else."""
    from django.db.models import Q

    qs = User.objects.select_related("agency").prefetch_related("roles", "credentials")
    if user.has_role(Role.SYSTEM_ADMIN):
        pass
    elif user.has_role(Role.AGENCY_HEAD, Role.AUDITOR):
        qs = qs.filter(agency_id__in=readable_agency_ids(user))
    else:
        return qs.none()
    if role:
        qs = qs.filter(roles__role=role)
    if search:
        qs = qs.filter(Q(full_name__icontains=search) | Q(username__icontains=search))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.distinct().order_by("username")


def account_get(*, user: User, account_id: object) -> User:
    """One account of :func:`account_list`; another agency's account answers 404 (not revealed)."""
    from backend.common.errors import NotFound

    found = account_list(user=user).filter(pk=account_id).first()
    if found is None:
        raise NotFound("人员不存在", code="user_not_found")
    return found
