"""What the fault tests share: killing a process group, manage.py in a new process, the checks after a fault
(self-audit, ledger, every evidence hash), a case to work on and a tus upload's metadata."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from django.db import connection

REPO = Path(__file__).resolve().parents[2]
TUS = {"Tus-Resumable": "1.0.0"}


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a process and everything it started (its own session): a crashed host, no shutdown handlers."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "backend.manage", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def self_audit_passes(env: dict[str, str], *, originals: int | None = None) -> dict[str, Any]:
    """After a fault, in a new process against what the servers wrote: the ledger sequenced and checkpointed,
    ``ledger_self_audit --all`` (Merkle log, checkpoints, audit chain, every original re-hashed),
    ``verify_ledger`` and ``verify_evidence`` all pass."""
    manage(env, "ledger_sequence")
    manage(env, "ledger_checkpoint")
    report: dict[str, Any] = json.loads(manage(env, "ledger_self_audit", "--all", "--json"))
    assert report["ok"], report.get("problems")
    assert "审计链完好" in manage(env, "verify_ledger")
    checked = manage(env, "verify_evidence")
    assert ", 0 problem(s)" in checked, checked
    if originals is not None:
        assert f"checked {originals} original(s)" in checked, checked
    return report


def make_case(agency: Any, officer: Any, status: str = "clue_received") -> Any:
    from backend.cases.models import Case

    case = Case.objects.create(agency=agency, title="销售超过保质期的食品案", party_type="organisation",
                               party_name="辽源市某商贸有限公司", party_uscc="91220400MA0000001X",
                               status=status, created_by=officer, facts="当事人销售超过保质期的预包装食品。",
                               legal_basis=[{"law": "中华人民共和国食品安全法",
                                             "article": "第一百二十四条"}])  # fmt: skip
    case.handling_officers.add(officer)
    return case


def upload_row(var: Path, upload_id: str) -> tuple[int, str]:
    """(offset, status) of an upload as the server stored it (SQLite: the server's copy of the database)."""
    from backend.evidence.models import Upload

    if connection.vendor == "sqlite":
        with contextlib.closing(sqlite3.connect(var / "db.sqlite3")) as db:
            row = db.execute(f'SELECT "offset", status FROM {Upload._meta.db_table} WHERE id = ?',
                             [uuid.UUID(upload_id).hex]).fetchone()  # fmt: skip
            return int(row[0]), str(row[1])
    upload = Upload.objects.get(pk=upload_id)
    return upload.offset, upload.status


def metadata(case: Any, data: bytes, *, kind: str = "video", filename: str = "执法记录仪.mp4") -> str:
    md = {"case": str(case.pk), "kind": kind, "filename": filename,
          "sha256": hashlib.sha256(data).hexdigest(), "captured_at": "2026-12-01T02:15:00.000Z",
          "latitude": "42.8876", "longitude": "125.1437",
          "activity": "查封扣押"}  # fmt: skip
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in md.items())


def make_video(path: Path, seconds: int) -> bytes:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()
