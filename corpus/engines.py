"""Build the Translator a run uses: engine (local or on Ray) -> robustness -> cache.

The model is resolved here, before any input is read, so an unavailable model fails fast.
"""

from __future__ import annotations

from pathlib import Path

from corpus.config import BuildConfig
from translate import load_translator
from translate.base import Translator
from translate.cache import CachedTranslator, default_cache_path
from translate.robust import RobustTranslator


def make_translator(config: BuildConfig) -> Translator:
    inner: Translator
    if config.executor == "ray":
        from translate.distributed import RayTranslator

        inner = RayTranslator(
            config.engine,
            address=config.ray.address,
            workers=config.ray.workers,
            gpus_per_worker=config.ray.gpus_per_worker,
            cpus_per_worker=config.ray.cpus_per_worker,
            tmp_dir=config.ray.tmp_dir
            or str(Path(config.out).with_name(Path(config.out).name + ".ray")),
        )
    else:
        inner = RobustTranslator(
            load_translator(config.engine), max_input_tokens=config.engine.max_input_tokens
        )
    path = (config.cache_path or str(default_cache_path())) if config.use_cache else None
    return CachedTranslator(inner, path=path)
