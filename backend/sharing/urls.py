from django.urls import path

from backend.sharing import apis

urlpatterns = [
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
