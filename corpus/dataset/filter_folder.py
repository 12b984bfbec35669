"""`idcorpus filter`: a dataset folder -> a filtered copy, through the one dataset writer.

Rows are read split by split and kept or dropped by `corpus.dataset.filter.RowFilter`; each
dropped row becomes a row of the output's `rejected` configuration (stage `filter`, the rule as
its reason, with its translation), after the input's own rejected rows, which are kept; the
card and idcorpus.json keep the input's provenance and report, with this filter's drops added,
and `report.html` is written for the new folder.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import asdict
from pathlib import Path

from corpus.dataset.files import iter_rows
from corpus.dataset.filter import FilterConfig, FilterReport, RowFilter
from corpus.dataset.schema import BASE_DOCS, REJECTED_DIR, rejected_schema, rejected_table
from corpus.dataset.shards import read_meta, split_files
from corpus.dataset.splits import split_of
from corpus.dataset.writer import DatasetWriter, EmptyDatasetError
from corpus.errors import InputError, OutputError
from corpus.names import parquet_file, utf8_text
from corpus.report import Rejected, Report
from corpus.signals.quality import SIGNAL_DOCS

log = logging.getLogger(__name__)
JSON = dict[str, object]


def filter_dataset(
    in_dir: str | Path,
    out_dir: str | Path,
    config: FilterConfig,
    *,
    overwrite: bool = False,
    splits: tuple[tuple[str, float], ...] | None = None,
    seed: int = 0,
) -> FilterReport:
    """Filter the dataset folder `in_dir` into a new folder `out_dir` (same layout, splits and
    columns; card and idcorpus.json updated with the filter report; its drops added to the
    `rejected` configuration). The output appears atomically; an existing one is replaced
    only with `overwrite`. With `splits`, rows are assigned to new splits by document (as
    `build --split` does) instead of keeping theirs."""
    src, out = Path(in_dir), Path(out_dir)
    files = split_files(src)
    if not files:
        raise InputError(f"{src} is not an idcorpus dataset: no data/*.parquet in it")
    if out.resolve() == src.resolve():
        raise OutputError(f"write the filtered corpus to another folder than {src}")
    if out.exists() and not overwrite:
        raise OutputError(f"{out} exists; pass --overwrite to replace it")
    meta = read_meta(src)
    order = _split_order(files, _mapping(meta.get("splits")))
    staged = out.with_name(f".{out.name}.filter-{os.getpid()}")
    row_filter = RowFilter(config)
    try:
        writer = _writer(staged, files[order[0]][0], [n for n, _ in splits] if splits else order)
        for path in sorted((src / REJECTED_DIR).glob("*.parquet")):
            writer.add_rejected(parquet_file(path).read().cast(rejected_schema()))
        for split in order:
            for row in iter_rows(files[split]):
                if row_filter.keep(row):
                    writer.add(split_of(str(row["doc_id"]), splits, seed) if splits else split, row)
                else:
                    writer.add_rejected(rejected_table([_rejected(row, row_filter.last_rule)]))
        row_filter.report.flags = _finish(writer, src, out, meta, config, row_filter.report,
                                          overwrite)  # fmt: skip
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return row_filter.report


def _rejected(row: dict[str, object], rule: str | None) -> Rejected:
    pair = row["translation"]
    assert isinstance(pair, dict)
    line = row.get("line_no")
    return Rejected(str(row["doc_id"]), str(row["source"]), "filter", rule or "", pair["id"],
                    pair["en"], line if isinstance(line, int) else None)  # fmt: skip


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _split_order(files: dict[str, list[Path]], declared: dict[str, object]) -> list[str]:
    """The declared split order (train first when undeclared), then any other split."""
    known = [s for s in declared if s in files]
    rest = sorted((s for s in files if s not in known), key=lambda s: (s != "train", s))
    return known + rest


def _writer(staged: Path, first_file: Path, splits: list[str]) -> DatasetWriter:
    """The dataset writer for the filtered folder: the input's columns and column docs."""
    schema = parquet_file(first_file).schema_arrow
    cols = {f.name: _TYPE_NAMES.get(str(f.type), str(f.type)) for f in schema}
    cols.pop("translation", None)
    return DatasetWriter(staged, cols, splits, docs={**BASE_DOCS, **SIGNAL_DOCS})


def _finish(writer: DatasetWriter, src: Path, out: Path, meta: JSON, config: FilterConfig,
            report: FilterReport, overwrite: bool) -> dict[str, int]:  # fmt: skip
    """Card and JSON of the filtered folder: the input's provenance, its report plus this
    filter's drops; nothing is published when the filter dropped every row. Returns the rows
    written per flag."""
    run = Report.from_dict(_mapping(meta.get("report")))
    for rule, n in report.dropped.items():
        run.drop("filter", rule, n)
    freport = {**report.to_dict(), "config": asdict(config), "input": utf8_text(src.name)}
    try:
        finished = writer.finish(
            out,
            name=f"idcorpus id-en: {out.name}",
            provenance=_mapping(meta.get("provenance")),
            report=run,
            filter_report=freport,
            overwrite=overwrite,
            empty_split="split {split!r} has no rows after filtering and is left out of the dataset",
        )
    except EmptyDatasetError as e:
        rules = ", ".join(f"{k} {v}" for k, v in report.dropped.items() if v)
        raise OutputError(
            f"no dataset written to {out}: the filter dropped all {report.input_rows} rows "
            f"({rules or 'the input has no rows'}); relax the filter options"
        ) from e
    for warning in run.warnings:
        if warning.kind == "split_empty":
            log.warning(warning)
    return finished.flags


_TYPE_NAMES = {"double": "float64", "float": "float32", "string": "string", "large_string": "string",
               "int32": "int32", "int64": "int64", "bool": "bool"}  # fmt: skip
