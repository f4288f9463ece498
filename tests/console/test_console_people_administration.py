"""Administration pages for heads and administrators: users and roles, the disclosure profile, the holiday
calendar and its yearly import. Each change runs the API's service (same audit event, same refusals), a head
manages only the own agency (another agency's account answers 404), the auditor reads and never writes, and a
role change or a deactivation ends the person's tokens and sessions at once."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient
from support import PASSWORD, client_for, make_user

from backend.accounts.models import Role, User
from backend.common.models import CalendarYear, HolidayOverride
from backend.disclosures.models import AgencyDisclosureProfile
from backend.ledger.models import AuditEvent

pytestmark = pytest.mark.django_db

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
国办发明电〔2026〕9号
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。1月31日（周日）、2月13日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天，不调休。
六、中秋节：9月15日（周三）放假1天，不调休。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""
NEW_PASSWORD = "Liaoyuan-enforce-2027!"


def _login(username: str, password: str = PASSWORD) -> dict:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _alive(tokens: dict) -> tuple[int, int]:
    """(status of /me/ with the access token, status of a refresh with the refresh token)."""
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}").get("/api/v1/me/").status_code
    refreshed = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    return me, refreshed.status_code


# --------------------------------------------------------------------------- users and roles


def test_the_head_opens_an_account_that_can_log_in_and_it_is_audited(console, head_a):
    head = console(head_a)
    page = head.get("/console/admin/users/").content.decode()
    assert "开设账号" in page and 'data-user="head_a"' in page
    assert 'value="system_admin"' not in page.split('id="h-new"')[1]  # a head cannot make an administrator
    form = {"username": "officer_zhou", "full_name": "周明远", "password": NEW_PASSWORD, "roles": ["field_officer"]}
    created = head.post("/console/admin/users/new/", form)
    assert created.status_code == 303
    user = User.objects.get(username="officer_zhou")
    assert created["Location"] == f"/console/admin/users/{user.pk}/"
    assert user.agency_id == head_a.agency_id and user.role_set == {"field_officer"} and user.is_active
    assert user.password.startswith("argon2") or user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.created", target_id=str(user.pk))
    assert event.actor_id == head_a.pk and event.data["roles"] == ["field_officer"] and "password" not in event.data
    assert _login("officer_zhou", NEW_PASSWORD)["access"]
    detail = head.get(created["Location"]).content.decode()
    assert 'data-account="officer_zhou"' in detail and 'data-role="field_officer"' in detail


def test_a_weak_password_a_taken_name_and_no_role_are_refused_with_the_services_code(console, head_a, officer_a):
    head = console(head_a)
    weak = head.post("/console/admin/users/new/", {"username": "li_si", "full_name": "李四", "password": "123",
                                                   "roles": ["field_officer"]}, follow=True)  # fmt: skip
    assert "password_too_weak" in weak.content.decode()
    form = {"username": "officer_a", "full_name": "张伟", "password": NEW_PASSWORD, "roles": ["field_officer"]}
    taken = head.post("/console/admin/users/new/", form, follow=True)
    assert "username_taken" in taken.content.decode()
    form = {"username": "li_si", "full_name": "李四", "password": NEW_PASSWORD, "roles": []}
    api = client_for(head_a).post("/api/v1/accounts/users/", form, format="json")
    assert api.status_code == 400
    mixed = client_for(head_a).post("/api/v1/accounts/users/", {
        "username": "sun_jian", "full_name": "孙健", "password": NEW_PASSWORD, "roles": ["auditor", "field_officer"],
    }, format="json")  # fmt: skip
    assert mixed.status_code == 409 and mixed.json()["code"] == "role_conflict"  # the auditor never also acts
    assert not User.objects.filter(username__in=["li_si", "sun_jian"]).exists()


def test_granting_and_revoking_a_role_ends_the_persons_tokens(console, head_a, officer_a):
    tokens = _login("officer_a")
    assert _alive(tokens) == (200, 200)
    tokens = _login("officer_a")
    head = console(head_a)
    granted = head.post(f"/console/admin/users/{officer_a.pk}/roles/", {"role": "legal_reviewer"}, follow=True)
    assert "已授予角色" in granted.content.decode()
    assert User.objects.get(pk=officer_a.pk).role_set == {"field_officer", "legal_reviewer"}
    assert _alive(tokens) == (401, 401)  # the old token carried the old roles
    fresh = _login("officer_a")
    assert set(APIClient(HTTP_AUTHORIZATION=f"Bearer {fresh['access']}").get("/api/v1/me/").json()["roles"]) == {
        "field_officer", "legal_reviewer"}  # fmt: skip
    head.post(f"/console/admin/users/{officer_a.pk}/roles/revoke/", {"role": "legal_reviewer"})
    assert User.objects.get(pk=officer_a.pk).role_set == {"field_officer"}
    assert _alive(fresh) == (401, 401)
    actions = list(AuditEvent.objects.filter(target_id=str(officer_a.pk)).values_list("action", flat=True))
    assert actions.count("user.role_granted") == 1 and actions.count("user.role_revoked") == 1
    last = head.post(f"/console/admin/users/{officer_a.pk}/roles/revoke/", {"role": "field_officer"}, follow=True)
    assert "role_last" in last.content.decode()  # an unused account is deactivated, not left without a role


def test_deactivation_ends_tokens_and_the_console_session_and_reactivation_restores_login(console, head_a, officer_a):
    tokens = _login("officer_a")
    session = console(officer_a)
    assert session.get("/console/").status_code == 200
    head = console(head_a)
    done = head.post(f"/console/admin/users/{officer_a.pk}/deactivate/", {"reason": "调离本机关"}, follow=True)
    assert "已停用账号" in done.content.decode() and 'data-active="false"' in done.content.decode()
    assert _alive(tokens) == (401, 401)
    assert session.get("/console/").status_code == 302  # the session of a deactivated user is over
    assert APIClient().post("/api/v1/auth/token/", {"username": "officer_a", "password": PASSWORD},
                            format="json").status_code == 401  # fmt: skip
    again = head.post(f"/console/admin/users/{officer_a.pk}/deactivate/", {"reason": "调离本机关"}, follow=True)
    assert "user_already_inactive" in again.content.decode()
    head.post(f"/console/admin/users/{officer_a.pk}/reactivate/", {"reason": "调回本机关"})
    assert _alive(_login("officer_a")) == (200, 200)
    events = AuditEvent.objects.filter(target_id=str(officer_a.pk), action__startswith="user.")
    assert [e.data["reason"] for e in events.order_by("occurred_at")] == ["调离本机关", "调回本机关"]
    assert all(e.actor_id == head_a.pk for e in events)


def test_a_head_cannot_lock_out_himself_nor_make_an_administrator(console, head_a):
    head = console(head_a)
    own = head.post(f"/console/admin/users/{head_a.pk}/deactivate/", {"reason": "测试"}, follow=True)
    assert "cannot_deactivate_self" in own.content.decode()
    own_role = head.post(f"/console/admin/users/{head_a.pk}/roles/revoke/", {"role": "agency_head"}, follow=True)
    assert "cannot_revoke_own_management" in own_role.content.decode()
    refused = head.post(f"/console/admin/users/{head_a.pk}/roles/", {"role": "system_admin"})
    api = client_for(head_a).post(f"/api/v1/accounts/users/{head_a.pk}/roles/", {"role": "system_admin"},
                                  format="json")  # fmt: skip
    assert refused.status_code == api.status_code == 403 and api.json()["code"] == "role_not_grantable"
    assert User.objects.get(pk=head_a.pk).role_set == {"agency_head"} and User.objects.get(pk=head_a.pk).is_active


def test_another_agencys_account_is_not_found_and_the_auditor_only_reads(console, head_a, auditor_a, officer_a,
                                                                         officer_b, agency_b, discloser_a):  # fmt: skip
    head_b = make_user("head_b", agency_b, [Role.AGENCY_HEAD], full_name="马德华")
    for path in (f"/console/admin/users/{officer_a.pk}/", f"/console/admin/users/{officer_a.pk}/deactivate/"):
        method = "get" if path.endswith(f"{officer_a.pk}/") else "post"
        assert getattr(console(head_b), method)(path, {"reason": "x"}).status_code == 404
    assert client_for(head_b).get(f"/api/v1/accounts/users/{officer_a.pk}/").status_code == 404
    assert client_for(head_b).post(f"/api/v1/accounts/users/{officer_a.pk}/deactivate/", {"reason": "x"},
                                   format="json").status_code == 404  # fmt: skip
    listing = console(head_b).get("/console/admin/users/").content.decode()
    assert 'data-user="officer_b"' in listing and 'data-user="officer_a"' not in listing
    # The auditor reads the accounts of the agency, and every write is refused as the API refuses it.
    page = console(auditor_a).get("/console/admin/users/").content.decode()
    assert 'data-user="officer_a"' in page and "开设账号" not in page
    assert console(auditor_a).get(f"/console/admin/users/{officer_a.pk}/").status_code == 200
    for path, body in ((f"/console/admin/users/{officer_a.pk}/deactivate/", {"reason": "x"}),
                       ("/console/admin/users/new/", {})):  # fmt: skip
        assert console(auditor_a).post(path, body).status_code == 403
    api = client_for(auditor_a).post(f"/api/v1/accounts/users/{officer_a.pk}/deactivate/", {"reason": "x"},
                                     format="json")  # fmt: skip
    assert api.status_code == 403 and api.json()["code"] == "read_only_role"
    # Other roles see no account administration at all.
    for user in (officer_a, discloser_a):
        assert console(user).get("/console/admin/users/").status_code == 403
        assert client_for(user).get("/api/v1/accounts/users/").status_code == 403
    assert User.objects.get(pk=officer_a.pk).is_active


def test_the_administrator_manages_every_agency_and_lands_on_the_administration_page(admin_user, agency_b, console):
    admin = console(admin_user)
    created = admin.post("/console/admin/users/new/", {"username": "head_chengguan", "full_name": "高志强",
                                                       "password": NEW_PASSWORD, "roles": ["agency_head"],
                                                       "agency_id": str(agency_b.pk)})  # fmt: skip
    assert created.status_code == 303
    assert User.objects.get(username="head_chengguan").agency_id == agency_b.pk
    client = console(None)  # a fresh browser
    client.get("/console/login/")
    landed = client.post("/console/login/", {"username": "sysadmin", "password": PASSWORD})
    assert landed.status_code == 303 and landed["Location"] == "/console/admin/"
    page = client.get("/console/admin/").content.decode()
    assert "人员与角色" in page and "节假日日历" in page and "工作队列" not in page


def test_the_accounts_api_lists_and_filters_the_own_agency(head_a, officer_a, officer_a2, reviewer_a):
    api = client_for(head_a)
    officers = api.get("/api/v1/accounts/users/?role=field_officer").json()["results"]
    assert [u["username"] for u in officers] == ["officer_a", "officer_a2"]
    assert officers[0]["credential_status"] == "valid" and officers[0]["agency_name"] == "辽源市市场监督管理局"
    api.post(f"/api/v1/accounts/users/{officer_a2.pk}/deactivate/", {"reason": "退休"}, format="json")
    inactive = api.get("/api/v1/accounts/users/?active=false").json()["results"]
    assert [u["username"] for u in inactive] == ["officer_a2"]
    assert api.get("/api/v1/accounts/users/?q=赵").json()["results"][0]["username"] == "reviewer_a"


# --------------------------------------------------------------------------- disclosure profile


PROFILE_FORM = {
    "procedures": "立案、调查取证、告知、听证、决定、送达、执行。",
    "remedies": "可于六十日内申请行政复议或六个月内提起行政诉讼。",
    "service_guide": "", "random_inspection_items": "食品经营者监督检查", "supervision_contact": "0437-12315",
    "penalty_deadline_workdays": "5", "other_deadline_workdays": "20", "due_soon_workdays": "2",
    "publish_warning_only": "", "display_months_default": "36", "display_months_short": "3",
    "low_fine_threshold": "10000", "short_display_kinds": ["criticism"], "correction_answer_workdays": "20",
}  # fmt: skip


def test_the_head_sets_the_disclosure_profile_and_each_change_is_audited(console, head_a, agency_a):
    head = console(head_a)
    saved = head.post("/console/admin/profile/save/", PROFILE_FORM, follow=True)
    assert "已保存公示设置" in saved.content.decode()
    profile = AgencyDisclosureProfile.objects.get(agency=agency_a)
    assert profile.penalty_deadline_workdays == 5 and profile.publish_warning_only is False
    assert profile.short_display_kinds == ["criticism"] and str(profile.low_fine_threshold) == "10000.00"
    event = AuditEvent.objects.get(action="disclosure.profile_updated")
    assert event.data["changes"]["penalty_deadline_workdays"] == {"from": 7, "to": 5}
    assert event.actor_id == head_a.pk
    assert 'data-field="penalty_deadline_workdays">5 个工作日' in saved.content.decode()
    # The same through the API; a period longer than 国办发〔2018〕118号 allows is refused.
    api = client_for(head_a).patch("/api/v1/disclosures/profile/", {"penalty_deadline_workdays": 8}, format="json")
    assert api.status_code == 400
    form = {**PROFILE_FORM, "display_months_short": "48"}
    refused = head.post("/console/admin/profile/save/", form, follow=True)
    assert "profile_invalid" in refused.content.decode()
    cleared = head.post("/console/admin/profile/save/", {**PROFILE_FORM, "short_display_kinds": [],
                                                         "low_fine_threshold": ""})  # fmt: skip
    assert cleared.status_code == 303
    profile.refresh_from_db()
    assert profile.short_display_kinds == [] and profile.low_fine_threshold is None


def test_only_the_head_changes_the_profile_and_staff_read_it(console, officer_a, discloser_a, auditor_a, head_a,
                                                             admin_user):  # fmt: skip
    for user in (officer_a, discloser_a, auditor_a):
        page = console(user).get("/console/admin/profile/")
        assert page.status_code == 200 and "保存公示设置" not in page.content.decode()
        assert console(user).post("/console/admin/profile/save/", PROFILE_FORM).status_code == 403
        assert client_for(user).patch("/api/v1/disclosures/profile/", {"due_soon_workdays": 1},
                                      format="json").status_code == 403  # fmt: skip
    assert console(admin_user).get("/console/admin/profile/").status_code == 403  # no agency, no profile
    assert client_for(admin_user).get("/api/v1/disclosures/profile/").status_code == 403
    assert not AuditEvent.objects.filter(action="disclosure.profile_updated").exists()
    body = client_for(head_a).patch("/api/v1/disclosures/profile/", {"due_soon_workdays": 1}, format="json").json()
    assert body["due_soon_workdays"] == 1 and body["agency_name"] == "辽源市市场监督管理局"


# --------------------------------------------------------------------------- holiday calendar


def test_the_administrator_previews_then_imports_a_years_notice(console, admin_user):
    admin = console(admin_user)
    preview = admin.post("/console/admin/calendar/import/", {"text": NOTICE_2027})
    page = preview.content.decode()
    assert preview.status_code == 200 and 'data-preview="2027"' in page and "2027-02-05" in page
    assert "确认导入并重新计算期限" in page
    assert not CalendarYear.objects.filter(year=2027).exists() and not HolidayOverride.objects.exists()
    saved = admin.post("/console/admin/calendar/import/", {"text": NOTICE_2027, "confirm": "1"}, follow=True)
    assert "已导入2027年放假安排" in saved.content.decode()
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕9号"
    assert HolidayOverride.objects.get(date=dt.date(2027, 2, 13)).is_workday is True
    event = AuditEvent.objects.get(action="calendar.notice_imported")
    assert event.actor_id == admin_user.pk and event.data["year"] == 2027
    years = {y["year"]: y for y in client_for(admin_user).get("/api/v1/calendar/years/").json()}
    assert years[2027]["entered"] and years[2027]["covered"]
    assert {"date": "2027-02-13", "is_workday": True} .items() <= next(
        d for d in years[2027]["days"] if d["date"] == "2027-02-13").items()  # fmt: skip
    bad = admin.post("/console/admin/calendar/import/", {"text": "关于放假的通知\n元旦放假。"})
    assert bad.status_code == 422 and "holiday_notice_unreadable" in bad.content.decode()


def test_heads_read_the_calendar_and_only_the_administrator_imports(console, head_a, auditor_a):
    page = console(head_a).get("/console/admin/calendar/")
    assert page.status_code == 200 and "导入国务院放假通知" not in page.content.decode()
    assert 'data-covered="' in page.content.decode()
    for user in (head_a, auditor_a):
        refused = console(user).post("/console/admin/calendar/import/", {"text": NOTICE_2027, "confirm": "1"})
        api = client_for(user).post("/api/v1/calendar/notices/", {"text": NOTICE_2027, "confirm": True},
                                    format="json")  # fmt: skip
        assert refused.status_code == api.status_code == 403
    assert not CalendarYear.objects.exists()
    assert client_for(auditor_a).get("/api/v1/calendar/years/").status_code == 200
