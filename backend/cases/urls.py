from django.urls import path

from backend.cases import apis, deadline_apis, document_apis, recording_apis

urlpatterns = [
    path("cases/", apis.CaseListCreateApi.as_view(), name="case-list"),
    path("cases/summary/", apis.CaseSummaryCreateApi.as_view(), name="case-summary-create"),
    path("cases/<uuid:case_id>/", apis.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<uuid:case_id>/timeline/", apis.CaseTimelineApi.as_view(), name="case-timeline"),
    path("cases/<uuid:case_id>/deadlines/", apis.CaseDeadlinesApi.as_view(), name="case-deadlines"),
    path(
        "cases/<uuid:case_id>/deadlines/<str:rule_code>/extend/",
        apis.CaseDeadlineExtendApi.as_view(),
        name="case-deadline-extend",
    ),
    path("cases/<uuid:case_id>/officers/", apis.CaseOfficersApi.as_view(), name="case-officers"),
    path("cases/<uuid:case_id>/waiver/", apis.CaseWaiverApi.as_view(), name="case-waiver"),
    path("cases/<uuid:case_id>/execution/", apis.CaseExecutionApi.as_view(), name="case-execution"),
    path("cases/<uuid:case_id>/extend_decision/", apis.CaseExtendDecisionApi.as_view(), name="case-extend-decision"),
    path("cases/<uuid:case_id>/cash_collection/", apis.CaseCashCollectionApi.as_view(), name="case-cash-collection"),
    *(
        path(f"cases/<uuid:case_id>/cash_collection/{name}/", view.as_view(), name=f"case-cash-{name}")
        for name, view in apis.CASH_STEP_APIS.items()
    ),
    path("cases/<uuid:case_id>/corrections/", apis.CaseCorrectionApi.as_view(), name="case-corrections"),
    path("cases/<uuid:case_id>/retention/", apis.CaseRetentionApi.as_view(), name="case-retention"),
    path("cases/<uuid:case_id>/documents/", document_apis.CaseDocumentListCreateApi.as_view(), name="case-documents"),
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/",
        document_apis.CaseDocumentDetailApi.as_view(),
        name="case-document-detail",
    ),
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/attachments/",
        document_apis.CaseDocumentAttachApi.as_view(),
        name="case-document-attach",
    ),
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/approve/",
        document_apis.CaseDocumentApproveApi.as_view(),
        name="case-document-approve",
    ),
    *(
        path(f"cases/<uuid:case_id>/{name}/", view.as_view(), name=f"case-{name}")
        for name, view in apis.TRANSITION_APIS.items()
    ),
    path("deadlines/", deadline_apis.DeadlineListApi.as_view(), name="deadline-list"),
    path("deadlines/summary/", deadline_apis.DeadlineSummaryApi.as_view(), name="deadline-summary"),
    path(
        "recording-requirements/",
        recording_apis.RecordingRequirementListCreateApi.as_view(),
        name="recording-requirements",
    ),
    path(
        "recording-requirements/<int:requirement_id>/",
        recording_apis.RecordingRequirementDetailApi.as_view(),
        name="recording-requirement-detail",
    ),
]
