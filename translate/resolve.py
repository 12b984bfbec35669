"""Find the model files, failing fast when the model is unavailable.

`resolve_model` turns `EngineConfig.model` (a local directory or a Hugging Face Hub id) into
a local directory without ever sitting through hub retries: a local directory is used as is;
a hub id is looked up in the local Hugging Face cache first; only when it is absent (and
HF_HUB_OFFLINE is not set) is the hub asked once, with a hard time limit, and every failure
becomes a `ModelLoadError` that says how to use a local copy.

Every folder, local or from the hub, is checked before any engine loads or converts it
(translate.modelcheck: a Marian config, safetensors weights with a sound header, the
tokenizer files), and identified by a content fingerprint over all its model files, weights
of every format included (translate.fingerprint; computed once per content and remembered
in a sidecar under the user cache)."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from translate.base import DEFAULT_MODEL, EngineConfig
from translate.errors import ModelLoadError
from translate.fingerprint import fingerprint
from translate.modelcheck import CONVERT, check_model_dir

logger = logging.getLogger(__name__)


MODEL_FILES = [
    "config.json",
    "generation_config.json",
    "*.safetensors",
    "*.spm",
    "*.model",
    "vocab.json",
    "target_vocab.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
]


PROBE_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's files are, and what identifies their content."""

    path: str  # local directory holding config.json, weights and tokenizer files
    model: str  # what the user asked for (hub id or path)
    revision: str  # hub commit hash; "" for a local directory
    fingerprint: str  # content hash of every model file (translate.fingerprint)


def resolve_model(config: EngineConfig) -> ResolvedModel:
    """The local directory of `config.model_id`, checked; raises ModelLoadError within seconds."""
    model = config.model_id
    path = Path(model).expanduser()
    store = Path(config.cache_dir) / "fingerprints" if config.cache_dir else None
    if path.is_dir():
        return resolve_local(model, path, store)
    if looks_like_path(model):
        raise model_error(model, f"no such directory: {path}")
    return resolve_hub(model, config.revision, store)


def looks_like_path(model: str) -> bool:
    """A hub id is "name" or "org/name"; anything else that is not a directory is a bad path."""
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or "\\" in model


def resolve_local(model: str, path: Path, store: Path | None = None) -> ResolvedModel:
    check_model_dir(path, store)
    return ResolvedModel(str(path.resolve()), model, "", fingerprint(path, store))


def resolve_hub(model: str, revision: str | None, store: Path | None = None) -> ResolvedModel:
    cached = cached_snapshot(model, revision)
    if cached is None:
        if hub_offline():
            raise model_error(
                model, "it is not in the local Hugging Face cache and HF_HUB_OFFLINE is set"
            )
        probe_hub(model, revision)
        cached = download(model, revision)
    try:
        check_model_dir(cached, store)
    except ModelLoadError as e:
        raise ModelLoadError(
            f"{e} (this copy of {model} is in the Hugging Face cache: delete "
            f"{cached.parent.parent} to download it anew)"
        ) from e
    return ResolvedModel(str(cached), model, cached.name, fingerprint(cached, store))


def hub_offline() -> bool:
    return any(
        os.environ.get(v, "").lower() in ("1", "true", "yes", "on")
        for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def cached_snapshot(model: str, revision: str | None) -> Path | None:
    """The snapshot directory in the local HF cache, if it holds a complete model."""
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(
            model, revision=revision, local_files_only=True, allow_patterns=MODEL_FILES
        )
    except Exception:  # noqa: BLE001 - any cache miss (missing entry, invalid id) means "not cached"
        return None
    path = Path(str(folder))
    complete = (path / "config.json").is_file() and any(path.glob("*.safetensors"))
    return path if complete else None


def probe_hub(model: str, revision: str | None) -> None:
    """Ask the hub once about `model`; at most PROBE_TIMEOUT_S seconds, whatever the network does."""
    failure: list[BaseException] = []

    def ask() -> None:
        from huggingface_hub import HfApi

        try:
            HfApi().model_info(model, revision=revision, timeout=PROBE_TIMEOUT_S / 2)
        except Exception as e:  # noqa: BLE001 - reported below as a ModelLoadError
            failure.append(e)

    thread = threading.Thread(target=ask, daemon=True, name="hub-probe")
    thread.start()
    thread.join(PROBE_TIMEOUT_S)
    if thread.is_alive():
        raise model_error(
            model, f"the Hugging Face Hub did not answer within {PROBE_TIMEOUT_S:.0f} s (offline?)"
        )
    if failure:
        raise model_error(model, describe_hub_error(failure[0])) from failure[0]


def describe_hub_error(error: BaseException) -> str:
    from huggingface_hub import errors

    if isinstance(error, errors.GatedRepoError):
        return "the model is gated: accept its terms on the Hub and log in (`hf auth login`)"
    if isinstance(error, errors.RepositoryNotFoundError):
        return "no such model on the Hugging Face Hub (or it is private)"
    if isinstance(error, errors.RevisionNotFoundError):
        return "no such revision on the Hugging Face Hub"
    return f"could not reach the Hugging Face Hub ({type(error).__name__}: {error})"


def download(model: str, revision: str | None) -> Path:
    from huggingface_hub import snapshot_download

    logger.info("downloading %s from the Hugging Face Hub", model)
    try:
        folder = snapshot_download(
            model, revision=revision, allow_patterns=MODEL_FILES, etag_timeout=5
        )
    except Exception as e:  # noqa: BLE001 - every download failure is a model load failure
        raise model_error(model, f"download failed ({type(e).__name__}: {e})") from e
    path = Path(str(folder))
    if not any(path.glob("*.safetensors")):
        raise model_error(
            model,
            "the repository has no safetensors weights (idcorpus loads only those and never "
            f"downloads or unpickles pytorch_model.bin); download it with `hf download`, {CONVERT}",
        )
    return path


def model_error(model: str, reason: str) -> ModelLoadError:
    name = Path(model).name or "opus-mt-id-en"
    hub_id = model if "/" in model and not looks_like_path(model) else DEFAULT_MODEL
    return ModelLoadError(
        f"cannot load model {model!r}: {reason}.\n"
        f"Use a local copy of the model: --model /path/to/{name}\n"
        f"(get one on a machine with network: `hf download {hub_id} --local-dir {name}`, "
        f"or `huggingface-cli download {hub_id} --local-dir {name}` with older huggingface_hub, "
        "then copy the folder here)"
    )
