from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from media_pipeline import (
    DisguisedExecutable,
    GeoPoint,
    Limits,
    MediaBomb,
    ToolTimeout,
    TruncatedMedia,
    UnreadableMedia,
    UnsupportedMedia,
    probe,
)

CST = timezone(timedelta(hours=8))


def test_it_describes_a_1080p_h264_aac_video(media: dict[str, Path]) -> None:
    info = probe(media["video"])

    assert info.kind == "video"
    assert info.mime == "video/mp4"
    assert "mp4" in info.container
    assert (info.width, info.height) == (1920, 1080)
    assert info.fps == 30.0
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    assert info.video_codec == "h264"
    assert info.pixel_format == "yuv420p"
    assert info.audio_codec == "aac"
    assert info.audio_channels == 2
    assert info.audio_sample_rate == 48000
    assert info.bit_rate and info.bit_rate > 0
    assert info.rotation == 0
    assert info.size_bytes == media["video"].stat().st_size


def test_it_reads_the_container_creation_time_and_location(media: dict[str, Path]) -> None:
    info = probe(media["video"])

    assert info.creation_time == datetime(2024, 5, 1, 2, 3, 4, tzinfo=UTC)
    assert info.gps == GeoPoint(lat=31.2304, lon=121.4737, alt_m=4.0)


def test_it_reads_iphone_quicktime_tags(media: dict[str, Path]) -> None:
    info = probe(media["video_iphone"])

    assert info.mime == "video/quicktime"
    assert (info.camera_make, info.camera_model) == ("Apple", "iPhone 15")
    assert info.creation_time == datetime(2024, 5, 1, 10, 3, 4, tzinfo=CST)
    assert info.gps is not None and info.gps.lat == pytest.approx(31.2304)


def test_it_reports_rotation_and_the_upright_display_size(media: dict[str, Path]) -> None:
    info = probe(media["video_rotated"])

    assert (info.width, info.height) == (320, 240)
    assert info.rotation == 90
    assert (info.display_width, info.display_height) == (240, 320)


@pytest.mark.parametrize(
    ("name", "codec", "mime"),
    [
        ("wav", "pcm_s16le", "audio/wav"),
        ("mp3", "mp3", "audio/mpeg"),
        ("m4a", "aac", "audio/mp4"),
        ("opus", "opus", "audio/ogg"),
    ],
)
def test_it_describes_audio(media: dict[str, Path], name: str, codec: str, mime: str) -> None:
    info = probe(media[name])

    assert info.kind == "audio"
    assert info.mime == mime
    assert info.audio_codec == codec
    assert info.audio_channels == 1
    assert info.duration_s == pytest.approx(3.0, abs=0.1)
    assert info.width is None and info.video_codec is None


def test_it_reads_exif_from_a_jpeg(media: dict[str, Path]) -> None:
    info = probe(media["jpeg"])

    assert info.kind == "image"
    assert info.container == "JPEG"
    assert (info.width, info.height) == (800, 600)
    assert info.orientation == 6
    assert (info.display_width, info.display_height) == (600, 800)
    assert (info.camera_make, info.camera_model) == ("TestMaker", "Model X")
    assert info.datetime_original == datetime(2024, 5, 1, 10, 3, 4)  # camera wall clock, naive
    assert info.creation_time == datetime(2024, 5, 1, 10, 3, 4, tzinfo=CST)


def test_it_converts_exif_gps_rationals_to_signed_degrees(media: dict[str, Path]) -> None:
    gps = probe(media["jpeg"]).gps

    assert gps is not None
    assert gps.lat == pytest.approx(31.2304, abs=1e-4)
    assert gps.lon == pytest.approx(-121.4737, abs=1e-4)  # written with ref "W"
    assert gps.alt_m == pytest.approx(12.5)


def test_it_reads_a_heic_photo(media: dict[str, Path]) -> None:
    info = probe(media["heic"])

    assert info.kind == "image"
    assert info.mime == "image/heic"
    assert info.camera_make == "Apple"
    assert info.orientation == 6
    assert (info.width, info.height) == (640, 480)
    assert (info.display_width, info.display_height) == (480, 640)


def test_media_info_serialises_to_json_ready_values(media: dict[str, Path]) -> None:
    data = probe(media["jpeg"]).to_dict()

    assert data["creation_time"] == "2024-05-01T10:03:04+08:00"
    assert data["gps"]["alt_m"] == pytest.approx(12.5)
    assert data["display_width"] == 600


# --- failures ------------------------------------------------------------------------------


def test_a_truncated_mp4_is_reported_as_truncated(media: dict[str, Path]) -> None:
    with pytest.raises(TruncatedMedia) as caught:
        probe(media["truncated_mp4"])

    assert caught.value.code == "media_truncated"
    assert not caught.value.transient


def test_a_truncated_webm_is_reported_as_truncated(media: dict[str, Path]) -> None:
    with pytest.raises(TruncatedMedia):
        probe(media["truncated_webm"])


def test_random_bytes_are_unreadable(media: dict[str, Path]) -> None:
    with pytest.raises(UnreadableMedia) as caught:
        probe(media["random"])

    assert caught.value.code == "media_unreadable"


def test_a_jpeg_header_followed_by_garbage_is_unreadable(media: dict[str, Path]) -> None:
    with pytest.raises(UnreadableMedia):
        probe(media["corrupt_jpeg"])


def test_a_decompression_bomb_png_is_refused_before_decoding(media: dict[str, Path]) -> None:
    with pytest.raises(MediaBomb) as caught:
        probe(media["bomb_png"])

    assert caught.value.code == "media_bomb"


def test_the_pixel_limit_is_configurable(media: dict[str, Path]) -> None:
    # 800x600 = 480 000 pixels; Pillow's warning band (limit < pixels < 2 x limit) counts too.
    with pytest.raises(MediaBomb):
        probe(media["jpeg"], limits=Limits(max_image_pixels=300_000))
    assert probe(media["jpeg"], limits=Limits(max_image_pixels=480_000)).width == 800


def test_pillows_global_limit_is_left_as_it_was(media: dict[str, Path]) -> None:
    from PIL import Image

    before = Image.MAX_IMAGE_PIXELS
    probe(media["jpeg"], limits=Limits(max_image_pixels=1_000_000))
    assert before == Image.MAX_IMAGE_PIXELS


def test_a_video_frame_over_the_limit_is_a_bomb(media: dict[str, Path]) -> None:
    with pytest.raises(MediaBomb, match="1920x1080"):
        probe(media["video"], limits=Limits(max_video_pixels=1280 * 720))


def test_an_overlong_duration_is_refused(media: dict[str, Path]) -> None:
    with pytest.raises(MediaBomb, match="duration"):
        probe(media["wav"], limits=Limits(max_duration_s=1.0))


def test_an_executable_named_jpg_is_refused(media: dict[str, Path]) -> None:
    with pytest.raises(DisguisedExecutable) as caught:
        probe(media["elf_as_jpg"])

    assert caught.value.code == "media_executable"


def test_a_pdf_is_not_media(media: dict[str, Path]) -> None:
    with pytest.raises(UnsupportedMedia):
        probe(media["pdf"])


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "stream.mp4"
    os.mkfifo(fifo)

    with pytest.raises(UnreadableMedia):
        probe(fifo)


def test_ffprobe_over_its_time_budget_is_killed(media: dict[str, Path]) -> None:
    with pytest.raises(ToolTimeout):
        probe(media["video"], limits=Limits(probe_timeout_s=0.001))
