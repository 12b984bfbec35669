"""Exceptions of the corpus layer. Each message tells the user what to do next."""

from __future__ import annotations

from translate.errors import ConfigError

__all__ = [
    "ConfigError",
    "CorpusError",
    "InputError",
    "OutputError",
    "StorageError",
    "BuildFinished",
]


class CorpusError(Exception):
    """Base class of the errors of the corpus layer (exit code 2 unless said otherwise).
    ConfigError (invalid options) is defined once, below both layers, in translate.errors:
    the engine's config raises it too."""


class InputError(CorpusError):
    """An input cannot be used at all (the message names the file, and line if known)."""


class OutputError(CorpusError):
    """The output folder cannot be written (exists, locked, or resumed with other options)."""


class BuildFinished(OutputError):
    """`--resume` of a build that has finished: its dataset is complete, nothing is left to
    do (the command says so and exits 0)."""


class StorageError(CorpusError):
    """Writing failed for a reason of the machine (disk full, read-only file system, I/O
    error): exit 3; after freeing space, `--resume` continues where the build stopped."""
