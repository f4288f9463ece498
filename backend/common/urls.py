"""The API's one URL convention: every path ends with a slash, except a file name (``export.csv``,
``opinion.pdf``, ``feed.atom``), which never takes one.

The other form of every API route is served by the same view (:func:`with_slash_variants`), so a client
that drops or adds the slash — hand-written clients, old field apps with stored upload URLs, links
already handed out — gets the same answer instead of a 404, a redirect that loses a POST body, or (with
APPEND_SLASH under DEBUG) a 500 HTML page. Only the canonical form has a URL name (``reverse`` returns it)
and appears in the OpenAPI document (:func:`canonical_endpoints_only`, a drf-spectacular hook).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path
from django.urls.resolvers import RoutePattern

_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{2,5}$")


def is_file_name(segment: str) -> bool:
    """``export.csv`` yes; ``<uuid:id>``, ``{id}``, ``bundle`` no."""
    return bool(_FILE_NAME.search(segment)) and not any(c in segment for c in "<>{}")


def is_canonical(route: str) -> bool:
    """Whether a route or path follows the convention (a trailing slash unless it names a file)."""
    return is_file_name(route.rstrip("/").rsplit("/", 1)[-1]) != route.endswith("/")


def canonical_path(value: str) -> str:
    """The canonical form of a request path (``/api/v1/cases`` → ``/api/v1/cases/``)."""
    if is_canonical(value):
        return value
    return value[:-1] if value.endswith("/") else value + "/"


def _toggled(route: str) -> str:
    return route[:-1] if route.endswith("/") else route + "/"


def with_slash_variants(patterns: list[Any]) -> list[Any]:
    """``patterns`` followed by the other slash form of each ``path()`` route (no name, same view and kwargs).

    Included URLconfs are expanded recursively. The variants come last, so a declared route always wins.
    """
    result: list[Any] = []
    variants: list[URLPattern] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            result.append(
                URLResolver(
                    entry.pattern,
                    with_slash_variants(list(entry.url_patterns)),
                    entry.default_kwargs,
                    entry.app_name,
                    entry.namespace,
                )
            )
            continue
        result.append(entry)
        if isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern) and str(entry.pattern):
            variants.append(path(_toggled(str(entry.pattern)), entry.callback, kwargs=entry.default_args))
    return result + variants


def canonical_endpoints_only(endpoints: list[tuple], **kwargs: Any) -> list[tuple]:
    """drf-spectacular preprocessing hook: document each operation once, under its canonical path."""
    return [endpoint for endpoint in endpoints if is_canonical(endpoint[0])]


def read_only_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the HTML pages under /api/ (the OpenAPI UIs): GET/HEAD only, anything else a JSON 405.

    drf-spectacular's UI views render every answer with their HTML template renderer, which fails on the
    errors and OPTIONS answers of other methods (a 500).
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            from rest_framework.exceptions import MethodNotAllowed

            from backend.common.exceptions import error_body

            return JsonResponse(error_body(MethodNotAllowed), status=405, headers={"Allow": "GET, HEAD"})
        return view(request, *args, **kwargs)

    return wrapper
