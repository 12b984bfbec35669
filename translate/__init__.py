"""The MT engine layer of idcorpus: model loading, batching, decoding.

Importing this package imports no torch, transformers or ctranslate2; engines load lazily
through `load_translator`. This package never imports `corpus`.
"""

from translate.base import (
    DEFAULT_MODEL,
    DecodingOptions,
    Engine,
    EngineConfig,
    Translation,
    Translator,
)
from translate.errors import EngineNotInstalledError, ModelLoadError, TranslationError

__all__ = [
    "DEFAULT_MODEL",
    "DecodingOptions",
    "Engine",
    "EngineConfig",
    "EngineNotInstalledError",
    "ModelLoadError",
    "Translation",
    "TranslationError",
    "Translator",
    "load_translator",
]


def load_translator(config: EngineConfig) -> Engine:
    """Load the engine `config` asks for (see translate.load)."""
    from translate.load import load_engine

    return load_engine(config)
