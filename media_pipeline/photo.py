"""Still-image derivatives: upright, metadata-free JPEG thumbnail and display copies.

- JPEGs are decoded at a reduced scale (libjpeg's 1/2, 1/4, 1/8 via ``Image.draft``) when
  the largest requested size allows it: a 12 MP photo becomes a 320 px thumbnail after
  decoding only 1/64 of its pixels.
- EXIF orientation is applied *after* downscaling (a transpose of the small image is far
  cheaper than of the full one). HEIC/HEIF arrives upright from pillow-heif already.
- Outputs carry no EXIF, XMP, GPS or comments: derivatives are shown to more people than
  the original, and location is sensitive personal data (PIPL Art. 28). The ICC colour
  profile is kept so colours stay right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from media_pipeline import _pillow
from media_pipeline._files import atomic_output, ensure_regular_file
from media_pipeline.errors import MediaBomb
from media_pipeline.hashing import sha256_file
from media_pipeline.types import (
    DEFAULT_LIMITS,
    DEFAULT_OPTIONS,
    Derivative,
    DerivativeName,
    Limits,
    RenderOptions,
)

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_WHITE = (255, 255, 255)


@dataclass(frozen=True, slots=True)
class PhotoSpec:
    """One JPEG to produce: ``name`` -> ``<name>.jpg`` fitting a ``max_edge`` square."""

    name: DerivativeName
    max_edge: int


def default_photo_specs(options: RenderOptions = DEFAULT_OPTIONS) -> tuple[PhotoSpec, ...]:
    return (PhotoSpec("display", options.display_px), PhotoSpec("thumbnail", options.thumbnail_px))


def make_photo_derivatives(
    path: str | Path,
    out_dir: str | Path,
    *,
    specs: Sequence[PhotoSpec] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    options: RenderOptions = DEFAULT_OPTIONS,
) -> list[Derivative]:
    """Write ``<spec.name>.jpg`` into ``out_dir`` for each spec (default: display + thumbnail).

    The image is decoded once, at the smallest scale that still covers the largest spec;
    each smaller spec is resized from the previous one. Images smaller than a spec are not
    enlarged. Re-running overwrites the same files with identical bytes.

    With ``limits.image_sandbox`` (the default) the decoding runs in a child Python under
    ``RLIMIT_AS = limits.image_memory_bytes`` (:mod:`media_pipeline._photo_child`): a bomb
    that passes the pixel and decoded-size checks fails there, never in the caller.

    Raises:
        MediaBomb, UnreadableMedia, TruncatedMedia, OutputWriteFailed, ResourceLimitExceeded.
    """
    src = ensure_regular_file(Path(path))
    out = Path(out_dir)
    ordered = sorted(specs or default_photo_specs(options), key=lambda s: -s.max_edge)
    if limits.image_sandbox:
        from media_pipeline._photo_child import render_in_child

        return render_in_child(src, out, ordered, limits, options)
    return render_photo(src, out, ordered, limits, options)


def decoded_bytes(im: Image.Image) -> int:
    """Memory Pillow needs for ``im``'s pixels at its current (possibly drafted) size."""
    per_pixel = 1 if im.mode in ("1", "L", "P") else 2 if im.mode.startswith("I;16") else 4
    return im.size[0] * im.size[1] * per_pixel


def render_photo(
    src: Path, out: Path, ordered: Sequence[PhotoSpec], limits: Limits, options: RenderOptions
) -> list[Derivative]:
    """The in-process rendering (what the sandboxed child runs)."""
    results: list[Derivative] = []
    with _pillow.open_image(src, limits) as im:
        orientation = _pillow.orientation_of(im)
        icc = im.info.get("icc_profile") if im.mode not in ("CMYK", "I;16", "I", "F") else None
        with _pillow.decoding():
            if im.format in ("JPEG", "MPO"):
                # Reduce-on-load. draft() keeps both sides >= the requested size, so ask for
                # the exact fitted size of the largest output, not a square box.
                im.draft("RGB", _fit(im.size, ordered[0].max_edge))
            if decoded_bytes(im) > limits.max_image_decoded_bytes:
                w, h = im.size
                raise MediaBomb(
                    f"image {w}x{h} {im.mode} decodes to {decoded_bytes(im)} bytes, "
                    f"limit is {limits.max_image_decoded_bytes}"
                )
            im.load()
            work = _to_rgb(im)
            for spec in ordered:
                if max(work.size) > spec.max_edge:
                    work.thumbnail((spec.max_edge, spec.max_edge))
                final = work.transpose(_TRANSPOSE[orientation]) if orientation in _TRANSPOSE else work
                results.append(_save_jpeg(final, out / f"{spec.name}.jpg", spec.name, icc, options))
    return results


def _fit(size: tuple[int, int], max_edge: int) -> tuple[int, int]:
    w, h = size
    scale = min(1.0, max_edge / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def _to_rgb(im: Image.Image) -> Image.Image:
    """A mode JPEG can store: RGB or L. Transparency is flattened onto white."""
    if im.mode in ("RGB", "L"):
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if im.mode == "F":
        return im.convert("L")
    if im.mode == "1":
        return im.convert("L")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, _WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")


def _save_jpeg(
    im: Image.Image, dest: Path, name: DerivativeName, icc: bytes | None, options: RenderOptions
) -> Derivative:
    # Pillow copies some of im.info (e.g. a JPEG comment) into the output unless told
    # otherwise; start from an empty info so nothing from the original leaks through.
    im.info = {}
    params: dict[str, object] = {"quality": options.jpeg_quality}
    if icc:
        params["icc_profile"] = icc
    with atomic_output(dest) as tmp:
        im.save(tmp, "JPEG", **params)
    return Derivative(
        name=name,
        path=dest,
        mime="image/jpeg",
        size_bytes=dest.stat().st_size,
        sha256=sha256_file(dest),
        width=im.width,
        height=im.height,
    )
