"""corpus/langid.py: py3langid's model scored in batches, against py3langid itself."""

from __future__ import annotations

import functools
import math
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpus import langid
from corpus.errors import ConfigError
from corpus.signals import LANGUAGES, language_identifier

FLORES = Path(__file__).parent / "fixtures" / "flores_devtest"
TRICKY = [
    "“kerana” dia",  # non-ASCII punctuation around a marker: still a word of its own
    "keranaé karenaü",  # a non-ASCII letter continues the word: no marker
    "\u212aerana",  # KELVIN SIGN lowercases to an ASCII k: "kerana"
    "kerana\u0301",  # a combining accent is not a word character
    "İkerana karena",  # İ lowercases to i + combining dot
    "kerana_ kerana1 1kerana Kerana KERANA",
    "beli-belah kerana-karena sahaja,bahawa.iaitu",
    "",
    "bahawa" * 3,
]


def rng_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    words = ["kerana", "karena", "sahaja", "bahawa", "kantor", "pejabat", "é", "ü", "日本", "K",
             "ſ", "İ", "_", "1", "-", "“", "”", "—", "a", "Saya", "\ud800", "\u0301", "\n"]  # fmt: skip
    return ["".join(rng.choice(words) + rng.choice(" ,.é“-") for _ in range(rng.randint(0, 25)))
            for _ in range(count)]  # fmt: skip


def identifier() -> langid.Identifier:
    return language_identifier()


def test_windowed_walk_equals_the_sequential_walk() -> None:
    """The vectorised walk relies on the state depending on the last `depth` bytes only."""
    model = identifier().model
    rng = np.random.default_rng(0)
    texts = [
        rng.integers(0, 255, rng.integers(0, 400), dtype=np.uint8).tobytes() for _ in range(300)
    ]
    texts += [t.encode() for t in FLORES.joinpath("ind_Latn.txt").read_text("utf-8").splitlines()]
    features = langid.walk(model, texts).tolist()
    start = 0
    for text in texts:
        assert features[start : start + len(text)] == langid.walk_one(model, text)
        assert features[start + len(text)] == model.blank  # the separator
        start += len(text) + 1


@functools.cache
def py3langid_model() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(list(LANGUAGES))
    return model


def reference(text: str) -> tuple[str, float]:
    """The identifier this module replaced: py3langid per text, then the marker tip."""
    model = py3langid_model()
    words = re.findall(r"\w+", text.lower())
    if not any(ch.isalpha() for w in words for ch in w):
        return "und", 0.0
    marks = [langid.load_markers().words.get(w, "") for w in words]
    shift = marks.count("ms") - marks.count("id")
    probs = {
        lang: p * math.exp(shift * ((lang == "ms") - (lang == "id")))
        for lang, p in model.rank(text)
    }
    lang = max(sorted(probs), key=lambda k: probs[k])
    return lang, probs[lang] / sum(probs.values())


def test_same_labels_and_probabilities_as_py3langid() -> None:
    texts = FLORES.joinpath("ind_Latn.txt").read_text("utf-8").splitlines()[:80]
    texts += FLORES.joinpath("eng_Latn.txt").read_text("utf-8").splitlines()[:20]
    texts += TRICKY + rng_texts(1, 100) + ["SAYA TIDAK TAHU KERANA ITU", "Cafe\u0301 di Jakarta."]
    results = identifier().identify_batch(texts)
    for text, (lang, conf) in zip(texts, results, strict=True):
        ref_lang, ref_conf = reference(text)
        assert (lang, conf) == (ref_lang, pytest.approx(ref_conf, abs=2e-5)), text


def test_marker_shifts_equal_the_word_regex() -> None:
    lowered = [t.lower() for t in TRICKY + rng_texts(2, 400)]
    words = langid.load_markers().words
    expected = [langid.marker_shift(t, words) for t in lowered]
    assert identifier().marker_shifts(lowered).tolist() == expected
    assert expected[:3] == [1, 0, 1]


def test_word_codes_are_exact() -> None:
    words = ["a", "z", "kerana", "zzzzzzzzzzzzz", "abcdefghijklm"]
    data = np.frombuffer(b"\xff" + b"\xff".join(w.encode() for w in words) + b"\xff", np.uint8)
    starts = np.flatnonzero(data[:-1] == 0xFF) + 1
    ends = np.flatnonzero(data[1:] == 0xFF) + 1
    codes = langid.word_codes(data, starts, ends).tolist()
    assert codes == [sum((ord(c) - 96) * 27**i for i, c in enumerate(w)) for w in words]


def test_sub_batches_and_groups_do_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = FLORES.joinpath("ind_Latn.txt").read_text("utf-8").splitlines()[:100] + TRICKY
    expected = identifier().identify_batch(texts)
    monkeypatch.setattr(langid, "SUB_BATCH", 16)
    monkeypatch.setattr(langid, "GROUP", 5)
    assert identifier().identify_batch(texts) == expected


def chain(length: int) -> langid.Automaton:
    """States 0..length reading "aaa...": depth `length`; 0xFF resets to the root."""
    rows = np.zeros((length + 1, 256), dtype=np.int64)
    rows[:length, ord("a")] = np.arange(1, length + 1)
    return langid.Automaton(rows, np.arange(length + 1), np.arange(length + 1) - 1)


def test_layout_checks_the_automaton() -> None:
    weights, prior = np.zeros((5, 2)), np.zeros(2)
    assert langid.layout(chain(4), weights, prior, ("en", "id")).depth == 4
    with pytest.raises(ConfigError, match=r"states of 9 bytes.*idcorpus\[langid\]"):
        langid.layout(chain(9), weights, prior, ("en", "id"))
    broken = chain(3)
    broken.rows[1, 0xFF] = 2
    with pytest.raises(ConfigError, match="0xFF"):
        langid.layout(broken, weights, prior, ("en", "id"))


@pytest.mark.parametrize(
    ("text", "message"),
    [("kerana\tms\nKarena\tid\n", r"x\.tsv:2: .*'Karena\\tid'"), ("# only\n", "no marker words"),
     ("kerana\tjv\n", r"x\.tsv:1: expected"), ("kerana\n", r"x\.tsv:1")],
    ids=["upper-case", "empty", "language", "no-tab"],
)  # fmt: skip
def test_marker_file_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        langid.parse_markers(text, "x.tsv")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"no \['xx'\]"):
        langid.load_model(["id", "ms", "xx"])
