"""Given translations -> Translation records: what a build uses instead of translating when the
input brings its English (`--target FILE`, `--target-field NAME`).

Nothing is translated and the English is kept exactly as given. `score` is the named model's
forced-decoding mean log-probability per token of the given English (`Engine.score`: eos
included, the plain model, each pair alone: the scale of a translated row's score), or NaN
(a null `score` in the dataset) when no model was named with `--model`; then no model is
loaded at all and the build needs neither network nor a model. A pair the model cannot score
(an English longer than its positions) gets NaN too. What a translation record says about
decoding (tokens, split, retried, unk) was not done, so it stays 0/False; `degenerate` is
judged on the given text (translate.robust.is_degenerate), as for a model's output.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Protocol

from corpus.errors import ConfigError
from corpus.read.aligned import check_aligned
from corpus.read.config import ReadConfig
from corpus.read.inputs import iter_sources
from corpus.report import Report
from translate.base import Engine, EngineConfig, Translation
from translate.errors import TranslationError
from translate.load import load_engine
from translate.robust import is_degenerate

log = logging.getLogger(__name__)

NO_SCORE = "none: the translations were given and no model was named (--model) to score them"


class Scorer(Protocol):
    def score(self, sources: Sequence[str], targets: Sequence[str | Sequence[int]]) -> list[float]:
        """The model's mean log-prob per token of each target given its source."""
        ...


class GivenTranslations:
    """The translations of a build from given pairs, scored by `engine` when there is one.

    It stands where a build's engine stands (loaded, described, closed) but translates
    nothing: the build asks it for `translations(sources, targets)`. `describe()` is what the
    run identity and the provenance record of the translator: the scoring model's own
    description, or that no model was used."""

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine

    @classmethod
    def load(cls, config: EngineConfig) -> GivenTranslations:
        """With a model named (`config.model`), that model loaded to score; else none."""
        return cls(load_engine(config) if config.model is not None else None)

    def translations(self, sources: Sequence[str], targets: Sequence[str]) -> list[Translation]:
        return given_translations(sources, targets, self.engine)

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        raise TranslationError("a build from given translations translates nothing")

    def describe(self) -> dict[str, str]:
        if self.engine is None:
            return {"translations": "given", "engine": "none", "model": "none", "score": NO_SCORE}
        description = dict(self.engine.describe())
        description["translations"] = "given"
        description["score"] = (
            "forced decoding of the given translation: " + description.get("score", "")
        ).strip()
        return description

    def close(self) -> None:
        close = getattr(self.engine, "close", None)
        if callable(close):
            close()
        self.engine = None


def given_translations(
    sources: Sequence[str], targets: Sequence[str], scorer: Scorer | None
) -> list[Translation]:
    """One Translation per pair: the given English, its score (NaN without a scorer)."""
    if len(sources) != len(targets):
        raise ValueError(f"{len(sources)} sources but {len(targets)} translations")
    scores = score_pairs(sources, targets, scorer) if scorer is not None else None
    found = []
    for i, (source, target) in enumerate(zip(sources, targets, strict=True)):
        given = Translation(text=target, score=math.nan if scores is None else scores[i])
        if is_degenerate(source, given):
            given = Translation(text=target, score=given.score, degenerate=True)
        found.append(given)
    return found


def score_pairs(sources: Sequence[str], targets: Sequence[str], scorer: Scorer) -> list[float]:
    """The scorer's score of each pair; NaN for a pair it refuses (a target too long)."""
    try:
        return list(scorer.score(sources, targets))
    except TranslationError:
        if len(sources) == 1:
            log.warning("a given translation cannot be scored; its score is null")
            return [math.nan]
    return [score_pairs([s], [t], scorer)[0] for s, t in zip(sources, targets, strict=True)]


def check_given(inputs: Sequence[str], read: ReadConfig, executor: str = "local") -> None:
    """Before a build from given translations starts (before any model loads): a target file
    lines up with its one input (corpus.read.aligned.check_aligned)."""
    if not read.given:
        return
    if executor != "local":
        raise ConfigError("a build from given translations (--target, --target-field) runs "
                          "locally: leave out --executor ray")  # fmt: skip
    check_aligned(list(iter_sources(inputs, read, Report())), read)
