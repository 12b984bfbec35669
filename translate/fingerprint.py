"""The content fingerprint of a model folder, computed once per content.

`fingerprint(folder)` is a sha256 over every file of the folder that can shape the output:
all top-level regular files except documentation (README, LICENSE, NOTICE, *.md) and hidden
files, so weights in any format (*.safetensors, *.bin, ...), SentencePiece models, vocab,
tokenizer, config and generation JSON all count, each as name, size and content.

Hashing a 300 MB model on every load in every worker would cost seconds, so the value is
remembered in a sidecar JSON under `store` (default `<user cache>/idcorpus/fingerprints/`;
never inside the model folder, which may be read-only), one per folder (by absolute path),
valid only while every file's name, size, mtime_ns and ctime_ns are what they were when it
was hashed. A folder with a file modified less than RACY_NS before hashing began is not
remembered (a later write within the same timestamp tick could go unseen); the next load
hashes it again. A sidecar that cannot be written is skipped (the value is still right).

The same stamps key other facts about a folder that are costly to establish and true while
nothing changed (`remember` / `remembered`: translate.modelcheck remembers that a folder is
one whole model), under `verdicts/<name>/` beside the store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from translate.errors import ModelLoadError

logger = logging.getLogger(__name__)

SIDECAR_VERSION = 1
RACY_NS = 2_000_000_000
DOCUMENTATION = re.compile(r"(?i)(readme|licen[cs]e|notice|copying)(\..*)?|.*\.md")

Stamp = list[Any]  # [name, size, mtime_ns, ctime_ns]


def default_store() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("idcorpus")) / "fingerprints"


def model_files(folder: Path) -> list[Path]:
    """The files the fingerprint covers, sorted by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if not p.name.startswith(".") and not DOCUMENTATION.fullmatch(p.name) and p.is_file()
    )


def stamps(files: Sequence[Path]) -> list[Stamp]:
    out = []
    for file in files:
        st = file.stat()
        out.append([file.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns])
    return out


def fingerprint(folder: Path, store: Path | None = None) -> str:
    """16 hex digits of sha256 over the folder's model files; see the module docstring."""
    try:
        files = model_files(folder)
        before = stamps(files)
    except OSError as e:
        raise ModelLoadError(f"cannot list the model folder {folder}: {e}") from e
    sidecar = sidecar_path(folder, store or default_store())
    known = read_sidecar(sidecar, folder, before)
    if known is not None:
        return known
    started = time.time_ns()
    value = hash_files(files)
    fresh = any(mtime >= started - RACY_NS for _, _, mtime, _ in before)
    with suppress(OSError):
        if not fresh and stamps(files) == before:
            write_sidecar(sidecar, folder, before, value)
    return value


def hash_files(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        try:
            with file.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                digest.update(os.fsencode(file.name) + b"\0" + str(size).encode() + b"\0")
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError as e:
            raise ModelLoadError(
                f"cannot read the model file {file}: {e.strerror or e}; check its permissions"
            ) from e
    return digest.hexdigest()[:16]


def sidecar_path(folder: Path, store: Path) -> Path:
    key = hashlib.sha256(os.fsencode(folder.resolve())).hexdigest()[:24]
    return store / f"{key}.json"


def read_sidecar(sidecar: Path, folder: Path, current: list[Stamp]) -> str | None:
    """The remembered fingerprint, if the sidecar describes exactly these files."""
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != SIDECAR_VERSION:
        return None
    if data.get("folder") != os.fsdecode(folder.resolve()) or data.get("files") != current:
        return None
    value = data.get("fingerprint")
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{16}", value) else None


def write_sidecar(sidecar: Path, folder: Path, files: list[Stamp], value: str) -> None:
    data = {
        "version": SIDECAR_VERSION,
        "folder": os.fsdecode(folder.resolve()),
        "files": files,
        "fingerprint": value,
    }
    tmp = sidecar.with_name(f".{sidecar.name}.{os.getpid()}.tmp")
    try:
        sidecar.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
        os.replace(tmp, sidecar)
    except (OSError, ValueError) as e:
        logger.debug("cannot remember the model fingerprint in %s: %s", sidecar, e)
        with suppress(OSError):
            tmp.unlink()


# --- verdicts remembered per folder ---------------------------------------------------------------


def verdict_path(folder: Path, store: Path | None, verdict: str) -> Path:
    """Where `verdict` about `folder` is remembered: `<verdict>/` beside the fingerprint store."""
    base = (store or default_store()).parent / "verdicts" / verdict
    return sidecar_path(folder, base)


def verdict_record(folder: Path, verdict: str) -> dict[str, Any]:
    return {"verdict": verdict, "folder": os.fsdecode(folder.resolve()),
            "files": stamps(model_files(folder))}  # fmt: skip


def remembered(folder: Path, store: Path | None, verdict: str) -> bool:
    """True when `verdict` was remembered for this folder exactly as it is now (every file's
    name, size, mtime_ns and ctime_ns the same)."""
    try:
        known = json.loads(verdict_path(folder, store, verdict).read_text(encoding="utf-8"))
        return bool(known == verdict_record(folder, verdict))
    except (OSError, ValueError):
        return False  # not remembered, or the folder cannot be listed (its checks say why)


def remember(folder: Path, store: Path | None, verdict: str) -> None:
    """Remember `verdict` for the folder as it is now; not when a file was modified less than
    RACY_NS ago (see the module docstring), nor when the store cannot be written."""
    sidecar = verdict_path(folder, store, verdict)
    tmp = sidecar.with_name(f".{sidecar.name}.{os.getpid()}.tmp")
    try:
        record = verdict_record(folder, verdict)
        if any(mtime >= time.time_ns() - RACY_NS for _, _, mtime, _ in record["files"]):
            return
        sidecar.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(record, ensure_ascii=True), encoding="utf-8")
        os.replace(tmp, sidecar)
    except (OSError, ValueError):
        with suppress(OSError):
            tmp.unlink()
