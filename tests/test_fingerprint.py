"""translate.fingerprint: every model file counts, the value is computed once per content
(remembered in a sidecar under the cache, never in the model folder), and a changed model is
never served a stale CTranslate2 conversion."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

import translate.fingerprint as fp
from translate.base import DecodingOptions, EngineConfig
from translate.ct2 import CT2Engine
from translate.errors import ModelLoadError
from translate.resolve import resolve_model

HOUR_NS = 3600 * 10**9


def age(folder: Path, ns: int = HOUR_NS) -> None:
    """Set every file's mtime `ns` into the past (as a model downloaded a while ago)."""
    for file in folder.iterdir():
        st = file.stat()
        os.utime(file, ns=(st.st_atime_ns, time.time_ns() - ns))


@pytest.fixture
def model(tiny_model: str, tmp_path: Path) -> Path:
    copy = Path(shutil.copytree(tiny_model, tmp_path / "model"))
    age(copy)
    return copy


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "fingerprints"


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The file lists hashed (the real hash_files still runs)."""
    calls: list[list[str]] = []
    real = fp.hash_files

    def counting(files: list[Path]) -> str:
        calls.append([f.name for f in files])
        return real(files)

    monkeypatch.setattr(fp, "hash_files", counting)
    return calls


def resolve(model: Path, cache: Path) -> str:
    return resolve_model(EngineConfig(model=str(model), cache_dir=str(cache))).fingerprint


def rewrite_weights(file: Path, scale: float) -> None:
    """Other values in the same tensors: a valid safetensors file of the same size."""
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    with safe_open(str(file), "pt") as f:
        metadata = f.metadata()
    size = file.stat().st_size
    save_file({k: v * scale for k, v in load_file(file).items()}, file, metadata=metadata)
    assert file.stat().st_size == size


def test_covers_every_model_file_but_not_documentation(model: Path) -> None:
    files = [p.name for p in fp.model_files(model)]
    for name in ("config.json", "generation_config.json", "model.safetensors", "source.spm",
                 "target.spm", "vocab.json", "tokenizer_config.json"):  # fmt: skip
        assert name in files
    base = fp.fingerprint(model, None)
    for name in ("README.md", "LICENSE", ".gitattributes", "notes.md"):
        (model / name).write_text("docs")
    assert fp.fingerprint(model, None) == base


@pytest.mark.parametrize(
    "name",
    [
        "model.safetensors",
        "source.spm",
        "target.spm",
        "vocab.json",
        "config.json",
        "generation_config.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "pytorch_model.bin",
        "tf_model.h5",
        "merges.txt",
    ],  # fmt: skip
)
def test_a_change_to_any_model_file_changes_it(model: Path, store: Path, name: str) -> None:
    base = fp.fingerprint(model, store)
    file = model / name
    file.write_bytes((file.read_bytes() if file.exists() else b"") + b" ")
    assert fp.fingerprint(model, store) != base


def test_a_pytorch_bin_beside_the_safetensors_counts(model: Path, tmp_path: Path) -> None:
    """The issue: *.bin was left out, so zeroed .bin weights kept the old fingerprint."""
    (model / "pytorch_model.bin").write_bytes(b"\x01" * 1000)
    before = resolve(model, tmp_path / "c")
    (model / "pytorch_model.bin").write_bytes(b"\x00" * 1000)  # zeroed, same size
    assert resolve(model, tmp_path / "c") != before


def test_equal_content_gives_equal_fingerprints(model: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(model, tmp_path / "copy"))
    assert fp.fingerprint(copy, None) == fp.fingerprint(model, None)
    os.rename(copy / "source.spm", copy / "source2.spm")  # names count too
    assert fp.fingerprint(copy, None) != fp.fingerprint(model, None)


def test_unchanged_model_is_hashed_once_then_read_from_the_sidecar(
    model: Path, store: Path, tmp_path: Path, hashes: list[list[str]]
) -> None:
    first = resolve(model, tmp_path / "cache")
    assert len(hashes) == 1
    sidecars = list(store.iterdir())
    assert len(sidecars) == 1
    data = json.loads(sidecars[0].read_text())
    assert data["fingerprint"] == first and data["folder"] == str(model.resolve())
    stamps = {name: (size, mtime) for name, size, mtime, _ in data["files"]}
    st = (model / "model.safetensors").stat()
    assert stamps["model.safetensors"] == (st.st_size, st.st_mtime_ns)
    for _ in range(3):
        assert resolve(model, tmp_path / "cache") == first
    assert len(hashes) == 1  # no file was read again
    assert not [p for p in model.iterdir() if "fingerprint" in p.name or p.suffix == ".tmp"]


def test_the_sidecar_value_is_what_is_returned(model: Path, store: Path) -> None:
    """Timing-free evidence that an unchanged folder is not hashed: a planted value wins."""
    fp.fingerprint(model, store)
    sidecar = next(store.iterdir())
    data = json.loads(sidecar.read_text())
    data["fingerprint"] = "0123456789abcdef"
    sidecar.write_text(json.dumps(data))
    assert fp.fingerprint(model, store) == "0123456789abcdef"


def test_new_bytes_of_the_same_size_and_a_new_mtime_give_a_new_fingerprint(
    model: Path, store: Path, hashes: list[list[str]]
) -> None:
    before = fp.fingerprint(model, store)
    rewrite_weights(model / "model.safetensors", -1.0)
    age(model, HOUR_NS // 2)  # another mtime, still old enough to be remembered
    after = fp.fingerprint(model, store)
    assert after != before and len(hashes) == 2
    assert json.loads(next(store.iterdir()).read_text())["fingerprint"] == after


def test_new_bytes_behind_a_restored_mtime_are_seen_by_ctime(model: Path, store: Path) -> None:
    before = fp.fingerprint(model, store)
    file = model / "model.safetensors"
    old = file.stat()
    deadline = time.monotonic() + 5
    while file.stat().st_ctime_ns == old.st_ctime_ns and time.monotonic() < deadline:
        time.sleep(0.01)  # the next write must fall into a later timestamp tick
        rewrite_weights(file, 2.0)
        os.utime(file, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert file.stat().st_mtime_ns == old.st_mtime_ns and file.stat().st_size == old.st_size
    assert fp.fingerprint(model, store) != before


def test_files_modified_just_now_are_not_remembered(
    tiny_model: str, tmp_path: Path, store: Path, hashes: list[list[str]]
) -> None:
    """A file written in the same timestamp tick as the hash could change unseen later."""
    fresh = Path(shutil.copytree(tiny_model, tmp_path / "fresh", copy_function=shutil.copy))
    value = fp.fingerprint(fresh, store)
    assert not store.exists()
    assert fp.fingerprint(fresh, store) == value and len(hashes) == 2
    age(fresh)
    fp.fingerprint(fresh, store)
    fp.fingerprint(fresh, store)
    assert len(hashes) == 3 and len(list(store.iterdir())) == 1


@pytest.mark.parametrize(
    "damage",
    ["not json", '{"version": 1}', "[]", '{"version": 99, "files": [], "fingerprint": "x"}'],
    ids=["garbage", "incomplete", "list", "other-version"],
)
def test_a_damaged_sidecar_is_ignored_and_rewritten(
    model: Path, store: Path, damage: str, hashes: list[list[str]]
) -> None:
    value = fp.fingerprint(model, store)
    sidecar = next(store.iterdir())
    sidecar.write_text(damage)
    assert fp.fingerprint(model, store) == value and len(hashes) == 2
    assert json.loads(sidecar.read_text())["fingerprint"] == value


def test_an_unwritable_store_still_gives_the_fingerprint(model: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the store folder should be")
    assert fp.fingerprint(model, blocker / "fingerprints") == fp.fingerprint(model, None)


def test_an_unreadable_model_file_is_a_model_load_error(model: Path, store: Path) -> None:
    (model / "vocab2.json").symlink_to(model / "nowhere")  # is_file() is False: skipped
    (model / "broken.model").mkdir()  # a folder, not a file: skipped too
    fp.fingerprint(model, store)
    with pytest.raises(ModelLoadError, match="cannot read the model file .*gone"):
        fp.hash_files([model / "gone"])


def test_default_store_is_in_the_user_cache() -> None:
    assert fp.default_store().parts[-2:] == ("idcorpus", "fingerprints")


def test_changed_weights_are_converted_anew_by_ctranslate2(model: Path, tmp_path: Path) -> None:
    """The issue: after the weights changed, a stale conversion was reused. Convert, rewrite
    the safetensors with other values (same size), load again: a new conversion."""
    config = EngineConfig(
        model=str(model),
        device="cpu",
        compute_type="float32",
        threads=1,
        cache_dir=str(tmp_path / "cache"),
        decoding=DecodingOptions(num_beams=1),
    )
    sentences = ["Nyaman tanpa iklan.", "Presiden meresmikan jalan tol baru di Jawa Tengah."]
    first = CT2Engine.load(config)
    before = first.translate_batch(sentences)
    assert first.converted and not CT2Engine.load(config).converted
    rewrite_weights(model / "model.safetensors", 0.0)  # zeroed values, sound file
    changed = CT2Engine.load(config)
    assert changed.converted  # not the stale conversion
    assert changed.resolved.fingerprint != first.resolved.fingerprint
    assert len(list((tmp_path / "cache" / "ct2").iterdir())) == 2
    assert [t.text for t in changed.translate_batch(sentences)] != [t.text for t in before]


def test_zeroed_weight_bytes_after_a_conversion_are_refused(model: Path, tmp_path: Path) -> None:
    config = EngineConfig(model=str(model), device="cpu", cache_dir=str(tmp_path / "cache"))
    CT2Engine.load(config)
    weights = model / "model.safetensors"
    weights.write_bytes(bytes(weights.stat().st_size))
    with pytest.raises(ModelLoadError, match="model.safetensors is damaged"):
        CT2Engine.load(config)
    assert len(list((tmp_path / "cache" / "ct2").iterdir())) == 1
