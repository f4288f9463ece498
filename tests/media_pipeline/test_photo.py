from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from media_pipeline import PhotoSpec, TruncatedMedia, UnreadableMedia, make_photo_derivatives
from media_pipeline.types import Limits

MARK = (255, 0, 0)


def _by_name(derivatives: list) -> dict:
    return {d.name: d for d in derivatives}


def _near(pixel: tuple[int, ...], colour: tuple[int, int, int], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(pixel[:3], colour, strict=True))


def test_it_makes_a_display_copy_and_a_thumbnail(media: dict[str, Path], tmp_path: Path) -> None:
    made = _by_name(make_photo_derivatives(media["jpeg"], tmp_path))

    assert set(made) == {"display", "thumbnail"}
    thumb, display = made["thumbnail"], made["display"]
    assert thumb.path == tmp_path / "thumbnail.jpg"
    assert display.path == tmp_path / "display.jpg"
    # 800x600 stored with orientation 6 -> upright 600x800; display not enlarged.
    assert (display.width, display.height) == (600, 800)
    assert (thumb.width, thumb.height) == (240, 320)
    with Image.open(thumb.path) as im:
        assert im.format == "JPEG"
        assert im.size == (240, 320)
    assert thumb.mime == "image/jpeg"
    assert thumb.size_bytes == thumb.path.stat().st_size
    assert len(thumb.sha256) == 64


def test_exif_orientation_is_applied(media: dict[str, Path], tmp_path: Path) -> None:
    # The red marker is in the stored top-left; orientation 6 (rotate 90 cw) puts it top-right.
    made = _by_name(make_photo_derivatives(media["jpeg"], tmp_path))

    with Image.open(made["thumbnail"].path) as im:
        assert _near(im.getpixel((im.width - 5, 5)), MARK)
        assert not _near(im.getpixel((5, 5)), MARK)


def test_all_metadata_is_stripped_from_derivatives(media: dict[str, Path], tmp_path: Path) -> None:
    made = make_photo_derivatives(media["jpeg"], tmp_path)

    for d in made:
        raw = d.path.read_bytes()
        assert b"Exif" not in raw
        assert b"secret" not in raw  # neither the JPEG comment nor the XMP packet
        with Image.open(d.path) as im:
            assert len(im.getexif()) == 0
            assert "comment" not in im.info
            assert "xmp" not in im.info


def test_the_colour_profile_is_kept(tmp_path: Path) -> None:
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    src = tmp_path / "icc.jpg"
    Image.new("RGB", (500, 400), (10, 20, 30)).save(src, icc_profile=icc)

    [thumb] = make_photo_derivatives(src, tmp_path / "out", specs=[PhotoSpec("thumbnail", 320)])

    with Image.open(thumb.path) as im:
        assert im.info.get("icc_profile") == icc


def test_a_heic_photo_arrives_upright(media: dict[str, Path], tmp_path: Path) -> None:
    made = _by_name(make_photo_derivatives(media["heic"], tmp_path))

    with Image.open(made["thumbnail"].path) as im:
        assert im.size == (240, 320)
        assert _near(im.getpixel((im.width - 5, 5)), MARK)


def test_transparency_is_flattened_onto_white(media: dict[str, Path], tmp_path: Path) -> None:
    made = _by_name(make_photo_derivatives(media["png"], tmp_path))

    with Image.open(made["thumbnail"].path) as im:
        assert im.mode == "RGB"
        assert _near(im.getpixel((10, 10)), (255, 255, 255), tol=3)


def test_small_images_are_not_enlarged(media: dict[str, Path], tmp_path: Path) -> None:
    made = _by_name(make_photo_derivatives(media["small_jpeg"], tmp_path))

    assert (made["thumbnail"].width, made["thumbnail"].height) == (100, 80)
    assert (made["display"].width, made["display"].height) == (100, 80)


def test_large_jpegs_are_decoded_at_reduced_scale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "big.jpg"
    Image.new("RGB", (4000, 3000), (50, 60, 70)).save(src, quality=70)
    drafted: list[tuple[int, int]] = []
    from PIL import JpegImagePlugin

    original_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self: Image.Image, mode: str | None, size: tuple[int, int] | None) -> object:
        result = original_draft(self, mode, size)
        if result is not None:  # later calls are no-ops once the decoder is configured
            drafted.append(self.size)
        return result

    monkeypatch.setattr("PIL.JpegImagePlugin.JpegImageFile.draft", spy)

    # The spy sees the decoding only in this process: render in-process (the sandbox child runs the same code).
    in_process = Limits(image_sandbox=False)
    [thumb] = make_photo_derivatives(src, tmp_path / "out", specs=[PhotoSpec("thumbnail", 320)], limits=in_process)

    assert drafted == [(500, 375)]  # libjpeg decoded 1/8 of each side
    assert (thumb.width, thumb.height) == (320, 240)


def test_rerunning_overwrites_with_identical_bytes(media: dict[str, Path], tmp_path: Path) -> None:
    first = {d.name: d.sha256 for d in make_photo_derivatives(media["jpeg"], tmp_path)}
    second = {d.name: d.sha256 for d in make_photo_derivatives(media["jpeg"], tmp_path)}

    assert first == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["display.jpg", "thumbnail.jpg"]  # no temp files


def test_a_truncated_jpeg_raises_truncated_media(media: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(TruncatedMedia):
        make_photo_derivatives(media["truncated_jpeg"], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_jpeg_raises_unreadable_media(media: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(UnreadableMedia):
        make_photo_derivatives(media["corrupt_jpeg"], tmp_path)
