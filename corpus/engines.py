"""Build the Translator a run uses: engine (local, or on Ray) with its robustness layer, then the
translation cache keyed by the run identity.

The model is resolved and loaded before any input is read, so an unavailable model fails fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.config import BuildConfig
from corpus.identity import RunIdentity
from translate import load_translator
from translate.base import Translator
from translate.cache import CachedTranslator, default_cache_path
from translate.robust import RobustTranslator


def load_engine(config: BuildConfig) -> Translator:
    """The engine of `config` wrapped in the robustness layer (on Ray, each actor wraps its own)."""
    if config.executor == "ray":
        from translate.distributed import RayTranslator

        return RayTranslator(
            config.engine,
            address=config.ray.address,
            workers=config.ray.workers,
            gpus_per_worker=config.ray.gpus_per_worker,
            cpus_per_worker=config.ray.cpus_per_worker,
            tmp_dir=config.ray.tmp_dir
            or str(Path(config.out).with_name(Path(config.out).name + ".ray")),
        )
    return RobustTranslator(
        load_translator(config.engine), max_input_tokens=config.engine.max_input_tokens
    )


def with_cache(engine: Translator, config: BuildConfig, identity: RunIdentity) -> Translator:
    """`engine` behind the translation cache; the cache key is the identity's translation view
    (with --no-cache, only the within-run de-duplication)."""
    path = (config.cache_path or str(default_cache_path())) if config.use_cache else None
    return CachedTranslator(engine, path=path, namespace=identity.translation())


def close_translator(translator: Any) -> None:
    """Close a translator chain (cache database, Ray)."""
    while translator is not None:
        close = getattr(translator, "close", None)
        if callable(close):
            close()
        translator = getattr(translator, "inner", None)
