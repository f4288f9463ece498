"""process(): sniff, probe and make every derivative for one evidence file.

Contract:

- The input is only ever opened read-only; nothing is written next to it.
- Outputs go to ``out_dir`` under fixed names (:data:`OUTPUT_NAMES`), each written to a
  temp file and renamed into place. Running again with the same input and options
  overwrites the same files with the same bytes, so a retried task needs no cleanup.
- Failures raise :class:`media_pipeline.errors.MediaError` subclasses; see that module for
  which ones are worth a retry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from media_pipeline._files import ensure_regular_file
from media_pipeline.audio import make_proxy, make_waveform
from media_pipeline.errors import DisguisedExecutable, KindMismatch, OutputWriteFailed
from media_pipeline.photo import make_photo_derivatives
from media_pipeline.probe import probe
from media_pipeline.sniff import kind_matches, sniff
from media_pipeline.types import (
    DEFAULT_LIMITS,
    DEFAULT_OPTIONS,
    Derivative,
    Limits,
    MediaInfo,
    ProcessResult,
    RenderOptions,
)
from media_pipeline.video import make_contact_sheet, make_poster, make_preview

OUTPUT_NAMES: dict[str, tuple[str, ...]] = {
    "photo": ("display.jpg", "thumbnail.jpg"),
    "video": ("poster.jpg", "preview.mp4", "contact_sheet.jpg"),
    "audio": ("proxy.m4a", "waveform.json", "waveform.png"),
}
_KIND_ALIASES = {"image": "photo"}

T = TypeVar("T")


def process(
    path: str | Path,
    kind: str,
    out_dir: str | Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    options: RenderOptions = DEFAULT_OPTIONS,
) -> ProcessResult:
    """Probe ``path`` and write the derivatives for its declared ``kind``.

    Args:
        path: the original file (read-only).
        kind: declared evidence kind: ``"photo"`` (or ``"image"``), ``"video"`` or ``"audio"``.
        out_dir: directory for the derivatives; created if missing.
        limits: resource limits and tool paths.
        options: sizes and quality settings.

    Returns:
        ProcessResult with the sniffed type, the MediaInfo and the derivatives:
        photo -> display.jpg, thumbnail.jpg; video -> poster.jpg, preview.mp4,
        contact_sheet.jpg; audio -> proxy.m4a, waveform.json, waveform.png.

    Raises:
        ValueError: ``kind`` is not one of the media kinds (documents are not processed).
        DisguisedExecutable: the content is a program or script, whatever its name.
        KindMismatch: the content does not fit the declared kind.
        MediaError: any other typed failure from probing or rendering.
    """
    declared = _KIND_ALIASES.get(kind, kind)
    if declared not in OUTPUT_NAMES:
        raise ValueError(f"process() handles photo, video and audio, not {kind!r}")
    src = ensure_regular_file(Path(path))
    out = Path(out_dir)
    if src.resolve().parent == out.resolve() and src.name in OUTPUT_NAMES[declared]:
        raise ValueError("out_dir would overwrite the original")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputWriteFailed(f"cannot create {out}: {exc.strerror}") from exc

    timings: list[tuple[str, float]] = []

    def step(name: str, fn: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            return fn()
        finally:
            timings.append((name, time.perf_counter() - started))

    sniffed = step("sniff", lambda: sniff(src))
    if sniffed.kind == "executable":
        raise DisguisedExecutable(f"content is {sniffed.format} ({sniffed.mime}), declared {kind}")
    if sniffed.kind != "unknown" and not kind_matches(declared, sniffed):
        raise KindMismatch(f"declared {kind}, content is {sniffed.format} ({sniffed.mime})")
    info = step("probe", lambda: probe(src, limits=limits, sniffed=sniffed))

    derivatives: list[Derivative] = []
    kw = {"limits": limits, "options": options}
    if declared == "photo":
        _expect(info, "image", kind)
        derivatives += step("photo", lambda: make_photo_derivatives(src, out, **kw))
    elif declared == "video":
        _expect(info, "video", kind)
        derivatives.append(step("poster", lambda: make_poster(src, out / "poster.jpg", info, **kw)))
        derivatives.append(
            step("contact_sheet", lambda: make_contact_sheet(src, out / "contact_sheet.jpg", info, **kw))
        )
        derivatives.append(step("preview", lambda: make_preview(src, out / "preview.mp4", info, **kw)))
    else:
        if not info.audio_codec:
            raise KindMismatch(f"declared {kind}, but the file has no audio stream")
        derivatives.append(step("proxy", lambda: make_proxy(src, out / "proxy.m4a", info, **kw)))
        derivatives += step(
            "waveform",
            lambda: make_waveform(src, out / "waveform.json", out / "waveform.png", info, **kw),
        )
    return ProcessResult(
        declared_kind=kind,
        sniffed=sniffed,
        info=info,
        derivatives=tuple(derivatives),
        timings=tuple(timings),
    )


def _expect(info: MediaInfo, media_kind: str, declared: str) -> None:
    if info.kind != media_kind:
        raise KindMismatch(f"declared {declared}, but the file is {info.kind} ({info.mime})")
