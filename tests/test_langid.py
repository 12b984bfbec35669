"""corpus/signals/langid.py: naive Bayes over py3langid's automaton scored in batches, against
py3langid itself (its own model) and against a plain per-text reading of the trained model."""

from __future__ import annotations

import functools
import math
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corpus.signals import langid, langid_features
from corpus.signals.langid_data import load_trained
from corpus.signals.markers import load_markers, words_of
from corpus.signals.quality import LANGUAGES, language_identifier

BEFORE = ("id", "ms", "en", "jv", "tl")
"""The languages of the identifier before the trained one (py3langid's model)."""

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
             "ſ", "İ", "_", "1", "-", "“", "”", "—", "a", "Saya", "\ud800", "\u0301", "\n",
             "\xa0", "ª", "²", "·", "ʼ", "\u203f", "\u2070", "ß", "×"]  # fmt: skip
    return ["".join(rng.choice(words) + rng.choice(" ,.é“-") for _ in range(rng.randint(0, 25)))
            for _ in range(count)]  # fmt: skip


def identifier() -> langid.Identifier:
    return language_identifier()


@functools.cache
def before() -> langid.Identifier:
    return langid.load_py3langid_identifier(BEFORE)


def test_windowed_walk_equals_the_sequential_walk() -> None:
    """The vectorised walk relies on the state depending on the last `depth` bytes only."""
    model = identifier().model
    rng = np.random.default_rng(0)
    texts = [
        rng.integers(0, 255, rng.integers(0, 400), dtype=np.uint8).tobytes() for _ in range(300)
    ]
    texts += [t.encode() for t in FLORES.joinpath("ind_Latn.txt").read_text("utf-8").splitlines()]
    features = langid_features.walk(model, b"\xff".join(texts) + b"\xff").tolist()
    start = 0
    for text in texts:
        assert features[start : start + len(text)] == langid_features.walk_one(model, text)
        assert features[start + len(text)] == model.blank  # the separator
        start += len(text) + 1


@functools.cache
def py3langid_model() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(list(BEFORE))
    return model


def reference(text: str) -> tuple[str, float]:
    """The identifier this module replaced: py3langid per text, then the marker tip."""
    model = py3langid_model()
    words = re.findall(r"\w+", text.lower())
    if not any(ch.isalpha() for w in words for ch in w):
        return "und", 0.0
    shift = sum(load_markers().words.get(w, 0) for w in words)  # ms +1, id -1
    probs = {
        lang: p * math.exp(shift * ((lang == "ms") - (lang == "id")))
        for lang, p in model.rank(text)
    }
    lang = max(sorted(probs), key=lambda k: probs[k])
    return lang, probs[lang] / sum(probs.values())


def sample_texts() -> list[str]:
    texts = FLORES.joinpath("ind_Latn.txt").read_text("utf-8").splitlines()[:80]
    texts += FLORES.joinpath("eng_Latn.txt").read_text("utf-8").splitlines()[:20]
    return (
        texts
        + TRICKY
        + rng_texts(1, 100)
        + ["SAYA TIDAK TAHU KERANA ITU", "Cafe\u0301 di Jakarta."]
    )


def test_same_labels_and_probabilities_as_py3langid() -> None:
    """With py3langid's own model the batch scorer gives py3langid's numbers."""
    texts = sample_texts()
    results = before().identify_batch(texts)
    for text, (lang, conf) in zip(texts, results, strict=True):
        ref_lang, ref_conf = reference(text)
        assert (lang, conf) == (ref_lang, pytest.approx(ref_conf, abs=2e-5)), text


def trained_reference(text: str) -> tuple[str, float]:
    """The trained model read plainly, one text: naive Bayes over py3langid's features (walked
    one byte at a time), the id/ms split by the words, softmax (langid_data.Trained's doc)."""
    trained, model = load_trained(), identifier().model
    lowered = text.lower()
    if not any(map(str.isalpha, lowered)):
        return "und", 0.0
    encoded = langid_features.model_input(text, lowered)
    counts = Counter(langid_features.walk_one(model, encoded))
    counts.pop(model.blank, None)
    logits = np.zeros(len(trained.languages))
    for feature, count in counts.items():  # the laid-out table: the file's rows, renumbered
        logits += math.log1p(count) * model.weights[feature, : len(trained.languages)]
    logits = (logits + trained.char_prior) / math.sqrt(len(encoded)) if counts else logits * 0
    logits = logits * trained.char_scale
    table = dict(zip(trained.words, trained.word_units.tolist(), strict=True))
    words = sum(table.get(w, 0) for w in words_of(lowered)) * 2.0**-trained.word_exponent
    i, m = trained.languages.index("id"), trained.languages.index("ms")
    bias, char, word = trained.stack
    d = bias + char * (logits[m] - logits[i]) + word * words
    pair = np.logaddexp(logits[i], logits[m])
    logits[m], logits[i] = (
        pair + math.log(1 / (1 + math.exp(-d))),
        pair + math.log(1 / (1 + math.exp(d))),
    )
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    return trained.languages[int(probs.argmax())], float(probs.max())


def test_trained_model_equals_its_plain_reading() -> None:
    texts = sample_texts() + ["Saya tidak boleh datang ke pejabat hari ini kerana anak saya sakit."]
    for text, (lang, conf) in zip(texts, identifier().identify_batch(texts), strict=True):
        ref_lang, ref_conf = trained_reference(text)
        assert (lang, conf) == (ref_lang, pytest.approx(ref_conf, abs=1e-9)), text


def test_trained_model_weights_are_the_files() -> None:
    """The laid-out table holds the file's weights, row for row (the layout renumbers rows)."""
    trained, model = load_trained(), identifier().model
    stored = np.sort(trained.char_weights(), axis=0)
    laid_out = np.sort(model.weights[: model.blank, : len(trained.languages)], axis=0)
    assert model.languages == trained.languages == LANGUAGES
    assert np.array_equal(stored, laid_out)


@pytest.mark.parametrize(
    ("limits"),
    [{"SUB_BATCH": 16, "GROUP": 5}, {"SUB_BATCH_CHARS": 700, "GROUP_CELLS": 900}],
    ids=["counts", "sizes"],
)
def test_sub_batches_and_groups_do_not_change_results(
    limits: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = FLORES.joinpath("ind_Latn.txt").read_text("utf-8").splitlines()[:100] + TRICKY
    texts.insert(50, " ".join(texts[:40]))  # a long text among short ones
    expected = identifier().identify_batch(texts)
    for name, value in limits.items():
        module = langid_features if name.startswith("GROUP") else langid  # where it is read
        monkeypatch.setattr(module, name, value)
    assert identifier().identify_batch(texts) == expected
