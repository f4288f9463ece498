"""Content-Security-Policy exceptions, each for the few documents that need it (django-csp decorators).

The global policy (settings.CONTENT_SECURITY_POLICY) allows no inline script and no inline style. Documents
that carry their own ``<style>`` block — the API docs (Swagger UI, Redoc: their assets are self-hosted
from drf-spectacular-sidecar, Redoc also injects styles at run time) and the printable 审核意见书 / share
receipt — add ``'unsafe-inline'`` for styles only; scripts stay same-origin everywhere.
"""

from __future__ import annotations

from typing import TypeVar

from csp.decorators import csp_update
from django.http.response import HttpResponseBase

inline_styles = csp_update({"style-src": ["'unsafe-inline'"]})
# Redoc builds its search index in a web worker started from a blob: URL.
api_reference_page = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})

INLINE_STYLES = {"style-src": ["'unsafe-inline'"]}
ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)


def allow_inline_styles(response: ResponseT) -> ResponseT:
    """The same exception as :data:`inline_styles`, for a view that builds its response itself."""
    setattr(response, "_csp_update", INLINE_STYLES)  # noqa: B010 -- read by csp.middleware.CSPMiddleware
    return response
