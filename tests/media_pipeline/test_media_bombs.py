"""Hostile media against the pipeline: bombs under and over the pixel limit, huge declared dimensions,
truncated and corrupt files, oversized EXIF, polyglots and archives — each a typed error with its stable
code, and the caller's memory bounded whatever the file (the photo decode runs under RLIMIT_AS)."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline import MediaBomb, MediaError, make_photo_derivatives, process
from media_pipeline.types import Limits

WORKER_LIMITS = Limits(max_image_pixels=120_000_000)  # what the evidence worker uses (MEDIA_MAX_IMAGE_PIXELS)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(path: Path, width: int, height: int) -> Path:
    """A valid RGBA PNG of ``width`` x ``height`` transparent pixels: a few hundred KB on disk, width x height x 4
    bytes once decoded. Written row by row, so making it never holds the image in memory."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width * 4)
    parts = [compressor.compress(row) for _ in range(height)]
    data = b"".join(parts) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))
    return path


def jpeg_declaring(path: Path, width: int, height: int) -> Path:
    """A JPEG header whose SOF0 declares ``width`` x ``height`` (no real scan data)."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    path.write_bytes(b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9")
    return path


def small_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def test_the_490_kb_png_bomb_under_the_pixel_limit_never_grows_the_worker(tmp_path: Path) -> None:
    """The finding: 100 MP of RGBA (under the worker's 120 MP limit) in a ~490 KB PNG took the media worker to
    1.6 GiB. Now the decode happens in a child under RLIMIT_AS; the calling process stays small."""
    bomb = png_bomb(tmp_path / "bomb.png", 10_000, 10_000)
    assert bomb.stat().st_size < 600_000
    script = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from media_pipeline import MediaError, make_photo_derivatives\n"
        "from media_pipeline.types import Limits\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    limits = Limits(max_image_pixels=120_000_000)\n"
        "    make_photo_derivatives(Path(sys.argv[1]), Path(sys.argv[2]), limits=limits)\n"
        "    outcome = 'rendered'\n"
        "except MediaError as exc:\n"
        "    outcome = exc.code\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'outcome': outcome, 'grew_kb': after - before, 'child_kb': child}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(bomb), str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300, check=True)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    print(report)
    # 400 MB decoded is within the decoded-size limit: the child renders it (~1.2 GB at its peak, under its
    # 2 GiB ceiling) — the caller, i.e. the worker, never decodes a pixel.
    assert report["outcome"] == "rendered"
    assert report["grew_kb"] < 64 * 1024, report
    assert 400_000 < report["child_kb"] < WORKER_LIMITS.image_memory_bytes // 1024, report


def test_a_png_bomb_is_refused_by_the_decoded_size_check_before_decoding(tmp_path: Path) -> None:
    """6000 x 6000 RGBA = 144 MB decoded: over a 100 MB decoded-size limit, refused with a MediaBomb."""
    bomb = png_bomb(tmp_path / "bomb.png", 6_000, 6_000)
    limits = Limits(max_image_pixels=120_000_000, max_image_decoded_bytes=100 * 1024**2)
    with pytest.raises(MediaBomb) as refused:
        make_photo_derivatives(bomb, tmp_path / "out", limits=limits)
    assert "decodes to 144000000 bytes" in refused.value.detail
    assert not (tmp_path / "out" / "display.jpg").exists()


def test_what_passes_the_checks_still_cannot_pass_the_memory_ceiling(tmp_path: Path) -> None:
    """With the size check out of the way, the same bomb needs ~3 x 144 MB while flattened: a 300 MB address
    space ceiling stops the child (MemoryError → MediaBomb), and the default 2 GiB one lets it render."""
    bomb = png_bomb(tmp_path / "bomb.png", 6_000, 6_000)
    tight = Limits(max_image_pixels=120_000_000, max_image_decoded_bytes=10**12, image_memory_bytes=300 * 1024**2)
    with pytest.raises(MediaError) as refused:
        make_photo_derivatives(bomb, tmp_path / "out", limits=tight)
    assert refused.value.code in {"media_bomb", "media_resource_limit"}, refused.value.reason
    roomy = Limits(max_image_pixels=120_000_000, max_image_decoded_bytes=10**12)
    rendered = make_photo_derivatives(bomb, tmp_path / "out", limits=roomy)
    assert {d.name for d in rendered} == {"display", "thumbnail"}


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (65_535, 65_535), (1, 2**31 - 1)])
def test_huge_declared_dimensions_are_refused_before_decoding(tmp_path: Path, width: int, height: int) -> None:
    png = tmp_path / "declared.png"
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
                    + _chunk(b"IEND", b""))
    with pytest.raises(MediaBomb):
        make_photo_derivatives(png, tmp_path / "out", limits=WORKER_LIMITS)
    with pytest.raises(MediaBomb):
        make_photo_derivatives(jpeg_declaring(tmp_path / "h.jpg", 65_000, 65_000), tmp_path / "o", limits=WORKER_LIMITS)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("truncated-jpeg", small_jpeg((800, 600))[:600], {"media_truncated", "media_unreadable"}),
        ("corrupt-jpeg", small_jpeg()[:200] + b"\x00\xff" * 300 + b"\xff\xd9", {"media_unreadable", "media_truncated"}),
        ("png-bad-crc", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 17, {"media_unreadable"}),
        ("empty-file", b"", {"media_unreadable", "media_unsupported"}),
        ("zip-declared-photo", b"", {"media_kind_mismatch"}),
        ("elf-declared-photo", b"\x7fELF\x02\x01\x01" + b"\x00" * 500, {"media_executable"}),
    ],
)
def test_corrupt_truncated_and_disguised_files_fail_with_their_code(tmp_path: Path, name: str, content: bytes,
                                                                    code: set[str]) -> None:
    if name == "zip-declared-photo":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("a.bin", b"\x00" * 50_000_000)  # a 50 MB member in a ~50 KB archive
        content = buffer.getvalue()
    src = tmp_path / f"{name}.bin"
    src.write_bytes(content)
    with pytest.raises(MediaError) as failed:
        process(src, "photo", tmp_path / "out", WORKER_LIMITS)
    assert failed.value.code in code, (name, failed.value.code, failed.value.reason)


def test_an_oversized_exif_block_is_neither_fatal_nor_copied(tmp_path: Path) -> None:
    """A JPEG whose APP1 EXIF segment is the largest a segment can be (64 KB), full of IFD entries."""
    entries = 5_000
    ifd = struct.pack("<H", entries) + b"".join(struct.pack("<HHII", 0x010E, 2, 4, 0x41414141)
                                                 for _ in range(entries))
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00\x00\x00\x00"
    app1 = b"Exif\x00\x00" + tiff
    app1 = app1[: 65_533]
    jpeg = small_jpeg((640, 480))
    src = tmp_path / "exif.jpg"
    src.write_bytes(jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:])
    result = process(src, "photo", tmp_path / "out", WORKER_LIMITS)
    display = next(d for d in result.derivatives if d.name == "display")
    assert b"Exif" not in display.path.read_bytes()[:4096]


def test_a_jpeg_zip_polyglot_is_processed_as_the_photo_and_the_archive_is_not_carried_over(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.sh", "#!/bin/sh\necho owned\n")
    src = tmp_path / "polyglot.jpg"
    src.write_bytes(small_jpeg((320, 240)) + buffer.getvalue())
    result = process(src, "photo", tmp_path / "out", WORKER_LIMITS)
    for derivative in result.derivatives:
        data = derivative.path.read_bytes()
        assert b"PK\x03\x04" not in data and b"payload.sh" not in data
