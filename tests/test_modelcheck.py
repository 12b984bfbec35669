"""translate.modelcheck: unsafe, foreign, damaged and incomplete model folders are refused
before anything loads or converts them, with a message naming the file (exit 2 on the CLI)."""

from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from translate.base import EngineConfig
from translate.errors import ModelLoadError
from translate.load import load_engine
from translate.resolve import resolve_model

ENGINES = ("ctranslate2", "transformers")


@pytest.fixture
def model(tiny_model: str, tmp_path: Path) -> Path:
    """A copy of the tiny model that a test may damage."""
    return Path(shutil.copytree(tiny_model, tmp_path / "model"))


class Canary:
    """Unpickling this creates `path`: proof that a pickle was (or was not) opened."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str, str]]:
        return open, (str(self.path), "w")


def only_pickled_weights(model: Path, name: str, canary: Path) -> Path:
    (model / "model.safetensors").unlink()
    (model / name).write_bytes(pickle.dumps({"weights": Canary(canary)}))
    return model / name


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name",
    ["pytorch_model.bin", "model.pt", "model.ckpt", "tf_model.h5", "flax_model.msgpack"],
)
def test_weights_that_are_not_safetensors_are_refused_before_any_loader(
    model: Path, tmp_path: Path, engine: str, name: str
) -> None:
    canary = tmp_path / "unpickled"
    only_pickled_weights(model, name, canary)
    cache = tmp_path / "cache"
    with pytest.raises(ModelLoadError) as info:
        load_engine(EngineConfig(model=str(model), engine=engine, cache_dir=str(cache)))
    message = str(info.value)
    assert f"{name} holds the weights but is not safetensors" in message
    assert str(model) in message and "save_pretrained('DIR', safe_serialization=True)" in message
    assert not canary.exists()  # never unpickled
    assert not cache.exists()  # nothing converted, nothing remembered


def test_a_real_pytorch_bin_is_refused_by_the_default_engine_on_the_cli(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: a real torch-pickled pytorch_model.bin only, default engine."""
    import torch
    from safetensors.torch import load_file

    torch.save(load_file(model / "model.safetensors"), model / "pytorch_model.bin")
    (model / "model.safetensors").unlink()
    code = build_cli(model, tmp_path, "--cache-path", str(tmp_path / "cache.db"))
    err = capsys.readouterr().err
    assert code == 2 and "pytorch_model.bin holds the weights" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def build_cli(model: Path, tmp_path: Path, *extra: str) -> int:
    """`idcorpus build` of one small document with `model`, in process; the exit code."""
    from corpus.cli.main import main

    doc = tmp_path / "doc.txt"
    doc.write_text("Presiden meresmikan jalan tol baru di Jawa Tengah.\n", encoding="utf-8")
    args = ["build", str(doc), "--out", str(tmp_path / "out"), "--model", str(model)]
    return main([*args, "--quiet", *extra])


@pytest.mark.parametrize("engine", ENGINES)
def test_safetensors_beside_a_pickle_are_used_and_the_pickle_never_opened(
    tiny_model: str, model: Path, tmp_path: Path, engine: str
) -> None:
    canary = tmp_path / "unpickled"
    (model / "pytorch_model.bin").write_bytes(pickle.dumps(Canary(canary)))
    sentences = ["Nyaman tanpa iklan.", "Sumber : Xinhua"]

    def translate(path: str) -> list[str]:
        config = EngineConfig(
            model=path, engine=engine, device="cpu", cache_dir=str(tmp_path / "c"), threads=1
        )
        return [t.text for t in load_engine(config).translate_batch(sentences)]

    assert translate(str(model)) == translate(tiny_model)
    assert not canary.exists()


def set_config(model: Path, **changes: object) -> None:
    config = json.loads((model / "config.json").read_text())
    config.update(changes)
    (model / "config.json").write_text(json.dumps(config))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["t5", "bart", None], ids=["t5", "bart", "no-model-type"])
def test_a_model_that_is_not_marian_is_refused(
    model: Path, tmp_path: Path, engine: str, kind: str | None
) -> None:
    set_config(model, model_type=kind)
    with pytest.raises(ModelLoadError, match=f"says model_type {kind!r}, not 'marian'") as info:
        load_engine(EngineConfig(model=str(model), engine=engine, cache_dir=str(tmp_path / "c")))
    assert "config.json" in str(info.value) and "Marian models only" in str(info.value)


def test_a_ctranslate2_folder_is_recognised(model: Path) -> None:
    (model / "config.json").write_text('{"add_source_bos": false, "unk_token": "<unk>"}')
    (model / "model.bin").write_bytes(b"\x00" * 64)
    with pytest.raises(ModelLoadError, match="already converted to CTranslate2: give the original"):
        resolve_model(EngineConfig(model=str(model)))


def truncate(file: Path, keep: float) -> None:
    data = file.read_bytes()
    file.write_bytes(data[: int(len(data) * keep)])


def rewrite_header(file: Path, change: Callable[[dict], None]) -> None:
    """Edit a safetensors header (JSON) and write the file back with the same tensor data."""
    data = file.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + length])
    change(header)
    raw = json.dumps(header).encode()
    file.write_bytes(len(raw).to_bytes(8, "little") + raw + data[8 + length :])


def first_tensor(header: dict) -> dict:
    return next(v for k, v in header.items() if k != "__metadata__")


def shard(model: Path) -> None:
    index = {"metadata": {}, "weight_map": {"a": "model.safetensors", "b": "model-2.safetensors"}}
    (model / "model.safetensors.index.json").write_text(json.dumps(index))


DAMAGE: dict[str, tuple[Callable[[Path], object], str]] = {
    "no-config": (lambda m: (m / "config.json").unlink(), "is not a model directory"),
    "config-not-json": (
        lambda m: (m / "config.json").write_text('{"model_type": "marian",'),
        "config.json is not valid JSON (line 1, column 25",
    ),
    "config-binary": (
        lambda m: (m / "config.json").write_bytes(b"\xff\xfe\x00garbage"),
        "config.json is not valid JSON",
    ),
    "config-list": (lambda m: (m / "config.json").write_text("[]"), "is not a JSON object"),
    "no-weights": (
        lambda m: (m / "model.safetensors").unlink(),
        "model.safetensors is missing (no *.safetensors weights)",
    ),
    "weights-truncated": (
        lambda m: truncate(m / "model.safetensors", 0.5),
        "model.safetensors is truncated (tensor",
    ),
    "weights-cut-in-header": (
        lambda m: truncate(m / "model.safetensors", 0.001),
        "model.safetensors is damaged or truncated (header of",
    ),
    "weights-tiny": (
        lambda m: (m / "model.safetensors").write_bytes(b"abcd"),
        "model.safetensors is truncated (4 bytes, no safetensors header)",
    ),
    "weights-empty": (
        lambda m: (m / "model.safetensors").write_bytes(b""),
        "model.safetensors is truncated (0 bytes",
    ),
    "weights-zeroed": (
        lambda m: (m / "model.safetensors").write_bytes(
            bytes((m / "model.safetensors").stat().st_size)
        ),
        "model.safetensors is damaged (its header is not JSON)",
    ),
    "weights-garbage": (
        lambda m: (m / "model.safetensors").write_bytes(b"\x8f" * 5000),
        "model.safetensors is damaged or truncated (header of",
    ),
    "weights-bad-shape": (
        lambda m: rewrite_header(
            m / "model.safetensors", lambda h: first_tensor(h).update(shape=[1])
        ),
        "bytes for [1])",
    ),
    "weights-bad-offsets": (
        lambda m: rewrite_header(
            m / "model.safetensors", lambda h: first_tensor(h).update(data_offsets=[9, 3])
        ),
        "has offsets 9..3",
    ),
    "weights-no-offsets": (
        lambda m: rewrite_header(
            m / "model.safetensors", lambda h: first_tensor(h).pop("data_offsets")
        ),
        "has no valid offsets",
    ),
    "missing-shard": (shard, "model-2.safetensors is missing (listed in"),
    "no-source-spm": ((lambda m: (m / "source.spm").unlink()), "source.spm is missing"),
    "no-target-spm": ((lambda m: (m / "target.spm").unlink()), "target.spm is missing"),
    "no-vocab": ((lambda m: (m / "vocab.json").unlink()), "vocab.json is missing"),
    "no-tokenizer": (
        lambda m: [(m / n).unlink() for n in ("source.spm", "target.spm", "vocab.json")],
        "missing: source.spm, target.spm, vocab.json",
    ),
    "spm-garbage": (
        lambda m: (m / "target.spm").write_bytes(b"\x00\x01garbage" * 100),
        "target.spm is not a SentencePiece model",
    ),
    "spm-truncated": (lambda m: truncate(m / "source.spm", 0.5), "source.spm is not a Sentence"),
    "vocab-not-json": (
        lambda m: (m / "vocab.json").write_text('{"</s>": 0,'),
        "vocab.json is not valid JSON",
    ),
    "vocab-list": (lambda m: (m / "vocab.json").write_text("[1]"), "vocab.json is not a JSON"),
}


@pytest.mark.parametrize("case", list(DAMAGE), ids=list(DAMAGE))
def test_damaged_or_incomplete_folders_name_the_file(model: Path, case: str) -> None:
    damage, match = DAMAGE[case]
    damage(model)
    with pytest.raises(ModelLoadError) as info:
        resolve_model(EngineConfig(model=str(model)))
    assert match in str(info.value) and str(model) in str(info.value)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "case", ["weights-truncated", "weights-zeroed", "no-source-spm", "config-not-json"]
)
def test_damaged_folders_fail_on_the_cli_with_exit_2_and_no_traceback(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, engine: str
) -> None:
    DAMAGE[case][0](model)
    code = build_cli(model, tmp_path, "--engine", engine, "--no-cache")
    err = capsys.readouterr().err
    assert code == 2 and DAMAGE[case][1] in err and "Traceback" not in err
    assert err.count("\n") <= 3  # one short paragraph


def test_weights_of_another_shape_are_refused_by_the_transformers_engine(model: Path) -> None:
    """Valid safetensors whose tensors do not fit config.json."""
    set_config(model, d_model=64)
    with pytest.raises(ModelLoadError, match="cannot load the model weights from .* match config"):
        load_engine(EngineConfig(model=str(model), engine="transformers", device="cpu"))


def test_weights_missing_tensors_are_refused_not_filled_at_random(model: Path) -> None:
    from safetensors.torch import load_file, save_file

    weights = load_file(model / "model.safetensors")
    kept = {k: v for k, v in weights.items() if ".layers.0.fc1." not in k}
    assert len(kept) == len(weights) - 4
    save_file(kept, model / "model.safetensors", metadata={"format": "pt"})
    resolve_model(EngineConfig(model=str(model)))  # a sound file, just incomplete
    with pytest.raises(ModelLoadError, match=r"lack 4 tensor\(s\) the model needs"):
        load_engine(EngineConfig(model=str(model), engine="transformers", device="cpu"))


def test_a_sharded_model_with_all_shards_passes(model: Path) -> None:
    index = {"metadata": {}, "weight_map": {"x": "model.safetensors"}}
    (model / "model.safetensors.index.json").write_text(json.dumps(index))
    assert resolve_model(EngineConfig(model=str(model))).path == str(model.resolve())


@pytest.mark.parametrize("name", ["source.spm", "vocab.json"])
def test_the_tokenizer_loader_itself_never_lets_a_type_error_out(model: Path, name: str) -> None:
    """Behind the check too (a caller passing its own ResolvedModel): a ModelLoadError."""
    from translate.plan import load_tokenizer

    (model / name).unlink()
    with pytest.raises(ModelLoadError, match="cannot load the tokenizer from .*needs source.spm"):
        load_tokenizer(str(model))


def test_an_unreadable_folder_is_a_model_load_error(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a non-root user without read permission would see it (root cannot be locked out,
    so the listing fails by hand here)."""

    def denied(self: Path) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(ModelLoadError, match="cannot list the model folder .*Permission denied"):
        resolve_model(EngineConfig(model=str(model), cache_dir=str(tmp_path / "c")))
    (model / "model.safetensors").unlink()  # the check now lists the folder for other weights
    with pytest.raises(ModelLoadError, match="cannot be read .*Permission denied"):
        resolve_model(EngineConfig(model=str(model), cache_dir=str(tmp_path / "c")))
