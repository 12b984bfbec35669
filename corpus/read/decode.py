"""Bytes -> text for corpus.read.inputs: file checks, encoding choice (by the rules of
corpus/read/encoding.py), character repair.
"""

from __future__ import annotations

import codecs
import errno
import io
import logging
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from corpus.read.encoding import SNIFF_BYTES, BinaryFileError, choose_encoding
from corpus.read.streams import CorruptInputError, InputStream, open_input, utf8_name
from corpus.report import Report

log = logging.getLogger(__name__)

_NEWLINES = re.compile("\r\n?|[\x0b\x0c\u2028\u2029]")
LOOP_REASON = "symlink loop: the link leads back to itself and never reaches a file"
# C1 controls (U+0080-U+009F) stay: they are what is left of mojibake ("â\x80\x94" for an em
# dash), which the cleaner repairs (corpus/clean/repair.py) and then removes.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufeff\ud800-\udfff]")


def check_file(path: Path, location: str, report: Report) -> bool:
    """False (reported) for a symlink loop, a broken link or anything that is not a regular
    file."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        report.skip_input(location, _stat_problem(path, e))
        return False
    if not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        report.skip_input(location, f"unreadable: {what}")
        return False
    return True


def _stat_problem(path: Path, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return LOOP_REASON
    if path.is_symlink():
        target = utf8_name(str(path.readlink()))
        return f"broken link: its target {target} does not exist"
    return f"unreadable: {error.strerror or error}"


def is_saved_dataset(path: Path) -> bool:
    """A folder written by `datasets` save_to_disk (Dataset or DatasetDict)."""
    if (path / "dataset_dict.json").is_file():
        return True
    return (path / "state.json").is_file() and (path / "dataset_info.json").is_file()


@contextmanager
def opened(
    path: Path | None, location: str, report: Report, compression: str | None = None
) -> Iterator[InputStream | None]:
    """The input's byte stream (stdin when `path` is None), or None after reporting why it
    cannot be opened. Reads may raise CorruptInputError; the callers report it."""
    if path is not None and not check_file(path, location, report):
        yield None
        return
    try:
        stream = open_input(path, compression)
    except OSError as e:
        report.skip_input(location, f"unreadable: {e.strerror or e}")
        yield None
        return
    with stream:
        try:
            yield stream
        finally:
            note_change(stream, location, report)


def note_change(stream: InputStream, location: str, report: Report) -> None:
    """A warning naming an input that was written to while it was read."""
    how = stream.changed()
    if how is not None:
        report.count("changed_while_read")
        report.warn(
            "changed_while_read",
            f"changed while it was read ({how}): the text taken from it may be cut short or "
            "mixed; build again once it no longer changes",
            where=location,
        )


def load_bytes(
    path: Path | None, location: str, report: Report, compression: str | None, limit: int
) -> tuple[bytes, bool] | None:
    """The whole (decompressed) input and whether it is complete, or None after reporting why
    it cannot be read or that it is over `limit` bytes (it is not read further). A stream
    damaged after some bytes gives them (incomplete), reported as a skipped input."""
    with opened(path, location, report, compression) as f:
        if f is None:
            return None
        try:
            data = f.peek_head(limit + 1)
        except CorruptInputError as e:
            report.skip_input(location, str(e))
            return None
        if len(data) > limit:
            report.skip_input(location, f"too large: over {limit:,} bytes")
            return None
        if f.damage is not None:
            report.skip_input(location, f"{f.damage}; the text before it is kept")
        return data, f.damage is None
    return None


def decode_whole(data: bytes, location: str, report: Report, complete: bool = True) -> str | None:
    """A whole input decoded and sanitised, or None (reported) when it holds no usable text.
    An incomplete input (cut by damage) loses a character cut in two at its end."""
    if not data:
        report.skip_input(location, "empty: no bytes")
        return None
    try:
        raw = decode_bytes(data, location, report, complete)
    except BinaryFileError as e:
        report.skip_input(location, f"binary: {e}")
        return None
    text = sanitize(raw, location, report)
    if not text.strip():
        report.skip_input(location, "empty: whitespace only")
        return None
    return text


def decode_bytes(data: bytes, location: str, report: Report, complete: bool = True) -> str:
    """Decode a whole input by the rules of corpus/read/encoding.py; raises BinaryFileError
    for binary data. When not `complete`, a character cut off at the end is left out."""
    encoding = choose_encoding(data, location, report, complete=complete)
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
    except UnicodeDecodeError:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        text = decoder.decode(data, final=complete)
    n = text.count("\ufffd")
    report.count("decode_replacements", n)
    report.warn(
        "text_altered", f"{n} undecodable byte sequence(s) replaced by U+FFFD", where=location
    )
    return text


def sanitize_count(text: str) -> tuple[str, int]:
    """Newlines unified to \\n; NUL and other control characters, stray BOMs and lone surrogates
    removed (counted)."""
    return _CONTROL_CHARS.subn("", _NEWLINES.sub("\n", text))


def sanitize(text: str, location: str, report: Report) -> str:
    text, n = sanitize_count(text)
    if n:
        report.count("control_chars_removed", n)
        report.warn("text_altered", f"removed {n} NUL/control character(s)", where=location)
    return text


@contextmanager
def open_text(
    path: Path | None,
    location: str,
    report: Report,
    newline: str | None = None,
    compression: str | None = None,
) -> Iterator[TextIO | None]:
    """A text stream over an input (stdin when `path` is None) in the encoding detected from its
    head, with undecodable bytes replaced; None (reported) when it is missing, empty, binary or
    corrupt from the start. Later reads may raise CorruptInputError."""
    with opened(path, location, report, compression) as f:
        if f is None:
            yield None
            return
        try:
            head = f.peek_head(SNIFF_BYTES)
        except CorruptInputError as e:
            report.skip_input(location, f"{e}")
            yield None
            return
        encoding = stream_encoding(head, location, report)
        if encoding is None:
            yield None
            return
        yield text_stream(f, encoding, newline)


def text_stream(f: InputStream, encoding: str, newline: str | None = None) -> TextIO:
    """`f` decoded by `encoding`, undecodable bytes replaced (U+FFFD)."""
    buffered = io.BufferedReader(f, buffer_size=SNIFF_BYTES)
    return io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline=newline)


def stream_encoding(head: bytes, location: str, report: Report) -> str | None:
    if not head:
        report.skip_input(location, "empty: no bytes")
        return None
    try:
        return choose_encoding(head, location, report, complete=False)
    except BinaryFileError as e:
        report.skip_input(location, f"binary: {e}")
        return None
