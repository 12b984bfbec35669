"""The CTranslate2 engine: the same Marian model, converted once, decoded in C++.

The transformers model is converted with `ctranslate2.converters.TransformersConverter` into
the cache (`EngineConfig.cache_dir`, default `<user cache>/idcorpus/ct2`), keyed by model id,
revision, content fingerprint, quantization and ctranslate2 version; the conversion is
written to a temporary directory and renamed into place, so a crash or a parallel run never
leaves a half-converted model. Later loads reuse it. The converter drops `<pad>` from the
vocabulary (it is only the decoder start), so the model never emits it.

`compute_type="auto"`: int8 on CPU, float16 on CUDA. Threads (`EngineConfig.threads`, else
every core this process may run on): on CPU up to 4 translators decode batches in parallel
(`inter_threads`), sharing the cores (`intra_threads`); batches are submitted
asynchronously and collected in order.

Tokenization, batching, length limits and the score are those of translate.engine, so with
greedy decoding or beam search in float32 both engines give the same translations. A batch
whose sources are all shorter than their width class gets an anchor row of exactly that
width (`</s>` tokens; in greedy search a callback stops it at once), so every source is
padded to its class width whatever shares its batch; CTranslate2 computes rows
independently (exactly so in int8: its matrix products accumulate in integers), so scores
do not depend on batching. The plain score is CTranslate2's own (`return_scores`,
`length_penalty=1`, `min_decoding_length=0`: equal to `score_batch` of the output);
outputs of other decoding are scored again with `score_batch`, one pair per batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from translate.base import EngineConfig, chosen_device
from translate.engine import BaseEngine, Runtime
from translate.errors import ModelLoadError, TranslationError
from translate.plan import Output, default_threads, finish_score, load_tokenizer, thread_split
from translate.resolve import ResolvedModel, resolve_model

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

    return chosen_device(device, ctranslate2.get_cuda_device_count() > 0, "CTranslate2")


def pick_compute_type(compute_type: str, device: str) -> str:
    if compute_type not in CT2_COMPUTE_TYPES:
        raise ModelLoadError(
            f"compute type {compute_type!r} is not supported by CTranslate2; choose one of: {', '.join(CT2_COMPUTE_TYPES)}"
        )
    if compute_type == "auto":
        return "float16" if device == "cuda" else "int8"
    return compute_type


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
            f"cannot convert the model folder {resolved.path} to CTranslate2 ({e}): copy or "
            "download the whole folder again; if that does not help, rerun with -v and report it"
        ) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final, True


class CT2Engine(BaseEngine):
    """Engine over a CTranslate2 Translator; see the module docstring."""

    name = "ctranslate2"
    libraries = ("ctranslate2", "transformers", "tokenizers", "sentencepiece")

    def __init__(
        self,
        translator: Any,
        tokenizer: Any,
        config: EngineConfig,
        resolved: ResolvedModel,
        runtime: Runtime,
        positions: int,
        converted: bool,
    ) -> None:
        super().__init__(
            tokenizer, config, resolved, runtime, positions, default_beams(resolved.path)
        )
        self.translator = translator
        self.converted = converted

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
        tokenizer = load_tokenizer(resolved.path)
        runtime = Runtime(device, compute_type, inter, intra)
        return cls(
            translator,
            tokenizer,
            config,
            resolved,
            runtime,
            read_positions(resolved.path),
            converted,
        )

    def _submit(self, rows: list[list[int]], limit: int, width: int) -> Callable[[], list[Output]]:
        """Queue a batch (asynchronously: `inter_threads` batches run in parallel)."""
        source = [self.tokenizer.convert_ids_to_tokens(ids) for ids in rows]
        options: dict[str, Any] = {}
        if max(len(r) for r in rows) < width:
            source.append([self.tokenizer.eos_token] * width)  # the anchor row
            if self.beams == 1:
                options["callback"] = partial(is_row, len(rows))
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
                return_scores=self.decoding.plain,
                return_end_token=True,
                max_input_length=0,
                max_batch_size=0,
                asynchronous=True,
                **options,
            )
        except (RuntimeError, ValueError) as e:
            raise TranslationError(f"CTranslate2 rejected a batch of {len(rows)}: {e}") from e
        return partial(self._collect, pending[: len(rows)])

    def _collect(self, pending: list[Any]) -> list[Output]:
        try:
            results = [p.result() for p in pending]
        except (RuntimeError, ValueError) as e:
            raise TranslationError(f"CTranslate2 failed on a batch of {len(pending)}: {e}") from e
        return [self.output(r.hypotheses[0], r.scores[0] if r.scores else None) for r in results]

    def output(self, tokens: list[str], score: float | None) -> Output:
        eos = bool(tokens) and tokens[-1] == self.tokenizer.eos_token
        ids = self.tokenizer.convert_tokens_to_ids(tokens[:-1] if eos else tokens)
        return Output(ids, eos, None if score is None else finish_score(score))

    def _score_alone(self, sources: list[list[int]], targets: list[list[int]]) -> list[list[float]]:
        """`score_batch` with one pair per batch. It scores the target plus an eos it
        appends, so a target that ends with eos is given without it, and one that does not
        has the appended eos' value dropped."""
        todo = [i for i, target in enumerate(targets) if target]
        ends = [targets[i][-1] == self.eos_id for i in todo]
        source = [self.tokenizer.convert_ids_to_tokens(sources[i]) for i in todo]
        target = [
            self.tokenizer.convert_ids_to_tokens(targets[i][:-1] if end else targets[i])
            for i, end in zip(todo, ends, strict=True)
        ]
        out: list[list[float]] = [[] for _ in targets]
        if not todo:
            return out
        try:
            pending = self.translator.score_batch(
                source, target, max_batch_size=1, max_input_length=0, asynchronous=True
            )
            for i, end, result in zip(todo, ends, pending, strict=True):
                values = list(result.result().log_probs)
                out[i] = values if end else values[:-1]
        except (RuntimeError, ValueError) as e:
            raise TranslationError(f"CTranslate2 failed to score {len(todo)} outputs: {e}") from e
        return out


def is_row(row: int, step: Any) -> bool:
    """A translate_batch callback: True (stop) for batch row `row` only."""
    return bool(step.batch_id == row)


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
