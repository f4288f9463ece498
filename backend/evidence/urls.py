from django.urls import path

from backend.evidence import apis

urlpatterns = [
    # tus 1.0.0: clients use the Location the creation answers; the form without the slash (stored by
    # older apps) is served too, like every API route (backend/common/urls.py).
    path("uploads/", apis.UploadCreateApi.as_view(), name="upload-create"),
    path("uploads/<uuid:upload_id>/", apis.UploadDetailApi.as_view(), name="upload-detail"),
    # evidence
    path("evidence/", apis.EvidenceListApi.as_view(), name="evidence-list"),
    path("evidence/<uuid:item_id>/", apis.EvidenceDetailApi.as_view(), name="evidence-detail"),
    path("evidence/<uuid:item_id>/original/", apis.EvidenceOriginalApi.as_view(), name="evidence-original"),
    path("evidence/<uuid:item_id>/custody/", apis.EvidenceCustodyApi.as_view(), name="evidence-custody"),
    path(
        "evidence/<uuid:item_id>/derivatives/<str:name>/",
        apis.EvidenceDerivativeApi.as_view(),
        name="evidence-derivative",
    ),
    path("evidence/<uuid:item_id>/notes/", apis.EvidenceNoteListCreateApi.as_view(), name="evidence-notes"),
]
