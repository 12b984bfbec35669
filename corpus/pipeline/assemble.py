"""Shards -> the published dataset of a build: the local build's assembly through the one dataset
writer, the publish step with the filter's counts, and the messages of a build that has nothing
to publish."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from corpus.dataset.files import iter_rows
from corpus.dataset.filter import filter_rows
from corpus.dataset.schema import build_columns
from corpus.dataset.splits import add_by_split, split_of
from corpus.dataset.stats import iter_tables
from corpus.dataset.writer import DatasetWriter, EmptyDatasetError
from corpus.errors import OutputError
from corpus.pipeline.paths import make_public
from corpus.read.streams import utf8_name


def assemble_shards(
    config: Any, shards: list[Any], work: Any, out: Any, report: Any, prov: dict[str, Any]
) -> dict[str, int]:
    """The local build's assembly: its shards, in order, through the one dataset writer
    (filtered row by row when a filter is set), published at `out`; rows per split."""
    cols, docs = build_columns(config.signals, config.read.presplit)
    writer = DatasetWriter(work.staging(), cols, splits=[s for s, _ in config.splits], docs=docs)
    filter_report = None
    if config.filter is None:
        for table in iter_tables(shards):
            add_by_split(writer, table, config.splits, config.seed)
    else:
        rows, filter_report = filter_rows(iter_rows(shards), config.filter)
        for row in rows:
            writer.add(split_of(row["doc_id"], config.splits, config.seed), row)
    freport = filter_report.to_dict() if filter_report is not None else None
    return publish_build(writer.finish, config, work, out, report, prov, freport)


def publish_build(
    finish: Callable[..., Any],
    config: Any,
    work: Any,
    out: Any,
    report: Any,
    prov: dict[str, Any],
    freport: dict[str, Any] | None,
) -> dict[str, int]:
    """Publish a build's dataset at `out` through `finish` (a dataset writer's `finish`, or
    `publish_dataset` with the files already written), the filter's drops counted in the
    report; rows per split. Without rows nothing is published: the work area is removed and
    an OutputError says why, by cause."""
    for rule, n in (freport or {}).get("dropped", {}).items():
        report.drop("filter", rule, n)
    make_public(report, config.inputs)
    try:
        finished = finish(
            out,
            name=f"idcorpus id-en: {out.name}",
            provenance=prov,
            report=report,
            filter_report=freport,
            overwrite=config.overwrite,
            empty_split=empty_split_message(report),
        )
    except EmptyDatasetError as e:
        work.remove()
        raise OutputError(empty_reason(out, report, freport)) from e
    return dict(finished.counts)


def empty_split_message(report: Any) -> str:
    return (
        "split {split!r} received no documents and is left out of the dataset "
        f"({report.counts['documents']} documents in all); use more documents or a larger "
        "fraction"
    )


def nothing_usable(inputs: Iterable[str], report: Any) -> str:
    """The message of a build that read no document, with the inputs it skipped."""
    names = ", ".join(utf8_name(arg) for arg in inputs)
    lines = [f"nothing usable in the input ({names}): no document was read"]
    lines += [f"  skipped {src}: {why}" for src, why in report.skipped_inputs[:20]]
    return "\n".join(lines)


def empty_reason(out: Any, report: Any, freport: dict[str, Any] | None) -> str:
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
