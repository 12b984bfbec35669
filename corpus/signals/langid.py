"""Language ID of many sentences at once: naive Bayes over py3langid's byte n-grams, scored
for a whole batch in numpy, then Indonesian vs Malay split by weighted words.

py3langid 0.4 walks a byte automaton over each text in a Python loop (one step per UTF-8
byte), counts the features (byte n-grams) of the states it visits, and scores them with a
naive Bayes table: sum over distinct features of log(1 + count) * log P(feature | language),
plus the language prior, divided by sqrt(bytes), then a softmax. This module computes the
same numbers for a batch with a fixed number of numpy operations, over its automaton and our
own table for ten languages (corpus/signals/langid_model.py lays the model out,
corpus/signals/langid_data.py reads the trained file). The automaton is walked and the
features summed for a whole batch in corpus/signals/langid_features.py, as exact integers;
every later step is elementwise per text: a text's result does not depend on the batch it
came in.

Indonesian and Malay share most of their words and spelling, so the naive Bayes table only
says "id or ms" well; `Split` divides that share by a stacked score of the two languages'
char logits and the sum of the text's weighted words (corpus/signals/markers.py):
P(ms | id or ms) = sigmoid(d). Without a `Split` (py3langid's own model, the identifier
before this one) each marker word adds 1 to the log-odds of its language over the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from corpus.blocks import slices
from corpus.signals.langid_data import Context, Trained, file_digest, load_trained, model_path
from corpus.signals.langid_features import (
    Ints,
    Sums,
    feature_sums,
    model_input,
    repeat_extra,
    walk_one,
)
from corpus.signals.langid_model import (
    SCALE,
    Model,
    load_model,
    load_py3langid_model,
)
from corpus.signals.langid_store import cached_model
from corpus.signals.markers import (
    Markers,
    load_markers,
    marker_shift,
    marker_shifts,
    word_table,
)

UNDETERMINED = ("und", 0.0)
"""The result for a text without letters."""

SMALL = 3
"""Batches of fewer texts are scored one text at a time (same results, less overhead)."""

SUB_BATCH = 2048
"""Texts scored together at most; larger batches are scored in slices (same results)."""

SUB_BATCH_CHARS = 1 << 19
"""Characters scored together at most (a longer text alone): bounds the working memory."""

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Split:
    """How the id+ms probability is divided: the char logits are multiplied by `scale`,
    then d = bias + char * (ms logit - id logit) + word * (the text's word sum) and
    P(ms | id or ms) = sigmoid(d) (scripts/build_langid_model.py fits them)."""

    bias: float
    char: float
    word: float
    scale: float


class Scores(NamedTuple):
    """Per text: `logits` over the model's languages (id and ms before their split), `odds`
    d, the log-odds of ms over id (without a `Split`: the marker words' tip), and whether
    it is `undetermined` (no letters)."""

    logits: Floats
    odds: Floats
    undetermined: npt.NDArray[np.bool_]


class Identifier:
    """Text -> (language, probability) over the model's languages; "und", 0.0 without
    letters. Call it on one text, or `identify_batch` on many (the same results).
    `split` None: the marker words tip the id/ms odds by e each (py3langid's model).
    `context`: how a sentence's document moves its id/ms odds (corpus/signals/doclang.py;
    None: never)."""

    def __init__(
        self,
        model: Model,
        markers: Markers,
        split: Split | None = None,
        context: Context | None = None,
    ) -> None:
        self.model = model
        self.markers = markers
        self.split = split
        self.context = context if split is not None else None
        self._ms = model.languages.index("ms")
        self._id = model.languages.index("id")

    def __call__(self, text: str) -> tuple[str, float]:
        return self.identify_batch([text])[0]

    def identify_batch(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """One (language, probability) per text; the same whatever the batch."""
        return self.decide(self.scores_batch(texts))

    def scores_batch(self, texts: Sequence[str]) -> Scores:
        """The `Scores` of each text (what `decide` turns into labels); the same whatever
        the batch."""
        if len(texts) < SMALL:
            parts = [self._score_one(text) for text in texts]
        else:
            chars = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
            parts = [self._score(texts[s:e]) for s, e in slices(chars, SUB_BATCH, SUB_BATCH_CHARS)]
        if not parts:
            return Scores(np.zeros((0, len(self.model.languages))), np.zeros(0), np.zeros(0, bool))
        if len(parts) == 1:
            return parts[0]
        return Scores(*(np.concatenate(arrays) for arrays in zip(*parts, strict=True)))

    def _score(self, texts: Sequence[str]) -> Scores:
        lowered = [t.lower() for t in texts]
        letters = np.fromiter((any(map(str.isalpha, low)) for low in lowered), bool, len(texts))
        if not letters.all():  # some are "und": score the others
            scored = np.flatnonzero(letters)
            picked = self._score([texts[i] for i in scored.tolist()]) if scored.size else None
            logits = np.zeros((len(texts), len(self.model.languages)))
            odds = np.zeros(len(texts))
            if picked is not None:
                logits[scored], odds[scored] = picked.logits, picked.odds
            return Scores(logits, odds, ~letters)
        encoded = [model_input(text, low) for text, low in zip(texts, lowered, strict=True)]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        sums = feature_sums(self.model, encoded, lengths)
        return self.finish(sums, lengths, marker_shifts(self.markers, lowered))

    def _score_one(self, text: str) -> Scores:
        """`_score` of one text, with the same arithmetic: the walk in Python (cheaper
        than numpy's per-call cost for a few texts), the rest on one-row arrays."""
        lowered = text.lower()
        if not any(map(str.isalpha, lowered)):
            return Scores(np.zeros((1, len(self.model.languages))), np.zeros(1), np.ones(1, bool))
        encoded = model_input(text, lowered)
        counts = Counter(walk_one(self.model, encoded))
        counts.pop(self.model.blank, None)
        features = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        runs = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        units = np.take(self.model.units, features, axis=0)[:, : len(self.model.languages)]
        once = units.sum(axis=0, dtype=np.int64)
        repeated = runs > 1
        extra = repeat_extra(self.model, features[repeated], runs[repeated]).sum(axis=0)
        sums = (once[None, :], extra[None, :], np.array([len(counts) > 0]))
        shift = marker_shift(lowered, self.markers.words)
        lengths, shifts = np.array([len(encoded)]), np.array([shift], dtype=np.float64)
        return self.finish(sums, lengths, shifts)

    def finish(self, sums: Sums, lengths: Ints, shifts: Floats) -> Scores:
        """From per-text feature sums to `Scores`: naive Bayes scores (0 for a text without
        features) divided by sqrt(bytes) and scaled, and the ms-over-id log-odds d."""
        once, extra, found = sums
        scale = 1.0 / np.sqrt(np.maximum(lengths, 1))
        scores = once * (self.model.unit * np.log1p(1.0)) + extra / SCALE
        logits = (scores + self.model.prior) * scale[:, None]
        logits[~found] = 0.0
        words = shifts * self.markers.unit
        if self.split is None:
            return Scores(logits, words, np.zeros(len(logits), bool))
        logits *= self.split.scale
        ms, id_ = logits[:, self._ms], logits[:, self._id]
        d = self.split.bias + self.split.char * (ms - id_) + self.split.word * words
        return Scores(logits, d, np.zeros(len(logits), bool))

    def decide(self, scores: Scores, shift: Floats | None = None) -> list[tuple[str, float]]:
        """(language, probability) of each scored text: the id+ms probability split by
        sigmoid(d + `shift`) (a document's evidence: corpus/signals/doclang.py), softmax;
        ("und", 0.0) for a text without letters. Elementwise: a row's result depends on its
        own scores only."""
        logits = scores.logits.copy()
        d = scores.odds if shift is None else scores.odds + shift
        if self.split is None:  # py3langid's model: the markers tip the two logits
            logits[:, self._ms] += d
            logits[:, self._id] -= d
        else:
            ms, id_ = logits[:, self._ms], logits[:, self._id]
            pair = np.logaddexp(ms, id_)
            logits[:, self._ms] = pair - np.logaddexp(0.0, -d)  # + log sigmoid(d)
            logits[:, self._id] = pair - np.logaddexp(0.0, d)
        results = best(logits, self.model.languages)
        for i in np.flatnonzero(scores.undetermined).tolist():
            results[i] = UNDETERMINED
        return results


def load_identifier(path: Path | None = None, store: Path | None = None) -> Identifier:
    """The trained identifier (corpus/data/langid_model.npz, or `path`), its laid-out model
    kept in `store` (default: the user cache); ImportError without numpy or py3langid."""
    path = path or model_path()
    trained: list[Trained] = []  # read only when the store has no laid-out model

    def build() -> Model:
        trained.append(load_trained(path))
        return load_model(trained[0])

    model = cached_model(f"trained:{file_digest(path)}", build, store)
    return trained_identifier(model, trained[0] if trained else load_trained(path, char=False))


def trained_identifier(model: Model, trained: Trained) -> Identifier:
    words = dict(zip(trained.words, trained.word_units.tolist(), strict=True))
    split = Split(*trained.stack, scale=trained.char_scale)
    return Identifier(
        model, word_table(words, 2.0**-trained.word_exponent), split, trained.document
    )


def load_py3langid_identifier(languages: Sequence[str]) -> Identifier:
    """py3langid 0.4's own model over `languages` (which include id and ms), tipped by the
    marker words of corpus/data/id_ms_markers.tsv: the identifier before the trained one
    (scripts/bench_langid.py's baseline)."""
    languages = tuple(languages)
    model = cached_model(
        f"py3langid:{','.join(sorted(languages))}", lambda: load_py3langid_model(languages)
    )
    return Identifier(model, load_markers())


def best(logits: Floats, languages: tuple[str, ...]) -> list[tuple[str, float]]:
    """Softmax per row; the most probable language (the first in `languages` on a tie)."""
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    total = exps[:, 0].copy()
    for col in range(1, exps.shape[1]):
        total += exps[:, col]
    probs = exps / total[:, None]
    top = probs.argmax(axis=1)
    conf = probs[np.arange(len(top)), top]
    return [(languages[i], c) for i, c in zip(top.tolist(), conf.tolist(), strict=True)]
