"""System checks for the Merkle log: a signing key must exist (and match the origin) in production.

Registered under the ``ledger`` tag (``manage.py check --deploy`` shows them). The production start-up
refusal (``backend.config.checks.refuse_insecure_start``) includes them through
:func:`ledger_key_errors`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from backend.ledger.keys import get_signer, log_origin, signing_key_source


@register("ledger", deploy=True)
def ledger_signing_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    source = signing_key_source()
    if source is None:
        return [
            Error(
                "No ledger signing key while DEBUG is off: checkpoints cannot be signed.",
                hint="Set LEDGER_SIGNING_KEY or LEDGER_SIGNING_KEY_FILE (manage.py ledger_keygen).",
                id="ledger.E001",
            )
        ]
    if source == "dev":
        return []  # DEBUG: a development key is generated on first use
    try:
        signer = get_signer()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="ledger.E002")]
    messages: list[CheckMessage] = []
    if signer.name != log_origin():
        messages.append(
            Warning(
                f"The ledger signing key is named {signer.name!r} but LEDGER_ORIGIN is {log_origin()!r}.",
                hint="Verifiers warn when the checkpoint origin differs from the key name; use the same name.",
                id="ledger.W001",
            )
        )
    if source == "file":
        mode = os.stat(Path(settings.LEDGER_SIGNING_KEY_FILE)).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            messages.append(
                Warning("LEDGER_SIGNING_KEY_FILE is readable by other users.", hint="chmod 600 it.", id="ledger.W002")
            )
    return messages


def ledger_key_errors() -> list[str]:
    """Serious ledger problems as strings, for ``refuse_insecure_start``."""
    if settings.DEBUG:
        return []
    return [f"{m.id}: {m.msg}" for m in ledger_signing_key_check() if m.is_serious()]
