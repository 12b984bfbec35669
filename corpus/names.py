"""Names that become parts of paths: one rule, checked wherever such a name comes in.

A split name (from `--split`, a config file, or the data file names of a dataset folder) is
used to build file names (`data/<split>-NNNNN-of-NNNNN.parquet`, `<out>/<split>.jsonl`, the
arrow export's `<out>/<split>/`). It must be a letter followed by ASCII letters, digits or `_`:
no separators, no dots (so no `..`), no spaces, no line breaks, nothing absolute.
"""

from __future__ import annotations

import re

from corpus.errors import ConfigError, CorpusError

SPLIT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SPLIT_NAME_RULE = "a letter followed by letters, digits or _ (e.g. train, validation, test)"


def is_split_name(name: str) -> bool:
    return SPLIT_NAME.fullmatch(name) is not None


def check_split_name(name: str, where: str, error: type[CorpusError] = ConfigError) -> str:
    """`name` if it is a valid split name, else `error` naming `where` it came from."""
    if not is_split_name(name):
        raise error(f"{where}: split name {name!r} is not valid; a split name is {SPLIT_NAME_RULE}")
    return name
