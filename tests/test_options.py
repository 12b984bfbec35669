"""translate/options.py and the parser it assembles (corpus/cli/main.py): each option is declared
once, on its config field; help shows the defaults; a mistyped option gets a suggestion."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from corpus.cli.commands import evaluate_config
from corpus.cli.main import build_parser, main
from corpus.dataset.filter import FilterConfig
from corpus.errors import ConfigError
from corpus.evaluate.run import EvalConfig
from corpus.pipeline.config import BuildConfig, RayOptions
from corpus.read.config import ReadConfig
from translate.base import DecodingOptions, EngineConfig
from translate.options import FLAG, flag_name, from_args, given, options_of

ROOT = Path(__file__).resolve().parents[1]
BUILD = ["build", "in", "--out", "o"]


def parse(*argv: str) -> Any:
    return build_parser().parse_args(list(argv))


def test_no_option_gives_the_config_defaults() -> None:
    assert from_args(BuildConfig, parse(*BUILD)) == BuildConfig(inputs=("in",), out="o")
    assert from_args(FilterConfig, parse("filter", "a", "--out", "b")) == FilterConfig()
    ev = evaluate_config(parse("evaluate", "--set", "nusax"))
    assert ev.settings == (EngineConfig(),) and ev.build == {
        "use_cache": True,
        "cache_path": None,
        "quiet": False,
    }


@pytest.mark.parametrize(
    ("argv", "path", "value"),
    [
        (["--model", "./m"], "engine.model", "./m"),
        (["--num-beams", "2"], "engine.decoding.num_beams", 2),
        (["--max-tokens", "64"], "engine.max_input_tokens", 64),
        (["--format", "txt"], "read.input_format", "text"),
        (["--input-split", "dev"], "read.split", "dev"),
        (["--presplit"], "read.presplit", True),
        (["--split", "a=0.5,b=0.5"], "splits", (("a", 0.5), ("b", 0.5))),
        (["--no-cache"], "use_cache", False),
        (["--no-signals"], "signals", False),
        (["--ray-address", "auto"], "ray.address", "auto"),
        (["--ray-tmp-dir", "/t"], "ray.tmp_dir", "/t"),
        (["--gpus-per-worker", "0.5"], "ray.gpus_per_worker", 0.5),
        (["--jobs", "1"], "jobs", 1),
        (["--resume"], "resume", True),
    ],
    ids=lambda v: str(v[0]) if isinstance(v, list) else None,
)
def test_each_option_fills_its_field(argv: list[str], path: str, value: Any) -> None:
    config: Any = from_args(BuildConfig, parse(*BUILD, *argv))
    for part in path.split("."):
        config = getattr(config, part)
    assert config == value


def test_filter_on_build_only_when_asked_and_only_the_rules_given() -> None:
    assert from_args(BuildConfig, parse(*BUILD)).filter is None
    config = from_args(BuildConfig, parse(*BUILD, "--drop-flagged", "is_short")).filter
    assert config == dataclasses.replace(FilterConfig.off(), drop_flagged=("is_short",))
    assert config.rules() == ("flag:is_short",)
    languages = from_args(
        FilterConfig, parse("filter", "a", "--out", "b", "--require-src-lang", "")
    )
    assert languages.require_src_lang is None and languages.require_tgt_lang == "en"


def test_filter_command_takes_the_build_options_it_shares() -> None:
    args = parse("filter", "a", "--out", "b", "--split", "x=1", "--seed", "3", "--overwrite")
    assert given(BuildConfig, args, only=("out", "overwrite", "splits", "seed")) == {
        "out": "b", "overwrite": True, "splits": (("x", 1.0),), "seed": 3}  # fmt: skip
    assert given(BuildConfig, parse("filter", "a", "--out", "b"), only=("splits",)) == {
        "splits": None}  # fmt: skip


def test_evaluate_compares_every_combination_of_engine_values() -> None:
    ev = evaluate_config(parse("evaluate", "--set", "nusax,ntrex", "--set", "nusax",
                               "--num-beams", "1,4", "--engine", "ctranslate2", "--no-cache"))  # fmt: skip
    assert ev.sets == ("nusax", "ntrex")
    assert ev.labels == ("num-beams=1", "num-beams=4")
    assert [s.decoding.num_beams for s in ev.settings] == [1, 4]
    assert ev.build == {"use_cache": False, "cache_path": None, "quiet": False}


def option_configs() -> list[type]:
    return [BuildConfig, RayOptions, ReadConfig, FilterConfig, EngineConfig, DecodingOptions,
            EvalConfig]  # fmt: skip


def test_every_field_of_build_options_is_declared_in_one_config_class() -> None:
    """The acceptance grep: a build option's field name is a field of exactly one config class
    (the classes that declare options, and CleanConfig; a field holding a nested config, such
    as BuildConfig.engine, declares nothing), and the command-line code names none of them: no
    field-by-field mapping. Two names are shared with another meaning: `out` and `overwrite`
    are also EvalConfig's own options (an optional report folder), and
    DecodingOptions.max_length_ratio (no option: the new-token bound, a key of the run
    identity, so not renamed) is not the filter's character ratio."""
    fields: dict[str, list[str]] = {}
    for path in [*ROOT.glob("corpus/**/*.py"), *ROOT.glob("translate/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Config", "Options")):
                for item in node.body:
                    if not (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)):
                        continue
                    if item.value is None or "nested(" not in ast.unparse(item.value):
                        fields.setdefault(item.target.id, []).append(node.name)
    user_configs = {c.__name__ for c in option_configs()} | {"CleanConfig"}
    cli = "".join(p.read_text(encoding="utf-8") for p in ROOT.glob("corpus/cli/*.py"))
    for owner, f in options_of(BuildConfig):
        declared = [c for c in fields[f.name] if c in user_configs]
        allowed = {"out": "EvalConfig", "overwrite": "EvalConfig",
                   "max_length_ratio": "DecodingOptions"}  # fmt: skip
        allowed = {owner.__name__, allowed[f.name]} if f.name in allowed else None
        assert (set(declared) == allowed) if allowed else declared == [owner.__name__], f.name
        if flag_name(f) in ("--out", "--format"):
            continue  # export's own --out and --format (export takes three plain arguments)
        assert not re.search(rf"\bargs\.{f.name}\b", cli), f.name
        assert not flag_name(f).startswith("-") or f'"{flag_name(f)}"' not in cli, f.name


def test_help_shows_each_option_once_with_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    for command, configs in (("build", [BuildConfig]), ("filter", [FilterConfig]),
                             ("evaluate", [EvalConfig, EngineConfig])):  # fmt: skip
        with pytest.raises(SystemExit):
            main([command, "--help"])
        raw = capsys.readouterr().out
        text = " ".join(raw.split())
        for config in configs:
            for owner, f in options_of(config):
                name = flag_name(f)
                if not name.startswith("-"):
                    continue
                assert len(re.findall(rf"^  {name}\b(?!-)", raw, flags=re.M)) == 1, name
                meta = f.metadata[FLAG]
                default = f.default if f.default is not dataclasses.MISSING else None
                if meta.default_text or (default not in (None, False, ()) and not meta.negate):
                    shown = meta.default_text or str(default)
                    if command == "filter" or owner is not FilterConfig:
                        assert f"(default: {shown}" in text, (command, name)
    assert "(default: Helsinki-NLP/opus-mt-id-en)" in text


def test_top_level_help_is_for_users(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "parallel corpus" in text and "examples:" in text and "exit codes:" in text
    assert "Exit codes: 0 success" not in text  # the module's docstring is for developers


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        ([*BUILD, "--modle", "m"], "did you mean --model?"),
        ([*BUILD, "--num-beam", "2"], "did you mean --num-beams?"),
        ([*BUILD, "--dedupe=near"], "did you mean --dedup?"),
        (["biuld", "x"], "did you mean 'build'?"),
        (["filter", "a", "--out", "b", "--dedup", "nearr"], "did you mean 'near'?"),
    ],
    ids=["option", "prefix", "with-value", "command", "choice"],
)
def test_a_mistyped_option_gets_a_suggestion(
    argv: list[str], suggestion: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert suggestion in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "train=0.5"], "add up to 1"),
        (["--num-beams", "0"], "--num-beams must be >= 1"),
        (["--batch-tokens", "0"], "--batch-tokens must be >= 1"),
        (["--executor", "spark"], "invalid choice"),
        (["--split", "90/10"], "is not NAME=FRACTION"),
        (["--split", "../../x"], "--input-split"),
        (["--split", "../x=1"], "split name '../x' is not valid"),
        (["--jobs", "-1"], "--jobs"),
        (["--unit-documents", "0"], "--unit-documents"),
        (["--drop-flagged", "is_bad"], "unknown flag(s) is_bad"),
        (["--min-length-ratio", "2", "--max-length-ratio", "1"], "is above --max-length-ratio"),
    ],
    ids=[
        "splits",
        "beams",
        "batch",
        "executor",
        "ratio",
        "path",
        "path-name",
        "jobs",
        "units",
        "flag",
        "ratios",
    ],  # fmt: skip
)
def test_bad_options_exit_2_naming_the_option(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main([*BUILD, *args])
    except SystemExit as e:  # refused by the parser
        code = int(e.code or 0)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_configs_raise_config_error_only() -> None:
    for make in (lambda: EngineConfig(batch_tokens=0), lambda: DecodingOptions(num_beams=0),
                 lambda: EngineConfig(engine="x"), lambda: FilterConfig(dedup="x")):  # fmt: skip
        with pytest.raises(ConfigError):
            make()


def test_drop_test_overlap_adds_its_flag_last() -> None:
    on_build = from_args(BuildConfig, parse(*BUILD, "--drop-test-overlap")).filter
    assert on_build.drop_flagged == ("is_test_overlap",) and on_build.drop_test_overlap
    on_filter = from_args(FilterConfig, parse("filter", "a", "--out", "b", "--drop-test-overlap"))
    assert on_filter.drop_flagged == (*FilterConfig().drop_flagged, "is_test_overlap")
    assert not FilterConfig().drop_test_overlap
