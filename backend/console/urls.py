"""The staff console, mounted at /console/ (server-rendered, session login)."""

from django.urls import path

from backend.console.views import (
    auth,
    cases,
    decisions,
    directory,
    evidence,
    inbox,
    notices,
    queues,
    reviews,
    statistics,
)

app_name = "console"

urlpatterns = [
    path("", queues.queues, name="queues"),
    path("login/", auth.login_page, name="login"),
    path("logout/", auth.logout_page, name="logout"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/<uuid:case_id>/", cases.case_detail, name="case"),
    path("cases/<uuid:case_id>/reveal/", cases.case_reveal, name="case-reveal"),
    path("cases/<uuid:case_id>/steps/<str:name>/", cases.case_step, name="case-step"),
    path("cases/<uuid:case_id>/reviews/", cases.case_review_submit, name="case-review-submit"),
    path("cases/<uuid:case_id>/decision/", decisions.decision_page, name="decision"),
    path("cases/<uuid:case_id>/decision/collective/", decisions.collective_record, name="collective"),
    path("cases/<uuid:case_id>/evidence/", evidence.gallery, name="evidence-gallery"),
    path("evidence/<uuid:item_id>/", evidence.detail, name="evidence"),
    path("evidence/<uuid:item_id>/original/", evidence.original, name="evidence-original"),
    path("evidence/<uuid:item_id>/derivatives/<str:name>", evidence.derivative, name="evidence-derivative"),
    path("reviews/<uuid:round_id>/", reviews.round_detail, name="review"),
    path("reviews/<uuid:round_id>/assign/", reviews.round_assign, name="review-assign"),
    path("reviews/<uuid:round_id>/checklist/", reviews.round_checklist, name="review-checklist"),
    path("reviews/<uuid:round_id>/outcome/", reviews.round_outcome, name="review-outcome"),
    path("reviews/<uuid:round_id>/opinion.pdf", reviews.round_opinion_pdf, name="review-opinion-pdf"),
    path("directory/", directory.directory, name="directory"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("inbox/preferences/", inbox.inbox_preferences, name="inbox-preferences"),
    path("inbox/<uuid:notification_id>/read/", inbox.inbox_read, name="inbox-read"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/<uuid:notice_id>/", notices.notice_desk, name="notice"),
    path("notices/<uuid:notice_id>/edit/", notices.notice_edit, name="notice-edit"),
    path("notices/<uuid:notice_id>/publish/", notices.notice_publish, name="notice-publish"),
    path("notices/<uuid:notice_id>/non-disclosure/", notices.notice_non_disclosure, name="notice-nd"),
    path("notices/<uuid:notice_id>/non-disclosure/decision/", notices.notice_non_disclosure_decide,
         name="notice-nd-decide"),
    path("notices/<uuid:notice_id>/withdraw/", notices.notice_withdraw, name="notice-withdraw"),
]
