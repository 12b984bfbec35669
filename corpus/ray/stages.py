"""The stages of a Ray build that run on the cluster (see corpus.ray.build for the topology).

Every function here is a pure function of its arguments (or a class holding a loaded engine)
and exchanges Arrow tables, so Ray moves columns, not Python objects:

- `fingerprint_unit`: the short-line fingerprints of each document of a work unit (the first
  pass, which decides the lines repeated across documents exactly as the local build does);
- `prepare_unit`: read a work unit's sources and prepare its documents (the same
  `corpus.pipeline.prepare.prepare` as the local build), one row per sentence plus one `end` row that
  carries the unit's report;
- `Translate`: the translate stage, an actor holding one loaded engine for the whole run;
- `finish_rows`: signals and dataset rows, written as Parquet shards of contiguous documents.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from corpus.pipeline.pairs import Unit, rows_of
from corpus.pipeline.prepare import PrepareOptions, prepare
from corpus.pipeline.tasks import TRANSLATION_FIELDS
from corpus.read.config import ReadConfig
from corpus.read.inputs import READERS
from corpus.read.paths import Source
from corpus.records import Document
from corpus.report import Report
from translate.base import Translation


@dataclass(frozen=True)
class WorkUnit:
    """Whole sources read by one task, in reading order, with what enumerating each of them
    reported (skipped, given twice, ignored files)."""

    index: int
    sources: list[Source]
    events: list[dict[str, Any]]  # Report.to_dict() before each source
    documents: int  # estimated, for the progress bar

    def to_row(self) -> dict[str, Any]:
        return {"unit": self.index, "plan": _dumps(self)}


@dataclass
class ReadUnitOptions:
    read: ReadConfig
    prepare: PrepareOptions
    inputs: tuple[str, ...]
    drop_table: dict[bytes, frozenset[int]] = field(default_factory=dict)


def _dumps(unit: WorkUnit) -> bytes:
    import pickle

    return pickle.dumps(unit, protocol=5)


def load_unit(blob: bytes) -> WorkUnit:
    import pickle

    return pickle.loads(blob)  # noqa: S301 - written by this build's driver


def doc_key(unit: int, seq: int) -> int:
    """The position of a document part in the whole input: unit, then order in the unit."""
    return (unit << 32) | seq


def iter_unit_documents(unit: WorkUnit, read: ReadConfig, report: Report) -> Iterator[Document]:
    """The documents of a work unit, exactly as the local reader yields them."""
    for source, events in zip(unit.sources, unit.events, strict=True):
        report.merge(Report.from_dict(events))
        if source.skip is None:
            yield from READERS[source.fmt](source, read, report)


# pass 1: fingerprints ----------------------------------------------------------------------


def fingerprint_unit(batch: pa.Table, read: ReadConfig) -> pa.Table:
    """Rows (fp, key): each short-line fingerprint of each document part, with its position
    (the fingerprint as a big-endian integer, so integers sort as the digests do)."""
    from corpus.clean.cleaner import fingerprints

    fps: list[int] = []
    keys: list[int] = []
    for blob in batch.column("plan").to_pylist():
        unit = load_unit(blob)
        for seq, doc in enumerate(iter_unit_documents(unit, read, Report())):
            for fp in fingerprints(doc.text):
                fps.append(int.from_bytes(fp, "big"))
                keys.append(doc_key(unit.index, seq))
    return pa.table({"fp": pa.array(fps, pa.uint64()), "key": pa.array(keys, pa.int64())})


def unit_digest(unit: WorkUnit, read: ReadConfig) -> str:
    """A hash of the unit's documents (ids, parts and texts): checked on --resume."""
    records = hashlib.sha256()
    for doc in iter_unit_documents(unit, read, Report()):
        records.update(_record(doc).encode("utf-8", "surrogatepass"))
    return records.hexdigest()[:16]


def _record(doc: Document) -> str:
    text = hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return json.dumps([doc.doc_id, doc.part, text]) + "\n"


def repeated_lines(group: dict[str, Any], need: int) -> dict[str, Any]:
    """For one fingerprint: its first position, how many documents hold it, and the first
    `need` positions (the documents that keep the line; every later one drops it)."""
    import numpy as np

    keys = np.sort(group["key"])
    return {
        "fp": group["fp"][:1],
        "first": keys[:1],
        "count": np.array([len(keys)], dtype=np.int64),
        "keep": [keys[:need].tolist()],
    }


# pass 2: read and prepare ------------------------------------------------------------------


UNIT_COLUMNS = ("doc_id", "source", "para_index", "sent_index", "start", "end", "text", "line_no")


def prepare_unit(batch: pa.Table, options: ReadUnitOptions) -> pa.Table:
    """The sentences of each work unit in `batch` (usually one), in order, then its end row."""
    from corpus.clean.cleaner import fingerprints
    from corpus.pipeline.paths import public_document
    from corpus.pipeline.tasks import Offsets

    columns: dict[str, list[Any]] = {name: [] for name in STAGE_SCHEMA.names}
    for blob in batch.column("plan").to_pylist():
        unit = load_unit(blob)
        report, read_report = Report(), Report()
        offsets = Offsets(None, presplit=options.prepare.presplit)
        seq = -1
        pos = 0
        digest = hashlib.sha256()  # as unit_digest: the marker's, checked on --resume
        for seq, doc in enumerate(iter_unit_documents(unit, options.read, read_report)):
            digest.update(_record(doc).encode("utf-8", "surrogatepass"))
            doc = public_document(doc, options.inputs)
            drop = None
            if not options.prepare.presplit:
                key = doc_key(unit.index, seq)
                drop = frozenset(
                    fp
                    for fp in fingerprints(doc.text)
                    if fp in options.drop_table and key not in options.drop_table[fp]
                )
            prepared = prepare(doc, options.prepare, drop)
            report.merge(read_report.take())
            report.merge(prepared.report)
            for u in offsets.place_prepared(prepared):
                _add(columns, "unit", unit.index, seq, pos, u, "")
                pos += 1
        report.merge(read_report.take())
        info = {"report": report.to_dict(), "documents": seq + 1, "sentences": pos,
                "digest": digest.hexdigest()[:16]}  # fmt: skip
        _add(columns, "end", unit.index, seq + 1, pos, None, json.dumps(info))
    return pa.table(columns, schema=STAGE_SCHEMA)


def _add(columns: dict[str, list[Any]], kind: str, unit: int, seq: int, pos: int,
         u: Unit | None, info: str) -> None:  # fmt: skip
    columns["kind"].append(kind)
    columns["unit"].append(unit)
    columns["seq"].append(seq)
    columns["pos"].append(pos)
    for name in UNIT_COLUMNS:
        columns[name].append(getattr(u, name) if u is not None else None)
    columns["info"].append(info)


STAGE_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("unit", pa.int64()),
        ("seq", pa.int64()),
        ("pos", pa.int64()),
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("para_index", pa.int64()),
        ("sent_index", pa.int64()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("line_no", pa.int64()),
        ("info", pa.string()),
    ]
)


# translate ---------------------------------------------------------------------------------


class Translate:
    """The translate stage: one engine per actor, loaded once for the whole run; each batch's
    distinct sentences are translated once."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.translator = factory()

    def __call__(self, batch: pa.Table) -> pa.Table:
        kinds = batch.column("kind").to_pylist()
        texts = batch.column("text").to_pylist()
        wanted = sorted({t for k, t in zip(kinds, texts, strict=True) if k == "unit"})
        done = dict(zip(wanted, self.translator.translate_batch(wanted), strict=True))
        values: dict[str, list[Any]] = {f"tr_{name}": [] for name in TRANSLATION_FIELDS}
        for kind, text in zip(kinds, texts, strict=True):
            tr = done.get(text) if kind == "unit" else None
            for name in TRANSLATION_FIELDS:
                values[f"tr_{name}"].append(getattr(tr, name) if tr is not None else None)
        for name, column in values.items():
            batch = batch.append_column(name, pa.array(column))
        return batch


# finish ------------------------------------------------------------------------------------


@dataclass
class FinishOptions:
    shards: str
    signals: bool
    presplit: bool


def finish_rows(batch: pa.Table, options: FinishOptions) -> pa.Table:
    """Dataset rows with signals, written as one shard per run of consecutive document parts;
    returns one summary row per shard (unit, rows written, report) and passes end rows on."""
    from corpus.dataset.files import write_parquet_atomic
    from corpus.dataset.schema import rows_to_table
    from corpus.pipeline.tasks import schema_of

    rows = batch.to_pylist()
    out: dict[str, list[Any]] = {"kind": [], "unit": [], "seq": [], "count": [], "info": []}
    for kind, unit, seq, count, info in _ends(rows):
        for name, value in zip(out, (kind, unit, seq, count, info), strict=True):
            out[name].append(value)
    for run in _runs([r for r in rows if r["kind"] == "unit"]):
        units = [Unit(*(r[c] for c in UNIT_COLUMNS)) for r in run]
        translations = [Translation(*(r[f"tr_{name}"] for name in TRANSLATION_FIELDS)) for r in run]
        table_rows, report = rows_of(
            units, translations, signals=options.signals, presplit=options.presplit
        )
        first = run[0]
        name = f"u{first['unit']:08d}-{first['pos']:012d}.parquet"
        table = rows_to_table(table_rows, schema_of(options.signals, options.presplit))
        write_parquet_atomic(Path(options.shards) / name, table)
        summary = ("written", first["unit"], first["seq"], len(run), json.dumps(report.to_dict()))
        for column, value in zip(out, summary, strict=True):
            out[column].append(value)
    return pa.table(out, schema=SUMMARY_SCHEMA)


SUMMARY_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("unit", pa.int64()),
        ("seq", pa.int64()),
        ("count", pa.int64()),
        ("info", pa.string()),
    ]
)


def _ends(rows: list[dict[str, Any]]) -> Iterator[tuple[str, int, int, int, str]]:
    for r in rows:
        if r["kind"] == "end":
            yield "end", r["unit"], r["seq"], 0, r["info"]


def _runs(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows sorted by position, cut wherever the next row is not the next sentence of the same
    unit: each run becomes one shard, and shard names sort the runs into input order."""
    rows.sort(key=lambda r: (r["unit"], r["pos"]))
    run: list[dict[str, Any]] = []
    for r in rows:
        if run and (r["unit"] != run[-1]["unit"] or r["pos"] != run[-1]["pos"] + 1):
            yield run
            run = []
        run.append(r)
    if run:
        yield run
