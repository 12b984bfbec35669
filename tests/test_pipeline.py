"""End to end: the real CLI on seeds/ and news articles with the tiny real Marian model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest
from helpers import (
    NEWS,
    SEEDS,
    TINY,
    children,
    dataset_files,
    popen_cli,
    read_rows,
    run_cli,
    wait_for,
    wait_gone,
)

from corpus.clean.cleaner import Cleaner


@pytest.fixture(scope="module")
def seeds_corpus(tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "corpus"
    result = run_cli(
        "build", str(SEEDS), "--out", str(out), "--model", tiny_model, *TINY, "--no-cache"
    )
    assert result.returncode == 0, result.stderr
    return out


def test_seeds_build_loads_with_translation_type(seeds_corpus: Path) -> None:
    import datasets

    ds = datasets.load_dataset(str(seeds_corpus))
    assert list(ds) == ["train"]
    train = ds["train"]
    assert isinstance(train.features["translation"], datasets.Translation)
    assert train.features["translation"].languages == ["id", "en"]
    assert "id" not in train.column_names
    assert len(train) > 10
    assert not any("Nyaman tanpa iklan" in r["id"] for r in train["translation"])


def test_rows_align_with_cleaned_document_in_order(seeds_corpus: Path) -> None:
    seed = next(SEEDS.glob("*.txt"))
    cleaned = Cleaner().clean(seed.read_text(encoding="utf-8")).text
    rows = read_rows(seeds_corpus)
    assert [r["sent_index"] for r in rows] == list(range(len(rows)))
    assert [r["src_start"] for r in rows] == sorted(r["src_start"] for r in rows)
    for row in rows:
        assert row["translation"]["id"] == cleaned[row["src_start"] : row["src_end"]]
        assert row["doc_id"] == seed.name
        assert row["score"] <= 0
    paras = [r["para_index"] for r in rows]
    assert paras == sorted(paras) and paras[-1] > 0


def test_card_declares_config_and_provenance(seeds_corpus: Path) -> None:
    import yaml

    card = (seeds_corpus / "README.md").read_text()
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "data/train-*.parquet"}]
    assert meta["configs"][1]["config_name"] == "rejected"
    info = {c["config_name"]: c for c in meta["dataset_info"]}
    (split,) = info["default"]["splits"]
    assert split["name"] == "train" and split["num_bytes"] > 0 and split["num_examples"] > 10
    assert info["default"]["features"][0] == {
        "name": "translation",
        "dtype": {"translation": {"languages": ["id", "en"]}},
    }
    info = json.loads((seeds_corpus / "idcorpus.json").read_text())
    prov = info["provenance"]
    assert prov["translator"]["engine"] == "ctranslate2"
    assert "transformers" in prov["translator"] and "ftfy" in prov["libraries"]
    assert prov["signature"] in card
    assert (
        info["report"]["dropped"].get("clean:repeated_in_doc", 0)
        + sum(n for k, n in info["report"]["dropped"].items() if k.startswith("clean:"))
        > 0
    )


def test_existing_output_refused_unless_overwrite(seeds_corpus: Path, tiny_model: str) -> None:
    before = dataset_files(seeds_corpus)
    result = run_cli("build", str(SEEDS), "--out", str(seeds_corpus), "--model", tiny_model, *TINY)
    assert result.returncode == 2
    assert "--overwrite" in result.stderr
    assert dataset_files(seeds_corpus) == before


def test_model_unavailable_exits_2_fast_naming_model(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    env["HF_HOME"] = str(tmp_path / "hf-home")  # an empty cache: nothing to fall back on
    start = time.monotonic()
    result = run_cli(
        "build", str(SEEDS), "--out", str(tmp_path / "c"), "--quiet", env=env, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - start < 30
    assert "--model" in result.stderr
    assert not (tmp_path / "c").exists() and not (tmp_path / "c.partial").exists()


def test_nothing_usable_exits_2(tmp_path: Path, tiny_model: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("  \n\n")
    result = run_cli(
        "build", str(tmp_path / "in"), "--out", str(tmp_path / "c"), "--model", tiny_model, *TINY
    )
    assert result.returncode == 2
    assert "nothing usable" in result.stderr and "empty.txt" in result.stderr


def test_stdin_input(tmp_path: Path, tiny_model: str) -> None:
    text = "Presiden meresmikan jembatan baru. Warga menyambut gembira."
    result = run_cli(
        "build",
        "-",
        "--out",
        str(tmp_path / "c"),
        "--model",
        tiny_model,
        *TINY,
        "--no-cache",
        stdin=text,
    )
    assert result.returncode == 0, result.stderr
    rows = read_rows(tmp_path / "c")
    assert [r["translation"]["id"] for r in rows] == [
        "Presiden meresmikan jembatan baru.",
        "Warga menyambut gembira.",
    ]


@pytest.fixture(scope="module")
def news_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small multi-document corpus: the seed plus 7 scraped news articles."""
    root = tmp_path_factory.mktemp("news") / "in"
    root.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), root / "seed.txt")
    for article in sorted(NEWS.glob("*.txt"))[:7]:
        shutil.copy(article, root / article.name)
    return root


@pytest.fixture(scope="module")
def reference(news_inputs: Path, tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "corpus"
    result = run_cli(
        "build",
        str(news_inputs),
        "--out",
        str(out),
        "--model",
        tiny_model,
        *TINY,
        "--no-cache",
        "--chunk-sentences",
        "10",
        "--split",
        "train=0.6,validation=0.2,test=0.2",
    )
    assert result.returncode == 0, result.stderr
    return out


def test_splits_are_by_document(reference: Path) -> None:
    import datasets

    ds = datasets.load_dataset(str(reference))
    assert set(ds) == {"train", "validation", "test"}
    docs = {split: set(ds[split]["doc_id"]) for split in ds}
    assert docs["train"] and not docs["train"] & docs["validation"]
    assert not docs["train"] & docs["test"] and not docs["validation"] & docs["test"]


@pytest.mark.parametrize(
    ("kill_at_chunk", "sig"),
    [(1, signal.SIGKILL), (3, signal.SIGTERM), (6, signal.SIGKILL)],
    ids=["early-kill", "middle-sigterm", "late-kill"],
)
def test_killed_build_resumes_to_identical_dataset(
    kill_at_chunk: int,
    sig: int,
    news_inputs: Path,
    reference: Path,
    tiny_model: str,
    tmp_path: Path,
) -> None:
    out = tmp_path / "corpus"
    args = [
        "build",
        str(news_inputs),
        "--out",
        str(out),
        "--model",
        tiny_model,
        *TINY,
        "--no-cache",
        "--chunk-sentences",
        "10",
        "--split",
        "train=0.6,validation=0.2,test=0.2",
    ]
    proc = popen_cli(*args)
    shards = tmp_path / "corpus.partial" / "shards"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list(shards.glob("u*-*.parquet"))) >= kill_at_chunk:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the build finished before it could be killed"
    workers = children(proc.pid)
    proc.send_signal(sig)
    code = proc.wait()
    if sig == signal.SIGTERM:  # handled like Ctrl-C: a message, exit 143, resumable
        err = proc.stderr.read() if proc.stderr else ""
        assert code == 143, err
        assert "terminated (SIGTERM)" in err and "--resume" in err and "Traceback" not in err
    assert not wait_gone(workers), "worker processes outlived the killed build"
    assert not out.exists(), "a killed build must not leave a finished-looking dataset"
    assert run_cli(*args).returncode == 2  # without --resume the interrupted work is protected
    resumed = run_cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert dataset_files(out) == dataset_files(reference)
    assert not (tmp_path / "corpus.partial").exists()


def test_resume_with_other_arguments_is_refused(
    news_inputs: Path, tiny_model: str, tmp_path: Path
) -> None:
    out = tmp_path / "corpus"
    args = [
        "build",
        str(news_inputs),
        "--out",
        str(out),
        "--model",
        tiny_model,
        *TINY,
        "--no-cache",
        "--chunk-sentences",
        "10",
    ]
    proc = popen_cli(*args)
    wait_for(proc, tmp_path / "corpus.partial" / "state.json")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    result = run_cli(*args[:-1], "30", "--resume", "--seed", "7")
    assert result.returncode == 2
    assert "other arguments" in result.stderr and "seed" in result.stderr


def test_second_build_on_same_output_is_refused(
    news_inputs: Path, tiny_model: str, tmp_path: Path
) -> None:
    out = tmp_path / "corpus"
    args = [
        "build",
        str(news_inputs),
        "--out",
        str(out),
        "--model",
        tiny_model,
        *TINY,
        "--no-cache",
        "--chunk-sentences",
        "10",
    ]
    first = popen_cli(*args)
    wait_for(first, tmp_path / "corpus.lock")
    second = run_cli(*args, "--overwrite")
    assert second.returncode == 2
    assert "another build" in second.stderr
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    assert read_rows(out)


def test_import_corpus_does_not_import_torch() -> None:
    import subprocess

    code = (
        "import sys, corpus, corpus.pipeline.run, corpus.cli.main, translate; "
        "bad = [m for m in ('torch', 'transformers', 'ctranslate2', 'ray', 'datasets') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_rebuilds_translate_only_what_the_cache_lacks(tiny_model: str, tmp_path: Path) -> None:
    """Unchanged corpus: nothing translated. 10% new documents: only their new sentences."""
    from corpus.pipeline.config import BuildConfig
    from corpus.pipeline.run import build
    from translate.base import DecodingOptions, EngineConfig

    articles = sorted(NEWS.glob("*.txt"))[:11]
    docs = tmp_path / "docs"
    docs.mkdir()
    for article in articles[:10]:
        shutil.copy(article, docs / article.name)
    shutil.copy(articles[0], docs / f"copy-{articles[0].name}")  # its sentences occur twice
    engine = EngineConfig(
        model=tiny_model,
        engine="transformers",
        device="cpu",
        threads=1,
        decoding=DecodingOptions(num_beams=1),
    )

    def run(name: str) -> tuple[dict[str, int], list[dict[str, object]]]:
        config = BuildConfig(
            inputs=(str(docs),),
            out=str(tmp_path / name),
            engine=engine,
            cache_path=str(tmp_path / "cache.sqlite3"),
            quiet=True,
        )
        summary = build(config)
        return summary.cache_stats, read_rows(tmp_path / name)

    def sources(rows: list[dict[str, object]]) -> set[str]:
        return {row["translation"]["id"] for row in rows}  # type: ignore[index]

    first_stats, first = run("first")
    # each distinct sentence translated once: a repeat shares its engine call, or (when it
    # comes in a later call: calls are sized by the engine's speed) is a hit of this build's own
    assert first_stats["misses"] == len(sources(first)) and first_stats["corrupt"] == 0
    assert first_stats["hits"] <= len(first) - len(sources(first))
    assert len(first) > len(sources(first))  # repeated sentences were translated once

    again_stats, again = run("again")
    assert again_stats["misses"] == 0 and again == first

    shutil.copy(articles[10], docs / articles[10].name)
    grown_stats, grown = run("grown")
    new_doc = [row for row in grown if row["doc_id"] == articles[10].name]
    new_sentences = sources(new_doc) - sources(first)
    assert new_doc and new_sentences
    assert grown_stats["misses"] == len(new_sentences)
    assert [row for row in grown if row["doc_id"] != articles[10].name] == first
