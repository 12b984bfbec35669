"""Argument groups that several subcommands share, declared once (one flag, one meaning):
the model, engine and decoding flags and the translation cache flags (`build` and `evaluate`),
and the options of `evaluate`. `evaluate` takes several comma-separated values per engine
flag; every combination of them is one setting to compare."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from translate.base import DEFAULT_MODEL, DEVICES, ENGINES


def declare_engine_arguments(p: argparse.ArgumentParser, *, compare: bool = False) -> None:
    """The model, engine and decoding flags of `build` and `evaluate` (one flag, one meaning).
    With `compare` (evaluate) each takes comma-separated values, and every combination of
    them is one setting to evaluate and compare."""
    g = p.add_argument_group(
        "model, engine and decoding"
        + (" (comma-separated values: every combination is evaluated)" if compare else "")
    )
    add = _engine_flag(g, compare)
    add("--model", str, DEFAULT_MODEL, "hub id or local folder of a Marian model")
    add("--revision", str, None, "model revision (branch, tag or commit)")
    add("--engine", str, "auto", "translation engine", ENGINES)
    add("--device", str, "auto", "where the engine runs", DEVICES)
    add("--compute-type", str, "auto", "auto, float32, float16, int8, ... (engine dependent)")
    add("--num-beams", int, None, "beam size (default: the model's)")
    add("--batch-tokens", int, 4096, "padded tokens per batch")
    add("--threads", int, 0, "CPU threads for the engine (0 = auto)")
    add("--max-tokens", int, None, "longest source in tokens; longer ones are split at clauses")


def _engine_flag(g: Any, compare: bool) -> Callable[..., None]:
    def add(
        flag: str, kind: type, default: Any, text: str, choices: Sequence[str] | None = None
    ) -> None:
        if not compare:
            g.add_argument(flag, type=kind, default=default, choices=choices, help=text)
            return
        shown = f" (choices: {', '.join(choices)})" if choices else ""
        parse = _values(kind, choices)
        g.add_argument(flag, type=parse, default=[default], metavar="V[,V...]", help=text + shown)

    return add


def _values(kind: type, choices: Sequence[str] | None) -> Callable[[str], list[Any]]:
    """Comma-separated values of one flag, each converted and checked, each once."""

    def parse(text: str) -> list[Any]:
        values: list[Any] = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            try:
                value = kind(item)
            except ValueError as e:
                raise argparse.ArgumentTypeError(f"{item!r} is not a valid {kind.__name__}") from e
            if choices and value not in choices:
                raise argparse.ArgumentTypeError(
                    f"invalid choice {item!r} (choose from {', '.join(choices)})"
                )
            if value not in values:
                values.append(value)
        if not values:
            raise argparse.ArgumentTypeError("give at least one value")
        return values

    return parse


def declare_cache_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-cache", action="store_true", help="do not use the translation cache")
    p.add_argument("--cache-path", default=None, help="SQLite translation cache file")


def declare_evaluate_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("test set")
    g.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="NAME[,NAME...]",
        help="vendored test set(s): flores-devtest, flores-dev, ntrex, tico19, tatoeba, nusax, "
        "or all (see --list-sets)",
    )
    g.add_argument("--src", default=None, help="your own test set: source file, one line each")
    g.add_argument("--ref", default=None, help="the reference of --src, line by line")
    g.add_argument(
        "--doc-ids", default=None, help="document id of each --src line (for --documents)"
    )
    g.add_argument("--limit", type=int, default=None, help="only the first N lines of each set")
    g.add_argument("--list-sets", action="store_true", help="list the vendored test sets")
    g.add_argument(
        "--hypotheses",
        default=None,
        help="score this file (one line per source line) instead of translating",
    )
    p.add_argument("--out", default=None, help="folder for hypotheses, segments and report.json")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier --out")
    p.add_argument(
        "--documents",
        action="store_true",
        help="also build the sets with documents (FLORES, NTREX, --doc-ids) the normal way "
        "and score whole documents (the effect of cleaning and segmentation)",
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="report score and length-ratio thresholds that drop the worst k%% by chrF",
    )
    p.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        help="paired bootstrap resamples when settings are compared (0 = no test)",
    )
    declare_engine_arguments(p, compare=True)
    declare_cache_arguments(p)
