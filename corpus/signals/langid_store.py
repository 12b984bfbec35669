"""The laid-out language-ID model, kept on disk so that every worker maps it instead of
building it.

Building `corpus.signals.langid_model.Model` from py3langid's compressed automaton takes most of
a second and about 85 MB per process. `cached_model` writes the laid-out arrays once, as plain
`.npy` files under the user cache folder, keyed by py3langid's version, its model file (size
and modification time), what the weights come from (the trained file's sha256, or
py3langid's own table and the languages) and the code that lays them out; later loads map
them read-only, so worker processes share one copy in the page cache. A store that cannot be
written (a read-only home) or read back is skipped: the model is then built in memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import fields
from importlib import metadata
from pathlib import Path

import numpy as np

from corpus.signals import langid_model
from corpus.signals.langid_model import Model

log = logging.getLogger(__name__)
ARRAYS = ("moves", "pairs", "weights", "units", "prior")


def default_store() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("idcorpus")) / "langid"


def cached_model(weights: str, build: Callable[[], Model], store: Path | None = None) -> Model:
    """The model whose weights `weights` names: mapped from the store, else built (by
    `build`) and stored."""
    folder = (store or default_store()) / store_key(weights)
    if folder.is_dir():
        try:
            return read(folder)
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("language-ID model store %s is unreadable (%s); rebuilding it", folder, e)
            shutil.rmtree(folder, ignore_errors=True)
    model = build()
    try:
        write(folder, model)
    except OSError as e:
        log.debug("language-ID model not stored in %s: %s", folder, e)
    return model


def store_key(weights: str) -> str:
    """What the laid-out arrays depend on, hashed."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    stat = (MODEL_DIR / MODEL_FILE).stat()
    parts = [
        metadata.version("py3langid"), str(stat.st_size), str(stat.st_mtime_ns),
        weights, np.__version__,
        hashlib.sha256(Path(langid_model.__file__).read_bytes()).hexdigest(),
    ]  # fmt: skip
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def read(folder: Path) -> Model:
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
    for name, array in arrays.items():
        if list(array.shape) != meta["shapes"][name]:
            raise ValueError(f"{name}.npy has shape {array.shape}, not {meta['shapes'][name]}")
    scalars = {k: v for k, v in meta.items() if k != "shapes"}
    scalars["languages"] = tuple(scalars["languages"])
    return Model(**scalars, **arrays)


def write(folder: Path, model: Model) -> None:
    """All files in a temporary folder, then one rename: a reader sees all or nothing."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    try:
        meta = {f.name: getattr(model, f.name) for f in fields(model) if f.name not in ARRAYS}
        meta["shapes"] = {name: list(getattr(model, name).shape) for name in ARRAYS}
        for name in ARRAYS:
            np.save(staged / f"{name}.npy", getattr(model, name))
        (staged / "model.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(staged, folder)
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        if not folder.is_dir():
            raise
