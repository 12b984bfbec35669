"""The build's worker-side tasks (picklable and pure: they run in `--jobs` processes) and the
bookkeeping of document parts.

- `prepare_task`: a batch of documents -> their sentence units, per document part what the
  main process keeps, and one report (each part's reader events, then what preparing it
  dropped) — so the report is merged in document order however tasks are grouped;
- `finish_task`: translated units -> dataset rows with their signals, as an Arrow table;
- `Offsets`: offsets, sentence, paragraph and line numbers continued across the parts of a
  long document (each part is prepared on its own, starting at 0).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from corpus.dataset.schema import arrow_schema, build_columns, rows_to_table
from corpus.pipeline.pairs import Unit, rows_of
from corpus.pipeline.prepare import Prepared, PrepareOptions, prepare
from corpus.records import Document
from corpus.report import Report
from translate.base import Translation


@dataclass
class Doc:
    """A document on its way to a worker, with what the reader reported before it."""

    doc: Document
    drop: frozenset[bytes] | None
    read: Report
    record: list[Any]  # [doc_id, part, hash of the text]: checked on --resume


class DocMeta(NamedTuple):
    """What the main process keeps of a prepared document part."""

    record: list[Any]
    doc_id: str
    part: int
    units: int
    spans: int
    text_length: int
    paragraphs: int
    lines: int

    @classmethod
    def of(cls, record: list[Any], prepared: Prepared) -> DocMeta:
        return cls(record, prepared.doc_id, prepared.part, len(prepared.units), prepared.spans,
                   prepared.text_length, prepared.paragraphs, prepared.lines)  # fmt: skip


@dataclass
class PreparedBatch:
    """The result of one preparation task (see the module docstring)."""

    units: list[Unit]
    docs: list[DocMeta]
    report: Report


def prepare_task(task: tuple[list[Doc], PrepareOptions]) -> PreparedBatch:
    items, options = task
    result = PreparedBatch([], [], Report())
    for item in items:
        prepared = prepare(item.doc, options, item.drop)
        result.report.merge(item.read)
        result.report.merge(prepared.report)
        result.units += prepared.units
        result.docs.append(DocMeta.of(item.record, prepared))
    return result


TRANSLATION_FIELDS = tuple(f.name for f in fields(Translation))


_FIELDS = operator.attrgetter(*TRANSLATION_FIELDS)


def translation_fields(translation: Translation) -> tuple[Any, ...]:
    """A Translation as a plain tuple (thousands cross to the workers per chunk)."""
    return _FIELDS(translation)  # type: ignore[no-any-return]


@dataclass
class FinishTask:
    units: list[Unit]
    translations: list[tuple[Any, ...]]  # translation_fields, in order
    signals: bool
    presplit: bool


def finish_task(task: FinishTask) -> tuple[Any, Report]:
    """Rows with their signals, as an Arrow table (cheap to send back)."""
    translations = [Translation(*values) for values in task.translations]
    rows, report = rows_of(task.units, translations, signals=task.signals, presplit=task.presplit)
    return rows_to_table(rows, schema_of(task.signals, task.presplit)), report


def schema_of(signals: bool, presplit: bool) -> Any:
    return arrow_schema(build_columns(signals, presplit)[0])


class Offsets:
    """Offsets, sentence, paragraph and line numbers continued across the parts of a long
    document (a part's own start at 0)."""

    def __init__(self, base: dict[str, Any] | None, presplit: bool) -> None:
        self.base = dict(base) if base else None
        self.joiner = 0 if presplit else 2  # parts of cleaned text are joined by a blank line

    def place(self, doc: DocMeta, units: list[Unit]) -> list[Unit]:
        base = self.base if doc.part and self.base and self.base["doc"] == doc.doc_id else None
        if base is not None:
            units = [
                u._replace(
                    start=u.start + base["char"],
                    end=u.end + base["char"],
                    sent_index=u.sent_index + base["sent"],
                    para_index=u.para_index + base["para"],
                    line_no=None if u.line_no is None else u.line_no + base["line"],
                )
                for u in units
            ]
        else:
            base = {"doc": doc.doc_id, "char": 0, "sent": 0, "para": 0, "line": 0}
        self.base = {
            "doc": doc.doc_id,
            "char": base["char"] + doc.text_length + self.joiner,
            "sent": base["sent"] + doc.spans,
            "para": base["para"] + doc.paragraphs,
            "line": base["line"] + doc.lines,
        }
        return units

    def place_prepared(self, prepared: Prepared) -> list[Unit]:
        """`place` for a corpus.pipeline.prepare.Prepared result."""
        return self.place(DocMeta.of([], prepared), prepared.units)

    def snapshot(self) -> dict[str, Any] | None:
        return dict(self.base) if self.base else None
