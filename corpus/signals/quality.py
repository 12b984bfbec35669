"""Per-pair quality signals: the columns a user filters a corpus by.

`compute_signals_batch(sources, translations)` returns one dict of `SIGNAL_COLUMNS` values per
pair (`compute_signals` for one pair: the same values); each column is described in
`SIGNAL_DOCS` (copied into the dataset card). Call it per chunk: language ID scores a whole
batch at once (corpus/signals/langid.py), so a chunk costs a small fraction of pair-by-pair calls.

Language ID (corpus/signals/langid.py): naive Bayes over py3langid's byte n-grams for
`LANGUAGES` (scripts/build_langid_model.py), Indonesian and Malay split by weighted words
(kerana/karena, pejabat/kantor, ...). Both sides are identified; a build identifies sources
with their documents (`identify_documents`, corpus/signals/doclang.py: a Malay sentence
without a telling word takes the language the rest of its document tells). Measured by
scripts/bench_langid.py (README, "Quality signals"). A sentence alone, most misses are Malay
called Indonesian at low confidence: hence the threshold of `is_non_indonesian_source`.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from corpus.errors import ConfigError
from corpus.signals.numbers import number_check
from translate.base import Translation
from translate.robust import length_ratio, repetition_score

if TYPE_CHECKING:
    from corpus.signals.langid import Identifier

LANGUAGES = ("id", "ms", "en", "jv", "su", "tl", "min", "ban", "bjn", "ace")
"""Labels of src_lang/tgt_lang: Indonesian, Malay, English, Javanese, Sundanese, Tagalog,
Minangkabau, Balinese, Banjar, Acehnese (the model's languages, in its order)."""

LANGID_MISSING = 'language ID needs py3langid 0.4.x: pip install "idcorpus[langid]"'

SIGNALS_VERSION = "signals-7"
"""Changes when a signal's value for the same pair may change (2: batch language ID over
py3langid 0.4's model; probabilities within 1e-5 of py3langid's own float32 ones; 4: number,
date, URL and e-mail agreement (corpus/signals/numbers.py) and test-set overlap
(corpus/signals/contamination.py); 5: our own language-ID model over ten languages, Malay
told from Indonesian by weighted words; 6: the id/ms word evidence mixed by a fitted
regression, wordfreq's mild leans left out; 7: a build's source Indonesian/Malay decision
takes in the evidence of the sentence's document, corpus/signals/doclang.py)."""

LANGID_MODEL_SHA256 = "2041029c2d2641f1"
"""The start of corpus/data/langid_model.npz's sha256. A rebuilt model changes src_lang and
tgt_lang, so SIGNALS_VERSION (part of a build's identity) must change with it: the test
that checks this digest is the reminder."""

NON_ID_CONFIDENCE = 0.75
"""`is_non_indonesian_source` needs the other language at least this confident. At 0.75 it
flags 0-0.36% of Indonesian sentences (FLORES devtest, NTREX, TICO-19, NusaX, web_dev, UD),
71-75% of Malay ones (FLORES devtest, NTREX, TICO-19: the rest is called Malay less surely, or
Indonesian) and 96-100% of the regional languages and English (scripts/bench_langid.py)."""

SHORT_WORDS = 3
"""A source of fewer words than this is a fragment (`is_short`)."""

OVERLAP_BATCH = 16
"""From this many undecided pairs on, their trigrams are counted with numpy (same results)."""

UNTRANSLATED_OVERLAP = 0.8
"""Share of the target's character trigrams found in the source above which (with similar
lengths) the target is taken to be a copy of the source."""

SIGNAL_COLUMNS: dict[str, str] = {
    "length_ratio_chars": "float64",
    "length_ratio_tokens": "float64",
    "src_lang": "string",
    "src_lang_conf": "float64",
    "tgt_lang": "string",
    "tgt_lang_conf": "float64",
    "repetition": "float64",
    "is_split": "bool",
    "has_unk": "bool",
    "is_retried": "bool",
    "is_degenerate": "bool",
    "is_untranslated": "bool",
    "is_non_indonesian_source": "bool",
    "is_short": "bool",
    "number_mismatch": "int32",
    "is_number_mismatch": "bool",
    "is_test_overlap": "bool",
}

SIGNAL_DOCS: dict[str, str] = {
    "length_ratio_chars": "English characters / Indonesian characters (about 0.9 for human translations).",
    "length_ratio_tokens": "Target tokens / source tokens of the model's vocabulary (eos excluded); null when unknown.",
    "src_lang": f"Language of the source, one of {', '.join(LANGUAGES)} (naive Bayes over byte n-grams; Indonesian vs Malay by weighted words, with the rest of the sentence's document unless the input is presplit).",
    "src_lang_conf": "Probability of src_lang (0-1).",
    "tgt_lang": "Language of the translation, as src_lang.",
    "tgt_lang_conf": "Probability of tgt_lang (0-1).",
    "repetition": "Share of repeated word n-grams in the translation (0 for prose, >= 0.3 for loops).",
    "is_split": "The source was longer than the model accepts and was translated in pieces.",
    "has_unk": "The model emitted <unk> (a word it cannot spell), which the translation leaves out.",
    "is_retried": "The first translation looked degenerate and was decoded again with anti-repetition settings.",
    "is_degenerate": "The kept translation still looks degenerate (repetition loop or implausible length).",
    "is_untranslated": "The translation copies the source (equal after normalisation, or nearly all its text).",
    "is_non_indonesian_source": f"The source is another language (src_lang != id with confidence >= {NON_ID_CONFIDENCE}).",
    "is_short": f"The source has fewer than {SHORT_WORDS} words (a fragment).",
    "number_mismatch": "Numbers in digits, day/month dates, URLs and e-mail addresses that one side has and the other lacks (formats, scale words, times and number words read tolerantly).",
    "is_number_mismatch": "number_mismatch > 0: a number, date, URL or e-mail address was lost, added or changed.",
    "is_test_overlap": "The source or the translation is a sentence of a vendored test set (FLORES, NTREX, TICO-19, Tatoeba, NusaX) or shares a run of 10 words with one.",
}

_WORD = re.compile(r"\w+")
_ENOUGH_WORDS = re.compile(r"\w" + r"\W+\w+" * (SHORT_WORDS - 2) + r"\W+\w")
"""Matches where a text has at least `SHORT_WORDS` separate words (`\\w+` runs)."""


def compute_signals(
    source: str, translation: Translation, *, src_tokens: int | None = None
) -> dict[str, object]:
    """The `SIGNAL_COLUMNS` values of one pair. `src_tokens`: the engine's count of source
    tokens (eos included); by default `translation.src_tokens` where the engine set it."""
    return compute_signals_batch([source], [translation], src_tokens=[src_tokens])[0]


def compute_signals_batch(
    sources: Sequence[str],
    translations: Sequence[Translation],
    *,
    src_tokens: Sequence[int | None] | None = None,
    src_langs: Sequence[tuple[str, float]] | None = None,
) -> list[dict[str, object]]:
    """`compute_signals` of each pair, identical to pair-by-pair calls, in one language-ID
    batch for both sides (what a pipeline worker calls per chunk). `src_langs`: the sources'
    language ID where known already (a build identifies them with their documents:
    `identify_documents`); by default each source is identified alone."""
    n = len(sources)
    given = [x for x in (src_tokens, src_langs) if x is not None]
    if {len(translations), *map(len, given)} != {n}:
        raise ValueError("compute_signals_batch needs one translation (and src_tokens) per source")
    targets = [t.text for t in translations]
    langs = (
        [*src_langs, *identify_batch(targets)]
        if src_langs is not None
        else identify_batch([*sources, *targets])
    )
    words = [
        _WORD.findall(unicodedata.normalize("NFKC", x).casefold()) for x in (*sources, *targets)
    ]
    copies = untranslated_batch(sources, targets, [" ".join(w) for w in words])
    overlap = test_overlap(words)
    counts = src_tokens if src_tokens is not None else [None] * n
    rows = [
        pair_signals(src, tr, count, (langs[i], langs[n + i]), copies[i])
        for i, (src, tr, count) in enumerate(zip(sources, translations, counts, strict=True))
    ]
    for i, row in enumerate(rows):
        row["is_test_overlap"] = bool(overlap[i] or overlap[n + i])
    return rows


def pair_signals(
    source: str,
    translation: Translation,
    src_tokens: int | None,
    langs: tuple[tuple[str, float], tuple[str, float]],
    untranslated: bool,
) -> dict[str, object]:
    """The signals of one pair, given both sides' language ID and `is_untranslated`."""
    (src_lang, src_conf), (tgt_lang, tgt_conf) = langs
    return {
        "length_ratio_chars": length_ratio(source, translation.text),
        "length_ratio_tokens": token_ratio(
            src_tokens if src_tokens is not None else translation.src_tokens, translation.tokens
        ),
        "src_lang": src_lang,
        "src_lang_conf": src_conf,
        "tgt_lang": tgt_lang,
        "tgt_lang_conf": tgt_conf,
        "repetition": repetition_score(translation.text),
        "is_split": translation.split,
        "has_unk": translation.unk,
        "is_retried": translation.retried,
        "is_degenerate": translation.degenerate,
        "is_untranslated": untranslated,
        "is_non_indonesian_source": src_lang != "id" and src_conf >= NON_ID_CONFIDENCE,
        "is_short": _ENOUGH_WORDS.search(source) is None,
        "number_mismatch": (mismatch := number_check(source, translation.text)[0]),
        "is_number_mismatch": mismatch > 0,
        "is_test_overlap": False,  # set by compute_signals_batch, which sees the whole batch
    }


def token_ratio(src_tokens: int | None, tgt_tokens: int) -> float | None:
    """Target/source tokens, eos excluded on both sides; None when either is unknown."""
    if src_tokens is None or src_tokens <= 1 or tgt_tokens <= 0:
        return None
    return tgt_tokens / (src_tokens - 1)


def normalise(text: str) -> str:
    """NFKC, casefolded, words only (punctuation dropped), single spaces."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def is_untranslated(source: str, target: str) -> bool:
    """The target is (nearly) the source: equal when normalised, or most of its character
    trigrams come from the source at a similar length."""
    return untranslated_batch([source], [target])[0]


def untranslated_batch(
    sources: Sequence[str], targets: Sequence[str], normalised: Sequence[str] | None = None
) -> list[bool]:
    """`is_untranslated` of each pair; the trigram counts of a batch are taken with numpy.
    `normalised`: `normalise` of the sources then the targets, where already known."""
    if normalised is None:
        normalised = [normalise(t) for t in (*sources, *targets)]
    n = len(sources)
    pairs = list(zip(normalised[:n], normalised[n:], strict=True))
    verdicts = [quick_verdict(src, tgt) for src, tgt in pairs]
    undecided = [i for i, verdict in enumerate(verdicts) if verdict is None]
    counts = trigram_counts([pairs[i][0] for i in undecided], [pairs[i][1] for i in undecided])
    for i, (distinct, shared) in zip(undecided, counts, strict=True):
        verdicts[i] = distinct > 0 and shared / distinct >= UNTRANSLATED_OVERLAP
    return [bool(verdict) for verdict in verdicts]


def quick_verdict(src: str, tgt: str) -> bool | None:
    """is_untranslated of normalised texts where no trigram count is needed, else None."""
    if not tgt:
        return False
    if src == tgt:
        return True
    if not 0.67 <= len(tgt) / max(len(src), 1) <= 1.5:
        return False
    return None


def trigram_counts(sources: Sequence[str], targets: Sequence[str]) -> list[tuple[int, int]]:
    """(distinct trigrams of the target, how many of them the source has) for each pair."""
    if len(sources) < OVERLAP_BATCH:
        grams = [
            (_trigrams(src), _trigrams(tgt)) for src, tgt in zip(sources, targets, strict=True)
        ]
        return [(len(tgt), len(tgt & src)) for src, tgt in grams]
    try:
        from corpus.signals.overlap import trigram_overlaps  # numpy: loaded on first use
    except ImportError as e:
        raise ConfigError(LANGID_MISSING) from e
    return trigram_overlaps(sources, targets)


def _trigrams(text: str) -> set[tuple[str, ...]]:
    return set(zip(text, text[1:], text[2:], strict=False))  # the shortest sets the end


def test_overlap(words: Sequence[list[str]]) -> list[bool]:
    """Whether each text (its normalised words) shares text with a vendored test set."""
    try:
        from corpus.signals.contamination import testset_index  # numpy: loaded on first use
    except ImportError as e:
        raise ConfigError(LANGID_MISSING) from e
    return testset_index().found(list(words)).tolist()


def identify_batch(texts: Sequence[str]) -> list[tuple[str, float]]:
    """(language, probability) of each text over `LANGUAGES`; ("und", 0.0) without letters.
    The same for a text whatever batch it comes in."""
    return language_identifier().identify_batch(texts)


def identify_documents(documents: Sequence[Sequence[str]]) -> list[list[tuple[str, float]]]:
    """`identify_batch` of the sentences of each document, the Indonesian/Malay decision of
    each taking in the evidence of the rest of its document (corpus/signals/doclang.py); a
    document of one sentence gets `identify_batch`'s result. One batch for all."""
    identifier = language_identifier()
    from corpus.signals.doclang import identify_documents as identify  # numpy: on first use

    texts = [text for doc in documents for text in doc]
    starts = list(itertools.accumulate((len(doc) for doc in documents if doc), initial=0))[:-1]
    found = iter(identify(identifier, texts, starts))
    return [[next(found) for _ in doc] for doc in documents]


@functools.lru_cache(maxsize=1)
def language_identifier() -> Identifier:
    """The language identifier, loaded once: text -> (language code, probability), and
    `.identify_batch(texts)`. Text without letters gives ("und", 0.0)."""
    try:
        from corpus.signals.langid import (
            load_identifier,  # numpy and py3langid: loaded on first use
        )

        identifier = load_identifier()
    except ImportError as e:
        raise ConfigError(LANGID_MISSING) from e
    if identifier.model.languages != LANGUAGES:
        raise ConfigError(
            f"the language-ID model's languages {identifier.model.languages} are not "
            f"{LANGUAGES}; rebuild it: python scripts/build_langid_model.py"
        )
    return identifier
