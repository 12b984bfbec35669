"""Source-side planning shared by the engines: tokens, length limits, batches, order.

A sentence's new-token limit depends only on its own length (rounded up to
`LENGTH_BUCKET` tokens), and a batch holds sentences of one limit, so a translation never
depends on which other sentences share its batch. Batches follow the token budget
(`length_sorted_batches`, longest first) and results come back in input order.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from typing import Any

from translate.base import DecodingOptions, EngineConfig, Translation, check_lengths
from translate.batching import length_sorted_batches, restore_order
from translate.errors import ModelLoadError

logger = logging.getLogger(__name__)

LENGTH_BUCKET = 16


def load_tokenizer(path: str) -> Any:
    """The model's tokenizer; any failure (even the TypeError a missing source.spm gives in
    transformers) is a ModelLoadError. translate.modelcheck has named most causes before."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError, KeyError, ImportError, TypeError, RuntimeError) as e:
        raise ModelLoadError(
            f"cannot load the tokenizer from {path} ({type(e).__name__}: {e}); the folder "
            "needs source.spm, target.spm and vocab.json: copy or download the model again"
        ) from e


def model_positions(config: Any) -> int:
    return int(getattr(config, "max_position_embeddings", 512) or 512)


def input_limit(config: EngineConfig, tokenizer: Any, positions: int) -> int:
    """Source tokens (eos included) the model accepts."""
    limit = min(positions, int(getattr(tokenizer, "model_max_length", positions) or positions))
    return min(limit, config.max_input_tokens) if config.max_input_tokens else limit


def count_tokens(tokenizer: Any, sentences: Sequence[str]) -> list[int]:
    """Source tokens per sentence, eos included (what Engine.count_tokens returns)."""
    if not sentences:
        return []
    return [len(ids) for ids in tokenizer(list(sentences))["input_ids"]]


def encode(tokenizer: Any, sentences: Sequence[str], limit: int) -> list[list[int]]:
    if not sentences:
        return []
    ids = tokenizer(list(sentences), truncation=False)["input_ids"]
    for i, row in enumerate(ids):
        if len(row) > limit:
            logger.warning("source %d has %d tokens; truncated to %d", i, len(row), limit)
            ids[i] = row[: limit - 1] + [tokenizer.eos_token_id]
    return [list(row) for row in ids]


def token_limit(decoding: DecodingOptions, source_tokens: int, positions: int) -> int:
    """New tokens allowed for a source: from its length rounded up to LENGTH_BUCKET."""
    bucket = -(-source_tokens // LENGTH_BUCKET) * LENGTH_BUCKET
    return decoding.new_token_limit(bucket, positions - 1)


def plan_batches(
    lengths: Sequence[int], limits: Sequence[int], batch_tokens: int
) -> list[list[int]]:
    """Token-budget batches, longest first, each holding sentences of a single limit."""
    groups: dict[int, list[int]] = {}
    for i, limit in enumerate(limits):
        groups.setdefault(limit, []).append(i)
    batches: list[list[int]] = []
    for limit in sorted(groups, reverse=True):
        members = groups[limit]
        for batch in length_sorted_batches([lengths[i] for i in members], batch_tokens):
            batches.append([members[j] for j in batch])
    return batches


Batch = Callable[[], list[Translation]]


def translate_planned(
    sentences: Sequence[str],
    encoded: list[list[int]],
    limits: list[int],
    batch_tokens: int,
    submit: Callable[[list[list[int]], int], Batch],
) -> list[Translation]:
    """Translate non-blank sentences batch by batch; blank ones give an empty translation.

    `submit(rows, limit)` starts a batch and returns what waits for its results: every
    batch is submitted before the first is collected, so an engine may run them in parallel.
    """
    todo = [i for i, s in enumerate(sentences) if s.strip()]
    results = [Translation(text="", score=0.0) for _ in sentences]
    batches = plan_batches([len(encoded[i]) for i in todo], [limits[i] for i in todo], batch_tokens)
    pending = [submit([encoded[todo[j]] for j in b], limits[todo[b[0]]]) for b in batches]
    outputs = [
        check_lengths([sentences[todo[j]] for j in b], wait())
        for b, wait in zip(batches, pending, strict=True)
    ]
    for j, result in enumerate(restore_order(batches, outputs) if batches else []):
        results[todo[j]] = replace(result, src_tokens=len(encoded[todo[j]]))
    return results


def decoding_info(decoding: DecodingOptions, beams: int) -> dict[str, str]:
    options = asdict(replace(decoding, num_beams=beams))
    return {"num_beams": str(beams), "decoding": json.dumps(options, sort_keys=True)}
