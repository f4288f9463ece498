from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from media_pipeline import (
    OUTPUT_NAMES,
    DisguisedExecutable,
    KindMismatch,
    MediaBomb,
    MediaError,
    ProcessResult,
    TruncatedMedia,
    UnreadableMedia,
    process,
    sha256_file,
)


@pytest.fixture(scope="module")
def video_run(media: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> ProcessResult:
    return process(media["video"], "video", tmp_path_factory.mktemp("video_out"))


def test_a_photo_gets_display_and_thumbnail(media: dict[str, Path], tmp_path: Path) -> None:
    result = process(media["jpeg"], "photo", tmp_path)

    assert result.info.kind == "image"
    assert result.info.gps is not None
    assert {d.path.name for d in result.derivatives} == set(OUTPUT_NAMES["photo"])
    assert result.derivative("thumbnail") is not None


def test_image_is_accepted_as_an_alias_for_photo(media: dict[str, Path], tmp_path: Path) -> None:
    assert process(media["heic"], "image", tmp_path).info.mime == "image/heic"


def test_a_video_gets_poster_preview_and_contact_sheet(video_run: ProcessResult) -> None:
    assert [d.name for d in video_run.derivatives] == ["poster", "contact_sheet", "preview"]
    assert {d.path.name for d in video_run.derivatives} == set(OUTPUT_NAMES["video"])
    assert video_run.info.video_codec == "h264"
    assert [step for step, _ in video_run.timings] == ["sniff", "probe", "poster", "contact_sheet", "preview"]


def test_an_audio_file_gets_proxy_and_waveform(media: dict[str, Path], tmp_path: Path) -> None:
    result = process(media["mp3"], "audio", tmp_path)

    assert {d.path.name for d in result.derivatives} == set(OUTPUT_NAMES["audio"])
    assert result.info.duration_s == pytest.approx(3.0, abs=0.1)


def test_audio_declared_for_an_mp4_with_sound_uses_its_audio_track(media: dict[str, Path], tmp_path: Path) -> None:
    result = process(media["video"], "audio", tmp_path)

    assert [d.name for d in result.derivatives] == ["proxy", "waveform", "waveform_png"]


def test_the_result_serialises_to_json(video_run: ProcessResult) -> None:
    data = json.loads(json.dumps(video_run.to_dict()))

    assert data["info"]["creation_time"] == "2024-05-01T02:03:04+00:00"
    assert {d["filename"] for d in data["derivatives"]} == set(OUTPUT_NAMES["video"])
    assert all(len(d["sha256"]) == 64 for d in data["derivatives"])


def test_rerunning_gives_identical_outputs_and_leaves_no_stray_files(
    media: dict[str, Path], video_run: ProcessResult
) -> None:
    out_dir = video_run.derivatives[0].path.parent

    again = process(media["video"], "video", out_dir)

    assert [d.sha256 for d in again.derivatives] == [d.sha256 for d in video_run.derivatives]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(OUTPUT_NAMES["video"])


@pytest.mark.parametrize(("name", "kind"), [("jpeg", "photo"), ("video_rotated", "video"), ("wav", "audio")])
def test_the_original_is_never_modified(media: dict[str, Path], tmp_path: Path, name: str, kind: str) -> None:
    src = media[name]
    before = (sha256_file(src), os.stat(src).st_mtime_ns, os.stat(src).st_size)

    process(src, kind, tmp_path)

    assert (sha256_file(src), os.stat(src).st_mtime_ns, os.stat(src).st_size) == before


@pytest.mark.parametrize(
    ("name", "kind", "error", "code"),
    [
        ("elf_as_jpg", "photo", DisguisedExecutable, "media_executable"),
        ("script_as_jpg", "photo", DisguisedExecutable, "media_executable"),
        ("jpeg", "video", KindMismatch, "media_kind_mismatch"),
        ("video", "photo", KindMismatch, "media_kind_mismatch"),
        ("video_rotated", "audio", KindMismatch, "media_kind_mismatch"),  # mp4 without sound
        ("random", "video", UnreadableMedia, "media_unreadable"),
        ("corrupt_jpeg", "photo", UnreadableMedia, "media_unreadable"),
        ("truncated_jpeg", "photo", TruncatedMedia, "media_truncated"),
        ("truncated_mp4", "video", TruncatedMedia, "media_truncated"),
        ("bomb_png", "photo", MediaBomb, "media_bomb"),
    ],
)
def test_bad_inputs_fail_with_a_typed_permanent_error(
    media: dict[str, Path], tmp_path: Path, name: str, kind: str, error: type[MediaError], code: str
) -> None:
    with pytest.raises(error) as caught:
        process(media[name], kind, tmp_path)

    assert caught.value.code == code
    assert not caught.value.transient
    assert " / " in caught.value.reason  # Chinese / English
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_documents_are_not_processed(media: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="photo, video and audio"):
        process(media["pdf"], "document", tmp_path)


def test_the_output_directory_may_not_be_the_originals_own_name(tmp_path: Path, media: dict[str, Path]) -> None:
    victim = tmp_path / "thumbnail.jpg"
    victim.write_bytes(media["jpeg"].read_bytes())

    with pytest.raises(ValueError, match="overwrite the original"):
        process(victim, "photo", tmp_path)
