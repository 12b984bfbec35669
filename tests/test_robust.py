"""translate/robust.py: long-sentence splitting, degenerate-output detection and the retry.

Pure helpers and the retry logic are tested with `StubEngine`, a small deterministic test
double (it only echoes text); the end-to-end cases run the tiny real MarianMT model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from translate.base import DecodingOptions, Engine, EngineConfig, Translation
from translate.robust import (
    MAX_SENTENCE_CHARS,
    RobustTranslator,
    best_boundary,
    better,
    is_degenerate,
    join_pieces,
    repetition_score,
    split_to_fit,
    too_long,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SENTENCE = "Menteri Luar Negeri China bertemu dengan Menlu Kazakhstan untuk memperkuat hubungan"


def words(texts: Sequence[str]) -> list[int]:
    """A token counter for pure tests: one token per word, plus eos."""
    return [len(t.split()) + 1 for t in texts]


def chars(texts: Sequence[str]) -> list[int]:
    """A token counter for pure tests: one token per 4 characters, plus eos."""
    return [len(t) // 4 + 1 for t in texts]


@dataclass
class StubEngine:
    """Test double for the retry/splitting logic: echoes its input, loops on "LOOP" unless
    decoding with no_repeat_ngram_size, and records every batch it was given."""

    decoding: DecodingOptions = field(default_factory=DecodingOptions)
    limit: int = 512
    calls: list[tuple[DecodingOptions, list[str]]] = field(default_factory=list)

    @property
    def max_input_tokens(self) -> int:
        return self.limit

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return words(sentences)

    def with_decoding(self, decoding: DecodingOptions) -> StubEngine:
        return StubEngine(decoding=decoding, limit=self.limit, calls=self.calls)

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        self.calls.append((self.decoding, list(sentences)))
        return [self._one(s) for s in sentences]

    def _one(self, sentence: str) -> Translation:
        n = len(sentence.split())
        if "LOOP" in sentence and self.decoding.no_repeat_ngram_size == 0:
            return Translation(text="I'm sorry " * 3 * n, score=-0.1, tokens=6 * n)
        return Translation(text=sentence.lower(), score=-0.5, tokens=n)

    def describe(self) -> dict[str, str]:
        return {"engine": "stub"}


@pytest.mark.parametrize(
    ("text", "max_chars", "expected"),
    [
        ("", MAX_SENTENCE_CHARS, False),
        ("a" * MAX_SENTENCE_CHARS, MAX_SENTENCE_CHARS, False),
        ("a" * (MAX_SENTENCE_CHARS + 1), MAX_SENTENCE_CHARS, True),
        ("kalimat pendek", 5, True),
    ],
    ids=["empty", "at-limit", "over-limit", "custom-limit"],
)
def test_too_long(text: str, max_chars: int, expected: bool) -> None:
    assert too_long(text, max_chars) is expected


LOOPS = [
    ("I'm sorry I'm sorry I'm sorry I'm sorry", "sorry-loop"),
    ("the the the the the the", "unigram-loop"),
    ("He said that he said that he said that he said that he said that.", "clause-loop"),
    ("The meeting was held in Jakarta. The meeting was held in Jakarta. The meeting was held in Jakarta.", "sentence-loop"),
    ("hahahahahahahahahahahahahaha", "char-loop"),
    ("sorry sorry sorry", "short-loop"),
]  # fmt: skip
NORMAL = [
    ("", "empty"),
    ("Yes.", "one-word"),
    ("The minister met his Kazakh counterpart to strengthen bilateral ties.", "news"),
    ("We are deeply concerned both by the alarming levels of spread and severity and by the alarming levels of inaction.", "long-with-repeats"),
    ("Step by step, the village rebuilt its school and its mosque.", "idiom"),
    ("Very very good.", "reduplication"),
]  # fmt: skip


@pytest.mark.parametrize("text", [t for t, _ in LOOPS], ids=[i for _, i in LOOPS])
def test_repetition_score_high_for_loops(text: str) -> None:
    assert repetition_score(text) >= 0.3


@pytest.mark.parametrize("text", [t for t, _ in NORMAL], ids=[i for _, i in NORMAL])
def test_repetition_score_low_for_prose(text: str) -> None:
    assert repetition_score(text) < 0.3


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("Maaf.", "I'm sorry I'm sorry I'm sorry I'm sorry", True),
        (SENTENCE, "The Chinese foreign minister met his Kazakh counterpart to strengthen ties.", False),
        (SENTENCE, "Yes.", True),
        (SENTENCE, "The minister " * 30, True),
        (SENTENCE, "", True),
        ("Ya.", "Yes, that is indeed correct.", False),
        ("Ya.", "", True),
        ("", "", False),
        ("Tidak, tidak, tidak, tidak!", "No, no, no, no!", False),
    ],
    ids=["loop", "good", "too-short", "too-long", "empty-output", "short-source",
         "short-source-empty", "empty-source", "loop-in-source"],
)  # fmt: skip
def test_is_degenerate(source: str, target: str, expected: bool) -> None:
    assert is_degenerate(source, Translation(text=target, score=-1.0)) is expected


@pytest.mark.parametrize(
    ("text", "limit", "count", "expected"),
    [
        ("", 10, words, []),
        ("   ", 10, words, []),
        ("Satu dua tiga.", 10, words, ["Satu dua tiga."]),
        ("a b c d; e f g h", 6, words, ["a b c d;", "e f g h"]),
        ("a b, c d e f; g h i j", 8, words, ["a b, c d e f;", "g h i j"]),
        ("a b c d dan e f g h", 6, words, ["a b c d", "dan e f g h"]),
        ("a b c d e f g h", 5, words, ["a b c d", "e f g h"]),
        ("x" * 40, 6, chars, ["x" * 16, "x" * 16, "x" * 8]),
    ],
    ids=["empty", "blank", "fits", "semicolon", "prefers-middle-punct", "conjunction",
         "word-windows", "char-windows"],
)  # fmt: skip
def test_split_to_fit(text: str, limit: int, count: object, expected: list[str]) -> None:
    assert split_to_fit(text, limit, count) == expected  # type: ignore[arg-type]


def test_split_to_fit_stops_at_one_character() -> None:
    def greedy(texts: Sequence[str]) -> list[int]:  # every character costs 5 tokens
        return [5 * len(t) + 1 for t in texts]

    assert split_to_fit("abc", 4, greedy) == ["a", "b", "c"]


def test_split_to_fit_halves_when_word_estimate_is_short() -> None:
    def joined_costs_more(texts: Sequence[str]) -> list[int]:
        return [1 + (1 if len(t.split()) == 1 else 3 * len(t.split())) for t in texts]

    assert split_to_fit("a b c d", 5, joined_costs_more) == ["a", "b", "c", "d"]


def test_split_to_fit_rejects_tiny_limit() -> None:
    with pytest.raises(ValueError, match="limit must be >= 2"):
        split_to_fit("a b c", 1, words)


def test_best_boundary_none_without_clauses() -> None:
    assert best_boundary("satu dua tiga empat") is None


def test_split_long_sentence_keeps_every_word() -> None:
    text = ", ".join(f"{SENTENCE} {i}" for i in range(400))  # ~5,000 words
    pieces = split_to_fit(text, 64, words)
    assert len(pieces) > 80
    assert max(words(pieces)) <= 64
    assert " ".join(pieces).split() == text.split()


def test_split_one_megabyte_without_spaces() -> None:
    line = "abcdefghij" * 100_000
    pieces = split_to_fit(line, 500, chars)
    assert max(chars(pieces)) <= 500
    assert "".join(pieces) == line


def test_join_pieces_weights_score_by_tokens() -> None:
    joined = join_pieces(
        [
            Translation("a", -1.0, tokens=1, src_tokens=3),
            Translation("b c", -0.25, tokens=3, src_tokens=5, retried=True),
        ]
    )
    assert joined == Translation("a b c", -0.4375, tokens=4, src_tokens=7, split=True, retried=True)


def test_join_one_piece_is_that_piece() -> None:
    piece = Translation("a", -1.0, tokens=1, src_tokens=3, retried=True)
    assert join_pieces([piece]) is piece


def test_better_prefers_non_degenerate_then_score() -> None:
    loop = Translation("sorry sorry sorry sorry", score=-0.1)
    fine = Translation("The minister met his counterpart today.", score=-2.0)
    finer = Translation("The minister met his counterpart.", score=-1.0)
    assert better(SENTENCE, loop, fine) is fine
    assert better(SENTENCE, fine, finer) is finer


def test_robust_splits_long_sentence_and_translates_every_piece() -> None:
    engine = StubEngine(limit=16)
    long = ", ".join([SENTENCE] * 10)  # 120 words
    out = RobustTranslator(engine).translate_batch(["Pendek.", long])
    assert [t.split for t in out] == [False, True]
    (_, batch), = engine.calls  # fmt: skip
    assert len(batch) > 8 and max(words(batch)) <= 16  # one batch: short + all pieces
    assert out[1].text.split() == long.lower().split()
    assert out[1].tokens == len(long.split())


def test_robust_retries_degenerate_with_anti_repetition() -> None:
    engine = StubEngine()
    out = RobustTranslator(engine).translate_batch(["Kalimat biasa saja.", "LOOP ini rusak"])
    assert [(t.retried, t.degenerate) for t in out] == [(False, False), (True, False)]
    assert out[1].text == "loop ini rusak"
    (first, _), (retry, retried) = engine.calls
    assert first.no_repeat_ngram_size == 0
    assert retry == DecodingOptions().anti_repetition() and retried == ["LOOP ini rusak"]


def test_robust_flags_without_retry_when_disabled() -> None:
    engine = StubEngine()
    (out,) = RobustTranslator(engine, retry_degenerate=False).translate_batch(["LOOP ini rusak"])
    assert (out.retried, out.degenerate) == (False, True)
    assert len(engine.calls) == 1


@pytest.mark.parametrize(
    ("override", "expected"),
    [(None, 512), (100, 100), (4096, 512)],
    ids=["engine", "lower", "capped"],
)
def test_robust_token_limit(override: int | None, expected: int) -> None:
    robust = RobustTranslator(StubEngine(), max_input_tokens=override)
    assert robust.max_input_tokens == expected
    assert robust.describe()["robust.max_input_tokens"] == str(expected)
    assert robust.describe()["engine"] == "stub"


def test_robust_rejects_tiny_limit() -> None:
    with pytest.raises(ValueError, match="max_input_tokens must be >= 8"):
        RobustTranslator(StubEngine(), max_input_tokens=3)


def test_robust_empty_batch() -> None:
    engine = StubEngine()
    assert RobustTranslator(engine).translate_batch([]) == []
    assert engine.calls == []


def tiny_engine_config(model: str) -> EngineConfig:
    # one thread: the suite shares few cores, and oversubscribed torch threads crawl
    return EngineConfig(
        model=model,
        engine="transformers",
        device="cpu",
        threads=1,
        decoding=DecodingOptions(num_beams=1),
    )


@pytest.fixture(scope="module")
def tiny_engine(tiny_model: str) -> Engine:
    from translate import load_translator

    return load_translator(tiny_engine_config(tiny_model))


def seed_clauses() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return [line.strip().rstrip(".") for line in text.splitlines() if len(line.split()) > 4]


@dataclass
class Recording:
    """Passes every call to the real engine and keeps the batches and their results."""

    engine: Engine
    batches: list[tuple[list[str], list[Translation]]] = field(default_factory=list)

    @property
    def max_input_tokens(self) -> int:
        return self.engine.max_input_tokens

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return self.engine.count_tokens(sentences)

    def with_decoding(self, decoding: DecodingOptions) -> Engine:
        return self.engine.with_decoding(decoding)

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        results = self.engine.translate_batch(sentences)
        self.batches.append((list(sentences), results))
        return results

    def describe(self) -> dict[str, str]:
        return self.engine.describe()


def five_thousand_tokens(engine: Engine) -> str:
    clauses, parts = seed_clauses(), list[str]()
    while engine.count_tokens([", ".join(parts)])[0] < 5000:
        parts += clauses
    return ", ".join(parts) + "."


@pytest.mark.parametrize("override", [None, 128], ids=["model-limit", "max-tokens"])
def test_real_5000_token_sentence_fits_the_model(tiny_engine: Engine, override: int | None) -> None:
    text = five_thousand_tokens(tiny_engine)
    robust = RobustTranslator(tiny_engine, max_input_tokens=override)
    pieces, owners = robust.plan(["Pendek.", text])
    assert owners[0] == 0 and set(owners[1:]) == {1}
    assert len(pieces) - 1 >= 5000 // robust.max_input_tokens
    assert max(tiny_engine.count_tokens(pieces)) <= robust.max_input_tokens
    assert " ".join(pieces[1:]).split() == text.split()


def test_real_5000_token_sentence_is_translated_whole(tiny_engine: Engine) -> None:
    text = five_thousand_tokens(tiny_engine)
    recording = Recording(tiny_engine)
    robust = RobustTranslator(recording, retry_degenerate=False)  # type: ignore[arg-type]
    short, out = robust.translate_batch(["Menlu China bertemu Menlu Kazakhstan.", text])
    ((batch, results),) = recording.batches  # one engine call: the short sentence + all pieces
    assert len(batch) - 1 >= 5000 // tiny_engine.max_input_tokens
    assert max(tiny_engine.count_tokens(batch)) <= tiny_engine.max_input_tokens
    assert " ".join(batch[1:]).split() == text.split()
    assert (short.split, out.split) == (False, True)
    assert out.text == " ".join(t.text.strip() for t in results[1:] if t.text.strip())
    assert out.tokens == sum(t.tokens for t in results[1:]) > 0
    assert all(t.tokens > 0 for t in results)  # every piece was translated


def test_real_spaceless_line(tiny_engine: Engine) -> None:
    megabyte = "kerjasamabilateral" * 58_255  # 1 MB with no space or punctuation
    assert too_long(megabyte)  # the pipeline drops it, reason "too_long"
    limit = tiny_engine.max_input_tokens
    pieces = split_to_fit(megabyte, limit, tiny_engine.count_tokens)
    assert "".join(pieces) == megabyte and max(tiny_engine.count_tokens(pieces)) <= limit
    line = megabyte[:6_000]  # under the drop limit but over the model's: cut by characters
    assert not too_long(line) and tiny_engine.count_tokens([line])[0] > limit
    (out,) = RobustTranslator(tiny_engine).translate_batch([line])
    assert out.split and out.tokens > 0


def test_real_retry_with_anti_repetition(tiny_model: str) -> None:
    from translate import load_translator

    forced = DecodingOptions(num_beams=1, min_new_tokens=60)  # far too long for the source
    engine = load_translator(replace(tiny_engine_config(tiny_model), decoding=forced))
    robust = RobustTranslator(engine)
    source = "Menteri Luar Negeri bertemu Menlu Kazakhstan."
    first = engine.translate_batch([source])[0]
    assert is_degenerate(source, first)
    (out,) = robust.translate_batch([source])
    retry = robust.retry_engine()
    assert getattr(retry, "decoding", None) == forced.anti_repetition()
    kept = better(source, first, retry.translate_batch([source])[0])
    assert (out.text, out.retried, out.degenerate) == (
        kept.text,
        True,
        is_degenerate(source, kept),
    )


def test_real_results_match_engine_when_not_degenerate(tiny_engine: Engine) -> None:
    sources = seed_clauses()[:6]
    direct = tiny_engine.translate_batch(sources)
    out = RobustTranslator(tiny_engine).translate_batch(sources)
    for source, first, kept in zip(sources, direct, out, strict=True):
        assert kept.retried is is_degenerate(source, first)
        if not kept.retried:
            assert kept == first
