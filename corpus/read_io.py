"""Bytes -> text for corpus.read: file checks, encoding choice, character repair.

Encoding rules, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without a mark (a NUL
in every other byte); a known binary signature or more than 30% control bytes -> binary; valid
UTF-8; mostly UTF-8 with a few broken bytes -> UTF-8 with U+FFFD replacements (counted as
`decode_replacements`); else the encoding charset-normalizer detects; else binary when more than
1% of the bytes are control bytes, or UTF-8 with replacements. Non-UTF-8 inputs are counted as
`decoded_as:<encoding>` with a warning naming the file.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from corpus.errors import InputError
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
    (b"PK\x03\x04", "ZIP archive (also docx, xlsx, epub)"),
    (b"\x1f\x8b", "gzip archive"),
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
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")


class BinaryFileError(InputError):
    """Internal: the input is not text. The readers catch it and skip the file."""


def check_file(path: Path, location: str, report: Report) -> bool:
    """False (reported) for a broken link or anything that is not a regular file."""
    if path.is_symlink() and not path.exists():
        target = path.readlink()
        report.skip_input(location, f"broken link: its target {target} does not exist")
        return False
    if not path.is_file():
        report.skip_input(location, "unreadable: not a regular file")
        return False
    return True


def is_saved_dataset(path: Path) -> bool:
    """A folder written by `datasets` save_to_disk (Dataset or DatasetDict)."""
    if (path / "dataset_dict.json").is_file():
        return True
    return (path / "state.json").is_file() and (path / "dataset_info.json").is_file()


def open_binary(path: Path) -> BinaryIO:
    return open(path, "rb")  # noqa: SIM115 (callers close it)


def load_bytes(path: Path, location: str, report: Report) -> bytes | None:
    """The whole file, or None after reporting why it cannot be read."""
    if not check_file(path, location, report):
        return None
    try:
        with open_binary(path) as f:
            return f.read()
    except OSError as e:
        report.skip_input(location, f"unreadable: {e.strerror or e}")
        return None


def read_stdin_bytes() -> bytes:
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read().encode()


def decode_bytes(data: bytes, location: str, report: Report) -> str:
    """Decode a whole input by the rules above; raises BinaryFileError for binary data."""
    encoding = choose_encoding(data, location, report, complete=True)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
    n = text.count("\ufffd")
    report.count("decode_replacements", n)
    report.warn(f"{location}: {n} undecodable byte sequence(s) replaced by U+FFFD")
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
    report.warn(f"{location}: not UTF-8 and no encoding detected; reading it as UTF-8")
    return "utf-8"


def _note_encoding(encoding: str, how: str, location: str, report: Report) -> None:
    report.count(f"decoded_as:{encoding}")
    report.warn(f"{location}: not UTF-8; decoded as {encoding} ({how})")


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
        report.warn(f"{location}: removed {n} NUL/control character(s)")
    return text


@contextmanager
def open_text(
    path: Path | None, location: str, report: Report, newline: str | None = None
) -> Iterator[TextIO | None]:
    """A text stream over a file (or stdin, when `path` is None) in its detected encoding, with
    undecodable bytes replaced; None (reported) when it is missing, empty or binary."""
    if path is None:
        yield _stdin_text(newline)
        return
    if not check_file(path, location, report):
        yield None
        return
    try:
        f = open_binary(path)
    except OSError as e:
        report.skip_input(location, f"unreadable: {e.strerror or e}")
        yield None
        return
    with f:
        head = f.read(SNIFF_BYTES)
        encoding = _stream_encoding(head, location, report)
        if encoding is None:
            yield None
            return
        f.seek(0)
        yield io.TextIOWrapper(f, encoding=encoding, errors="replace", newline=newline)


def _stream_encoding(head: bytes, location: str, report: Report) -> str | None:
    if not head:
        report.skip_input(location, "empty: no bytes")
        return None
    try:
        return choose_encoding(head, location, report, complete=False)
    except BinaryFileError as e:
        report.skip_input(location, f"binary: {e}")
        return None


def _stdin_text(newline: str | None) -> TextIO:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8-sig", errors="replace", newline=newline)
