"""The `idcorpus` command: the parser, assembled from the options the configs declare on their
fields (translate/options.py), and the map of errors to exit codes. What each command does and
prints is in corpus/cli/commands.py.

Exit codes: 0 success; 1 with --strict when some inputs were skipped (the dataset is still
written); 2 a user error (bad options, unusable model, output exists or is locked, nothing
usable in the input, nothing left to write); 3 the engine or the machine failed during the run
(engine error, disk full, read-only or failing storage); 4 an internal error (a bug: rerun
with -v and report the traceback); 130 interrupted by Ctrl-C, 143 by SIGTERM (`--resume`
continues a build). Without -v no error prints a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import re
import sys
import textwrap
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

from corpus import __version__
from corpus.cli.stopping import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    Terminated,
    bounded_stop,
    exit_within,
)
from corpus.errors import ConfigError, CorpusError, StorageError
from corpus.names import shown
from corpus.read.streams import utf8_name
from translate.errors import ModelLoadError, TranslationError

log = logging.getLogger("idcorpus")
EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_ENGINE, EXIT_INTERNAL = 0, 1, 2, 3, 4

DESCRIPTION = """\
Turn Indonesian text into an Indonesian-English parallel corpus. idcorpus reads your documents
(text, HTML, JSONL, CSV, TSV, Parquet, Hugging Face datasets), removes what is not article text
(menus, "Baca juga" links, bylines), splits the text into sentences, translates each with the
opus-mt-id-en model and writes the pairs, with quality signals, as a Hugging Face dataset folder
that datasets.load_dataset(FOLDER) loads."""

EPILOG = """\
examples:
  idcorpus build news/ --out corpus/                        translate a folder of articles
  idcorpus build news/ --out corpus/ --model ./opus-mt-id-en   with a local copy of the model
  idcorpus build news/ --out corpus/ --resume               go on after Ctrl-C or a crash
  idcorpus filter corpus/ --out corpus-clean/               drop doubtful pairs
  idcorpus report corpus/                                   a page to read the corpus by
  idcorpus export corpus/ --format tmx --out exports/       for other tools
  idcorpus evaluate --set flores-devtest                    the quality to expect
  idcorpus clean page.html                                  what cleaning keeps and drops

exit codes: 0 done; 1 an input was skipped (only with --strict); 2 you must act (the message
says what); 3 the engine or the machine failed (rerun with --resume); 4 a bug (rerun with -v
and report it); 130/143 interrupted (--resume continues).

`idcorpus COMMAND --help` lists the options of a command, with their defaults."""

EXPORT_FORMATS = ("jsonl", "tsv", "moses", "tmx", "arrow")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help wrapped at spaces only: a model id or a flag named in a help text stays whole."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


class Parser(argparse.ArgumentParser):
    """argparse with "did you mean" for a mistyped option or command (Python 3.11's argparse
    has no suggestions; 3.14's `suggest_on_error` does the same)."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = self._command(parsed)
            command.error(f"unrecognized arguments: {' '.join(extras)}{command.hint(extras)}")
        return parsed

    def error(self, message: str) -> NoReturn:
        found = re.search(r"invalid choice: '?([^' ]+)'? \(choose from (.*)\)", message)
        if found:
            choices = [c.strip(" '\"") for c in found.group(2).split(",")]
            close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {close[0]!r}?"
        super().error(message)

    def hint(self, extras: Sequence[str]) -> str:
        """ "; did you mean --x?" for the first unknown option that is close to one of ours."""
        known = [o for action in self._actions for o in action.option_strings]
        for extra in extras:
            if not extra.startswith("-"):
                continue
            name = extra.split("=", 1)[0]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            if close:
                return f"; did you mean {close[0]}?"
        return ""

    def _command(self, parsed: argparse.Namespace) -> Parser:
        """The parser of the subcommand in `parsed` (self when there is none)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(parsed, "command", None) or "")
                if isinstance(chosen, Parser):
                    return chosen
        return self


def build_parser() -> argparse.ArgumentParser:
    from corpus.dataset.filter import FilterConfig
    from corpus.evaluate.run import EvalConfig
    from corpus.pipeline.config import BuildConfig
    from corpus.read.config import ReadConfig
    from translate.base import EngineConfig
    from translate.options import declare

    parser = Parser(
        prog="idcorpus",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"idcorpus {__version__}")
    common = Parser(add_help=False, allow_abbrev=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    common.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging, and tracebacks of errors"
    )
    sub = parser.add_subparsers(title="commands", dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str, description: str) -> Any:
        return sub.add_parser(
            name,
            parents=[common],
            help=text,
            description=description,
            allow_abbrev=False,
            formatter_class=HelpFormatter,
        )

    build = command(
        "build",
        "build a parallel corpus from Indonesian documents",
        "Read, clean, segment and translate INPUT... into a Hugging Face dataset folder.",
    )
    declare(build, BuildConfig)

    clean = command(
        "clean",
        "show what cleaning keeps and drops, with the reason for each dropped line",
        "Print the cleaned text of each input document and every line the cleaner dropped.",
    )
    declare(clean, BuildConfig, only=("inputs",))
    declare(
        clean.add_argument_group("reading the inputs"),
        ReadConfig,
        exclude=("presplit", "target", "target_field"),
    )
    clean.add_argument("--dropped-only", action="store_true", help="print only the dropped lines")

    flt = command(
        "filter",
        "filter a built corpus into a new dataset folder",
        "Drop the pairs of a built corpus that fail a rule; the card counts each rule's drops.",
    )
    flt.add_argument("dataset", metavar="IN", help="a dataset folder written by idcorpus build")
    declare(
        flt,
        BuildConfig,
        only=("out", "overwrite", "splits", "seed"),
        defaults={"splits": (None, "the input's splits")},
    )
    declare(flt.add_argument_group("rules, applied in this order"), FilterConfig)

    evaluate = command(
        "evaluate",
        "translate test sets as a build would and score them (BLEU, chrF, chrF++)",
        "Measure the translation quality a corpus will have, with the model and settings a "
        "build would use, on vendored test sets or your own.",
    )
    declare(evaluate.add_argument_group("test sets and output"), EvalConfig)
    evaluate.add_argument("--list-sets", action="store_true", help="list the vendored test sets")
    declare(
        evaluate.add_argument_group(
            "model, engine and decoding (comma-separated values: every combination is "
            "evaluated and compared with the first)"
        ),
        EngineConfig,
        compare=True,
    )
    declare(evaluate, BuildConfig, only=("use_cache", "cache_path"))

    report = command(
        "report",
        "write FOLDER/report.html, a page to read the corpus by",
        "Write report.html into a dataset folder: counts, drops by reason, score and language "
        "charts, the lowest and flagged pairs, sample documents with their dropped lines.",
    )
    report.add_argument(
        "dataset", metavar="FOLDER", help="a dataset folder (build or filter output)"
    )

    export = command(
        "export",
        "export a built corpus to JSON Lines, TSV, Moses, TMX or Arrow",
        "Write each split of a built corpus as one file (or pair of files) of another format.",
    )
    export.add_argument("dataset", metavar="IN", help="a dataset folder written by idcorpus build")
    export.add_argument(
        "--format",
        required=True,
        choices=EXPORT_FORMATS,
        help="jsonl (transformers' run_translation.py), tsv, moses (one segment per line, "
        "one file per language), tmx, arrow (datasets.load_from_disk)",
    )
    export.add_argument("--out", required=True, help="output folder (one file or pair per split)")
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
    with bounded_stop(_resume_hint(args)):
        return _run(args)


def run() -> NoReturn:
    """The `idcorpus` program: main(), and an interrupted command's exit bounded in time
    (the interpreter's exit hooks get corpus.cli.stopping.STOP_DEADLINE_S)."""
    code = main()
    exit_within(code)
    raise SystemExit(code)


def _resume_hint(args: argparse.Namespace) -> str:
    return " rerun the same command with --resume to continue" if args.command == "build" else ""


def _run(args: argparse.Namespace) -> int:
    from corpus.cli import commands

    resume = _resume_hint(args)
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
    except KeyboardInterrupt as e:
        done = getattr(e, "published", None)  # the build had finished: nothing to resume
        if done:
            resume = f" the dataset was complete and is at {utf8_name(done)}"
        if isinstance(e, Terminated):
            return _fail(args, f"terminated (SIGTERM);{resume}", EXIT_TERMINATED)
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
