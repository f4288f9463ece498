from __future__ import annotations

import os
from pathlib import Path

import pytest

from media_pipeline import Sniffed, UnreadableMedia, kind_matches, sniff


@pytest.mark.parametrize(
    ("head", "kind", "mime"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image", "image/png"),
        (b"GIF89a\x01\x00", "image", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image", "image/webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "image", "image/heic"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "image", "image/avif"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41", "video", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "video", "video/quicktime"),
        (b"\x00\x00\x00\x1cftyp3gp4\x00\x00\x00\x00isom3gp4", "video", "video/3gpp"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isommp42", "audio", "audio/mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video", "video/webm"),
        (b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska", "video", "video/x-matroska"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "video", "video/x-msvideo"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio", "audio/wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00", "audio", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00", "audio", "audio/mpeg"),
        (b"\xff\xf1\x50\x80\x02\x1f\xfc", "audio", "audio/aac"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", "audio", "audio/ogg"),
        (b"#!AMR\n\x3c", "audio", "audio/amr"),
        (b"#!AMR-WB\n", "audio", "audio/amr-wb"),
        (b"fLaC\x00\x00\x00\x22", "audio", "audio/flac"),
        (b"%PDF-1.7\n", "document", "application/pdf"),
        (b"\x7fELF\x02\x01\x01", "executable", "application/x-executable"),
        (b"MZ\x90\x00\x03\x00", "executable", "application/vnd.microsoft.portable-executable"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", "executable", "application/x-mach-binary"),
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x02", "executable", "application/x-mach-binary"),
        (b"#!/bin/sh\necho hi\n", "executable", "text/x-shellscript"),
        (b"PK\x03\x04\x14\x00", "archive", "application/zip"),
        (b"hello, world", "unknown", "application/octet-stream"),
        (b"", "unknown", "application/octet-stream"),
    ],
)
def test_it_identifies_content_by_magic_numbers(head: bytes, kind: str, mime: str) -> None:
    found = sniff(head)
    assert (found.kind, found.mime) == (kind, mime)


@pytest.mark.parametrize(
    ("name", "kind", "mime"),
    [
        ("video", "video", "video/mp4"),
        ("video_iphone", "video", "video/quicktime"),
        ("webm", "video", "video/webm"),
        ("wav", "audio", "audio/wav"),
        ("mp3", "audio", "audio/mpeg"),
        ("m4a", "audio", "audio/mp4"),
        ("opus", "audio", "audio/ogg"),
        ("jpeg", "image", "image/jpeg"),
        ("png", "image", "image/png"),
        ("heic", "image", "image/heic"),
        ("pdf", "document", "application/pdf"),
    ],
)
def test_it_identifies_files_made_by_real_tools(media: dict[str, Path], name: str, kind: str, mime: str) -> None:
    found = sniff(media[name])
    assert (found.kind, found.mime) == (kind, mime)


def test_an_executable_named_jpg_is_identified_as_executable(media: dict[str, Path]) -> None:
    found = sniff(media["elf_as_jpg"])

    assert found.kind == "executable"
    assert found.format == "elf"
    assert not kind_matches("photo", found)


def test_a_shell_script_named_jpg_is_identified_as_executable(media: dict[str, Path]) -> None:
    assert sniff(media["script_as_jpg"]).kind == "executable"


@pytest.mark.parametrize(
    ("declared", "sniffed", "expected"),
    [
        ("photo", Sniffed("image", "image/jpeg", "jpeg"), True),
        ("photo", Sniffed("image", "image/heic", "heic"), True),
        ("photo", Sniffed("video", "video/mp4", "mp4"), False),
        ("video", Sniffed("video", "video/quicktime", "quicktime"), True),
        ("video", Sniffed("audio", "audio/mp4", "m4a"), False),
        ("audio", Sniffed("audio", "audio/mpeg", "mp3"), True),
        ("audio", Sniffed("video", "video/mp4", "mp4"), True),  # recorder apps write .mp4
        ("audio", Sniffed("video", "video/x-msvideo", "avi"), False),
        ("document", Sniffed("document", "application/pdf", "pdf"), True),
        ("document", Sniffed("image", "image/jpeg", "jpeg"), True),  # photographed paper
        ("document", Sniffed("video", "video/mp4", "mp4"), False),
        ("photo", Sniffed("executable", "application/x-executable", "elf"), False),
        ("document", Sniffed("executable", "text/x-shellscript", "script"), False),
        ("document", Sniffed("archive", "application/zip", "zip"), False),
        ("video", Sniffed("unknown", "application/octet-stream", "unknown"), False),
        ("spreadsheet", Sniffed("document", "application/pdf", "pdf"), False),
    ],
)
def test_kind_matches_follows_the_declared_kind_table(declared: str, sniffed: Sniffed, expected: bool) -> None:
    assert kind_matches(declared, sniffed) is expected


def test_it_refuses_to_read_a_fifo_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "evil.mp4"
    os.mkfifo(fifo)

    with pytest.raises(UnreadableMedia, match="not a regular file"):
        sniff(fifo)


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableMedia, match="not found"):
        sniff(tmp_path / "nope.jpg")
