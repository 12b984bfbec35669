"""Exceptions of the corpus layer. Each message tells the user what to do next."""

from __future__ import annotations


class CorpusError(Exception):
    """Base class of every error idcorpus reports to the user (exit code 2)."""


class ConfigError(CorpusError):
    """Invalid options or config file; the message lists the valid choices."""


class InputError(CorpusError):
    """An input cannot be used at all (the message names the file, and line if known)."""


class OutputError(CorpusError):
    """The output folder cannot be written (exists, locked, or resumed with other options)."""


class StorageError(CorpusError):
    """Writing failed for a reason of the machine (disk full, read-only file system, I/O
    error): exit 3; after freeing space, `--resume` continues where the build stopped."""
