"""Which encoding an input is in, or that it is binary (for corpus/read/decode.py).

Encoding rules, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without a mark (a NUL
in every other byte); a known binary signature or more than 30% control bytes -> binary; valid
UTF-8; mostly UTF-8 with a few broken bytes -> UTF-8 with U+FFFD replacements (counted as
`decode_replacements`); else the encoding charset-normalizer detects; else binary when more than
1% of the bytes are control bytes, or UTF-8 with replacements. Non-UTF-8 inputs are counted as
`decoded_as:<encoding>` with a warning naming the file.
"""

from __future__ import annotations

import codecs

from corpus.errors import InputError
from corpus.report import Report

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


class BinaryFileError(InputError):
    """Internal: the input is not text. The readers catch it and skip the file."""


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
