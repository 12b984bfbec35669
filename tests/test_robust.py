"""translate/robust.py and translate/split.py: long-sentence splitting, degenerate-output
detection and the retry.

Pure helpers and the retry logic are tested with `StubEngine`, a small deterministic test
double (it only echoes text); the end-to-end cases run the tiny real MarianMT model, with
both engines where the engines matter (the retry's score and outputs).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import plain_score, synthetic_sentences

from translate.base import DecodingOptions, Engine, EngineConfig, Translation
from translate.robust import (
    RETRY_VERSION,
    RobustTranslator,
    better,
    is_degenerate,
    join_pieces,
    repetition_score,
)
from translate.split import (
    BLOCK_LIMITS,
    SPLITTER_VERSION,
    best_boundary,
    coarse_blocks,
    split_to_fit,
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

    def score(self, sources: Sequence[str], targets: Sequence[str | Sequence[int]]) -> list[float]:
        return [-0.5] * len(sources)

    def describe(self) -> dict[str, str]:
        return {"engine": "stub"}


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


def counting(counter: Callable[[Sequence[str]], list[int]]) -> tuple[Any, list[int]]:
    """`counter`, and a list that records how many characters each call was given."""
    seen: list[int] = []

    def count(texts: Sequence[str]) -> list[int]:
        seen.append(sum(len(t) for t in texts))
        return counter(texts)

    return count, seen


@pytest.mark.parametrize(
    ("text", "counter"),
    [
        (", ".join(f"{SENTENCE} {i}" for i in range(4000)), words),
        (" ".join([SENTENCE] * 4000), words),
        ("kerjasamabilateral" * 50_000, chars),
    ],
    ids=["clauses", "words-only", "no-spaces"],
)
def test_split_counts_linearly(text: str, counter: Callable[[Sequence[str]], list[int]]) -> None:
    """Tokens of a huge text are counted a bounded number of times over, not once per cut."""
    count, seen = counting(counter)
    pieces = split_to_fit(text, 64, count, tokens=counter([text])[0])
    assert max(counter(pieces)) <= 64
    assert "".join("".join(pieces).split()) == "".join(text.split())
    assert sum(seen) <= 8 * len(text)


def test_coarse_blocks_end_at_clauses_and_keep_every_character() -> None:
    text = ", ".join(f"{SENTENCE} {i}" for i in range(1000))
    blocks = coarse_blocks(text, words([text])[0], 4 * 64)
    assert all(b.endswith(",") for b in blocks[:-1])
    assert max(words(blocks)) <= 1.5 * 4 * 64 + len(SENTENCE.split()) + 2
    assert " ".join(blocks).split() == text.split()


def test_split_time_is_linear() -> None:
    """4x the text costs about 4x the time (cut points and token counts; ratio, not seconds)."""

    def timed(text: str) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            split_to_fit(text, 128, chars)
            best = min(best, time.process_time() - start)
        return best

    unit = "Kedua pihak akan melanjutkan upaya, dan bergabung dalam inisiatif jalur sutra "
    small, large = unit * 3_000, unit * 12_000
    assert timed(large) <= 8 * timed(small)  # linear: ~4x; quadratic: 16x (8: room for a busy CI)


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
    assert (retry.no_repeat_ngram_size, retry.repetition_penalty) == (3, 1.0)


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


def test_describe_names_the_rules_and_their_versions() -> None:
    info = RobustTranslator(StubEngine(DecodingOptions(num_beams=4))).describe()
    assert info["robust.splitter_version"] == SPLITTER_VERSION
    assert info["robust.retry_version"] == RETRY_VERSION
    assert f"blocks of {BLOCK_LIMITS} limits" in info["robust.split"]
    retry = info["robust.retry_decoding"]
    assert '"no_repeat_ngram_size": 3' in retry and '"repetition_penalty": 1.0' in retry
    assert '"num_beams": 4' in retry


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


@pytest.fixture(scope="module")
def ct2_engines(tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Engine]:
    """The tiny model on CTranslate2 (int8, greedy), for the long-input cases: fast."""
    from translate.ct2 import CT2Engine

    config = EngineConfig(
        model=tiny_model,
        engine="ctranslate2",
        device="cpu",
        compute_type="int8",
        cache_dir=str(tmp_path_factory.mktemp("ct2")),
        decoding=DecodingOptions(num_beams=1, max_new_tokens=4),
    )
    return {"short-outputs": CT2Engine.load(config)}


def run_on_sentence(chars_wanted: int) -> str:
    """One run-on "sentence" of seed clauses joined by commas and conjunctions, no full stop."""
    clauses, parts, size = seed_clauses(), list[str](), 0
    while size < chars_wanted:
        clause = clauses[len(parts) % len(clauses)]
        parts.append(clause)
        size += len(clause) + 2
    return ", dan ".join(parts)[:chars_wanted]


@pytest.mark.parametrize(
    "text",
    [run_on_sentence(28_640), "kerjasamabilateral" * 58_255],
    ids=["run-on-28640-chars", "one-megabyte-no-spaces"],
)
def test_real_huge_unit_is_translated_in_pieces(ct2_engines: dict[str, Engine], text: str) -> None:
    """Nothing is dropped for length: every character of the source is in a piece that fits,
    every piece is translated, and the row says it was split."""
    engine = ct2_engines["short-outputs"]
    robust = RobustTranslator(engine, retry_degenerate=False)
    pieces, owners = robust.plan(["Pendek.", text])
    assert set(owners[1:]) == {1} and len(pieces) > 2
    assert max(engine.count_tokens(pieces)) <= engine.max_input_tokens
    assert "".join("".join(pieces[1:]).split()) == "".join(text.split())
    short, out = robust.translate_batch(["Pendek.", text])
    assert (short.split, out.split) == (False, True)
    assert out.tokens >= len(pieces) - 1  # every piece gave at least one token
    read = engine.count_tokens(pieces[1:])
    assert out.src_tokens == sum(read) - len(read) + 1  # every piece was read, one eos counted


def test_real_huge_unit_time_is_linear(ct2_engines: dict[str, Engine]) -> None:
    """Planning 4x the text (token counts and cuts with the real tokenizer) takes about 4x."""
    engine = ct2_engines["short-outputs"]
    robust = RobustTranslator(engine)

    def timed(text: str) -> float:
        best = float("inf")
        for _ in range(2):
            start = time.process_time()
            robust.plan([text])
            best = min(best, time.process_time() - start)
        return best

    unit = "kerjasamabilateral"
    assert timed(unit * 58_255) <= 8 * timed(unit * 14_564)  # linear ~4x, quadratic 16x


ENGINE_CASES = [("transformers", 1), ("transformers", 4), ("ctranslate2", 1), ("ctranslate2", 4)]


@pytest.fixture(scope="module")
def float32_engines(tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from translate.load import load_engine

    cache = str(tmp_path_factory.mktemp("ct2-f32"))
    engines = {}
    for name in ("transformers", "ctranslate2"):
        config = EngineConfig(
            model=tiny_model, engine=name, device="cpu", compute_type="float32", cache_dir=cache
        )
        engines[name] = load_engine(config)
    return engines


RETRY_SOURCES = synthetic_sentences(60)


@pytest.mark.parametrize(
    ("name", "beams"), ENGINE_CASES, ids=[f"{n}-beam{b}" for n, b in ENGINE_CASES]
)
def test_real_retried_score_is_the_plain_models(
    float32_engines: dict[str, Any], name: str, beams: int
) -> None:
    """A retried row's score is the unpenalised model's mean log-prob of the kept output,
    computed here with a forced forward pass through the transformers model."""
    engine = float32_engines[name].with_decoding(DecodingOptions(num_beams=beams))
    out = RobustTranslator(engine).translate_batch(RETRY_SOURCES)
    retried = [i for i, t in enumerate(out) if t.retried]
    assert len(retried) >= 5  # the copy-trained model loops on these
    retry = engine.with_decoding(DecodingOptions(num_beams=beams).anti_repetition())
    sources = [RETRY_SOURCES[i] for i in retried]
    outputs = retry.decode(sources)
    model, tokenizer = float32_engines["transformers"].model, retry.tokenizer
    checked = by_text = 0
    for i, source, output in zip(retried, sources, outputs, strict=True):
        assert output is not None
        if tokenizer.decode(output.ids, skip_special_tokens=True) != out[i].text:
            continue  # the first output was kept
        target = output.ids + [tokenizer.eos_token_id] * output.eos
        assert out[i].score == pytest.approx(
            plain_score(model, tokenizer, source, target), abs=1e-4
        )
        checked += 1
        if tokenizer(text_target=out[i].text)["input_ids"] == target:  # the text gives the ids
            assert out[i].score == pytest.approx(engine.score([source], [out[i].text])[0], abs=1e-4)
            by_text += 1
    assert checked >= 5 and by_text >= 3


@pytest.mark.parametrize("beams", [1, 4], ids=["greedy", "beam4"])
def test_real_retry_outputs_are_equal_across_engines(
    float32_engines: dict[str, Any], beams: int
) -> None:
    retry = DecodingOptions(num_beams=beams).anti_repetition()
    hf = float32_engines["transformers"].with_decoding(retry).translate_batch(RETRY_SOURCES)
    ct2 = float32_engines["ctranslate2"].with_decoding(retry).translate_batch(RETRY_SOURCES)
    assert [t.text for t in ct2] == [t.text for t in hf]
    assert [t.score for t in ct2] == pytest.approx([t.score for t in hf], abs=1e-4)
    kept = [RobustTranslator(e.with_decoding(DecodingOptions(num_beams=beams))) for e in
            (float32_engines["transformers"], float32_engines["ctranslate2"])]  # fmt: skip
    both = [k.translate_batch(RETRY_SOURCES) for k in kept]
    assert [(t.text, t.retried) for t in both[1]] == [(t.text, t.retried) for t in both[0]]


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
