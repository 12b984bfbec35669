"""A large text input -> its parts, cut by fixed byte windows.

A text file over PART_BYTES bytes is one document read in parts (`Document.part` 0, 1, 2, ...,
same doc_id and source), so that memory stays bounded and a build can checkpoint within it.
Part j starts in window j (the bytes [j * PART_BYTES, (j + 1) * PART_BYTES)), at the first
place in it where a part may start: right after the first blank line in the window's first
half, else right after its first line break, else after its first space, else at its first
character; part 0 starts at the file's start. So where a part starts depends only on the bytes
of its own window: a build can read parts j..k of a file without reading what comes before
(a range of windows, `Source.window`), and reading the whole file in turn gives the same parts.
The parts' texts concatenated are the file's decoded text (newlines unified, control
characters removed, as for any input).

The encoding is chosen once from the file's first window (`choose_encoding`, as for a stream),
by every reader of any range alike. The line break, space and character boundaries are those
of that encoding: UTF-16/32 code units are never split, nor are UTF-8 sequences.

Counts (removed control characters, undecodable bytes) are counted per part and reported once
per file as tallies (`Report.tally`), so the warning does not depend on how a build grouped
the parts.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from corpus.read.decode import sanitize_count
from corpus.read.encoding import BinaryFileError, choose_encoding
from corpus.read.streams import CorruptInputError
from corpus.records import Document
from corpus.report import Report

if TYPE_CHECKING:
    from corpus.read.paths import Source

PART_BYTES = 1 << 20
"""A text input over this many bytes is read in parts, one starting in each window of this
many bytes."""
_BOMLESS = {"utf-8-sig": "utf-8", "utf-16": None, "utf-32": None}


class Cutter:
    """Where parts start and how their bytes decode, for one file's encoding."""

    def __init__(self, head: bytes, encoding: str) -> None:
        name = codecs.lookup(encoding).name
        self.first = name  # decodes part 0 (a byte-order mark included)
        self.rest = _BOMLESS.get(name, name) or _endian(head, name)
        self.newline = "\n".encode(self.rest)
        self.blank = "\n\n".encode(self.rest)
        self.space = " ".encode(self.rest)
        self.width = len(self.newline)

    def start_in(self, window: bytes, window_start: int) -> int:
        """The offset in `window` (which starts at file offset `window_start`) where the part
        of this window starts (see the module docstring)."""
        half = max(1, len(window) // 2)
        for pattern, limit, skip in (
            (self.blank, half, len(self.blank)),
            (self.newline, len(window), self.width),
            (self.space, len(window), self.width),
        ):
            at = self._find(window, pattern, window_start, limit)
            if at >= 0:
                return at + skip
        return self._char_start(window, window_start)

    def _find(self, window: bytes, pattern: bytes, window_start: int, limit: int) -> int:
        at = window.find(pattern, 0, limit + len(pattern) - 1)
        while at >= 0 and (window_start + at) % self.width:
            at = window.find(pattern, at + 1, limit + len(pattern) - 1)
        return at

    def _char_start(self, window: bytes, window_start: int) -> int:
        at = -window_start % self.width
        if self.rest == "utf-8":
            while at < len(window) and 0x80 <= window[at] < 0xC0:
                at += 1
        elif self.width == 2 and at + 1 < len(window):
            unit = window[at : at + 2]
            low = unit[1] if self.rest.endswith("le") else unit[0]
            at += 2 if 0xDC <= low <= 0xDF else 0
        return min(at, len(window))

    def decode(self, data: bytes, part: int) -> str:
        return data.decode(self.first if part == 0 else self.rest, errors="replace")


def _endian(head: bytes, name: str) -> str:
    """The byte order of a UTF-16/32 file from its byte-order mark (little-endian without)."""
    mark = codecs.BOM_UTF16_BE if name == "utf-16" else codecs.BOM_UTF32_BE
    return f"{name}-{'be' if head.startswith(mark) else 'le'}"


def cutter_for(head: bytes, location: str, report: Report) -> Cutter:
    """The Cutter of a file whose first window is `head`; BinaryFileError if it is not text.
    What choosing the encoding reports is reported once, by the reader of part 0 (pass a
    throwaway Report for the others)."""
    return Cutter(head, choose_encoding(head, location, report, complete=False))


def parts(
    stream: BinaryIO, src: Source, cutter: Cutter, report: Report, first: int = 0,
    end: int | None = None, size: int | None = None,
) -> Iterator[Document]:  # fmt: skip
    """The parts first..end-1 (to the end of the input when `end` is None) of the text on
    `stream`, which is positioned at the start of window `first`; windows of `size` bytes
    (default PART_BYTES)."""
    size = size or PART_BYTES
    reader = _Buffer(stream, first * size)
    reader.fill((first + 1) * size)
    start = 0 if first == 0 else cutter.start_in(reader.buf[:size], first * size)
    part = first
    while end is None or part < end:
        reader.fill((part + 2) * size)
        following = (part + 1) * size - reader.offset  # where window part + 1 starts in buf
        stop = len(reader.buf)
        if following < stop:
            window = reader.buf[following : following + size]
            stop = min(stop, following + cutter.start_in(window, (part + 1) * size))
        yield _document(reader.buf[start:stop], part, src, cutter, report)
        if stop >= len(reader.buf):
            if reader.damage is not None:  # the text up to the damage was the last part
                raise reader.damage
            return
        reader.drop(stop)
        start, part = 0, part + 1


class _Buffer:
    """Bytes of a stream from file offset `offset` on, read as far as asked."""

    def __init__(self, stream: BinaryIO, offset: int) -> None:
        self.stream, self.offset, self.buf, self.eof = stream, offset, b"", False
        self.damage: CorruptInputError | None = None

    def fill(self, upto: int) -> None:
        """Read until the buffer reaches file offset `upto` (or the end, or damage: the bytes
        before it are kept, and the damage is raised once they are given out)."""
        while not self.eof and self.offset + len(self.buf) < upto:
            try:
                chunk = self.stream.read(upto - self.offset - len(self.buf))
            except CorruptInputError as e:
                self.damage, chunk = e, b""
            self.eof = not chunk
            self.buf += chunk or b""

    def drop(self, n: int) -> None:
        self.buf, self.offset = self.buf[n:], self.offset + n


def _document(data: bytes, part: int, src: Source, cutter: Cutter, report: Report) -> Document:
    raw = cutter.decode(data, part)
    text, removed = sanitize_count(raw)
    replaced = raw.count("\ufffd")
    if removed:
        report.count("control_chars_removed", removed)
        report.tally("text_altered", "removed {n} NUL/control character(s)", removed,
                     where=src.location)  # fmt: skip
    if replaced:
        report.count("decode_replacements", replaced)
        report.tally("text_altered", "{n} undecodable byte sequence(s) replaced by U+FFFD",
                     replaced, where=src.location)  # fmt: skip
    return Document(doc_id=src.name, text=text, source=src.location, part=part)


def _whole(data: bytes, src: Source, report: Report) -> Iterator[Document]:
    from corpus.read.decode import decode_whole

    text = decode_whole(data, src.location, report)
    if text is not None:
        yield Document(doc_id=src.name, text=text, source=src.location)


def windows_of(size: int, part_bytes: int | None = None) -> int:
    """How many parts a text file of `size` bytes is read in (1: whole)."""
    return max(1, -(-size // (part_bytes or PART_BYTES)))


def read_window_range(src: Source, report: Report) -> Iterator[Document]:
    """The parts `src.window` = (first, end, part size, file size as planned) of the plain
    text file `src.path`; a file whose size is not the planned one any more when its range
    has been read is named (it changed while the build read it)."""
    assert src.path is not None and src.window is not None
    first, end, size, planned = src.window
    try:
        with open(src.path, "rb") as f:
            yield from _range(f, src, report, first, end, size)
            now = os.fstat(f.fileno()).st_size
            if now != planned:
                report.tally("changed_while_read", f"changed while it was read (size "
                             f"{planned:,} -> {now:,} bytes): the text taken from it may be cut "
                             "short or mixed; build again once it no longer changes", 1,
                             where=src.location)  # fmt: skip
    except OSError as e:
        if first == 0:
            report.skip_input(src.location, f"unreadable: {e.strerror or e}")


def _range(
    f: BinaryIO, src: Source, report: Report, first: int, end: int, size: int
) -> Iterator[Document]:
    head = f.read(size + 1)
    if len(head) <= size:  # small after all (it changed): whole, as text.py reads it
        if first == 0:
            yield from _whole(head, src, report)
        return
    try:
        cutter = cutter_for(head[:size], src.location, report if first == 0 else Report())
    except BinaryFileError as e:
        if first == 0:
            report.skip_input(src.location, f"binary: {e}")
        return
    f.seek(first * size, os.SEEK_SET)
    yield from parts(f, src, cutter, report, first, end, size)
