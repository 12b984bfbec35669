"""Helpers for the engine tests: test sentences, and the plain model's score computed here,
independently of the engines (a forced forward pass through the transformers model)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def synthetic_sentences(n: int, seed: int = 7, longest: int = 40) -> list[str]:
    """`n` sentences of 3..`longest` words drawn from seeds/ (the tiny model has not seen them
    in this order, so its outputs vary in length, loop at times, and end at eos or the limit)."""
    words = seed_text().split()
    rng = random.Random(seed)
    return [" ".join(rng.choice(words) for _ in range(rng.randint(3, longest))) for _ in range(n)]


def forced_log_probs(model: Any, tokenizer: Any, source: str, target: Sequence[int]) -> list[float]:
    """Log-prob of each token of `target` given `source` under the plain model: one forced
    forward pass, log-softmax over the vocabulary without <pad>."""
    import torch

    start = model.config.decoder_start_token_id
    with torch.inference_mode():
        logits = model(
            input_ids=torch.tensor([tokenizer(source)["input_ids"]]),
            decoder_input_ids=torch.tensor([[start, *target[:-1]]]),
        ).logits[0]
        logits[:, tokenizer.pad_token_id] = float("-inf")
        picked = logits.log_softmax(-1).gather(-1, torch.tensor(list(target))[:, None])
    return [float(v) for v in picked[:, 0]]


def plain_score(model: Any, tokenizer: Any, source: str, target: Sequence[int]) -> float:
    values = forced_log_probs(model, tokenizer, source, target)
    return sum(values) / len(values)
