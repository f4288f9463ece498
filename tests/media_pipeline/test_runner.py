from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from media_pipeline import (
    Limits,
    ResourceLimitExceeded,
    ToolFailed,
    ToolTimeout,
    ToolUnavailable,
    TruncatedMedia,
    UnreadableMedia,
    UnsupportedMedia,
    run_tool,
)
from media_pipeline.runner import ToolResult, classify_failure, ffmpeg_base, input_args

LIMITS = Limits()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); treat it as dead.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_it_kills_the_whole_process_group_on_timeout(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = f"sleep 30 & echo $! > {pid_file}; wait"
    started = time.monotonic()

    with pytest.raises(ToolTimeout) as caught:
        run_tool(["sh", "-c", script], limits=LIMITS, timeout_s=0.5)

    assert time.monotonic() - started < 5
    assert caught.value.code == "media_tool_timeout"
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 2
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_it_applies_memory_cpu_and_file_size_limits_to_the_child() -> None:
    limits = Limits(memory_bytes=900 * 1024**2, cpu_seconds=42, max_output_bytes=5 * 1024**2)
    code = (
        "import resource as r;"
        "print(r.getrlimit(r.RLIMIT_AS)[0], r.getrlimit(r.RLIMIT_CPU)[0], r.getrlimit(r.RLIMIT_FSIZE)[0],"
        " r.getrlimit(r.RLIMIT_CORE)[0])"
    )

    result = run_tool([sys.executable, "-c", code], limits=limits, timeout_s=10, stdout="capture")

    assert result.stdout.split() == [str(900 * 1024**2).encode(), b"42", str(5 * 1024**2).encode(), b"0"]


def test_the_child_gets_no_stdin() -> None:
    result = run_tool(
        [sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"],
        limits=LIMITS,
        timeout_s=10,
        stdout="capture",
    )

    assert result.stdout.strip() == b"''"


def test_writing_past_the_output_size_limit_kills_the_tool(tmp_path: Path) -> None:
    limits = Limits(max_output_bytes=1024 * 1024)

    with pytest.raises(ResourceLimitExceeded, match="output size"):
        run_tool(
            ["dd", "if=/dev/zero", f"of={tmp_path / 'big'}", "bs=1M", "count=3"],
            limits=limits,
            timeout_s=10,
        )


def test_a_tool_over_its_memory_limit_fails_with_a_resource_error(media: dict[str, Path], tmp_path: Path) -> None:
    limits = Limits(memory_bytes=300 * 1024**2)
    argv = [
        *ffmpeg_base(limits),
        *input_args(media["video"], limits),
        "-c:v", "libx264", "-f", "mp4", str(tmp_path / "out.mp4"),
    ]  # fmt: skip

    with pytest.raises(ToolFailed) as caught:
        run_tool(argv, limits=limits, timeout_s=30)

    assert not caught.value.transient


def test_a_missing_binary_is_a_transient_error() -> None:
    with pytest.raises(ToolUnavailable) as caught:
        run_tool(["/nonexistent/ffmpeg", "-version"], limits=LIMITS, timeout_s=5)

    assert caught.value.transient
    assert caught.value.code == "media_tool_unavailable"


def test_a_failing_tool_reports_its_exit_status_and_stderr_tail() -> None:
    code = "import sys; sys.stderr.write('x' * 50000 + 'the real reason'); sys.exit(3)"

    with pytest.raises(ToolFailed) as caught:
        run_tool([sys.executable, "-c", code], limits=Limits(stderr_tail_chars=100), timeout_s=10)

    assert caught.value.returncode == 3
    assert caught.value.stderr_tail.endswith("the real reason")
    assert len(caught.value.stderr_tail) <= 100


def test_stdout_can_be_streamed_to_a_callback_in_chunks() -> None:
    chunks: list[bytes] = []
    code = "import sys; sys.stdout.buffer.write(b'a' * 3_000_000)"

    result = run_tool([sys.executable, "-c", code], limits=LIMITS, timeout_s=10, stdout=chunks.append)

    assert sum(len(c) for c in chunks) == 3_000_000
    assert len(chunks) > 1
    assert result.stdout == b""


def test_captured_stdout_is_capped() -> None:
    code = "import sys; sys.stdout.buffer.write(b'a' * 200_000)"

    with pytest.raises(ResourceLimitExceeded):
        run_tool([sys.executable, "-c", code], limits=Limits(max_capture_bytes=1000), timeout_s=10, stdout="capture")


def test_ffmpeg_cannot_be_pointed_at_a_url_or_another_protocol(tmp_path: Path) -> None:
    # A file literally named like a URL is still opened as a local file, never fetched.
    tricky = tmp_path / "http:"
    tricky.mkdir()
    args = input_args(tricky / "example.com", LIMITS)

    assert args[-1].startswith("file:/")
    assert args[args.index("-protocol_whitelist") + 1] == "file"


def _result(returncode: int, stderr: str) -> ToolResult:
    return ToolResult(argv=("ffmpeg",), returncode=returncode, stdout=b"", stderr_tail=stderr, elapsed_s=0.0)


@pytest.mark.parametrize(
    ("returncode", "stderr", "expected"),
    [
        (-signal.SIGXCPU, "", ResourceLimitExceeded),
        (-signal.SIGXFSZ, "", ResourceLimitExceeded),
        (-signal.SIGSEGV, "", ToolFailed),
        (1, "[h264] malloc of size 5484672 failed", ResourceLimitExceeded),
        (1, "[mov,mp4] moov atom not found\nx.mp4: Invalid data found when processing input", TruncatedMedia),
        (1, "x.mp4: Invalid data found when processing input", UnreadableMedia),
        (1, "Format hls not on whitelist 'mov,matroska'", UnsupportedMedia),
        (1, "Stream map '0:v:0' matches no streams.", UnsupportedMedia),
        (1, "something nobody expected", ToolFailed),
    ],
)
def test_failures_are_classified_from_signal_and_stderr(returncode: int, stderr: str, expected: type) -> None:
    assert type(classify_failure(_result(returncode, stderr))) is expected


def test_a_segfault_is_described_by_signal_name() -> None:
    error = classify_failure(_result(-signal.SIGSEGV, ""))

    assert "SIGSEGV" in error.detail
