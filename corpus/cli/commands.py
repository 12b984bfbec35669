"""The subcommands behind `idcorpus`: the parsed options -> a config (made by the config itself,
translate.options.from_args) -> the library call -> what the terminal shows -> the exit code."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from corpus.dataset.filter import OVERLAP_FLAG
from corpus.errors import BuildFinished, ConfigError
from corpus.names import shown
from corpus.pipeline.config import BuildConfig
from corpus.read.config import ReadConfig
from corpus.records import DroppedLine
from corpus.report import Report
from translate.options import from_args, given


def say(text: str = "", file: TextIO | None = None) -> None:
    """Print a line of the command's output (stdout unless `file`) with every name in it
    shown safely: no control character or undecodable byte reaches the terminal raw."""
    print(shown(text), file=file or sys.stdout)


def build(args: argparse.Namespace) -> int:
    from corpus.pipeline.run import build as run_build

    config = from_args(BuildConfig, args, quiet=args.quiet)
    try:
        summary = run_build(config)
    except BuildFinished as e:
        say(f"idcorpus: {e}", file=sys.stderr)
        return 0
    if not args.quiet:
        print_summary(summary)
    print_warnings(summary.report, " (the dataset card lists them too)")
    return 1 if (config.strict and summary.report.skipped_inputs) else 0


def print_summary(summary: Any) -> None:
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
    for reason, n in sorted(summary.report.dropped.items()):
        say(f"  dropped {reason:<30} {n:>8,}", file=out)
    overlap_line(summary.flags)
    say(f"  signature        {summary.provenance.get('signature', '')}", file=out)


def overlap_line(flags: dict[str, int]) -> None:
    """The rows written that share a sentence or a long n-gram with a vendored test set (no
    line when the rows have no signals)."""
    if OVERLAP_FLAG in flags:
        n = flags[OVERLAP_FLAG]
        say(f"  test-set overlap {n:>10,} rows ({OVERLAP_FLAG}; filter --drop-test-overlap "
            "removes them)", file=sys.stderr)  # fmt: skip


def print_warnings(report: Report, note: str = "") -> None:
    """Every kind of warning the run gave, once, grouped, with the first inputs it names."""
    lines = report.warning_summary()
    if lines:
        say(f"idcorpus: warnings{note}:", file=sys.stderr)
        say("\n".join(f"  {line}" for line in lines), file=sys.stderr)


def clean(args: argparse.Namespace) -> int:
    from corpus.clean.cleaner import Cleaner, fingerprints
    from corpus.pipeline.repeats import table_of
    from corpus.read.inputs import iter_documents

    inputs = given(BuildConfig, args, only=("inputs",))["inputs"]
    read = from_args(ReadConfig, args)
    report = _HtmlDrops()
    stdin = "-" in inputs  # read once: stdin cannot be read twice
    docs = list(iter_documents(inputs, read, report)) if stdin else None
    repeated = table_of(docs or iter_documents(inputs, read, Report()))  # as a build decides
    cleaner = Cleaner()
    documents = 0
    for doc in docs if docs is not None else iter_documents(inputs, read, report):
        documents += 1
        result = cleaner.clean(doc.text, drop=repeated.drop(fingerprints(doc.text)))
        say(f"=== {doc.doc_id}")
        if not args.dropped_only:
            say(result.text)
            say("--- dropped")
        dropped = report.units.pop(doc.doc_id, []) + list(result.dropped)
        for line in sorted(dropped, key=lambda d: d.line_no):
            say(f"[{line.reason}] line {line.line_no}: {line.text}")
    print_warnings(report)
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
    from corpus.dataset.filter import FilterConfig
    from corpus.dataset.filter_folder import filter_dataset

    config = from_args(FilterConfig, args)
    where = given(BuildConfig, args, only=("out", "overwrite", "splits", "seed"))
    target = where.pop("out")
    report = filter_dataset(args.dataset, target, config, **where)
    if not args.quiet:
        out = sys.stderr
        say(f"idcorpus: filtered {args.dataset} -> {target}", file=out)
        say(f"  input rows  {report.input_rows:>10,}", file=out)
        say(f"  kept        {report.kept:>10,}", file=out)
        for rule, n in report.dropped.items():
            say(f"  dropped {rule:<24} {n:>8,}", file=out)
        overlap_line(report.flags)
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


def evaluate_config(args: argparse.Namespace) -> Any:
    from corpus.evaluate.run import EvalConfig
    from translate.base import EngineConfig
    from translate.options import combinations

    settings = combinations(EngineConfig, args)
    build = {**given(BuildConfig, args, only=("use_cache", "cache_path")), "quiet": args.quiet}
    return from_args(
        EvalConfig,
        args,
        settings=tuple(config for config, _ in settings),
        labels=tuple(label for _, label in settings),
        build=build,
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
