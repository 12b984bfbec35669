"""Issue 23.1: every unit a build or `filter` drops is a row of the `rejected` configuration,
with its stage, reason and line; per reason the rows equal the card's and the summary's counts."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import NEWS, SEEDS, read_rows

from corpus.dataset.filter import FilterConfig
from corpus.dataset.filter_folder import filter_dataset
from corpus.pipeline.config import BuildConfig
from corpus.pipeline.run import build
from corpus.pipeline.summary import Summary
from translate import load_translator
from translate.base import DecodingOptions, EngineConfig, Translator
from translate.robust import RobustTranslator

WEB_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "web_dev"


@pytest.fixture(scope="module")
def engine(tiny_model: str) -> Translator:
    return RobustTranslator(load_translator(engine_config(tiny_model)))


def engine_config(model: str) -> EngineConfig:
    # CTranslate2 int8, the default (tests/helpers.py TINY): several times faster than
    # transformers on the tiny model
    return EngineConfig(model=model, engine="ctranslate2", compute_type="int8", device="cpu",
                        threads=1, decoding=DecodingOptions(num_beams=1))  # fmt: skip


def config(inputs: Path, out: Path, model: str, **kwargs: Any) -> BuildConfig:
    base = BuildConfig(inputs=(str(inputs),), out=str(out), engine=engine_config(model),
                       use_cache=False, quiet=True, jobs=1)  # fmt: skip
    return replace(base, **kwargs)


def rejected(folder: Path) -> list[dict[str, Any]]:
    import datasets

    return list(datasets.load_dataset(str(folder), "rejected")["train"])


def by_reason(rows: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(f"{r['stage']}:{r['reason']}" for r in rows))


def check_counts(folder: Path, summary: Summary) -> list[dict[str, Any]]:
    rows = rejected(folder)
    card = json.loads((folder / "idcorpus.json").read_text())["report"]["dropped"]
    assert by_reason(rows) == card == dict(summary.report.dropped)
    return rows


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed and six news articles, three with the same menu (dropped across documents),
    and a JSON Lines file with a record without text."""
    folder = tmp_path_factory.mktemp("news") / "in"
    folder.mkdir()
    (folder / "seed.txt").write_text(next(SEEDS.glob("*.txt")).read_text(encoding="utf-8"))
    for i, article in enumerate(sorted(NEWS.glob("*.txt"))[:6]):
        menu = "Beranda | Nasional | Ekonomi | Indeks\n\n" if i % 2 else ""
        (folder / article.name).write_text(menu + article.read_text(encoding="utf-8"))
    (folder / "r.jsonl").write_text('{"text": "Presiden meresmikan jembatan."}\n{"x": 1}\n')
    return folder


def test_every_drop_is_a_row_and_the_counts_are_the_cards(
    news: Path, tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    import datasets

    out = tmp_path / "corpus"
    summary = build(config(news, out, tiny_model), engine)
    rows = check_counts(out, summary)
    reasons = by_reason(rows)
    assert reasons["clean:repeated_across_docs"] == 3 and reasons["read:missing_text_field"] == 1
    assert list(datasets.load_dataset(str(out))) == ["train"]  # the pairs alone by default
    clean = [r for r in rows if r["stage"] == "clean"]
    assert clean and all(r["line_no"] and r["doc_id"] and r["source"] for r in clean)
    pairs = read_rows(out)
    assert all(isinstance(p["line_no"], int) and p["line_no"] >= 1 for p in pairs)
    menu = [r for r in rows if r["reason"] == "repeated_across_docs"]
    assert {r["line_no"] for r in menu} == {1}  # the menu is the first line of each
    assert (out / "report.html").is_file()


def test_no_rejected_keeps_the_counts_only(
    news: Path, tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    out = tmp_path / "corpus"
    summary = build(config(news, out, tiny_model, rejected=False), engine)
    assert not (out / "rejected").exists() and summary.report.dropped
    assert "config_name: rejected" not in (out / "README.md").read_text()


def test_filter_writes_its_drops_after_the_input_rows(
    news: Path, tiny_model: str, engine: Translator, tmp_path: Path
) -> None:
    out = tmp_path / "corpus"
    build(config(news, out, tiny_model), engine)
    before = rejected(out)
    strict = replace(FilterConfig.off(), min_score=-0.5)
    report = filter_dataset(out, tmp_path / "filtered", strict)
    after = rejected(tmp_path / "filtered")
    assert after[: len(before)] == before
    mine = after[len(before) :]
    assert len(mine) == report.dropped["min_score"] > 0
    assert all(r["stage"] == "filter" and r["translation"] is not None for r in mine)
    card = json.loads((tmp_path / "filtered" / "idcorpus.json").read_text())["report"]
    assert by_reason(after) == card["dropped"]


@pytest.mark.skipif(not WEB_DEV.is_dir(), reason="needs ../shared/data/web_dev")
def test_web_dev_counts_are_the_cards(tiny_model: str, engine: Translator, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    summary = build(config(WEB_DEV, out, tiny_model, jobs=2), engine)
    rows = check_counts(out, summary)
    assert {r["stage"] for r in rows} >= {"html", "clean", "read"}
    assert all(r["line_no"] for r in rows if r["stage"] in ("html", "clean"))
