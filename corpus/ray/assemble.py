"""Assembly of a Ray build: shards -> the dataset's split files, written by Ray tasks.

The shards (named so that they sort into input order) are cut into groups of about
ASSEMBLY_ROWS rows; each group becomes one task that assigns rows to splits by document,
applies the row rules of a filter, writes one Parquet file per split and returns counts,
Arrow sizes and its statistics sample. The driver renames the files into
`<split>-NNNNN-of-NNNNN.parquet` in group order, merges the samples (the same rows a local
build samples: see corpus.dataset.stats.Sample) and writes the card through the one dataset writer.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from corpus.pipeline.config import BuildConfig
from corpus.pipeline.workdir import WorkDir
from corpus.report import Report

ASSEMBLY_ROWS = 250_000


def groups_of(files: list[Path], rows: int = ASSEMBLY_ROWS) -> list[list[Path]]:
    """Consecutive shards holding about `rows` rows each (counted from the Parquet footers)."""
    import pyarrow.parquet as pq

    groups: list[list[Path]] = []
    current: list[Path] = []
    count = 0
    for file in files:
        current.append(file)
        count += pq.ParquetFile(file).metadata.num_rows
        if count >= rows:
            groups.append(current)
            current, count = [], 0
    if current:
        groups.append(current)
    return groups


def assemble_group(
    index: int, files: list[Path], staged: str, cols: dict[str, str], config: BuildConfig
) -> dict[str, Any]:
    """One group of shards -> one file per split (in the staging folder), and its figures."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corpus.dataset.filter import RowFilter
    from corpus.dataset.schema import arrow_schema
    from corpus.dataset.splits import split_indices
    from corpus.dataset.stats import Sample, arrow_bytes, iter_tables

    schema = arrow_schema(cols)
    sample = Sample.of_dataset(cols)
    row_filter = RowFilter(config.filter) if config.filter is not None else None
    writers: dict[str, Any] = {}
    figures: dict[str, list[int]] = {}
    names = [name for name, _ in config.splits]
    for table in iter_tables(files):
        if row_filter is not None:
            table = pa.Table.from_pylist(
                [r for r in table.to_pylist() if row_filter.keep(r)], schema=schema
            )
        index_of = split_indices(table, config.splits, config.seed)
        for i, name in enumerate(names):
            part = table.filter(pa.array(index_of == i)) if len(names) > 1 else table
            if not part.num_rows:
                continue
            if name not in writers:
                path = Path(staged, "data", f"{name}-g{index:06d}.parquet")
                writers[name] = pq.ParquetWriter(path, schema)
                figures[name] = [0, 0]
            writers[name].write_table(part.cast(schema), row_group_size=10_000)
            figures[name][0] += part.num_rows
            figures[name][1] += arrow_bytes(part)
        sample.add_table(table)
    for writer in writers.values():
        writer.close()
    return {
        "splits": figures,
        "keys": sample.keys,
        "values": sample.values,
        "filter": row_filter.report.to_dict() if row_filter is not None else None,
    }


def assemble_on_ray(
    ray: Any, config: BuildConfig, work: WorkDir, out: Path, report: Report, prov: dict[str, Any]
) -> dict[str, int]:
    """Assemble the shards with Ray tasks and publish the dataset; returns rows per split."""
    from corpus.dataset.schema import build_columns
    from corpus.dataset.stats import Sample
    from corpus.dataset.writer import publish_dataset
    from corpus.pipeline.assemble import publish_build

    cols, docs = build_columns(config.signals, config.read.presplit)
    staged = work.staging()
    (staged / "data").mkdir(parents=True, exist_ok=True)
    groups = groups_of(sorted(work.shards.glob("u*.parquet")))
    task = ray.remote(assemble_group)
    results = ray.get([task.remote(i, g, str(staged), cols, config) for i, g in enumerate(groups)])
    counts: dict[str, int] = {}
    nbytes: dict[str, int] = {}
    sample = Sample.of_dataset(cols)
    for name, _ in config.splits:
        files = [staged / "data" / f"{name}-g{i:06d}.parquet" for i, r in enumerate(results)
                 if name in r["splits"]]  # fmt: skip
        for k, file in enumerate(files):
            file.rename(file.with_name(f"{name}-{k:05d}-of-{len(files):05d}.parquet"))
        for r in results:
            rows, size = r["splits"].get(name, (0, 0))
            if rows:
                counts[name] = counts.get(name, 0) + rows
                nbytes[name] = nbytes.get(name, 0) + size
    for r in results:
        sample.merge(r["keys"], r["values"])
    finish = partial(
        publish_dataset, staged, cols=cols, docs=docs,
        declared=[name for name, _ in config.splits], counts=counts, nbytes=nbytes,
        quantiles=sample.quantiles(),
    )  # fmt: skip
    return publish_build(finish, config, work, out, report, prov, _filter_report(results, config))


def _filter_report(results: list[dict[str, Any]], config: BuildConfig) -> dict[str, Any] | None:
    if config.filter is None:
        return None
    total: dict[str, Any] = {"input_rows": 0, "kept": 0, "dropped": {}}
    for r in results:
        part = r["filter"]
        total["input_rows"] += part["input_rows"]
        total["kept"] += part["kept"]
        for rule, n in part["dropped"].items():
            total["dropped"][rule] = total["dropped"].get(rule, 0) + n
    return total
