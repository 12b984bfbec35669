"""`--dedup` in a build: one pass over the shards in input order marks each pair already kept.

The filter's other rules ran when the shards were written (corpus.pipeline.tasks.finish); a
duplicate needs the whole dataset in one place, so it is found here, in order, by the same
`RowFilter` rule `idcorpus filter` applies. Each shard gets a bit mask of its duplicates
(the pieces leave those rows out) and its row counts per split without them; the duplicates
become rejected rows (`filter:duplicate`, with their translation) in one file of the work area.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from corpus.dataset.filter import FilterConfig, FilterReport, RowFilter
from corpus.dataset.pieces import Source
from corpus.dataset.schema import rejected_schema, rejected_table
from corpus.dataset.splits import split_of
from corpus.names import parquet_file
from corpus.pipeline.checkpoints import RowSpill
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.workdir import WorkDir
from corpus.report import Report

COLUMNS = ["translation", "doc_id", "source", "line_no"]


def mark_duplicates(
    sources: list[Source], config: BuildConfig, work: WorkDir, freport: FilterReport,
    report: Report,
) -> tuple[list[Source], list[Source]]:  # fmt: skip
    """(`sources` with their duplicates marked, [the source of the duplicates' rejected rows])."""
    assert config.filter is not None
    rule = RowFilter(replace(FilterConfig.off(), dedup=config.filter.dedup))
    rejected_path = work.path / "duplicates.rejected.parquet"
    spill = RowSpill(rejected_path, rejected_schema(), rejected_table)
    marked: list[Source] = []
    dropped = 0
    for source in sources:
        table = parquet_file(source.path).read(columns=_columns(source.path))
        rows = table.to_pylist()
        drop = np.zeros(len(rows), dtype=np.uint8)
        splits: Counter[str] = Counter()
        for k, row in enumerate(rows):
            row.setdefault("line_no", None)
            if rule.failing_rule(row) is None:
                splits[split_of(row["doc_id"], config.splits, config.seed)] += 1
                continue
            drop[k] = 1
            pair = row["translation"]
            report.drop("filter", "duplicate", doc=row["doc_id"], text=pair["id"],
                        source=row["source"], translation=pair["en"], line_no=row["line_no"])  # fmt: skip
            rejected = report.take_rejected()
            if config.rejected:
                spill.add(rejected)
        dropped += int(drop.sum())
        packed = np.packbits(drop).tobytes() if drop.any() else None
        counts: dict[str | None, int] = {k: v for k, v in splits.items()}
        marked.append(replace(source, splits=counts, drop=packed))
    count = spill.close()
    freport.dropped["duplicate"] = freport.dropped.get("duplicate", 0) + dropped
    freport.kept -= dropped
    extra = [Source(str(rejected_path), {None: count}, None)] if count else []
    return marked, extra


def _columns(path: str) -> list[str]:
    names = parquet_file(Path(path)).schema_arrow.names
    return [c for c in COLUMNS if c in names]
