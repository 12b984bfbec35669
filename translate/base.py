"""The engine interface: a batch of sentences in, one `Translation` per sentence out.

Everything in `corpus/` depends on this module only, never on a concrete engine.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol, runtime_checkable

from translate.errors import ConfigError, ModelLoadError, TranslationError
from translate.options import flag, nested

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-id-en"
ENGINES = ("auto", "transformers", "ctranslate2")
DEVICES = ("auto", "cpu", "cuda")
EngineName = Literal["auto", "transformers", "ctranslate2"]
RETRY_NO_REPEAT_NGRAM = 3
VOLATILE_KEYS = frozenset({"inter_threads", "intra_threads", "threads"})
"""Keys of `describe()` that do not shape the output (thread counts): identities ignore them."""


@dataclass(frozen=True)
class Translation:
    """One translated sentence.

    `score` is the plain model's mean log-probability per target token of `text`'s tokens
    (eos included when the model emitted it; <= 0, higher is better): the model's own
    distribution, with `<pad>` (never an output token) left out and no penalty applied,
    whatever decoding produced the text (a retry's n-gram ban, a forced minimum length).
    NaN: no score (a translation that was given, not made, with no model to score it).
    It does not depend on which other sentences were translated in the same batch.
    `tokens` counts the target tokens the model produced (eos excluded); `src_tokens` the
    source tokens the model read (eos included), 0 where an engine does not know.
    `split`: the source was too long for the model and was translated in pieces.
    `retried`: the first output looked degenerate and was decoded again with
    anti-repetition settings; `degenerate`: the kept output still looks degenerate.
    `unk`: the model emitted `<unk>`, which the decoded text silently leaves out.
    """

    text: str
    score: float
    tokens: int = 0
    src_tokens: int = 0
    split: bool = False
    retried: bool = False
    degenerate: bool = False
    unk: bool = False


@dataclass(frozen=True)
class DecodingOptions:
    """Decoding settings shared by every engine.

    num_beams=None takes the model's generation config (4 for opus-mt). New tokens are
    bounded by `max_length_ratio * source_tokens + max_length_offset` (and the model's
    positions). `min_new_tokens`/`max_new_tokens` force lengths. Decoding that is not
    `plain` (a minimum length, an n-gram ban, a repetition penalty) changes which tokens
    the decoder may pick, so engines score its outputs again with the plain model.
    """

    num_beams: int | None = field(
        default=None,
        metadata=flag(
            "beam size: 1 is greedy (fastest), larger searches more translations",
            default_text="the model's, 4 for opus-mt-id-en",
        ),
    )
    max_length_ratio: float = 2.0
    max_length_offset: int = 10
    min_new_tokens: int = 0
    max_new_tokens: int | None = None
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0

    def __post_init__(self) -> None:
        if self.num_beams is not None and self.num_beams < 1:
            raise ConfigError(f"--num-beams must be >= 1, got {self.num_beams}")
        for name in ("max_length_ratio", "repetition_penalty"):
            if not math.isfinite(getattr(self, name)):
                raise ConfigError(f"{name} must be a finite number, got {getattr(self, name)}")
        if self.max_length_ratio <= 0:
            raise ConfigError(f"max_length_ratio must be > 0, got {self.max_length_ratio}")
        if self.repetition_penalty <= 0:
            raise ConfigError(f"repetition_penalty must be > 0, got {self.repetition_penalty}")
        if self.no_repeat_ngram_size < 0 or self.min_new_tokens < 0:
            raise ConfigError("no_repeat_ngram_size and min_new_tokens must be >= 0")

    def new_token_limit(self, source_tokens: int, model_limit: int) -> int:
        if self.max_new_tokens is not None:
            return min(self.max_new_tokens, model_limit)
        bound = int(self.max_length_ratio * source_tokens) + self.max_length_offset
        return max(1, min(bound, model_limit))

    @property
    def plain(self) -> bool:
        """True when the decoder picks from the model's own distribution (no bans, no penalty)."""
        return (
            self.no_repeat_ngram_size == 0
            and self.repetition_penalty == 1.0
            and self.min_new_tokens == 0
        )

    def anti_repetition(self) -> DecodingOptions:
        """The settings used to retry a degenerate output: an n-gram ban only.

        Both engines ban the same tokens for it (a repetition penalty would not do: transformers
        applies it to log-probs in beam search, CTranslate2 to logits), so they keep giving
        the same translations."""
        return replace(self, no_repeat_ngram_size=RETRY_NO_REPEAT_NGRAM, repetition_penalty=1.0)


@dataclass(frozen=True)
class EngineConfig:
    """Which model to load, where, and how to decode. Validated once, here. The fields with
    `flag(...)` are the command-line options of `build` and `evaluate` (translate.options)."""

    model: str | None = field(
        default=None,
        metadata=flag(
            "the translation model: a Hugging Face hub id (needs network the first time) or a "
            "local folder of a Marian model; with given translations (--target, "
            "--target-field) the model that scores them (none: no score)",
            metavar="ID|FOLDER",
            default_text=DEFAULT_MODEL,
        ),
    )
    revision: str | None = field(
        default=None,
        metadata=flag("model revision on the hub: branch, tag or commit", default_text="latest"),
    )
    engine: str = field(
        default="auto",
        metadata=flag(
            "translation engine; auto takes ctranslate2 when it is installed, else transformers",
            choices=ENGINES,
        ),
    )
    device: str = field(
        default="auto",
        metadata=flag("where the engine runs; auto takes a GPU when there is one", choices=DEVICES),
    )
    compute_type: str = field(
        default="auto",
        metadata=flag(
            "number precision: float32, float16, int8, int8_float16, ... (auto: int8 for "
            "ctranslate2 on CPU, float16 on a GPU, else float32)"
        ),
    )
    decoding: DecodingOptions = field(
        default_factory=DecodingOptions, metadata=nested(DecodingOptions)
    )
    batch_tokens: int = field(
        default=4096,
        metadata=flag("padded tokens per engine batch (speed only: the output is the same)"),
    )
    threads: int = field(
        default=0, metadata=flag("CPU threads of the engine; 0 takes the machine's cores")
    )
    max_input_tokens: int | None = field(
        default=None,
        metadata=flag(
            "longest source sentence in tokens; a longer one is translated in pieces split at "
            "clauses",
            name="--max-tokens",
            default_text="the model's limit",
        ),
    )
    cache_dir: str | None = None

    @property
    def model_id(self) -> str:
        """The model to load: the one named, else DEFAULT_MODEL (`model` is None when none was
        named, which given translations need to know: they are scored only by a named model)."""
        return self.model or DEFAULT_MODEL

    def __post_init__(self) -> None:
        if self.model is not None and not self.model.strip():
            raise ConfigError("--model must not be empty (leave it out for the default model)")
        if self.engine not in ENGINES:
            raise ConfigError(
                f"unknown engine {self.engine!r}; choose one of: {', '.join(ENGINES)}"
            )
        if self.device not in DEVICES:
            raise ConfigError(
                f"unknown device {self.device!r}; choose one of: {', '.join(DEVICES)}"
            )
        if self.batch_tokens < 1:
            raise ConfigError(f"--batch-tokens must be >= 1, got {self.batch_tokens}")
        if self.threads < 0:
            raise ConfigError(f"--threads must be >= 0 (0 = automatic), got {self.threads}")
        if self.max_input_tokens is not None and self.max_input_tokens < 8:
            raise ConfigError(f"--max-tokens must be >= 8, got {self.max_input_tokens}")


BatchDone = Callable[[Sequence[int], Sequence[Translation]], None]
"""Progress of one `translate_batch` call: called as each internal batch ends with the indices
(into the call's sentences) it finished and their translations, the ones the call returns."""


@runtime_checkable
class Translator(Protocol):
    """What `corpus/` needs of an engine. `translate_batch` may also take `progress`, a
    BatchDone called as its internal batches end (`translate_with_progress` calls it so when
    it can): how a caller shows progress, keeps what is done and stops between batches."""

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate `sentences`; result i belongs to sentences[i]."""
        ...

    def describe(self) -> dict[str, str]:
        """Everything that shapes the output: engine, model, revision and fingerprint, device,
        compute type, every decoding setting, the versions of our own logic and of the
        libraries. Keys in `VOLATILE_KEYS` (thread counts) are informative only."""
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

    def score(self, sources: Sequence[str], targets: Sequence[str | Sequence[int]]) -> list[float]:
        """The plain model's mean log-prob per token of each target given its source: a text
        is tokenized and ends with eos; token ids are scored as given (eos only if present).
        Each pair is scored alone, so the value never depends on the others."""
        ...


def takes_progress(translator: object) -> bool:
    """Whether `translator.translate_batch` accepts `progress=`."""
    method = getattr(translator, "translate_batch", None)
    try:
        params = inspect.signature(method).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return "progress" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def translate_with_progress(
    translator: Translator, sentences: Sequence[str], progress: BatchDone | None
) -> list[Translation]:
    """`translator.translate_batch(sentences)`, reporting `progress` per internal batch when
    the translator can, else once for the whole call."""
    if progress is None:
        return translator.translate_batch(sentences)
    if takes_progress(translator):
        return translator.translate_batch(sentences, progress=progress)  # type: ignore[call-arg]
    results = translator.translate_batch(sentences)
    progress(range(len(results)), results)
    return results


def check_lengths(sentences: Sequence[str], results: Sequence[Translation]) -> list[Translation]:
    if len(results) != len(sentences):
        raise TranslationError(
            f"engine returned {len(results)} translations for {len(sentences)} sentences"
        )
    return list(results)


def chosen_device(device: str, cuda: bool, library: str) -> str:
    """`device` ("auto", "cpu" or "cuda") as an engine runs it, given whether `library` (the
    engine's own runtime: torch, CTranslate2) sees a CUDA device; "cuda" without one is the
    user's to fix."""
    if device == "auto":
        return "cuda" if cuda else "cpu"
    if device == "cuda" and not cuda:
        raise ModelLoadError(
            f"--device cuda was asked for but {library} sees no CUDA device; use --device cpu"
        )
    return device
