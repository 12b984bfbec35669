"""The trained language-ID model file, `corpus/data/langid_model.npz` (built by
`scripts/build_langid_model.py`; provenance and figures in its `meta`).

It holds what py3langid's automaton does not: naive Bayes weights for our ten languages over
py3langid 0.4's byte n-gram features (int16 units of 2**-char_exponent, in py3langid's feature
order), the Indonesian/Malay word weights (int32 units of 2**-word_exponent) and the stacking
coefficients that turn the two scores into P(ms | id or ms), and how a sentence's document moves
that split (`Context`, in `meta`: absent in a file built before it). Plain arrays only (no
pickle).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus.errors import ConfigError

MODEL_FILE = "langid_model.npz"
FORMAT = 1
"""Changes when the arrays or their meaning change; a file of another format is refused."""


@dataclass(frozen=True)
class Context:
    """How a document's other sentences move a sentence's Indonesian-vs-Malay log-odds
    (corpus/signals/doclang.py): their evidence, each clipped to +-`clip`, summed and
    multiplied by `weight`, sets a prior with `switch` the share of a document's sentences
    taken to be in the other language."""

    weight: float
    clip: float
    switch: float


@dataclass(frozen=True)
class Trained:
    """The trained parts of the identifier (see the module docstring).

    Logits of a text: char_scale * (sum_f log(1 + count_f) * char weights_f + char_prior)
    / sqrt(bytes); then the id/ms split: d = stack[0] + stack[1] * (ms - id char logit)
    + stack[2] * (sum of the text's word weights), P(ms | id or ms) = sigmoid(d)."""

    languages: tuple[str, ...]
    char_units: npt.NDArray[np.int16]
    char_exponent: int
    char_prior: npt.NDArray[np.float64]
    char_scale: float
    words: tuple[str, ...]
    word_units: npt.NDArray[np.int32]
    word_exponent: int
    stack: tuple[float, float, float]
    features_sha256: str
    meta: dict[str, Any] = field(default_factory=dict)
    document: Context | None = None  # None: each sentence decided alone (an older file)

    def char_weights(self) -> npt.NDArray[np.float64]:
        return self.char_units.astype(np.float64) * 2.0**-self.char_exponent


def model_path() -> Path:
    return Path(str(resources.files("corpus").joinpath(f"data/{MODEL_FILE}")))


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_trained(path: Path | None = None, *, char: bool = True) -> Trained:
    """The model file (default: the packaged one); ConfigError if it is missing or damaged.
    `char` False leaves the naive Bayes table out (empty): the store has it laid out."""
    path = path or model_path()
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files if char or name != "char_units"}
            if not char:
                arrays["char_units"] = np.zeros((0, len(arrays["char_prior"])), np.int16)
        meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"format {meta.get('format')}, this code reads {FORMAT}")
        return Trained(
            languages=tuple(meta["languages"]),
            char_units=arrays["char_units"].astype(np.int16, copy=False),
            char_exponent=int(meta["char_exponent"]),
            char_prior=arrays["char_prior"].astype(np.float64),
            char_scale=float(meta["char_scale"]),
            words=tuple(bytes(arrays["words"]).decode("ascii").split("\n")),
            word_units=arrays["word_units"].astype(np.int32, copy=False),
            word_exponent=int(meta["word_exponent"]),
            stack=tuple(float(c) for c in meta["stack"]),  # type: ignore[arg-type]
            features_sha256=str(meta["features_sha256"]),
            meta=meta,
            document=Context(**meta["document"]) if meta.get("document") else None,
        )
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as e:
        raise ConfigError(
            f"language-ID model file {path} is unreadable ({e}); rebuild it with "
            "python scripts/build_langid_model.py, or reinstall idcorpus"
        ) from e


def save_trained(path: Path, trained: Trained) -> None:
    """Write the model file (compressed, no pickle); one rename, so readers see all or nothing."""
    meta = dict(trained.meta, format=FORMAT, languages=list(trained.languages),
                char_exponent=trained.char_exponent, char_scale=trained.char_scale,
                word_exponent=trained.word_exponent, stack=list(trained.stack),
                features_sha256=trained.features_sha256,
                document=dataclasses.asdict(trained.document) if trained.document else None)  # fmt: skip
    words = "\n".join(trained.words).encode("ascii")
    staged = path.with_name(f".{path.name}.tmp.npz")
    np.savez_compressed(
        staged,
        char_units=trained.char_units,
        char_prior=trained.char_prior,
        word_units=trained.word_units,
        words=np.frombuffer(words, dtype=np.uint8),
        meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
    )
    os.replace(staged, path)
