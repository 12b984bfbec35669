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

import numpy as np
import numpy.typing as npt

from corpus.blocks import slices
from corpus.signals.langid_data import Trained, file_digest, load_trained, model_path
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


class Identifier:
    """Text -> (language, probability) over the model's languages; "und", 0.0 without
    letters. Call it on one text, or `identify_batch` on many (the same results).
    `split` None: the marker words tip the id/ms odds by e each (py3langid's model)."""

    def __init__(self, model: Model, markers: Markers, split: Split | None = None) -> None:
        self.model = model
        self.markers = markers
        self.split = split
        self._ms = model.languages.index("ms")
        self._id = model.languages.index("id")

    def __call__(self, text: str) -> tuple[str, float]:
        return self.identify_batch([text])[0]

    def identify_batch(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """One (language, probability) per text; the same whatever the batch."""
        if len(texts) < SMALL:
            return [self._identify_one(text) for text in texts]
        results: list[tuple[str, float]] = []
        chars = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        for start, end in slices(chars, SUB_BATCH, SUB_BATCH_CHARS):
            results.extend(self._identify(texts[start:end]))
        return results

    def _identify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        lowered = [t.lower() for t in texts]
        scored = [i for i, low in enumerate(lowered) if any(map(str.isalpha, low))]
        if len(scored) < len(texts):  # some are "und": score the others
            results = [UNDETERMINED] * len(texts)
            picked = self._identify([texts[i] for i in scored]) if scored else []
            for i, result in zip(scored, picked, strict=True):
                results[i] = result
            return results
        encoded = [model_input(text, low) for text, low in zip(texts, lowered, strict=True)]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        sums = feature_sums(self.model, encoded, lengths)
        return self.finish(sums, lengths, marker_shifts(self.markers, lowered))

    def _identify_one(self, text: str) -> tuple[str, float]:
        """`_identify` of one text, with the same arithmetic: the walk in Python (cheaper
        than numpy's per-call cost for a few texts), the rest on one-row arrays."""
        lowered = text.lower()
        if not any(map(str.isalpha, lowered)):
            return UNDETERMINED
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
        return self.finish(sums, lengths, shifts)[0]

    def finish(self, sums: Sums, lengths: Ints, shifts: Floats) -> list[tuple[str, float]]:
        """From per-text feature sums to (language, probability): naive Bayes scores (0 for
        a text without features) divided by sqrt(bytes), id/ms split by the words, softmax."""
        once, extra, found = sums
        scale = 1.0 / np.sqrt(np.maximum(lengths, 1))
        scores = once * (self.model.unit * np.log1p(1.0)) + extra / SCALE
        logits = (scores + self.model.prior) * scale[:, None]
        logits[~found] = 0.0
        words = shifts * self.markers.unit
        if self.split is None:
            logits[:, self._ms] += words
            logits[:, self._id] -= words
            return best(logits, self.model.languages)
        logits *= self.split.scale
        ms, id_ = logits[:, self._ms], logits[:, self._id]
        d = self.split.bias + self.split.char * (ms - id_) + self.split.word * words
        pair = np.logaddexp(ms, id_)
        logits[:, self._ms] = pair - np.logaddexp(0.0, -d)  # + log sigmoid(d)
        logits[:, self._id] = pair - np.logaddexp(0.0, d)
        return best(logits, self.model.languages)


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
    return Identifier(model, word_table(words, 2.0**-trained.word_exponent), split)


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
