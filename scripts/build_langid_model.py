#!/usr/bin/env python3
"""Build corpus/data/langid_model.npz: the language identifier of the source side.

Ten languages: Indonesian (id), Malay (ms), English (en), Javanese (jv), Sundanese (su),
Tagalog (tl), Minangkabau (min), Balinese (ban), Banjar (bjn), Acehnese (ace). Four parts,
all fitted here, deterministically (no randomness):

1. Naive Bayes over py3langid 0.4's byte n-gram features (its automaton is kept: same walk,
   same speed), trained on the FLORES-200 dev files of the ten languages plus the extra
   Indonesian, Malay and English text below; alpha `ALPHA`, raw counts; stored as int16
   units. `char_scale` (a temperature) is fitted to the
   cross-validated log-loss, so that the probabilities mean something.
2. Indonesian/Malay word evidence, tables word -> log-odds (`COMPONENTS`): `wordfreq`,
   log(freq ms / freq id) in the wordfreq package's small lists (floor 1e-6, clipped to +-5,
   1 taken off its size: a mild lean mostly says that the two lists differ in register);
   `parallel`, the naive Bayes log-ratio of the word in the parallel Indonesian/Malay
   sentences (FLORES dev, Tatoeba ind-zsm; alpha 0.2, clipped to +-4, 0 for an unseen
   word); `markers`, +1/-1 for the hand-made list corpus/data/id_ms_markers.tsv; with
   `--apertium`, `apertium`: the same log-ratio over the training sentences and their
   translations by apertium's rule-based Indonesian<->Malay pair (the Indonesian of FLORES
   dev, NusaX, UD and Tatoeba into Malay, the Malay of FLORES dev and Tatoeba into
   Indonesian: Malay word choices such as kerana, selepas, kenderaan, peratus).
3. The split: d = bias + char * (ms - id char logit) + (the text's sum of its words'
   weights), a word's weight being the components mixed by the coefficients of a logistic
   regression on the cross-validated char and component scores of the parallel sentences;
   then the bias is moved so that at most 1 - `KEEP_ID` of the cross-validated Indonesian
   of each of `KEEP_SOURCES` is called Malay (an Indonesian sentence called Malay is a lost
   pair: the cut favours Indonesian).
4. The document context (corpus/signals/doclang.py): how the other sentences of a document
   move a sentence's d. `weight` and `clip` are chosen from `DOC_WEIGHTS` x `DOC_CLIPS` on
   the cross-validated scores of FLORES dev, grouped into documents by the URL of
   metadata_dev.tsv (3.5 sentences each), as the pair calling the fewest Malay sentences
   Indonesian while still at most 1 - `KEEP_ID` of each `KEEP_SOURCES` Indonesian is called
   Malay (the other sets are single sentences: a document of one); `switch` is fixed
   (`SWITCH`: FLORES's documents are each of one language, so they cannot fit it).

Cross-validation: 5 folds, FLORES dev by document (the source URL), the other sets by line;
`--cv` prints the cross-validated table (each text alone, and with its document) and writes
nothing. FLORES devtest, NTREX, TICO-19,
NusaX test and web_dev are never read here: they measure the result (scripts/bench_langid.py).

Training data (all in ../shared/data; licences in its PROVENANCE.md): FLORES-200 dev (CC
BY-SA 4.0), NusaX-MT train+valid Indonesian and English (CC BY-SA 4.0), UD Indonesian-GSD
dev and -CSUI train (CC BY-SA 4.0), Tatoeba test v2021-08-07 ind-eng, eng-zsm and ind-zsm
(CC BY 2.0 FR), wordfreq 3.1 small id/ms lists (data CC BY-SA 4.0). The model file is
derived from them and is distributed under CC BY-SA 4.0 (corpus/data/LICENSE.langid_model).

    pip install "idcorpus[langid-train]"   # wordfreq
    python scripts/build_langid_model.py --cv
    python scripts/build_langid_model.py

Cross-validated FLORES dev Malay called Indonesian (nested, at the same cut): 17.6% with
the fixed mix 0.5 * wordfreq + 0.5 * parallel + markers; 13.9% with the fitted mix and the
wordfreq dead zone (as built); 13.5% with `--apertium` as well, i.e. 4 of 997 sentences,
within noise (FLORES devtest 13.4% without, 13.6% with), so it is off. `--apertium` needs
`apt-get install apertium apertium-ind-zlm` (Debian/Ubuntu; apertium 3.8.3, apertium-ind-zlm
0.1.2, program and data GPL-2+/GPL-3+); a model built with it also derives from apertium's
output (its versions are in the file's meta): name that in LICENSE.langid_model.
With the document context (nested, at the same cut): FLORES dev Malay called Indonesian 1.40%
(13.94% alone), Indonesian called Malay 0.10% (0.40% alone); chosen weight 4 (the grid's
largest: one confident sentence already saturates the prior), clip 4.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("IDCORPUS_SHARED_DATA", ROOT.parent / "shared" / "data"))

from corpus.signals import langid_features, langid_model  # noqa: E402
from corpus.signals.doclang import prior_shift  # noqa: E402
from corpus.signals.langid_data import Context, Trained, save_trained  # noqa: E402
from corpus.signals.markers import marker_text, parse_markers, words_of  # noqa: E402

LANGS = ("id", "ms", "en", "jv", "su", "tl", "min", "ban", "bjn", "ace")
FLORES = {"id": "ind", "ms": "zsm", "en": "eng", "jv": "jav", "su": "sun", "tl": "tgl",
          "min": "min", "ban": "ban", "bjn": "bjn", "ace": "ace"}  # fmt: skip
ALPHA = 0.1
"""Naive Bayes smoothing of the byte n-gram counts (cross-validated: 0.01..1)."""
WORD_ALPHA, WF_FLOOR, WF_CLIP, WF_DEAD, WORD_CLIP = 0.2, 1e-6, 5.0, 1.0, 4.0
"""Word evidence: naive Bayes alpha of parallel counts; wordfreq floor, clip and dead zone
(cross-validated, with --apertium: dead zone 0 / 0.5 / 1 / 1.5 -> FLORES dev Malay called id
15.9 / 14.3 / 13.5 / 13.9%); clip of parallel log-ratios."""
MIN_WEIGHT = 0.05
"""Words of smaller |weight| are left out of the table."""
KEEP_ID = 0.996
"""Share of the cross-validated Indonesian of each of `KEEP_SOURCES` that must not be called
Malay (the cut of the id/ms split)."""
KEEP_SOURCES = ("flores_id", "nusax_id", "ud_id")
"""Sentences of documents: Tatoeba's short everyday lines (median 6 words) are left out of the
cut, or they alone would set it (their Malay look-alikes cost 4 points of Malay caught)."""
SWITCH = 0.01
"""Share of a document's sentences taken to be in the other language (corpus/signals/doclang.py):
a document moves a sentence's id/ms odds by at most 99:1. Not fitted: FLORES documents are
all of one language, so cross-validation would always ask for a smaller share."""
DOC_WEIGHTS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
DOC_CLIPS = (2.0, 4.0, 8.0, 16.0)
"""The grid the document weight and clip are chosen from (cross-validated FLORES dev)."""
WORD_EXPONENT = 10
FOLDS = 5
APT_HINT = "install it with: apt-get install apertium apertium-ind-zlm (Debian/Ubuntu)"
OUT = ROOT / "corpus" / "data" / "langid_model.npz"

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass
class Data:
    """Texts with their language (index into LANGS), fold and source name; `pairs`: the
    parallel Indonesian/Malay sentences (index of the id text, index of the ms text)."""

    texts: list[str]
    labels: Ints
    folds: Ints
    sources: list[str]
    pairs: list[tuple[int, int]]
    files: dict[str, str]  # file -> sha256
    synthetic: list[tuple[int, str]] = field(default_factory=list)
    """(index of a training text, its rule-based translation into the other language)."""
    docs: Ints = field(default_factory=lambda: np.zeros(0, np.int64))
    """The document of each text: FLORES dev's by URL, any other text alone."""


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        sys.exit(f"build_langid_model: {path} not found; set IDCORPUS_SHARED_DATA or --data")
    return path.read_text(encoding="utf-8").splitlines()


def tsv_column(path: Path, column: str) -> list[str]:
    header, *rows = (line.split("\t") for line in read_lines(path))
    return [row[header.index(column)] for row in rows]


def conllu_texts(path: Path) -> list[str]:
    return [line[9:] for line in read_lines(path) if line.startswith("# text = ")]


def flores_folds(data: Path) -> list[int]:
    """Fold of each FLORES dev line: its document (source URL) in order of appearance."""
    urls = tsv_column(data / "flores" / "metadata_dev.tsv", "URL")
    seen: dict[str, int] = {}
    return [seen.setdefault(url, len(seen)) % FOLDS for url in urls]


def load_data(data: Path) -> Data:
    d = Data([], np.zeros(0, np.int64), np.zeros(0, np.int64), [], [], {})
    labels: list[int] = []
    folds: list[int] = []

    def add(name: str, path: Path, texts: list[str], lang: str, fold: list[int] | None = None):
        start = len(d.texts)
        d.files[str(path.relative_to(data))] = hashlib.sha256(path.read_bytes()).hexdigest()
        d.texts.extend(texts)
        labels.extend([LANGS.index(lang)] * len(texts))
        folds.extend(fold if fold is not None else [i % FOLDS for i in range(len(texts))])
        d.sources.extend([name] * len(texts))
        return start

    fold = flores_folds(data)
    starts = {}
    for lang in LANGS:
        path = data / "flores" / f"{FLORES[lang]}_Latn.dev"
        starts[lang] = add(f"flores_{lang}", path, read_lines(path), lang, fold)
    d.pairs += [(starts["id"] + i, starts["ms"] + i) for i in range(len(fold))]
    nusax, tatoeba, ud = data / "nusax", data / "tatoeba", data / "ud"
    for split in ("train", "valid"):
        path = nusax / f"nusax_mt_{split}.id-en.tsv"
        add("nusax_id", path, tsv_column(path, "indonesian"), "id")
        add("nusax_en", path, tsv_column(path, "english"), "en")
    for path in (ud / "UD_Indonesian-GSD/id_gsd-ud-dev.conllu",
                 ud / "UD_Indonesian-CSUI/id_csui-ud-train.conllu"):  # fmt: skip
        add("ud_id", path, conllu_texts(path), "id")
    path = tatoeba / "tatoeba-test-v2021-08-07.ind"
    add("tatoeba_id", path, read_lines(path), "id")
    path = tatoeba / "tatoeba-test-v2021-08-07.eng"
    add("tatoeba_en", path, read_lines(path), "en")
    for pair, lang in (("eng-zsm_Latn", "eng"), ("eng-zsm_Latn", "zsm_Latn")):
        path = tatoeba / pair / f"tatoeba-test-v2021-08-07.{lang}"
        add(f"tatoeba_{lang[:2]}", path, read_lines(path), "en" if lang == "eng" else "ms")
    ind = tatoeba / "ind-zsm_Latn" / "tatoeba-test-v2021-08-07.ind"
    zsm = tatoeba / "ind-zsm_Latn" / "tatoeba-test-v2021-08-07.zsm_Latn"
    i0, m0 = (
        add("tatoeba_id", ind, read_lines(ind), "id"),
        add("tatoeba_ms", zsm, read_lines(zsm), "ms"),
    )
    d.pairs += [(i0 + i, m0 + i) for i in range(len(read_lines(ind)))]
    d.labels, d.folds = np.array(labels, np.int64), np.array(folds, np.int64)
    d.docs = np.arange(len(d.texts), dtype=np.int64) + len(d.texts)  # each text alone...
    urls = tsv_column(data / "flores" / "metadata_dev.tsv", "URL")
    number: dict[str, int] = {}
    url_doc = np.array([number.setdefault(u, len(number)) for u in urls], np.int64)
    for k, lang in enumerate(LANGS):  # ...but FLORES dev's, grouped by document (URL)
        d.docs[starts[lang] : starts[lang] + len(urls)] = k * len(urls) + url_doc
    return d


APERTIUM_SOURCES = {"ind-zlm": ("flores_id", "nusax_id", "ud_id", "tatoeba_id"),
                    "zlm-ind": ("flores_ms", "tatoeba_ms")}  # fmt: skip
"""Which training texts apertium translates, by direction (Indonesian -> Malay and back)."""


def apertium(lines: Sequence[str], mode: str) -> list[str]:
    """`apertium -u MODE` of each line (unknown words unmarked), one output line per line."""
    text = "".join(line.replace("\n", " ") + "\n" for line in lines)
    try:
        done = subprocess.run(
            ["apertium", "-u", mode], input=text, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"build_langid_model: apertium {mode} failed ({e}); {APT_HINT}")
    out = done.stdout.split("\n")[: len(lines)]
    if len(out) != len(lines):
        sys.exit(f"build_langid_model: apertium {mode} gave {len(out)} lines for {len(lines)}")
    return out


def apertium_version() -> str:
    """The Debian versions of apertium and apertium-ind-zlm ("unknown" elsewhere)."""
    try:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Package} ${Version};", "apertium", "apertium-ind-zlm"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def add_synthetic(d: Data) -> None:
    """Translate the training texts of `APERTIUM_SOURCES` with apertium (ind-zlm / zlm-ind):
    Malay text with Malay word choices (kerana, selepas, kenderaan, peratus, ...) for the
    Indonesian sentences, and back. Only the translations' words are used (`word_components`
    "apertium"), in the fold of the sentence they translate."""
    for mode, names in APERTIUM_SOURCES.items():
        rows = [i for i, s in enumerate(d.sources) if s in names]
        done = apertium([d.texts[i] for i in rows], mode)
        d.synthetic += [(i, t) for i, t in zip(rows, done, strict=True) if t != d.texts[i]]


# --- 1. naive Bayes over py3langid's byte n-grams -------------------------------------------


def feature_counts(texts: Sequence[str]) -> tuple[Ints, Ints, Ints, Floats, int]:
    """(text, feature, count) of every distinct feature of every text, in py3langid's
    feature order; the texts' byte lengths; the number of features."""
    automaton, ptc, _, _ = langid_model.read_py3langid()
    n_features = len(ptc)
    plain = langid_model.layout(  # zero weights: features keep py3langid's numbering
        automaton, np.zeros((n_features + 1, 1)), np.zeros(1), ("xx",)
    )
    encoded = [langid_features.model_input(t, t.lower()) for t in texts]
    lengths = np.array([len(e) for e in encoded], np.float64)
    features = langid_features.walk(plain, b"\xff".join(encoded) + b"\xff").astype(np.int64)
    text_of = np.repeat(np.arange(len(texts)), lengths.astype(np.int64) + 1)
    keep = features != n_features
    keys, counts = np.unique(text_of[keep] * (n_features + 1) + features[keep], return_counts=True)
    return keys // (n_features + 1), keys % (n_features + 1), counts, lengths, n_features


class CharNB:
    """Per-text features once; naive Bayes fitted on any subset of the texts."""

    def __init__(self, texts: Sequence[str], labels: Ints) -> None:
        self.text, self.feature, self.count, self.lengths, self.size = feature_counts(texts)
        self.labels = labels

    def fit(self, mask: npt.NDArray[np.bool_]) -> Floats:
        """log P(feature | language). (Not centred per feature, which would change no
        result: the layout orders features by their largest weight, the commonest first.)"""
        table = np.zeros((self.size, len(LANGS)))
        chosen = mask[self.text]
        for lang in range(len(LANGS)):
            m = chosen & (self.labels[self.text] == lang)
            table[:, lang] = np.bincount(
                self.feature[m], weights=self.count[m], minlength=self.size
            )
        return np.log((table + ALPHA) / (table.sum(0) + ALPHA * self.size))

    def logits(self, weights: Floats) -> Floats:
        """The identifier's char logits (before `char_scale`) of every text."""
        n = len(self.lengths)
        value = np.log1p(self.count.astype(np.float64))
        out = np.zeros((n, len(LANGS)))
        for lang in range(len(LANGS)):
            out[:, lang] = np.bincount(
                self.text, weights=value * weights[self.feature, lang], minlength=n
            )
        return out / np.sqrt(np.maximum(self.lengths, 1))[:, None]


def quantize_char(weights: Floats) -> tuple[npt.NDArray[np.int16], int]:
    """int16 units and exponent: |units| < 2**31 / features (langid_model.layout's bound)."""
    bound = min(2**15, 2**31 / (len(weights) + 1)) - 1
    exponent = int(math.floor(math.log2(bound / np.abs(weights).max())))
    return np.rint(weights * 2.0**exponent).astype(np.int16), exponent


# --- 2. Indonesian/Malay word weights --------------------------------------------------------


def wordfreq_lists() -> tuple[dict[str, float], dict[str, float]]:
    try:
        import wordfreq
    except ImportError:
        sys.exit('build_langid_model: needs wordfreq: pip install "idcorpus[langid-train]"')
    return tuple(  # type: ignore[return-value]
        {w: f for w, f in wordfreq.get_frequency_dict(lang, wordlist="small").items()
         if words_of(w) == [w]}
        for lang in ("id", "ms")
    )  # fmt: skip


COMPONENTS = ("wordfreq", "parallel", "apertium", "markers")
"""The word evidence, each a table word -> log-odds (positive: Malay); the split mixes them
with the coefficients of its stacked logistic regression."""


def wordfreq_ratio(word: str, freqs: tuple[dict[str, float], ...]) -> float:
    """log(freq ms / freq id) in wordfreq's lists (floor `WF_FLOOR`, clipped to `WF_CLIP`),
    `WF_DEAD` taken off its size (a mild lean says little: the two lists differ in register)."""
    id_freq, ms_freq = freqs
    if word not in id_freq and word not in ms_freq:
        return 0.0
    ratio = max(ms_freq.get(word, 0.0), WF_FLOOR) / max(id_freq.get(word, 0.0), WF_FLOOR)
    r = max(-WF_CLIP, min(WF_CLIP, math.log(ratio)))
    return math.copysign(max(0.0, abs(r) - WF_DEAD), r)


def parallel_ratios(id_texts: Sequence[str], ms_texts: Sequence[str]) -> dict[str, float]:
    """Naive Bayes log-ratio of each word in parallel Indonesian/Malay sentences (alpha
    `WORD_ALPHA`, 0 for an unseen word, clipped to `WORD_CLIP`): a word both sides share
    comes out near 0, a word one side swaps for another gets the weight."""
    id_counts = Counter(w for t in id_texts for w in words_of(t.lower()))
    ms_counts = Counter(w for t in ms_texts for w in words_of(t.lower()))
    vocab = sorted(set(id_counts) | set(ms_counts))
    if not vocab:
        return {}
    size = len(vocab) * WORD_ALPHA
    n_id, n_ms = sum(id_counts.values()) + size, sum(ms_counts.values()) + size
    unseen = math.log(WORD_ALPHA / n_ms) - math.log(WORD_ALPHA / n_id)
    out = {}
    for w in vocab:
        ratio = (
            math.log((ms_counts[w] + WORD_ALPHA) / n_ms)
            - math.log((id_counts[w] + WORD_ALPHA) / n_id)
            - unseen
        )
        out[w] = max(-WORD_CLIP, min(WORD_CLIP, ratio))
    return out


def word_components(
    pairs: Sequence[tuple[str, str]],
    synthetic: Sequence[tuple[str, str]],
    freqs: tuple[dict[str, float], ...],
) -> dict[str, dict[str, float]]:
    """`COMPONENTS` from real parallel (id, ms) sentences, rule-based (id, ms) translations
    and the wordfreq lists; the markers of corpus/data/id_ms_markers.tsv (+1 ms, -1 id)."""
    markers = parse_markers(marker_text(), "id_ms_markers.tsv").words
    ratios = {w: wordfreq_ratio(w, freqs) for w in sorted(set(freqs[0]) | set(freqs[1]))}
    return {
        "wordfreq": {w: r for w, r in ratios.items() if r},
        "parallel": parallel_ratios([i for i, _ in pairs], [m for _, m in pairs]),
        "apertium": parallel_ratios([i for i, _ in synthetic], [m for _, m in synthetic]),
        "markers": {w: float(v) for w, v in markers.items()},
    }


def mix_words(components: dict[str, dict[str, float]], coefs: Sequence[float]) -> dict[str, float]:
    """word -> sum of its components times their coefficients (|weight| >= `MIN_WEIGHT`)."""
    out: dict[str, float] = {}
    for name, coef in zip(COMPONENTS, coefs, strict=True):
        for w, v in components[name].items():
            out[w] = out.get(w, 0.0) + coef * v
    return {w: v for w, v in sorted(out.items()) if abs(v) >= MIN_WEIGHT}


def word_weights(
    id_texts: Sequence[str],
    ms_texts: Sequence[str],
    freqs: tuple[dict[str, float], ...],
    coefs: Sequence[float] = (0.5, 0.5, 0.0, 1.0),
) -> dict[str, float]:
    """word -> weight (positive: Malay) of parallel sentences and wordfreq, mixed by `coefs`."""
    return mix_words(word_components(list(zip(id_texts, ms_texts, strict=True)), [], freqs), coefs)


def word_sums(texts: Sequence[str], weights: dict[str, float]) -> Floats:
    return np.array([sum(weights.get(w, 0.0) for w in words_of(t.lower())) for t in texts])


def component_sums(texts: Sequence[str], components: dict[str, dict[str, float]]) -> Floats:
    """(texts, components): each text's sum of each component's word weights."""
    return np.column_stack([word_sums(texts, components[name]) for name in COMPONENTS])


# --- 3. calibration and the id/ms split ------------------------------------------------------


def softmax_loss(logits: Floats, labels: Ints) -> float:
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(labels)), labels].mean())


def fit_scale(logits: Floats, labels: Ints) -> float:
    """The temperature (a multiplier) of least log-loss, on a log grid."""
    grid = 2.0 ** np.arange(-4, 6, 0.125)
    return float(min(grid, key=lambda s: softmax_loss(logits * s, labels)))


def fit_logistic(x: Floats, y: Floats, iters: int = 4000, l2: float = 1e-4) -> Floats:
    """(bias, coefficients...) of a logistic regression (standardised gradient descent)."""
    mu, sd = x.mean(0), x.std(0) + 1e-12
    xs = np.column_stack([np.ones(len(x)), (x - mu) / sd])
    w = np.zeros(xs.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-xs @ w))
        w -= 0.5 * (xs.T @ (p - y) / len(y) + l2 * np.r_[0, w[1:]])
    coef = w[1:] / sd
    return np.r_[w[0] - (coef * mu).sum(), coef]


def split_logits(
    char: Floats, words: Floats, stack: Sequence[float], shift: Floats | None = None
) -> Floats:
    """`langid.Identifier.decide` on scaled char logits and word sums (float arithmetic);
    `shift`: the document's (`document_shifts`)."""
    out = char.copy()
    ms, id_ = out[:, 1], out[:, 0]
    d = split_odds(char, words, stack) + (0.0 if shift is None else shift)
    pair = np.logaddexp(ms, id_)
    out[:, 1], out[:, 0] = pair - np.logaddexp(0, -d), pair - np.logaddexp(0, d)
    return out


def keep_bias(char: Floats, words: Floats, stack: Floats, groups: list[Ints]) -> float:
    """The largest bias at which at most 1 - `KEEP_ID` of each group of Indonesian texts is
    labelled ms."""
    bias, bound = stack[0], np.inf
    for rows in groups:
        lo, hi = bias - 40.0, bias + 40.0
        for _ in range(50):  # bisection: the share labelled id falls as the bias grows
            mid = (lo + hi) / 2
            logits = split_logits(char[rows], words[rows], [mid, *stack[1:]])
            lo, hi = (mid, hi) if (logits.argmax(1) != 1).mean() >= KEEP_ID else (lo, mid)
        if os.environ.get("LID_DEBUG"):
            print(f"    keep bound {lo:.3f} over {len(rows)} texts", file=sys.stderr)
        bound = min(bound, lo)
    return float(bound)


def split_odds(char: Floats, words: Floats, stack: Sequence[float]) -> Floats:
    """d, the ms-over-id log-odds of `langid.Identifier.finish` (scaled char logits)."""
    return stack[0] + stack[1] * (char[:, 1] - char[:, 0]) + stack[2] * words


def document_shifts(char: Floats, odds: Floats, bias: float, docs: Ints, doc: Context) -> Floats:
    """corpus/signals/doclang.py's g(D) of each text, its document all other texts of the
    same `docs` value (FLORES documents are far shorter than its window), in floats."""
    pair = np.exp(np.logaddexp(char[:, 1], char[:, 0]) - np.logaddexp.reduce(char, axis=1))
    evidence = pair * np.clip(odds - bias, -doc.clip, doc.clip)
    _, group = np.unique(docs, return_inverse=True)
    pooled = np.bincount(group, weights=evidence)[group] - evidence
    return prior_shift(doc.weight * pooled, doc.switch)


def fit_document(char: Floats, words: Floats, stack: Floats, d: Data, rows: Ints) -> Context:
    """The document weight and clip (of `DOC_WEIGHTS` x `DOC_CLIPS`, switch `SWITCH`) that
    call the fewest Malay `rows` Indonesian while at most 1 - `KEEP_ID` of the Indonesian
    of each of `KEEP_SOURCES` is called Malay (ties: the smaller weight, then clip)."""
    odds = split_odds(char, words, stack)
    sources = np.array(d.sources)
    groups = [rows[sources[rows] == s] for s in KEEP_SOURCES]
    malay = rows[d.labels[rows] == 1]
    best: tuple[float, Context] | None = None
    for weight in DOC_WEIGHTS:
        for clip in DOC_CLIPS:
            doc = Context(weight, clip, SWITCH)
            shift = np.zeros(len(odds))
            shift[rows] = document_shifts(char[rows], odds[rows], stack[0], d.docs[rows], doc)
            labels = split_logits(char, words, stack, shift).argmax(1)
            if any((labels[g] == 1).mean() > 1 - KEEP_ID for g in groups):
                continue
            missed = float((labels[malay] == 0).mean())
            if best is None or missed < best[0]:
                best = (missed, doc)
    return best[1] if best is not None else Context(0.0, DOC_CLIPS[0], SWITCH)


@dataclass
class Fitted:
    char: Floats  # log P, (features, languages)
    scale: float
    components: dict[str, dict[str, float]]
    coefs: Floats  # of each of COMPONENTS
    stack: Floats  # bias, char, word (1: the coefficients are in the words)
    document: Context | None = None

    @property
    def words(self) -> dict[str, float]:
        return mix_words(self.components, self.coefs)


def synthetic_pairs(d: Data, train: npt.NDArray[np.bool_]) -> list[tuple[str, str]]:
    """The (id, ms) rule-based translation pairs of the `train` texts."""
    return [
        (d.texts[i], t) if d.labels[i] == 0 else (t, d.texts[i]) for i, t in d.synthetic if train[i]
    ]


def fit(d: Data, nb: CharNB, train: npt.NDArray[np.bool_], oof: Oof | None) -> Fitted:
    """Fit everything on the `train` texts; the scale and the split come from `oof` (the
    cross-validated scores of those texts) when given."""
    char = nb.fit(train)
    pairs = [(i, m) for i, m in d.pairs if train[i] and train[m]]
    texts = [(d.texts[i], d.texts[m]) for i, m in pairs]
    components = word_components(texts, synthetic_pairs(d, train), FREQS)
    for name in COMPONENTS:
        if name not in USE:
            components[name] = {}
    if oof is None:
        return Fitted(char, 1.0, components, np.ones(len(COMPONENTS)), np.zeros(3))
    rows = np.flatnonzero(train)
    scale = fit_scale(oof.char[rows], d.labels[rows])
    logits = oof.char * scale
    pair_rows = np.array([r for p in pairs for r in p])
    used = [j for j, name in enumerate(COMPONENTS) if name in USE]
    x = np.column_stack(
        [logits[pair_rows, 1] - logits[pair_rows, 0], oof.words[pair_rows][:, used]]
    )
    fitted = fit_logistic(x, (d.labels[pair_rows] == 1).astype(np.float64))
    coefs = np.zeros(len(COMPONENTS))
    coefs[used] = fitted[2:]
    stack = np.array([fitted[0], fitted[1], 1.0])
    groups = [rows[np.array(d.sources)[rows] == s] for s in KEEP_SOURCES]
    stack[0] = keep_bias(logits, oof.words @ coefs, stack, groups)
    document = fit_document(logits, oof.words @ coefs, stack, d, rows)
    return Fitted(char, scale, components, coefs, stack, document)


@dataclass
class Oof:
    """Cross-validated (out-of-fold) char logits (unscaled) and sums of each word component
    (texts, COMPONENTS) of every text."""

    char: Floats
    words: Floats


def cross_validate(d: Data, nb: CharNB, within: npt.NDArray[np.bool_]) -> Oof:
    char = np.zeros((len(d.texts), len(LANGS)))
    words = np.zeros((len(d.texts), len(COMPONENTS)))
    for k in range(FOLDS):
        test = within & (d.folds == k)
        f = fit(d, nb, within & ~test, None)
        char[test] = nb.logits(f.char)[test]
        words[test] = component_sums([d.texts[i] for i in np.flatnonzero(test)], f.components)
    return Oof(char, words)


USE: tuple[str, ...] = COMPONENTS
"""The components this build uses (`--apertium` adds "apertium")."""
FREQS: tuple[dict[str, float], ...] = ()


def report_cv(d: Data, nb: CharNB) -> None:
    """Nested: the split (and the document weight) of fold k is fitted on the cross-validated
    scores of the others. Two labels per text: alone, and with its document (FLORES dev's
    documents lie whole in one fold; every other text is its own document)."""
    everything = np.ones(len(d.texts), bool)
    outer = cross_validate(d, nb, everything)
    alone, with_doc = np.zeros(len(d.texts), np.int64), np.zeros(len(d.texts), np.int64)
    for k in range(FOLDS):
        test = d.folds == k
        inner = cross_validate(d, nb, ~test)
        f = fit(d, nb, ~test, inner)
        assert f.document is not None
        char, words = outer.char[test] * f.scale, outer.words[test] @ f.coefs
        alone[test] = split_logits(char, words, f.stack).argmax(1)
        odds = split_odds(char, words, f.stack)
        shift = document_shifts(char, odds, f.stack[0], d.docs[test], f.document)
        with_doc[test] = split_logits(char, words, f.stack, shift).argmax(1)
        print(
            f"  fold {k}: scale {f.scale:.3f} stack {np.round(f.stack, 3).tolist()}"
            f" mix {np.round(f.coefs, 3).tolist()} document {f.document}",
            flush=True,
        )
    sources = np.array(d.sources)
    print(f"\n{'set':12s} {'n':>5s} | alone: {'correct':>8s} {'called id':>9s}"
          f" | with its document: {'correct':>8s} {'called id':>9s}  errors")  # fmt: skip
    for s in dict.fromkeys(d.sources):
        rows = sources == s
        want = d.labels[rows]
        a, b = alone[rows], with_doc[rows]
        wrong = Counter(LANGS[g] for g in b[b != want])
        print(f"{s:12s} {rows.sum():5d} | {'':6s}{np.mean(a == want):8.2%} {np.mean(a == 0):9.2%}"
              f" | {'':18s} {np.mean(b == want):8.2%} {np.mean(b == 0):9.2%}"
              f"  {dict(wrong.most_common(4))}")  # fmt: skip


def build(d: Data, nb: CharNB, data: Path) -> Trained:
    everything = np.ones(len(d.texts), bool)
    f = fit(d, nb, everything, cross_validate(d, nb, everything))
    units, exponent = quantize_char(f.char)
    weights = f.words
    words = sorted(weights)
    automaton = langid_model.read_py3langid()[0]
    meta = {
        "built_by": "scripts/build_langid_model.py",
        "licence": "CC BY-SA 4.0 (derived from FLORES-200, NusaX, UD Indonesian, Tatoeba, "
        "wordfreq" + (", and apertium-ind-zlm's translations of them)" if d.synthetic else ")"),
        "training_files": d.files,
        "training_texts": dict(Counter(d.sources)),
        "wordfreq": metadata.version("wordfreq"),
        "apertium": apertium_version() if "apertium" in USE else None,
        "apertium_translations": len(d.synthetic),
        "py3langid": metadata.version("py3langid"),
        "settings": {
            "alpha": ALPHA,
            "word_alpha": WORD_ALPHA,
            "wordfreq_dead": WF_DEAD,
            "components": list(USE),
            "mix": dict(zip(COMPONENTS, np.round(f.coefs, 6).tolist(), strict=True)),
            "word_clip": WORD_CLIP,
            "wordfreq_floor": WF_FLOOR,
            "wordfreq_clip": WF_CLIP,
            "keep_id": KEEP_ID,
            "min_weight": MIN_WEIGHT,
            "document_weights": list(DOC_WEIGHTS),
            "document_clips": list(DOC_CLIPS),
        },  # fmt: skip
    }
    return Trained(
        languages=LANGS,
        char_units=units,
        char_exponent=exponent,
        char_prior=np.zeros(len(LANGS)),
        char_scale=f.scale,
        words=tuple(words),
        word_units=np.array([round(weights[w] * 2**WORD_EXPONENT) for w in words], np.int32),
        word_exponent=WORD_EXPONENT,
        stack=(float(f.stack[0]), float(f.stack[1]), float(f.stack[2])),
        features_sha256=langid_model.features_digest(automaton),
        meta=meta,
        document=f.document,
    )


def main(argv: Sequence[str] | None = None) -> int:
    global FREQS, USE
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--data", type=Path, default=SHARED, help=f"shared data (default {SHARED})")
    ap.add_argument("--out", type=Path, default=OUT, help=f"model file (default {OUT})")
    ap.add_argument("--cv", action="store_true", help="print the cross-validated table only")
    ap.add_argument(
        "--apertium",
        action="store_true",
        help="also learn words from apertium's id<->ms translations of the training texts "
        "(needs apt-get install apertium apertium-ind-zlm; off: it gained nothing measurable)",
    )
    args = ap.parse_args(argv)
    USE = COMPONENTS if args.apertium else tuple(c for c in COMPONENTS if c != "apertium")
    FREQS = wordfreq_lists()
    d = load_data(args.data)
    if "apertium" in USE:
        add_synthetic(d)
    nb = CharNB(d.texts, d.labels)
    print(
        f"{len(d.texts)} texts, {len(d.pairs)} id/ms pairs, {len(d.synthetic)} apertium"
        f" translations, {nb.size} features",
        flush=True,
    )
    if args.cv:
        report_cv(d, nb)
        return 0
    trained = build(d, nb, args.data)
    save_trained(args.out, trained)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): scale {trained.char_scale}"
          f" stack {[round(c, 4) for c in trained.stack]} words {len(trained.words)}")  # fmt: skip
    print(json.dumps(trained.meta["training_texts"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
