"""Entering a year from the State Council's notice: the admin's two steps, the API, the command (issue 13 §1)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from backend.accounts.models import User
from backend.common.calendar import get_calendar
from backend.common.models import CalendarYear, HolidayOverride
from backend.ledger.models import AuditEvent

pytestmark = pytest.mark.django_db
D = dt.date
NOTICE_2026 = (Path(__file__).parent / "notices" / "2026.txt").read_text(encoding="utf-8")
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


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser(username="root", password="root-password-2026")
    client.force_login(user)
    return client


def test_the_admin_shows_the_parsed_days_and_saves_only_on_confirmation(superuser_client):
    url = reverse("admin:common_calendaryear_import_notice")
    assert superuser_client.get(reverse("admin:common_calendaryear_changelist")).content.decode().count(url) == 1
    preview = superuser_client.post(url, {"text": NOTICE_2027})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "2027年放假安排" in page and "国办发明电〔2026〕9号" in page and "2027-02-05" in page
    assert "确认保存" in page
    assert not CalendarYear.objects.filter(year=2027).exists()  # nothing saved by the preview
    assert not HolidayOverride.objects.exists()

    saved = superuser_client.post(url, {"text": NOTICE_2027, "confirm": "1"})
    assert saved.status_code == 302
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕9号"
    assert HolidayOverride.objects.filter(date__year=2027, is_workday=True).count() == 6
    assert HolidayOverride.objects.get(date=D(2027, 2, 9)).is_workday is False
    assert get_calendar().is_covered(2027) and not get_calendar().add_workdays(D(2027, 2, 3), 5).provisional
    event = AuditEvent.objects.get(action="calendar.notice_imported")
    assert event.actor_id is not None and event.data["year"] == 2027


def test_the_admin_lists_what_it_cannot_read(superuser_client):
    url = reverse("admin:common_calendaryear_import_notice")
    r = superuser_client.post(url, {"text": NOTICE_2027.replace("共7天。1月31日", "共8天。1月31日")})
    assert r.status_code == 200 and "共8天" in r.content.decode()
    assert not CalendarYear.objects.exists()


def test_a_corrected_notice_replaces_the_years_days(superuser_client):
    url = reverse("admin:common_calendaryear_import_notice")
    superuser_client.post(url, {"text": NOTICE_2027, "confirm": "1"})
    corrected = NOTICE_2027.replace(
        "至11日（农历正月初六、周四）放假调休，共7天。1月31日（周日）、2月13日（周六）上班。",
        "至10日（农历正月初五、周三）放假调休，共6天。2月13日（周六）上班。",
    )
    preview = superuser_client.post(url, {"text": corrected}).content.decode()
    assert "更正" in preview and "2027-01-31" in preview  # the make-up day that goes away is listed
    superuser_client.post(url, {"text": corrected, "confirm": "1"})
    assert not HolidayOverride.objects.filter(date=D(2027, 1, 31)).exists()
    assert not HolidayOverride.objects.filter(date=D(2027, 2, 11)).exists()
    assert get_calendar().is_workday(D(2027, 2, 11))
    assert AuditEvent.objects.filter(action="calendar.notice_imported").count() == 2


def test_the_api_previews_then_saves_for_a_system_administrator(as_user, admin_user, officer_a):
    client = as_user(admin_user)
    r = client.post("/api/v1/calendar/notices/", {"text": NOTICE_2026}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["saved"] is False and body["year"] == 2026 and len(body["entries"]) == 7
    # chinese-calendar already has 2026: the notice changes nothing.
    assert [d for d in body["days"] if d["changes"]] == []
    r = client.post("/api/v1/calendar/notices/", {"text": NOTICE_2027, "confirm": True}, format="json")
    assert r.status_code == 201 and r.json()["saved"] is True
    assert r.json()["recomputed"] == {"cases": 0, "reviews": 0, "disclosures": 0}
    assert CalendarYear.objects.filter(year=2027).exists()
    bad = client.post("/api/v1/calendar/notices/", {"text": "一、元旦：1月1日（周一）放假。", "year": 2027},
                      format="json")
    assert bad.status_code == 422 and bad.json()["code"] == "holiday_notice_unreadable"
    assert any("不是周一" in p for p in bad.json()["extra"]["problems"])
    assert as_user(officer_a).post("/api/v1/calendar/notices/", {"text": NOTICE_2027}, format="json").status_code == 403


def test_the_command_shows_then_saves(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    out = StringIO()
    call_command("import_holiday_notice", str(path), stdout=out)
    assert "春节: 放假 2027-02-05" in out.getvalue() and "未保存" in out.getvalue()
    assert not CalendarYear.objects.exists()
    out = StringIO()
    call_command("import_holiday_notice", str(path), "--yes", stdout=out)
    assert "已保存" in out.getvalue() and CalendarYear.objects.filter(year=2027).exists()
    out = StringIO()
    call_command("calendar_recompute", "--year", "2027", stdout=out)
    assert "案件期限 0 项" in out.getvalue()
