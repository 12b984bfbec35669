"""translate.modelcheck: unsafe, foreign, damaged and incomplete model folders are refused
before anything loads or converts them, with a message naming the file (exit 2 on the CLI)."""

from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# --- one whole model (issue 21.1) --------------------------------------------------------------


def drop_tensors(model: Path, part: str) -> None:
    from safetensors.torch import load_file, save_file

    weights = load_file(model / "model.safetensors")
    kept = {k: v for k, v in weights.items() if part not in k}
    assert len(kept) < len(weights)
    save_file(kept, model / "model.safetensors", metadata={"format": "pt"})


def swap_shape(name: str) -> Callable[[dict], None]:
    """A header edit that gives tensor `name` its shape reversed (same bytes: the file stays
    sound, only the shape is wrong)."""

    def change(header: dict) -> None:
        header[name]["shape"] = header[name]["shape"][::-1]

    return change


def take_from(other: str, *names: str) -> Callable[[Path], None]:
    def take(model: Path) -> None:
        for name in names:
            shutil.copyfile(Path(other) / name, model / name)

    return take


def add_entries(model: Path, n: int) -> None:
    vocab = json.loads((model / "vocab.json").read_text())
    vocab.update({f"<extra{i}>": len(vocab) + i for i in range(n)})
    (model / "vocab.json").write_text(json.dumps(vocab))


def gap_in_ids(model: Path) -> None:
    vocab = json.loads((model / "vocab.json").read_text())
    (model / "vocab.json").write_text(json.dumps({**vocab, "<pad>": 999}))


FC1 = "model.encoder.layers.0.fc1.weight"
NOT_WHOLE: dict[str, tuple[Callable[[Path, str], object], str]] = {
    "missing-tensor": (
        lambda m, o: drop_tensors(m, ".layers.0.fc1."),
        f"model.safetensors lacks tensor {FC1} [64, 32]; lacks tensor "
        "model.encoder.layers.0.fc1.bias [64]",
    ),
    "missing-embedding": (
        lambda m, o: drop_tensors(m, "model.shared."),
        "model.safetensors lacks tensor model.shared.weight [315, 32]",
    ),
    "wrong-shape": (
        lambda m, o: rewrite_header(m / "model.safetensors", swap_shape(FC1)),
        f"model.safetensors has tensor {FC1} of shape [32, 64] where config.json needs [64, 32]",
    ),
    "config-of-another-shape": (
        lambda m, o: set_config(m, d_model=64),
        "model.safetensors has tensor model.shared.weight of shape [315, 32] where config.json "
        "needs [315, 64]",
    ),
    "other-models-spm": (
        lambda m, o: take_from(o, "source.spm", "target.spm")(m),
        "source.spm has 130 of its 197 pieces missing from vocab.json",
    ),
    "other-models-weights": (
        lambda m, o: take_from(o, "model.safetensors")(m),
        "model.safetensors has tensor model.shared.weight of shape [200, 32] where config.json "
        "needs [315, 32]",
    ),
    "other-models-weights-and-config": (
        lambda m, o: take_from(o, "model.safetensors", "config.json", "generation_config.json")(m),
        "vocab.json has 315 entries but the weights' embedding matrix (model.shared.weight in "
        "model.safetensors) has 200 rows: the tokenizer and the weights are of different models",
    ),
    "other-models-tokenizer": (
        lambda m, o: take_from(o, "source.spm", "target.spm", "vocab.json")(m),
        "vocab.json has 200 entries but the weights' embedding matrix (model.shared.weight in "
        "model.safetensors) has 315 rows",
    ),
    "larger-vocab": (
        lambda m, o: add_entries(m, 5),
        "vocab.json has 320 entries but the weights' embedding matrix (model.shared.weight in "
        "model.safetensors) has 315 rows",
    ),
    "eos-id": (
        lambda m, o: set_config(m, eos_token_id=5),
        "config.json says eos_token_id 5 but vocab.json gives '</s>' the id 0",
    ),
    "vocab-ids-with-a-gap": (
        lambda m, o: gap_in_ids(m),
        "vocab.json does not number its 315 tokens 0..314 once each",
    ),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(NOT_WHOLE), ids=list(NOT_WHOLE))
def test_a_folder_that_is_not_one_whole_model_is_refused_by_every_engine(
    model: Path, other_model: str, tmp_path: Path, case: str, engine: str
) -> None:
    """Before any conversion or load: the message names the file and what is wrong, and
    never sends the user to another engine."""
    damage, match = NOT_WHOLE[case]
    damage(model, other_model)
    cache = tmp_path / "cache"
    with pytest.raises(ModelLoadError) as info:
        load_engine(EngineConfig(model=str(model), engine=engine, cache_dir=str(cache)))
    message = str(info.value)
    assert match in message and str(model) in message, message
    assert "--engine" not in message and "copy or download the whole model folder" in message
    assert not (cache / "ct2").exists()  # nothing converted


@pytest.mark.parametrize("engine", [*ENGINES, "auto"])
@pytest.mark.parametrize("case", ["missing-tensor", "larger-vocab", "other-models-spm"])
def test_a_folder_that_is_not_whole_fails_on_the_cli_with_exit_2(
    model: Path, other_model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    case: str, engine: str,
) -> None:  # fmt: skip
    NOT_WHOLE[case][0](model, other_model)
    code = build_cli(model, tmp_path, "--engine", engine, "--no-cache")
    err = capsys.readouterr().err
    assert code == 2 and NOT_WHOLE[case][1] in err, err
    assert "Traceback" not in err and "--engine" not in err
    assert not (tmp_path / "out").exists()


def test_the_other_model_itself_is_whole(other_model: str, tmp_path: Path) -> None:
    """The second model of the tests above is a sound model: only mixing the two fails."""
    for engine in ENGINES:
        config = EngineConfig(model=other_model, engine=engine, cache_dir=str(tmp_path / "c"))
        assert load_engine(config).translate_batch(["Selamat pagi."])


MARIAN_SHAPES: dict[str, dict[str, Any]] = {
    "shared-tied": {},
    "shared-untied": {"tie_word_embeddings": False},
    "separate-tied": {"share_encoder_decoder_embeddings": False, "decoder_vocab_size": 40},
    "separate-untied": {
        "share_encoder_decoder_embeddings": False,
        "tie_word_embeddings": False,
        "decoder_vocab_size": 40,
    },
}


@pytest.mark.slow  # builds and saves models with transformers (torch): out of the inner loop
@pytest.mark.parametrize("shape", list(MARIAN_SHAPES), ids=list(MARIAN_SHAPES))
def test_the_expected_tensors_are_those_transformers_saves_and_needs(
    tmp_path: Path, shape: str
) -> None:
    """translate.marian_spec against transformers itself: what save_pretrained writes passes,
    and every tensor the model holds that is not rebuilt on load is required."""
    from transformers import MarianConfig, MarianMTModel

    from translate.marian_spec import check_tensors, expected_tensors
    from translate.modelcheck import check_weights

    config = MarianConfig(
        vocab_size=30, d_model=8, encoder_layers=2, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=16, decoder_ffn_dim=12, pad_token_id=29,
        decoder_start_token_id=29, max_position_embeddings=20, **MARIAN_SHAPES[shape],
    )  # fmt: skip
    MarianMTModel(config).save_pretrained(tmp_path, safe_serialization=True)
    saved = json.loads((tmp_path / "config.json").read_text())
    stored = check_weights(tmp_path)
    assert check_tensors(stored, saved) == []
    held = {k: tuple(v.shape) for k, v in MarianMTModel(config).state_dict().items()}
    groups = expected_tensors(saved)
    assert {n for g in groups for n in g.names} >= set(held)
    for group in groups:
        assert all(held[n] == group.shape for n in group.names if n in held)
        if group.optional:
            continue
        without = {k: v for k, v in stored.items() if k not in group.names}
        assert f"lacks tensor {group.names[0]}" in " ".join(check_tensors(without, saved))


def test_a_whole_folder_is_checked_once_and_again_when_a_file_changes(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    from translate import modelcheck

    old = time.time_ns() - 10 * 10**9  # files older than the racy window are remembered
    for file in model.iterdir():
        os.utime(file, ns=(old, old))
    store = tmp_path / "fingerprints"
    calls: list[Path] = []
    real = modelcheck.check_weights

    def counted(path: Path) -> Any:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(modelcheck, "check_weights", counted)
    for _ in range(3):
        modelcheck.check_model_dir(model, store)
    assert len(calls) == 1  # remembered after the first
    add_entries(model, 5)  # a changed file is checked again, and refused
    with pytest.raises(ModelLoadError, match="vocab.json has 320 entries"):
        modelcheck.check_model_dir(model, store)
    assert len(calls) == 2


def test_the_header_check_of_an_opus_mt_sized_file_reads_no_tensor(tmp_path: Path) -> None:
    """A 112 MB tensor whose data is a hole in a sparse file: checked from its header alone."""
    import time

    from translate.modelcheck import check_safetensors

    size = 54796 * 512 * 4
    header = {"w": {"dtype": "F32", "shape": [54796, 512], "data_offsets": [0, size]}}
    raw = json.dumps(header).encode()
    file = tmp_path / "model.safetensors"
    with open(file, "wb") as f:
        f.write(len(raw).to_bytes(8, "little") + raw)
        f.truncate(8 + len(raw) + size)
    started = time.perf_counter()
    assert check_safetensors(file) == {"w": ("F32", (54796, 512))}
    assert time.perf_counter() - started < 0.5


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
