"""Still-image rendering in a child Python under the image memory ceiling.

The parent (:func:`render_in_child`) runs ``python -m media_pipeline._photo_child`` through
:func:`media_pipeline.runner.run_tool` — the same ``RLIMIT_AS``/``RLIMIT_CPU``/``RLIMIT_FSIZE``,
wall clock and parent-death signal as ffmpeg — with the job as JSON in argv.
The child prints one JSON line: the derivatives, or the typed error (code + detail). Running out
of address space in the child (``MemoryError``) is reported as :class:`MediaBomb`; a child
killed outright is classified like any tool (``ResourceLimitExceeded`` / ``ToolFailed``).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from media_pipeline.errors import ALL_ERRORS, MediaBomb, MediaError, ToolFailed
from media_pipeline.types import Derivative, Limits, RenderOptions

_ERRORS_BY_CODE = {cls.code: cls for cls in ALL_ERRORS}
_EXIT_MEDIA_ERROR = 3


def _limits_json(limits: Limits) -> dict[str, Any]:
    return {f.name: getattr(limits, f.name) for f in dataclasses.fields(limits)}


def render_in_child(
    src: Path, out: Path, ordered: Sequence[Any], limits: Limits, options: RenderOptions
) -> list[Derivative]:
    from media_pipeline.runner import classify_failure, run_tool

    job = {
        "src": str(src),
        "out": str(out),
        "specs": [{"name": spec.name, "max_edge": spec.max_edge} for spec in ordered],
        "limits": _limits_json(limits),
        "options": {f.name: getattr(options, f.name) for f in dataclasses.fields(options)},
    }
    child_limits = dataclasses.replace(limits, memory_bytes=limits.image_memory_bytes)
    result = run_tool(
        [limits.python, "-m", "media_pipeline._photo_child", json.dumps(job)],
        limits=child_limits,
        timeout_s=limits.image_timeout_s,
        stdout="capture",
        check=False,
    )
    try:
        answer = json.loads(result.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError, UnicodeDecodeError):
        answer = None
    if isinstance(answer, dict) and "derivatives" in answer and result.returncode == 0:
        return [
            Derivative(**{**d, "path": Path(d["path"])})
            for d in answer["derivatives"]
        ]
    if isinstance(answer, dict) and "error" in answer:
        cls = _ERRORS_BY_CODE.get(answer["error"].get("code"), ToolFailed)
        raise cls(str(answer["error"].get("detail", "")))
    raise classify_failure(result)


def _main(argv: list[str]) -> int:
    from media_pipeline.photo import PhotoSpec, render_photo

    job = json.loads(argv[0])
    raw_limits = dict(job["limits"])
    raw_limits["allowed_demuxers"] = tuple(raw_limits["allowed_demuxers"])
    limits = dataclasses.replace(Limits(**raw_limits), image_sandbox=False)
    raw_options = dict(job["options"])
    raw_options["waveform_png_size"] = tuple(raw_options["waveform_png_size"])
    options = RenderOptions(**raw_options)
    specs = [PhotoSpec(spec["name"], spec["max_edge"]) for spec in job["specs"]]
    try:
        try:
            derivatives = render_photo(Path(job["src"]), Path(job["out"]), specs, limits, options)
        except MemoryError:
            ceiling = limits.image_memory_bytes
            raise MediaBomb(f"decoding needs more than the image memory ceiling ({ceiling} bytes)") from None
    except MediaError as exc:
        print(json.dumps({"error": {"code": exc.code, "detail": exc.detail}}))
        return _EXIT_MEDIA_ERROR
    rows = [{**{f.name: getattr(d, f.name) for f in dataclasses.fields(d)}, "path": str(d.path)} for d in derivatives]
    print(json.dumps({"derivatives": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
