"""Model resolution and engine choice: an unavailable model fails fast and names --model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from translate.base import EngineConfig
from translate.errors import ModelLoadError
from translate.load import choose_engine
from translate.resolve import looks_like_path, resolve_model

REPO = Path(__file__).resolve().parents[1]


def test_local_directory_resolves_with_a_content_fingerprint(
    tiny_model: str, tmp_path: Path
) -> None:
    cache = str(tmp_path / "cache")
    resolved = resolve_model(EngineConfig(model=tiny_model, cache_dir=cache))
    assert resolved.path == str(Path(tiny_model).resolve()) and resolved.revision == ""
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model, copy)
    config = EngineConfig(model=str(copy), cache_dir=cache)
    assert resolve_model(config).fingerprint == resolved.fingerprint
    (copy / "generation_config.json").write_text('{"num_beams": 2}')
    assert resolve_model(config).fingerprint != resolved.fingerprint
    assert (tmp_path / "cache" / "fingerprints").is_dir()  # sidecars under cache_dir


def hub_snapshot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_model: str, repo: str
) -> Path:
    """The tiny model as a snapshot of `repo` in a Hugging Face cache of its own."""
    import huggingface_hub.constants

    cache = tmp_path / "hub"
    commit = "0123456789abcdef0123456789abcdef01234567"
    folder = cache / f"models--{repo.replace('/', '--')}"
    shutil.copytree(tiny_model, folder / "snapshots" / commit)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    return folder / "snapshots" / commit


def test_a_cached_hub_snapshot_is_checked_and_fingerprinted_by_content(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_model: str
) -> None:
    snapshot = hub_snapshot(monkeypatch, tmp_path, tiny_model, "someone/opus-mt-id-en")
    config = EngineConfig(model="someone/opus-mt-id-en", cache_dir=str(tmp_path / "c"))
    resolved = resolve_model(config)
    local = resolve_model(EngineConfig(model=tiny_model, cache_dir=str(tmp_path / "c")))
    assert (resolved.path, resolved.revision) == (str(snapshot), snapshot.name)
    assert resolved.fingerprint == local.fingerprint  # the content, not the commit
    weights = snapshot / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1000])
    with pytest.raises(ModelLoadError, match="model.safetensors is truncated") as info:
        resolve_model(config)
    assert str(snapshot) in str(info.value)
    assert f"delete {snapshot.parent.parent} to download it anew" in str(info.value)


def test_a_cached_hub_snapshot_of_another_architecture_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_model: str
) -> None:
    snapshot = hub_snapshot(monkeypatch, tmp_path, tiny_model, "someone/t5-small")
    config = json.loads((snapshot / "config.json").read_text())
    (snapshot / "config.json").write_text(json.dumps({**config, "model_type": "t5"}))
    with pytest.raises(ModelLoadError, match="model_type 't5', not 'marian'"):
        resolve_model(EngineConfig(model="someone/t5-small"))


@pytest.mark.parametrize(
    ("model", "match"),
    [
        ("/nonexistent/opus-mt-id-en", "no such directory"),
        ("./relative/missing", "no such directory"),
        ("Helsinki-NLP/opus-mt-id-en", "HF_HUB_OFFLINE"),
        ("nobody/no-such-model-xyz", "HF_HUB_OFFLINE"),
    ],
    ids=["absolute-path", "relative-path", "default-hub-id", "unknown-hub-id"],
)
def test_unavailable_model_names_the_local_copy_option(model: str, match: str) -> None:
    with pytest.raises(ModelLoadError, match=match) as info:
        resolve_model(EngineConfig(model=model))
    assert "--model /path/to/" in str(info.value) and "download" in str(info.value)


def test_directory_without_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not a model directory"):
        resolve_model(EngineConfig(model=str(tmp_path)))


@pytest.mark.parametrize(
    ("model", "is_path"),
    [
        ("Helsinki-NLP/opus-mt-id-en", False),
        ("t5-small", False),
        ("a/b/c", True),
        ("~/m", True),
        (".", True),
    ],
    ids=["org-name", "bare-name", "nested", "home", "dot"],
)
def test_looks_like_path(model: str, is_path: bool) -> None:
    assert looks_like_path(model) is is_path


def test_auto_engine_prefers_ctranslate2_when_installed() -> None:
    assert choose_engine("auto") == "ctranslate2"
    assert choose_engine("transformers") == "transformers"


def test_hub_model_fails_fast_without_network_even_if_not_offline(tmp_path: Path) -> None:
    """No HF_HUB_OFFLINE, an empty HF cache, no network: a ModelLoadError well within 30 s.

    The hub endpoint is a non-routable address (connections hang, as without a network), so
    the test does not depend on whether this machine can reach huggingface.co."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    env.update(
        HF_HOME=str(tmp_path / "hf"), PYTHONPATH=str(REPO), HF_ENDPOINT="http://10.255.255.1"
    )
    code = (
        "from translate.base import EngineConfig\n"
        "from translate.errors import ModelLoadError\n"
        "from translate.load import load_engine\n"
        "try:\n    load_engine(EngineConfig(model='Helsinki-NLP/opus-mt-id-en'))\n"
        "except ModelLoadError as e:\n    print(e)\n    raise SystemExit(2)\n"
    )
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 2, proc.stderr
    assert "--model /path/to/opus-mt-id-en" in proc.stdout
    assert elapsed < 30
