"""The subcommands behind `idcorpus`: arguments -> config -> library call -> exit code."""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from typing import Any, TextIO

from corpus.errors import ConfigError
from corpus.names import shown
from corpus.pipeline.config import BuildConfig, RayOptions, parse_splits
from corpus.read.config import ReadConfig
from corpus.records import DroppedLine
from corpus.report import Report
from translate.base import DecodingOptions, EngineConfig

ENGINE_FLAGS = (
    "model",
    "revision",
    "engine",
    "device",
    "compute_type",
    "num_beams",
    "batch_tokens",
    "threads",
    "max_tokens",
)
FILTER_FLAGS = (
    "min_score",
    "min_length_ratio",
    "max_length_ratio",
    "require_src_lang",
    "require_tgt_lang",
    "drop_flagged",
    "dedup",
)


def say(text: str = "", file: TextIO | None = None) -> None:
    """Print a line of the command's output (stdout unless `file`) with every name in it
    shown safely: no control character or undecodable byte reaches the terminal raw."""
    print(shown(text), file=file or sys.stdout)


def read_config(args: argparse.Namespace, *, presplit: bool = False) -> ReadConfig:
    return ReadConfig(
        text_field=args.text_field,
        id_field=args.id_field,
        input_format=args.input_format,
        split=args.input_split,
        presplit=presplit,
    )


def engine_config(args: argparse.Namespace) -> EngineConfig:
    try:
        return EngineConfig(
            model=args.model,
            revision=args.revision,
            engine=args.engine,
            device=args.device,
            compute_type=args.compute_type,
            batch_tokens=args.batch_tokens,
            threads=args.threads,
            max_input_tokens=args.max_tokens,
            decoding=DecodingOptions(num_beams=args.num_beams),
        )
    except ValueError as e:
        raise ConfigError(str(e)) from e


def filter_config(args: argparse.Namespace) -> Any:
    """FilterConfig from the filter flags; None on `build` when no flag was given."""
    from corpus.dataset.filter import FilterConfig

    given = {f: getattr(args, f) for f in FILTER_FLAGS if getattr(args, f) is not None}
    overlap = getattr(args, "drop_test_overlap", False)
    if not given and not overlap and not args.filter_defaults:
        return None
    base = FilterConfig() if args.filter_defaults else FilterConfig.off()
    if "drop_flagged" in given:
        given["drop_flagged"] = tuple(
            f.strip() for f in given["drop_flagged"].split(",") if f.strip()
        )
    if overlap:  # --drop-test-overlap adds its flag to the others
        flags = given.get("drop_flagged", base.drop_flagged)
        given["drop_flagged"] = (*[f for f in flags if f != "is_test_overlap"], "is_test_overlap")
    for lang in ("require_src_lang", "require_tgt_lang"):
        if given.get(lang) == "":
            given[lang] = None
    try:
        return dataclasses.replace(base, **given)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"invalid filter options: {e}") from e


def build_config(args: argparse.Namespace) -> BuildConfig:
    splits = parse_splits(args.split) if args.split else (("train", 1.0),)
    return BuildConfig(
        inputs=tuple(args.inputs),
        out=args.out,
        engine=engine_config(args),
        read=read_config(args, presplit=args.presplit),
        filter=filter_config(args),
        splits=splits,
        seed=args.seed,
        executor=args.executor,
        ray=RayOptions(
            address=args.ray_address,
            workers=args.workers,
            gpus_per_worker=args.gpus_per_worker,
            cpus_per_worker=args.cpus_per_worker,
            tmp_dir=args.ray_tmp_dir,
            unit_documents=args.unit_documents,
        ),
        use_cache=not args.no_cache,
        cache_path=args.cache_path,
        signals=not args.no_signals,
        chunk_sentences=args.chunk_sentences,
        jobs=args.jobs,
        overwrite=args.overwrite,
        resume=args.resume,
        quiet=args.quiet,
        strict=args.strict,
    )


SHOWN_WARNINGS = ("split ", "changed_while_read:")
"""Warnings of the report that a build also prints at its end (the lead maps kinds later)."""


def build(args: argparse.Namespace) -> int:
    from corpus.pipeline.run import build as run_build

    config = build_config(args)
    summary = run_build(config)
    if not args.quiet:
        print_summary(summary)
    for source, reason in summary.report.skipped_inputs:
        say(f"idcorpus: warning: skipped {source}: {reason}", file=sys.stderr)
    for message in summary.report.warnings:
        if message.startswith(SHOWN_WARNINGS):
            say(f"idcorpus: warning: {message}", file=sys.stderr)
    return 1 if (config.strict and summary.report.skipped_inputs) else 0


def print_summary(summary: Any) -> None:
    r = summary.report
    out = sys.stderr
    say(f"\nidcorpus: wrote {summary.out}", file=out)
    say(f"  documents        {summary.documents:>10,}", file=out)
    say(f"  sentences        {summary.sentences:>10,}", file=out)
    say(
        f"  pairs written    {summary.pairs_written:>10,}  "
        + ", ".join(f"{s}={n:,}" for s, n in summary.split_counts.items()),
        file=out,
    )
    say(
        f"  time             {summary.elapsed_s:>10.1f} s  "
        f"({summary.sentences_per_s:,.1f} sentences/s)",
        file=out,
    )
    if summary.cache_stats:
        say(
            "  cache            " + ", ".join(f"{k}={v:,}" for k, v in summary.cache_stats.items()),
            file=out,
        )
    for reason, n in sorted(r.dropped.items()):
        say(f"  dropped {reason:<30} {n:>8,}", file=out)
    for source, reason in r.skipped_inputs:
        say(f"  skipped input {source}: {reason}", file=out)
    say(f"  signature        {summary.provenance.get('signature', '')}", file=out)


def clean(args: argparse.Namespace) -> int:
    from corpus.clean.cleaner import Cleaner
    from corpus.read.inputs import iter_documents

    report = _HtmlDrops()
    cleaner = Cleaner()
    documents = 0
    for doc in iter_documents(tuple(args.inputs), read_config(args), report):
        documents += 1
        result = cleaner.clean(doc.text)
        say(f"=== {doc.doc_id}")
        if not args.dropped_only:
            say(result.text)
            say("--- dropped")
        dropped = report.units.pop(doc.doc_id, []) + list(result.dropped)
        for line in sorted(dropped, key=lambda d: d.line_no):
            say(f"[{line.reason}] line {line.line_no}: {line.text}")
    for source, reason in report.skipped_inputs:
        say(f"idcorpus: warning: skipped {source}: {reason}", file=sys.stderr)
    if documents == 0:
        raise ConfigError("nothing usable in the input: no document was read")
    return 0


class _HtmlDrops(Report):
    """A Report that also keeps each document's HTML-level drops (the lines and parts the
    extraction left out, with their line in the document as read) for `idcorpus clean`."""

    def __init__(self) -> None:
        super().__init__()
        self.units: dict[str, list[DroppedLine]] = {}

    def drop(
        self, stage: str, reason: str, n: int = 1, *, doc: str | None = None, text: str = "",
        line_no: int | None = None, **where: Any,
    ) -> None:  # fmt: skip
        super().drop(stage, reason, n, doc=doc, text=text, line_no=line_no, **where)
        if stage == "html" and doc is not None:
            self.units.setdefault(doc, []).append(DroppedLine(line_no or 0, text, reason))


def filter(args: argparse.Namespace) -> int:  # noqa: A001 - the subcommand's name
    from corpus.dataset.filter import filter_dataset

    config = filter_config(args)
    splits = parse_splits(args.split) if args.split else None
    report = filter_dataset(
        args.dataset, args.out, config, overwrite=args.overwrite, splits=splits, seed=args.seed
    )
    if not args.quiet:
        data = report.to_dict() if hasattr(report, "to_dict") else dataclasses.asdict(report)
        say(f"idcorpus: filtered {args.dataset} -> {args.out}", file=sys.stderr)
        for key, value in data.items():
            say(f"  {key}: {value}", file=sys.stderr)
    return 0


def report(args: argparse.Namespace) -> int:
    from corpus.review import write_report

    path = write_report(args.dataset)
    if not args.quiet:
        say(f"idcorpus: wrote {path}", file=sys.stderr)
    return 0


def export(args: argparse.Namespace) -> int:
    from corpus.dataset.export import export as run_export

    written = run_export(args.dataset, args.format, args.out)
    if not args.quiet:
        for split, paths in written.items():
            say(f"{split}: " + " ".join(str(p) for p in paths), file=sys.stderr)
    return 0


def engine_settings(args: argparse.Namespace) -> tuple[tuple[EngineConfig, ...], tuple[str, ...]]:
    """Every combination of the engine flags' values (evaluate takes several per flag), each
    labelled by the values that vary, e.g. `compute-type=int8`."""
    values = {flag: getattr(args, flag) for flag in ENGINE_FLAGS}
    varying = [flag for flag in ENGINE_FLAGS if len(values[flag]) > 1]
    settings, labels = [], []
    for combination in itertools.product(*values.values()):
        chosen = dict(zip(ENGINE_FLAGS, combination, strict=True))
        settings.append(engine_config(argparse.Namespace(**chosen)))
        labels.append(",".join(f"{f.replace('_', '-')}={chosen[f]}" for f in varying))
    return tuple(settings), tuple(labels) if varying else ("",)


def evaluate_config(args: argparse.Namespace) -> Any:
    from corpus.evaluate.build import BuildOptions
    from corpus.evaluate.run import EvalConfig
    from corpus.evaluate.testsets import expand_names

    settings, labels = engine_settings(args)
    return EvalConfig(
        settings=settings,
        labels=labels,
        sets=tuple(expand_names(args.sets)),
        src=args.src,
        ref=args.ref,
        doc_ids=args.doc_ids,
        hypotheses=args.hypotheses,
        limit=args.limit,
        out=args.out,
        overwrite=args.overwrite,
        documents=args.documents,
        calibrate=args.calibrate,
        bootstrap=args.bootstrap,
        build=BuildOptions(
            use_cache=not args.no_cache, cache_path=args.cache_path, quiet=args.quiet
        ),
    )


def evaluate(args: argparse.Namespace) -> int:
    from corpus.evaluate.report import format_evaluation
    from corpus.evaluate.run import evaluate as run_evaluate

    if args.list_sets:
        say(list_sets())
        return 0
    evaluation = run_evaluate(evaluate_config(args))
    say(format_evaluation(evaluation))
    return 0


def list_sets() -> str:
    from corpus.evaluate.report import DIRECTION
    from corpus.evaluate.testsets import named_set, set_names

    lines = []
    for name in set_names():
        info = named_set(name)
        lines.append(f"{name:<15} {info.lines:>6,} lines  {info.licence:<13} {info.title}")
        lines.append(f"{'':<15} {DIRECTION[info.written_in]}")
    return "\n".join(lines)
