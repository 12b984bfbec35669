"""The stages of a Ray build that run on the cluster (see corpus.ray.build for the topology).

Thin Ray Data adapters around the functions every executor shares; they exchange Arrow
tables, so Ray moves columns, not Python objects:

- `fingerprint` and `repeated`: pass 1, each unit's (fingerprint, document) pairs, grouped by
  fingerprint: the lines in `cross_doc_min_docs` documents or more (corpus.pipeline.repeats);
- `prepare`: a work unit read and prepared (corpus.pipeline.feed.prepare_unit: the unit's
  record is written by the task), one row per sentence not yet in a shard, then one `end` row;
- `Translate`: an actor holding one loaded engine for the whole run;
- `finish`: rows of consecutive positions of a unit -> one shard each
  (corpus.pipeline.tasks.finish), one summary row per shard; end rows pass through.
"""

from __future__ import annotations

import bisect
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from corpus.pipeline.feed import Sentences, UnitEnd, prepare_unit
from corpus.pipeline.pairs import Unit
from corpus.pipeline.plan import WorkUnit
from corpus.pipeline.prepare import PrepareOptions
from corpus.pipeline.repeats import unit_fingerprints
from corpus.pipeline.tasks import TRANSLATION_FIELDS, FinishOptions, FinishTask, finish
from corpus.pipeline.workdir import WorkDir
from corpus.read.config import ReadConfig


@dataclass
class PrepareStage:
    read: ReadConfig
    inputs: tuple[str, ...]
    options: PrepareOptions
    table: str | None
    work: WorkDir
    rejected: bool


def fingerprint(batch: pa.Table, read: ReadConfig, inputs: tuple[str, ...]) -> pa.Table:
    """(fp, doc): each document's distinct short-line fingerprints, for each unit in `batch`."""
    tables = []
    for blob in batch.column("plan").to_pylist():
        unit, _ = pickle.loads(blob)  # noqa: S301 - written by this build's driver
        pairs = unit_fingerprints(unit, read, inputs).pairs()
        tables.append(pa.table({"fp": pairs["fp"], "doc": pairs["doc"]}))
    return pa.concat_tables(tables) if tables else pa.table({"fp": [], "doc": []})


def repeated(group: dict[str, np.ndarray], min_docs: int) -> dict[str, np.ndarray]:
    """One fingerprint's rows: the fingerprint if that many documents hold it, else nothing."""
    keep = len(np.unique(group["doc"])) >= min_docs
    return {"fp": group["fp"][:1] if keep else group["fp"][:0]}


def unit_row(unit: WorkUnit, covered: list[tuple[int, int]]) -> dict[str, Any]:
    return {"unit": unit.index, "plan": pickle.dumps((unit, covered), protocol=5)}


BLOCK_ROWS = 4096  # sentences per block a prepare task hands on
UNIT_COLUMNS = ("doc_id", "source", "para_index", "sent_index", "start", "end", "text", "line_no",
                "src_lang", "src_lang_conf")  # fmt: skip
STAGE_SCHEMA = pa.schema(
    [("kind", pa.string()), ("unit", pa.int64()), ("pos", pa.int64()), ("count", pa.int64()),
     ("doc_id", pa.string()), ("source", pa.string()), ("para_index", pa.int64()),
     ("sent_index", pa.int64()), ("start", pa.int64()), ("end", pa.int64()),
     ("text", pa.string()), ("line_no", pa.int64()), ("src_lang", pa.string()),
     ("src_lang_conf", pa.float64())]
)  # fmt: skip


def prepare(batch: pa.Table, stage: PrepareStage) -> Iterator[pa.Table]:
    """The sentences of each work unit in `batch` not yet covered by a shard, in order, then
    its end row (`count`: its sentences)."""
    for blob in batch.column("plan").to_pylist():
        unit, covered = pickle.loads(blob)  # noqa: S301 - written by this build's driver
        starts = [s for s, _ in covered]
        columns: dict[str, list[Any]] = {name: [] for name in STAGE_SCHEMA.names}
        for item in prepare_unit(unit, stage.read, stage.inputs, stage.options, stage.table,
                                 stage.work, stage.rejected):  # fmt: skip
            if isinstance(item, Sentences):
                for k, u in enumerate(item.units):
                    pos = item.start + k
                    i = bisect.bisect_right(starts, pos) - 1
                    if i < 0 or not covered[i][0] <= pos < covered[i][1]:
                        _add(columns, "unit", unit.index, pos, 1, u)
            elif isinstance(item, UnitEnd):
                _add(columns, "end", unit.index, item.sentences, item.documents, None)
            if len(columns["kind"]) >= BLOCK_ROWS:
                yield pa.table(columns, schema=STAGE_SCHEMA)
                columns = {name: [] for name in STAGE_SCHEMA.names}
        if columns["kind"]:
            yield pa.table(columns, schema=STAGE_SCHEMA)


def _add(columns: dict[str, list[Any]], kind: str, unit: int, pos: int, count: int,
         u: Unit | None) -> None:  # fmt: skip
    for name, value in (("kind", kind), ("unit", unit), ("pos", pos), ("count", count)):
        columns[name].append(value)
    for name in UNIT_COLUMNS:
        columns[name].append(getattr(u, name) if u is not None else None)


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


SUMMARY_SCHEMA = pa.schema([("kind", pa.string()), ("unit", pa.int64()), ("pos", pa.int64()),
                            ("count", pa.int64())])  # fmt: skip


def finish_stage(batch: pa.Table, options: FinishOptions) -> pa.Table:
    """One shard per run of consecutive positions of a unit; a summary row per shard (its
    sentences) and per end row."""
    rows = batch.to_pylist()
    out: dict[str, list[Any]] = {name: [] for name in SUMMARY_SCHEMA.names}
    for r in rows:
        if r["kind"] == "end":
            for name in SUMMARY_SCHEMA.names:
                out[name].append(r[name])
    for run in _runs([r for r in rows if r["kind"] == "unit"]):
        units = [Unit(**{c: r[c] for c in UNIT_COLUMNS}) for r in run]
        translations = [tuple(r[f"tr_{n}"] for n in TRANSLATION_FIELDS) for r in run]
        first = run[0]
        finish(FinishTask(first["unit"], first["pos"], first["pos"] + len(run), units,
                          translations, options))  # fmt: skip
        for name, value in zip(SUMMARY_SCHEMA.names, ("written", first["unit"], first["pos"],
                                                      len(run)), strict=True):  # fmt: skip
            out[name].append(value)
    return pa.table(out, schema=SUMMARY_SCHEMA)


def _runs(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows sorted by position, cut wherever the next row is not the next sentence of the same
    unit: each run becomes one shard."""
    rows.sort(key=lambda r: (r["unit"], r["pos"]))
    run: list[dict[str, Any]] = []
    for r in rows:
        if run and (r["unit"] != run[-1]["unit"] or r["pos"] != run[-1]["pos"] + 1):
            yield run
            run = []
        run.append(r)
    if run:
        yield run
