"""The log's Ed25519 signing key (C2SP signed-note / Go ``sumdb/note`` text form).

Where the key comes from, in order:

1. ``LEDGER_SIGNING_KEY``: the signer key string ``PRIVATE+KEY+<origin>+<key id>+<base64>``
   (from a secret store / the environment);
2. ``LEDGER_SIGNING_KEY_FILE``: a file holding that string (mode 0600, owned by the service user);
3. with ``DEBUG`` on only: ``var/ledger-signing.key``, generated on first use with a warning.

With ``DEBUG`` off and neither set, signing raises :class:`ImproperlyConfigured` and the system check
``ledger.E001`` (``backend.ledger.checks``) reports it, so the service refuses to start. The key is never
in the repository. Generate one with ``manage.py ledger_keygen``; rotation is described in
``api_docs/verification.md`` (publish the new verifier key, keep old ones in
``LEDGER_PREVIOUS_PUBLIC_KEYS`` so old checkpoints stay verifiable).
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from backend.ledgercore.signed_note import NoteError, NoteSigner, NoteVerifier, generate_key

logger = logging.getLogger(__name__)

DEV_KEY_NAME = "ledger-signing.key"


def log_origin() -> str:
    return getattr(settings, "LEDGER_ORIGIN", "") or "zhifa.example/ledger"


def dev_key_path() -> Path:
    return Path(settings.VAR_DIR) / DEV_KEY_NAME


@lru_cache(maxsize=8)
def _parse_signer(text: str) -> NoteSigner:
    try:
        return NoteSigner.parse(text.strip())
    except NoteError as exc:
        raise ImproperlyConfigured(f"LEDGER_SIGNING_KEY is not a valid note signer key: {exc}") from exc


def _read_key_file(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"cannot read the ledger signing key file {path}: {exc}") from exc


def _generate_dev_key(path: Path) -> str:
    pair = generate_key(log_origin())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(pair.signer_key + "\n")
    logger.warning(
        "DEBUG: generated a development ledger signing key in %s (verifier key %s). "
        "Never use it in production: set LEDGER_SIGNING_KEY or LEDGER_SIGNING_KEY_FILE.",
        path, pair.verifier_key,
    )
    return pair.signer_key


def signing_key_source() -> str | None:
    """Where the key would come from ("env", "file", "dev") or None when none is configured."""
    if getattr(settings, "LEDGER_SIGNING_KEY", ""):
        return "env"
    if getattr(settings, "LEDGER_SIGNING_KEY_FILE", ""):
        return "file"
    if settings.DEBUG:
        return "dev"
    return None


def get_signer() -> NoteSigner:
    """The configured signer; raises ImproperlyConfigured when there is none (DEBUG off)."""
    source = signing_key_source()
    if source == "env":
        return _parse_signer(settings.LEDGER_SIGNING_KEY)
    if source == "file":
        return _parse_signer(_read_key_file(Path(settings.LEDGER_SIGNING_KEY_FILE)))
    if source == "dev":
        path = dev_key_path()
        try:
            text = _read_key_file(path) if path.exists() else _generate_dev_key(path)
        except FileExistsError:  # another process generated it first
            text = _read_key_file(path)
        return _parse_signer(text)
    raise ImproperlyConfigured(
        "No ledger signing key: set LEDGER_SIGNING_KEY or LEDGER_SIGNING_KEY_FILE "
        "(generate one with `manage.py ledger_keygen`)."
    )


def current_verifier() -> NoteVerifier:
    return get_signer().verifier()


def previous_verifiers() -> list[NoteVerifier]:
    """Retired keys still published so that checkpoints they signed stay verifiable."""
    keys = []
    for text in getattr(settings, "LEDGER_PREVIOUS_PUBLIC_KEYS", []) or []:
        try:
            keys.append(NoteVerifier.parse(text))
        except NoteError:
            logger.error("LEDGER_PREVIOUS_PUBLIC_KEYS contains an invalid key: %r", text)
    return keys


def trusted_verifiers() -> list[NoteVerifier]:
    return [current_verifier(), *previous_verifiers()]
