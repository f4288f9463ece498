"""Reviews API, mounted under /api/v1/ with full paths (``reviews/...`` and ``cases/<id>/reviews/...``)."""

from django.urls import path

from backend.reviews import apis, case_review_apis, round_apis

urlpatterns = [
    # 目录清单, 审核内容, 参数
    path("reviews/catalogs/", apis.CatalogListCreateApi.as_view(), name="review-catalog-list"),
    path("reviews/catalogs/current/", apis.CatalogCurrentApi.as_view(), name="review-catalog-current"),
    path("reviews/catalogs/<int:catalog_id>/", apis.CatalogDetailApi.as_view(), name="review-catalog-detail"),
    path("reviews/catalogs/<int:catalog_id>/rules/", apis.CatalogRuleCreateApi.as_view(), name="review-catalog-rules"),
    path(
        "reviews/catalogs/<int:catalog_id>/rules/<int:rule_id>/",
        apis.CatalogRuleDeleteApi.as_view(),
        name="review-catalog-rule-delete",
    ),
    path("reviews/catalogs/<int:catalog_id>/publish/", apis.CatalogPublishApi.as_view(), name="review-catalog-publish"),
    path("reviews/checklist/", apis.ChecklistTemplateApi.as_view(), name="review-checklist"),
    path("reviews/settings/", apis.ReviewSettingsApi.as_view(), name="review-settings"),
    path("reviews/stats/reviewers/", apis.ReviewerRatioApi.as_view(), name="review-reviewer-ratio"),
    # 队列与审核轮次
    path("reviews/queue/", round_apis.ReviewQueueApi.as_view(), name="review-queue"),
    path("reviews/overdue/", round_apis.ReviewOverdueApi.as_view(), name="review-overdue"),
    path("reviews/rounds/<uuid:round_id>/", round_apis.ReviewRoundDetailApi.as_view(), name="review-round-detail"),
    path("reviews/rounds/<uuid:round_id>/assign/", round_apis.ReviewAssignApi.as_view(), name="review-round-assign"),
    path("reviews/rounds/<uuid:round_id>/recuse/", round_apis.ReviewRecuseApi.as_view(), name="review-round-recuse"),
    path(
        "reviews/rounds/<uuid:round_id>/checklist/",
        round_apis.ReviewChecklistApi.as_view(),
        name="review-round-checklist",
    ),
    path(
        "reviews/rounds/<uuid:round_id>/prechecks/",
        round_apis.ReviewPrechecksApi.as_view(),
        name="review-round-prechecks",
    ),
    path("reviews/rounds/<uuid:round_id>/outcome/", round_apis.ReviewOutcomeApi.as_view(), name="review-round-outcome"),
    path(
        "reviews/rounds/<uuid:round_id>/withdraw/", round_apis.ReviewWithdrawApi.as_view(), name="review-round-withdraw"
    ),
    path(
        "reviews/rounds/<uuid:round_id>/supplements/",
        round_apis.ReviewSupplementRequestApi.as_view(),
        name="review-round-supplements",
    ),
    path(
        "reviews/rounds/<uuid:round_id>/extensions/",
        round_apis.ReviewExtensionRequestApi.as_view(),
        name="review-round-extensions",
    ),
    path(
        "reviews/rounds/<uuid:round_id>/disputes/",
        round_apis.ReviewDisputeRaiseApi.as_view(),
        name="review-round-disputes",
    ),
    path(
        "reviews/rounds/<uuid:round_id>/opinion.html",
        round_apis.ReviewOpinionHtmlApi.as_view(),
        name="review-opinion-html",
    ),
    path(
        "reviews/rounds/<uuid:round_id>/opinion.pdf",
        round_apis.ReviewOpinionPdfApi.as_view(),
        name="review-opinion-pdf",
    ),
    path(
        "reviews/supplements/<int:supplement_id>/resolve/",
        round_apis.ReviewSupplementResolveApi.as_view(),
        name="review-supplement-resolve",
    ),
    path(
        "reviews/extensions/<int:extension_id>/decide/",
        round_apis.ReviewExtensionDecideApi.as_view(),
        name="review-extension-decide",
    ),
    path(
        "reviews/disputes/<int:dispute_id>/resolve/",
        round_apis.ReviewDisputeResolveApi.as_view(),
        name="review-dispute-resolve",
    ),
    # 案件侧
    path("cases/<uuid:case_id>/reviews/", case_review_apis.CaseReviewListSubmitApi.as_view(), name="case-reviews"),
    path(
        "cases/<uuid:case_id>/reviews/requirement/",
        case_review_apis.CaseReviewRequirementApi.as_view(),
        name="case-review-requirement",
    ),
    path(
        "cases/<uuid:case_id>/reviews/flags/", case_review_apis.CaseReviewFlagsApi.as_view(), name="case-review-flags"
    ),
    path(
        "cases/<uuid:case_id>/reviews/collective-discussions/",
        case_review_apis.CaseCollectiveDiscussionApi.as_view(),
        name="case-collective-discussions",
    ),
    path(
        "cases/<uuid:case_id>/reviews/recusals/", case_review_apis.CaseRecusalApi.as_view(), name="case-review-recusals"
    ),
]
