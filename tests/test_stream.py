"""How many worker processes a build starts (`--jobs`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.pipeline.stream import SMALL_INPUT_BYTES, available_cores, worker_count
from corpus.read.manifest import Entry, Total


@pytest.mark.parametrize(
    ("jobs", "size", "expected"),
    [
        (3, 10, 3),  # an explicit --jobs is kept, whatever the input
        (1, 10 * SMALL_INPUT_BYTES, 1),
        (0, SMALL_INPUT_BYTES - 1, 1),  # auto, small input: no worker processes
        (0, SMALL_INPUT_BYTES, None),  # auto, large input: one per core
        (0, None, None),  # auto, size unknown (stdin): one per core
    ],
    ids=["explicit", "explicit-one", "auto-small", "auto-large", "auto-unknown"],
)
def test_worker_count(jobs: int, size: int | None, expected: int | None) -> None:
    assert worker_count(jobs, size) == (expected or available_cores())


def test_total_sums_sizes_and_knows_when_it_cannot() -> None:
    total = Total()
    list(total.count([Entry("a.txt", 100, 1, 1), Entry("b.jsonl", 50, 1, 3)]))
    assert (total.bytes(), total.value()) == (150, 4)
    list(total.count([Entry("<stdin>", -1, -1, None)]))
    assert (total.bytes(), total.value()) == (None, None)


def test_a_small_build_runs_without_worker_processes(
    tmp_path: Path, tiny_model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--jobs 0` on a small input: the build's CPU stages run in its own process."""
    from corpus.pipeline import local
    from corpus.pipeline import run as pipeline
    from corpus.pipeline.config import BuildConfig
    from corpus.pipeline.stream import Workers
    from translate import load_translator
    from translate.base import EngineConfig

    started: list[int] = []

    def workers(jobs: int, *args: object) -> Workers:
        started.append(jobs)
        return Workers(jobs, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(local, "Workers", workers)
    (tmp_path / "in.txt").write_text("Presiden meresmikan jembatan baru di Jakarta hari ini.\n")
    config = BuildConfig(
        inputs=(str(tmp_path / "in.txt"),), out=str(tmp_path / "out"), use_cache=False,
        quiet=True, engine=EngineConfig(model=tiny_model),
    )  # fmt: skip
    summary = pipeline.build(config, load_translator(config.engine))
    assert summary.pairs_written == 1 and started == [1]
