from __future__ import annotations

import logging
from pathlib import Path

import pytest

from corpus.dataset.filter import FilterConfig
from corpus.errors import ConfigError
from corpus.pipeline.config import BuildConfig, RayOptions, parse_splits
from corpus.pipeline.stream import available_cores


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("train=1", (("train", 1.0),)),
        (
            "train=0.98,validation=0.01,test=0.01",
            (("train", 0.98), ("validation", 0.01), ("test", 0.01)),
        ),
        (" train=0.5 , test=0.5 ", (("train", 0.5), ("test", 0.5))),
    ],
    ids=["one", "three", "spaces"],
)
def test_parse_splits(text: str, expected: tuple[tuple[str, float], ...]) -> None:
    assert parse_splits(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("train=0.5", "add up to 1"),
        ("train=0.5,train=0.5", "unique"),
        ("train=abc", "NAME=FRACTION"),
        ("train", "NAME=FRACTION"),
        ("tr-ain=1", "letters"),
        ("train=1.5,test=-0.5", "fraction"),
    ],
    ids=["empty", "sum", "duplicate", "not-number", "no-equals", "bad-name", "range"],
)
def test_parse_splits_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_splits(text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inputs": ()}, "no input"),
        ({"out": ""}, "--out"),
        ({"executor": "spark"}, "local, ray"),
        ({"chunk_sentences": -1}, "chunk_sentences"),
    ],
    ids=["no-inputs", "no-out", "executor", "chunk"],
)
def test_build_config_validation(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"inputs": ("seeds",), "out": "x"}
    with pytest.raises(ConfigError, match=message):
        BuildConfig(**{**base, **kwargs})  # type: ignore[arg-type]


def test_ray_options_validation() -> None:
    with pytest.raises(ConfigError, match="--workers"):
        RayOptions(workers=0)


@pytest.mark.parametrize(("given", "expected"), [(0, 2048), (1000, 1000)], ids=["auto", "given"])
def test_checkpoint_size(given: int, expected: int) -> None:
    config = BuildConfig(inputs=("seeds",), out="x", chunk_sentences=given)
    assert config.effective_chunk == expected


# --- arguments validated once (issue 21.6) -------------------------------------------------------


def test_jobs_beyond_the_cores_are_capped_saying_so(caplog: pytest.LogCaptureFixture) -> None:
    cores = available_cores()
    with caplog.at_level(logging.WARNING, logger="corpus.pipeline.config"):
        config = BuildConfig(inputs=("seeds",), out="x", jobs=1000)
    assert config.jobs == cores
    assert f"--jobs 1000 is more than the {cores} core(s) this process may use" in caplog.text
    caplog.clear()
    assert BuildConfig(inputs=("seeds",), out="x", jobs=1).jobs == 1
    assert BuildConfig(inputs=("seeds",), out="x").jobs == 0  # auto: one per core
    assert not caplog.text


def test_ray_workers_of_a_cluster_started_here_are_capped(caplog: pytest.LogCaptureFixture) -> None:
    cores = available_cores()
    base = {"inputs": ("seeds",), "out": "x", "executor": "ray"}
    with caplog.at_level(logging.WARNING, logger="corpus.pipeline.config"):
        config = BuildConfig(**base, ray=RayOptions(workers=1000))  # type: ignore[arg-type]
    assert config.ray.workers == cores and "--workers 1000" in caplog.text
    # a joined cluster is Ray's to schedule; a local build does not start any actor
    joined = RayOptions(workers=1000, address="auto")
    assert BuildConfig(**base, ray=joined).ray.workers == 1000  # type: ignore[arg-type]
    local = BuildConfig(inputs=("seeds",), out="x", ray=RayOptions(workers=1000))
    assert local.ray.workers == 1000


NON_FINITE = [float("nan"), float("inf"), float("-inf")]


@pytest.mark.parametrize("value", NON_FINITE, ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", ["min_score", "min_length_ratio", "max_length_ratio"])
def test_non_finite_filter_thresholds_are_refused(name: str, value: float) -> None:
    flag = "--" + name.replace("_", "-")
    with pytest.raises(ConfigError, match=f"{flag} must be a finite number, got {value}"):
        FilterConfig(**{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("value", NON_FINITE, ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", ["gpus_per_worker", "cpus_per_worker"])
def test_non_finite_ray_resources_are_refused(name: str, value: float) -> None:
    with pytest.raises(ConfigError, match="must be a finite number"):
        RayOptions(**{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "flags",
    [
        ["--min-score", "nan"],
        ["--min-length-ratio", "nan"],
        ["--max-length-ratio", "inf"],
        ["--cpus-per-worker", "nan"],
    ],
    ids=["min-score", "min-ratio", "max-ratio", "cpus"],
)
def test_non_finite_thresholds_exit_2_on_the_cli(
    flags: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused before anything is read or loaded (the model named does not exist)."""
    from corpus.cli.main import main

    args = ["build", "seeds", "--out", str(tmp_path / "o"), "--model", str(tmp_path / "none")]
    assert main([*args, *flags]) == 2
    err = capsys.readouterr().err
    assert "must be a finite number" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_filter_command_refuses_nan_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from corpus.cli.main import main

    code = main(["filter", str(tmp_path), "--out", str(tmp_path / "o"), "--min-score", "nan"])
    assert code == 2 and "--min-score must be a finite number, got nan" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["max_length_ratio", "repetition_penalty"])
def test_non_finite_decoding_options_are_refused(name: str) -> None:
    from translate.base import DecodingOptions

    with pytest.raises(ConfigError, match=f"{name} must be a finite number, got nan"):
        DecodingOptions(**{name: float("nan")})  # type: ignore[arg-type]
