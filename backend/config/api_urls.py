"""Every app's v1 API, in one place; each route is also served in its other slash form (common/urls.py)."""

from django.urls import include, path

from backend.common.urls import with_slash_variants
from backend.holiday_calendar.apis import CalendarYearListApi, HolidayNoticeImportApi

urlpatterns = with_slash_variants(
    [
        path("", include("backend.accounts.urls")),
        path("", include("backend.cases.urls")),
        path("", include("backend.evidence.urls")),
        path("", include("backend.reviews.urls")),
        path("", include("backend.disclosures.urls")),
        path("", include("backend.execution.urls")),
        path("", include("backend.ledger.urls")),
        path("calendar/years/", CalendarYearListApi.as_view(), name="calendar-years"),
        path("", include("backend.sharing.urls")),
        path("calendar/notices/", HolidayNoticeImportApi.as_view(), name="calendar-notice-import"),
        path("", include("backend.notifications.urls")),
        path("", include("backend.supervision.urls")),
    ]
)
