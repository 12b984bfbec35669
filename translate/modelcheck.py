"""Check a model folder before anything loads or converts it.

`check_model_dir` runs for every engine (translate.resolve calls it for a local folder, a
cached hub snapshot and a fresh download) and turns every problem it can see cheaply into a
`ModelLoadError` that names the file and says what to do, instead of a traceback (or worse,
an unpickled file) later on:

- config.json: present, a JSON object, `model_type` "marian" (idcorpus's tokenizer handling,
  scoring and CTranslate2 conversion assume a Marian model);
- weights: safetensors only. A folder whose weights are only pickles or other formats
  (`pytorch_model.bin`, .pt, .pth, .ckpt, .h5, .msgpack, ...) is refused before any loader
  or converter opens them (unpickling can run code); the message says how to convert.
  Every `*.safetensors` file is checked without reading its tensors: an 8-byte little-endian
  header length, a JSON header, each tensor's data_offsets in order and within the file
  (a truncated, zeroed or garbage file fails here), and its byte size matching its shape;
  the shards a `model.safetensors.index.json` lists must exist;
- tokenizer: `source.spm` and `target.spm` load as SentencePiece models and `vocab.json` is a
  JSON object (MarianTokenizer needs all three);
- the folder is one whole model: every tensor config.json's architecture needs is in the
  weights with its shape (translate.marian_spec, from the headers: the CTranslate2 converter
  would fill a missing one at random), and the tokenizer belongs to these weights
  (translate.tokenfit: vocabulary size, special-token ids, SentencePiece pieces).

All of it reads headers and small files, never a tensor (about 0.1 s for opus-mt-id-en). A
folder that passed is remembered with its files' names, sizes and times (a sidecar in
`verdicts/whole-N/` beside the fingerprint store, never in the folder), so later loads and every
worker skip the checks while nothing changed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from translate.errors import EngineNotInstalledError, ModelLoadError
from translate.fingerprint import remember, remembered
from translate.marian_spec import check_tensors, source_embedding, stored_names
from translate.tokenfit import check_tokenizer_fit

UNSAFE_WEIGHTS = (".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".pkl", ".pickle", ".ot")
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json")
WHOLE = "whole-2"  # what check_model_dir checks, remembered per folder; a new name checks again
MAX_HEADER_BYTES = 100_000_000  # the safetensors format's own limit
DTYPE_BYTES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
    "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
    "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}  # fmt: skip
REFETCH = "copy or download the whole model folder again"
CONVERT = (
    'convert it once, on a machine where you trust the file: `python -c "from transformers '
    "import MarianMTModel as M; M.from_pretrained('DIR').save_pretrained('DIR', "
    'safe_serialization=True)"` writes model.safetensors next to it'
)


def problem(path: Path, what: str, todo: str = REFETCH) -> ModelLoadError:
    return ModelLoadError(f"model folder {path.parent}: {path.name} {what}; {todo}")


def check_model_dir(path: Path, store: Path | None = None) -> dict[str, Any]:
    """Check the folder as the module docstring says; returns its config.json. `store` is the
    fingerprint store, where a folder that passed is remembered (None: the default store)."""
    try:
        config = read_config(path / "config.json")
        check_marian(path / "config.json", config)
        if remembered(path, store, WHOLE):
            return config
        stored = check_weights(path)
        check_architecture(path, config, stored)
        vocabs = check_tokenizer(path)
        check_tokenizer_fit(path, config, vocabs, embedding(stored))
        remember(path, store, WHOLE)
    except OSError as e:
        raise ModelLoadError(
            f"model folder {path} cannot be read ({e}); check its permissions"
        ) from e
    return config


def read_config(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise ModelLoadError(
            f"{file.parent} is not a model directory (no config.json); give the folder that "
            "holds config.json, model.safetensors, source.spm, target.spm and vocab.json"
        )
    data = read_json(file)
    if not isinstance(data, dict):
        raise problem(file, "is not a JSON object")
    return data


def read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_bytes())
    except json.JSONDecodeError as e:
        where = f"line {e.lineno}, column {e.colno}: {e.msg}"
        raise problem(file, f"is not valid JSON ({where})") from e
    except (UnicodeDecodeError, ValueError) as e:
        raise problem(file, f"is not valid JSON ({e})") from e
    except OSError as e:
        raise problem(file, f"cannot be read ({e.strerror or e})") from e


def check_marian(file: Path, config: dict[str, Any]) -> None:
    kind = config.get("model_type")
    if kind == "marian":
        return
    todo = (
        "idcorpus translates with Marian models only (opus-mt-*, e.g. "
        "Helsinki-NLP/opus-mt-id-en): its tokenizer handling, scoring and CTranslate2 "
        "conversion assume one"
    )
    if kind is None and (file.parent / "model.bin").is_file():
        todo = (
            "this looks like a model already converted to CTranslate2: give the original "
            "transformers folder (idcorpus converts it itself, once)"
        )
    raise problem(file, f"says model_type {kind!r}, not 'marian'", todo)


Stored = dict[str, tuple[str, tuple[int, ...], Path]]
"""Tensor name -> (dtype, shape, the safetensors file holding it)."""


def weight_files(path: Path) -> list[Path]:
    """The safetensors files transformers loads: the shards of model.safetensors.index.json,
    else model.safetensors."""
    index = path / "model.safetensors.index.json"
    if index.is_file():
        return check_index(index)
    if (path / "model.safetensors").is_file():
        return [path / "model.safetensors"]
    others = sorted(p.name for p in path.glob("*.safetensors") if p.is_file())
    if others:
        raise problem(
            path / "model.safetensors",
            f"is missing ({', '.join(others)} is not loaded without it or an index)",
        )
    unsafe = sorted(p.name for p in path.iterdir() if p.suffix.lower() in UNSAFE_WEIGHTS)
    if unsafe:
        raise problem(
            path / unsafe[0],
            f"holds the weights but is not safetensors ({', '.join(unsafe)}); idcorpus "
            "loads only model.safetensors, never a pickle",
            CONVERT,
        )
    raise problem(path / "model.safetensors", "is missing (no *.safetensors weights)")


def check_weights(path: Path) -> Stored:
    """The tensors of the folder's weights (named as transformers names them), every file's
    header checked."""
    stored: Stored = {}
    for file in weight_files(path):
        for name, (dtype, shape) in check_safetensors(file).items():
            stored[name] = (dtype, shape, file)
    return stored_names(stored)


def check_index(index: Path) -> list[Path]:
    data = read_json(index)
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict):
        raise problem(index, "has no weight_map")
    shards = sorted(set(map(str, weight_map.values())))
    for shard in shards:
        if Path(shard).name != shard or not (index.parent / shard).is_file():
            raise problem(index.parent / shard, f"is missing (listed in {index.name})")
    return [index.parent / shard for shard in shards]


def check_safetensors(file: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    """A safetensors file's layout, from its header alone (see the module docstring); its
    tensors, name -> (dtype, shape)."""
    size = file.stat().st_size
    with file.open("rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise problem(file, f"is truncated ({size} bytes, no safetensors header)")
        length = int.from_bytes(head, "little")
        if length > min(size - 8, MAX_HEADER_BYTES):
            raise problem(
                file, f"is damaged or truncated (header of {length} bytes, file of {size})"
            )
        raw = f.read(length)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as e:
        raise problem(file, "is damaged (its header is not JSON): not a safetensors file") from e
    if not isinstance(header, dict):
        raise problem(file, "is damaged (its header is not a JSON object)")
    data_bytes = size - 8 - length
    tensors = {}
    for name, info in header.items():
        if name != "__metadata__":
            tensors[name] = check_tensor(file, name, info, data_bytes)
    return tensors


def check_architecture(path: Path, config: dict[str, Any], stored: Stored) -> None:
    """Every tensor config.json's architecture needs, of its shape (translate.marian_spec)."""
    try:
        problems = check_tensors(stored, config)
    except ValueError as e:
        raise problem(path / "config.json", f"is not a whole Marian config ({e})") from e
    if problems:
        files = sorted({file.name for _, _, file in stored.values()})
        where = files[0] if len(files) == 1 else "model.safetensors.index.json"
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise problem(
            path / where,
            f"{'; '.join(problems[:3])}{more}: the weights are incomplete or of another "
            "model than config.json",
        )


def embedding(stored: Stored) -> tuple[str, str, int] | None:
    """(file, tensor, rows) of the source embedding matrix the tokenizer's ids index."""
    name = source_embedding(stored)
    if name is None:
        return None
    _, shape, file = stored[name]
    return file.name, name, shape[0]


def check_tensor(file: Path, name: str, info: Any, data_bytes: int) -> tuple[str, tuple[int, ...]]:
    try:
        begin, end = (int(x) for x in info["data_offsets"])
        shape = [int(d) for d in info["shape"]]
        dtype = str(info["dtype"])
    except (KeyError, TypeError, ValueError) as e:
        raise problem(file, f"is damaged (tensor {name!r} has no valid offsets)") from e
    if not 0 <= begin <= end:
        raise problem(file, f"is damaged (tensor {name!r} has offsets {begin}..{end})")
    if end > data_bytes:
        raise problem(
            file,
            f"is truncated (tensor {name!r} ends at byte {end} of the data, which has "
            f"{data_bytes})",
        )
    width = DTYPE_BYTES.get(dtype)
    if width is not None and end - begin != math.prod(shape) * width:
        raise problem(file, f"is damaged (tensor {name!r}: {end - begin} bytes for {shape})")
    return dtype, tuple(shape)


def check_tokenizer(path: Path) -> dict[str, dict[str, Any]]:
    """The tokenizer files load; their vocabularies, by file name."""
    missing = [name for name in TOKENIZER_FILES if not (path / name).is_file()]
    if missing:
        raise problem(
            path / missing[0],
            f"is missing (the Marian tokenizer needs {', '.join(TOKENIZER_FILES)}; "
            f"missing: {', '.join(missing)})",
        )
    for name in ("source.spm", "target.spm"):
        check_sentencepiece(path / name)
    vocabs = {}
    for name in ("vocab.json", "target_vocab.json"):
        if (path / name).is_file():
            vocab = read_json(path / name)
            if not isinstance(vocab, dict):
                raise problem(path / name, "is not a JSON object (token -> id)")
            vocabs[name] = vocab
    return vocabs


def check_sentencepiece(file: Path) -> None:
    try:
        import sentencepiece
    except ImportError as e:
        raise EngineNotInstalledError(
            "the Marian tokenizer needs sentencepiece: `pip install 'idcorpus[translate]'`"
        ) from e
    try:
        sentencepiece.SentencePieceProcessor(model_file=str(file))
    except (RuntimeError, OSError, ValueError) as e:
        raise problem(file, f"is not a SentencePiece model ({e})") from e
