"""Backups (issue 19 item 7): a backup restored into a fresh database and storage passes every check.

Real records through the API (a case moved on, evidence uploaded with tus, ledger sealed and checkpointed),
``manage.py backup_create``, then ``manage.py backup_restore`` in a new process against a new database (a
new PostgreSQL database in CI, a new SQLite file otherwise) and an empty storage directory, and there
``ledger_self_audit --all``, ``verify_ledger`` and ``verify_evidence`` — each must exit 0 and count the same
records as the source.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from support import client_for, sequence_ledger

from backend.common.backup import BackupError, backup_check
from backend.ledgercore.signed_note import generate_key

REPO = Path(__file__).resolve().parents[2]
ORIGIN = "zhifa.test/ledger"
KEYS = generate_key(ORIGIN)
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def _photo(seed: int) -> bytes:
    """A real JPEG (the media worker makes its derivatives, which are backed up too)."""
    import io

    from PIL import Image

    image = Image.frombytes("RGB", (320, 240), os.urandom(320 * 240 * 3) if seed < 0 else bytes([seed]) * 230_400)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


pytestmark = pytest.mark.django_db(transaction=True)


def _upload(client, case, data: bytes, name: str) -> str:
    metadata = {"case": str(case.pk), "kind": "photo", "filename": name, "sha256": hashlib.sha256(data).hexdigest(),
                "captured_at": "2026-11-30T09:15:00.000Z", "latitude": "42.8876", "longitude": "125.1437",
                "activity": "现场检查"}  # fmt: skip
    header = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())
    created = client.generic("POST", "/api/v1/uploads/", b"", HTTP_UPLOAD_LENGTH=str(len(data)),
                             HTTP_UPLOAD_METADATA=header, **TUS)  # fmt: skip
    assert created.status_code == 201, created.content
    done = client.generic("PATCH", created["Location"], data, content_type="application/offset+octet-stream",
                          HTTP_UPLOAD_OFFSET="0", **TUS)  # fmt: skip
    assert done.status_code == 204 and done["Evidence-Status"] == "received", done.content
    return done["Evidence-Item"]


class FreshDatabase:
    """A new, empty database of the test database's kind; dropped afterwards."""

    def __init__(self, tmp_path: Path) -> None:
        db = connection.settings_dict
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            self.name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.name}"')
            auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
            self.url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{self.name}"
        else:
            self.url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(tmp_path):
    fresh = FreshDatabase(tmp_path)
    yield fresh
    fresh.drop()


@pytest.fixture
def ledger_key(settings):
    settings.LEDGER_ORIGIN = ORIGIN
    settings.LEDGER_SIGNING_KEY = KEYS.signer_key
    settings.LEDGER_SIGNING_KEY_FILE = ""
    settings.LEDGER_TSA_URL = ""
    settings.LEDGER_PREVIOUS_PUBLIC_KEYS = []


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "backend.manage", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_a_backup_restores_into_a_fresh_database_and_storage(
    officer_a, head_a, agency_a, ledger_key, settings, tmp_path, fresh_database
):
    from backend.cases.models import Case
    from backend.evidence.models import EvidenceItem
    from backend.ledger.checkpoints import checkpoint_sign
    from backend.ledger.models import AuditEvent

    case = Case.objects.create(agency=agency_a, title="销售超过保质期的食品案", party_type="organisation",
                               party_name="辽源市某商贸有限公司", created_by=officer_a)  # fmt: skip
    case.handling_officers.add(officer_a)
    client = client_for(officer_a)
    items = [_upload(client, case, _photo(40 + n * 60), f"现场照片{n}.jpg") for n in range(3)]
    sequence_ledger()
    checkpoint_sign()

    backup = tmp_path / "backup-2026-12-03"
    call_command("backup_create", str(backup))
    manifest = backup_check(backup)
    originals = [key for key in manifest["storage"]["objects"] if key.startswith("originals/")]
    assert len(originals) == 3
    events = AuditEvent.objects.count()

    restored_storage = tmp_path / "restored-storage"
    env = {
        **os.environ, "DEBUG": "1", "DATABASE_URL": fresh_database.url, "STORAGE_BACKEND": "local",
        "STORAGE_LOCAL_ROOT": str(restored_storage), "VAR_DIR": str(tmp_path / "restored-var"),
        "LEDGER_ORIGIN": ORIGIN, "LEDGER_SIGNING_KEY": KEYS.signer_key, "LEDGER_SIGNING_KEY_FILE": "",
        "LEDGER_TSA_URL": "", "CELERY_TASK_ALWAYS_EAGER": "1",
    }  # fmt: skip
    env.pop("S3_BUCKET", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    out = _manage(env, "backup_restore", str(backup))
    assert "恢复完成" in out

    audit = json.loads(_manage(env, "ledger_self_audit", "--all", "--json"))
    assert audit["ok"], audit["problems"]
    assert f"共 {events} 条事件" in _manage(env, "verify_ledger")
    assert "checked 3 original(s), 0 problem(s)" in _manage(env, "verify_evidence")
    for item_id in items:
        item = EvidenceItem.objects.get(pk=item_id)
        restored = restored_storage / item.storage_key
        assert hashlib.sha256(restored.read_bytes()).hexdigest() == item.sha256
        assert item.derivatives, "the worker's derivatives exist (and are part of the backup)"
    # Every stored object — originals, derivatives — is back, byte for byte.
    for key, entry in manifest["storage"]["objects"].items():
        assert hashlib.sha256((restored_storage / key).read_bytes()).hexdigest() == entry["sha256"], key
    assert len(manifest["storage"]["objects"]) > len(originals)

    # A restore goes only into an empty database: a second one is refused, nothing is overwritten.
    again = subprocess.run([sys.executable, "-m", "backend.manage", "backup_restore", str(backup)], cwd=REPO,
                           env=env, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert again.returncode != 0 and "not empty" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(officer_a, agency_a, ledger_key, tmp_path):
    from backend.cases.models import Case

    case = Case.objects.create(agency=agency_a, title="无证经营案", party_type="organisation",
                               party_name="辽源市某商店", created_by=officer_a)  # fmt: skip
    case.handling_officers.add(officer_a)
    _upload(client_for(officer_a), case, _photo(-1), "现场照片.jpg")
    backup = tmp_path / "backup"
    call_command("backup_create", str(backup))
    (original,) = (path for path in (backup / "storage" / "originals").rglob("*") if path.is_file())
    original.chmod(0o644)
    original.write_bytes(original.read_bytes()[:-1] + b"\x00")  # one byte of the evidence changed on the backup disk
    with pytest.raises(BackupError, match="differs from the manifest"):
        backup_check(backup)


@pytest.mark.s3
def test_a_backup_of_s3_storage_restores_into_a_new_bucket(
    officer_a, agency_a, ledger_key, s3_storage, settings, tmp_path, fresh_database
):
    """Production's storage: the objects are listed and read from the bucket (uploads in progress left out)
    and restored into a new, empty bucket, where the checks pass against S3."""
    import boto3

    from backend.cases.models import Case
    from backend.evidence.models import EvidenceItem
    from backend.ledger.checkpoints import checkpoint_sign

    case = Case.objects.create(agency=agency_a, title="无证经营案", party_type="organisation",
                               party_name="辽源市某商店", created_by=officer_a)  # fmt: skip
    case.handling_officers.add(officer_a)
    client = client_for(officer_a)
    items = [_upload(client, case, _photo(70 + n * 50), f"现场照片{n}.jpg") for n in range(2)]
    # An upload still in progress: its bytes are not evidence and are not backed up.
    pending = _photo(-1)
    header = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in {
        "case": str(case.pk), "kind": "photo", "filename": "未完成.jpg", "sha256": hashlib.sha256(pending).hexdigest(),
        "captured_at": "2026-11-30T09:15:00.000Z", "latitude": "42.8876", "longitude": "125.1437",
        "activity": "现场检查"}.items())  # fmt: skip
    created = client.generic("POST", "/api/v1/uploads/", b"", HTTP_UPLOAD_LENGTH=str(len(pending)),
                             HTTP_UPLOAD_METADATA=header, **TUS)  # fmt: skip
    assert created.status_code == 201
    sequence_ledger()
    checkpoint_sign()

    backup = tmp_path / "backup-s3"
    call_command("backup_create", str(backup))
    manifest = backup_check(backup)
    assert manifest["storage"]["backend"] == "s3"
    assert not [key for key in manifest["storage"]["objects"] if key.startswith("incoming/")]

    target = f"{settings.S3_BUCKET}-restored"
    s3 = boto3.client("s3", endpoint_url=settings.S3_ENDPOINT_URL, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    s3.create_bucket(Bucket=target)
    env = {
        **os.environ, "DEBUG": "1", "DATABASE_URL": fresh_database.url, "STORAGE_BACKEND": "s3", "S3_BUCKET": target,
        "S3_ENDPOINT_URL": settings.S3_ENDPOINT_URL, "S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing",
        "S3_REGION": "us-east-1", "VAR_DIR": str(tmp_path / "restored-var"), "LEDGER_ORIGIN": ORIGIN,
        "LEDGER_SIGNING_KEY": KEYS.signer_key, "LEDGER_SIGNING_KEY_FILE": "", "LEDGER_TSA_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    assert "恢复完成" in _manage(env, "backup_restore", str(backup))
    audit = json.loads(_manage(env, "ledger_self_audit", "--all", "--json"))
    assert audit["ok"], audit["problems"]
    assert "checked 2 original(s), 0 problem(s)" in _manage(env, "verify_evidence")
    for key, entry in manifest["storage"]["objects"].items():
        body = s3.get_object(Bucket=target, Key=key)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], key
    for item_id in items:
        item = EvidenceItem.objects.get(pk=item_id)
        body = s3.get_object(Bucket=target, Key=item.storage_key)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == item.sha256
