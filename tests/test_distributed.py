"""The whole build on Ray Data equals the local build, file for file; a large text file is
many work units on Ray too; resume after the driver is killed; one model load per actor; a
dead actor changes nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import NEWS, SEEDS, TINY, dataset_files, popen_cli, read_rows, run_cli

from corpus.pipeline.config import BuildConfig, RayOptions
from corpus.pipeline.run import build
from translate.base import DecodingOptions, EngineConfig

LOADS = "IDCORPUS_TEST_LOADS"  # where the test's engine factory records each load
DIE_ONCE = "IDCORPUS_TEST_DIE_ONCE"  # a marker: the first actor batch kills its process


def engine_config(model: str) -> EngineConfig:
    return EngineConfig(  # what tests/helpers.py's TINY asks for on the command line
        model=model, engine="ctranslate2", compute_type="int8", device="cpu", threads=1,
        decoding=DecodingOptions(num_beams=1),
    )  # fmt: skip


def counting_engine(config: EngineConfig, loads: str, die_once: str | None) -> Any:
    """The real engine (the build's own factory), recording which process loaded it; with
    `die_once`, the first batch translated kills its actor process (once per run)."""
    from corpus.pipeline.engines import robust_engine

    cmdline = Path("/proc/self/cmdline").read_bytes().replace(b"\0", b" ").decode()
    with open(loads, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"pid": os.getpid(), "actor": "MapWorker" in cmdline}) + "\n")
    engine = robust_engine(config)
    if die_once is None:
        return engine

    class Dying:
        def translate_batch(self, sentences: Any) -> Any:
            if not os.path.exists(die_once):
                Path(die_once).write_text(str(os.getpid()))
                os._exit(1)
            return engine.translate_batch(sentences)

        def describe(self) -> dict[str, str]:
            return engine.describe()

    return Dying()


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import ray
    from ray import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, configure_logging=False,
             object_store_memory=256 * 2**20, _temp_dir=_short_dir())  # fmt: skip
    yield ray
    ray.shutdown()


def _short_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="idc-ray-", dir="/tmp")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seven documents, three of them with the same site menu (a line repeated across
    documents), so the first pass over the cluster decides some drops."""
    folder = tmp_path_factory.mktemp("docs") / "news"
    folder.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), folder / "seed.txt")
    for i, article in enumerate(sorted(NEWS.glob("*.txt"))[:6]):
        text = article.read_text(encoding="utf-8")
        menu = "Beranda | Nasional | Ekonomi | Indeks\n\n" if i % 2 else ""
        (folder / article.name).write_text(menu + text, encoding="utf-8")
    return folder


def config(docs: Path, out: Path, model: str, **kwargs: Any) -> BuildConfig:
    base = BuildConfig(inputs=(str(docs),), out=str(out), engine=engine_config(model),
                       use_cache=False, quiet=True, jobs=1)  # fmt: skip
    return replace(base, **kwargs)


@pytest.fixture(scope="module")
def local_build(docs: Path, tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "corpus"
    build(config(docs, out, tiny_model))
    return out


def same_dataset(a: Path, b: Path) -> None:
    """The same folder, file for file, byte for byte (Parquet, card, JSON)."""
    assert read_rows(a) and json.loads((a / "idcorpus.json").read_text())["report"]["dropped"]
    assert dataset_files(a) == dataset_files(b)


def test_a_large_text_file_is_split_across_several_ray_units(
    ray_cluster: Any, tiny_model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One text file of ~16 parts, in work units of 4 parts: several Ray tasks read ranges of
    it, and the dataset is the local build's, file for file."""
    import corpus.pipeline.plan
    import corpus.read.windows
    from corpus.pipeline.plan import UnitSizes, plan_units
    from corpus.read.config import ReadConfig

    monkeypatch.setattr(corpus.read.windows, "PART_BYTES", 1024)
    monkeypatch.setattr(corpus.pipeline.plan, "UNIT_BYTES", 4096)
    folder = tmp_path / "in"
    folder.mkdir()
    articles = [a.read_text(encoding="utf-8") for a in sorted(NEWS.glob("*.txt"))]
    (folder / "big.txt").write_text("\n\n".join(articles)[:16_000], encoding="utf-8")
    plan = plan_units((str(folder),), ReadConfig(), UnitSizes())
    assert len(plan.units) >= 3
    assert [u.sources[0].window[:2] for u in plan.units][:2] == [(0, 4), (4, 8)]  # type: ignore[index]
    local, ray = tmp_path / "local" / "corpus", tmp_path / "ray" / "corpus"
    build(config(folder, local, tiny_model))
    build(config(folder, ray, tiny_model, executor="ray", ray=RayOptions(workers=2)))
    same_dataset(local, ray)
    rows = read_rows(ray)
    assert {r["doc_id"] for r in rows} == {"big.txt"} and len(rows) > 50
    assert [r["sent_index"] for r in rows] == list(range(len(rows)))


def test_ray_build_equals_local_build_loads_once_per_actor_and_survives_a_dead_actor(
    ray_cluster: Any, docs: Path, local_build: Path, tiny_model: str, tmp_path: Path
) -> None:
    """One Ray build (4 work units, 2 translate actors), in which the first actor batch kills
    its actor: Ray restarts it and retries, and the dataset is the local build's."""
    from functools import partial

    loads, marker = tmp_path / "loads.jsonl", tmp_path / "died"
    cfg = config(docs, tmp_path / "corpus", tiny_model, executor="ray",
                 ray=RayOptions(workers=2, unit_documents=2))  # fmt: skip
    build(cfg, engine_factory=partial(counting_engine, cfg.engine, str(loads), str(marker)))
    assert marker.exists()  # an actor did die mid-run
    same_dataset(local_build, tmp_path / "corpus")
    records = [json.loads(line) for line in loads.read_text().splitlines()]
    actor_pids = [r["pid"] for r in records if r["actor"]]
    assert int(marker.read_text()) in actor_pids
    assert len(actor_pids) == len(set(actor_pids)) <= 3  # one load per actor (2 + 1 restarted)
    assert [r for r in records if not r["actor"]]  # the identity comes from a plain task


def test_dedup_on_ray_says_how_instead(tiny_model: str, tmp_path: Path) -> None:
    result = run_cli("build", str(SEEDS), "--out", str(tmp_path / "c"), "--model", tiny_model,
                     *TINY, "--executor", "ray", "--dedup", "exact")  # fmt: skip
    assert result.returncode == 2 and "idcorpus filter" in result.stderr


def test_killed_ray_build_resumes_to_the_same_dataset(
    ray_cluster: Any, docs: Path, local_build: Path, tiny_model: str, tmp_path: Path
) -> None:
    """The driver is killed (kill -9) after two work units; `--resume`, joining the same
    cluster as a user's driver would, finishes the dataset of an uninterrupted build."""
    out = tmp_path / "corpus"
    address = ray_cluster.get_runtime_context().gcs_address
    args = ["build", str(docs), "--out", str(out), "--model", tiny_model, *TINY, "--no-cache",
            "--executor", "ray", "--ray-address", address, "--workers", "1",
            "--unit-documents", "1"]  # fmt: skip
    proc = popen_cli(*args)
    units = tmp_path / "corpus.partial" / "units"
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        if units.is_dir() and len(list(units.glob("*.json"))) >= 2:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    resumed = run_cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    same_dataset(local_build, out)
