"""One run identity: everything that determines a build's output, computed once.

`RunIdentity.create(config, description)` is called after the engine has loaded, with the
translator's own description (`Translator.describe()`: model fingerprint and revision, engine
actually used, device, compute type, every decoding setting, the versions of the engine logic
and of the libraries that shape a translation). The rest comes from the build configuration
and from this package (cleaner, segmenter, preparation and signal versions, the libraries
that shape the text and the files).

It is used through three views, never copied into three lists that could drift apart:

- `resume_key()`: compared key by key when `--resume` continues a work area; any difference is
  refused, naming it (with the input manifest, which `corpus.read.manifest` compares).
- `translation()`: the part that determines a translation, the key of the translation cache.
- `provenance()`: the public record in the dataset card and `idcorpus.json`; local paths are
  reduced to names (a local model is named by its folder and content fingerprint).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from corpus import __version__
from corpus.clean.cleaner import CLEANER_VERSION
from corpus.names import utf8_data
from corpus.pipeline.config import BuildConfig
from corpus.segment.sentences import SEGMENTER_VERSION
from corpus.signals.quality import SIGNALS_VERSION
from translate.base import VOLATILE_KEYS

PREPARE_VERSION = "prepare-3"
"""Bump when corpus.pipeline.prepare or corpus.pipeline.pairs change what a row holds
(3: a text file over 1 MiB is prepared in parts cut by byte windows, corpus.read.windows)."""

CORPUS_LIBRARIES = (
    "ftfy",
    "trafilatura",
    "lxml",
    "charset-normalizer",
    "py3langid",
    "numpy",
    "pyarrow",
    "zstandard",
)
"""Libraries of the corpus side whose version can change a dataset (the engine's describe
lists those of the translation side)."""

VOLATILE = VOLATILE_KEYS
"""Settings that change speed, never output (thread counts): left out of every comparison."""

LOCAL_KEYS = frozenset({"model"})
"""Translator keys that may hold a local path: published as a name only."""


def library_versions(names: tuple[str, ...] = CORPUS_LIBRARIES) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def public_model_name(model: str) -> str:
    """A hub id stays; a local folder is named by its last component."""
    path = Path(model).expanduser()
    if path.is_absolute() or model.startswith((".", "~")) or path.is_dir():
        return path.name or str(model)
    return model


@dataclass(frozen=True)
class RunIdentity:
    translator: Mapping[str, str]
    build: Mapping[str, Any]
    logic: Mapping[str, str]
    libraries: Mapping[str, str]

    @classmethod
    def create(cls, config: BuildConfig, description: Mapping[str, str]) -> RunIdentity:
        translator = {k: str(v) for k, v in description.items() if k not in VOLATILE}
        if "model" in translator:
            translator["model"] = public_model_name(translator["model"])
        return cls(
            translator=translator,
            build=build_settings(config),
            logic={
                "idcorpus": __version__,
                "cleaner": CLEANER_VERSION,
                "segmenter": SEGMENTER_VERSION if not config.read.presplit else "presplit",
                "prepare": PREPARE_VERSION,
                "signals": signals_version() if config.signals else "off",
            },
            libraries=library_versions(),
        )

    def resume_key(self) -> dict[str, Any]:
        """Everything that must be equal for a resumed build to continue this one."""
        return flatten(
            {
                "translator": dict(self.translator),
                "build": dict(self.build),
                "logic": dict(self.logic),
                "libraries": dict(self.libraries),
            }
        )

    def translation(self) -> dict[str, str]:
        """What determines one translation: the translation cache's key."""
        return {**self.translator, "idcorpus": self.logic["idcorpus"]}

    def digest(self) -> str:
        blob = json.dumps(self.resume_key(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def provenance(self) -> dict[str, Any]:
        prov: dict[str, Any] = {
            "tool": "idcorpus",
            "tool_version": __version__,
            "translator": dict(self.translator),
            "segmenter": self.logic["segmenter"],
            "cleaner": self.logic["cleaner"],
            "logic": dict(self.logic),
            "build": dict(self.build),
            "libraries": dict(self.libraries),
            "identity": self.digest(),
        }
        prov["signature"] = signature(prov)
        return utf8_data(prov)  # written to the card and JSON: names escaped (corpus.names)


def build_settings(config: BuildConfig) -> dict[str, Any]:
    """The options of `config` that shape the dataset (not speed, not where files go)."""
    return {
        "inputs": [public_input(arg) for arg in config.inputs],
        "read": read_settings(config),
        "filter": dataclasses.asdict(config.filter) if config.filter else None,
        "splits": {name: fraction for name, fraction in config.splits},
        "seed": config.seed,
        "signals": config.signals,
        "rejected": config.rejected,
        "max_input_tokens": config.engine.max_input_tokens,
    }


def read_settings(config: BuildConfig) -> dict[str, Any]:
    """The read options; a target file (`--target`) by its public name and its content's
    hash, so that a changed file is another run (resume and the card trust it)."""
    read = dataclasses.asdict(config.read)
    if config.read.target is not None:
        read["target"] = Path(config.read.target).name
        read["target_sha256"] = file_sha256(Path(config.read.target))
    return read


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    except OSError as e:
        return f"unreadable: {e.strerror}"  # reported when it is read
    return digest.hexdigest()


def public_input(arg: str) -> str:
    """An input argument as it may appear in a published card: relative ones as given,
    absolute ones by their last component."""
    return Path(arg).name if Path(arg).is_absolute() else arg


def signals_version() -> str:
    return SIGNALS_VERSION


def signature(prov: Mapping[str, Any]) -> str:
    """A one-line summary in the spirit of sacrebleu's signature. Given translations
    (`--target`, `--target-field`) say so, with the model that scored them if one did (no
    decoding, so no beams)."""
    t = prov.get("translator", {})
    fingerprint = t.get("model_fingerprint", "")
    model = t.get("model", "?")
    given = t.get("translations") == "given"
    parts = [f"idcorpus:{prov['tool_version']}"]
    if given:
        parts.append("translations:given")
    if not given or t.get("engine", "none") != "none":
        parts += [
            f"model:{model}@{t.get('revision') or 'local'}"
            + (f"#{fingerprint}" if fingerprint else ""),
            f"engine:{t.get('engine', '?')}/{t.get('compute_type', '?')}/{t.get('device', '?')}",
        ]
    if not given:
        parts.append(f"beams:{t.get('num_beams', '?')}")
    parts += [
        f"seg:{prov['segmenter']}",
        f"clean:{prov['cleaner']}",
        f"id:{prov.get('identity', '?')}",
    ]
    return "|".join(parts)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}; lists and scalars are leaves."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def differences(old: Mapping[str, Any], new: Mapping[str, Any], limit: int = 8) -> list[str]:
    """Human lines naming what differs between two flattened keys: `key: old -> new`."""
    lines = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            lines.append(f"{key}: {_short(old.get(key))} -> {_short(new.get(key))}")
    if len(lines) > limit:
        lines = lines[:limit] + [f"... and {len(lines) - limit} more"]
    return lines


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if value is not None else "(none)"
    return text if len(text) <= 80 else text[:77] + "..."
