"""Record formats for corpus.read.inputs: JSON Lines, CSV, TSV, Parquet, Hugging Face datasets.

Each record with text becomes one Document. `text_field` may be dotted (`translation.id`) to reach
into nested JSON objects and struct columns. A record without usable text is dropped and counted in
`Report.dropped` as `read:<reason>` (bad_json, not_an_object, missing_text_field, text_not_string,
bad_csv_row, too_large, empty_record), with a warning naming `file:line` for the first few of each
file and one summary line for the rest. A record over MAX_RECORD_CHARS characters is skipped
(too_large) without being held whole. A table that lacks the text column is a user error
(InputError); a file none of whose records has the text field, and a table whose text column
does not hold strings, are skipped inputs naming the fields or the column type. A file that
turns out corrupt while being read (a damaged .gz) is a skipped input; the records read before
the damage are kept. CSV and TSV live in corpus/read/delimited.py, Parquet and datasets in
corpus/read/tables.py.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from corpus.errors import InputError
from corpus.read.decode import open_text, sanitize_count
from corpus.read.streams import CorruptInputError, utf8_name
from corpus.records import Document
from corpus.report import Report

if TYPE_CHECKING:
    from corpus.read.config import ReadConfig
    from corpus.read.paths import Source

log = logging.getLogger(__name__)

MAX_RECORD_CHARS = 16 * 2**20
"""A JSON Lines, CSV or TSV record longer than this many characters is skipped (too_large)."""
MAX_WARNINGS_PER_FILE = 5
MAX_FIELD_NAMES = 20
MISSING = object()


class RecordTooLarge(Exception):
    """Internal: the record starting at (or holding) line `line` is over MAX_RECORD_CHARS."""

    def __init__(self, line: int, quotes: int = 0):
        super().__init__(line)
        self.line, self.quotes = line, quotes


class LineReader:
    """Numbered lines of a text stream. A line over MAX_RECORD_CHARS characters is read through
    in pieces, never held whole, and raises RecordTooLarge (with the count of `quotechar` in it)."""

    def __init__(self, stream: TextIO, quotechar: str | None = None):
        self.stream, self.quotechar = stream, quotechar
        self.limit = MAX_RECORD_CHARS
        self.number = 0

    def readline(self) -> str:
        """The next line, '' at the end."""
        limit = self.limit
        line = self.stream.readline(limit + 1)
        if not line:
            return ""
        self.number += 1
        if len(line) > limit:
            quotes = self.quotes(line)
            while line and not line.endswith(("\n", "\r")):
                line = self.stream.readline(limit)
                quotes += self.quotes(line)
            raise RecordTooLarge(self.number, quotes)
        return line

    def quotes(self, line: str) -> int:
        return line.count(self.quotechar) if self.quotechar else 0


class RecordLog:
    """Per-file tally of dropped records and repaired characters, reported in a few lines."""

    def __init__(self, src: Source, config: ReadConfig, report: Report) -> None:
        self.location, self.id_field, self.report = src.location, config.id_field, report
        self.text_field = config.text_field
        self.skipped: Counter[str] = Counter()
        self.removed = self.replaced = self.missing_ids = self.with_field = 0
        self.fields: dict[str, None] = {}  # the fields of records without the text field

    def skip(self, where: str, reason: str, detail: str) -> None:
        self.report.drop("read", reason, doc=where, text=detail, source=self.location)
        if sum(self.skipped.values()) < MAX_WARNINGS_PER_FILE:
            self.report.warn("bad_record", f"{detail}; record skipped", where=where)
        self.skipped[reason] += 1

    def missing_field(self, record: Any, where: str, field: str) -> None:
        self.skip(where, "missing_text_field", f"no field {field!r}")
        for key in record if isinstance(record, Mapping) else ():
            if len(self.fields) < MAX_FIELD_NAMES:
                self.fields[utf8_name(str(key))] = None

    def text(self, raw: str) -> str:
        self.replaced += raw.count("\ufffd")
        text, removed = sanitize_count(raw)
        self.removed += removed
        return text

    def close(self) -> None:
        warn, count, here = self.report.warn, self.report.count, self.location
        if self.skipped["missing_text_field"] and not self.with_field:
            fields = ", ".join(self.fields) or "none"
            self.report.skip_input(
                self.location,
                f"no text field: no record has {self.text_field!r}; the records' fields are: "
                f"{fields}. Name the text field with --text-field",
            )
        extra = sum(self.skipped.values()) - MAX_WARNINGS_PER_FILE
        if extra > 0:
            reasons = ", ".join(f"{r} {n}" for r, n in sorted(self.skipped.items()))
            warn("bad_record", f"{extra} more record(s) skipped (in all: {reasons})", where=here)
        if self.removed:
            count("control_chars_removed", self.removed)
            warn("text_altered", f"removed {self.removed} NUL/control character(s)", where=here)
        if self.replaced:
            count("decode_replacements", self.replaced)
            warn(
                "text_altered",
                f"{self.replaced} undecodable character(s) shown as U+FFFD",
                where=here,
            )
        if self.missing_ids:
            count("missing_id", self.missing_ids)
            warn(
                "missing_id",
                f"{self.missing_ids} record(s) without {self.id_field!r}; numbered by position "
                "instead",
                where=here,
            )


def get_field(record: Any, dotted: str) -> Any:
    """`record[dotted]`, else the nested value `record[a][b]` for `a.b`, else MISSING."""
    if isinstance(record, Mapping) and dotted in record:
        return record[dotted]
    value = record
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


def to_document(
    record: Any, n: int, src: Source, config: ReadConfig, rlog: RecordLog
) -> Document | None:
    """The Document of record number `n`, or None (counted) when it holds no usable text."""
    where = f"{src.location}:{n}"
    value = get_field(record, config.text_field)
    if value is MISSING:
        rlog.missing_field(record, where, config.text_field)
        return None
    rlog.with_field += 1
    if value is not None and not isinstance(value, str):
        kind = type(value).__name__
        rlog.skip(where, "text_not_string", f"field {config.text_field!r} holds {kind}, not text")
        return None
    text = rlog.text(value or "")
    if config.target_field is not None:
        return _given_pair(record, text, n, src, config, rlog)
    if not text.strip():
        rlog.report.drop("read", "empty_record", doc=where, source=src.location)
        return None
    return Document(doc_id=_record_id(record, n, src, config, rlog), text=text, source=where)


def _given_pair(
    record: Any, text: str, n: int, src: Source, config: ReadConfig, rlog: RecordLog
) -> Document | None:
    """A record with its given translation (`--target-field`, untouched): one pair, or a
    dropped unit when either side is empty (`read:empty_source`, `read:empty_target`)."""
    assert config.target_field is not None
    where = f"{src.location}:{n}"
    value = get_field(record, config.target_field)
    if value is not MISSING and value is not None and not isinstance(value, str):
        kind = type(value).__name__
        rlog.skip(where, "target_not_string", f"field {config.target_field!r} holds {kind}")
        return None
    target = value if isinstance(value, str) else ""
    doc_id = _record_id(record, n, src, config, rlog)
    if not text.strip() or not target.strip():
        reason = "empty_source" if not text.strip() else "empty_target"
        rlog.report.drop("read", reason, doc=doc_id, text=text, source=src.location,
                         translation=target or None)  # fmt: skip
        return None
    return Document(doc_id=doc_id, text=text, source=where, target=(target,))


def _record_id(record: Any, n: int, src: Source, config: ReadConfig, rlog: RecordLog) -> str:
    if config.id_field:
        value = get_field(record, config.id_field)
        if value is not MISSING and value is not None and str(value):
            return utf8_name(str(value))
        rlog.missing_ids += 1
    return f"{src.name}:{n}"


def require_columns(names: Sequence[str], src: Source, config: ReadConfig) -> list[str]:
    """The top-level columns to read for the text (target, id) field; InputError if one is
    absent."""
    options = {config.text_field: "--text-field"}
    if config.target_field:
        options[config.target_field] = "--target-field"
    if config.id_field:
        options.setdefault(config.id_field, "--id-field")
    columns: list[str] = []
    for name, option in options.items():
        column = name if name in names else name.split(".", 1)[0]
        if column not in names:
            raise InputError(
                f"{src.location}: no column {name!r}; its columns are: {', '.join(names)}. "
                f"Name the right one with {option}"
            )
        if column not in columns:
            columns.append(column)
    return columns


def read_jsonl(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """JSON Lines: one object per line; blank lines are ignored."""
    with open_text(src.path, src.location, report, compression=src.compression) as stream:
        if stream is None:
            return
        rlog = RecordLog(src, config, report)
        try:
            yield from _jsonl_documents(LineReader(stream), src, config, rlog)
        except CorruptInputError as e:
            report.skip_input(src.location, f"{e}; the records before it are kept")
        rlog.close()


def _jsonl_documents(
    lines: LineReader, src: Source, config: ReadConfig, rlog: RecordLog
) -> Iterator[Document]:
    while True:
        try:
            line = lines.readline()
        except RecordTooLarge as e:
            rlog.skip(f"{src.location}:{e.line}", "too_large", too_large(lines.limit))
            continue
        if not line:
            return
        n = lines.number
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            if n == 1 and line.lstrip().startswith("["):
                rlog.report.skip_input(
                    src.location,
                    "not JSON Lines: a JSON array; convert it "
                    "to one object per line, e.g. jq -c '.[]'",
                )
                return
            rlog.skip(f"{src.location}:{n}", "bad_json", f"not valid JSON ({e.msg})")
            continue
        if not isinstance(record, dict):
            what = f"a JSON {type(record).__name__}, not an object"
            rlog.skip(f"{src.location}:{n}", "not_an_object", what)
            continue
        doc = to_document(record, n, src, config, rlog)
        if doc is not None:
            yield doc


def too_large(limit: int) -> str:
    return f"over {limit:,} characters (MAX_RECORD_CHARS)"
