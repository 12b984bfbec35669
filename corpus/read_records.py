"""Record formats for corpus.read: JSON Lines, CSV, TSV, Parquet, Hugging Face datasets.

Each record with text becomes one Document. `text_field` may be dotted (`translation.id`) to reach
into nested JSON objects and struct columns. A record without usable text is dropped and counted in
`Report.dropped` as `read:<reason>` (bad_json, not_an_object, missing_text_field, text_not_string,
bad_csv_row, empty_record), with a warning naming `file:line` for the first few of each file and
one summary line for the rest. A table that lacks the text column is a user error (InputError).
TSV is read unquoted (tabs separate fields, quotes are text), the convention of MT corpora.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from corpus.errors import InputError
from corpus.read_io import check_file, is_saved_dataset, open_text, sanitize_count
from corpus.records import Document
from corpus.report import Report

if TYPE_CHECKING:
    from corpus.read import ReadConfig, Source

log = logging.getLogger(__name__)

MAX_WARNINGS_PER_FILE = 5
PARQUET_BATCH_ROWS = 1024
_CSV_FIELD_LIMIT = 2**31 - 1
_MISSING = object()


class _UnquotedTab(csv.excel_tab):
    quoting = csv.QUOTE_NONE


class RecordLog:
    """Per-file tally of dropped records and repaired characters, reported in a few lines."""

    def __init__(self, src: Source, config: ReadConfig, report: Report) -> None:
        self.location, self.id_field, self.report = src.location, config.id_field, report
        self.skipped: Counter[str] = Counter()
        self.removed = self.replaced = self.missing_ids = 0

    def skip(self, where: str, reason: str, detail: str) -> None:
        self.report.drop("read", reason)
        if sum(self.skipped.values()) < MAX_WARNINGS_PER_FILE:
            self.report.warn(f"{where}: {detail}; record skipped")
        self.skipped[reason] += 1

    def text(self, raw: str) -> str:
        self.replaced += raw.count("\ufffd")
        text, removed = sanitize_count(raw)
        self.removed += removed
        return text

    def close(self) -> None:
        warn, count = self.report.warn, self.report.count
        extra = sum(self.skipped.values()) - MAX_WARNINGS_PER_FILE
        if extra > 0:
            reasons = ", ".join(f"{r} {n}" for r, n in sorted(self.skipped.items()))
            warn(f"{self.location}: {extra} more record(s) skipped (in all: {reasons})")
        if self.removed:
            count("control_chars_removed", self.removed)
            warn(f"{self.location}: removed {self.removed} NUL/control character(s)")
        if self.replaced:
            count("decode_replacements", self.replaced)
            warn(f"{self.location}: {self.replaced} undecodable character(s) shown as U+FFFD")
        if self.missing_ids:
            count("missing_id", self.missing_ids)
            warn(
                f"{self.location}: {self.missing_ids} record(s) without {self.id_field!r}; "
                "numbered by position instead"
            )


def get_field(record: Any, dotted: str) -> Any:
    """`record[dotted]`, else the nested value `record[a][b]` for `a.b`, else _MISSING."""
    if isinstance(record, Mapping) and dotted in record:
        return record[dotted]
    value = record
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def to_document(
    record: Any, n: int, src: Source, config: ReadConfig, rlog: RecordLog
) -> Document | None:
    """The Document of record number `n`, or None (counted) when it holds no usable text."""
    where = f"{src.location}:{n}"
    value = get_field(record, config.text_field)
    if value is _MISSING:
        rlog.skip(where, "missing_text_field", f"no field {config.text_field!r}")
        return None
    if value is not None and not isinstance(value, str):
        kind = type(value).__name__
        rlog.skip(where, "text_not_string", f"field {config.text_field!r} holds {kind}, not text")
        return None
    text = rlog.text(value or "")
    if not text.strip():
        rlog.report.drop("read", "empty_record")
        return None
    return Document(doc_id=_record_id(record, n, src, config, rlog), text=text, source=where)


def _record_id(record: Any, n: int, src: Source, config: ReadConfig, rlog: RecordLog) -> str:
    if config.id_field:
        value = get_field(record, config.id_field)
        if value is not _MISSING and value is not None and str(value):
            return str(value)
        rlog.missing_ids += 1
    return f"{src.name}:{n}"


def require_columns(names: Sequence[str], src: Source, config: ReadConfig) -> list[str]:
    """The top-level columns to read for the text (and id) field; InputError if one is absent."""
    wanted = [config.text_field] + ([config.id_field] if config.id_field else [])
    columns: list[str] = []
    for name in wanted:
        column = name if name in names else name.split(".", 1)[0]
        if column not in names:
            option = "--text-field" if name == config.text_field else "--id-field"
            raise InputError(
                f"{src.location}: no column {name!r}; its columns are: {', '.join(names)}. "
                f"Name the right one with {option}"
            )
        if column not in columns:
            columns.append(column)
    return columns


def read_jsonl(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """JSON Lines: one object per line; blank lines are ignored."""
    with open_text(src.path, src.location, report) as stream:
        if stream is None:
            return
        rlog = RecordLog(src, config, report)
        for n, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                if n == 1 and line.lstrip().startswith("["):
                    report.skip_input(
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
        rlog.close()


def read_csv(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """CSV with a header row (RFC 4180 quoting); n is the line the record starts on."""
    return _read_delimited(src, config, report, csv.excel)


def read_tsv(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """Tab-separated with a header row, unquoted."""
    return _read_delimited(src, config, report, _UnquotedTab)


def _read_delimited(
    src: Source, config: ReadConfig, report: Report, dialect: type[csv.Dialect]
) -> Iterator[Document]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    with open_text(src.path, src.location, report, newline="") as stream:
        if stream is None:
            return
        reader = csv.DictReader(stream, dialect=dialect)
        try:
            names = reader.fieldnames
        except csv.Error as e:
            report.skip_input(src.location, f"unreadable: malformed header ({e})")
            return
        if not names:
            report.skip_input(src.location, "empty: no header row")
            return
        require_columns(names, src, config)
        rlog = RecordLog(src, config, report)
        yield from _csv_documents(reader, src, config, rlog)
        rlog.close()


def _csv_documents(
    reader: csv.DictReader[str], src: Source, config: ReadConfig, rlog: RecordLog
) -> Iterator[Document]:
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            rlog.skip(f"{src.location}:{line}", "bad_csv_row", f"malformed ({e})")
            continue
        doc = to_document(row, line, src, config, rlog)
        if doc is not None:
            yield doc


def read_parquet(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """Parquet, streamed by record batch; n is the 0-based row."""
    import pyarrow.parquet as pq

    assert src.path is not None, "stdin is refused as Parquet when the inputs are checked"
    if not check_file(src.path, src.location, report):
        return
    try:
        parquet = pq.ParquetFile(src.path)
    except (OSError, ValueError) as e:
        report.skip_input(src.location, f"unreadable: not a valid Parquet file ({e})")
        return
    columns = require_columns(parquet.schema_arrow.names, src, config)
    rlog, row = RecordLog(src, config, report), 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
            for record in batch.to_pylist():
                doc = to_document(record, row, src, config, rlog)
                row += 1
                if doc is not None:
                    yield doc
    except (OSError, ValueError) as e:
        report.drop("read", "corrupt_file_rest")
        report.warn(f"{src.location}: unreadable from row {row} on ({e}); rest skipped")
    rlog.close()


def read_hf(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """A dataset saved with save_to_disk, or a folder or Hub name that `datasets.load_dataset`
    loads (streaming); `config.split` picks the split; n is the 0-based row."""
    dataset = _load_dataset(src, config)
    names = list(dataset.column_names or [])
    if names:
        dataset = dataset.select_columns(require_columns(names, src, config))
    rlog = RecordLog(src, config, report)
    try:
        for row, record in enumerate(dataset):
            doc = to_document(record, row, src, config, rlog)
            if doc is not None:
                yield doc
    except (OSError, ValueError) as e:
        raise InputError(f"dataset {src.location!r} failed while reading: {e}") from e
    rlog.close()


def _load_dataset(src: Source, config: ReadConfig) -> Any:
    try:
        import datasets
    except ImportError as e:
        raise InputError(
            "reading a Hugging Face dataset needs the datasets package: "
            "pip install 'idcorpus[datasets]'"
        ) from e
    try:
        if src.path is not None and is_saved_dataset(src.path):
            return _pick_split(datasets.load_from_disk(str(src.path)), src, config)
        return datasets.load_dataset(src.location, split=config.split, streaming=True)
    except (OSError, ValueError) as e:
        raise InputError(
            f"cannot load dataset {src.location!r} (split {config.split!r}): {e}. A local folder "
            "needs data files (Parquet, JSON Lines, CSV, text) or a save_to_disk layout; a Hub "
            "name needs the network or a cached copy; choose the split with --split"
        ) from e


def _pick_split(loaded: Any, src: Source, config: ReadConfig) -> Any:
    import datasets

    if not isinstance(loaded, datasets.DatasetDict):
        return loaded
    if config.split not in loaded:
        raise InputError(
            f"dataset {src.location!r} has no split {config.split!r}; its splits are: "
            f"{', '.join(loaded)}. Choose one with --split"
        )
    return loaded[config.split]
