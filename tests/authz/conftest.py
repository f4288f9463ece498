"""The authorization tests sign ledger checkpoints (bundle shares) with a throwaway key."""

import pytest

from backend.ledgercore.signed_note import generate_key

ORIGIN = "zhifa.test/ledger"
_KEYS = generate_key(ORIGIN)


@pytest.fixture
def ledger_key(settings) -> None:
    settings.LEDGER_ORIGIN = ORIGIN
    settings.LEDGER_SIGNING_KEY = _KEYS.signer_key
    settings.LEDGER_SIGNING_KEY_FILE = ""
    settings.LEDGER_TSA_URL = ""
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = []
