"""The fuzzing profile (issue 19 item 1): throttles lifted, a ledger key for share links, Django over WSGI."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

from backend.ledgercore.signed_note import generate_key

ORIGIN = "zhifa.test/ledger"
_KEYS = generate_key(ORIGIN)
LIFTED = "1000000/min"


def _throttle_classes() -> Iterator[type[SimpleRateThrottle]]:
    seen: list[type[SimpleRateThrottle]] = [SimpleRateThrottle]
    while seen:
        klass = seen.pop()
        yield klass
        seen.extend(klass.__subclasses__())


def lift_throttles(monkeypatch: Any, settings: Any) -> None:
    """Every throttle and the login lock-out still run their code, but with a budget no fuzzing run reaches
    — with the real limits the fuzzer sees 429 and never the logic behind it. (The limits themselves are
    tested in tests/common/test_throttle_counts_exactly.py and tests/accounts.)"""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every API module, so every throttle class exists
    # Set directly (tests/conftest.py ``_throttle_rates_restored`` puts the rates back after the test).
    SimpleRateThrottle.THROTTLE_RATES = defaultdict(lambda: LIFTED)
    for klass in _throttle_classes():
        monkeypatch.setattr(klass, "rate", LIFTED, raising=False)
    settings.LOGIN_MAX_FAILURES = 10**9


def ledger_settings() -> override_settings:
    """A signing key for checkpoints and share links (no key file, no timestamp authority)."""
    return override_settings(
        LEDGER_ORIGIN=ORIGIN, LEDGER_SIGNING_KEY=_KEYS.signer_key, LEDGER_SIGNING_KEY_FILE="", LEDGER_TSA_URL="",
        LEDGER_PREVIOUS_PUBLIC_KEYS=[],
    )  # fmt: skip


@contextlib.contextmanager
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI application for schemathesis's in-process transport. Like Django's test client, the
    end of a request must not close the test's database connection (it holds the test transaction).

    Django's test client reconnects ``close_old_connections`` after each of its own requests (the world is
    built with it), so the handler is disconnected again at every fuzzed request, not once."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    handler = get_wsgi_application()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    try:
        yield app
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
