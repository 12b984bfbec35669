"""The one writer of dataset folders: rows -> Parquet splits + statistics + card + JSON, published.

`idcorpus build` and `idcorpus filter` both write through `DatasetWriter`. Rows reach it
either streaming (`add`, `add_table`: `idcorpus filter`) or as pieces written elsewhere and
adopted (`adopt`: a build's assembly, whose pieces are written by worker processes or Ray
tasks through the same corpus.dataset.pieces code, so the bytes are the same). The pairs go to
`data/<split>-NNNNN-of-NNNNN.parquet`, the rejected units (the `rejected` configuration) to
`rejected/train-NNNNN-of-NNNNN.parquet`, in a staging folder next to the output; `finish`
writes the card (README.md), `idcorpus.json`, LICENSE.md and `report.html` (corpus.review: the
page a person reads the corpus by), and `publish` fsyncs every file
and folder and moves the folder into place in one rename (an old output is replaced only
then, and restored if that rename fails). A dataset without a single row is never published
(`datasets` cannot load it): `finish` raises `EmptyDatasetError`, and the caller says why.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from corpus.dataset.card import LICENSE_FILE, CardInfo, license_text, render_card
from corpus.dataset.files import SplitWriter
from corpus.dataset.pieces import Figures, add_flags
from corpus.dataset.schema import REJECTED_DIR, arrow_schema, rejected_schema
from corpus.dataset.stats import Sample
from corpus.errors import ConfigError, OutputError
from corpus.report import Report
from corpus.review import write_report

log = logging.getLogger(__name__)


class EmptyDatasetError(OutputError):
    """Every row was dropped: nothing is published (the caller's message says why)."""


@dataclass
class Finished:
    """What `DatasetWriter.finish` wrote: rows per split, the splits left out, and rows per
    flag (bool column) in all splits."""

    counts: dict[str, int]
    empty_splits: list[str] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)


class DatasetWriter:
    """Rows in, a published dataset folder out (see the module docstring)."""

    def __init__(
        self,
        staged: Path,
        cols: Mapping[str, str],
        splits: list[str],
        docs: Mapping[str, str],
    ) -> None:
        if staged.exists():
            shutil.rmtree(staged)
        staged.mkdir(parents=True)
        self.staged = staged
        self.cols = dict(cols)
        self.docs = docs
        self.declared = list(splits)
        self.schema = arrow_schema(self.cols)
        self.splits = SplitWriter(
            staged, self.schema, splits=splits, sample=lambda: Sample.of_dataset(self.cols)
        )
        self.rejected_rows = SplitWriter(staged, rejected_schema(), prefix=REJECTED_DIR)
        self.adopted: dict[str, list[Figures]] = {}
        self.rejected_adopted: list[Figures] = []

    def add(self, split: str, row: Mapping[str, object]) -> None:
        self.splits.add(split, row)

    def add_table(self, split: str, table: pa.Table) -> None:
        """Rows of an Arrow table with this writer's columns, all of one split."""
        self.splits.add_table(split, table)

    def add_rejected(self, table: pa.Table) -> None:
        """Rejected rows (corpus.dataset.schema.REJECTED_COLUMNS) for the `rejected` config."""
        self.rejected_rows.add_table("train", table)

    def adopt(self, split: str | None, figures: Figures) -> None:
        """A piece written elsewhere into this folder: of `split`, or rejected rows (None)."""
        if split is None:
            self.rejected_adopted.append(figures)
        else:
            self.adopted.setdefault(split, []).append(figures)

    def _figures(self) -> tuple[dict[str, list[Figures]], list[Figures]]:
        self.splits.close()
        self.rejected_rows.close()
        pairs = {s: list(f) for s, f in self.splits.figures.items()}
        for split, figures in self.adopted.items():
            pairs.setdefault(split, []).extend(figures)
        return pairs, self.rejected_adopted + self.rejected_rows.figures.get("train", [])

    def finish(
        self,
        out: Path,
        *,
        name: str,
        provenance: Mapping[str, object],
        report: Report,
        filter_report: Mapping[str, object] | None,
        overwrite: bool,
        empty_split: str = "split {split!r} received no rows and is left out of the dataset",
    ) -> Finished:
        """Card, JSON and licence of the staged folder (whose data/ is complete), fsync,
        publish. `report` is a corpus.report.Report; each declared split without rows is
        left out (`datasets` cannot load an empty split) and added to its warnings with the
        `empty_split` message. No row at all raises EmptyDatasetError and publishes nothing."""
        pairs, rejected = self._figures()
        counts = {s: sum(f.rows for f in figs) for s, figs in pairs.items()}
        if not sum(counts.values()):
            raise EmptyDatasetError("no rows to write")
        for split in (s for s in self.declared if not counts.get(s)):
            report.warn("split_empty", empty_split.format(split=split))
        order = {s: i for i, s in enumerate(self.declared)}
        counts = dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
        flags = {s: split_flags(pairs.get(s, [])) for s in counts}
        sample = Sample.of_dataset(self.cols)
        for figures in (f for figs in pairs.values() for f in figs):
            if len(figures.keys):
                sample.merge(figures.keys, figures.values)
        info = CardInfo(
            name=name,
            columns=self.cols,
            column_docs={
                c: d for c, d in self.docs.items() if c in self.cols or c == "translation"
            },
            split_counts=counts,
            provenance=provenance,
            report=report.to_dict(),
            quantiles=sample.quantiles(),
            filter_report=filter_report,
            split_bytes={s: sum(f.nbytes for f in figs) for s, figs in pairs.items()},
            rejected_rows=sum(f.rows for f in rejected),
            rejected_bytes=sum(f.nbytes for f in rejected),
            flags=flags,
        )
        write_card(self.staged, info)
        write_page(self.staged, out.name)
        publish(self.staged, out, overwrite=overwrite)
        empty = [s for s in self.declared if not counts.get(s)]
        return Finished(counts, empty, info.flag_totals())


def split_flags(figures: list[Figures]) -> dict[str, int]:
    """Rows per flag of one split: the sum of what its pieces counted as they wrote them."""
    total: dict[str, int] = {}
    for piece in figures:
        add_flags(total, piece.flags)
    return total


def write_card(staged: Path, info: CardInfo) -> None:
    """README.md, LICENSE.md and idcorpus.json of a staged folder."""
    (staged / "README.md").write_text(render_card(info), encoding="utf-8")
    (staged / LICENSE_FILE).write_text(license_text(info.provenance), encoding="utf-8")
    record: dict[str, object] = {
        "provenance": info.provenance, "report": info.report, "filter": info.filter_report,
        "splits": dict(info.split_counts)}  # fmt: skip
    if info.flag_totals():  # rows per flag, in all splits and per split
        record["flags"] = {"rows": info.flag_totals(),
                           "splits": {s: dict(f) for s, f in info.flags.items()}}  # fmt: skip
    text = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    (staged / "idcorpus.json").write_text(text + "\n", encoding="utf-8")


def write_page(staged: Path, name: str) -> None:
    """report.html, the page a person reads the corpus by (corpus.review), when its extra
    (matplotlib) is installed; without it the folder has none, and `idcorpus report` says
    what to install."""
    try:
        write_report(staged, name=name)
    except ConfigError as e:
        log.warning("no report.html: %s", e)


def sync_tree(root: Path) -> None:
    """fsync every file and folder under `root` (and `root`), so a rename publishes data that
    is on disk."""
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        sync_dir(Path(dirpath))


def sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(staged: Path, out: Path, overwrite: bool, old: Path | None = None) -> None:
    """fsync the staged folder, then move it into place in one rename; an old output is
    replaced only then, only with `overwrite` (moved to `old`, by default a hidden name
    beside it, and removed), and put back if the rename fails. The parent folder is fsynced
    so the rename is durable. Build, filter and the arrow export publish through here."""
    sync_tree(staged)
    if out.exists() and not overwrite:
        raise OutputError(f"{out} already exists: pass --overwrite to replace it")
    with signals_deferred():  # the folder is in place, or the old one still is
        if out.exists():
            old = old or out.with_name(f".{out.name}.replaced-{os.getpid()}")
            os.replace(out, old)
            try:
                os.replace(staged, out)
            except BaseException:
                os.replace(old, out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staged, out)
        sync_dir(out.parent)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM held back while the block runs (in the main thread), so a folder
    being moved into place is never left half done; one that came is delivered at its end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
