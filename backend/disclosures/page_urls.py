"""Public web pages, mounted at the site root (pinned: the notices list at ``/notices/``)."""

from django.urls import path

from backend.disclosures import pages

urlpatterns = [
    path("notices/", pages.notice_list_page, name="public-notices"),
    path("notices/feed.atom", pages.notice_feed, name="public-notices-feed"),
    path("notices/<uuid:notice_id>/", pages.notice_detail_page, name="public-notice-detail"),
    path("notices/<uuid:notice_id>/correction/", pages.correction_submit_page, name="public-correction-submit"),
    path("corrections/<str:code>/", pages.correction_status_page, name="public-correction"),
    path("agencies/", pages.agency_list_page, name="public-agencies"),
    path("agencies/<str:key>/", pages.agency_detail_page, name="public-agency"),
    path("officers/", pages.officer_lookup_page, name="public-officer-lookup"),
    path("officers/<str:number>/qr.png", pages.officer_qr_png, name="public-officer-qr"),
    path("officers/<str:number>", pages.officer_verify_page, name="public-officer"),
    path("statistics/", pages.statistics_index_page, name="public-statistics-index"),
    path("statistics/<str:key>/<int:year>/", pages.statistics_page, name="public-statistics"),
]
