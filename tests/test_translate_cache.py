"""The persistent translation cache around the real tiny engine."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from translate.base import DecodingOptions, EngineConfig, Translation, Translator
from translate.cache import TABLE, CachedTranslator, default_cache_path
from translate.errors import TranslationError
from translate.marian import MarianEngine

SENTENCES = ["Nyaman tanpa iklan.", "Sumber : Xinhua", "Artikel Terkait"]


class Counting:
    """Delegates to a real engine and records what it was asked to translate."""

    def __init__(self, inner: Translator, flag: bool = False) -> None:
        self.inner, self.flag = inner, flag
        self.calls: list[list[str]] = []

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        self.calls.append(list(sentences))
        out = self.inner.translate_batch(sentences)
        return (
            [replace(t, split=True, retried=True, degenerate=True) for t in out]
            if self.flag
            else out
        )

    def describe(self) -> dict[str, str]:
        return self.inner.describe()


@pytest.fixture(scope="module")
def engine(tiny_model: str) -> MarianEngine:
    return MarianEngine.load(
        EngineConfig(model=tiny_model, device="cpu", decoding=DecodingOptions(num_beams=1))
    )


def test_second_run_translates_nothing(engine: MarianEngine, tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    first = Counting(engine)
    with CachedTranslator(first, str(db)) as cache:
        expected = cache.translate_batch(SENTENCES)
        assert (cache.hits, cache.misses) == (0, 3)
    again = Counting(engine)
    with CachedTranslator(again, str(db)) as cache:
        assert cache.translate_batch(SENTENCES) == expected
        assert (cache.hits, cache.misses, again.calls) == (3, 0, [])
        cache.translate_batch(SENTENCES[:2] + ["Berita Terbaru"])  # one new sentence
        assert again.calls == [["Berita Terbaru"]] and (cache.hits, cache.misses) == (5, 1)


def test_duplicates_in_a_batch_are_translated_once(engine: MarianEngine) -> None:
    inner = Counting(engine)
    cache = CachedTranslator(inner, None)  # --no-cache: dedup only
    out = cache.translate_batch([SENTENCES[0]] * 5 + [SENTENCES[1], SENTENCES[0]])
    assert inner.calls == [[SENTENCES[0], SENTENCES[1]]]
    assert [t.text for t in out] == [SENTENCES[0]] * 5 + [SENTENCES[1], SENTENCES[0]]
    assert (cache.hits, cache.misses) == (5, 2)
    cache.translate_batch(SENTENCES[:1])
    assert len(inner.calls) == 2  # nothing persists without a path


@pytest.mark.parametrize("sentences", [[], [""]], ids=["no-sentences", "blank"])
def test_empty_input(engine: MarianEngine, tmp_path: Path, sentences: list[str]) -> None:
    cache = CachedTranslator(Counting(engine), str(tmp_path / "c.db"))
    assert [t.text for t in cache.translate_batch(sentences)] == sentences


def test_decoding_options_are_part_of_the_key(engine: MarianEngine, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    CachedTranslator(Counting(engine), db).translate_batch(SENTENCES)
    beam = Counting(engine.with_decoding(DecodingOptions(num_beams=2)))
    CachedTranslator(beam, db).translate_batch(SENTENCES)
    assert beam.calls == [SENTENCES]
    other = Counting(engine)
    CachedTranslator(other, db, namespace={"robust": "v2"}).translate_batch(SENTENCES)
    assert other.calls == [SENTENCES]


def test_every_translation_field_round_trips(engine: MarianEngine, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    stored = CachedTranslator(Counting(engine, flag=True), db).translate_batch(SENTENCES)
    loaded = CachedTranslator(Counting(engine), db).translate_batch(SENTENCES)
    assert loaded == stored and all(
        t.split and t.retried and t.degenerate and t.src_tokens for t in loaded
    )


def test_a_failure_in_the_middle_of_a_batch_stores_nothing(
    engine: MarianEngine, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    cache = CachedTranslator(Counting(engine), str(db))
    with sqlite3.connect(db) as conn:  # the 2nd insert of the batch fails, after the 1st succeeded
        conn.execute(
            f"CREATE TRIGGER boom BEFORE INSERT ON {TABLE} WHEN NEW.value LIKE '%Xinhua%' "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    with pytest.raises(TranslationError, match="disk on fire"):
        cache.translate_batch(SENTENCES)
    with sqlite3.connect(db) as conn:
        assert conn.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone() == (0,)


def test_inner_failure_stores_nothing(tmp_path: Path) -> None:
    class Short:
        def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
            return [Translation("x", 0.0)]  # one result for several sentences

        def describe(self) -> dict[str, str]:
            return {"engine": "short"}

    cache = CachedTranslator(Short(), str(tmp_path / "c.db"))
    with pytest.raises(TranslationError, match="returned 1 translations for 3"):
        cache.translate_batch(SENTENCES)
    assert cache.lookup([]) == {} and cache.misses == 0


def test_corrupt_cache_file_says_what_to_do(engine: MarianEngine, tmp_path: Path) -> None:
    bad = tmp_path / "c.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(TranslationError, match="delete it or use --no-cache"):
        CachedTranslator(Counting(engine), str(bad))


def test_default_path_is_in_the_user_cache() -> None:
    assert default_cache_path().name == "translations.sqlite3" and "idcorpus" in str(
        default_cache_path()
    )
