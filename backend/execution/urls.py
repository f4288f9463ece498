from django.urls import path

from backend.execution import apis

PROPERTY_ITEM = "cases/<uuid:case_id>/property/<int:property_id>/"
TRANSFER = "cases/<uuid:case_id>/transfers/<int:transfer_id>/"

urlpatterns = [
    path("cases/<uuid:case_id>/account/", apis.ExecutionAccountApi.as_view(), name="execution-account"),
    path("cases/<uuid:case_id>/payments/", apis.PaymentRecordApi.as_view(), name="execution-payments"),
    path("cases/<uuid:case_id>/payment_plans/", apis.PlanListApplyApi.as_view(), name="execution-plans"),
    path(
        "cases/<uuid:case_id>/payment_plans/<int:plan_id>/decide/",
        apis.PlanDecideApi.as_view(),
        name="execution-plan-decide",
    ),
    path("cases/<uuid:case_id>/remedies/", apis.RemedyListFileApi.as_view(), name="execution-remedies"),
    path("cases/<uuid:case_id>/enforcement/", apis.EnforcementApi.as_view(), name="execution-enforcement"),
    path("cases/<uuid:case_id>/correction_order/", apis.CorrectionOrderApi.as_view(), name="execution-correction"),
    path("cases/<uuid:case_id>/property/", apis.PropertyApi.as_view(), name="execution-property"),
    path("cases/<uuid:case_id>/transfers/", apis.TransferListSendApi.as_view(), name="execution-transfers"),
    *(
        path(f"{TRANSFER}{step}/", view.as_view(), name=f"execution-transfer-{step}")
        for step, view in apis.TRANSFER_STEP_APIS.items()
    ),
    path(
        "cases/<uuid:case_id>/property/freeze_notice/",
        apis.PropertyFreezeNotifyApi.as_view(),
        name="execution-property-freeze-notice",
    ),
    *(
        path(f"{PROPERTY_ITEM}{step}/", view.as_view(), name=f"execution-property-{step}")
        for step, view in apis.PROPERTY_STEP_APIS.items()
    ),
    *(
        path(f"cases/<uuid:case_id>/correction_order/{name}/", view.as_view(), name=f"execution-correction-{name}")
        for name, view in apis.CORRECTION_STEP_APIS.items()
    ),
    *(
        path(f"cases/<uuid:case_id>/enforcement/{name}/", view.as_view(), name=f"execution-enforcement-{name}")
        for name, view in apis.ENFORCEMENT_STEP_APIS.items()
    ),
    *(
        path(f"cases/<uuid:case_id>/remedies/<int:remedy_id>/{name}/", view.as_view(), name=f"execution-remedy-{name}")
        for name, view in apis.REMEDY_STEP_APIS.items()
    ),
]
