"""Check a model folder before anything loads or converts it.

`check_model_dir` runs for every engine (translate.load calls it for a local folder, a
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
  JSON object (MarianTokenizer needs all three).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from translate.errors import EngineNotInstalledError, ModelLoadError

UNSAFE_WEIGHTS = (".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".pkl", ".pickle", ".ot")
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json")
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


def check_model_dir(path: Path) -> dict[str, Any]:
    """Check the folder as the module docstring says; returns its config.json."""
    try:
        config = read_config(path / "config.json")
        check_marian(path / "config.json", config)
        check_weights(path)
        check_tokenizer(path)
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


def check_weights(path: Path) -> None:
    weights = sorted(p for p in path.glob("*.safetensors") if p.is_file())
    if not weights:
        others = sorted(p.name for p in path.iterdir() if p.suffix.lower() in UNSAFE_WEIGHTS)
        if others:
            raise problem(
                path / others[0],
                f"holds the weights but is not safetensors ({', '.join(others)}); idcorpus "
                "loads only model.safetensors, never a pickle",
                CONVERT,
            )
        raise problem(path / "model.safetensors", "is missing (no *.safetensors weights)")
    index = path / "model.safetensors.index.json"
    if index.is_file():
        check_index(index)
    for file in weights:
        check_safetensors(file)


def check_index(index: Path) -> None:
    data = read_json(index)
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict):
        raise problem(index, "has no weight_map")
    for shard in sorted(set(map(str, weight_map.values()))):
        if Path(shard).name != shard or not (index.parent / shard).is_file():
            raise problem(index.parent / shard, f"is missing (listed in {index.name})")


def check_safetensors(file: Path) -> None:
    """A safetensors file's layout, from its header alone (see the module docstring)."""
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
    for name, info in header.items():
        if name != "__metadata__":
            check_tensor(file, name, info, data_bytes)


def check_tensor(file: Path, name: str, info: Any, data_bytes: int) -> None:
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


def check_tokenizer(path: Path) -> None:
    missing = [name for name in TOKENIZER_FILES if not (path / name).is_file()]
    if missing:
        raise problem(
            path / missing[0],
            f"is missing (the Marian tokenizer needs {', '.join(TOKENIZER_FILES)}; "
            f"missing: {', '.join(missing)})",
        )
    for name in ("source.spm", "target.spm"):
        check_sentencepiece(path / name)
    for name in ("vocab.json", "target_vocab.json"):
        if (path / name).is_file() and not isinstance(read_json(path / name), dict):
            raise problem(path / name, "is not a JSON object (token -> id)")


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
