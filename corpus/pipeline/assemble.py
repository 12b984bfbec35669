"""Unit records and shards -> the published dataset: the last step of every build.

The same for both executors, which only run its pieces (`Executor.map`):

1. the run's report: the unit records' reports in unit order, the plan's tail, then the
   shards' reports in position order (so it does not depend on where units or checkpoints
   were cut); the positions of units that start inside a document get their bases (the
   totals of the units before, corpus.pipeline.tasks.Offsets);
2. with `--dedup` (local builds), one pass over the shards in order marks the duplicates;
3. the dataset writer plans the output files from the shards' row counts per split
   (corpus.dataset.pieces), the executor writes them, and the writer adopts them, writes the
   card and publishes the folder (corpus.dataset.writer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from corpus.dataset.files import write_parquet_atomic
from corpus.dataset.filter import FilterReport
from corpus.dataset.pieces import Figures, Layout, Piece, Source, plan_pieces, write_piece
from corpus.dataset.schema import REJECTED_DIR, build_columns, rejected_table
from corpus.dataset.writer import DatasetWriter, EmptyDatasetError
from corpus.errors import InputError, OutputError
from corpus.pipeline.checkpoints import (
    ShardInfo,
    UnitRecord,
    load_unit,
    rejected_file,
    statuses,
    unit_file,
)
from corpus.pipeline.dedup import mark_duplicates
from corpus.pipeline.executor import Job
from corpus.pipeline.paths import make_public, public_rejected
from corpus.pipeline.workdir import WorkDir
from corpus.read.streams import utf8_name
from corpus.report import Rejected, Report

Mapper = Callable[[Callable[[Piece], Figures], Sequence[Piece]], list[Figures]]


@dataclass
class Finished:
    counts: dict[str, int]
    report: Report
    rejected: int = 0
    flags: dict[str, int] = field(default_factory=dict)  # rows per flag, all splits


@dataclass
class _Parts:
    """What the work area holds, in order, with the bases of each unit's positions."""

    records: list[UnitRecord] = field(default_factory=list)
    shards: list[tuple[ShardInfo, dict[str, int] | None]] = field(default_factory=list)
    bases: list[dict[str, int] | None] = field(default_factory=list)


def collect(job: Job) -> tuple[_Parts, Report]:
    """The unit records and kept shards of a finished run, and the run's report."""
    parts = _Parts()
    carry: dict[str, Any] | None = None
    status = statuses(job.work.units, job.work.shards, len(job.plan.units))
    for unit, st in zip(job.plan.units, status, strict=True):
        record = st.record or load_unit(job.work.units, unit.index)
        if record is None or not st.done:
            raise OutputError(f"internal error: work unit {unit.index} is not finished")
        base = _numbers(carry) if unit.continues and carry is not None else None
        carry = _add(base, record.totals) if record.totals else None
        parts.records.append(record)
        parts.bases.append(base)
        parts.shards += [(info, base) for info in st.kept]
    report = Report()
    for record in parts.records:
        report.merge(Report.from_dict(record.report))
    report.merge(job.plan.tail)
    for info, _ in parts.shards:
        report.merge(Report.from_dict(info.report))
    report.settle()
    make_public(report, job.config.inputs)
    return parts, report


def _numbers(totals: dict[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in totals.items() if k != "doc"}


def _add(base: dict[str, int] | None, totals: dict[str, Any]) -> dict[str, Any]:
    if base is None:
        return dict(totals)
    return {k: (v + base.get(k, 0) if k != "doc" else v) for k, v in totals.items()}


def assemble(job: Job, mapper: Mapper, provenance: dict[str, Any]) -> Finished:
    """Publish the dataset of a finished run at `job.config.out` (see the module docstring)."""
    config, work = job.config, job.work
    out = Path(config.out)
    parts, report = collect(job)
    if report.counts["documents"] == 0:
        work.remove()
        raise InputError(nothing_usable(config.inputs, report))
    cols, docs = build_columns(config.signals, config.read.presplit)
    writer = DatasetWriter(work.staging(), cols, [s for s, _ in config.splits], docs)
    sources = [Source.of(info.path, info.splits, base) for info, base in parts.shards]
    freport = None
    extra: list[Source] = []
    if config.filter is not None:
        freport = FilterReport.for_config(config.filter)
        for info, _ in parts.shards:
            _add_filter(freport, info.filter or {})
        if config.filter.dedup != "none":
            sources, extra = mark_duplicates(sources, config, work, freport, report)
    layout = Layout(cols, config.splits, config.seed)
    pieces = plan_pieces(sources, [s for s, _ in config.splits], "data", layout.rows_per_file)
    _write(writer, pieces, layout, mapper)
    tail = public_rejected(report.take_rejected(), config.inputs)  # after the last input
    if config.rejected:
        found = rejected_sources(job, parts, _tail_source(work, tail) + extra)
        layout = Layout(None)
        pieces = plan_pieces(found, [None], REJECTED_DIR, layout.rows_per_file)
        _write(writer, pieces, layout, mapper)
    fdict = freport.to_dict() if freport is not None else None
    try:
        finished = writer.finish(
            out,
            name=f"idcorpus id-en: {out.name}",
            provenance=provenance,
            report=report,
            filter_report=fdict,
            overwrite=config.overwrite,
            empty_split=empty_split_message(report),
        )
    except EmptyDatasetError as e:
        work.remove()
        raise OutputError(empty_reason(out, report, fdict)) from e
    return Finished(dict(finished.counts), report, flags=finished.flags)


def _write(writer: DatasetWriter, pieces: list[Piece], layout: Layout, mapper: Mapper) -> None:
    """Write `pieces` where the executor runs tasks, and hand their figures to the writer."""
    write = partial(write_piece, folder=str(writer.staged), layout=layout)
    for piece, figures in zip(pieces, mapper(write, pieces), strict=True):
        writer.adopt(piece.split, figures)


def _tail_source(work: WorkDir, rows: list[Rejected]) -> list[Source]:
    """The rejected rows reported after the last input (the plan's tail), as a file."""
    if not rows:
        return []
    path = work.path / "tail.rejected.parquet"
    write_parquet_atomic(path, rejected_table(rows))
    return [Source(str(path), {None: len(rows)})]


def _add_filter(total: FilterReport, part: dict[str, Any]) -> None:
    total.input_rows += int(part.get("input_rows", 0))
    total.kept += int(part.get("kept", 0))
    for rule, n in part.get("dropped", {}).items():
        total.dropped[rule] = total.dropped.get(rule, 0) + int(n)


def rejected_sources(job: Job, parts: _Parts, extra: Iterable[Source] = ()) -> list[Source]:
    """The files of rejected rows, in order: the units' (reading, preparing), the shards'
    (translating, filtering), then `extra` (duplicates)."""
    found = [
        Source(str(rejected_file(unit_file(job.work.units, r.unit))), {None: r.rejected}, base)
        for r, base in zip(parts.records, parts.bases, strict=True)
        if r.rejected
    ]
    found += [
        Source(str(rejected_file(Path(info.path))), {None: info.rejected}, base)
        for info, base in parts.shards
        if info.rejected
    ]
    return found + list(extra)


def empty_split_message(report: Report) -> str:
    return (
        "split {split!r} received no documents and is left out of the dataset "
        f"({report.counts['documents']} documents in all); use more documents or a larger "
        "fraction"
    )


def nothing_usable(inputs: Iterable[str], report: Report) -> str:
    """The message of a build that read no document, with the inputs it skipped."""
    names = ", ".join(utf8_name(arg) for arg in inputs)
    lines = [f"nothing usable in the input ({names}): no document was read"]
    lines += [f"  skipped {src}: {why}" for src, why in report.skipped_inputs[:20]]
    return "\n".join(lines)


def empty_reason(out: Path, report: Report, freport: dict[str, Any] | None) -> str:
    """Why a build wrote no row, by cause; nothing was published."""
    r = report
    head = f"no dataset written to {out}: "
    if freport and freport.get("input_rows"):
        rules = ", ".join(f"{k} {v}" for k, v in freport["dropped"].items() if v)
        return (
            head + f"the filter dropped all {freport['input_rows']} rows ({rules}); "
            "relax the filter options or build without them"
        )
    if not r.counts["sentences"]:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(r.dropped.items()))
        return (
            head + f"the {r.counts['documents']} document(s) held no sentence after cleaning "
            f"(dropped: {reasons or 'nothing'}); check the input, or use --presplit for "
            "one sentence per line"
        )
    reasons = ", ".join(
        f"{k} {v}" for k, v in sorted(r.dropped.items()) if k.startswith("translate:")
    )
    return head + f"every translation was dropped ({reasons})"
