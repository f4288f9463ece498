"""How every console view is guarded: session login, the API's own permission classes, one CSP.

A console view is declared with :func:`console_view`, naming the *same* DRF permission class the matching
API view uses (``HasRole(...)`` classes only read ``request.user``, so they apply to a Django request as
they are). Objects are looked up through the API's selectors, so another agency's object answers 404
exactly as in the API. Services raise :class:`~backend.common.errors.ApplicationError`; the decorator turns
an uncaught one into a Chinese error page with the service's status and code — never a 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from rest_framework.permissions import BasePermission, IsAuthenticated

from backend.common.errors import ApplicationError

View = Callable[..., HttpResponse]


def harden(response: HttpResponse) -> HttpResponse:
    """The headers of every console answer: the console CSP (one setting), no caching of personal data,
    no referrer leaving the console. A CSP set earlier (a site-wide middleware) is replaced, not doubled."""
    response["Content-Security-Policy"] = settings.CONSOLE_CONTENT_SECURITY_POLICY
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    return response


def error_page(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    status = error.status if 400 <= error.status < 600 else 400
    context = {"title": "无法完成操作" if status != 404 else "未找到", "error": error}
    return harden(render(request, "console/error.html", context, status=status))


def console_view(permission: type[BasePermission] = IsAuthenticated, *, methods: tuple[str, ...] = ("GET",)) -> Any:
    """Decorate a console view: login required (redirect to /console/login/), ``permission`` checked as the
    API checks it (403 page otherwise), CSRF enforced on POST, the console headers on every answer."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in (*methods, "HEAD") or (request.method == "HEAD" and "GET" not in methods):
                response = HttpResponse("不支持的请求方法", status=405, content_type="text/plain; charset=utf-8")
                response["Allow"] = ", ".join(methods)
                return harden(response)
            if not request.user.is_authenticated:
                return harden(redirect_to_login(request.get_full_path(), settings.LOGIN_URL))
            if not permission().has_permission(request, None):  # type: ignore[arg-type]
                denied = ApplicationError("role_not_allowed", "当前角色无权访问此页面", status=403)
                return error_page(request, denied)
            try:
                return harden(view(request, *args, **kwargs))
            except ApplicationError as error:
                return error_page(request, error)

        wrapped.console_methods = methods  # type: ignore[attr-defined]  # read by the accessibility test's walk
        return csrf_protect(wrapped)

    return decorate
