from django.urls import path

from backend.ledger import apis

urlpatterns = [
    path("public/ledger/checkpoint/", apis.PublicCheckpointApi.as_view(), name="ledger-public-checkpoint"),
    path("public/ledger/key/", apis.PublicKeyApi.as_view(), name="ledger-public-key"),
    path("public/ledger/proof/inclusion/", apis.PublicInclusionProofApi.as_view(), name="ledger-public-inclusion"),
    path(
        "public/ledger/proof/consistency/", apis.PublicConsistencyProofApi.as_view(), name="ledger-public-consistency"
    ),
]
