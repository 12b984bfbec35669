"""Exceptions of the engine layer. Messages say what the user can do about them."""

from __future__ import annotations


class ConfigError(Exception):
    """Invalid options, of any config (the engine's or the corpus layer's: corpus.errors
    re-exports this one class); the message names the option and what is valid. Exit code 2."""


class TranslationError(Exception):
    """A translation engine failed."""


class ModelLoadError(TranslationError):
    """The model (or its tokenizer) could not be loaded or fetched."""


class EngineNotInstalledError(TranslationError):
    """An optional engine package is missing; the message names the extra to install."""
