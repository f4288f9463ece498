"""The OpenAPI document view, generated once per process and language.

Generating the document walks every view and serializer: about two seconds of CPU per request, which any
anonymous client could ask for in a loop. It changes only with the code, so each process keeps the
generated data (per API version and per configured language; an unknown ``?lang=`` is not a new key).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


class CachedSpectacularAPIView(SpectacularAPIView):
    _generated: ClassVar[dict[tuple[Any, str], Any]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in {code for code, _ in settings.LANGUAGES}:
            language = settings.LANGUAGE_CODE
        key = (version, language)
        if key not in self._generated:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            self._generated[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self._generated[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
