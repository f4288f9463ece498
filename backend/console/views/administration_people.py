"""Administration pages for heads and administrators: the disclosure profile, users and roles, and the holiday
calendar with its yearly import. Every change runs the service the API runs (same rules, same audit events) and
every page is guarded by the API endpoint's permission class; another agency's account answers 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated

from backend.accounts import selectors as account_selectors
from backend.accounts import services as account_services
from backend.accounts.apis import IsAccountManagerOrAuditor, account_create_arguments
from backend.accounts.models import Agency, Role
from backend.accounts.permissions import IsAgencyHead, IsAgencyStaff, IsSystemAdmin, RoleActionPermission
from backend.accounts.serializers import (
    AccountCreateInputSerializer,
    AccountFilterSerializer,
    AccountRoleInputSerializer,
    AccountStatusInputSerializer,
)
from backend.cases.models import PenaltyKind
from backend.common.calendar import calendar_years_overview, recompute_summary
from backend.common.errors import ApplicationError, Forbidden
from backend.console import forms
from backend.console.security import console_view
from backend.console.selectors import CREDENTIAL_LABELS
from backend.console.views.common import act, ctx
from backend.disclosures import profile as profiles
from backend.disclosures.profile_apis import DisclosureProfileInputSerializer
from backend.holiday_calendar.apis import HolidayNoticeInputSerializer
from backend.holiday_calendar.services import holiday_notice_import, holiday_notice_preview
from backend.ledger.models import AuditEvent

ROLE_LABELS = {str(k): str(v) for k, v in Role.choices}


@console_view(IsAuthenticated)
def index(request: HttpRequest) -> HttpResponse:
    """What each role may open here (the pages themselves check again)."""
    user = request.user
    staff = IsAgencyStaff().has_permission(request, None)  # type: ignore[arg-type]
    context = {"title": "管理", "staff": staff, "is_admin": user.has_role(Role.SYSTEM_ADMIN),
               "accounts": IsAccountManagerOrAuditor().has_permission(request, None)}  # type: ignore[arg-type]  # fmt: skip
    return render(request, "console/admin_index.html", context)


# --------------------------------------------------------------------------- 公示设置与机关概况


def _profile_form(profile: Any) -> forms.SerializerForm:
    form = forms.form_for(DisclosureProfileInputSerializer)
    for f in form.fields:
        value = getattr(profile, f.name)
        f.initial = "" if value is None else value
        f.required = False if f.widget in ("textarea", "text", "select_multiple", "decimal") else f.required
    return form


@console_view(IsAgencyStaff)  # as GET /api/v1/disclosures/profile/
def profile(request: HttpRequest) -> HttpResponse:
    if request.user.agency_id is None:
        raise Forbidden("未归属执法主体", code="no_agency")
    current = profiles.profile_get(agency=request.user.agency)
    context = {"title": "公示设置与机关概况", "profile": current, "form": _profile_form(current),
               "may_edit": request.user.has_role(Role.AGENCY_HEAD),
               "kinds": [str(PenaltyKind(k).label) for k in current.short_display_kinds
                         if k in PenaltyKind.values]}  # fmt: skip
    return render(request, "console/admin_profile.html", context)


@console_view(IsAgencyHead, methods=("POST",))  # as PATCH /api/v1/disclosures/profile/
def profile_save(request: HttpRequest) -> HttpResponse:
    def run() -> None:
        body = forms.form_data(DisclosureProfileInputSerializer, request.POST)
        body.setdefault("short_display_kinds", [])  # nothing selected: none (a form omits an empty <select>)
        body.setdefault("low_fine_threshold", None)
        values = forms.validated_body(DisclosureProfileInputSerializer, body)
        profiles.profile_update(agency=request.user.agency, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=reverse("console:admin-profile"), done="已保存公示设置")


# --------------------------------------------------------------------------- 人员与角色


@console_view(IsAccountManagerOrAuditor)  # as GET /api/v1/accounts/users/
def users(request: HttpRequest) -> HttpResponse:
    filters = AccountFilterSerializer(data={k: v for k, v in request.GET.items() if v})
    values = dict(filters.validated_data) if filters.is_valid() else {}
    rows = list(account_selectors.account_list(user=request.user, role=values.get("role"),
                                               search=values.get("q", ""),
                                               active=values.get("active"))[:500])  # fmt: skip
    for row in rows:
        row.role_labels = [ROLE_LABELS[r.role] for r in row.roles.all()]
    is_admin = request.user.has_role(Role.SYSTEM_ADMIN)
    form = forms.form_for(AccountCreateInputSerializer, skip=frozenset() if is_admin else frozenset({"agency_id"}))
    for f in form.fields:
        if f.name == "agency_id":
            f.widget, f.choices = "select", [(str(a.pk), a.name) for a in Agency.objects.order_by("name")]
        if f.name == "roles" and not is_admin:
            f.choices = [(v, label) for v, label in f.choices if v != Role.SYSTEM_ADMIN]
    context = {"title": "人员与角色", "rows": rows, "roles": Role.choices, "filters": request.GET, "form": form,
               "may_manage": request.user.has_role(Role.AGENCY_HEAD, Role.SYSTEM_ADMIN),
               "errors": filters.errors if not filters.is_valid() else {}}  # fmt: skip
    return render(request, "console/admin_users.html", context)


@console_view(IsAccountManagerOrAuditor, methods=("POST",))  # as POST /api/v1/accounts/users/
def user_create(request: HttpRequest) -> HttpResponse:
    created: list[Any] = []

    def run() -> None:
        values = forms.validated(AccountCreateInputSerializer, request.POST)
        created.append(account_services.user_create(actor=request.user, context=ctx(request),
                                                    **account_create_arguments(request.user, values)))  # fmt: skip

    response = act(request, run, back=reverse("console:admin-users"), done="已开设账号")
    if created:
        response["Location"] = reverse("console:admin-user", args=[created[0].pk])
    return response


@console_view(IsAccountManagerOrAuditor)  # as GET /api/v1/accounts/users/<id>/
def user_detail(request: HttpRequest, user_id: Any) -> HttpResponse:
    account = account_selectors.account_get(user=request.user, account_id=user_id)
    held = sorted(r.role for r in account.roles.all())
    is_admin = request.user.has_role(Role.SYSTEM_ADMIN)
    grantable = [(v, label) for v, label in Role.choices if v not in held and (is_admin or v != Role.SYSTEM_ADMIN)]
    history = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(account.pk)).order_by("-occurred_at")
    state = account_services.credential_state(user=account)
    events = list(history[:50])
    for event in events:
        event.role_label = ROLE_LABELS.get(str(event.data.get("role", "")), "")
    context = {"title": account.full_name or account.username, "account": account,
               "held": [(r, ROLE_LABELS[r]) for r in held], "grantable": grantable,
               "credential_label": CREDENTIAL_LABELS.get(state, state), "history": events,
               "may_manage": request.user.has_role(Role.AGENCY_HEAD, Role.SYSTEM_ADMIN),
               "status_form": forms.form_for(AccountStatusInputSerializer)}  # fmt: skip
    return render(request, "console/admin_user.html", context)


def _account_action(request: HttpRequest, user_id: Any, serializer: type, service: Any, done: str) -> HttpResponse:
    account = account_selectors.account_get(user=request.user, account_id=user_id)  # 404 before anything else

    def run() -> None:
        values = forms.validated(serializer, request.POST)
        service(user=account, actor=request.user, context=ctx(request), **values)

    return act(request, run, back=reverse("console:admin-user", args=[account.pk]), done=done)


@console_view(IsAccountManagerOrAuditor, methods=("POST",))  # as POST …/roles/
def user_role_grant(request: HttpRequest, user_id: Any) -> HttpResponse:
    return _account_action(request, user_id, AccountRoleInputSerializer, account_services.user_role_grant,
                           "已授予角色，该人员需重新登录")  # fmt: skip


@console_view(IsAccountManagerOrAuditor, methods=("POST",))  # as POST …/roles/revoke/
def user_role_revoke(request: HttpRequest, user_id: Any) -> HttpResponse:
    return _account_action(request, user_id, AccountRoleInputSerializer, account_services.user_role_revoke,
                           "已撤销角色，该人员需重新登录")  # fmt: skip


@console_view(IsAccountManagerOrAuditor, methods=("POST",))  # as POST …/deactivate/
def user_deactivate(request: HttpRequest, user_id: Any) -> HttpResponse:
    return _account_action(request, user_id, AccountStatusInputSerializer, account_services.user_deactivate,
                           "已停用账号")  # fmt: skip


@console_view(IsAccountManagerOrAuditor, methods=("POST",))  # as POST …/reactivate/
def user_reactivate(request: HttpRequest, user_id: Any) -> HttpResponse:
    return _account_action(request, user_id, AccountStatusInputSerializer, account_services.user_reactivate,
                           "已重新启用账号")  # fmt: skip


# --------------------------------------------------------------------------- 节假日日历


def _calendar_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"title": "节假日日历", "years": calendar_years_overview(today=timezone.localdate()),
            "may_import": request.user.has_role(Role.SYSTEM_ADMIN), "posted": {}, **extra}  # fmt: skip


@console_view(RoleActionPermission)  # as GET /api/v1/calendar/years/
def calendar(request: HttpRequest) -> HttpResponse:
    return render(request, "console/admin_calendar.html", _calendar_context(request))


@console_view(IsSystemAdmin, methods=("POST",))  # as POST /api/v1/calendar/notices/
def calendar_import(request: HttpRequest) -> HttpResponse:
    """Two steps, as the API and the Django admin: 预览 (nothing saved), then 确认导入 (saved, recomputed)."""
    confirm = request.POST.get("confirm") == "1"
    try:
        values = forms.validated(HolidayNoticeInputSerializer, request.POST)
        args = {"text": values["text"], "year": values.get("year")}
        if not confirm:
            preview = holiday_notice_preview(**args)
            posted = {"text": values["text"], "year": values.get("year") or "", "source": values.get("source", "")}
            context = _calendar_context(request, preview=preview, posted=posted)
            return render(request, "console/admin_calendar.html", context)
    except ApplicationError as error:
        problems = list((error.extra or {}).get("problems") or [error.message])
        context = _calendar_context(request, problems=problems, problem_code=error.code,
                                    posted={k: request.POST.get(k, "") for k in ("text", "year", "source")},
                                    )  # fmt: skip
        return render(request, "console/admin_calendar.html", context, status=error.status)
    outcome: list[str] = []

    def run() -> None:
        saved, changes = holiday_notice_import(**args, source=values.get("source", ""), today=timezone.localdate(),
                                               context=ctx(request))  # fmt: skip
        outcome.append(
            f"已导入{saved.notice.year}年放假安排（{len(saved.days)}天）；已重新计算：{recompute_summary(changes)}"
        )

    response = act(request, run, back=reverse("console:admin-calendar"), done="已导入")
    if outcome:
        from django.contrib import messages

        list(messages.get_messages(request))  # replace the generic message with the figures
        messages.success(request, outcome[0])
    return response
