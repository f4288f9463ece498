"""Backups of the database and the evidence storage, and their restore (docs: docs/backups.md).

A backup is one directory::

    manifest.json        what is in it: database vendor, the dump's SHA-256, every stored object's size and SHA-256
    database.dump        PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot)
    database.sqlite3     SQLite: the online backup API (a consistent copy while the service runs)
    storage/<key>        every object of the evidence storage (originals, derivatives, quarantine), local or S3

Order matters: the database is dumped first, the storage copied after. Originals are write-once (never
overwritten or deleted by the service), so every original the dump names is already stored when the copy
starts; objects newer than the dump are copied too and are harmless. Uploads still in progress
(``incoming/``) are not backed up: their bytes are not evidence yet, and after a restore their clients
resend from the acknowledged offset or start again (an upload whose bytes are missing answers 503 and
expires).

A restore goes only into an empty database and an empty storage, and checks every hash of the manifest
before it writes anything; afterwards ``ledger_self_audit --all``, ``verify_ledger`` and
``verify_evidence`` must pass (tests/backup/test_backup_restore.py does exactly this).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import mimetypes
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from backend.common.storage import INCOMING_PREFIX, get_storage

MANIFEST = "manifest.json"
FORMAT = 1
_BLOCK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot be done (the message says why; nothing half-done is left as good)."""


@dataclass
class BackupSummary:
    path: Path
    vendor: str
    objects: int
    bytes: int


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments of pg_dump/pg_restore/psql for the configured database (password via PGPASSWORD)."""
    db = settings.DATABASES["default"]
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432),
            "--username", db.get("USER") or "postgres"]  # fmt: skip
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


# --------------------------------------------------------------------------- storage objects


def _stored_keys() -> Iterator[str]:
    """Every object key of the configured storage except uploads in progress."""
    storage = get_storage()
    if storage.name == "s3":
        pages = storage.client.get_paginator("list_objects_v2").paginate(Bucket=storage.bucket)  # type: ignore[attr-defined]
        for page in pages:
            for entry in page.get("Contents", []):
                if not entry["Key"].startswith(INCOMING_PREFIX):
                    yield entry["Key"]
        return
    root = Path(settings.STORAGE_LOCAL_ROOT)
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_file() and not key.startswith(INCOMING_PREFIX) and not path.name.startswith("."):
            yield key


def _storage_is_empty() -> bool:
    return next(_stored_keys(), None) is None


# --------------------------------------------------------------------------- create


def backup_create(target: Path) -> BackupSummary:
    """Write a backup of the configured database and storage into the new directory ``target``."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty")
    target.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "postgresql":
        dump = target / "database.dump"
        args, env = _pg_env()
        _run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump),
              settings.DATABASES["default"]["NAME"]], env)  # fmt: skip
    elif vendor == "sqlite":
        dump = target / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            connection.connection.backup(copy)  # consistent even while other processes write (WAL)
        copy.close()
    else:
        raise BackupError(f"database vendor {vendor} is not supported")

    storage = get_storage()
    objects: dict[str, dict[str, int | str]] = {}
    total = 0
    for key in _stored_keys():
        path = target / "storage" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        storage.download_to(key, path)
        size = path.stat().st_size
        objects[key] = {"size": size, "sha256": _sha256_file(path)}
        total += size
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": {"vendor": vendor, "file": dump.name, "sha256": _sha256_file(dump)},
        "storage": {"backend": storage.name, "objects": objects},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return BackupSummary(target, vendor, len(objects), total)


# --------------------------------------------------------------------------- restore


def backup_check(source: Path) -> dict[str, Any]:
    """The manifest of ``source`` after re-hashing every file it names (BackupError on any difference)."""
    source = Path(source)
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {source}: {exc}")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    dump = source / manifest["database"]["file"]
    if not dump.is_file() or _sha256_file(dump) != manifest["database"]["sha256"]:
        raise BackupError(f"{dump.name} is missing or differs from the manifest")
    for key, entry in manifest["storage"]["objects"].items():
        path = source / "storage" / key
        if not path.is_file() or path.stat().st_size != entry["size"] or _sha256_file(path) != entry["sha256"]:
            raise BackupError(f"stored object {key} is missing or differs from the manifest")
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def backup_restore(source: Path) -> BackupSummary:
    """Restore ``source`` into the configured database and storage, which must both be empty."""
    source = Path(source)
    manifest = backup_check(source)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of {vendor}, the configured database is {connection.vendor}")
    if not _database_is_empty():
        raise BackupError("the target database is not empty: restore only into a new database")
    if not _storage_is_empty():
        raise BackupError("the target storage is not empty: restore only into a new bucket or directory")
    dump = source / manifest["database"]["file"]
    if vendor == "postgresql":
        args, env = _pg_env()
        _run(["pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", settings.DATABASES["default"]["NAME"], str(dump)], env)  # fmt: skip
    else:
        name = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        # Through the backup API into the (empty) target: its WAL and journal stay consistent.
        with sqlite3.connect(dump) as backup, sqlite3.connect(name) as live:
            backup.backup(live)
        backup.close()
        live.close()
    connection.close()  # the next query sees the restored schema

    storage = get_storage()
    total = 0
    for key, entry in manifest["storage"]["objects"].items():
        path = source / "storage" / key
        storage.put_file(key, path, content_type=mimetypes.guess_type(key)[0] or "application/octet-stream")
        total += int(entry["size"])
    return BackupSummary(source, vendor, len(manifest["storage"]["objects"]), total)
