from django.urls import path

from backend.ledger import apis

urlpatterns = [
    path("public/ledger/checkpoint/", apis.PublicCheckpointApi.as_view(), name="ledger-public-checkpoint"),
    path("public/ledger/key/", apis.PublicKeyApi.as_view(), name="ledger-public-key"),
    path("public/ledger/proof/inclusion/", apis.PublicInclusionProofApi.as_view(), name="ledger-public-inclusion"),
    path(
        "public/ledger/proof/consistency/", apis.PublicConsistencyProofApi.as_view(), name="ledger-public-consistency"
    ),
    path(
        "public/ledger/shares/<str:token>/bundle/",
        apis.PublicShareDownloadApi.as_view(),
        name="ledger-public-share-download",
    ),
    path("ledger/entries/<int:index>/", apis.LedgerEntryDetailApi.as_view(), name="ledger-entry-detail"),
    path("cases/<uuid:case_id>/bundle/", apis.CaseBundleApi.as_view(), name="case-bundle"),
    path("cases/<uuid:case_id>/bundle/shares/", apis.CaseBundleShareListCreateApi.as_view(), name="case-bundle-shares"),
    path("bundle-shares/<uuid:share_id>/revoke/", apis.BundleShareRevokeApi.as_view(), name="bundle-share-revoke"),
    path("bundle-shares/<uuid:share_id>/receipt/", apis.BundleShareReceiptApi.as_view(), name="bundle-share-receipt"),
]
