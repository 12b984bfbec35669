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
