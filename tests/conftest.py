"""Shared test setup: no network, and a tiny real MarianMT model built once per checkout."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# user-cache files (model fingerprints, CTranslate2 conversions, the translation cache) go to a
# folder of this checkout, never to the user's own cache
os.environ["XDG_CACHE_HOME"] = str(Path(__file__).resolve().parents[1] / ".cache" / "user")

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache"


def load_builder() -> ModuleType:
    """scripts/build_tiny_model.py as a module (scripts/ is not a package)."""
    path = ROOT / "scripts" / "build_tiny_model.py"
    spec = importlib.util.spec_from_file_location("build_tiny_model", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tiny_model() -> str:
    """Path of a tiny MarianMT directory (SentencePiece from seeds/, trained to copy its
    input), built once into .cache/tiny-model-<hash of the builder and seeds>/."""
    return str(load_builder().cached_model(CACHE, "tiny"))


@pytest.fixture(scope="session")
def other_model(tiny_model: str) -> str:
    """A second tiny MarianMT directory, of another vocabulary: its SentencePiece model is
    trained on the seeds in ROT13 (as another language would be) with 200 pieces, and its
    weights are random. For tests of folders that mix two models' files. Built once into
    .cache/other-model-<hash of the builder and its text>/."""
    import codecs
    import os
    import shutil
    import tempfile

    builder = load_builder()
    text = CACHE / "other-model-text" / "seeds-rot13.txt"
    if not text.is_file():
        seeds = "\n".join(p.read_text(encoding="utf-8") for p in builder.default_texts())
        text.parent.mkdir(parents=True, exist_ok=True)
        text.write_text(codecs.encode(seeds, "rot13"), encoding="utf-8")
    final = CACHE / f"other-model-200-{builder.source_hash([text])}"
    if (final / "config.json").is_file():
        return str(final)
    builder.SHAPES["other"] = builder.Shape(
        spm_vocab=200, vocab_size=None, d_model=32, layers=2, heads=2, ffn=64
    )
    tmp = Path(tempfile.mkdtemp(prefix=".other-model-", dir=CACHE))
    try:
        builder.build_model(tmp / "model", "other", [text])
        try:
            os.rename(tmp / "model", final)
        except OSError:
            if not (final / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(final)
