"""Typed pipeline errors with stable codes.

Contract for callers (the evidence worker):

- Every failure the pipeline can foresee is a :class:`MediaError`. Anything else escaping
  ``media_pipeline`` is a bug.
- ``err.code`` is a stable snake_case string, safe to store and to switch on.
- ``err.reason`` is a bilingual human sentence ("中文 / English: detail") suitable for the
  item's ``processing_failed`` reason; ``err.to_dict()`` is the structured form.
- ``err.transient`` (or ``isinstance(err, TransientMediaError)``) says whether retrying the
  same file later can succeed. Only transient errors should be retried; permanent ones mean
  the *file* is the problem, and retrying would fail identically.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


class MediaError(Exception):
    """Base class. Not raised directly."""

    code: ClassVar[str] = "media_error"
    message_zh: ClassVar[str] = "媒体处理失败"
    message_en: ClassVar[str] = "Media processing failed"
    transient: ClassVar[bool] = False

    def __init__(self, detail: str = "", *, stderr_tail: str = "", argv: Sequence[str] = ()) -> None:
        self.detail = detail
        self.stderr_tail = stderr_tail
        self.argv = tuple(argv)
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        base = f"{self.message_zh} / {self.message_en}"
        return f"{base}: {self.detail}" if self.detail else base

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message_zh,
            "message_en": self.message_en,
            "detail": self.detail,
            "transient": self.transient,
            "stderr_tail": self.stderr_tail,
        }


class PermanentMediaError(MediaError):
    """The file itself cannot be processed; do not retry."""


class TransientMediaError(MediaError):
    """The environment failed (missing tool, full disk); retry with backoff."""

    transient: ClassVar[bool] = True


# --- permanent: the media is at fault -------------------------------------------------


class UnreadableMedia(PermanentMediaError):
    code = "media_unreadable"
    message_zh = "文件无法读取或已损坏"
    message_en = "File is unreadable or corrupt"


class TruncatedMedia(UnreadableMedia):
    code = "media_truncated"
    message_zh = "文件不完整（可能上传或录制中断）"
    message_en = "File is truncated (upload or recording interrupted)"


class UnsupportedMedia(PermanentMediaError):
    code = "media_unsupported"
    message_zh = "不支持的媒体格式"
    message_en = "Unsupported media format"


class KindMismatch(UnsupportedMedia):
    code = "media_kind_mismatch"
    message_zh = "文件内容与声明的证据类型不符"
    message_en = "File content does not match the declared evidence kind"


class DisguisedExecutable(KindMismatch):
    code = "media_executable"
    message_zh = "文件内容为可执行程序或脚本，已拒绝"
    message_en = "File content is an executable or script; refused"


class MediaBomb(PermanentMediaError):
    code = "media_bomb"
    message_zh = "媒体尺寸或时长超出处理上限（疑似解压炸弹）"
    message_en = "Media exceeds size or duration limits (possible decompression bomb)"


class ToolTimeout(PermanentMediaError):
    """The tool ran past its wall-clock budget and was killed.

    Permanent because a file that hangs ffmpeg hangs it again; a caller that suspects load
    rather than the file may retry once with a larger budget.
    """

    code = "media_tool_timeout"
    message_zh = "媒体处理超时"
    message_en = "Media processing timed out"


class ToolFailed(PermanentMediaError):
    code = "media_tool_failed"
    message_zh = "媒体处理工具执行失败"
    message_en = "Media tool failed"

    def __init__(
        self,
        detail: str = "",
        *,
        stderr_tail: str = "",
        argv: Sequence[str] = (),
        returncode: int | None = None,
    ) -> None:
        self.returncode = returncode
        super().__init__(detail, stderr_tail=stderr_tail, argv=argv)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "returncode": self.returncode}


class ResourceLimitExceeded(ToolFailed):
    code = "media_resource_limit"
    message_zh = "媒体处理超出资源限制（内存、CPU 或输出大小）"
    message_en = "Media processing exceeded a resource limit (memory, CPU or output size)"


# --- transient: the environment is at fault --------------------------------------------


class ToolUnavailable(TransientMediaError):
    code = "media_tool_unavailable"
    message_zh = "媒体处理工具不可用"
    message_en = "Media tool is not available"


class OutputWriteFailed(TransientMediaError):
    code = "media_output_write_failed"
    message_zh = "无法写入处理结果（磁盘空间或权限）"
    message_en = "Could not write derivative files (disk space or permissions)"


ALL_ERRORS: tuple[type[MediaError], ...] = (
    UnreadableMedia,
    TruncatedMedia,
    UnsupportedMedia,
    KindMismatch,
    DisguisedExecutable,
    MediaBomb,
    ToolTimeout,
    ToolFailed,
    ResourceLimitExceeded,
    ToolUnavailable,
    OutputWriteFailed,
)
