"""Names that become parts of paths, and names shown or written: one rule each.

A split name (from `--split`, a config file, or the data file names of a dataset folder) is
used to build file names (`data/<split>-NNNNN-of-NNNNN.parquet`, `<out>/<split>.jsonl`, the
arrow export's `<out>/<split>/`). It must be a letter followed by ASCII letters, digits or `_`:
no separators, no dots (so no `..`), no spaces, no line breaks, nothing absolute.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from corpus.errors import ConfigError

SPLIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SPLIT_NAME_RULE = "a letter followed by letters, digits or _ (e.g. train, validation, test)"


def is_split_name(name: str) -> bool:
    return SPLIT_NAME.fullmatch(name) is not None


def check_split_name(name: str, where: str, error: type[Exception] = ConfigError) -> str:
    """`name` if it is a valid split name, else `error` naming `where` it came from."""
    if not is_split_name(name):
        raise error(f"{where}: split name {name!r} is not valid; a split name is {SPLIT_NAME_RULE}")
    return name


# --- names shown or written -------------------------------------------------------------------
#
# Paths are carried as Python gives them (an undecodable byte of a name is a lone surrogate,
# so the name is lossless) and escaped once, where they are written or shown: `utf8_text` for
# data written as UTF-8 (JSON, the card), `shown` for anything that reaches a terminal or the
# card's Markdown, where a control character (an ANSI escape sequence starts with ESC, U+001B)
# must never arrive raw. pyarrow takes file names as UTF-8 only, so `arrow_name` hands it a
# name that is not UTF-8 as an open file instead.

_SURROGATES = re.compile("[\ud800-\udfff]")
_UNSHOWN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)  # controls (C0 but tab and newline, DEL, C1), bidirectional controls, separators, surrogates


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the undecodable byte code-0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def utf8_text(text: str) -> str:
    """`text` as valid UTF-8: an undecodable byte of a file name (a lone surrogate) becomes
    `\\xNN`, any other lone surrogate `\\uNNNN`; nothing else changes."""
    return _SURROGATES.sub(_escape, text)


def utf8_data(value: Any) -> Any:
    """`value` (JSON-like: dicts, lists, tuples, strings, numbers) with every string, keys
    included, through `utf8_text`: ready for a UTF-8 file."""
    if isinstance(value, (str, os.PathLike)):
        return utf8_text(os.fsdecode(value))
    if isinstance(value, Mapping):
        return {utf8_data(k): utf8_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [utf8_data(v) for v in value]
    return value


def shown(text: str, keep: str = "\n\t") -> str:
    """`text` safe to print or put in Markdown: lone surrogates as `\\xNN` (see utf8_text),
    control, bidirectional-control and separator characters as `\\xNN` / `\\uNNNN`, except
    those in `keep` (a message keeps its line breaks and tabs; pass keep="" for one name)."""
    return _UNSHOWN.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)


def json_shown(text: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False) with the characters `shown` would
    escape written as JSON escapes (`\\u001b`), so that it stays valid JSON and safe to show."""
    return _UNSHOWN.sub(
        lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}", text
    )


def arrow_name(path: str | os.PathLike[str]) -> str | None:
    """`path` as pyarrow takes it (UTF-8 text), or None when its name is not valid UTF-8."""
    name = os.fspath(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return name


def parquet_file(path: str | os.PathLike[str]) -> Any:
    """pyarrow's ParquetFile of `path`, whatever bytes its name holds."""
    import pyarrow.parquet as pq

    name = arrow_name(path)
    return pq.ParquetFile(name if name is not None else open(path, "rb"))  # noqa: SIM115


class ParquetSink:
    """pyarrow's ParquetWriter at `path`, whatever bytes its name holds (such a file is
    written through a Python file, closed with the writer)."""

    def __init__(self, path: str | os.PathLike[str], schema: Any, **options: Any) -> None:
        import pyarrow.parquet as pq

        name = arrow_name(path)
        self.file = open(path, "wb") if name is None else None  # noqa: SIM115 (see close)
        self.writer = pq.ParquetWriter(self.file or name, schema, **options)

    def write_table(self, table: Any, row_group_size: int | None = None) -> None:
        self.writer.write_table(table, row_group_size=row_group_size)

    def close(self) -> None:
        try:
            self.writer.close()
        finally:
            if self.file is not None:
                self.file.close()


def write_parquet(table: Any, path: str | os.PathLike[str], **options: Any) -> None:
    """pq.write_table of `table` at `path`, whatever bytes its name holds."""
    import pyarrow.parquet as pq

    name = arrow_name(path)
    if name is not None:
        pq.write_table(table, name, **options)
        return
    with open(path, "wb") as f:
        pq.write_table(table, f, **options)
