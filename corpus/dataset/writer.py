"""The one writer of dataset folders: rows -> Parquet splits + statistics + card + JSON, published.

`idcorpus build` and `idcorpus filter` both write through `DatasetWriter`: rows go to
`data/<split>-NNNNN-of-NNNNN.parquet` in a staging folder next to the output, with signal
quantiles sampled on the way; `finish` writes the card (README.md) and `idcorpus.json`,
fsyncs every file and folder, and moves the folder into place in one rename. A dataset
without a single row is never published (`datasets` cannot load it): `finish` raises
`EmptyDatasetError`, and the caller says why.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.dataset.card import LICENSE_FILE, CardInfo, license_text, render_card
from corpus.dataset.files import SplitWriter
from corpus.dataset.schema import arrow_schema
from corpus.dataset.stats import Sample
from corpus.errors import OutputError

log = logging.getLogger(__name__)


class EmptyDatasetError(OutputError):
    """Every row was dropped: nothing is published (the caller's message says why)."""


@dataclass
class Finished:
    """What `DatasetWriter.finish` wrote: rows per split and the splits left out."""

    counts: dict[str, int]
    empty_splits: list[str] = field(default_factory=list)


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
        self.staged = staged
        self.cols = dict(cols)
        self.docs = docs
        self.schema = arrow_schema(self.cols)
        self.splits = SplitWriter(staged, self.schema, splits=splits)
        self.sample = Sample.of_dataset(self.cols)
        self._pending: list[dict[str, Any]] = []  # rows not yet in the sample
        self.rows = 0

    def add(self, split: str, row: dict[str, Any]) -> None:
        self.splits.add(split, row)
        self.rows += 1
        self._pending.append(row)
        if len(self._pending) >= SplitWriter.GROUP_ROWS:
            self._sample_pending()

    def add_table(self, split: str, table: Any) -> None:
        """Rows of an Arrow table with this writer's columns, all of one split."""
        self._sample_pending()
        self.splits.add_table(split, table)
        self.sample.add_table(table)
        self.rows += table.num_rows

    def _sample_pending(self) -> None:
        self.sample.add_rows(self._pending, self.schema)
        self._pending = []

    def finish(
        self,
        out: Path,
        *,
        name: str,
        provenance: Mapping[str, Any],
        report: Any,
        filter_report: Mapping[str, Any] | None,
        overwrite: bool,
        empty_split: str = "split {split!r} received no rows and is left out of the dataset",
    ) -> Finished:
        """Close the split files, then `publish_dataset`."""
        self._sample_pending()
        counts = self.splits.close()
        return publish_dataset(
            self.staged,
            out,
            name=name,
            cols=self.cols,
            docs=self.docs,
            declared=self.splits.declared,
            counts=counts,
            nbytes=self.splits.nbytes,
            quantiles=self.sample.quantiles(),
            provenance=provenance,
            report=report,
            filter_report=filter_report,
            overwrite=overwrite,
            empty_split=empty_split,
        )


def publish_dataset(
    staged: Path,
    out: Path,
    *,
    name: str,
    cols: Mapping[str, str],
    docs: Mapping[str, str],
    declared: list[str],
    counts: dict[str, int],
    nbytes: Mapping[str, int],
    quantiles: Mapping[str, Mapping[str, float]],
    provenance: Mapping[str, Any],
    report: Any,
    filter_report: Mapping[str, Any] | None,
    overwrite: bool,
    empty_split: str,
) -> Finished:
    """Card, JSON and licence of the staged folder (whose data/ is complete), fsync, publish.

    `report` is a corpus.report.Report; each declared split without rows is left out
    (`datasets` cannot load an empty split) and added to its warnings with the `empty_split`
    message. No row at all raises EmptyDatasetError and publishes nothing."""
    if not sum(counts.values()):
        raise EmptyDatasetError("no rows to write")
    empty = [s for s in declared if not counts.get(s)]
    for split in empty:
        report.warn("split_empty", empty_split.format(split=split))
    order = {s: i for i, s in enumerate(declared)}
    counts = dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    data = report.to_dict()
    info = CardInfo(
        name=name,
        columns=cols,
        column_docs={c: d for c, d in docs.items() if c in cols or c == "translation"},
        split_counts=counts,
        provenance=provenance,
        report=data,
        quantiles=quantiles,
        filter_report=filter_report,
        split_bytes=nbytes,
    )
    (staged / "README.md").write_text(render_card(info), encoding="utf-8")
    (staged / LICENSE_FILE).write_text(license_text(provenance), encoding="utf-8")
    record = {"provenance": provenance, "report": data, "filter": filter_report, "splits": counts}
    text = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    (staged / "idcorpus.json").write_text(text + "\n", encoding="utf-8")
    sync_tree(staged)
    publish(staged, out, overwrite=overwrite)
    return Finished(counts, empty)


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


def publish(staged: Path, out: Path, overwrite: bool) -> None:
    """Move a finished folder into place in one rename; an old output is replaced only then,
    and only with `overwrite`. The parent folder is fsynced so the rename is durable."""
    if out.exists():
        if not overwrite:
            raise OutputError(f"{out} already exists: pass --overwrite to replace it")
        old = out.with_name(f".{out.name}.replaced-{os.getpid()}")
        os.replace(out, old)
        os.replace(staged, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staged, out)
    sync_dir(out.parent)
