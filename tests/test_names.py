"""corpus.names: the one rule for names that become parts of paths."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import Interrupting

from corpus.errors import ConfigError, InputError
from corpus.names import (
    ParquetSink,
    arrow_name,
    check_split_name,
    is_split_name,
    json_shown,
    parquet_file,
    shown,
    utf8_data,
    write_parquet,
)


@pytest.mark.parametrize("name", ["train", "validation", "test", "T", "dev_2", "x9_"])
def test_valid_split_names(name: str) -> None:
    assert is_split_name(name) and check_split_name(name, "--split") == name


BAD = ["", "..", ".", "../x", "a/b", "a\\b", "/abs", "1st", "_x", "a-b", "a.b", "a b",
       "train\n", "\ntrain", "tr\x00ain", "trаin", "ｔrain", "~", "-"]  # fmt: skip


@pytest.mark.parametrize("name", BAD, ids=[repr(n) for n in BAD])
def test_invalid_split_names_are_refused_naming_where(name: str) -> None:
    assert not is_split_name(name)
    with pytest.raises(ConfigError, match=r"^--split: split name .* is not valid; a split name"):
        check_split_name(name, "--split")


def test_the_error_class_follows_the_caller() -> None:
    with pytest.raises(InputError, match=r"^data/\.\.-00000-of-00001\.parquet: split name '\.\.'"):
        check_split_name("..", "data/..-00000-of-00001.parquet", InputError)


# --- names shown or written (issue 21.2) -------------------------------------------------------

HOSTILE = [
    ("b\x1b[31mred\x1b[0m.txt", "b\\x1b[31mred\\x1b[0m.txt"),
    ("t\x1b]0;title\x07.txt", "t\\x1b]0;title\\x07.txt"),
    ("c1\x9b2J.txt", "c1\\x9b2J.txt"),
    ("bidi\u202etxt.exe", "bidi\\u202etxt.exe"),
    ("line\nbreak.txt", "line\\x0abreak.txt"),
    (os.fsdecode(b"caf\xe9.txt"), "caf\\xe9.txt"),
    ("caf\u00e9 \u2014 ok.txt", "caf\u00e9 \u2014 ok.txt"),
]


@pytest.mark.parametrize(("name", "expected"), HOSTILE, ids=[repr(n) for n, _ in HOSTILE])
def test_a_name_is_shown_with_every_control_escaped(name: str, expected: str) -> None:
    assert shown(name, keep="") == expected
    assert shown(name, keep="") == shown(shown(name, keep=""), keep="")  # escaped once
    assert shown(name, keep="").encode("utf-8")


def test_a_message_keeps_its_line_breaks_and_tabs() -> None:
    assert shown("a\tb\nc\x1bd") == "a\tb\nc\\x1bd"


def test_written_data_is_valid_utf8_json() -> None:
    data = {"inputs": [os.fsdecode(b"in\xff"), Path(os.fsdecode(b"x\xfe"))], "k\udcff": 1}
    clean = utf8_data(data)
    assert clean == {"inputs": ["in\\xff", "x\\xfe"], "k\\xff": 1}
    text = json_shown(json.dumps({"a": "b\x1b\x9b\u2028"}, ensure_ascii=False))
    assert json.loads(text) == {"a": "b\x1b\x9b\u2028"} and shown(text) == text


def test_parquet_at_a_path_that_is_not_utf8(tmp_path: Path) -> None:
    import pyarrow as pa

    folder = tmp_path / os.fsdecode(b"d\xff")
    folder.mkdir()
    table = pa.table({"x": [1, 2, 3]})
    write_parquet(table, folder / "a.parquet")
    sink = ParquetSink(folder / "b.parquet", table.schema)
    sink.write_table(table)
    sink.close()
    for name in ("a.parquet", "b.parquet"):
        assert parquet_file(folder / name).read().equals(table)
    assert arrow_name(folder) is None and arrow_name(tmp_path) == str(tmp_path)


def tiny_engine(model: str) -> Any:
    from translate import load_translator
    from translate.base import DecodingOptions, EngineConfig
    from translate.robust import RobustTranslator

    config = EngineConfig(model=model, engine="transformers", device="cpu", threads=1,
                          decoding=DecodingOptions(num_beams=1))  # fmt: skip
    return RobustTranslator(load_translator(config)), config


def parquet_rows(out: Path) -> list[dict[str, Any]]:
    return [r for f in sorted((out / "data").iterdir()) for r in parquet_file(f).read().to_pylist()]


def test_build_and_resume_with_names_that_are_not_utf8(tiny_model: str, tmp_path: Path) -> None:
    """A folder, a file and --out whose names hold undecodable bytes: the build (and a resumed
    one) writes its dataset, naming each with its bytes escaped, in valid UTF-8 everywhere."""
    from corpus.pipeline.config import BuildConfig
    from corpus.pipeline.run import build

    folder = tmp_path / os.fsdecode(b"in\xff")
    folder.mkdir()
    for i, text in enumerate(["Presiden meresmikan jembatan baru.", "Harga beras naik lagi."]):
        lines = (f"{text} Ini kalimat nomor {j}." for j in range(40))
        (folder / os.fsdecode(b"a%d\xe9.txt" % i)).write_text(" ".join(lines))
    single = tmp_path / os.fsdecode(b"b\xfe.txt")
    single.write_text(" ".join(f"Hujan deras turun di kota {j}." for j in range(40)))
    engine, engine_config = tiny_engine(tiny_model)
    inputs = (str(folder), str(single))

    def config(out: Path, **extra: Any) -> BuildConfig:
        return BuildConfig(inputs=inputs, out=str(out), engine=engine_config, use_cache=False,
                           quiet=True, chunk_sentences=8, jobs=1, **extra)  # fmt: skip

    ref = tmp_path / "ref"
    build(config(ref), engine)
    out = tmp_path / os.fsdecode(b"out\xfe")
    with pytest.raises(KeyboardInterrupt):
        build(config(out), Interrupting(engine, 2))  # the first engine call measures its speed
    assert not out.exists() and Path(str(out) + ".partial").exists()
    summary = build(config(out, resume=True), engine)
    assert summary.pairs_written == len(parquet_rows(ref)) > 0
    assert parquet_rows(out) == parquet_rows(ref)
    docs = {r["doc_id"] for r in parquet_rows(out)}
    assert docs == {"a0\\xe9.txt", "a1\\xe9.txt", "b\\xfe.txt"}
    card = (out / "README.md").read_bytes().decode("utf-8")  # valid UTF-8, or this raises
    assert (
        "pretty_name: 'idcorpus id-en: out\\xfe'" in card and "# idcorpus id-en: out\\xfe" in card
    )
    info = json.loads((out / "idcorpus.json").read_bytes().decode("utf-8"))
    assert info["provenance"]["build"]["inputs"] == ["in\\xff", "b\\xfe.txt"]

    # filter and export take such a dataset too; the arrow export (through `datasets`, which
    # takes UTF-8 names only) says so instead of failing inside
    from corpus.cli.main import main

    filtered = tmp_path / os.fsdecode(b"filtered\xfd")
    keep_all = ["--min-score", "-99", "--min-length-ratio", "0.01", "--max-length-ratio", "99",
                "--require-src-lang", "", "--require-tgt-lang", "", "--drop-flagged", "",
                "--dedup", "none"]  # fmt: skip
    assert main(["filter", str(out), "--out", str(filtered), "-q", *keep_all]) == 0
    assert len(parquet_rows(filtered)) == len(parquet_rows(out))
    assert json.loads((filtered / "idcorpus.json").read_bytes())["filter"]["input"] == "out\\xfe"
    exported = tmp_path / os.fsdecode(b"jsonl\xfc")
    assert main(["export", str(out), "--format", "jsonl", "--out", str(exported), "-q"]) == 0
    assert len((exported / "train.jsonl").read_text().splitlines()) == len(parquet_rows(out))
    assert main(["export", str(out), "--format", "arrow", "--out", str(tmp_path / "a")]) == 2


def test_names_with_escape_sequences_never_reach_the_terminal_raw(
    tiny_model: str, tmp_path: Path
) -> None:
    from helpers import TINY, cli_env, run_cli

    src = tmp_path / "in"
    src.mkdir()
    (src / "b\x1b[31mred\x1b[0m.txt").write_text("Presiden meresmikan jalan tol baru.\n")
    (src / "empty\x1b]0;pwned\x07.txt").write_bytes(b"")
    out = tmp_path / os.fsdecode(b"out\xfe\x1b[2J")
    args = ["build", str(src), "--out", str(out), "--model", tiny_model, *TINY]
    result = run_cli(*[a for a in args if a != "--quiet"], env=cli_env())
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "in/empty\\x1b]0;pwned\\x07.txt: empty: no bytes" in result.stderr
    assert "wrote " in result.stderr and "out\\xfe\\x1b[2J" in result.stderr
    missing = run_cli(
        "build", str(src / "gone\x1b[2J.txt"), "--out", str(tmp_path / "o"), env=cli_env()
    )
    assert missing.returncode == 2 and "gone\\x1b[2J.txt" in missing.stderr
    assert "\x1b" not in missing.stderr
    cleaned = run_cli("clean", str(src), env=cli_env())
    assert "=== b\\x1b[31mred\\x1b[0m.txt" in cleaned.stdout and "\x1b" not in cleaned.stdout
    card = (out / "README.md").read_text("utf-8")
    assert "\x1b" not in card and "empty\\x1b\\]0;pwned\\x07.txt" in card
