from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from backend.common.metrics import metrics_view
from backend.common.schema_view import CachedSpectacularAPIView
from backend.common.security import api_reference_page
from backend.common.urls import read_only_page, with_slash_variants
from backend.config.metrics import StateCollector

# /healthz and /readyz are answered by backend.common.health.HealthProbeMiddleware, under any Host.
urlpatterns = [
    path("api/v1/", include("backend.config.api_urls")),
    *with_slash_variants(
        [
            path("api/schema/", CachedSpectacularAPIView.as_view(), name="schema"),
            # The split view serves its start-up script as a second request (?script): no inline script, so the
            # page works under the Content-Security-Policy; its assets come from drf-spectacular-sidecar.
            path(
                "api/docs/",
                api_reference_page(read_only_page(SpectacularSwaggerSplitView.as_view(url_name="schema"))),
                name="api-docs",
            ),
            path(
                "api/redoc/",
                api_reference_page(read_only_page(SpectacularRedocView.as_view(url_name="schema"))),
                name="api-redoc",
            ),
        ]
    ),
    # Prometheus scrape target: METRICS_TOKEN bearer or a staff session (backend/common/metrics.py).
    path("metrics", metrics_view, {"state": StateCollector()}, name="metrics"),
    path("console/", include("backend.console.urls")),
    path("", include("backend.config.public_urls")),
]
if settings.ADMIN_ENABLED:
    urlpatterns.insert(-1, path("admin/", admin.site.urls))
