"""Session login for the console: the same users, passwords and lock-out as the API's token login."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from backend.accounts import login_guard
from backend.accounts.models import Role
from backend.console.security import harden

INVALID = "用户名或密码错误"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/console/"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_page(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        # The API's and the admin's guard (backend/accounts/login_guard.py): the client address's budget and the
        # username's lock-out, counted before the password is checked.
        try:
            login_guard.login_address_check(request=request)
            login_guard.login_attempt_begin(username=username)
        except login_guard.LoginRefused as refused:
            error, status = refused.message, 429
        else:
            user = authenticate(request, username=username, password=password)
            if user is None or not user.is_active:
                error, status = INVALID, 401
            else:
                login_guard.login_attempt_succeeded(username=username)
                login(request, user)  # rotates the session key (no fixation)
                target = _next(request)
                if target == "/console/" and user.has_role(Role.SYSTEM_ADMIN) and user.agency_id is None:
                    target = "/console/admin/"  # an administrator has no work queue (no enforcement records)
                return harden(HttpResponseRedirect(target, status=303))
    elif request.method != "GET":
        return harden(HttpResponse(status=405))
    context = {"title": "登录", "error": error, "username": username, "next": _next(request)}
    return harden(render(request, "console/login.html", context, status=status))


@csrf_protect
def logout_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":  # logging out changes state: never on a GET (a link or an <img> could)
        return harden(HttpResponse(status=405))
    logout(request)
    return harden(HttpResponseRedirect("/console/login/", status=303))
