"""Does a pair share text with the vendored test sets (FLORES, NTREX, TICO-19, Tatoeba, NusaX)?

A model trained on a corpus that holds test sentences is later scored on its own training
data. `OverlapIndex.overlaps(source, target)` says whether either side of a pair *is* a test
sentence (after `normalise`: NFKC, casefolded, punctuation dropped, single spaces) or shares
a run of `NGRAM` words with one. Both sides of every vendored set are indexed (the
Indonesian sources and the English references) as sorted numpy arrays of hashes (Python's
own hash of the word tuples, so the index is built in the process that uses it: about 1 s
and 1.5 MB), and `overlaps_batch` looks up a whole batch at once.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from importlib import resources

import numpy as np
import numpy.typing as npt

NGRAM = 10
"""Words in a shared run that counts as overlap (sentences of fewer words count whole only)."""

RUN, STRIDE = 8, 3
"""Every run of `RUN` words of the test sets is indexed, and a pair's runs are probed at every
`STRIDE`-th word (and at its end): a shared span of RUN + STRIDE - 1 = `NGRAM` words always
covers a probed run."""

TESTSETS_VERSION = "testsets-1"
"""Changes when the indexed sets or the matching change."""

_WORD = re.compile(r"\w+")


def normalise(text: str) -> list[str]:
    """The words of `text`: NFKC, casefolded, punctuation dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def sentence_hashes(words: list[str], stride: int = 1) -> tuple[int, list[int]]:
    """The hash of the whole sentence and of its runs of `RUN` words, every `stride`-th and
    the last (valid in this process only: Python salts string hashes per process)."""
    starts = list(range(0, len(words) - RUN + 1, stride))
    if starts and starts[-1] != len(words) - RUN:
        starts.append(len(words) - RUN)
    return hash(tuple(words)), [hash(tuple(words[i : i + RUN])) for i in starts]


class OverlapIndex:
    """Hashes of the test sentences and of their `NGRAM`-word runs."""

    def __init__(self, sentences: list[str]) -> None:
        whole, runs = set(), set()
        for text in sentences:
            words = normalise(text)
            if not words:
                continue
            h, r = sentence_hashes(words)
            whole.add(h)
            runs.update(r)
        self.sentences: npt.NDArray[np.int64] = np.array(sorted(whole), dtype=np.int64)
        self.runs: npt.NDArray[np.int64] = np.array(sorted(runs), dtype=np.int64)

    def overlaps(self, source: str, target: str) -> bool:
        return self.overlaps_batch([source], [target])[0]

    def overlaps_batch(self, sources: list[str], targets: list[str]) -> list[bool]:
        """Whether each pair (source, target) shares text with a test set."""
        texts = [normalise(t) for t in (*sources, *targets)]
        hit = self.found(texts)
        n = len(sources)
        return (hit[:n] | hit[n:]).tolist()

    def found(self, texts: list[list[str]]) -> npt.NDArray[np.bool_]:
        """Whether each text (its `normalise`d words) shares text with a test set."""
        wholes, runs, owners = [], [], []
        for i, words in enumerate(texts):
            if words:
                whole, own = (
                    sentence_hashes(words, STRIDE)
                    if len(words) >= NGRAM
                    else (hash(tuple(words)), [])
                )
                wholes.append((whole, i))
                runs.extend(own)
                owners.extend([i] * len(own))
        hit = np.zeros(len(texts), dtype=bool)
        if wholes:
            keys = np.array([h for h, _ in wholes], dtype=np.int64)
            hit[[i for _, i in wholes]] |= _member(keys, self.sentences)
        if runs:
            found = _member(np.array(runs, dtype=np.int64), self.runs)
            hit[np.array(owners)[found]] = True
        return hit


def _member(keys: npt.NDArray[np.int64], table: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether each key is in the sorted `table`."""
    if not len(table):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
    return np.asarray(table[at] == keys)


def vendored_test_lines() -> list[str]:
    """Every line of every vendored test set, both sides (corpus/data/testsets)."""
    root = resources.files("corpus").joinpath("data/testsets")
    sets = json.loads(root.joinpath("testsets.json").read_text("utf-8"))
    lines: list[str] = []
    for entry in sets.values():
        for key in ("src", "ref"):
            data = root.joinpath(entry[key]).read_bytes()
            if entry[key].endswith(".gz"):
                data = gzip.decompress(data)
            lines.extend(data.decode("utf-8").splitlines())
    return lines


@functools.lru_cache(maxsize=1)
def testset_index() -> OverlapIndex:
    """The index of the vendored test sets, built once per process (about 0.3 s)."""
    return OverlapIndex(vendored_test_lines())
