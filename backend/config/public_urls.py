"""Anonymous server-rendered pages (disclosure: /notices/, officer verification, agencies)."""

from django.urls import include, path

urlpatterns = [
    path("", include("backend.disclosures.page_urls")),
]
