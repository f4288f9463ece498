"""Identify a file by its leading bytes, not by its name or declared type.

Intake uses this to refuse a ``photo.jpg`` that is really an executable, and to check that
the declared evidence kind matches the content (:func:`kind_matches`). Only the first
:data:`SNIFF_BYTES` bytes are read.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from media_pipeline._files import ensure_regular_file
from media_pipeline.types import Sniffed

SNIFF_BYTES = 4096

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}
_AUDIO_MP4_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_QT_LEADING_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_MACHO_MAGICS = {b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"}

# Containers that may hold only audio (phone recorders often write .mp4/.3gp/.webm).
AUDIO_CAPABLE_VIDEO_MIMES = frozenset(
    {"video/mp4", "video/quicktime", "video/3gpp", "video/3gpp2", "video/webm", "video/x-matroska"}
)

UNKNOWN = Sniffed("unknown", "application/octet-stream", "unknown")


def read_head(path: str | os.PathLike[str], size: int = SNIFF_BYTES) -> bytes:
    """First ``size`` bytes of a regular file (FIFOs and devices are refused, not read)."""
    p = ensure_regular_file(Path(path))
    with p.open("rb") as fh:
        return fh.read(size)


def sniff(source: bytes | str | os.PathLike[str]) -> Sniffed:
    """Detect what a file is from its magic numbers.

    ``source`` is either a path or the file's first bytes (at least a few hundred bytes
    give reliable answers; :data:`SNIFF_BYTES` is plenty).

    Raises:
        UnreadableMedia: ``source`` is a path that is not a regular file.
    """
    head = bytes(source) if isinstance(source, bytes | bytearray | memoryview) else read_head(source)
    for detector in _DETECTORS:
        found = detector(head)
        if found is not None:
            return found
    return UNKNOWN


def kind_matches(declared_kind: str, sniffed: Sniffed) -> bool:
    """Whether content of ``sniffed`` is acceptable for evidence declared as ``declared_kind``.

    ============  ==================================================================
    declared      accepted sniffed kinds
    ============  ==================================================================
    photo/image   image
    video         video
    audio         audio, or a video container that may carry only audio (mp4, 3gp, …)
    document      document (PDF, office files) or image (scans, photographed papers)
    ============  ==================================================================

    Executables, archives and unrecognised content never match.
    """
    if sniffed.kind in ("executable", "archive", "unknown"):
        return False
    if declared_kind in ("photo", "image"):
        return sniffed.kind == "image"
    if declared_kind == "video":
        return sniffed.kind == "video"
    if declared_kind == "audio":
        return sniffed.kind == "audio" or sniffed.mime in AUDIO_CAPABLE_VIDEO_MIMES
    if declared_kind == "document":
        return sniffed.kind in ("document", "image")
    return False


# --- detectors, tried in order ----------------------------------------------------------


def _executable(head: bytes) -> Sniffed | None:
    if head.startswith(b"\x7fELF"):
        return Sniffed("executable", "application/x-executable", "elf")
    if head.startswith(b"MZ"):
        return Sniffed("executable", "application/vnd.microsoft.portable-executable", "pe")
    if head[:4] in _MACHO_MAGICS:
        return Sniffed("executable", "application/x-mach-binary", "mach-o")
    if head.startswith(b"\xca\xfe\xba\xbe"):  # Mach-O universal binary or Java class
        return Sniffed("executable", "application/x-mach-binary", "mach-o-fat")
    if head.startswith(b"dex\n"):
        return Sniffed("executable", "application/x-dex", "dex")
    if head.startswith(b"\x00asm"):
        return Sniffed("executable", "application/wasm", "wasm")
    if head.startswith(b"#!") and not head.startswith(b"#!AMR"):
        return Sniffed("executable", "text/x-shellscript", "script")
    if head.lstrip()[:5].lower() == b"<?php":
        return Sniffed("executable", "application/x-php", "script")
    return None


def _image(head: bytes) -> Sniffed | None:
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", "image/jpeg", "jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", "image/png", "png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image", "image/gif", "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "image/webp", "webp")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Sniffed("image", "image/tiff", "tiff")
    if head[:2] == b"BM" and len(head) >= 18 and struct.unpack("<I", head[14:18])[0] in (12, 40, 52, 56, 108, 124):
        return Sniffed("image", "image/bmp", "bmp")
    return None


def _isobmff(head: bytes) -> Sniffed | None:
    if len(head) < 12:
        return None
    box = head[4:8]
    if box != b"ftyp":
        if box in _QT_LEADING_BOXES:  # old QuickTime files have no ftyp
            return Sniffed("video", "video/quicktime", "quicktime")
        return None
    size = struct.unpack(">I", head[:4])[0]
    major = head[8:12]
    end = min(size, len(head)) if size >= 16 else min(len(head), 64)
    brands = {major} | {head[i : i + 4] for i in range(16, end - 3, 4)}
    if major in _HEIC_BRANDS or (major in _HEIF_BRANDS and brands & _HEIC_BRANDS):
        return Sniffed("image", "image/heic", "heic")
    if major in _AVIF_BRANDS or (major in _HEIF_BRANDS and brands & _AVIF_BRANDS):
        return Sniffed("image", "image/avif", "avif")
    if major in _HEIF_BRANDS:
        return Sniffed("image", "image/heif", "heif")
    if major == b"qt  ":
        return Sniffed("video", "video/quicktime", "quicktime")
    if major in _AUDIO_MP4_BRANDS:
        return Sniffed("audio", "audio/mp4", "m4a")
    if major.startswith(b"3g2"):
        return Sniffed("video", "video/3gpp2", "3g2")
    if major[:3] in (b"3gp", b"3ge", b"3gs", b"3gg"):
        return Sniffed("video", "video/3gpp", "3gp")
    return Sniffed("video", "video/mp4", "mp4")


def _riff_ebml_ogg(head: bytes) -> Sniffed | None:
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return Sniffed("video", "video/webm", "webm")
        return Sniffed("video", "video/x-matroska", "matroska")
    if head[:4] == b"RIFF":
        form = head[8:12]
        if form == b"AVI ":
            return Sniffed("video", "video/x-msvideo", "avi")
        if form == b"WAVE":
            return Sniffed("audio", "audio/wav", "wav")
    if head[:4] == b"RF64" and head[8:12] == b"WAVE":
        return Sniffed("audio", "audio/wav", "wav")
    if head.startswith(b"OggS"):
        if b"OpusHead" in head:
            return Sniffed("audio", "audio/ogg", "opus")
        if b"\x80theora" in head:
            return Sniffed("video", "video/ogg", "ogg")
        return Sniffed("audio", "audio/ogg", "ogg")
    return None


def _audio(head: bytes) -> Sniffed | None:
    if head.startswith(b"fLaC"):
        return Sniffed("audio", "audio/flac", "flac")
    if head.startswith(b"#!AMR-WB\n"):
        return Sniffed("audio", "audio/amr-wb", "amr-wb")
    if head.startswith(b"#!AMR\n"):
        return Sniffed("audio", "audio/amr", "amr")
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return Sniffed("audio", "audio/aiff", "aiff")
    if head.startswith(b"caff"):
        return Sniffed("audio", "audio/x-caf", "caf")
    body = head
    if head.startswith(b"ID3") and len(head) >= 10:
        # ID3v2 size is "syncsafe": 4 x 7 bits. Look past the tag for the first frame.
        tag_size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        body = head[10 + tag_size :]
        if not body:  # tag longer than what we read: ID3 means MP3 in practice
            return Sniffed("audio", "audio/mpeg", "mp3")
    if len(body) >= 3 and body[0] == 0xFF:
        b1 = body[1]
        if b1 & 0xF6 == 0xF0:  # 12-bit sync + layer 00: AAC ADTS
            return Sniffed("audio", "audio/aac", "aac")
        layer = (b1 >> 1) & 0x3
        bitrate_index = body[2] >> 4
        if b1 & 0xE0 == 0xE0 and layer != 0 and bitrate_index != 0xF:
            return Sniffed("audio", "audio/mpeg", "mp3")
    if head.startswith(b"ID3"):
        return Sniffed("audio", "audio/mpeg", "mp3")
    return None


def _other_video(head: bytes) -> Sniffed | None:
    if head.startswith(b"FLV\x01"):
        return Sniffed("video", "video/x-flv", "flv")
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return Sniffed("video", "video/x-ms-asf", "asf")
    if len(head) > 376 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return Sniffed("video", "video/mp2t", "mpegts")
    if head.startswith(b"\x00\x00\x01\xba"):
        return Sniffed("video", "video/mpeg", "mpeg-ps")
    if head.startswith(b"\x00\x00\x00\x01") and len(head) > 4 and head[4] & 0x1F in (7, 9):
        return Sniffed("video", "video/h264", "h264")  # Annex B elementary stream (SPS/AUD)
    return None


def _document_archive(head: bytes) -> Sniffed | None:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"%PDF-":
        return Sniffed("document", "application/pdf", "pdf")
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument" in head[:128]:
            return Sniffed("document", "application/vnd.oasis.opendocument", "odf")
        if b"[Content_Types].xml" in head or b"word/" in head or b"xl/" in head or b"ppt/" in head:
            return Sniffed("document", "application/vnd.openxmlformats-officedocument", "ooxml")
        return Sniffed("archive", "application/zip", "zip")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Sniffed("document", "application/x-ole-storage", "ole")
    if head.startswith(b"\x1f\x8b"):
        return Sniffed("archive", "application/gzip", "gzip")
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return Sniffed("archive", "application/x-7z-compressed", "7z")
    if head.startswith(b"Rar!\x1a\x07"):
        return Sniffed("archive", "application/vnd.rar", "rar")
    return None


_DETECTORS = (_executable, _image, _isobmff, _riff_ebml_ogg, _audio, _other_video, _document_archive)
