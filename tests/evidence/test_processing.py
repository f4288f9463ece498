"""Media processing of received evidence (``backend.evidence.processing`` + the ``evidence_process`` task).

Real media made with ffmpeg and Pillow (a testsrc video with sine audio, a sine recording, a JPEG with EXIF GPS,
time and orientation), uploaded through the tus API; Celery runs eagerly (tests/conftest.py), so the task
enqueued on commit runs inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from backend.common.storage import LocalStorage, ObjectMissing, StorageError, get_storage
from backend.config.celery import app
from backend.evidence import processing
from backend.evidence.models import EvidenceItem
from backend.evidence.tasks import evidence_process, evidence_processing_recover
from backend.ledger.models import AuditEvent
from media_pipeline import GeoPoint, MediaInfo

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Declared by the device (kit.metadata_for defaults): inside the test agency's region.
LAT, LON = 42.8876, 125.1437


# --------------------------------------------------------------------------- sample media


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def make_jpeg(
    *,
    when: datetime.datetime | None,
    gps: tuple[float, float] | None = (LAT, LON),
    orientation: int = 6,
    size: tuple[int, int] = (800, 600),
    offset: str | None = None,
) -> bytes:
    """A JPEG as a phone writes it: EXIF Make/Model, DateTimeOriginal (Beijing wall clock), GPS, orientation."""
    image = Image.new("RGB", size, (0, 90, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    exif[0x010F] = "Huawei"
    exif[0x0110] = "P60"
    exif[0x0112] = orientation
    if when is not None:
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = when.astimezone(SHANGHAI).strftime("%Y:%m:%d %H:%M:%S")
        if offset is not None:
            sub[0x9011] = offset
    if gps is not None:
        ifd = exif.get_ifd(0x8825)
        ifd[1] = "N" if gps[0] >= 0 else "S"
        ifd[2] = _dms(abs(gps[0]))
        ifd[3] = "E" if gps[1] >= 0 else "W"
        ifd[4] = _dms(abs(gps[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, bytes]:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    d = tmp_path_factory.mktemp("samples")
    video = d / "video.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        "-metadata", "location=+42.8876+125.1437/", str(video),
    )  # fmt: skip
    audio = d / "audio.m4a"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:sample_rate=44100", "-t", "3", "-c:a", "aac", str(audio))
    data = {"video": video.read_bytes(), "audio": audio.read_bytes()}
    data["truncated_video"] = data["video"][: len(data["video"]) // 2]
    bomb = io.BytesIO()
    _bomb_png(bomb)
    data["bomb_png"] = bomb.getvalue()
    return data


def _bomb_png(out: io.BytesIO, width: int = 100_000, height: int = 100_000) -> None:
    """A valid PNG header announcing 10 gigapixels with almost no data (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)))
    out.write(chunk(b"IEND", b""))


def _declared(minutes_ago: int = 10) -> datetime.datetime:
    return (timezone.now() - datetime.timedelta(minutes=minutes_ago)).replace(microsecond=0)


def _rfc3339(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def receive(as_user, officer_a, case_a, kit, django_capture_on_commit_callbacks):
    """Upload ``data`` through tus; with ``process=True`` the on-commit tasks run (eager Celery)."""

    def upload(data: bytes, *, process: bool = True, **md) -> EvidenceItem:
        client = as_user(officer_a)
        with django_capture_on_commit_callbacks(execute=process):
            response = kit.upload_file(client, case_a, data, chunk=1024 * 1024, **md)
        assert response["Evidence-Status"] == "received", response.content
        return EvidenceItem.objects.get(pk=response["Evidence-Item"])

    return upload


@pytest.fixture
def spy_process(monkeypatch):
    """Count calls of media_pipeline.process made by the worker."""
    calls: list[str] = []
    real = processing.process

    def counting(path, kind, out_dir, limits, *, options):
        calls.append(kind)
        return real(path, kind, out_dir, limits, options=options)

    monkeypatch.setattr(processing, "process", counting)
    return calls


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, getattr(response, "content", b"")
    return b"".join(response.streaming_content)


def _stored(settings, key: str) -> Path:
    return Path(settings.STORAGE_LOCAL_ROOT) / key


def _actions(item: EvidenceItem) -> list[str]:
    return list(AuditEvent.objects.filter(target_id=str(item.pk)).order_by("seq").values_list("action", flat=True))


# --------------------------------------------------------------------------- photos


def test_a_photo_becomes_ready_with_its_exif_facts_and_upright_stripped_derivatives(
    receive, as_user, officer_a, reviewer_a, officer_b, settings
):
    declared = _declared()
    item = receive(make_jpeg(when=declared), captured_at=_rfc3339(declared))
    item.refresh_from_db()
    assert item.processing_status == "ready", item.processing_error
    assert item.processing_error == ""
    md = item.media_metadata
    assert md["kind"] == "image" and md["mime"] == "image/jpeg"
    assert (md["width"], md["height"], md["orientation"]) == (800, 600, 6)
    assert (md["display_width"], md["display_height"]) == (600, 800)
    assert md["camera_make"] == "Huawei" and md["camera_model"] == "P60"
    assert md["gps"]["lat"] == pytest.approx(LAT, abs=1e-4) and md["gps"]["lon"] == pytest.approx(LON, abs=1e-4)
    assert md["pipeline_version"] == processing.pipeline_version()
    assert md["original_sha256_verified"] is True
    check = md["camera_check"]
    assert check["camera_time_source"] == "exif_local"  # no OffsetTimeOriginal: read as Beijing time
    assert check["camera_time_assumed_zone"] == "Asia/Shanghai"
    assert abs(check["time_difference_s"]) < 1
    assert check["distance_m"] < 5
    assert not {f["code"] for f in item.flags} & processing.MEDIA_FLAG_CODES
    assert set(item.derivatives) == {"thumbnail", "display"}
    assert item.derivatives["thumbnail"]["key"] == f"derived/{item.pk}/thumbnail.jpg"

    # The API: status, metadata (no worker bookkeeping), links; derivatives are authorised like the original.
    detail = as_user(reviewer_a).get(f"/api/v1/evidence/{item.pk}/").json()
    assert detail["processing_status"] == "ready"
    assert "claim" not in detail["media_metadata"] and "interruptions" not in detail["media_metadata"]
    assert detail["media_metadata"]["camera_make"] == "Huawei"
    thumb = detail["derivatives"]["thumbnail"]
    assert thumb["url"] == f"/api/v1/evidence/{item.pk}/derivatives/thumbnail/"
    assert thumb["content_type"] == "image/jpeg"
    assert (thumb["width"], thumb["height"]) == (240, 320)
    assert detail["derivative_links"]["display"] == f"/api/v1/evidence/{item.pk}/derivatives/display/"
    body = _download(as_user(reviewer_a), thumb["url"])
    with Image.open(io.BytesIO(body)) as image:
        assert image.size == (240, 320)  # upright: the orientation-6 landscape frame turned portrait
        assert not image.getexif().get_ifd(0x8825), "no GPS in a derivative"
        assert image.getpixel((image.width - 10, 10))[0] > 200  # the red stored-top-left corner is top-right now
    assert as_user(officer_b).get(thumb["url"]).status_code == 404
    assert as_user(officer_b).get(f"/api/v1/evidence/{item.pk}/").status_code == 404
    assert as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/derivatives/preview").status_code == 404
    # Derivative reads need no purpose and are not chain-of-custody reads of the original.
    assert "evidence.accessed" not in _actions(item)

    event = AuditEvent.objects.get(action="evidence.processed", target_id=str(item.pk))
    assert event.case_id == item.case_id
    assert event.data["original_sha256_verified"] is True
    assert set(event.data["derivatives"]) == {"thumbnail", "display"}


def test_the_cameras_own_time_and_position_are_compared_with_what_the_device_declared(receive):
    declared = _declared()
    three_hours_later = declared + datetime.timedelta(hours=3, minutes=7)
    shanghai = (31.2304, 121.4737)  # ~1,400 km from the declared position
    item = receive(make_jpeg(when=three_hours_later, gps=shanghai), captured_at=_rfc3339(declared),
                   latitude="43.5", longitude="125.0")  # fmt: skip
    item.refresh_from_db()
    assert item.processing_status == "ready"
    flags = {f["code"]: f for f in item.flags}
    assert flags["exif_time_mismatch"]["difference_s"] == pytest.approx(3 * 3600 + 7 * 60, abs=1)
    assert flags["exif_time_mismatch"]["source"] == "exif_local"
    assert "whole_hours" not in flags["exif_time_mismatch"]
    assert flags["exif_gps_mismatch"]["distance_m"] > 1_000_000
    assert "公里" in flags["exif_gps_mismatch"]["message"]
    assert item.media_metadata["discrepancy_flags"] == [flags["exif_time_mismatch"], flags["exif_gps_mismatch"]]
    assert "outside_region" in flags  # the intake flags are kept
    event = AuditEvent.objects.get(action="evidence.processed", target_id=str(item.pk))
    assert event.data["flags"] == ["exif_time_mismatch", "exif_gps_mismatch"]


def _info(**kwargs) -> MediaInfo:
    return MediaInfo(kind=kwargs.pop("kind", "image"), mime="image/jpeg", container="JPEG", size_bytes=1, **kwargs)


def test_exif_wall_clock_without_an_offset_is_read_as_beijing_time(settings):
    declared = datetime.datetime(2026, 5, 1, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Beijing
    wall_clock = _info(datetime_original=datetime.datetime(2026, 5, 1, 10, 0, 30))
    check, flags = processing.camera_discrepancies(
        info=wall_clock, captured_at=declared, latitude=None, longitude=None, accuracy_m=None
    )
    assert flags == [] and check["time_difference_s"] == 30
    # The same wall clock with OffsetTimeOriginal +00:00 is eight hours off: flagged, hinting at the zone.
    utc = _info(
        datetime_original=datetime.datetime(2026, 5, 1, 10, 0, 30),
        creation_time=datetime.datetime(2026, 5, 1, 10, 0, 30, tzinfo=datetime.UTC),
    )
    _check, (flag,) = processing.camera_discrepancies(
        info=utc, captured_at=declared, latitude=None, longitude=None, accuracy_m=None
    )
    assert flag["code"] == "exif_time_mismatch" and flag["source"] == "exif_offset"
    assert flag["whole_hours"] == 8 and "时区" in flag["message"]


def test_the_tolerances_are_settings_and_a_recordings_duration_is_allowed_for(settings):
    declared = datetime.datetime(2026, 5, 1, 2, 0, tzinfo=datetime.UTC)
    settings.MEDIA_EXIF_TIME_TOLERANCE_S = 60
    settings.MEDIA_EXIF_GPS_TOLERANCE_M = 100
    photo = _info(creation_time=declared + datetime.timedelta(seconds=90), gps=GeoPoint(LAT, LON + 0.002))
    _check, flags = processing.camera_discrepancies(
        info=photo, captured_at=declared, latitude=Decimal("42.8876"), longitude=Decimal("125.1437"), accuracy_m=None
    )
    assert [f["code"] for f in flags] == ["exif_time_mismatch", "exif_gps_mismatch"]  # 90 s > 60 s, ~163 m > 100 m
    # The declared accuracy widens the circle; a 10-minute recording may carry its end time.
    video = _info(
        kind="video", duration_s=600.0, creation_time=declared + datetime.timedelta(seconds=590),
        gps=GeoPoint(LAT, LON + 0.002),
    )  # fmt: skip
    _check, flags = processing.camera_discrepancies(
        info=video, captured_at=declared, latitude=LAT, longitude=LON, accuracy_m=80.0
    )
    assert flags == []


# --------------------------------------------------------------------------- video and audio


def test_a_video_becomes_ready_with_poster_preview_and_contact_sheet(receive, samples, as_user, reviewer_a):
    declared = _declared()
    item = receive(samples["video"], kind="video", filename="执法记录仪.mp4", activity="现场检查",
                   captured_at=_rfc3339(declared))  # fmt: skip
    item.refresh_from_db()
    assert item.processing_status == "ready", item.processing_error
    md = item.media_metadata
    assert md["kind"] == "video" and md["video_codec"] == "h264" and md["audio_codec"] == "aac"
    assert (md["width"], md["height"]) == (320, 240)
    assert md["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert md["camera_check"]["distance_m"] < 5  # ISO 6709 location of the container
    assert set(item.derivatives) == {"poster", "preview", "contact_sheet"}
    preview = as_user(reviewer_a).get(f"/api/v1/evidence/{item.pk}/").json()["derivatives"]["preview"]
    assert preview["content_type"] == "video/mp4" and preview["duration_s"] == pytest.approx(2.0, abs=0.2)
    body = _download(as_user(reviewer_a), preview["url"])
    assert body[4:8] == b"ftyp" and b"moov" in body[:4096]  # faststart: playable while downloading
    ranged = as_user(reviewer_a).get(preview["url"], HTTP_RANGE="bytes=0-99")
    assert ranged.status_code == 206 and len(b"".join(ranged.streaming_content)) == 100


def test_an_audio_recording_becomes_ready_with_a_proxy_and_a_waveform(receive, samples, as_user, officer_a):
    item = receive(samples["audio"], kind="audio", filename="询问录音.m4a", activity="询问")
    item.refresh_from_db()
    assert item.processing_status == "ready", item.processing_error
    assert item.media_metadata["audio_codec"] == "aac"
    assert item.media_metadata["duration_s"] == pytest.approx(3.0, abs=0.1)
    assert set(item.derivatives) == {"proxy", "waveform", "waveform_png"}
    peaks = json.loads(_download(as_user(officer_a), f"/api/v1/evidence/{item.pk}/derivatives/waveform"))
    assert peaks  # JSON peaks for the player
    png = _download(as_user(officer_a), f"/api/v1/evidence/{item.pk}/derivatives/waveform_png")
    assert png.startswith(b"\x89PNG")


# --------------------------------------------------------------------------- bad media


@pytest.mark.parametrize(
    ("sample", "kind", "code"),
    [
        ("truncated_video", "video", "media_truncated"),
        ("corrupt_jpeg", "photo", "media_unreadable"),
        ("bomb_png", "photo", "media_bomb"),
    ],
)
def test_bad_media_ends_failed_with_a_reason_is_never_retried_and_the_original_is_untouched(
    receive, samples, kit, spy_process, settings, as_user, officer_a, sample, kind, code
):
    data = kit.JPEG if sample == "corrupt_jpeg" else samples[sample]
    item = receive(data, kind=kind)
    item.refresh_from_db()
    assert item.processing_status == "failed"
    assert item.media_metadata["error"]["code"] == code
    assert item.media_metadata["error"]["transient"] is False
    assert " / " in item.processing_error  # 中文 / English reason
    assert item.derivatives == {}
    assert spy_process == [kind]  # one attempt: a bad file is not retried
    stored = _stored(settings, item.storage_key)
    assert stored.read_bytes() == data and not stored.stat().st_mode & 0o222
    failed = AuditEvent.objects.get(action="evidence.processing_failed", target_id=str(item.pk))
    assert failed.case_id == item.case_id and failed.data["code"] == code and failed.data["transient"] is False
    # A replay of the message leaves it alone; the API shows the reason.
    assert evidence_process.apply(args=[str(item.pk)]).get() == "skipped"
    assert spy_process == [kind]
    row = as_user(officer_a).get(f"/api/v1/evidence/{item.pk}/").json()
    assert row["processing_status"] == "failed" and row["processing_error"] == item.processing_error
    assert row["derivatives"] == {}


def test_a_tampered_original_is_never_processed_and_raises_an_integrity_alert(
    receive, spy_process, settings, as_user, officer_a
):
    item = receive(make_jpeg(when=_declared()), process=False)
    assert item.processing_status == "pending"
    stored = _stored(settings, item.storage_key)
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, somewhere in the image data
    stored.write_bytes(bytes(data))

    assert evidence_process.apply(args=[str(item.pk)]).get() == "failed"
    item.refresh_from_db()
    assert item.processing_status == "failed"
    assert item.media_metadata["error"]["code"] == "original_integrity_mismatch"
    assert item.media_metadata["error"]["actual_sha256"] == hashlib.sha256(data).hexdigest()
    assert "SHA-256" in item.processing_error
    assert "stored_hash_mismatch" in {f["code"] for f in item.flags}
    assert spy_process == []  # the tampered bytes never reached the pipeline
    assert item.derivatives == {} and not (Path(settings.STORAGE_LOCAL_ROOT) / "derived" / str(item.pk)).exists()
    alert = AuditEvent.objects.get(action="evidence.integrity_alert", target_id=str(item.pk))
    assert alert.case_id == item.case_id
    assert alert.data["expected_sha256"] == item.sha256
    assert alert.data["actual_sha256"] == hashlib.sha256(data).hexdigest()
    assert "evidence.processing_failed" in _actions(item)
    assert evidence_process.apply(args=[str(item.pk)]).get() == "skipped"  # not retried


# --------------------------------------------------------------------------- idempotency and claims


def test_rerunning_is_idempotent_same_keys_no_duplicates(receive, settings, spy_process):
    item = receive(make_jpeg(when=_declared()))
    item.refresh_from_db()
    first = item.derivatives
    folder = Path(settings.STORAGE_LOCAL_ROOT) / "derived" / str(item.pk)
    files_before = sorted(p.name for p in folder.iterdir())
    assert files_before == ["display.jpg", "thumbnail.jpg"]

    assert evidence_process.apply(args=[str(item.pk)]).get() == "skipped"  # a replay: already done
    assert evidence_process.apply(args=[str(item.pk)], kwargs={"force": True}).get() == "ready"
    item.refresh_from_db()
    assert item.derivatives == first  # same keys, same bytes
    assert sorted(p.name for p in folder.iterdir()) == files_before
    assert len(spy_process) == 2
    assert AuditEvent.objects.filter(action="evidence.processed", target_id=str(item.pk)).count() == 2


def test_a_new_pipeline_version_reprocesses_and_drops_derivatives_it_no_longer_makes(
    receive, settings, monkeypatch
):
    item = receive(make_jpeg(when=_declared()))
    item.refresh_from_db()
    old_key = f"derived/{item.pk}/old_filmstrip.jpg"
    stale = _stored(settings, old_key)
    stale.write_bytes(b"old")
    EvidenceItem.objects.filter(pk=item.pk).update(
        derivatives={**item.derivatives, "filmstrip": {"key": old_key, "content_type": "image/jpeg"}}
    )
    monkeypatch.setattr(processing, "PIPELINE_REVISION", processing.PIPELINE_REVISION + 1)
    assert evidence_process.apply(args=[str(item.pk)]).get() == "ready"  # no force needed
    item.refresh_from_db()
    assert set(item.derivatives) == {"thumbnail", "display"}
    assert item.media_metadata["pipeline_version"].startswith(f"{processing.PIPELINE_REVISION}.")
    assert not stale.exists()


def test_two_workers_never_process_the_same_item(receive):
    item = receive(make_jpeg(when=_declared()), process=False)
    first = processing._claim(item.pk, force=False)
    assert isinstance(first, processing.Claim)
    processing._ACTIVE_TOKENS.add(first.token)  # the first job is running
    try:
        assert processing._claim(item.pk, force=False) == "busy"  # the conditional UPDATE found no pending row
        assert evidence_process.apply(args=[str(item.pk)]).get() == "busy"
        item.refresh_from_db()
        assert item.processing_status == "processing"
        assert item.media_metadata["claim"]["token"] == first.token
    finally:
        processing._ACTIVE_TOKENS.discard(first.token)
    # A claim of this process whose job is over (its final write failed, say) is taken over, not waited for.
    assert evidence_process.apply(args=[str(item.pk)]).get() == "ready"


def test_a_live_worker_elsewhere_keeps_its_claim(receive):
    item = receive(make_jpeg(when=_declared()), process=False)
    _abandon(item, pid=os.getppid())  # alive, on this host
    assert evidence_process.apply(args=[str(item.pk)]).get() == "busy"


def test_a_failed_final_write_releases_the_claim_and_the_retry_finishes(receive, monkeypatch):
    from django.db import OperationalError

    item = receive(make_jpeg(when=_declared()), process=False)
    real = processing.audit_record
    calls = []

    def locked_once(**kwargs):
        calls.append(kwargs["action"])
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(processing, "audit_record", locked_once)
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    assert evidence_process.apply(args=[str(item.pk)], throw=False).get() == "ready"
    assert calls == ["evidence.processed", "evidence.processed"]
    item.refresh_from_db()
    assert item.processing_status == "ready" and "claim" not in item.media_metadata


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _abandon(item: EvidenceItem, *, pid: int, host: str | None = None, age_s: int = 0, interruptions: int = 0):
    EvidenceItem.objects.filter(pk=item.pk).update(
        processing_status="processing",
        media_metadata={
            "claim": {"token": f"x|{pid}|t", "host": host or processing.HOST, "pid": pid, "at": "2026-01-01"},
            "interruptions": interruptions,
        },
        updated_at=timezone.now() - datetime.timedelta(seconds=age_s),
    )


def test_a_claim_of_a_killed_worker_is_taken_over_at_once(receive):
    item = receive(make_jpeg(when=_declared()), process=False)
    _abandon(item, pid=_dead_pid())
    assert evidence_process.apply(args=[str(item.pk)]).get() == "ready"


def test_a_claim_on_another_host_is_taken_over_only_when_its_heartbeat_is_stale(receive, settings):
    item = receive(make_jpeg(when=_declared()), process=False)
    _abandon(item, pid=12345, host="other-host", age_s=10)
    assert evidence_process.apply(args=[str(item.pk)]).get() == "busy"
    _abandon(item, pid=12345, host="other-host", age_s=settings.MEDIA_CLAIM_STALE_S + 1)
    assert evidence_process.apply(args=[str(item.pk)]).get() == "ready"


def test_a_file_that_keeps_killing_workers_ends_failed(receive, settings):
    item = receive(make_jpeg(when=_declared()), process=False)
    _abandon(item, pid=_dead_pid(), interruptions=settings.MEDIA_MAX_INTERRUPTIONS)
    assert evidence_process.apply(args=[str(item.pk)]).get() == "failed"
    item.refresh_from_db()
    assert item.processing_status == "failed"
    assert item.media_metadata["error"]["code"] == "processing_interrupted"
    assert AuditEvent.objects.filter(action="evidence.processing_failed", target_id=str(item.pk)).exists()


def test_the_recovery_sweep_finds_abandoned_and_forgotten_work(receive, settings, tmp_path):
    abandoned = receive(make_jpeg(when=_declared(11)), process=False)
    forgotten = receive(make_jpeg(when=_declared(12)), process=False)
    fresh = receive(make_jpeg(when=_declared(13)), process=False)
    busy = receive(make_jpeg(when=_declared(14)), process=False)
    _abandon(abandoned, pid=_dead_pid())
    _abandon(busy, pid=os.getppid())  # a live process: its claim stands
    EvidenceItem.objects.filter(pk=forgotten.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=2))
    scratch = Path(settings.UPLOAD_SCRATCH_DIR)
    leftover = scratch / f"process-{processing.HOST}-{_dead_pid()}-abc123"
    leftover.mkdir(parents=True)
    (leftover / "original").write_bytes(b"x")

    assert set(processing.evidence_processing_recover()) == {str(abandoned.pk), str(forgotten.pk)}
    assert not leftover.exists()
    # The sweep bumped the forgotten item, so the next periodic sweep does not send it again …
    assert processing.evidence_processing_recover() == [str(abandoned.pk)]
    # … and the task enqueues them (eager here): both end ready, the live claim is left alone.
    assert evidence_processing_recover.apply(kwargs={"pending_older_than_s": 0}).get() == 3
    states = dict(EvidenceItem.objects.values_list("pk", "processing_status"))
    assert states[abandoned.pk] == states[forgotten.pk] == states[fresh.pk] == "ready"
    assert states[busy.pk] == "processing"


# --------------------------------------------------------------------------- transient faults


def test_a_transient_storage_error_is_retried_and_the_item_ends_ready(receive, monkeypatch):
    item = receive(make_jpeg(when=_declared()), process=False)
    real = LocalStorage.download_to
    calls = []

    def flaky(self, key, path):
        calls.append(key)
        if len(calls) == 1:
            raise StorageError("connection reset by peer")
        return real(self, key, path)

    monkeypatch.setattr(LocalStorage, "download_to", flaky)
    # Eager (throw=False, as a worker would not propagate): the retry runs at once, without its countdown.
    result = evidence_process.apply(args=[str(item.pk)], throw=False)
    assert result.get() == "ready"
    assert len(calls) == 2
    item.refresh_from_db()
    assert item.processing_status == "ready" and item.processing_error == ""
    assert not AuditEvent.objects.filter(action="evidence.processing_failed", target_id=str(item.pk)).exists()


def test_the_retry_policy_is_bounded_with_backoff_and_jitter(receive, monkeypatch):
    assert evidence_process.acks_late is True and evidence_process.reject_on_worker_lost is True
    assert evidence_process.max_retries >= 3
    assert evidence_process.soft_time_limit < evidence_process.time_limit
    item = receive(make_jpeg(when=_declared()), process=False)
    countdowns = []
    real_retry = evidence_process.retry

    def recording_retry(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(evidence_process, "retry", recording_retry)
    def down(self, key, path):
        raise StorageError("down")

    monkeypatch.setattr(LocalStorage, "download_to", down)
    # Nested eager retries read this setting, not apply()'s argument; a worker never propagates.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    assert evidence_process.apply(args=[str(item.pk)], throw=False).get() == "failed"
    assert len(countdowns) == evidence_process.max_retries
    caps = [min(600, 10 * 2**n) for n in range(len(countdowns))]
    assert all(0 <= c <= cap for c, cap in zip(countdowns, caps, strict=True))
    item.refresh_from_db()
    assert item.processing_status == "failed"
    assert item.media_metadata["error"] == {
        "code": "processing_retries_exhausted", "transient": True, "error": "StorageError",
    }  # fmt: skip
    assert "claim" not in item.media_metadata
    # Transient failures may be retried later (a replay, or reprocess_evidence) once storage is back.
    monkeypatch.undo()
    assert evidence_process.apply(args=[str(item.pk)]).get() == "ready"


def test_a_missing_original_ends_failed_with_an_alert_after_the_retries(receive, settings):
    item = receive(make_jpeg(when=_declared()), process=False)
    stored = _stored(settings, item.storage_key)
    stored.chmod(0o644)
    stored.unlink()
    assert evidence_process.apply(args=[str(item.pk)], retries=evidence_process.max_retries).get() == "failed"
    item.refresh_from_db()
    assert item.media_metadata["error"]["code"] == "original_missing"
    assert AuditEvent.objects.filter(action="evidence.integrity_alert", target_id=str(item.pk)).exists()
    with pytest.raises(ObjectMissing):
        get_storage().size(item.storage_key)


# --------------------------------------------------------------------------- flags written concurrently


def _codes(item: EvidenceItem) -> set[str]:
    item.refresh_from_db()
    return {flag["code"] for flag in item.flags}


def test_processing_finishing_while_provenance_hashes_keeps_the_camera_flags(receive, monkeypatch):
    from backend.evidence import provenance
    from backend.evidence.services import evidence_record_provenance

    item = receive(make_jpeg(when=_declared() + datetime.timedelta(hours=2)), process=False)
    inspect = provenance.c2pa_inspect

    def processing_meanwhile(path, **kwargs):
        # Provenance has read the item (and its flags) and is in its slow part; processing ends now.
        assert processing.evidence_process_item(item_id=item.pk) == "ready"
        return inspect(path, **kwargs)

    monkeypatch.setattr(provenance, "c2pa_inspect", processing_meanwhile)
    evidence_record_provenance(item_id=item.pk)
    assert "exif_time_mismatch" in _codes(item)
    assert item.processing_status == "ready"
    assert item.c2pa["status"] in {"absent", "unavailable", "error"}
    assert AuditEvent.objects.filter(action="evidence.provenance", target_id=str(item.pk)).exists()


def test_a_provenance_flag_is_merged_with_flags_written_meanwhile(receive, monkeypatch):
    from backend.evidence import provenance
    from backend.evidence.services import evidence_record_provenance

    item = receive(make_jpeg(when=_declared()), process=False)
    storage = get_storage()
    real_open = storage.open
    monkeypatch.setattr(storage, "open", lambda key, **kw: iter([b"not the received bytes"]))
    concurrent = {"code": "exif_time_mismatch", "message": "written by processing meanwhile"}

    def flags_written_meanwhile(path, **kwargs):
        EvidenceItem.objects.filter(pk=item.pk).update(flags=[*item.flags, concurrent])
        return {"status": "absent"}

    monkeypatch.setattr(provenance, "c2pa_inspect", flags_written_meanwhile)
    evidence_record_provenance(item_id=item.pk)
    assert {"exif_time_mismatch", "stored_hash_mismatch"} <= _codes(item)
    assert item.c2pa == {"status": "absent"}
    monkeypatch.setattr(storage, "open", real_open)


# --------------------------------------------------------------------------- documents, S3, command


def test_a_document_is_verified_and_ready_without_derivatives(receive):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    item = receive(pdf, kind="document", filename="询问笔录.pdf")
    item.refresh_from_db()
    assert item.processing_status == "ready"
    assert item.derivatives == {}
    assert item.media_metadata["format"]["mime"] == "application/pdf"
    assert item.media_metadata["original_sha256_verified"] is True


@pytest.mark.s3
def test_on_s3_the_original_is_fetched_and_derivatives_written_back(s3_storage, receive, as_user, officer_a):
    item = receive(make_jpeg(when=_declared()))
    item.refresh_from_db()
    assert item.processing_status == "ready", item.processing_error
    key = item.derivatives["thumbnail"]["key"]
    assert s3_storage.exists(key) and key == f"derived/{item.pk}/thumbnail.jpg"
    body = _download(as_user(officer_a), f"/api/v1/evidence/{item.pk}/derivatives/thumbnail")
    assert body.startswith(b"\xff\xd8")
    assert evidence_process.apply(args=[str(item.pk)], kwargs={"force": True}).get() == "ready"
    listed = s3_storage.client.list_objects_v2(Bucket=s3_storage.bucket, Prefix=f"derived/{item.pk}/")
    assert sorted(obj["Key"].rsplit("/", 1)[1] for obj in listed["Contents"]) == ["display.jpg", "thumbnail.jpg"]


def test_reprocess_evidence_selects_by_id_case_and_status(receive, case_a, kit, spy_process, capsys):
    good = receive(make_jpeg(when=_declared()))
    bad = receive(kit.JPEG[:-50] + b"\x00" * 50)
    bad.refresh_from_db()
    assert bad.processing_status == "failed"
    spy_process.clear()

    call_command("reprocess_evidence", "--id", str(good.pk), "--inline", "--no-progress")
    assert spy_process == ["photo"]  # forced: a ready item of the current version is redone on request
    call_command("reprocess_evidence", "--case", str(case_a.pk), "--status", "failed", "--inline", "--no-progress")
    assert spy_process == ["photo", "photo"]
    out = capsys.readouterr().out
    assert "failed: 1" in out
    call_command("reprocess_evidence", "--all", "--dry-run")
    assert "2 item(s)" in capsys.readouterr().out
    call_command("reprocess_evidence", "--outdated", "--no-progress")  # nothing outdated
    assert spy_process == ["photo", "photo"]
    call_command("reprocess_evidence", "--all", "--no-progress")  # enqueued (eager here)
    assert len(spy_process) == 4
    with pytest.raises(CommandError):
        call_command("reprocess_evidence")
