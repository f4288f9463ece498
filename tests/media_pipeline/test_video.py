from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline import (
    KindMismatch,
    Limits,
    MediaInfo,
    ToolTimeout,
    make_contact_sheet,
    make_poster,
    make_preview,
    probe,
)


def ffprobe_json(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        check=True,
        capture_output=True,
    ).stdout
    return json.loads(out)


def top_level_boxes(path: Path) -> list[bytes]:
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8])
        if size < 8:
            break
        offset += size
    return boxes


@pytest.fixture(scope="module")
def video_info(media: dict[str, Path]) -> MediaInfo:
    return probe(media["video"])


@pytest.fixture(scope="module")
def rotated_info(media: dict[str, Path]) -> MediaInfo:
    return probe(media["video_rotated"])


@pytest.fixture(scope="module")
def preview(media: dict[str, Path], video_info: MediaInfo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("preview") / "preview.mp4"
    make_preview(media["video"], out, video_info)
    return out


def test_the_poster_is_a_jpeg_no_larger_than_1280(
    media: dict[str, Path], video_info: MediaInfo, tmp_path: Path
) -> None:
    poster = make_poster(media["video"], tmp_path / "poster.jpg", video_info)

    assert (poster.width, poster.height) == (1280, 720)
    assert poster.mime == "image/jpeg"
    with Image.open(poster.path) as im:
        assert im.format == "JPEG"
        assert im.size == (1280, 720)
        assert len(im.getexif()) == 0


def test_the_poster_of_a_rotated_clip_is_upright(
    media: dict[str, Path], rotated_info: MediaInfo, tmp_path: Path
) -> None:
    poster = make_poster(media["video_rotated"], tmp_path / "poster.jpg", rotated_info)

    with Image.open(poster.path) as im:
        assert im.size == (240, 320)


def test_the_preview_is_browser_playable_h264_aac_at_720p(preview: Path) -> None:
    data = ffprobe_json(preview)
    video = next(s for s in data["streams"] if s["codec_type"] == "video")
    audio = next(s for s in data["streams"] if s["codec_type"] == "audio")

    assert video["codec_name"] == "h264"
    assert video["profile"] == "High"
    assert video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == (1280, 720)
    assert audio["codec_name"] == "aac"
    assert float(data["format"]["duration"]) == pytest.approx(2.0, abs=0.15)


def test_the_preview_has_its_index_at_the_front(preview: Path) -> None:
    boxes = top_level_boxes(preview)

    assert boxes.index(b"moov") < boxes.index(b"mdat")


def test_the_preview_carries_no_location_or_time_metadata(preview: Path) -> None:
    tags = ffprobe_json(preview)["format"].get("tags", {})

    assert not {"location", "location-eng", "creation_time"} & set(tags)


def test_the_preview_of_a_rotated_clip_is_upright_with_even_sides(
    media: dict[str, Path], rotated_info: MediaInfo, tmp_path: Path
) -> None:
    made = make_preview(media["video_rotated"], tmp_path / "preview.mp4", rotated_info)
    info = probe(made.path)

    assert (info.width, info.height) == (240, 320)
    assert info.rotation == 0
    assert info.width % 2 == 0 and info.height % 2 == 0
    assert (made.width, made.height) == (240, 320)


def test_the_contact_sheet_is_a_grid_of_frames(media: dict[str, Path], video_info: MediaInfo, tmp_path: Path) -> None:
    sheet = make_contact_sheet(media["video"], tmp_path / "contact_sheet.jpg", video_info)

    # 4 x 3 cells of 320x180 with 4 px gaps.
    assert (sheet.width, sheet.height) == (4 * 320 + 5 * 4, 3 * 180 + 4 * 4)
    with Image.open(sheet.path) as im:
        assert im.size == (sheet.width, sheet.height)
        # Cells hold picture, gaps are dark.
        assert sum(im.getpixel((4 + 160, 4 + 90))) > 60


def test_the_contact_sheet_of_a_rotated_clip_has_portrait_cells(
    media: dict[str, Path], rotated_info: MediaInfo, tmp_path: Path
) -> None:
    sheet = make_contact_sheet(media["video_rotated"], tmp_path / "contact_sheet.jpg", rotated_info)

    assert (sheet.width, sheet.height) == (4 * 240 + 5 * 4, 3 * 320 + 4 * 4)


def test_a_transcode_over_its_time_budget_is_killed(
    media: dict[str, Path], video_info: MediaInfo, tmp_path: Path
) -> None:
    limits = Limits(transcode_timeout_base_s=0.05, transcode_timeout_per_media_s=0.0)

    with pytest.raises(ToolTimeout):
        make_preview(media["video"], tmp_path / "preview.mp4", video_info, limits=limits)

    assert list(tmp_path.iterdir()) == []  # neither a partial preview nor a temp file


def test_video_derivatives_need_a_video_stream(media: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(KindMismatch):
        make_poster(media["wav"], tmp_path / "poster.jpg", probe(media["wav"]))


def test_long_clips_use_one_seek_per_frame_with_the_same_result_shape(
    media: dict[str, Path], rotated_info: MediaInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("media_pipeline.video._SINGLE_PASS_FRAMES_PER_CELL", 0)

    sheet = make_contact_sheet(media["video_rotated"], tmp_path / "contact_sheet.jpg", rotated_info)

    assert (sheet.width, sheet.height) == (4 * 240 + 5 * 4, 3 * 320 + 4 * 4)
    with Image.open(sheet.path) as im:
        # The last cell holds a frame too (every seek produced one).
        assert sum(im.getpixel((sheet.width - 4 - 120, sheet.height - 4 - 100))) > 60
