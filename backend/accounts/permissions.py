"""Role checks and agency scoping, reusable by every app.

Least privilege: a view names the roles that may use it. Objects of another agency are filtered out of
querysets, so they answer 404 (their existence is not revealed), never 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from backend.accounts.models import Role, User


def HasRole(*roles: str) -> type[BasePermission]:
    """Permission class allowing authenticated users holding any of ``roles``."""

    class _HasRole(BasePermission):
        message = "当前角色无权执行此操作"
        code = "role_not_allowed"

        def has_permission(self, request: Request, view: Any) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_role(*roles))

    _HasRole.__name__ = "HasRole_" + "_".join(roles)
    return _HasRole


IsFieldOfficer = HasRole(Role.FIELD_OFFICER)
IsLegalReviewer = HasRole(Role.LEGAL_REVIEWER)
IsAgencyHead = HasRole(Role.AGENCY_HEAD)
IsDisclosureManager = HasRole(Role.DISCLOSURE_MANAGER)
IsAuditor = HasRole(Role.AUDITOR)
IsSystemAdmin = HasRole(Role.SYSTEM_ADMIN)
IsAgencyStaff = HasRole(
    Role.FIELD_OFFICER, Role.LEGAL_REVIEWER, Role.AGENCY_HEAD, Role.DISCLOSURE_MANAGER, Role.AUDITOR
)


def readable_agency_ids(user: User) -> set[int]:
    """Agencies whose records ``user`` may read.

    Staff read their own agency. An auditor (监督人员) of a supervising agency also reads its subordinates'
    (吉林省行政执法监督条例: 上级对下级的执法监督). A system administrator manages accounts, not cases,
    so reads no enforcement records.
    """
    if not user.is_authenticated or user.agency_id is None:
        return set()
    if user.has_role(Role.AUDITOR):
        return user.agency.subtree_ids()
    return {user.agency_id}


def scope_to_agency(queryset: QuerySet, user: User, *, field: str = "agency") -> QuerySet:
    """Restrict ``queryset`` to the agencies ``user`` may read (others answer 404)."""
    return queryset.filter(**{f"{field}__in": readable_agency_ids(user)})
