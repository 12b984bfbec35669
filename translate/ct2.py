"""The CTranslate2 engine: the same Marian model, converted once, decoded in C++.

The transformers model is converted with `ctranslate2.converters.TransformersConverter` into
the cache (`EngineConfig.cache_dir`, default `<user cache>/idcorpus/ct2`), keyed by model id,
revision, content fingerprint, quantization and ctranslate2 version; the conversion is
written to a temporary directory and renamed into place, so a crash or a parallel run never
leaves a half-converted model. Later loads reuse it.

`compute_type="auto"`: int8 on CPU, float16 on CUDA. Threads (`EngineConfig.threads`, else
every core this process may run on): on CPU up to 4 translators decode batches in parallel
(`inter_threads`), sharing the cores (`intra_threads`); batches are submitted
asynchronously and collected in order.
Tokenization, batching, length limits and the score (mean log-prob per generated token,
eos included: `return_end_token=True, length_penalty=1`) are those of translate.marian, so
with greedy decoding in float32 both engines give the same translations (and with beam
search too, as both stop once `num_beams` hypotheses are finished). A repetition penalty
differs slightly: transformers' beam search applies it to log-probs, CTranslate2 to logits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from functools import partial
from pathlib import Path
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
    token_limit,
    translate_planned,
)

logger = logging.getLogger(__name__)

CT2_COMPUTE_TYPES = (
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)


def default_cache_root() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("idcorpus")) / "ct2"


def pick_device(device: str) -> str:
    import ctranslate2

    cuda = ctranslate2.get_cuda_device_count() > 0
    if device == "auto":
        return "cuda" if cuda else "cpu"
    if device == "cuda" and not cuda:
        raise ModelLoadError(
            "--device cuda was asked for but CTranslate2 sees no CUDA device; use --device cpu"
        )
    return device


def pick_compute_type(compute_type: str, device: str) -> str:
    if compute_type not in CT2_COMPUTE_TYPES:
        raise ModelLoadError(
            f"compute type {compute_type!r} is not supported by CTranslate2; choose one of: {', '.join(CT2_COMPUTE_TYPES)}"
        )
    if compute_type == "auto":
        return "float16" if device == "cuda" else "int8"
    return compute_type


def default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def thread_split(threads: int, device: str) -> tuple[int, int]:
    """(inter_threads, intra_threads) for `threads` cores.

    On CPU, batches side by side beat threads inside one batch (measured on 2 cores: 2x1
    ran about twice as fast as 1x2), so up to 4 translators run batches in parallel and share
    the remaining cores. On CUDA one translator feeds the GPU."""
    if device == "cuda":
        return 1, max(1, threads)
    inter = max(1, min(threads, 4))
    return inter, max(1, threads // inter)


def conversion_dir(resolved: ResolvedModel, quantization: str, root: Path) -> Path:
    import ctranslate2

    key = json.dumps(
        [
            resolved.model,
            resolved.revision,
            resolved.fingerprint,
            quantization,
            ctranslate2.__version__,
        ]
    )
    name = (
        "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(resolved.model).name)
        or "model"
    )
    return root / f"{name}-{quantization}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def convert_model(resolved: ResolvedModel, quantization: str, root: Path) -> tuple[Path, bool]:
    """The converted model directory, converting only when the cache lacks it.

    Returns (directory, converted_now)."""
    final = conversion_dir(resolved, quantization, root)
    if (final / "model.bin").is_file():
        return final, False
    from ctranslate2.converters import TransformersConverter

    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=root))
    try:
        logger.info(
            "converting %s to CTranslate2 (%s), once, into %s", resolved.model, quantization, final
        )
        converter = TransformersConverter(resolved.path, low_cpu_mem_usage=True)
        converter.convert(str(tmp / "model"), quantization=quantization, force=True)
        try:
            os.rename(tmp / "model", final)
        except OSError:
            if not (final / "model.bin").is_file():
                raise
    except (OSError, ValueError, RuntimeError, NotImplementedError) as e:
        raise ModelLoadError(
            f"cannot convert {resolved.model} to CTranslate2: {e}; try --engine transformers"
        ) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final, True


class CT2Engine:
    """Engine over a CTranslate2 Translator; see the module docstring."""

    name = "ctranslate2"

    def __init__(
        self,
        translator: Any,
        tokenizer: Any,
        config: EngineConfig,
        resolved: ResolvedModel,
        info: dict[str, str],
        positions: int,
        decoding: DecodingOptions,
        converted: bool,
    ) -> None:
        self.translator = translator
        self.tokenizer = tokenizer
        self.config = config
        self.resolved = resolved
        self.info = info
        self.positions = positions
        self.decoding = decoding
        self.converted = converted
        self._max_input = input_limit(config, tokenizer, positions)
        self.beams = decoding.num_beams or default_beams(resolved.path)

    @classmethod
    def load(cls, config: EngineConfig, resolved: ResolvedModel | None = None) -> CT2Engine:
        import ctranslate2

        resolved = resolved or resolve_model(config)
        device = pick_device(config.device)
        compute_type = pick_compute_type(config.compute_type, device)
        root = Path(config.cache_dir) / "ct2" if config.cache_dir else default_cache_root()
        path, converted = convert_model(resolved, compute_type, root)
        inter, intra = thread_split(config.threads or default_threads(), device)
        try:
            translator = ctranslate2.Translator(
                str(path),
                device=device,
                compute_type=compute_type,
                inter_threads=inter,
                intra_threads=intra,
            )
        except (RuntimeError, ValueError) as e:
            raise ModelLoadError(
                f"CTranslate2 cannot load {path} ({device}, {compute_type}): {e}"
            ) from e
        info = {
            "device": device,
            "compute_type": compute_type,
            "inter_threads": str(inter),
            "intra_threads": str(intra),
            "ctranslate2": ctranslate2.__version__,
        }
        tokenizer = load_tokenizer(resolved.path)
        positions = read_positions(resolved.path)
        return cls(
            translator, tokenizer, config, resolved, info, positions, config.decoding, converted
        )

    @property
    def max_input_tokens(self) -> int:
        return self._max_input

    def count_tokens(self, sentences: Sequence[str]) -> list[int]:
        return count_tokens(self.tokenizer, sentences)

    def with_decoding(self, decoding: DecodingOptions) -> CT2Engine:
        return CT2Engine(
            self.translator,
            self.tokenizer,
            self.config,
            self.resolved,
            self.info,
            self.positions,
            decoding,
            converted=False,
        )

    def describe(self) -> dict[str, str]:
        return {
            "engine": self.name,
            "model": self.resolved.model,
            "revision": self.resolved.revision,
            "model_fingerprint": self.resolved.fingerprint,
            **self.info,
            **decoding_info(self.decoding, self.beams),
        }

    def translate_batch(self, sentences: Sequence[str]) -> list[Translation]:
        encoded = encode(self.tokenizer, sentences, self._max_input)
        limits = [token_limit(self.decoding, len(ids), self.positions) for ids in encoded]
        return translate_planned(sentences, encoded, limits, self.config.batch_tokens, self._submit)

    def _submit(self, rows: list[list[int]], limit: int) -> Batch:
        """Queue a batch (asynchronously: `inter_threads` batches run in parallel)."""
        source = [self.tokenizer.convert_ids_to_tokens(ids) for ids in rows]
        try:
            pending = self.translator.translate_batch(
                source,
                beam_size=self.beams,
                patience=1,
                num_hypotheses=1,
                length_penalty=1.0,
                max_decoding_length=limit,
                min_decoding_length=min(self.decoding.min_new_tokens, limit),
                no_repeat_ngram_size=self.decoding.no_repeat_ngram_size,
                repetition_penalty=self.decoding.repetition_penalty,
                return_scores=True,
                return_end_token=True,
                max_input_length=0,
                max_batch_size=0,
                asynchronous=True,
            )
        except (RuntimeError, ValueError) as e:
            raise TranslationError(f"CTranslate2 rejected a batch of {len(rows)}: {e}") from e
        return partial(self._collect, pending)

    def _collect(self, pending: list[Any]) -> list[Translation]:
        try:
            results = [p.result() for p in pending]
        except (RuntimeError, ValueError) as e:
            raise TranslationError(f"CTranslate2 failed on a batch of {len(pending)}: {e}") from e
        return [self.make(r.hypotheses[0], r.scores[0]) for r in results]

    def make(self, tokens: list[str], score: float) -> Translation:
        eos = self.tokenizer.eos_token
        body = tokens[:-1] if tokens and tokens[-1] == eos else tokens
        ids = self.tokenizer.convert_tokens_to_ids(body)
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        return Translation(text=text, score=min(round(float(score), 6), 0.0), tokens=len(body))


def read_positions(path: str) -> int:
    config = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
    return int(config.get("max_position_embeddings") or 512)


def default_beams(path: str) -> int:
    """num_beams of the model's generation config (as transformers would use), else 1."""
    for name in ("generation_config.json", "config.json"):
        file = Path(path) / name
        if file.is_file():
            beams = json.loads(file.read_text(encoding="utf-8")).get("num_beams")
            if beams:
                return int(beams)
    return 1
