"""The login guard: one service for every way to log in (the API's token endpoint and the Django admin).

Two limits, both on the exact counters of backend/common/ratelimit.py:

* per client address — the ``login`` throttle scope (REST_FRAMEWORK.DEFAULT_THROTTLE_RATES, ``THROTTLE_LOGIN``),
  one budget for the API and the admin together: slows guessing across many usernames;
* per username — ``LOGIN_MAX_FAILURES`` failures lock it for ``LOGIN_LOCKOUT_SECONDS``, the right password
  included: slows guessing one account's password from many addresses.

An attempt is counted *before* the password is checked and forgiven when it succeeds, so simultaneous guesses
cannot all slip in before the first failure is written (at most ``LOGIN_MAX_FAILURES`` are ever checked).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from backend.common import ratelimit
from backend.common.throttling import ExactScopedRateThrottle

LOGIN_LOCKED_MESSAGE = "登录失败次数过多，账户已临时锁定，请稍后再试"
LOGIN_THROTTLED_MESSAGE = "登录尝试过于频繁，请稍后再试"


class LoginThrottle(ExactScopedRateThrottle):
    """Per client address, scope ``login`` (the API views name it with ``throttle_scope``)."""


class _LoginScope:
    """What ScopedRateThrottle reads from a view, for callers that are not DRF views (the admin)."""

    throttle_scope = "login"


class LoginRefused(Exception):
    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.retry_after = code, message, retry_after


def _failure_key(username: str) -> str:
    return f"login-failures:{username.strip().lower()}"


def login_address_check(*, request: Any) -> None:
    """Count one login attempt from the request's client address; refuse it over the ``login`` budget."""
    throttle = LoginThrottle()
    if not throttle.allow_request(request, _LoginScope()):
        raise LoginRefused("login_throttled", LOGIN_THROTTLED_MESSAGE, throttle.wait())


def login_attempt_begin(*, username: str) -> None:
    """Count an attempt for ``username`` (as a failure until :func:`login_attempt_succeeded`); refuse it when
    the username is locked."""
    failures = ratelimit.counter_incr(_failure_key(username), settings.LOGIN_LOCKOUT_SECONDS)
    if failures > settings.LOGIN_MAX_FAILURES:
        raise LoginRefused("login_locked", LOGIN_LOCKED_MESSAGE, settings.LOGIN_LOCKOUT_SECONDS)


def login_attempt_succeeded(*, username: str) -> None:
    ratelimit.counter_delete(_failure_key(username))
