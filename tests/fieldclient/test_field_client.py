"""The reference field client works offline for captures, signs the canonical record, and never imports Django."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from backend.fieldclient import cli
from backend.ledgercore.canonical_json import capture_record_bytes


def test_the_client_module_does_not_import_django():
    code = (
        "import sys, backend.fieldclient.cli; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_capture_queues_offline_and_signs_the_canonical_capture_record(tmp_path):
    home = cli.Home(tmp_path / "home")
    key = Ed25519PrivateKey.generate()
    home.key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    home.save_config({"device_id": "3f1c2b7e-1111-4222-8333-944455556666"})
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    entry = cli.capture(home, photo, case="5a0d7b4e-0000-4000-8000-000000000001", kind="photo",
                        latitude="42.88", longitude="125.14", captured_at="2026-05-01T08:30:00.123Z")
    md = entry["metadata"]
    assert md["filename"] == "现场.jpg"
    assert md["device_id"] == "3f1c2b7e-1111-4222-8333-944455556666"
    record = capture_record_bytes(sha256=md["sha256"], captured_at=md["captured_at"], case=md["case"],
                                  device=md["device_id"], latitude="42.88", longitude="125.14")
    key.public_key().verify(base64.b64decode(md["signature"]), record)  # raises if wrong
    assert [e["id"] for e in home.entries()] == [entry["id"]]
    assert json.loads((home.queue_dir / f"{entry['id']}.json").read_text())["status"] == "queued"


def test_capture_without_a_device_key_is_unsigned(tmp_path):
    home = cli.Home(tmp_path / "home")
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    entry = cli.capture(home, photo, case="5a0d7b4e-0000-4000-8000-000000000001", kind="photo")
    assert "signature" not in entry["metadata"]
    assert entry["metadata"]["captured_at"].endswith("Z")


def test_sync_before_login_is_a_readable_error(tmp_path, capsys):
    assert cli.main(["--home", str(tmp_path / "h"), "sync"]) == 2
    assert "login" in capsys.readouterr().err


def test_queue_lists_entries(tmp_path, capsys):
    home_path = tmp_path / "h"
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    assert cli.main(["--home", str(home_path), "capture", str(photo), "--case", "x", "--kind", "photo"]) == 0
    assert cli.main(["--home", str(home_path), "queue"]) == 0
    assert "queued" in capsys.readouterr().out


@pytest.mark.parametrize("missing", ["nope.jpg"])
def test_capturing_a_missing_file_fails_cleanly(tmp_path, missing, capsys):
    assert cli.main(["--home", str(tmp_path / "h"), "capture", str(tmp_path / missing), "--case", "x",
                     "--kind", "photo"]) == 2
