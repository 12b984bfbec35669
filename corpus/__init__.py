"""idcorpus: Indonesian documents -> Indonesian-English parallel corpus (Hugging Face dataset).

    import corpus
    summary = corpus.build(corpus.BuildConfig(inputs=("news/",), out="corpus-out/"))
    corpus.filter_dataset("corpus-out/", "corpus-clean/", corpus.FilterConfig(min_score=-2.5))
    corpus.export("corpus-clean/", "jsonl", "exports/")
    result = corpus.evaluate(corpus.EvalConfig(sets=("flores-devtest",)))

`import corpus` imports no torch and does no work: each name above is imported when first used.
The stages live in folders named after the data flow: read -> html -> clean -> segment ->
(translate/) -> signals -> dataset, composed by build (one machine) or ray (a cluster);
evaluate and cli sit on top.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "build": "corpus.pipeline.run",
    "BuildConfig": "corpus.pipeline.config",
    "filter_dataset": "corpus.dataset.filter_folder",
    "FilterConfig": "corpus.dataset.filter",
    "export": "corpus.dataset.export",
    "evaluate": "corpus.evaluate.run",
    "EvalConfig": "corpus.evaluate.run",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'corpus' has no attribute {name!r}")
