"""The one place where external tools (ffmpeg, ffprobe) are started.

Every child process gets:

- no stdin (``stdin=DEVNULL``; ffmpeg also gets ``-nostdin``),
- its own process group, killed as a whole with SIGKILL when the wall-clock budget runs out,
- ``RLIMIT_AS`` (memory), ``RLIMIT_CPU`` (CPU seconds), ``RLIMIT_FSIZE`` (largest file it may
  write) and no core dumps, set in ``preexec_fn``,
- on Linux, ``PR_SET_PDEATHSIG`` so that it dies with the worker that started it instead of
  running on as an orphan,
- stderr captured; its tail is attached to any error raised.

Input files are always handed to ffmpeg as ``file:<absolute path>`` with
``-protocol_whitelist file`` and a demuxer whitelist, so a crafted file cannot make ffmpeg
open URLs, other local files (HLS/concat playlists) or devices.

Failures are raised as typed :mod:`media_pipeline.errors`; the caller never hangs on a
tool and never sees a bare ``CalledProcessError``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import resource
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from media_pipeline.errors import (
    MediaError,
    ResourceLimitExceeded,
    ToolFailed,
    ToolTimeout,
    ToolUnavailable,
    TruncatedMedia,
    UnreadableMedia,
    UnsupportedMedia,
)
from media_pipeline.types import Limits

StdoutMode = Literal["discard", "capture"] | Callable[[bytes], None]

_READ_CHUNK = 256 * 1024
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class ToolResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes  # only filled with stdout="capture"
    stderr_tail: str
    elapsed_s: float
    # The first lines of stderr often name the root cause (e.g. a failed malloc) that the
    # tail only shows the consequences of; classification looks at both.
    stderr_head: str = ""


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()


def _clamped(which: int, wanted: int) -> tuple[int, int]:
    """(soft, hard) no higher than the hard limit we already have (we cannot raise it)."""
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    return wanted, wanted if hard == resource.RLIM_INFINITY else hard


def _make_preexec(limits: Limits, timeout_s: float) -> Callable[[], None]:
    # Computed in the parent: preexec_fn runs between fork and exec and must stay tiny.
    mem = _clamped(resource.RLIMIT_AS, limits.memory_bytes)
    cpu_soft = limits.cpu_limit(timeout_s)
    cpu = _clamped(resource.RLIMIT_CPU, cpu_soft)
    cpu = (cpu[0], cpu[1] if cpu[1] != resource.RLIM_INFINITY else cpu[0] + 5)
    fsize = _clamped(resource.RLIMIT_FSIZE, limits.max_output_bytes)
    prctl = _prctl

    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mem[0], mem[0]))
        # Soft limit sends SIGXCPU; the hard limit a few seconds later sends SIGKILL.
        resource.setrlimit(resource.RLIMIT_CPU, cpu)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize[0], fsize[0]))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    return preexec


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # start_new_session=True made the child a group leader (pgid == pid). Only signal it
    # while it is not yet reaped, so a recycled pid can never be hit.
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def run_tool(
    argv: Sequence[str],
    *,
    limits: Limits,
    timeout_s: float,
    stdout: StdoutMode = "discard",
    check: bool = True,
) -> ToolResult:
    """Run one external tool under ``limits`` and a wall-clock budget.

    Args:
        argv: full command line; ``argv[0]`` is the binary (usually ``limits.ffmpeg``).
        limits: resource limits for the child.
        timeout_s: wall-clock budget. On expiry the whole process group is SIGKILLed and
            :class:`ToolTimeout` is raised.
        stdout: ``"discard"`` (tool writes files), ``"capture"`` (returned in
            ``ToolResult.stdout``, at most ``limits.max_capture_bytes``) or a callable that
            receives stdout chunks as they arrive (streaming, constant memory). If the
            callable raises, the tool is killed and the exception propagates.
        check: raise a typed error for a non-zero exit (default). With ``check=False`` the
            result is returned and the caller may use :func:`classify_failure` itself.

    Raises:
        ToolUnavailable: the binary is missing or could not be started (transient).
        ToolTimeout: the budget ran out.
        ToolFailed / ResourceLimitExceeded / UnreadableMedia / TruncatedMedia /
            UnsupportedMedia: non-zero exit, classified from the signal and stderr.
    """
    argv = tuple(str(a) for a in argv)
    want_stdout = stdout != "discard"
    started = time.monotonic()
    deadline = started + timeout_s
    try:
        proc = subprocess.Popen(  # argv is built by this package; never a shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if want_stdout else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_make_preexec(limits, timeout_s),  # rlimits must be set in the child
            close_fds=True,
            restore_signals=True,  # Python ignores SIGXFSZ/SIGPIPE; the child must not
        )
    except FileNotFoundError as exc:
        raise ToolUnavailable(f"{argv[0]} not found", argv=argv) from exc
    except (PermissionError, subprocess.SubprocessError, OSError) as exc:
        raise ToolUnavailable(f"cannot start {argv[0]}: {exc}", argv=argv) from exc

    keep_bytes = limits.stderr_tail_chars * 4
    err_head = bytearray()
    err_buf = bytearray()
    out_buf = bytearray()
    timed_out = False
    sel = selectors.DefaultSelector()
    try:
        assert proc.stderr is not None
        sel.register(proc.stderr, selectors.EVENT_READ)
        if want_stdout:
            assert proc.stdout is not None
            sel.register(proc.stdout, selectors.EVENT_READ)
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _events in sel.select(remaining):
                data = os.read(key.fd, _READ_CHUNK)
                if not data:
                    sel.unregister(key.fileobj)
                    continue
                if key.fileobj is proc.stderr:
                    if len(err_head) < keep_bytes:
                        room = keep_bytes - len(err_head)
                        err_head += data[:room]
                        data = data[room:]
                    err_buf += data
                    if len(err_buf) > 2 * keep_bytes:
                        del err_buf[:-keep_bytes]
                elif callable(stdout):
                    stdout(data)
                else:
                    out_buf += data
                    if len(out_buf) > limits.max_capture_bytes:
                        raise ResourceLimitExceeded(
                            f"{Path(argv[0]).name} printed more than {limits.max_capture_bytes} bytes",
                            argv=argv,
                        )
        if not timed_out:
            try:
                returncode = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
    finally:
        _kill_group(proc)
        proc.wait()
        sel.close()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()

    elapsed = time.monotonic() - started
    head = err_head.decode("utf-8", "replace")
    if err_buf:
        tail = bytes(err_buf[-keep_bytes:]).decode("utf-8", "replace")[-limits.stderr_tail_chars :]
    else:
        tail = head[-limits.stderr_tail_chars :]
    if timed_out:
        raise ToolTimeout(
            f"{Path(argv[0]).name} exceeded its {timeout_s:g} s budget and was killed",
            stderr_tail=tail,
            argv=argv,
        )
    result = ToolResult(
        argv=argv,
        returncode=returncode,
        stdout=bytes(out_buf),
        stderr_tail=tail,
        elapsed_s=elapsed,
        stderr_head=head[: limits.stderr_tail_chars],
    )
    if check and returncode != 0:
        raise classify_failure(result)
    return result


# Substrings of ffmpeg/ffprobe stderr (lower-cased) -> error class, first match wins.
_STDERR_RULES: tuple[tuple[tuple[str, ...], type[MediaError], str], ...] = (
    (
        ("cannot allocate memory", "out of memory", "bad_alloc", "malloc of size", "get_buffer() failed"),
        ResourceLimitExceeded,
        "out of memory",
    ),
    (("file size limit", "file too large"), ResourceLimitExceeded, "output size limit reached"),
    (
        ("moov atom not found", "partial file", "truncat", "premature end", "unexpected end of file"),
        TruncatedMedia,
        "file ends early",
    ),
    (("not on whitelist",), UnsupportedMedia, "container format not allowed"),
    (
        ("decoder (codec", "unknown decoder", "no decoder", "unsupported codec", "could not find codec"),
        UnsupportedMedia,
        "no decoder for this codec",
    ),
    (
        ("matches no streams", "does not contain any stream", "output file is empty"),
        UnsupportedMedia,
        "no usable stream",
    ),
    (
        ("invalid data found", "error while decoding", "error opening input"),
        UnreadableMedia,
        "tool could not parse the file",
    ),
)

_SIGNAL_NAMES = {
    signal.SIGSEGV: "SIGSEGV",
    signal.SIGBUS: "SIGBUS",
    signal.SIGABRT: "SIGABRT",
    signal.SIGILL: "SIGILL",
    signal.SIGFPE: "SIGFPE",
    signal.SIGKILL: "SIGKILL",
}


def classify_failure(result: ToolResult) -> MediaError:
    """Turn a failed tool run into the most specific typed error."""
    tool = Path(result.argv[0]).name if result.argv else "tool"
    kwargs = {"stderr_tail": result.stderr_tail, "argv": result.argv}
    rc = result.returncode
    if rc < 0:
        sig = -rc
        if sig == signal.SIGXCPU:
            return ResourceLimitExceeded(f"{tool} hit its CPU time limit", returncode=rc, **kwargs)
        if sig == signal.SIGXFSZ:
            return ResourceLimitExceeded(f"{tool} hit its output size limit", returncode=rc, **kwargs)
        name = _SIGNAL_NAMES.get(sig, f"signal {sig}")
        hint = " (possibly out of memory)" if sig == signal.SIGKILL else ""
        return ToolFailed(f"{tool} crashed with {name}{hint}", returncode=rc, **kwargs)
    text = (result.stderr_head + "\n" + result.stderr_tail).lower()
    for needles, cls, detail in _STDERR_RULES:
        if any(n in text for n in needles):
            if issubclass(cls, ToolFailed):
                return cls(f"{tool}: {detail}", returncode=rc, **kwargs)
            return cls(f"{tool}: {detail}", **kwargs)
    return ToolFailed(f"{tool} exited with status {rc}", returncode=rc, **kwargs)


# --- command-line builders ---------------------------------------------------------------


def ffmpeg_base(limits: Limits) -> list[str]:
    """Start of every ffmpeg command: quiet, no stdin, overwrite our own temp outputs."""
    return [limits.ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"]


def ffprobe_base(limits: Limits) -> list[str]:
    # ffprobe has no -nostdin (it never reads stdin); run_tool gives it /dev/null anyway.
    return [limits.ffprobe, "-hide_banner", "-loglevel", "error"]


def input_args(
    path: Path,
    limits: Limits,
    *,
    seek_s: float | None = None,
    read_s: float | None = None,
) -> list[str]:
    """``-i`` for a local file with the protocol and demuxer whitelists in front of it."""
    args: list[str] = []
    if seek_s is not None:
        args += ["-ss", f"{seek_s:.3f}"]
    if read_s is not None:
        args += ["-t", f"{read_s:.3f}"]
    args += [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        ",".join(limits.allowed_demuxers),
        "-i",
        "file:" + os.fspath(Path(path).resolve()),
    ]
    return args
