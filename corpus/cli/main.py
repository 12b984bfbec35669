"""The `idcorpus` command: parse arguments, build a config, call the library, map errors to exit
codes.

Exit codes: 0 success; 1 with --strict when some inputs were skipped (the dataset is still
written); 2 a user error (bad options, unusable model, output exists or is locked, nothing
usable in the input, nothing left to write); 3 the engine or the machine failed during the run
(engine error, disk full, read-only or failing storage); 4 an internal error (a bug: rerun
with -v and report the traceback); 130 interrupted by Ctrl-C, 143 by SIGTERM (`--resume`
continues a build). Without -v no error prints a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from types import FrameType

from corpus import __version__
from corpus.cli.flags import (
    declare_cache_arguments,
    declare_engine_arguments,
    declare_evaluate_arguments,
)
from corpus.errors import ConfigError, CorpusError, StorageError
from corpus.names import shown
from translate.errors import ModelLoadError, TranslationError

log = logging.getLogger("idcorpus")
EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_ENGINE, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (the work area stays resumable)."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def declare_input_arguments(p: argparse.ArgumentParser) -> None:
    from corpus.read.config import format_choices

    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="files, folders (recursive), globs, or - for stdin; .gz .bz2 .xz .zst are read "
        "through",
    )
    p.add_argument(
        "--format",
        dest="input_format",
        default="auto",
        choices=format_choices(),
        help="input format (default: auto, by file extension; txt is text)",
    )
    p.add_argument(
        "--text-field", default="text", help="text column of JSONL/CSV/TSV/Parquet/HF input"
    )
    p.add_argument("--id-field", default=None, help="column holding a document id (optional)")
    p.add_argument("--input-split", default="train", help="split of a Hugging Face dataset input")


def declare_build_arguments(p: argparse.ArgumentParser) -> None:
    declare_input_arguments(p)
    p.add_argument("--out", required=True, help="dataset folder to write")
    declare_engine_arguments(p)
    p.add_argument("--presplit", action="store_true", help="input has one sentence per line")
    p.add_argument(
        "--split",
        default=None,
        help="output splits by document, e.g. train=0.98,validation=0.01,test=0.01 "
        "(the split of a Hugging Face dataset input is --input-split)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the split assignment")
    declare_cache_arguments(p)
    p.add_argument("--no-signals", action="store_true", help="skip language ID and other signals")
    p.add_argument(
        "--chunk-sentences",
        type=int,
        default=0,
        help="sentences per checkpointed chunk (0 = auto: 2048 local; on Ray 16384 per CPU "
        "worker, 65536 per GPU worker)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="worker processes for reading, cleaning, segmentation and signals "
        "(0 = one per core, none for an input under 1 MiB; the dataset is the same for any "
        "value)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument("--resume", action="store_true", help="continue an interrupted build")
    p.add_argument("--strict", action="store_true", help="exit 1 when any input was skipped")
    p.add_argument("--executor", choices=("local", "ray"), default="local")
    p.add_argument("--ray-address", default=None, help="join this Ray cluster (e.g. auto)")
    p.add_argument("--workers", type=int, default=2, help="Ray actors translating")
    p.add_argument("--gpus-per-worker", type=float, default=0.0)
    p.add_argument("--cpus-per-worker", type=float, default=1.0)
    p.add_argument(
        "--unit-documents",
        type=int,
        default=256,
        help="documents per Ray work unit (whole input files; the unit of resume)",
    )
    p.add_argument(
        "--ray-tmp-dir", default=None, help="Ray's temporary files (default: next to --out)"
    )
    declare_filter_arguments(p, defaults=False)


def declare_filter_arguments(p: argparse.ArgumentParser, *, defaults: bool) -> None:
    """Filter thresholds. On `filter` unset ones take the documented defaults; on `build`
    no filter runs unless one of them is given."""
    g = p.add_argument_group("filter")
    g.add_argument("--min-score", type=float, default=None, help="minimum mean token log-prob")
    g.add_argument("--min-length-ratio", type=float, default=None, help="min target/source chars")
    g.add_argument("--max-length-ratio", type=float, default=None, help="max target/source chars")
    from corpus.signals.quality import LANGUAGES  # the identifier's labels (no numpy)

    labels = ", ".join(LANGUAGES)
    g.add_argument(
        "--require-src-lang",
        default=None,
        help=f"source language, one of {labels} (default id; '' = any)",
    )
    g.add_argument(
        "--require-tgt-lang",
        default=None,
        help=f"target language, one of {labels} (default en; '' = any)",
    )
    g.add_argument(
        "--drop-flagged",
        default=None,
        help="comma-separated flags whose rows are dropped, e.g. is_untranslated,is_degenerate",
    )
    g.add_argument(
        "--drop-test-overlap",
        action="store_true",
        help="drop pairs that share a sentence or a 10-word run with the vendored test sets "
        "(FLORES, NTREX, TICO-19, Tatoeba, NusaX): flag is_test_overlap",
    )
    g.add_argument(
        "--dedup",
        choices=("none", "exact", "near"),
        default=None,
        help="drop duplicate pairs (exact text, or after normalisation)",
    )
    g.set_defaults(filter_defaults=defaults)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="idcorpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"idcorpus {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    declare_build_arguments(
        sub.add_parser("build", parents=[common], help="build a parallel corpus")
    )
    clean = sub.add_parser(
        "clean", parents=[common], help="print cleaned text and the dropped lines with reasons"
    )
    declare_input_arguments(clean)
    clean.add_argument("--dropped-only", action="store_true", help="print only the dropped lines")
    flt = sub.add_parser(
        "filter", parents=[common], help="filter a built corpus into a new dataset folder"
    )
    flt.add_argument("dataset", metavar="IN")
    flt.add_argument("--out", required=True)
    flt.add_argument("--overwrite", action="store_true")
    flt.add_argument(
        "--split",
        default=None,
        help="re-split by document, e.g. train=0.9,test=0.1 (default: keep the input's)",
    )
    flt.add_argument("--seed", type=int, default=0, help="seed of the split assignment")
    declare_filter_arguments(flt, defaults=True)
    declare_evaluate_arguments(
        sub.add_parser(
            "evaluate",
            parents=[common],
            help="translate test sets as a build would and score them (BLEU, chrF, chrF++)",
        )
    )
    rep = sub.add_parser(
        "report", parents=[common], help="write FOLDER/report.html, a page to read the corpus by"
    )
    rep.add_argument("dataset", metavar="FOLDER", help="a dataset folder (build or filter output)")
    exp = sub.add_parser("export", parents=[common], help="export a built corpus to another format")
    exp.add_argument("dataset", metavar="IN")
    exp.add_argument("--format", required=True, choices=("jsonl", "tsv", "moses", "tmx", "arrow"))
    exp.add_argument("--out", required=True, help="output folder (one file or pair per split)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(ShownFormatter("idcorpus: %(levelname)s: %(message)s"))
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler]
    )
    # the command shows its own progress; the libraries' per-file bars (model weights,
    # dataset generation) would only interleave with it
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run(args: argparse.Namespace) -> int:
    from corpus.cli import commands

    resume = " rerun the same command with --resume to continue" if args.command == "build" else ""
    try:
        return int(getattr(commands, args.command)(args))
    except (ModelLoadError, ConfigError) as e:
        return _fail(args, f"error: {e}", EXIT_USAGE)
    except StorageError as e:
        return _fail(args, f"error: {e}", EXIT_ENGINE)
    except CorpusError as e:
        return _fail(args, f"error: {e}", EXIT_USAGE)
    except TranslationError as e:
        return _fail(args, f"translation failed: {e};{resume}", EXIT_ENGINE)
    except Terminated:
        return _fail(args, f"terminated (SIGTERM);{resume}", EXIT_TERMINATED)
    except KeyboardInterrupt:
        return _fail(args, f"interrupted;{resume}", EXIT_INTERRUPTED)
    except OSError as e:
        where = f" ({e.filename})" if e.filename else ""
        return _fail(args, f"error: {e.strerror or e}{where};{resume}", EXIT_ENGINE)
    except Exception as e:  # noqa: BLE001 - a bug: one line unless -v
        message = f"internal error: {type(e).__name__}: {e} (rerun with -v for the traceback)"
        return _fail(args, message, EXIT_INTERNAL)


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    if args.verbose:
        print(shown(traceback.format_exc()), file=sys.stderr, end="")
    print(f"idcorpus: {shown(message.rstrip(';'))}", file=sys.stderr)
    return code


class ShownFormatter(logging.Formatter):
    """Log lines with every name in them shown safely (corpus.names.shown): a file name that
    holds an ANSI escape sequence or undecodable bytes never reaches the terminal raw."""

    def format(self, record: logging.LogRecord) -> str:
        return shown(super().format(record))


__all__ = ["ConfigError", "main"]
