"""Build the Translator a run uses: engine (local, or on Ray) with its robustness layer, then the
translation cache keyed by the run identity.

The model is resolved and loaded before any input is read, so an unavailable model fails fast.
"""

from __future__ import annotations

from typing import Any

from corpus.pipeline.config import BuildConfig
from corpus.pipeline.given import GivenTranslations
from corpus.pipeline.identity import RunIdentity
from translate import load_translator
from translate.base import EngineConfig, Translator
from translate.cache import CachedTranslator, default_cache_path
from translate.robust import RobustTranslator


def load_engine(config: BuildConfig) -> Translator:
    """The engine of `config` wrapped in the robustness layer; with given translations, what
    scores them (corpus.pipeline.given: the named model, or none)."""
    if config.read.given:
        return GivenTranslations.load(config.engine)
    return robust_engine(config.engine)


def robust_engine(engine: EngineConfig) -> Translator:
    """The model of `engine` loaded, behind the robustness layer (long sentences split,
    degenerate output retried): what every build translates with, locally or in a Ray actor."""
    return RobustTranslator(load_translator(engine), max_input_tokens=engine.max_input_tokens)


def with_cache(
    engine: Translator, config: BuildConfig, identity: RunIdentity, own: str | None = None
) -> Translator:
    """`engine` behind the translation cache; the cache key is the identity's translation view.
    With --no-cache, `own` (a cache in the build's work area, removed with it: an interrupted
    build keeps what it translated) or nothing but the within-run de-duplication.
    Given translations: no cache."""
    if isinstance(engine, GivenTranslations):
        return engine
    path = (config.cache_path or str(default_cache_path())) if config.use_cache else own
    return CachedTranslator(engine, path=path, namespace=identity.translation())


def close_translator(translator: Any) -> None:
    """Close a translator chain (cache database, Ray)."""
    while translator is not None:
        close = getattr(translator, "close", None)
        if callable(close):
            close()
        translator = getattr(translator, "inner", None)
