"""Atomic output files: written under a temporary name beside the target, then renamed onto it.

What it does: gives the caller a temporary path (or an open text file) next to the target; when
the block succeeds the file gets the mode a plain write would give it (0o666 less the umask, or a
mode the caller passes, such as the replaced file's) and replaces the target in one rename; when
the block fails the temporary file is removed.  What it does not do: compare contents or keep
anything but the permission bits (`analyzer.writer.files` does that for source files).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def current_umask() -> int:
    """The process umask: from /proc where Linux shows it; elsewhere by setting it and setting it
    back at once (os.umask can only be read so, which a thread creating a file meanwhile would see)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temp path beside `path` to write; renamed onto `path` (with `mode`, default 0o666 less
    the umask) when the block succeeds, removed when it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~current_umask() if mode is None else mode)  # mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: Path, newline: str | None = None, mode: int | None = None) -> Iterator[IO[str]]:
    """A UTF-8 text file open for writing under a temp name; renamed onto `path` when the block succeeds."""
    with atomic_path(path, mode) as tmp, tmp.open("w", encoding="utf-8", newline=newline) as handle:
        yield handle
