"""The transformers engine: MarianMT (opus-mt) with `generate`.

Decoding follows the opus-mt recipe: `<pad>` banned (it is the decoder start token and the
model must never emit it; transformers PR #4290/#25459), renormalised logits (done by
`StepRecorder`, last in the chain, as `renormalize_logits=True` would), beam size
from the model's generation config unless given. Beam search stops once `num_beams`
hypotheses are finished (`early_stopping=True`, as Marian and CTranslate2 do), so both
engines find the same hypotheses. Sentences are batched by a token budget,
longest first, and the input order is restored.

Score (both engines): the mean log-probability per generated token, eos included when the
model emitted it, from the processed distribution the decoder chose from (pad banned,
n-gram/repetition rules applied, renormalised). For beam search this equals transformers'
`sequences_scores` with `length_penalty=1`; CTranslate2 gives the same with
`return_end_token=True, length_penalty=1`. It is taken from a small per-step top-k record
(not `output_scores`, which would keep a vocabulary-sized tensor per step), rounded to 6
decimals. `forced_eos_token_id` is not used: a hypothesis cut at the length limit ends
without eos, as in CTranslate2.

Tokenization, length limits and batching are shared with the CTranslate2 engine
(translate.plan): a translation never depends on which sentences share its batch.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from translate.base import DecodingOptions, EngineConfig, Translation
from translate.errors import ModelLoadError, TranslationError
from translate.load import ResolvedModel, resolve_model
from translate.plan import (
    Batch,
    count_tokens,
    decoding_info,
    encode,
    input_limit,
    load_tokenizer,
    model_positions,
    token_limit,
    translate_planned,
)

logger = logging.getLogger(__name__)

HF_COMPUTE_TYPES = ("auto", "float32", "float16", "bfloat16")


class StepRecorder:
    """The last logits processor: renormalises, and keeps each step's prefixes and top-k.

    It stands in for `renormalize_logits=True` (transformers' LogitNormalization, a
    log-softmax after every other processor), so the recorded values are the log-probs the
    decoder chose from. Beam search only ever extends a row with one of its 2 * num_beams
    best tokens, so the top-k per row holds every token a final hypothesis used. Greedy
    search (k=1) needs no normalised output (argmax is unchanged): it records
    max - logsumexp only.
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self.prefixes: list[Any] = []
        self.top: list[tuple[Any, Any]] = []

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.k > 1:
            scores = scores.log_softmax(-1)
            values, ids = scores.topk(self.k, dim=-1)
        else:
            values, ids = scores.max(-1, keepdim=True)
            values = values - scores.logsumexp(-1, keepdim=True)
        self.prefixes.append(input_ids.clone())
        self.top.append((ids, values))
        return scores


def path_log_probs(recorder: StepRecorder, sequences: Any, beams: int) -> Any:
    """Log-prob of each generated token of `sequences` (B, 1+T) -> (B, T); NaN where unknown."""
    import torch

    batch, steps = sequences.shape[0], min(sequences.shape[1] - 1, len(recorder.top))
    out = torch.full((batch, sequences.shape[1] - 1), float("nan"))
    for t in range(steps):
        ids, values = (x.view(batch, beams, -1) for x in recorder.top[t])
        row = torch.zeros(batch, dtype=torch.long)
        if beams > 1:
            prefixes = recorder.prefixes[t].view(batch, beams, -1)
            match = (prefixes == sequences[:, None, : t + 1]).all(-1)
            row = match.int().argmax(-1)
        pick = torch.arange(batch)
        hit = ids[pick, row] == sequences[:, t + 1, None]
        found = hit.any(-1)
        value = (values[pick, row] * hit).sum(-1)
        out[:, t] = torch.where(found, value.float(), torch.tensor(float("nan")))
    return out


class MarianEngine:
    """Engine over a transformers seq2seq model (MarianMT); see the module docstring."""

    name = "transformers"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        config: EngineConfig,
        resolved: ResolvedModel,
        device: str,
        compute_type: str,
        decoding: DecodingOptions,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.resolved = resolved
        self.device = device
        self.compute_type = compute_type
        self.decoding = decoding
        self.positions = model_positions(model.config)
        self._max_input = input_limit(config, tokenizer, self.positions)
        self.beams = decoding.num_beams or int(
            getattr(model.generation_config, "num_beams", 1) or 1
        )

    @classmethod
    def load(cls, config: EngineConfig, resolved: ResolvedModel | None = None) -> MarianEngine:
        import torch

        resolved = resolved or resolve_model(config)
        device = pick_device(config.device)
        compute_type = pick_dtype(config.compute_type, device)
        if config.threads > 0:
            torch.set_num_threads(config.threads)
        tokenizer = load_tokenizer(resolved.path)
        model = load_model(resolved.path, getattr(torch, compute_type), device)
        logger.info("loaded %s on %s (%s)", resolved.model, device, compute_type)
        return cls(model, tokenizer, config, resolved, device, compute_type, config.decoding)

    @property
    def max_input_tokens(self) -> int:
        return self._max_input

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return count_tokens(self.tokenizer, sentences)

    def with_decoding(self, decoding: DecodingOptions) -> MarianEngine:
        return MarianEngine(
            self.model,
            self.tokenizer,
            self.config,
            self.resolved,
            self.device,
            self.compute_type,
            decoding,
        )

    def describe(self) -> dict[str, str]:
        import torch
        import transformers

        return {
            "engine": self.name,
            "model": self.resolved.model,
            "revision": self.resolved.revision,
            "model_fingerprint": self.resolved.fingerprint,
            "device": self.device,
            "compute_type": self.compute_type,
            **decoding_info(self.decoding, self.beams),
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        }

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        encoded = encode(self.tokenizer, sentences, self._max_input)
        limits = [token_limit(self.decoding, len(ids), self.positions) for ids in encoded]
        return translate_planned(sentences, encoded, limits, self.config.batch_tokens, self._submit)

    def _submit(self, rows: list[list[int]], limit: int) -> Batch:
        return partial(self._generate, rows, limit)  # runs when collected, one batch at a time

    def generation_config(self, limit: int) -> Any:
        gen = copy.deepcopy(self.model.generation_config)
        pad = self.tokenizer.pad_token_id
        gen.update(
            num_beams=self.beams,
            do_sample=False,
            num_return_sequences=1,
            length_penalty=1.0,
            max_length=limit + 1,
            max_new_tokens=None,
            min_new_tokens=min(self.decoding.min_new_tokens, limit),
            no_repeat_ngram_size=self.decoding.no_repeat_ngram_size or None,
            repetition_penalty=self.decoding.repetition_penalty,
            renormalize_logits=False,  # StepRecorder renormalises, last
            bad_words_ids=[[pad]],
            forced_eos_token_id=None,
            pad_token_id=pad,
            output_scores=False,
            return_dict_in_generate=False,
            early_stopping=self.beams > 1,
        )
        return gen

    def _generate(self, rows: list[list[int]], limit: int) -> list[Translation]:
        import torch
        from transformers import LogitsProcessorList

        pad, eos = self.tokenizer.pad_token_id, self.tokenizer.eos_token_id
        width = max(len(r) for r in rows)
        input_ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=self.device)
        mask = torch.tensor(
            [[1] * len(r) + [0] * (width - len(r)) for r in rows], device=self.device
        )
        recorder = StepRecorder(2 * self.beams if self.beams > 1 else 1)
        extra = {"cache": beam_cache(self.model.config)} if self.beams > 1 else {}
        try:
            with torch.inference_mode():
                sequences = self.model.generate(
                    input_ids=input_ids,
                    attention_mask=mask,
                    generation_config=self.generation_config(limit),
                    logits_processor=LogitsProcessorList([recorder]),
                    **extra,
                )
        except (RuntimeError, ValueError) as e:
            raise TranslationError(f"generation failed on a batch of {len(rows)}: {e}") from e
        sequences = sequences.cpu()
        recorder.prefixes = [p.cpu() for p in recorder.prefixes]
        recorder.top = [(i.cpu(), v.cpu()) for i, v in recorder.top]
        return self.results(sequences, path_log_probs(recorder, sequences, self.beams), pad, eos)

    def results(self, sequences: Any, log_probs: Any, pad: int, eos: int) -> list[Translation]:
        out = []
        for seq, lp in zip(sequences[:, 1:].tolist(), log_probs, strict=True):
            n = next((i for i, t in enumerate(seq) if t in (pad, eos)), len(seq))
            scored = n + 1 if n < len(seq) and seq[n] == eos else n
            out.append(make_translation(self.tokenizer, seq[:n], lp[:scored].tolist()))
        return out


def beam_cache(config: Any) -> Any:
    """A beam-search cache that does not reorder the cross-attention keys and values.

    transformers reorders every cache layer after each step; but all beams of a sentence
    attend to the same encoder output and beams are only ever reordered within their
    sentence, so the cross-attention part is unchanged by it: copying it is pure waste
    (about 15% of beam-4 time on CPU for the opus-mt shape)."""
    from transformers import DynamicCache, EncoderDecoderCache

    class SharedCrossCache(DynamicCache):
        def reorder_cache(self, beam_idx: Any) -> None:
            return None

    return EncoderDecoderCache(DynamicCache(config=config), SharedCrossCache(config=config))


def make_translation(tokenizer: Any, ids: list[int], log_probs: list[float]) -> Translation:
    """Text, mean log-prob (6 decimals) and token count of one generated sequence."""
    if any(v != v for v in log_probs):  # NaN: a token missing from the step record
        raise TranslationError("internal error: a generated token has no recorded score")
    score = round(sum(log_probs) / len(log_probs), 6) if log_probs else 0.0
    text = tokenizer.decode(ids, skip_special_tokens=True)
    return Translation(text=text, score=min(score, 0.0), tokens=len(ids))


def pick_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError(
            "--device cuda was asked for but torch sees no CUDA device; use --device cpu"
        )
    return device


def pick_dtype(compute_type: str, device: str) -> str:
    if compute_type not in HF_COMPUTE_TYPES:
        raise ModelLoadError(
            f"compute type {compute_type!r} is not supported by the transformers engine; "
            f"choose one of: {', '.join(HF_COMPUTE_TYPES)} (or use --engine ctranslate2)"
        )
    if compute_type == "auto":
        return "float16" if device == "cuda" else "float32"
    return compute_type


def load_model(path: str, dtype: Any, device: str) -> Any:
    """The safetensors weights; a file that lacks some of the model's weights is refused
    (transformers would fill them with random values and only log it)."""
    from safetensors import SafetensorError
    from transformers import AutoModelForSeq2SeqLM

    try:
        model, info = AutoModelForSeq2SeqLM.from_pretrained(
            path, use_safetensors=True, dtype=dtype, output_loading_info=True
        )
        # generate() fills unset options from here: without this a hypothesis cut at the
        # length limit would end in a forced eos (CTranslate2 just stops)
        model.generation_config.forced_eos_token_id = None
    except (OSError, ValueError, KeyError, ImportError, RuntimeError, SafetensorError) as e:
        raise ModelLoadError(
            f"cannot load the model weights from {path} ({type(e).__name__}: {e}); only "
            "safetensors weights that match config.json are loaded: copy or download the "
            "model again"
        ) from e
    derived = ("embed_positions.weight", "final_logits_bias")  # rebuilt when absent
    missing = sorted(k for k in info.get("missing_keys", ()) if not k.endswith(derived))
    if missing:
        raise ModelLoadError(
            f"the weights in {path} lack {len(missing)} tensor(s) the model needs "
            f"({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''}): the "
            "safetensors file is incomplete or of another model; copy or download it again"
        )
    return model.to(device).eval()
