"""CSV and TSV for corpus.read.inputs: a header row, then one record per row; n is the line a record
starts on.

CSV is RFC 4180 (quoted fields may span lines), parsed strictly so that an unterminated quote
cannot silently swallow the records after it: a record that spans several lines and is
malformed (typically a quote opened and never closed) is skipped with a warning naming
`file:line`, and the lines after its first are read again as records. A malformed record on a
single line is read leniently, as before (a stray character after a closing quote is kept).
A record over MAX_RECORD_CHARS characters is skipped (too_large); inside a quoted field the
reader goes on, not holding it, to where the quotes balance, and when they never do (a quote
opened and never closed) the file is read again from the line after the record's first.

TSV is read unquoted (tabs separate fields, quotes are text), the convention of MT corpora.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

from corpus.read.decode import open_text
from corpus.read.records import (
    LineReader,
    RecordLog,
    RecordTooLarge,
    require_columns,
    to_document,
    too_large,
)
from corpus.read.streams import CorruptInputError
from corpus.records import Document
from corpus.report import Report

if TYPE_CHECKING:
    from corpus.read.config import ReadConfig
    from corpus.read.paths import Source

_CSV_FIELD_LIMIT = 2**31 - 1


class _StrictCsv(csv.excel):
    strict = True


class _UnquotedTab(csv.excel_tab):
    quoting = csv.QUOTE_NONE


def read_csv(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """CSV with a header row (RFC 4180 quoting)."""
    return _read_delimited(src, config, report, _StrictCsv)


def read_tsv(src: Source, config: ReadConfig, report: Report) -> Iterator[Document]:
    """Tab-separated with a header row, unquoted."""
    return _read_delimited(src, config, report, _UnquotedTab)


def _read_delimited(
    src: Source, config: ReadConfig, report: Report, dialect: type[csv.Dialect]
) -> Iterator[Document]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    rlog = RecordLog(src, config, report)
    start: int | None = 2
    while start is not None:
        again = start > 2  # reading again after an unterminated quote: reported once already
        with open_text(
            src.path, src.location, Report() if again else report, "", src.compression
        ) as stream:
            if stream is None:
                return
            quotechar = dialect.quotechar if dialect.quoting != csv.QUOTE_NONE else None
            rows = _Rows(LineReader(stream, quotechar), dialect, src, rlog)
            try:
                start = yield from rows.documents(config, start)
            except CorruptInputError as e:
                report.skip_input(src.location, f"{e}; the records before it are kept")
                start = None
        if start is not None and src.path is None:
            rlog.skip(f"{src.location}:{start}", "bad_csv_row", "stdin cannot be read again")
            start = None
    rlog.close()


class _Rows:
    """The rows of one reading of a delimited file. The lines of the current record are kept
    (about MAX_RECORD_CHARS at most) so that they can be read again."""

    def __init__(self, lines: LineReader, dialect: type[csv.Dialect], src: Source, rlog: RecordLog):
        self.lines, self.dialect, self.src, self.rlog = lines, dialect, src, rlog
        self.reader = csv.reader(self, dialect)
        self.record: list[tuple[int, str]] = []
        self.again: deque[tuple[int, str]] = deque()
        self.size = 0

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> str:
        """The next line for csv.reader."""
        if self.again:
            n, line = self.again.popleft()
        else:
            line = self.lines.readline()
            if not line:
                raise StopIteration
            n = self.lines.number
        self.record.append((n, line))
        self.size += len(line)
        if self.size > self.lines.limit:
            raise RecordTooLarge(self.record[0][0])
        return line

    def documents(self, config: ReadConfig, start: int) -> Generator[Document, None, int | None]:
        """The documents of the records from line `start` on (the header is read first); the
        line to read the file again from when an unterminated quote ran to its end, else None."""
        header = self._header()
        if header is None:
            return None
        require_columns(header, self.src, config)
        self._skip_to(start)
        while True:
            try:
                n, row = self._row()
            except StopIteration:
                return None
            except RecordTooLarge as e:
                first = self.record[0][0] if self.record else e.line
                self.rlog.skip(
                    f"{self.src.location}:{first}", "too_large", too_large(self.lines.limit)
                )
                if not self._skip_rest(e):
                    return first + 1
                continue
            if row:
                fields: list[str | None] = [*row, *[None] * (len(header) - len(row))]
                doc = to_document(
                    dict(zip(header, fields, strict=False)), n, self.src, config, self.rlog
                )
                if doc is not None:
                    yield doc

    def _skip_to(self, start: int) -> None:
        """Read past the lines before line `start` (when reading the file again)."""
        while self.lines.number < start - 1:
            try:
                if not self.lines.readline():
                    return
            except RecordTooLarge:
                continue

    def _header(self) -> list[str] | None:
        report, location = self.rlog.report, self.src.location
        try:
            n, row = self._row()
            while not row:
                n, row = self._row()
        except StopIteration:
            report.skip_input(location, "empty: no header row")
            return None
        except RecordTooLarge:
            report.skip_input(location, f"unreadable: a header row {too_large(self.lines.limit)}")
            return None
        return row

    def _row(self) -> tuple[int, list[str]]:
        """The next record's first line and fields; malformed ones handled as the module says."""
        while True:
            self.record, self.size = [], 0
            try:
                row = next(self.reader)
            except csv.Error as e:
                lenient = self._lenient(e)
                if lenient is None:
                    continue
                row = lenient
            return self.record[0][0], row

    def _lenient(self, error: csv.Error) -> list[str] | None:
        if len(self.record) == 1:
            return next(csv.reader([self.record[0][1]], self.dialect, strict=False), [])
        first, last = self.record[0][0], self.record[-1][0]
        self.rlog.skip(
            f"{self.src.location}:{first}",
            "bad_csv_row",
            f"malformed over lines {first}-{last} ({error}), most likely a quote never closed; "
            f"lines {first + 1}-{last} are read again as records",
        )
        self.again.extendleft(reversed(self.record[1:]))
        return None

    def _skip_rest(self, error: RecordTooLarge) -> bool:
        """Read on (not holding) to the end of a record over the limit: where its quotes
        balance. False when they never do."""
        quotes = error.quotes + sum(self.lines.quotes(line) for _, line in self.record)
        while quotes % 2:
            try:
                line = self.again.popleft()[1] if self.again else self.lines.readline()
            except RecordTooLarge as e:
                quotes += e.quotes
                continue
            if not line:
                return False
            quotes += self.lines.quotes(line)
        return True
