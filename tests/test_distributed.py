"""The translate stage on Ray Data gives exactly the local build's dataset."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import NEWS, SEEDS, cli_env, dataset_files, read_rows, run_cli
from helpers import TINY as TINY_FLAGS

from translate.base import EngineConfig
from translate.errors import EngineNotInstalledError

TINY = [*TINY_FLAGS, "--no-cache"]


def _inputs(tmp_path: Path) -> list[str]:
    return [str(SEEDS), *[str(p) for p in sorted(NEWS.glob("*.txt"))[:3]]]


@pytest.fixture(scope="module")
def local_build(tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "corpus"
    result = run_cli("build", *_inputs(out), "--out", str(out), "--model", tiny_model, *TINY)
    assert result.returncode == 0, result.stderr
    return out


def _same_rows(a: Path, b: Path) -> None:
    assert read_rows(a) == read_rows(b)
    assert (a / "data").exists() and sorted(dataset_files(a)) == sorted(dataset_files(b))


def test_ray_build_equals_local_build(local_build: Path, tiny_model: str, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    result = run_cli(
        "build",
        *_inputs(out),
        "--out",
        str(out),
        "--model",
        tiny_model,
        *TINY,
        "--executor",
        "ray",
        "--workers",
        "2",
        "--ray-tmp-dir",
        str(tmp_path / "r"),
    )
    assert result.returncode == 0, result.stderr
    _same_rows(local_build, out)
    assert (out / "data" / "train-00000-of-00001.parquet").read_bytes() == (
        local_build / "data" / "train-00000-of-00001.parquet"
    ).read_bytes()


def test_killed_actor_changes_nothing(local_build: Path, tiny_model: str, tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    out = tmp_path / "corpus"
    env = cli_env(IDCORPUS_TEST_KILL_ACTOR_ONCE=str(marker))
    result = run_cli(
        "build",
        *_inputs(out),
        "--out",
        str(out),
        "--model",
        tiny_model,
        *TINY,
        "--executor",
        "ray",
        "--workers",
        "2",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert marker.exists(), "the test hook did not kill an actor"
    _same_rows(local_build, out)


def test_missing_ray_says_which_extra(monkeypatch: pytest.MonkeyPatch, tiny_model: str) -> None:
    from translate import distributed

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(EngineNotInstalledError, match=r'pip install "idcorpus\[ray\]"'):
        distributed.RayTranslator(EngineConfig(model=tiny_model, engine="transformers"))


def test_short_temp_dir_keeps_socket_paths_short(tmp_path: Path) -> None:
    from translate.distributed import short_temp_dir

    assert len(short_temp_dir(str(tmp_path / ("x" * 80)))) <= 40
