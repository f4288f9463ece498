"""The fuzzing profile: throttles lifted, lock-out off, ledger key for share links; Django served over WSGI."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest
from rest_framework.throttling import SimpleRateThrottle

from backend.ledgercore.signed_note import generate_key

ORIGIN = "zhifa.test/ledger"
_KEYS = generate_key(ORIGIN)
LIFTED = "1000000/min"


def _throttle_classes() -> Iterator[type[SimpleRateThrottle]]:
    seen: list[type] = [SimpleRateThrottle]
    while seen:
        klass = seen.pop()
        yield klass
        seen.extend(klass.__subclasses__())


@pytest.fixture
def throttles_lifted(settings, monkeypatch) -> None:
    """The test profile of issue 19: every throttle and the login lock-out still run their code, but with a
    budget no fuzzing run reaches — with the real limits the fuzzer sees 429 and never the logic behind it.
    (The limits themselves are tested in tests/common/test_throttle_counts_exactly.py and tests/accounts.)"""
    from django.urls import get_resolver

    import backend  # noqa: F401 - every throttle class is imported by the URLconf below

    get_resolver().url_patterns  # noqa: B018 - imports every API module, so every throttle class exists
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", defaultdict(lambda: LIFTED))
    for klass in _throttle_classes():
        monkeypatch.setattr(klass, "rate", LIFTED, raising=False)
    settings.LOGIN_MAX_FAILURES = 10**9


@pytest.fixture
def ledger_key(settings) -> None:
    settings.LEDGER_ORIGIN = ORIGIN
    settings.LEDGER_SIGNING_KEY = _KEYS.signer_key
    settings.LEDGER_SIGNING_KEY_FILE = ""
    settings.LEDGER_TSA_URL = ""
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = []


@pytest.fixture
def in_process_wsgi() -> Iterator[object]:
    """Django's WSGI application for schemathesis's in-process transport. Like Django's test client, the
    end of a request must not close the test's database connection (it holds the test transaction).

    Django's test client reconnects ``close_old_connections`` after each of its own requests (the world is
    built with it), so the handler is disconnected again at every fuzzed request, not once."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    handler = get_wsgi_application()

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    try:
        yield app
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
