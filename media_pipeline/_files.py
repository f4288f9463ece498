"""Small file helpers: refuse non-regular inputs, write outputs atomically."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from media_pipeline.errors import OutputWriteFailed, UnreadableMedia

# errnos that mean "the environment is full or read-only", i.e. worth a retry elsewhere/later.
_ENV_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.ENOENT}


def ensure_regular_file(path: Path) -> Path:
    """Return ``path`` if it is a regular file.

    A FIFO or device would block or stream forever when read, both here and inside ffmpeg,
    so they are refused before anything opens them.
    """
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise UnreadableMedia(f"file not found: {path.name}") from exc
    except OSError as exc:
        raise UnreadableMedia(f"cannot stat {path.name}: {exc.strerror}") from exc
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableMedia(f"not a regular file: {path.name}")
    return path


@contextlib.contextmanager
def atomic_output(dest: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``dest``; on success it replaces ``dest`` atomically.

    Readers never see a half-written derivative, and a crashed run leaves no file under the
    final name, so re-running simply overwrites. The temp file is removed on failure.
    OS errors while creating or renaming become :class:`OutputWriteFailed` (transient).
    """
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise OutputWriteFailed(f"cannot create a file in {dest.parent}: {exc.strerror}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, dest)
    except OSError as exc:
        if exc.errno in _ENV_ERRNOS:
            raise OutputWriteFailed(f"writing {dest.name}: {exc.strerror}") from exc
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
