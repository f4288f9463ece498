"""Real media made once per session with ffmpeg, Pillow and pillow-heif.

Everything here is pure: no database, no Django. Files are small (a few seconds, small
frames) so the whole folder runs in well under a minute on two cores.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

# pyproject puts tests/ on sys.path (pythonpath = ["tests"]), where this folder would make
# `media_pipeline` resolve to a namespace package. A regular package on any sys.path entry
# wins over a namespace portion, so make sure the repository root is on the path too.
# (Proper fix: pythonpath = ["tests", "."] in pyproject.)
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.append(_ROOT)
if getattr(sys.modules.get("media_pipeline"), "__file__", "") is None:
    del sys.modules["media_pipeline"]  # a namespace stand-in imported before this ran

# A coloured marker in the *stored* top-left corner lets tests check orientation handling.
MARK = (255, 0, 0)
BASE = (0, 90, 255)
# EXIF facts written into the test photo.
GPS_LAT = (31, 13, 49.44)  # 31.2304 N
GPS_LON = (121, 28, 25.32)  # 121.4737 E -> written as W to test the sign
GPS_ALT = 12.5


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def set_mp4_rotation(path: Path, degrees_cw: int) -> None:
    """Write a display matrix into the first tkhd box (ffmpeg 5.1 cannot set one itself)."""
    data = bytearray(path.read_bytes())
    i = data.find(b"tkhd")
    version = data[i + 4]
    off = i + 4 + 4 + (32 if version == 1 else 20) + 8 + 8
    width, height = struct.unpack(">II", data[off + 36 : off + 44])
    one = 1 << 16
    matrices = {
        90: (0, one, 0, -one, 0, 0, height, 0, 1 << 30),
        180: (-one, 0, 0, 0, -one, 0, width, height, 1 << 30),
        270: (0, -one, 0, one, 0, 0, 0, width, 1 << 30),
    }
    data[off : off + 36] = struct.pack(">9i", *matrices[degrees_cw])
    path.write_bytes(bytes(data))


def _rationals(dms: tuple[float, float, float]) -> tuple[float, ...]:
    return tuple(float(v) for v in dms)


def make_exif_jpeg(path: Path, size: tuple[int, int] = (800, 600), orientation: int = 6) -> None:
    im = Image.new("RGB", size, BASE)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 4, size[1] // 4), fill=MARK)
    exif = Image.Exif()
    exif[0x010F] = "TestMaker"  # Make
    exif[0x0110] = "Model X\x00"  # Model, with the NUL some cameras leave
    exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:05:01 10:03:04"  # DateTimeOriginal
    sub[0x9011] = "+08:00"  # OffsetTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = _rationals(GPS_LAT)
    gps[3] = "W"
    gps[4] = _rationals(GPS_LON)
    gps[5] = b"\x00"
    gps[6] = GPS_ALT
    im.save(path, "JPEG", quality=90, exif=exif, comment=b"secret comment", xmp=b"<x:xmpmeta>secret</x:xmpmeta>")


def make_bomb_png(path: Path, width: int = 100_000, height: int = 100_000) -> None:
    """A valid PNG header announcing a huge image, with almost no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Name -> path of every sample file (made once per test session)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    d = tmp_path_factory.mktemp("media")
    files: dict[str, Path] = {}

    # 1080p30 H.264 + stereo AAC, 2 s, with creation time and ISO 6709 location.
    files["video"] = d / "video.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", "2", "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-metadata", "creation_time=2024-05-01T02:03:04Z",
        "-metadata", "location=+31.2304+121.4737+004.000/", str(files["video"]),
    )  # fmt: skip
    # Portrait phone clip: stored 320x240 landscape + 90 degree display matrix.
    files["video_rotated"] = d / "rotated.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", "2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(files["video_rotated"]),
    )  # fmt: skip
    set_mp4_rotation(files["video_rotated"], 90)
    # iPhone-style QuickTime tags.
    files["video_iphone"] = d / "iphone.mov"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "1",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-movflags", "use_metadata_tags",
        "-metadata", "com.apple.quicktime.make=Apple",
        "-metadata", "com.apple.quicktime.model=iPhone 15",
        "-metadata", "com.apple.quicktime.creationdate=2024-05-01T10:03:04+0800",
        "-metadata", "com.apple.quicktime.location.ISO6709=+31.2304+121.4737+004.000/",
        "-f", "mov", str(files["video_iphone"]),
    )  # fmt: skip
    files["webm"] = d / "clip.webm"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2",
        "-c:v", "libvpx", "-b:v", "300k", "-deadline", "realtime", str(files["webm"]),
    )  # fmt: skip

    # Audio: 3 s sine in several containers.
    files["wav"] = d / "tone.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:sample_rate=44100", "-t", "3", str(files["wav"]))
    files["mp3"] = d / "tone.mp3"
    ffmpeg("-i", str(files["wav"]), "-c:a", "libmp3lame", "-b:a", "64k", str(files["mp3"]))
    files["m4a"] = d / "tone.m4a"
    ffmpeg("-i", str(files["wav"]), "-c:a", "aac", "-b:a", "64k", str(files["m4a"]))
    files["opus"] = d / "tone.ogg"
    ffmpeg("-i", str(files["wav"]), "-c:a", "libopus", "-b:a", "32k", str(files["opus"]))

    # Stills.
    files["jpeg"] = d / "photo.jpg"
    make_exif_jpeg(files["jpeg"])
    files["png"] = d / "alpha.png"
    Image.new("RGBA", (400, 300), (255, 0, 0, 0)).save(files["png"])
    files["small_jpeg"] = d / "small.jpg"
    Image.new("RGB", (100, 80), BASE).save(files["small_jpeg"])
    files["heic"] = d / "photo.heic"
    import pillow_heif

    pillow_heif.register_heif_opener()
    heic_src = Image.new("RGB", (640, 480), BASE)
    ImageDraw.Draw(heic_src).rectangle((0, 0, 160, 120), fill=MARK)
    heic_exif = Image.Exif()
    heic_exif[0x010F] = "Apple"
    heic_exif[0x0112] = 6
    heic_src.save(files["heic"], format="HEIF", quality=80, exif=heic_exif.tobytes())

    # Hostile and broken inputs.
    files["bomb_png"] = d / "bomb.png"
    make_bomb_png(files["bomb_png"])
    files["truncated_mp4"] = d / "truncated.mp4"
    files["truncated_mp4"].write_bytes(files["video"].read_bytes()[: files["video"].stat().st_size // 2])
    files["truncated_webm"] = d / "truncated.webm"
    files["truncated_webm"].write_bytes(files["webm"].read_bytes()[:4000])
    files["truncated_jpeg"] = d / "truncated.jpg"
    files["truncated_jpeg"].write_bytes(files["jpeg"].read_bytes()[:3000])
    files["corrupt_jpeg"] = d / "corrupt.jpg"
    files["corrupt_jpeg"].write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40)
    files["random"] = d / "random.bin"
    files["random"].write_bytes(bytes((i * 7919 + 13) % 251 for i in range(50_000)))
    files["elf_as_jpg"] = d / "holiday.jpg"
    files["elf_as_jpg"].write_bytes(Path("/bin/true").read_bytes()[:8192])
    files["script_as_jpg"] = d / "receipt.jpg"
    files["script_as_jpg"].write_bytes(b"#!/bin/sh\nrm -rf /\n")
    files["pdf"] = d / "notice.pdf"
    files["pdf"].write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return files
