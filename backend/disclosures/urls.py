"""Disclosure API: the anonymous public API (pinned ``/api/v1/public/notices/``) and the staff API."""

from django.urls import path

from backend.disclosures import apis, profile_apis, public_apis

urlpatterns = [
    # --- public, anonymous, read-only (plus correction requests) -------------------------------
    path("public/notices/", public_apis.PublicNoticeListApi.as_view(), name="api-public-notices"),
    path("public/notices/export.csv", public_apis.PublicNoticeExportCsvApi.as_view(), name="api-public-export-csv"),
    path("public/notices/export.json", public_apis.PublicNoticeExportJsonApi.as_view(), name="api-public-export-json"),
    path("public/notices/feed.atom", public_apis.PublicNoticeFeedApi.as_view(), name="api-public-feed"),
    path("public/notices/<uuid:notice_id>/", public_apis.PublicNoticeDetailApi.as_view(), name="api-public-notice"),
    path(
        "public/notices/<uuid:notice_id>/corrections/",
        public_apis.PublicCorrectionCreateApi.as_view(),
        name="api-public-correction-create",
    ),
    path(
        "public/corrections/<str:code>/",
        public_apis.PublicCorrectionStatusApi.as_view(),
        name="api-public-correction",
    ),
    path("public/agencies/", public_apis.PublicAgencyListApi.as_view(), name="api-public-agencies"),
    path("public/agencies/<str:key>/", public_apis.PublicAgencyDetailApi.as_view(), name="api-public-agency"),
    path("public/officers/<str:number>/", public_apis.PublicOfficerCheckApi.as_view(), name="api-public-officer"),
    path("public/statistics/", public_apis.PublicStatisticsApi.as_view(), name="api-public-statistics"),
    # --- staff ---------------------------------------------------------------------------------
    path("disclosures/notices/", apis.NoticeListApi.as_view(), name="notice-list"),
    path("disclosures/notices/<uuid:notice_id>/", apis.NoticeReviewApi.as_view(), name="notice-review"),
    path("disclosures/notices/<uuid:notice_id>/edit/", apis.NoticeEditApi.as_view(), name="notice-edit"),
    path("disclosures/notices/<uuid:notice_id>/publish/", apis.NoticePublishApi.as_view(), name="notice-publish"),
    path(
        "disclosures/notices/<uuid:notice_id>/redaction-check/",
        apis.NoticeRedactionCheckApi.as_view(),
        name="notice-redaction-check",
    ),
    path(
        "disclosures/notices/<uuid:notice_id>/redaction-check/resolve/",
        apis.NoticeRedactionResolveApi.as_view(),
        name="notice-redaction-resolve",
    ),
    path("disclosures/notices/<uuid:notice_id>/withdraw/", apis.NoticeWithdrawApi.as_view(), name="notice-withdraw"),
    path(
        "disclosures/notices/<uuid:notice_id>/non-disclosure/",
        apis.NoticeNonDisclosureApi.as_view(),
        name="notice-non-disclosure",
    ),
    path(
        "disclosures/notices/<uuid:notice_id>/non-disclosure/decision/",
        apis.NoticeNonDisclosureDecisionApi.as_view(),
        name="notice-non-disclosure-decision",
    ),
    path("disclosures/profile/", profile_apis.DisclosureProfileApi.as_view(), name="disclosure-profile"),
    path("disclosures/deadlines/", apis.NoticeDeadlinesApi.as_view(), name="notice-deadlines"),
    path("disclosures/corrections/", apis.CorrectionListApi.as_view(), name="correction-list"),
    path(
        "disclosures/corrections/<uuid:correction_id>/answer/",
        apis.CorrectionAnswerApi.as_view(),
        name="correction-answer",
    ),
]
