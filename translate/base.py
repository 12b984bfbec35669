"""The engine interface: a batch of sentences in, one `Translation` per sentence out.

Everything in `corpus/` depends on this module only, never on a concrete engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol, runtime_checkable

from translate.errors import TranslationError

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-id-en"
ENGINES = ("auto", "transformers", "ctranslate2")
DEVICES = ("auto", "cpu", "cuda")
EngineName = Literal["auto", "transformers", "ctranslate2"]


@dataclass(frozen=True)
class Translation:
    """One translated sentence.

    `score` is the mean log-probability per target token (<= 0; higher is better).
    `tokens` counts the target tokens the model produced (eos excluded); `src_tokens` the
    source tokens the model read (eos included), 0 where an engine does not know.
    `split`: the source was too long for the model and was translated in pieces.
    `retried`: the first output looked degenerate and was decoded again with
    anti-repetition settings; `degenerate`: the kept output still looks degenerate.
    """

    text: str
    score: float
    tokens: int = 0
    src_tokens: int = 0
    split: bool = False
    retried: bool = False
    degenerate: bool = False


@dataclass(frozen=True)
class DecodingOptions:
    """Decoding settings shared by every engine.

    num_beams=None takes the model's generation config (4 for opus-mt). New tokens are
    bounded by `max_length_ratio * source_tokens + max_length_offset` (and the model's
    positions). `min_new_tokens`/`max_new_tokens` force lengths (benchmarks use both).
    """

    num_beams: int | None = None
    max_length_ratio: float = 2.0
    max_length_offset: int = 10
    min_new_tokens: int = 0
    max_new_tokens: int | None = None
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0

    def __post_init__(self) -> None:
        if self.num_beams is not None and self.num_beams < 1:
            raise ValueError(f"num_beams must be >= 1, got {self.num_beams}")
        if self.max_length_ratio <= 0:
            raise ValueError(f"max_length_ratio must be > 0, got {self.max_length_ratio}")
        if self.repetition_penalty <= 0:
            raise ValueError(f"repetition_penalty must be > 0, got {self.repetition_penalty}")
        if self.no_repeat_ngram_size < 0 or self.min_new_tokens < 0:
            raise ValueError("no_repeat_ngram_size and min_new_tokens must be >= 0")

    def new_token_limit(self, source_tokens: int, model_limit: int) -> int:
        if self.max_new_tokens is not None:
            return min(self.max_new_tokens, model_limit)
        bound = int(self.max_length_ratio * source_tokens) + self.max_length_offset
        return max(1, min(bound, model_limit))

    def anti_repetition(self) -> DecodingOptions:
        """The settings used to retry a degenerate output."""
        return replace(self, no_repeat_ngram_size=3, repetition_penalty=1.3)


@dataclass(frozen=True)
class EngineConfig:
    """Which model to load, where, and how to decode. Validated once, here."""

    model: str = DEFAULT_MODEL
    revision: str | None = None
    engine: str = "auto"
    device: str = "auto"
    compute_type: str = "auto"
    batch_tokens: int = 4096
    threads: int = 0
    max_input_tokens: int | None = None
    cache_dir: str | None = None
    decoding: DecodingOptions = field(default_factory=DecodingOptions)

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; choose one of: {', '.join(ENGINES)}")
        if self.device not in DEVICES:
            raise ValueError(f"unknown device {self.device!r}; choose one of: {', '.join(DEVICES)}")
        if self.batch_tokens < 1:
            raise ValueError(f"batch_tokens must be >= 1, got {self.batch_tokens}")
        if self.threads < 0:
            raise ValueError(f"threads must be >= 0 (0 = automatic), got {self.threads}")
        if self.max_input_tokens is not None and self.max_input_tokens < 8:
            raise ValueError(f"max_input_tokens must be >= 8, got {self.max_input_tokens}")


@runtime_checkable
class Translator(Protocol):
    """What `corpus/` needs of an engine."""

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate `sentences`; result i belongs to sentences[i]."""
        ...

    def describe(self) -> dict[str, str]:
        """Provenance: engine, model, revision, compute type, decoding options, versions."""
        ...


@runtime_checkable
class Engine(Translator, Protocol):
    """A Translator that runs a model itself (not a wrapper): it can count tokens and
    decode with other options, which the robustness layer needs."""

    @property
    def max_input_tokens(self) -> int: ...

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        """Source tokens per sentence, eos included."""
        ...

    def with_decoding(self, decoding: DecodingOptions) -> Engine:
        """The same loaded model, decoding with other options."""
        ...


def check_lengths(sentences: Sequence[str], results: Sequence[Translation]) -> list[Translation]:
    if len(results) != len(sentences):
        raise TranslationError(
            f"engine returned {len(results)} translations for {len(sentences)} sentences"
        )
    return list(results)
