"""Role checks and agency scoping, reusable by every app.

Least privilege: a view names the roles that may use it. Objects of another agency are filtered out of
querysets, so they answer 404 (their existence is not revealed), never 403.
"""

from __future__ import annotations

import enum
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from backend.accounts.models import Agency, Role, User
from backend.common.errors import Forbidden


class Action(enum.StrEnum):
    """What a request does, for the role check. ``session``: the caller's own session (log out), open to
    every authenticated user whatever the role."""

    READ = "read"
    WRITE = "write"
    SESSION = "session"
    # The actions of a supervising body or procuratorate on the agencies it oversees (backend/supervision:
    # 责令纠正, 案卷评查, 检察建议): never an enforcement record's own write.
    SUPERVISE = "supervise"


# What each role may do through the API: the one place that says it. A view narrows it further with
# ``HasRole(...)``; services then check the case-level rules (handling officer, head, same agency).
# 监督人员 (auditor) oversees and never acts: read-only everywhere — no share links, notes, revocations or
# uploads. Supervision (吉林省行政执法监督条例, DOMAIN.md S28) inspects the records of the supervised body; a
# correction it orders is made by that body's own staff, so the record shows who changed it.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.FIELD_OFFICER: frozenset({Action.READ, Action.WRITE}),
    Role.LEGAL_REVIEWER: frozenset({Action.READ, Action.WRITE}),
    Role.AGENCY_HEAD: frozenset({Action.READ, Action.WRITE}),
    Role.DISCLOSURE_MANAGER: frozenset({Action.READ, Action.WRITE}),
    Role.AUDITOR: frozenset({Action.READ}),
    # 执法监督人员 read like an auditor of the supervising body and supervise; they never write a record.
    Role.SUPERVISOR: frozenset({Action.READ, Action.SUPERVISE}),
    # 检察机关: no read by agency at all — only the cases an agency grants (supervision grants).
    Role.PROCURATOR: frozenset({Action.SUPERVISE}),
    Role.SYSTEM_ADMIN: frozenset({Action.READ, Action.WRITE}),
}

READ_ONLY_CODE = "read_only_role"
READ_ONLY_MESSAGE = "当前角色只读（监督人员），不能修改任何记录"


def request_action(request: Request, view: Any) -> Action:
    """``view.request_action`` when the view declares one (log out: ``session``), else by method: GET, HEAD
    and OPTIONS read, everything else writes."""
    declared = getattr(view, "request_action", None)
    if declared is not None:
        return Action(declared)
    return Action.READ if request.method in SAFE_METHODS else Action.WRITE


def roles_granting(action: Action) -> list[str]:
    """The roles whose ``ROLE_ACTIONS`` include ``action``."""
    return [str(role) for role, actions in ROLE_ACTIONS.items() if action in actions]


def roles_allow(user: Any, action: Action, roles: frozenset[str] | None = None) -> bool:
    """Whether one of ``user``'s roles (among ``roles`` when given) grants ``action``.

    Without ``roles``, the ``_may_read``/``_may_write`` flags that the JWT authentication annotates onto the
    user (same query as the user row) answer; otherwise the user's roles are read."""
    if not (user and user.is_authenticated):
        return False
    if action is Action.SESSION:
        return True
    annotated = getattr(user, f"_may_{action}", None)
    if roles is None and annotated is not None:
        return bool(annotated)
    if roles is not None and Role.AUDITOR in roles:
        roles = roles | {Role.SUPERVISOR}  # a supervisor reads wherever an auditor reads (never writes there)
    return any(
        action in ROLE_ACTIONS.get(role, frozenset()) for role in user.role_set if roles is None or role in roles
    )


class RoleActionPermission(BasePermission):
    """The default permission of every API view: authenticated, and a role that grants the request's action.

    A view that names its roles (:func:`HasRole`) gets the same action check; ``AllowAny`` views (login,
    the public API) are anonymous by design.
    """

    roles: frozenset[str] | None = None
    message = "当前角色无权执行此操作"
    code = "role_not_allowed"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 (not_authenticated) for an anonymous caller
        action = request_action(request, view)
        if roles_allow(user, action, self.roles):
            return True
        if action is Action.WRITE and roles_allow(user, Action.READ, self.roles):
            self.message, self.code = READ_ONLY_MESSAGE, READ_ONLY_CODE
        return False


def HasRole(*roles: str) -> type[BasePermission]:
    """Permission class allowing users holding any of ``roles`` whose role grants the request's action."""

    class _HasRole(RoleActionPermission):
        pass

    _HasRole.roles = frozenset(roles)
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
    (吉林省行政执法监督条例: 上级对下级的执法监督); so does a supervisor (执法监督人员). A system administrator
    manages accounts, not cases, so reads no enforcement records.
    """
    if not user.is_authenticated or user.agency_id is None:
        return set()
    if user.has_role(Role.AUDITOR, Role.SUPERVISOR) and user.agency is not None:
        return user.agency.subtree_ids()
    if user.has_role(Role.PROCURATOR):
        return set()  # a procurator reads by grant only (backend/supervision), never by agency
    return {user.agency_id}


def scope_to_agency(queryset: QuerySet, user: User, *, field: str = "agency") -> QuerySet:
    """Restrict ``queryset`` to the agencies ``user`` may read (others answer 404)."""
    return queryset.filter(**{f"{field}__in": readable_agency_ids(user)})


def request_user(request: Request) -> User:
    """The authenticated user of ``request``, typed as such.

    Behind an authenticated permission class (every role's view) the user is never anonymous: DRF answered 401
    before the view ran; a view reached without one answers the same 401.
    """
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def request_agency_id(request: Request) -> int:
    """The agency of the request's user. Every role but the system administrator belongs to one (user_create
    refuses a staff role without an agency); the administrator answers 403 ``no_agency``."""
    agency_id = request_user(request).agency_id
    if agency_id is None:
        raise Forbidden("未归属执法主体", code="no_agency")
    return agency_id


def request_agency(request: Request) -> Agency:
    """The agency object of the request's user (see :func:`request_agency_id`)."""
    agency = request_user(request).agency
    if agency is None:
        raise Forbidden("未归属执法主体", code="no_agency")
    return agency
