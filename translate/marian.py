"""The transformers engine: MarianMT (opus-mt) with `generate`.

Decoding follows the opus-mt recipe: `<pad>` banned (it is the decoder start token and the
model must never emit it; transformers PR #4290/#25459), beam size from the model's
generation config unless given, `length_penalty=1`. Beam search renormalises after the
bans and stops once `num_beams` hypotheses are finished (`early_stopping=True`), as Marian
and CTranslate2 do, so both engines find the same hypotheses. `forced_eos_token_id` is not
used: a hypothesis cut at the length limit ends without eos, as in CTranslate2.

Score (translate.engine): with plain decoding it comes from a small per-step record of
the distribution the decoder chose from (translate/marian_scores.py); otherwise each
output is scored again alone by a forced forward pass (log_softmax + gather). The model is
loaded by translate/marian_load.py.

Batches are independent of each other's contents (translate.plan): sources are padded to
their width class, every product runs with at least `MIN_ROWS` rows, and on CPU each batch
runs on one thread (`torch.set_num_threads(1)`), up to `MAX_INTER_THREADS` batches side by
side — MKL splits the rows of a product between its threads, and a share of fewer than
four rows would be computed differently.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from translate.base import EngineConfig
from translate.engine import BaseEngine, Runtime
from translate.errors import TranslationError
from translate.marian_load import load_model, pick_device, pick_dtype
from translate.marian_scores import StepRecorder, path_log_probs
from translate.plan import (
    MIN_ROWS,
    Output,
    Queued,
    default_threads,
    load_tokenizer,
    mean_log_prob,
    model_positions,
    thread_split,
)
from translate.resolve import ResolvedModel, resolve_model

logger = logging.getLogger(__name__)


class MarianEngine(BaseEngine):
    """Engine over a transformers seq2seq model (MarianMT); see the module docstring."""

    name = "transformers"
    libraries = ("transformers", "tokenizers", "sentencepiece", "torch")

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        config: EngineConfig,
        resolved: ResolvedModel,
        runtime: Runtime,
    ) -> None:
        beams = int(getattr(model.generation_config, "num_beams", 1) or 1)
        super().__init__(tokenizer, config, resolved, runtime, model_positions(model.config), beams)
        self.model = model
        self.pool = (
            ThreadPoolExecutor(runtime.inter_threads, thread_name_prefix="idcorpus-hf")
            if runtime.device == "cpu" and runtime.inter_threads > 1
            else None
        )

    @classmethod
    def load(cls, config: EngineConfig, resolved: ResolvedModel | None = None) -> MarianEngine:
        import torch

        resolved = resolved or resolve_model(config)
        device = pick_device(config.device)
        compute_type = pick_dtype(config.compute_type, device)
        inter, intra = thread_split(config.threads or default_threads(), device)
        if device == "cpu":
            intra = 1
            torch.set_num_threads(1)  # one thread per batch: see the module docstring
        elif config.threads > 0:
            torch.set_num_threads(config.threads)
        tokenizer = load_tokenizer(resolved.path)
        model = load_model(resolved.path, getattr(torch, compute_type), device)
        logger.info("loaded %s on %s (%s)", resolved.model, device, compute_type)
        return cls(model, tokenizer, config, resolved, Runtime(device, compute_type, inter, intra))

    def _submit(self, rows: list[list[int]], limit: int, width: int) -> Callable[[], list[Output]]:
        if self.pool is None:
            return partial(self._generate, rows, limit, width)  # runs when collected
        return Queued(self.pool.submit(self._generate, rows, limit, width))

    def generation_config(self, limit: int, recorded: bool = True) -> Any:
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
            renormalize_logits=self.beams > 1 and not recorded,  # StepRecorder renormalises
            bad_words_ids=[[pad]],
            forced_eos_token_id=None,
            pad_token_id=pad,
            output_scores=False,
            return_dict_in_generate=False,
            early_stopping=self.beams > 1,
        )
        return gen

    def _generate(self, rows: list[list[int]], limit: int, width: int) -> list[Output]:
        import torch
        from transformers import LogitsProcessorList

        pad = self.tokenizer.pad_token_id
        real = len(rows)
        rows = rows + [rows[-1]] * max(0, -(-MIN_ROWS // self.beams) - real)
        input_ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=self.device)
        mask = torch.tensor(
            [[1] * len(r) + [0] * (width - len(r)) for r in rows], device=self.device
        )
        plain = self.decoding.plain
        recorder = StepRecorder(2 * self.beams if self.beams > 1 else 1)
        extra = {cache_kwarg(): beam_cache(self.model.config)} if self.beams > 1 else {}
        try:
            with torch.inference_mode():
                sequences = self.model.generate(
                    input_ids=input_ids,
                    attention_mask=mask,
                    generation_config=self.generation_config(limit, recorded=plain),
                    logits_processor=LogitsProcessorList([recorder] if plain else []),
                    **extra,
                )
        except (RuntimeError, ValueError) as e:
            raise TranslationError(f"generation failed on a batch of {real}: {e}") from e
        sequences = sequences.cpu()
        log_probs = None
        if plain:
            recorder.prefixes = [p.cpu() for p in recorder.prefixes]
            recorder.top = [(i.cpu(), v.cpu()) for i, v in recorder.top]
            log_probs = path_log_probs(recorder, sequences, self.beams)
        return self.outputs(sequences, log_probs)[:real]

    def outputs(self, sequences: Any, log_probs: Any | None) -> list[Output]:
        """Outputs of generated `sequences` (decoder start first), scored from `log_probs`."""
        pad, eos = self.tokenizer.pad_token_id, self.eos_id
        out = []
        for i, seq in enumerate(sequences[:, 1:].tolist()):
            n = next((j for j, t in enumerate(seq) if t in (pad, eos)), len(seq))
            ended = n < len(seq) and seq[n] == eos
            score = None
            if log_probs is not None:
                score = mean_log_prob(log_probs[i, : n + 1 if ended else n].tolist())
            out.append(Output(seq[:n], ended, score))
        return out

    def _score_alone(self, sources: list[list[int]], targets: list[list[int]]) -> list[list[float]]:
        pairs = list(zip(sources, targets, strict=True))
        if self.pool is None:
            return [self.forced_log_probs(s, t) for s, t in pairs]
        return list(self.pool.map(lambda pair: self.forced_log_probs(*pair), pairs))

    def forced_log_probs(self, source: list[int], target: list[int]) -> list[float]:
        """Log-prob of each token of `target` given `source` and the tokens before it."""
        import torch

        if not target:
            return []
        start = self.model.config.decoder_start_token_id
        with torch.inference_mode():
            logits = self.model(
                input_ids=torch.tensor([source], device=self.device),
                decoder_input_ids=torch.tensor([[start] + target[:-1]], device=self.device),
            ).logits[0]
            logits = logits.float()
            logits[:, self.tokenizer.pad_token_id] = float("-inf")
            picked = logits.log_softmax(-1).gather(
                -1, torch.tensor(target, device=self.device)[:, None]
            )
        return [float(v) for v in picked[:, 0].cpu()]

    @property
    def device(self) -> str:
        return self.runtime.device


def cache_kwarg() -> str:
    """The `generate` keyword of a prepared cache: `cache` from transformers 5.24 on,
    `past_key_values` before (the same object; only the name changed)."""
    import transformers

    major, minor = (int(p) for p in transformers.__version__.split(".")[:2])
    return "cache" if (major, minor) >= (5, 24) else "past_key_values"


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
