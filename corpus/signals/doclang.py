"""Sentences of documents -> their languages, each sentence's Indonesian-vs-Malay decision
taking in the evidence of the other sentences of its document.

Indonesian and Malay share most words: a Malay sentence without a telling word (kerana,
pejabat, ...) reads as Indonesian on its own. But Malay on an Indonesian site comes as whole
documents (a Malaysian reprint), whose other sentences have such words. So the log-odds of ms
over id of sentence i, d_i (corpus/signals/langid.py), gets a document prior:

    e_j = P(id or ms | sentence j) * clip(d_j - bias, +-clip)    its own evidence, no cut
    D_i = weight * (sum of e_j over the other sentences j of its document,
                    at most `WINDOW` sentences before or after it)
    d_i' = d_i + g(D_i),  g(D) = log((s + (1 - 2s) sigmoid(D)) / (s + (1 - 2s) sigmoid(-D)))

g is the log-odds that a sentence is Malay when its document is Malay with probability
sigmoid(D) and a share s (`switch`) of a document's sentences is in the other language: it
is 0 for a sentence alone (no other evidence: the sentence-level result, exactly), and never
moves d by more than log((1 - s) / s) (4.6 at s = 1%), so a sentence sure of itself on its
own evidence (a confidently Indonesian quote in a Malay reprint, 99:1 or surer) keeps its
language. Only the id/ms split moves: a sentence whose best language is another (a Javanese
quote in an Indonesian article) keeps it. English and regional sentences add little evidence
(their P(id or ms) is near 0). `weight`, `clip` and `switch` come with the model file
(scripts/build_langid_model.py fits them on cross-validated FLORES dev documents).

Evidence is summed as fixed-point integers, so a sentence's result depends on its document
only, never on the batch the document came in or where it sits in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from corpus.signals.langid import Identifier, Scores

WINDOW = 64
"""Sentences on either side of a sentence whose evidence it takes in: a whole news article,
but not a whole corpus dumped in one file (which is read in 1 MiB parts, each a document)."""

FIXED = 2.0**24
"""Fixed-point scale of the evidence: integer sums are exact, so independent of order."""

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def identify_documents(
    identifier: Identifier, texts: Sequence[str], starts: Sequence[int]
) -> list[tuple[str, float]]:
    """(language, probability) of each text; `starts`: where each document begins in
    `texts` (increasing, the first 0). A document of one text is decided alone."""
    scores = identifier.scores_batch(texts)
    if identifier.context is None or identifier.split is None or len(starts) == len(texts):
        return identifier.decide(scores)
    first = np.asarray(starts, dtype=np.int64)
    if first.size == 0 or first[0] != 0 or np.any(np.diff(first) <= 0) or first[-1] >= len(texts):
        raise ValueError("starts must increase from 0 and stay inside the texts")
    return identifier.decide(scores, document_shifts(identifier, scores, first))


def document_shifts(identifier: Identifier, scores: Scores, starts: Ints) -> Floats:
    """g(D_i) of each sentence (see the module docstring)."""
    assert identifier.context is not None and identifier.split is not None
    context = identifier.context
    evidence = sentence_evidence(identifier, scores, context.clip)
    n = len(evidence)
    at = np.arange(n, dtype=np.int64)
    doc = np.searchsorted(starts, at, side="right") - 1
    ends = np.append(starts[1:], n)
    low = np.maximum(at - WINDOW, starts[doc])
    high = np.minimum(at + WINDOW + 1, ends[doc])
    total = np.concatenate(([0], np.cumsum(evidence)))
    pooled = (total[high] - total[low] - evidence).astype(np.float64) / FIXED
    return prior_shift(context.weight * pooled, context.switch)


def sentence_evidence(identifier: Identifier, scores: Scores, clip: float) -> Ints:
    """Per sentence, in fixed point: P(id or ms) * its id/ms log-odds without the cut,
    clipped; 0 for a text without letters."""
    assert identifier.split is not None
    languages = identifier.model.languages
    logits = scores.logits
    ms, id_ = logits[:, languages.index("ms")], logits[:, languages.index("id")]
    pair = np.exp(np.logaddexp(ms, id_) - np.logaddexp.reduce(logits, axis=1))
    own = np.clip(scores.odds - identifier.split.bias, -clip, clip)
    fixed = np.rint(pair * own * FIXED).astype(np.int64)
    fixed[scores.undetermined] = 0
    return fixed


def prior_shift(pooled: Floats, switch: float) -> Floats:
    """g(D): the log-odds that a sentence is Malay, from its document's log-odds D (exactly
    0 at D = 0, within +-log((1 - switch) / switch))."""
    half = np.tanh(pooled / 2.0) / 2.0  # sigmoid(D) - 1/2, odd in D
    malay = switch + (1.0 - 2.0 * switch) * (0.5 + half)
    indonesian = switch + (1.0 - 2.0 * switch) * (0.5 - half)
    return np.log(malay) - np.log(indonesian)
