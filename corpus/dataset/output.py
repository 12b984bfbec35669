"""Writing an export's files: a file appears under its final name only when complete, and a
write that fails (a full disk, a quota, a file-size limit, an I/O error) is an OutputError
naming the file (for corpus/dataset/export.py and its formats)."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

from corpus.errors import OutputError

ROOM_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # no room for what is written


class _Output:
    """A text file being written: a failed write (disk full, quota, file too large, I/O
    error) becomes an OutputError naming the file."""

    def __init__(self, f: TextIO, path: Path) -> None:
        self.f, self.path = f, path

    def write(self, text: str) -> None:
        try:
            self.f.write(text)
        except OSError as e:
            raise cannot_write(self.path, e) from e


def cannot_write(path: Path | str, error: OSError, what: str = "") -> OutputError:
    """The error of an export file that could not be written (exit 2)."""
    reason = error.strerror or str(error) or type(error).__name__
    todo = "free space (or choose another --out) and export again"
    if error.errno not in ROOM_ERRNOS:
        todo = "check the output folder and export again"
    return OutputError(f"cannot write {path}{what}: {reason}; {todo}")


@contextmanager
def atomic(path: Path) -> Iterator[_Output]:
    """A text file that appears under `path` only when the block completes."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        try:
            f = open(tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 (closed below)
        except OSError as e:
            raise cannot_write(path, e) from e
        try:
            yield _Output(f, path)
        except BaseException:
            with suppress(OSError):  # a full disk fails the close too: keep the first error
                f.close()
            raise
        try:
            f.close()  # the last buffered bytes are written here
        except OSError as e:
            raise cannot_write(path, e) from e
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def os_error(error: BaseException) -> OSError | None:
    """The OSError behind `error` (datasets and pyarrow wrap the one a full disk gives)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def newest_file(folder: Path) -> Path | None:
    """The file last written under `folder` (the one a failed write was writing), if any."""
    files = (
        [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".lock"]
        if folder.is_dir()
        else []
    )
    return max(files, key=lambda p: p.stat().st_mtime_ns, default=None)
