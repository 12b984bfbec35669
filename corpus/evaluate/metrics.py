"""Translation metrics through sacrebleu's Python API: BLEU, chrF and chrF++ with their
signatures, chrF per segment, and the paired bootstrap test between settings.

Scores are exactly what `python -m sacrebleu REF -i HYP -m bleu chrf` prints for the same
lines (default tokenisation and settings; chrF++ is `--chrf-word-order 2`). sacrebleu is an
optional dependency (`pip install "idcorpus[eval]"`), imported only when a score is computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.errors import ConfigError

METRICS = ("bleu", "chrf", "chrf_plus")
LABELS = {"bleu": "BLEU", "chrf": "chrF", "chrf_plus": "chrF++"}


def _sacrebleu_metrics() -> Any:
    try:
        from sacrebleu import metrics
    except ImportError as e:
        raise ConfigError(
            'evaluation needs sacrebleu: pip install "idcorpus[eval]" (or pip install sacrebleu)'
        ) from e
    return metrics


def new_metrics() -> dict[str, Any]:
    """Fresh sacrebleu metric objects with their default settings, by our metric name."""
    m = _sacrebleu_metrics()
    return {"bleu": m.BLEU(), "chrf": m.CHRF(), "chrf_plus": m.CHRF(word_order=2)}


@dataclass(frozen=True)
class Scores:
    """Corpus scores (0-100), sacrebleu's signature and full line of each, chrF per segment."""

    values: dict[str, float]
    signatures: dict[str, str]
    lines: dict[str, str]
    segment_chrf: list[float] = field(default_factory=list)

    def __getitem__(self, metric: str) -> float:
        return self.values[metric]


def corpus_scores(
    hypotheses: Sequence[str], references: Sequence[str], *, segments: bool = True
) -> Scores:
    """BLEU, chrF and chrF++ of `hypotheses` against one reference each."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    values, signatures, lines = {}, {}, {}
    for name, metric in new_metrics().items():
        score = metric.corpus_score(list(hypotheses), [list(references)])
        values[name] = float(score.score)
        signatures[name] = metric.get_signature().format()
        lines[name] = str(score)
    per_segment = segment_chrf(hypotheses, references) if segments else []
    return Scores(values, signatures, lines, per_segment)


def corpus_chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus chrF (sacrebleu's default settings)."""
    chrf = _sacrebleu_metrics().CHRF()
    return float(chrf.corpus_score(list(hypotheses), [list(references)]).score)


def segment_chrf(hypotheses: Sequence[str], references: Sequence[str]) -> list[float]:
    """chrF of each segment (what `sacrebleu -m chrf --sentence-level` prints)."""
    chrf = _sacrebleu_metrics().CHRF()
    return [
        float(chrf.sentence_score(h, [r]).score)
        for h, r in zip(hypotheses, references, strict=True)
    ]


@dataclass(frozen=True)
class Comparison:
    """One setting against the baseline on one metric: the difference of the scores and the
    paired bootstrap resampling test (mean and 95% interval of the resampled scores)."""

    metric: str
    baseline: float
    score: float
    mean: float | None
    ci: float | None
    p_value: float | None
    identical: bool = False  # the same output on every segment (sacrebleu's p is then 1/(n+1))

    @property
    def difference(self) -> float:
        return self.score - self.baseline

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "score": self.score,
            "difference": self.difference,
            "bootstrap_mean": self.mean,
            "bootstrap_ci95": self.ci,
            "p_value": self.p_value,
            "identical_output": self.identical,
        }


def paired_bootstrap(
    systems: Sequence[tuple[str, Sequence[str]]],
    references: Sequence[str],
    samples: int = 1000,
) -> tuple[dict[str, list[Comparison]], dict[str, str]]:
    """sacrebleu's paired bootstrap test (`--paired-bs`) of every system against the first.

    Returns the comparisons of each system after the first, by name, and the test's
    signature per metric (the metric's, with the seed and the number of resamples)."""
    from sacrebleu.significance import PairedTest

    test = PairedTest(
        [(name, list(hyps)) for name, hyps in systems],
        {LABELS[k]: v for k, v in new_metrics().items()},
        [list(references)],
        test_type="bs",
        n_samples=samples,
    )
    signatures, results = test()
    # results: {"System": names, then one column per metric, keyed by sacrebleu's score name
    # ("BLEU", "chrF2", "chrF2++") in the order the metrics were given}
    labels = [label for label in results if label != "System"]
    names = dict(zip(labels, METRICS, strict=True))
    out: dict[str, list[Comparison]] = {name: [] for name, _ in systems[1:]}
    for label in labels:
        metric, column = names[label], results[label]
        base: Any = column[0]
        result: Any
        for (name, hyps), result in zip(systems[1:], column[1:], strict=True):
            out[name].append(
                Comparison(
                    metric,
                    float(base.score),
                    float(result.score),
                    _float(result.mean),
                    _float(result.ci),
                    _float(result.p_value),
                    identical=list(hyps) == list(systems[0][1]),
                )
            )
    return out, {names[k]: v.format() for k, v in signatures.items()}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
