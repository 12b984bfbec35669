"""Calibrate the quality filter on a test set (`idcorpus evaluate --calibrate`).

For every segment the build's `score` (mean log-prob of the translation under the model) and
`length_ratio_chars` are set against the segment's chrF. Reported:

- the distributions (quantiles) of score, length ratio and chrF, and the Spearman rank
  correlation of score with chrF (0: the score says nothing about quality);
- for k = 1, 5, 10, 20: the chrF under which the worst k% of segments lie, and the
  `--min-score` that drops k% of this set's segments, with how well that drop hits the worst
  k% by chrF (`worst_share`: of the segments it drops, the share that are among the worst k%
  by chrF; k% is chance, 100% a perfect filter) and the corpus chrF of what it keeps; the same
  for the `--min-length-ratio` / `--max-length-ratio` pair that drops k% (half at each end).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

KS = (1, 5, 10, 20)
QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)


def quantiles(values: Sequence[float]) -> dict[str, float]:
    """Nearest-rank quantiles, as in the dataset card."""
    if not values:
        return {}
    ordered = sorted(values)
    last = len(ordered) - 1
    return {f"p{round(q * 100)}": round(ordered[round(q * last)], 4) for q in QUANTILES}


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Spearman's rank correlation; None when either side is constant or too short."""
    if len(a) < 3:
        return None
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return round(cov / math.sqrt(va * vb), 4) if va and vb else None


def calibrate(
    chrf: Sequence[float],
    score: Sequence[float | None],
    length_ratio: Sequence[float | None],
    hypotheses: Sequence[str],
    references: Sequence[str],
) -> dict[str, Any]:
    """The calibration report of one run (segments without a row are left out)."""
    scores = {i: float(s) for i, s in enumerate(score) if s is not None}
    kept = list(scores)
    ratios = {i: float(r) for i in kept if (r := length_ratio[i]) is not None}
    result: dict[str, Any] = {
        "segments": len(kept),
        "score": quantiles(list(scores.values())),
        "length_ratio_chars": quantiles(list(ratios.values())),
        "chrf": quantiles([chrf[i] for i in kept]),
        "spearman_score_chrf": spearman([scores[i] for i in kept], [chrf[i] for i in kept]),
        "thresholds": [],
    }
    for k in KS:
        worst = _worst(kept, chrf, k)
        if not worst:
            continue
        cut = _Cut(worst, chrf, hypotheses, references)
        entry: dict[str, Any] = {"k": k, "chrf_below": round(max(chrf[i] for i in worst), 4)}
        entry["min_score"] = cut.score(scores)
        if len(ratios) == len(kept):
            entry["length_ratio"] = cut.length_ratio(ratios)
        result["thresholds"].append(entry)
    return result


def _worst(indices: list[int], chrf: Sequence[float], k: int) -> set[int]:
    """The round(k% of n) segments with the lowest chrF (ties by line order); empty when
    that is none or all of them."""
    m = round(len(indices) * k / 100)
    if m < 1 or m >= len(indices):
        return set()
    return set(sorted(indices, key=lambda i: (chrf[i], i))[:m])


@dataclass(frozen=True)
class _Cut:
    """Thresholds that drop as many segments as `worst` holds, and what they achieve."""

    worst: set[int]
    chrf: Sequence[float]
    hyps: Sequence[str]
    refs: Sequence[str]

    def score(self, scores: dict[int, float]) -> dict[str, Any]:
        """`--min-score T` (rows with score < T are dropped) that drops the m lowest scores
        (fewer where scores tie at the cut)."""
        threshold = sorted(scores.values())[len(self.worst)]
        dropped = {i for i, s in scores.items() if s < threshold}
        return {"value": threshold, **self.effect(set(scores), dropped)}

    def length_ratio(self, ratios: dict[int, float]) -> dict[str, Any]:
        """`--min-length-ratio LO --max-length-ratio HI` dropping about m/2 at each end."""
        ordered, m = sorted(ratios.values()), len(self.worst)
        low, high = ordered[m // 2], ordered[len(ordered) - 1 - (m - m // 2)]
        dropped = {i for i, r in ratios.items() if r < low or r > high}
        return {"min": low, "max": high, **self.effect(set(ratios), dropped)}

    def effect(self, indices: set[int], dropped: set[int]) -> dict[str, Any]:
        from corpus.evaluate.metrics import corpus_chrf

        keep = sorted(indices - dropped)
        kept_chrf = corpus_chrf([self.hyps[i] for i in keep], [self.refs[i] for i in keep])
        return {
            "drops": len(dropped),
            "drops_share": round(len(dropped) / len(indices), 4),
            "worst_share": round(len(dropped & self.worst) / len(dropped), 4) if dropped else None,
            "mean_chrf_dropped": _mean([self.chrf[i] for i in dropped]),
            "mean_chrf_kept": _mean([self.chrf[i] for i in keep]),
            "chrf_kept": round(kept_chrf, 4),
        }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
