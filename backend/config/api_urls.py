"""Every app's v1 API, in one place."""

from django.urls import include, path

urlpatterns = [
    path("", include("backend.accounts.urls")),
    path("", include("backend.cases.urls")),
    path("", include("backend.evidence.urls")),
    path("", include("backend.reviews.urls")),
    path("", include("backend.disclosures.urls")),
    path("", include("backend.ledger.urls")),
]
