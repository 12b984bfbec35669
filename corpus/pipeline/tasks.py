"""The build's tasks that run in any process (`--jobs` workers, Ray tasks): picklable, pure.

- `prepare_task`: document parts -> their sentence units (with their source language, decided
  with the rest of their document, when the build computes signals), per part what the
  caller keeps (`DocMeta`, with the part's rejected rows) and one report of counts, in
  document order however tasks are grouped;
- `finish`: translated units of one checkpoint -> dataset rows with their signals, the
  filter's row rules applied, written as a shard (corpus.pipeline.checkpoints);
- `Offsets`: positions (offsets, sentence, paragraph and line numbers) continued across the
  parts of a long document: each part is prepared on its own, starting at 0;
- `warm_worker`: what a `--jobs` worker loads once, before its first task.
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from corpus.clean.cleaner import fingerprints
from corpus.dataset.filter import FilterConfig, FilterReport, RowFilter
from corpus.dataset.schema import arrow_schema, build_columns, rejected_table, rows_to_table
from corpus.dataset.splits import split_of
from corpus.pipeline import repeats
from corpus.pipeline.checkpoints import ShardInfo, write_shard
from corpus.pipeline.memory import arrow_without_pandas, release_memory
from corpus.pipeline.pairs import Unit, rows_of
from corpus.pipeline.prepare import Prepared, PrepareOptions, prepare
from corpus.records import Document
from corpus.report import Rejected, Report
from corpus.signals.contamination import testset_index
from corpus.signals.quality import identify_documents, language_identifier
from translate.base import Translation


@dataclass
class PrepItem:
    """A document part on its way to a worker, with what the reader reported before it."""

    doc: Document
    last: bool
    read: Report


class DocMeta(NamedTuple):
    """What the caller keeps of a prepared document part."""

    doc_id: str
    part: int
    units: int
    spans: int
    text_length: int
    paragraphs: int
    lines: int
    raw_length: int
    last: bool
    rejected: list[Rejected]


@dataclass
class PreparedBatch:
    units: list[Unit]
    docs: list[DocMeta]
    report: Report  # counts and examples; the rows are in each DocMeta


def prepare_task(task: tuple[list[PrepItem], PrepareOptions, str | None]) -> PreparedBatch:
    """Prepare document parts; `table`: the path of the repeated-lines table (None: none).
    With `options.identify`, each unit gets its source language (`identified`)."""
    items, options, table_path = task
    table = repeats.load(table_path) if table_path else None
    result = PreparedBatch([], [], Report())
    parts = []
    for item in items:
        drop = None
        if table is not None:
            drop = table.drop(fingerprints(item.doc.text))
        prepared = prepare(item.doc, options, drop)
        report = Report()
        report.merge(item.read)
        report.merge(prepared.report)
        parts.append(prepared.units)
        result.docs.append(meta_of(prepared, item, report.take_rejected()))
        result.report.merge(report)
    if options.identify:
        parts = identified(parts, options.presplit)
    result.units = [u for units in parts for u in units]
    release_memory()  # what cleaning and language ID freed (corpus.pipeline.memory)
    return result


def identified(parts: list[list[Unit]], presplit: bool) -> list[list[Unit]]:
    """The units of each document part with their source language, each sentence's
    Indonesian/Malay decision taking in the rest of its part (a document, or one part of a
    text file read in parts: corpus/read/windows.py); presplit input is one sentence per
    line from no document, so each line is decided alone. Results depend on the part only,
    whatever else shares the task."""
    if presplit:
        documents = [[u.text] for units in parts for u in units]
    else:
        documents = [[u.text for u in units] for units in parts]
    langs = [lang for doc in identify_documents(documents) for lang in doc]
    out, at = [], 0
    for units in parts:
        found = langs[at : at + len(units)]
        out.append([u._replace(src_lang=lang, src_lang_conf=conf)
                    for u, (lang, conf) in zip(units, found, strict=True)])  # fmt: skip
        at += len(units)
    return out


def meta_of(prepared: Prepared, item: PrepItem, rejected: list[Rejected]) -> DocMeta:
    return DocMeta(prepared.doc_id, prepared.part, len(prepared.units), prepared.spans,
                   prepared.text_length, prepared.paragraphs, prepared.lines,
                   len(item.doc.text), item.last, rejected)  # fmt: skip


TRANSLATION_FIELDS = tuple(f.name for f in fields(Translation))
_FIELDS = operator.attrgetter(*TRANSLATION_FIELDS)


def translation_fields(translation: Translation) -> tuple[Any, ...]:
    """A Translation as a plain tuple (thousands cross to the workers per checkpoint)."""
    return _FIELDS(translation)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class FinishOptions:
    """How translated units become rows of a shard: the same for every checkpoint."""

    shards: str
    signals: bool
    presplit: bool
    splits: tuple[tuple[str, float], ...]
    seed: int
    filter: FilterConfig | None = None  # its row rules (a duplicate is found at assembly)
    rejected: bool = True


@dataclass
class FinishTask:
    unit: int
    start: int
    end: int
    units: list[Unit]
    translations: list[tuple[Any, ...]]  # translation_fields, in order
    options: FinishOptions = field(repr=False)


def finish(task: FinishTask) -> ShardInfo:
    """Rows of the checkpoint [start, end) of a unit, written as its shard."""
    opt = task.options
    translations = [Translation(*values) for values in task.translations]
    rows, report = rows_of(task.units, translations, signals=opt.signals, presplit=opt.presplit)
    row_filter = None
    if opt.filter is not None:
        row_filter = RowFilter(replace(opt.filter, dedup="none"))
        rows = [row for row in rows if _kept(row, row_filter, report)]
    splits = Counter(split_of(r["doc_id"], opt.splits, opt.seed) for r in rows)
    rejected = report.take_rejected()
    info = ShardInfo(
        task.unit, task.start, task.end, len(rows), dict(splits), report.to_dict(),
        len(rejected) if opt.rejected else 0,
        filter_counts(row_filter.report) if row_filter is not None else None,
    )  # fmt: skip
    table = rows_to_table(rows, schema_of(opt.signals, opt.presplit))
    write_shard(Path(opt.shards), info, table, rejected_table(rejected) if opt.rejected else None)
    del rows, table, rejected
    release_memory()  # a worker keeps nothing of a checkpoint (corpus.pipeline.memory)
    return info


def warm_worker(signals: bool, lean_arrow: bool) -> None:
    """What a build's worker process loads once, before its first task: the language-ID
    model and the test-set index when the build computes signals; with `lean_arrow`, pyarrow
    told that pandas is not there (a build that reads no Hugging Face dataset: see
    corpus.pipeline.memory); then what loading them freed is given back."""
    if lean_arrow:
        arrow_without_pandas()
    if signals:
        language_identifier()
        testset_index()
    release_memory(collect=True)


def _kept(row: dict[str, Any], row_filter: RowFilter, report: Report) -> bool:
    if row_filter.keep(row):
        return True
    rule = row_filter.last_rule or ""
    source = row["translation"]
    report.drop("filter", rule, doc=row["doc_id"], text=source["id"], source=row["source"],
                translation=source["en"], line_no=row.get("line_no"))  # fmt: skip
    return False


def filter_counts(report: FilterReport) -> dict[str, Any]:
    return report.to_dict()


def schema_of(signals: bool, presplit: bool) -> Any:
    return arrow_schema(build_columns(signals, presplit)[0])


class Offsets:
    """Positions continued across the parts of a long document (a part's own start at 0):
    offsets and sentence, paragraph and line numbers of its units, and the line numbers and
    character offsets (in the text as read) of its rejected rows."""

    KEYS = ("char", "sent", "para", "line", "raw")

    def __init__(self, presplit: bool) -> None:
        self.base: dict[str, Any] | None = None
        self.joiner = 0 if presplit else 2  # parts of cleaned text are joined by a blank line

    def place(self, doc: DocMeta, units: list[Unit]) -> tuple[list[Unit], list[Rejected]]:
        """`doc`'s units and rejected rows with positions in its whole document (as far as
        this unit knows: a unit that starts inside a document counts from its own start)."""
        base = self.base if doc.part and self.base and self.base["doc"] == doc.doc_id else None
        rejected = doc.rejected
        if base is not None:
            units = [shift_unit(u, base) for u in units]
            rejected = [shift_rejected(r, base) for r in rejected]
        else:
            base = dict.fromkeys(self.KEYS, 0)
        self.base = {
            "doc": doc.doc_id,
            "char": base["char"] + doc.text_length + self.joiner,
            "sent": base["sent"] + doc.spans,
            "para": base["para"] + doc.paragraphs,
            "line": base["line"] + doc.lines,
            "raw": base["raw"] + doc.raw_length,
        }
        return units, rejected

    def snapshot(self) -> dict[str, Any] | None:
        return dict(self.base) if self.base else None


def shift_unit(u: Unit, base: dict[str, Any]) -> Unit:
    return u._replace(
        start=u.start + base["char"],
        end=u.end + base["char"],
        sent_index=u.sent_index + base["sent"],
        para_index=u.para_index + base["para"],
        line_no=None if u.line_no is None else u.line_no + base["line"],
    )


def shift_rejected(r: Rejected, base: dict[str, Any]) -> Rejected:
    def add(value: int | None, key: str) -> int | None:
        return None if value is None else value + base[key]

    return r._replace(
        line_no=add(r.line_no, "line"),
        char_start=add(r.char_start, "raw"),
        char_end=add(r.char_end, "raw"),
    )
