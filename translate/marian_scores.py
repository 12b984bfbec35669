"""The score of a generated output from the decoder's own record (for translate/marian.py):
`StepRecorder`, last in the logits processor chain, keeps a small per-step record of the
distribution the decoder chose from (not `output_scores`, which would keep a vocabulary-sized
tensor per step), and `path_log_probs` reads each generated token's log-prob from it."""

from __future__ import annotations

from typing import Any


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
