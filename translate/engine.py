"""The base both engines share: tokenizer, limits, planning, scoring, describe.

An engine subclass only loads its model and says how to decode a batch (`_submit`) and how
to score given outputs alone (`_score_alone`); see translate.plan for why batching never
changes a result.

Scores (`SCORING_VERSION`): the plain model's mean log-prob per target token, eos included
when emitted, `<pad>` left out of the vocabulary (CTranslate2 removes it when converting
Marian; transformers bans it). When decoding is plain the decoder's own record gives it;
otherwise (a retry's n-gram ban, a minimum length) every output is scored again alone.
"""

from __future__ import annotations

import copy
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from typing import Any, ClassVar, TypeVar

from translate.base import BatchDone, DecodingOptions, EngineConfig, Translation
from translate.errors import TranslationError
from translate.plan import (
    LENGTH_BUCKET,
    Output,
    count_tokens,
    encode,
    input_limit,
    mean_log_prob,
    translate_planned,
)
from translate.resolve import ResolvedModel

E = TypeVar("E", bound="BaseEngine")

SCORING_VERSION = "plain-2"
"""Bump when scores or batching change: 1 = the decoder's (penalised) distribution;
plain-2 = the plain model's, batch-independent (width classes, anchors, rescoring)."""

SCORE_RULE = (
    "mean log-prob per target token (eos included when emitted) under the plain model "
    "(<pad> excluded, no penalty), independent of batching"
)


@dataclass(frozen=True)
class Runtime:
    """Where and how a model runs (threads are informative: they never change a result)."""

    device: str
    compute_type: str
    inter_threads: int = 1
    intra_threads: int = 1


class BaseEngine(ABC):
    """What MarianEngine and CT2Engine share; see the module docstring."""

    name: ClassVar[str]
    libraries: ClassVar[tuple[str, ...]]

    def __init__(
        self,
        tokenizer: Any,
        config: EngineConfig,
        resolved: ResolvedModel,
        runtime: Runtime,
        positions: int,
        default_beams: int,
    ) -> None:
        self.tokenizer = tokenizer
        self.config = config
        self.resolved = resolved
        self.runtime = runtime
        self.positions = positions
        self.default_beams = default_beams
        self.decoding = config.decoding
        self.beams = config.decoding.num_beams or default_beams
        self._max_input = input_limit(config, tokenizer, positions)

    @property
    def max_input_tokens(self) -> int:
        return self._max_input

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return count_tokens(self.tokenizer, sentences)

    def with_decoding(self: E, decoding: DecodingOptions) -> E:
        """The same loaded model (shared, not copied), decoding with `decoding`."""
        clone = copy.copy(self)
        clone.decoding = decoding
        clone.beams = decoding.num_beams or self.default_beams
        return clone

    def translate_batch(
        self, sentences: Sequence[str], progress: BatchDone | None = None
    ) -> list[Translation]:
        """Translations of `sentences`; `progress` hears of each batch as it ends (of every
        sentence at the end when scores must be computed again: non-plain decoding)."""

        def done(rows: list[int], outputs: list[Output]) -> None:
            if progress is not None and all(o.score is not None for o in outputs):
                progress(rows, [self.translation(o) for o in outputs])
                reported.update(rows)

        reported: set[int] = set()
        results = [
            self.translation(out) if out is not None else Translation(text="", score=0.0)
            for out in self.decode(sentences, done if progress is not None else None)
        ]
        if progress is not None:
            rest = [i for i in range(len(results)) if i not in reported]
            if rest:
                progress(rest, [results[i] for i in rest])
        return results

    def decode(
        self,
        sentences: Sequence[str],
        done: Callable[[list[int], list[Output]], None] | None = None,
    ) -> list[Output | None]:
        """What the model generates for each sentence (token ids, eos, plain score, source
        tokens); None for a blank sentence. `done` hears of each batch as it is collected."""
        encoded = encode(self.tokenizer, sentences, self._max_input)
        outputs = translate_planned(
            sentences,
            encoded,
            self.decoding,
            self.positions,
            self.config.batch_tokens,
            self._submit,
            ahead=2 * self.runtime.inter_threads,
            done=done,
        )
        todo = {i: out for i, out in enumerate(outputs) if out is not None and out.score is None}
        fresh = self._score_alone(
            [encoded[i] for i in todo], [target_ids(out, self.eos_id) for out in todo.values()]
        )
        for (i, out), values in zip(todo.items(), fresh, strict=True):
            outputs[i] = replace(out, score=mean_log_prob(values))
        return outputs

    def translation(self, out: Output) -> Translation:
        return Translation(
            text=self.tokenizer.decode(out.ids, skip_special_tokens=True),
            score=0.0 if out.score is None else out.score,
            tokens=len(out.ids),
            src_tokens=out.src_tokens,
            unk=self.tokenizer.unk_token_id in out.ids,
        )

    def score(self, sources: Sequence[str], targets: Sequence[str | Sequence[int]]) -> list[float]:
        if len(sources) != len(targets):
            raise ValueError(f"{len(sources)} sources but {len(targets)} targets")
        encoded = encode(self.tokenizer, sources, self._max_input)
        ids = [self.target_tokens(t) for t in targets]
        return [mean_log_prob(values) for values in self._score_alone(encoded, ids)]

    def target_tokens(self, target: str | Sequence[int]) -> list[int]:
        if isinstance(target, str):
            ids = list(self.tokenizer(text_target=target, verbose=False)["input_ids"])
        else:
            ids = [int(t) for t in target]
        if len(ids) > self.positions:
            raise TranslationError(
                f"a target of {len(ids)} tokens cannot be scored: the model has "
                f"{self.positions} positions"
            )
        return ids

    @property
    def eos_id(self) -> int:
        return int(self.tokenizer.eos_token_id)

    def describe(self) -> dict[str, str]:
        return {
            "engine": self.name,
            "model": self.resolved.model,
            "revision": self.resolved.revision,
            "model_fingerprint": self.resolved.fingerprint,
            "device": self.runtime.device,
            "compute_type": self.runtime.compute_type,
            "inter_threads": str(self.runtime.inter_threads),
            "intra_threads": str(self.runtime.intra_threads),
            **decoding_info(self.decoding, self.beams, self.positions),
            "max_input_tokens": str(self._max_input),
            "score": SCORE_RULE,
            "scoring_version": SCORING_VERSION,
            **library_versions(self.libraries),
        }

    @abstractmethod
    def _submit(self, rows: list[list[int]], limit: int, width: int) -> Any:
        """Start decoding `rows` (one width class); return what waits for their Outputs."""

    @abstractmethod
    def _score_alone(self, sources: list[list[int]], targets: list[list[int]]) -> list[list[float]]:
        """Per-token log-probs of each target (as given) under the plain model, each pair
        computed alone (shapes fixed by the pair itself, so never by the others)."""


def target_ids(out: Output, eos: int) -> list[int]:
    return out.ids + [eos] if out.eos else list(out.ids)


def decoding_info(decoding: DecodingOptions, beams: int, positions: int) -> dict[str, str]:
    options = asdict(replace(decoding, num_beams=beams))
    return {
        "num_beams": str(beams),
        "decoding": json.dumps(options, sort_keys=True),
        "length_penalty": "1.0",
        "early_stopping": "true (beam search ends once num_beams hypotheses are finished)",
        "forced_eos": "none",
        "length_cap": (
            f"max_new_tokens, else max_length_ratio * ceil(source_tokens / {LENGTH_BUCKET}) * "
            f"{LENGTH_BUCKET} + max_length_offset; at most {positions - 1}"
        ),
    }


def library_versions(names: Sequence[str]) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
