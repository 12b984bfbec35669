"""Bytes -> text for corpus.read.inputs: file checks, encoding choice, character repair.

Encoding rules, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without a mark (a NUL
in every other byte); a known binary signature or more than 30% control bytes -> binary; valid
UTF-8; mostly UTF-8 with a few broken bytes -> UTF-8 with U+FFFD replacements (counted as
`decode_replacements`); else the encoding charset-normalizer detects; else binary when more than
1% of the bytes are control bytes, or UTF-8 with replacements. Non-UTF-8 inputs are counted as
`decoded_as:<encoding>` with a warning naming the file.
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

from corpus.errors import InputError
from corpus.read.streams import CorruptInputError, InputStream, open_input, utf8_name
from corpus.report import Report

log = logging.getLogger(__name__)

SNIFF_BYTES = 65536
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (also docx, xlsx, epub; unpack it first)"),
    (b"\x1f\x8b", "gzip-compressed (name it .gz to read it)"),
    (b"\xfd7zXZ\x00", "xz-compressed (name it .xz to read it)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed (name it .zst to read it)"),
    (b"BZh91AY&SY", "bzip2-compressed (name it .bz2 to read it)"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive (unpack it first)"),
    (b"Rar!\x1a\x07", "RAR archive (unpack it first)"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x7fELF", "executable"),
    (b"PAR1", "Parquet file (name it .parquet)"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"),
)
_CTRL_BYTES = bytes(
    b for b in range(256) if (b < 32 and b not in b"\t\n\r\x0b\x0c\x1b") or b == 127
)
_PREFERRED = ("cp1252", "latin_1")
_NEWLINES = re.compile("\r\n?|[\x0b\x0c\u2028\u2029]")
LOOP_REASON = "symlink loop: the link leads back to itself and never reaches a file"
# C1 controls (U+0080-U+009F) stay: they are what is left of mojibake ("â\x80\x94" for an em
# dash), which the cleaner repairs (corpus/clean/repair.py) and then removes.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufeff\ud800-\udfff]")


class BinaryFileError(InputError):
    """Internal: the input is not text. The readers catch it and skip the file."""


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
    """Decode a whole input by the rules above; raises BinaryFileError for binary data. When
    not `complete`, a character cut off at the end is left out."""
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


def choose_encoding(sample: bytes, location: str, report: Report, complete: bool) -> str:
    """The encoding to read `sample` (a whole input, or its head when not `complete`) with."""
    head = sample[:SNIFF_BYTES]
    encoding = bom_encoding(head) or utf16_without_bom(head)
    if encoding is not None:
        if encoding != "utf-8-sig":
            _note_encoding(encoding, "byte-order mark or NUL pattern", location, report)
        return encoding
    kind = binary_kind(head)
    if kind is not None:
        raise BinaryFileError(kind)
    bad_at = _utf8_error(sample, complete)
    if bad_at is None or _mostly_utf8(sample):
        return "utf-8"
    encoding = detect_encoding(sample, bad_at)
    if encoding is not None:
        _note_encoding(encoding, "detected", location, report)
        return encoding
    if control_ratio(head) > 0.01:
        raise BinaryFileError("undecodable, with control bytes")
    report.warn("encoding", "not UTF-8 and no encoding detected; read as UTF-8", where=location)
    return "utf-8"


def _note_encoding(encoding: str, how: str, location: str, report: Report) -> None:
    report.count(f"decoded_as:{encoding}")
    report.warn("encoding", f"not UTF-8; decoded as {encoding} ({how})", where=location)


def bom_encoding(head: bytes) -> str | None:
    return next((enc for bom, enc in _BOMS if head.startswith(bom)), None)


def utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text of mostly Latin letters has a NUL in every other byte."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 2:
        return None
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.2 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.2 * len(odd):
        return "utf-16-be"
    return None


def binary_kind(head: bytes) -> str | None:
    """What kind of binary file `head` starts, or None when it may be text."""
    kind = next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)
    if kind is None and head[257:262] == b"ustar":
        kind = "tar archive (unpack it first)"
    if kind is None and control_ratio(head) > 0.3:
        kind = "mostly NUL and control bytes"
    return kind


def control_ratio(head: bytes) -> float:
    return (len(head) - len(head.translate(None, _CTRL_BYTES))) / max(len(head), 1)


def _utf8_error(sample: bytes, complete: bool) -> int | None:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError as e:
        return e.start
    return None


def _mostly_utf8(sample: bytes) -> bool:
    """More well-formed multibyte UTF-8 characters than broken sequences: UTF-8 with damage."""
    text = sample.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - broken
    return multibyte > broken


def detect_encoding(sample: bytes, bad_at: int) -> str | None:
    """charset-normalizer's guess from the head and the bytes around the first UTF-8 error.

    Short samples fit many code pages equally well; among the least chaotic candidates the
    Western ones Indonesian text was usually saved in (cp1252, then Latin-1) are preferred."""
    from charset_normalizer import from_bytes

    half = SNIFF_BYTES // 2
    if len(sample) > SNIFF_BYTES:
        sample = sample[:half] + sample[bad_at : bad_at + half]
    matches = list(from_bytes(sample))
    if not matches or matches[0].encoding in ("ascii", "utf_8"):
        return None
    least = min(m.chaos for m in matches)
    tied = {cp for m in matches if m.chaos <= least + 0.01 for cp in m.could_be_from_charset}
    return next((cp for cp in _PREFERRED if cp in tied), str(matches[0].encoding))


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
