"""Input bytes for corpus.read.inputs: plain or compressed files and stdin, as one guarded byte stream.

`.gz`, `.bz2`, `.xz` and `.zst` inputs are decompressed while they are read, never whole in
memory. Every stream is an `InputStream`: a decompression error or an I/O error while reading
becomes a `CorruptInputError` naming the compression, which the readers report as a skipped
input (keeping what they read before it, also when the damage comes within the first bytes
that are sniffed). A zstd stream that ends inside a frame is an error (the `zstandard`
package's stream reader would end it silently). What is kept is what the compression can give
before the damage: gzip and xz decode up to about the damaged byte, zstd whole blocks (up to
128 KiB), bzip2 whole blocks (up to 900 kB). A file whose size or modification time changes
while it is read is noticed (`InputStream.changed`) and named by the readers in a warning.

File names go into doc ids, reports and messages through `utf8_name`, which keeps the bytes of
a name that is not valid UTF-8 visible as `\\xNN` escapes (Python gives them as lone surrogates).
"""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path
from typing import Any, BinaryIO

from corpus.errors import InputError
from corpus.names import utf8_text

COMPRESSIONS = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}
ZSTD_FEED_BYTES = 512  # compressed bytes per zstd call: bounds the output of a zstd "bomb"


class CorruptInputError(InputError):
    """Internal: an input failed while being read (corrupt compressed data, an I/O error)."""


def utf8_name(name: str) -> str:
    """`name` as valid UTF-8 text: an undecodable byte of a file name (a lone surrogate from
    os.fsdecode) becomes `\\xNN`, any other lone surrogate `\\uNNNN` (corpus.names.utf8_text)."""
    return utf8_text(name)


class InputStream(io.RawIOBase):
    """A readable byte stream over `inner` that can serve a head it already read once more and
    turns read errors into CorruptInputError.

    Damage met while reading the head (a small compressed file cut short) does not lose the
    bytes before it: `peek_head` returns them, and the error (`damage`) is raised by the read
    that follows them. For a file, `changed()` says whether its size or modification time
    differs from when it was opened (it was written to while being read)."""

    def __init__(
        self, inner: Any, what: str, errors: tuple[type[BaseException], ...], file: Any = None
    ):
        super().__init__()
        self.inner, self.what, self.errors, self.file = inner, what, errors, file
        self.head = memoryview(b"")
        self.damage: CorruptInputError | None = None
        self.read_some = getattr(inner, "readinto1", None) or inner.readinto
        self.opened_stat = _stat(file)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        if self.damage is not None:
            raise self.damage
        try:  # one read of the decompressor, so that what it gave before an error is kept
            return int(self.read_some(buffer) or 0)
        except self.errors as e:
            raise CorruptInputError(f"{self.what}: {str(e) or type(e).__name__}") from e

    def peek_head(self, size: int) -> bytes:
        """Up to `size` bytes from the start (fewer only at the end or at damage), served
        again by the reads that follow; called once, before any read. Damage after some bytes
        is kept in `damage` (raised after them); damage before any byte is raised here."""
        chunks, have = [], 0
        buffer = bytearray(min(size, 1 << 16))
        while have < size:
            try:
                n = self.readinto(memoryview(buffer)[: size - have])
            except CorruptInputError as e:
                if not have:
                    raise
                self.damage = e
                break
            if not n:
                break
            chunks.append(bytes(buffer[:n]))
            have += n
        data = b"".join(chunks)
        self.head = memoryview(data)
        return data

    def changed(self) -> str | None:
        """How the file changed since it was opened ("size 1,000 -> 500 bytes", "modified"),
        or None (unchanged, or not a file)."""
        now = _stat(self.file)
        if self.opened_stat is None or now is None or now == self.opened_stat:
            return None
        (size, _), (new_size, _) = self.opened_stat, now
        return f"size {size:,} -> {new_size:,} bytes" if size != new_size else "modified"

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
            if self.file is not None:  # a decompressor does not close the file it was given
                self.file.close()
        super().close()


def _stat(file: Any) -> tuple[int, int] | None:
    """(size, mtime_ns) of an open regular file, else None."""
    try:
        st = os.fstat(file.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def open_input(path: Path | None, compression: str | None) -> InputStream:
    """The bytes of `path` (stdin when None), decompressed by `compression` (a COMPRESSIONS
    value); closing it leaves stdin open. Raises OSError when the file cannot be opened."""
    return _open_file(path, compression) if path is not None else _stdin_stream()


def _stdin_stream() -> InputStream:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        buffer = io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))
    return InputStream(_Unclosed(buffer), "unreadable", (OSError,))


class _Unclosed:
    """stdin for an InputStream: reading is passed on, closing is not."""

    def __init__(self, f: Any):
        self.f = f

    def readinto1(self, buffer: Any) -> int:
        return int(self.f.readinto1(buffer) or 0)

    def close(self) -> None:
        pass


def _open_file(path: Path, compression: str | None) -> InputStream:
    f = open(path, "rb")  # noqa: SIM115 (the InputStream closes it)
    try:
        inner, errors = _decompressor(f, compression)
    except BaseException:
        f.close()
        raise
    what = f"corrupt: {compression} data" if compression else "unreadable"
    return InputStream(inner, what, errors, file=f)


def _decompressor(f: BinaryIO, compression: str | None) -> tuple[Any, tuple[type[Exception], ...]]:
    if compression is None:
        return f, (OSError,)
    if compression == "gzip":
        import gzip
        import zlib

        return gzip.GzipFile(fileobj=f, mode="rb"), (OSError, EOFError, zlib.error)
    if compression == "bzip2":
        import bz2

        return bz2.BZ2File(f), (OSError, EOFError)
    if compression == "xz":
        import lzma

        return lzma.LZMAFile(f), (OSError, EOFError, lzma.LZMAError)
    if compression == "zstd":
        return _ZstdReader(f), (OSError, EOFError, _zstd().ZstdError)
    raise ValueError(f"unknown compression {compression!r}")


def _zstd() -> Any:
    try:
        import zstandard
    except ImportError as e:
        raise InputError(
            "reading .zst files needs the zstandard package: pip install zstandard"
        ) from e
    return zstandard


class _ZstdReader(io.RawIOBase):
    """zstd frames (one or several, concatenated) decompressed a few hundred bytes of input at
    a time; input that ends inside a frame raises EOFError."""

    def __init__(self, f: BinaryIO):
        super().__init__()
        self.f = f
        self.dctx = _zstd().ZstdDecompressor()
        self.obj = self.dctx.decompressobj()
        self.out = memoryview(b"")
        self.in_frame = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.out:
            chunk = self.f.read(ZSTD_FEED_BYTES)
            if not chunk:
                if self.in_frame:
                    raise EOFError("compressed file ended before the end of a zstd frame")
                return 0
            self.out = memoryview(self._feed(chunk))
        n = min(len(buffer), len(self.out))
        buffer[:n] = self.out[:n]
        self.out = self.out[n:]
        return n

    def _feed(self, chunk: bytes) -> bytes:
        parts = []
        while chunk:
            if self.obj.eof:
                self.obj = self.dctx.decompressobj()
            parts.append(self.obj.decompress(chunk))
            chunk = self.obj.unused_data if self.obj.eof else b""
        self.in_frame = not self.obj.eof
        return b"".join(parts)
