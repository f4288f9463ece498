from django.urls import path

from backend.supervision import apis

P = "supervision/"
urlpatterns = [
    path(f"{P}agencies/", apis.SupervisedAgencyListApi.as_view(), name="supervision-agency-list"),
    path(f"{P}orders/", apis.OrderListCreateApi.as_view(), name="supervision-order-list"),
    path(f"{P}orders/<uuid:order_id>/", apis.OrderDetailApi.as_view(), name="supervision-order-detail"),
    path(f"{P}orders/<uuid:order_id>/answer/", apis.OrderAnswerApi.as_view(), name="supervision-order-answer"),
    path(f"{P}orders/<uuid:order_id>/review/", apis.OrderReviewApi.as_view(), name="supervision-order-review"),
    path(
        f"{P}cases/<uuid:case_id>/responsible-chain/",
        apis.ResponsibleChainApi.as_view(),
        name="supervision-responsible-chain",
    ),
    path(f"{P}faults/", apis.FaultListCreateApi.as_view(), name="supervision-fault-list"),
    path(f"{P}faults/<uuid:fault_id>/", apis.FaultDetailApi.as_view(), name="supervision-fault-detail"),
    path(f"{P}faults/<uuid:fault_id>/decide/", apis.FaultDecideApi.as_view(), name="supervision-fault-decide"),
    path(f"{P}faults/<uuid:fault_id>/close/", apis.FaultCloseApi.as_view(), name="supervision-fault-close"),
    path(f"{P}grants/", apis.GrantListCreateApi.as_view(), name="supervision-grant-list"),
    path(f"{P}grants/<uuid:grant_id>/revoke/", apis.GrantRevokeApi.as_view(), name="supervision-grant-revoke"),
    path(f"{P}suggestions/", apis.SuggestionListApi.as_view(), name="supervision-suggestion-list"),
    path(
        f"{P}suggestions/<uuid:suggestion_id>/answer/",
        apis.SuggestionAnswerApi.as_view(),
        name="supervision-suggestion-answer",
    ),
    path(f"{P}procuratorate/grants/", apis.ProcuratorGrantListApi.as_view(), name="supervision-procurator-grants"),
    path(
        f"{P}procuratorate/grants/<uuid:grant_id>/cases/<uuid:case_id>/",
        apis.ProcuratorCaseApi.as_view(),
        name="supervision-procurator-case",
    ),
    path(
        f"{P}procuratorate/grants/<uuid:grant_id>/cases/<uuid:case_id>/evidence/",
        apis.ProcuratorEvidenceApi.as_view(),
        name="supervision-procurator-evidence",
    ),
    path(
        f"{P}procuratorate/grants/<uuid:grant_id>/cases/<uuid:case_id>/bundle/",
        apis.ProcuratorBundleApi.as_view(),
        name="supervision-procurator-bundle",
    ),
    path(
        f"{P}procuratorate/suggestions/",
        apis.ProcuratorSuggestionListCreateApi.as_view(),
        name="supervision-procurator-suggestions",
    ),
    path(f"{P}indicators/", apis.IndicatorRankingApi.as_view(), name="supervision-indicator-ranking"),
    path(
        f"{P}indicators/<int:agency_id>/<int:year>/",
        apis.IndicatorAgencyApi.as_view(),
        name="supervision-indicator-agency",
    ),
    path(
        f"{P}indicators/<int:agency_id>/<int:year>/<slug:indicator>/",
        apis.IndicatorDetailApi.as_view(),
        name="supervision-indicator-detail",
    ),
    path(f"{P}annual-reports/", apis.AnnualReportListCreateApi.as_view(), name="supervision-annual-report-list"),
    path(
        f"{P}annual-reports/<uuid:report_id>/submissions/",
        apis.AnnualReportSubmitApi.as_view(),
        name="supervision-annual-report-submit",
    ),
    path(
        "public/annual-reports/<str:key>/<int:year>/", apis.PublicAnnualReportApi.as_view(), name="public-annual-report"
    ),
    path(
        "public/annual-reports/<str:key>/<int:year>/versions/<int:version>/bundle/",
        apis.PublicAnnualReportBundleApi.as_view(),
        name="public-annual-report-bundle",
    ),
    path(f"{P}standards/", apis.StandardListCreateApi.as_view(), name="supervision-standard-list"),
    path(f"{P}samples/", apis.SampleListCreateApi.as_view(), name="supervision-sample-list"),
    path(f"{P}samples/<uuid:sample_id>/", apis.SampleDetailApi.as_view(), name="supervision-sample-detail"),
    path(
        f"{P}samples/<uuid:sample_id>/evaluations/",
        apis.EvaluationListCreateApi.as_view(),
        name="supervision-evaluation-list",
    ),
]
