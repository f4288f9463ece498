from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from backend.common.apidocs import CachedSpectacularAPIView
from backend.common.urls import read_only_page, with_slash_variants

# /healthz and /readyz are answered by backend.common.health.HealthProbeMiddleware, under any Host.
urlpatterns = [
    path("api/v1/", include("backend.config.api_urls")),
    *with_slash_variants(
        [
            path("api/schema/", CachedSpectacularAPIView.as_view(), name="schema"),
            path("api/docs/", read_only_page(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
            path("api/redoc/", read_only_page(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
        ]
    ),
    path("admin/", admin.site.urls),
    path("", include("backend.config.public_urls")),
]
