"""Robust translation: no silent truncation, no degenerate output kept without a retry.

`RobustTranslator` wraps an `Engine`:

* **Long sentences, of any length.** Source tokens are counted first. A sentence over the
  limit (`max_input_tokens`, else the engine's own `Engine.max_input_tokens`) is cut into
  pieces that fit by `translate.split.split_to_fit` (clauses, then words, then characters;
  linear in the text's length). Every piece is translated (batched with the other
  sentences) and the pieces' translations are joined with a space; the result has
  ``split=True`` and the token-weighted mean of the pieces' scores. Nothing is truncated
  and nothing is dropped.
* **Degenerate output** (`is_degenerate`): a repetition loop ("I'm sorry I'm sorry ...") or
  a target/source length ratio outside `RATIO_RANGE` is decoded again once with
  `DecodingOptions.anti_repetition()` (an n-gram ban, which both engines apply alike); the
  engine scores that output with the plain model, so the better result is chosen on one
  scale (not degenerate first, then higher score) and kept with ``retried=True`` and
  ``degenerate`` telling whether it still looks bad.

The pure helpers here (`repetition_score`, `length_ratio`, ...) are used by `corpus/` too.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace

from translate.base import (
    BatchDone,
    DecodingOptions,
    Engine,
    Translation,
    check_lengths,
    translate_with_progress,
)
from translate.split import BLOCK_LIMITS, SPLITTER_VERSION, split_to_fit

logger = logging.getLogger(__name__)

RETRY_VERSION = "ngram3-2"
"""Bump when the retry changes (2: n-gram ban only, rescored with the plain model)."""

RATIO_RANGE = (0.3, 3.0)
"""Plausible target/source character ratio. Human id->en references (FLORES, TICO-19,
Tatoeba, NusaX; sources of >= 4 words) lie in 0.41..1.70 for 99.8% of pairs."""

RATIO_MIN_WORDS = 4
"""The length ratio is only judged for sources of at least this many words."""

REPETITION_THRESHOLD = 0.3
"""`repetition_score` at or above this (and clearly above the source's) marks a loop."""

_WORD_RE = re.compile(r"\w+(?:'\w+)?")


def repetition_score(text: str) -> float:
    """Share of repeated word n-grams in `text`, in [0, 1): 0 for ordinary prose.

    1 - distinct/total over lowercased word n-grams (n=3 from 8 words, n=2 below), so
    "I'm sorry I'm sorry I'm sorry" scores 0.6. Texts of fewer than 3 words but 20 or more
    characters are scored on character 3-grams without spaces ("hahahahaha...").
    """
    words = [w.lower() for w in _WORD_RE.findall(text)]
    if len(words) < 3:
        chars = "".join(text.split()).lower()
        return _dup_share(list(chars), 3) if len(chars) >= 20 else 0.0
    return _dup_share(words, 3 if len(words) >= 8 else 2)


def _dup_share(items: list[str], n: int) -> float:
    grams = [tuple(items[i : i + n]) for i in range(len(items) - n + 1)]
    return 1.0 - len(set(grams)) / len(grams) if len(grams) > 1 else 0.0


def length_ratio(source: str, target: str) -> float:
    """Target/source length in characters (0 for an empty source)."""
    return len(target) / len(source) if source else 0.0


def is_degenerate(source: str, translation: Translation) -> bool:
    """A repetition loop the source does not have, or an implausible length ratio."""
    if not source.strip():
        return False
    target = translation.text
    rep = repetition_score(target)
    if rep >= REPETITION_THRESHOLD and rep - repetition_score(source) >= 0.2:
        return True
    if len(source.split()) < RATIO_MIN_WORDS:
        return not target.strip()
    low, high = RATIO_RANGE
    return not low <= length_ratio(source, target) <= high


def better(source: str, first: Translation, second: Translation) -> Translation:
    """The less degenerate of two translations of `source`, then the higher scoring."""
    return min((first, second), key=lambda t: (is_degenerate(source, t), -t.score))


def join_pieces(pieces: Sequence[Translation]) -> Translation:
    """One translation from the translations of a split sentence's pieces, in order.

    The score is the token-weighted mean; `src_tokens` counts one eos, like an unsplit source.
    """
    if len(pieces) == 1:
        return pieces[0]
    tokens = sum(p.tokens for p in pieces)
    if tokens:
        score = sum(p.score * p.tokens for p in pieces) / tokens
    else:
        score = sum(p.score for p in pieces) / len(pieces)
    known = all(p.src_tokens > 0 for p in pieces)
    return Translation(
        text=" ".join(p.text.strip() for p in pieces if p.text.strip()),
        score=score,
        tokens=tokens,
        src_tokens=sum(p.src_tokens for p in pieces) - len(pieces) + 1 if known else 0,
        split=len(pieces) > 1,
        retried=any(p.retried for p in pieces),
        degenerate=any(p.degenerate for p in pieces),
        unk=any(p.unk for p in pieces),
    )


class RobustTranslator:
    """A `Translator` over an `Engine` that splits long sentences and retries degenerate output.

    `max_input_tokens` (the `--max-tokens` option) lowers the engine's own limit; it cannot
    raise it past the model's positions. `retry_degenerate=False` only flags degenerate rows.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        max_input_tokens: int | None = None,
        retry_degenerate: bool = True,
    ) -> None:
        limit = engine.max_input_tokens
        if max_input_tokens is not None:
            if max_input_tokens < 8:
                raise ValueError(f"max_input_tokens must be >= 8, got {max_input_tokens}")
            if max_input_tokens > limit:
                logger.warning(
                    "max_input_tokens=%d exceeds what the model accepts; using %d",
                    max_input_tokens,
                    limit,
                )
            limit = min(limit, max_input_tokens)
        self.engine = engine
        self.max_input_tokens = limit
        self.retry_degenerate = retry_degenerate
        self._retry_engine: Engine | None = None

    def translate_batch(
        self, sentences: Sequence[str], progress: BatchDone | None = None
    ) -> list[Translation]:
        """Translations of `sentences`; `progress` hears of a sentence as soon as its result
        is final: at once for one translated in one piece and not degenerate, at the end
        for the others (their pieces joined, or retried)."""
        if not sentences:
            return []
        pieces, owners = self.plan(sentences)
        alone = Counter(owners)
        early: set[int] = set()

        def done(rows: Sequence[int], results: Sequence[Translation]) -> None:
            final = [
                (owners[r], t)
                for r, t in zip(rows, results, strict=True)
                if alone[owners[r]] == 1 and not is_degenerate(pieces[r], t)
            ]
            if final and progress is not None:
                early.update(i for i, _ in final)
                progress([i for i, _ in final], [t for _, t in final])

        results = self._translate_pieces(pieces, done if progress is not None else None)
        grouped: list[list[Translation]] = [[] for _ in sentences]
        for owner, result in zip(owners, results, strict=True):
            grouped[owner].append(result)
        out = [join_pieces(g) if g else Translation(text="", score=0.0) for g in grouped]
        if progress is not None:
            rest = [i for i in range(len(out)) if i not in early]
            if rest:
                progress(rest, [out[i] for i in rest])
        return check_lengths(sentences, out)

    def plan(self, sentences: Sequence[str]) -> tuple[list[str], list[int]]:
        """The pieces to translate and, for each piece, the index of its sentence."""
        pieces: list[str] = []
        owners: list[int] = []
        for i, (sentence, n) in enumerate(
            zip(sentences, self.engine.count_tokens(sentences), strict=True)
        ):
            parts = [sentence]
            if n > self.max_input_tokens:
                parts = split_to_fit(
                    sentence, self.max_input_tokens, self.engine.count_tokens, tokens=n
                )
                logger.info("sentence of %d tokens split into %d pieces", n, len(parts))
            pieces += parts
            owners += [i] * len(parts)
        return pieces, owners

    def _translate_pieces(
        self, pieces: list[str], progress: BatchDone | None = None
    ) -> list[Translation]:
        results = check_lengths(pieces, translate_with_progress(self.engine, pieces, progress))
        bad = [i for i, t in enumerate(results) if is_degenerate(pieces[i], t)]
        if not bad:
            return results
        if not self.retry_degenerate:
            for i in bad:
                results[i] = replace(results[i], degenerate=True)
            return results
        sources = [pieces[i] for i in bad]
        again = check_lengths(sources, self.retry_engine().translate_batch(sources))
        for i, source, second in zip(bad, sources, again, strict=True):
            kept = better(source, results[i], second)
            results[i] = replace(kept, retried=True, degenerate=is_degenerate(source, kept))
        logger.info("retried %d degenerate translations", len(bad))
        return results

    def retry_decoding(self) -> DecodingOptions:
        """`DecodingOptions.anti_repetition()` of the engine's own decoding."""
        decoding = getattr(self.engine, "decoding", None)
        if not isinstance(decoding, DecodingOptions):
            decoding = DecodingOptions()
        return decoding.anti_repetition()

    def retry_engine(self) -> Engine:
        """The same engine decoding with `retry_decoding()` (built once)."""
        if self._retry_engine is None:
            self._retry_engine = self.engine.with_decoding(self.retry_decoding())
        return self._retry_engine

    def describe(self) -> dict[str, str]:
        """The engine's description plus the splitting and retry rules and their versions."""
        info = dict(self.engine.describe())
        retry = asdict(self.retry_decoding())
        info.update(
            {
                "robust.max_input_tokens": str(self.max_input_tokens),
                "robust.split": f"clauses>words>chars (blocks of {BLOCK_LIMITS} limits first), "
                "joined with a space; score: token-weighted mean of the pieces'",
                "robust.splitter_version": SPLITTER_VERSION,
                "robust.retry_degenerate": str(self.retry_degenerate).lower(),
                "robust.retry_decoding": json.dumps(retry, sort_keys=True),
                "robust.retry_version": RETRY_VERSION,
                "robust.ratio_range": f"{RATIO_RANGE[0]}..{RATIO_RANGE[1]}",
                "robust.ratio_min_words": str(RATIO_MIN_WORDS),
                "robust.repetition_threshold": str(REPETITION_THRESHOLD),
            }
        )
        return info
