"""Property tests of the tus PATCH body (issue 19 item 1), which schemathesis cannot serialise.

Hypothesis draws a file and a session of requests against it: chunks cut at random points, PATCHes with
a correct, a wrong or no ``Upload-Checksum``, PATCHes at a stale offset, bodies cut short by a client that
goes away (Content-Length larger than what arrives), and server crashes in the middle of a body (the
writer dies with a lock held; the next request takes over once the lock is stale). After every step:

* the offset the server acknowledges (HEAD ``Upload-Offset``) never goes back, and moves only as the
  protocol says (by the whole chunk, by what arrived, or not at all);
* the bytes stored for the upload begin with exactly ``data[:offset]``;
* once complete, the evidence item's SHA-256 and the stored original equal the SHA-256 of the file.

Deterministic for CI (``derandomize``), ``TUS_PROPERTY_EXAMPLES`` sessions (default 25).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from backend.evidence import services
from backend.evidence.models import EvidenceItem, Upload
from backend.ledger.services import AuditContext

pytestmark = pytest.mark.django_db
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTET = "application/offset+octet-stream"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
EXAMPLES = int(os.environ.get("TUS_PROPERTY_EXAMPLES", "25"))


class GoneAway:
    """``wsgi.input`` of a client that sends ``arrived`` and then goes away: the socket ends (EOF) or is reset."""

    def __init__(self, arrived: bytes, *, reset: bool) -> None:
        self.arrived, self.reset, self.at = arrived, reset, 0

    def read(self, size: int = -1) -> bytes:
        if self.at >= len(self.arrived):
            if self.reset:
                raise ConnectionResetError("connection reset by peer")
            return b""
        size = len(self.arrived) - self.at if size is None or size < 0 else size
        piece = self.arrived[self.at : self.at + size]
        self.at += len(piece)
        return piece

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - never called for an octet stream
        return self.read(size)


class Crash(BaseException):
    """The web process dying in the middle of a body: nothing after it runs, the lock stays held."""


def _metadata(case, data: bytes) -> str:
    md = {"case": str(case.pk), "kind": "photo", "filename": "现场照片.jpg", "sha256": hashlib.sha256(data).hexdigest(),
          "captured_at": timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000Z"), "latitude": "42.8876",
          "longitude": "125.1437", "activity": "现场检查"}  # fmt: skip
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in md.items())


def _checksum(chunk: bytes, *, wrong: bool) -> str:
    digest = hashlib.sha256(chunk + (b"x" if wrong else b"")).digest()
    return f"sha256 {base64.b64encode(digest).decode()}"


def _stored(upload_id: str) -> bytes:
    from django.conf import settings as django_settings

    path = Path(django_settings.STORAGE_LOCAL_ROOT) / "incoming" / upload_id
    return path.read_bytes() if path.exists() else b""


settings_for_ci = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)

STEP = st.sampled_from(["patch", "patch_checksum", "patch_bad_checksum", "stale_offset", "cut_short",
                        "cut_short_checksum", "crash"])  # fmt: skip


@pytest.fixture
def quiet_processing(monkeypatch):
    """Received evidence is not processed here (the media pipeline has its own tests); no access lines."""
    import logging

    from backend.evidence import tasks

    monkeypatch.setattr(tasks.evidence_process, "delay", lambda *a, **k: None)
    monkeypatch.setattr(tasks.evidence_provenance, "delay", lambda *a, **k: None)
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def test_the_stored_bytes_and_hash_are_always_what_was_acknowledged(
    officer_a, agency_a, as_user, settings, quiet_processing
):
    from backend.cases.models import Case

    settings.EVIDENCE_UPLOAD_CHECKPOINT_BYTES = 4096  # long bodies are acknowledged in steps (crash: little lost)
    case = Case.objects.create(agency=agency_a, title="销售超过保质期的食品案", party_type="organisation",
                               party_name="辽源市某商贸有限公司", created_by=officer_a)  # fmt: skip
    case.handling_officers.add(officer_a)
    client = as_user(officer_a)
    sessions = {"n": 0, "steps": 0}

    @settings_for_ci
    @given(
        body=st.binary(min_size=1, max_size=48 * 1024),
        plan=st.lists(st.tuples(STEP, st.integers(1, 20_000), st.integers(0, 19_999)), min_size=1, max_size=12),
    )
    def session(body: bytes, plan: list[tuple[str, int, int]]) -> None:
        sessions["n"] += 1
        data = JPEG_HEAD + body
        created = client.generic("POST", "/api/v1/uploads/", b"", HTTP_UPLOAD_LENGTH=str(len(data)),
                                 HTTP_UPLOAD_METADATA=_metadata(case, data), **TUS)  # fmt: skip
        assert created.status_code == 201, created.content
        location = created["Location"]
        upload_id = location.rstrip("/").rsplit("/", 1)[-1]
        offset = 0

        def patch(at: int, chunk: bytes, **extra):
            return client.generic("PATCH", location, chunk, content_type=OCTET, HTTP_UPLOAD_OFFSET=str(at),
                                  **TUS, **extra)  # fmt: skip

        def head_offset() -> int:
            head = client.head(location, **TUS)
            assert head.status_code == 200, head.content
            return int(head["Upload-Offset"])

        # The plan, then whatever is left in plain chunks: every session ends with a complete upload.
        steps = [*plan, *[("patch", 16_384, 0)] * (len(data) // 16_384 + 2)]
        for kind, size, cut in steps:
            if offset == len(data):
                break
            sessions["steps"] += 1
            chunk = data[offset : offset + size]
            before = offset
            if kind == "patch":
                assert patch(offset, chunk).status_code == 204
                expected = (before + len(chunk),)
            elif kind == "patch_checksum":
                assert patch(offset, chunk, HTTP_UPLOAD_CHECKSUM=_checksum(chunk, wrong=False)).status_code == 204
                expected = (before + len(chunk),)
            elif kind == "patch_bad_checksum":
                response = patch(offset, chunk, HTTP_UPLOAD_CHECKSUM=_checksum(chunk, wrong=True))
                assert response.status_code == 460 and response.json()["code"] == "checksum_mismatch"
                expected = (before,)
            elif kind == "stale_offset":
                wrong = (offset + 1 + cut) % (len(data) + 1)
                wrong = wrong if wrong != offset else (offset + 1) % (len(data) + 1)
                response = patch(wrong, chunk)
                assert response.status_code == 409, response.content
                expected = (before,)
            elif kind in ("cut_short", "cut_short_checksum"):
                arrived = chunk[: cut % len(chunk)]  # the client went away after these bytes
                extra = {"CONTENT_LENGTH": str(len(chunk)), "wsgi.input": GoneAway(arrived, reset=cut % 2 == 1)}
                if kind == "cut_short_checksum":
                    extra["HTTP_UPLOAD_CHECKSUM"] = _checksum(chunk, wrong=False)
                response = patch(offset, arrived, **extra)
                # Without a checksum what arrived is kept; with one the chunk cannot be verified: nothing kept.
                if kind == "cut_short":
                    assert response.status_code == 204, response.content
                else:
                    assert response.status_code == 400 and response.json()["code"] == "incomplete_body", (
                        response.status_code, response.content)  # fmt: skip
                expected = (before + len(arrived),) if kind == "cut_short" else (before,)
            else:  # crash: the process dies after ``cut`` bytes of the body
                upload = Upload.objects.get(pk=upload_id)
                delivered = cut % len(chunk)
                fed = {"n": 0}

                def read(want: int, chunk=chunk, delivered=delivered, fed=fed) -> bytes:
                    if fed["n"] >= delivered:
                        raise Crash
                    piece = chunk[fed["n"] : fed["n"] + min(want, 1500, delivered - fed["n"])]
                    fed["n"] += len(piece)
                    return piece

                with pytest.raises(Crash):
                    services.upload_append(upload=upload, offset=offset, read=read, content_length=len(chunk),
                                           checksum=None, new_length=None, context=AuditContext())  # fmt: skip
                # The dead writer's lock goes stale; the next request takes over.
                Upload.objects.filter(pk=upload_id).update(lock_token="")
                expected = tuple(range(before, before + delivered + 1))
            offset = head_offset()
            assert offset in expected, (kind, before, offset, expected)
            if offset < len(data):
                assert _stored(upload_id)[:offset] == data[:offset], (kind, before, offset)
        assert offset == len(data)
        item = EvidenceItem.objects.get(pk=client.head(location, **TUS)["Evidence-Item"])
        assert item.sha256 == hashlib.sha256(data).hexdigest()
        from django.conf import settings as django_settings

        original = Path(django_settings.STORAGE_LOCAL_ROOT) / item.storage_key
        assert hashlib.sha256(original.read_bytes()).digest() == hashlib.sha256(data).digest()

    session()
    print(f"tus property sessions: {sessions['n']}, steps: {sessions['steps']}")
