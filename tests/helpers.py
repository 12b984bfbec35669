"""Shared test helpers: run the real CLI in a subprocess, read a dataset folder back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
NEWS = REPO / "tests" / "fixtures" / "news_raw" / "articles"


# `idcorpus build` flags for the tiny test model: CTranslate2 int8 (the default engine), greedy,
# which is batch-invariant to the last digit (tests/test_batching.py: the same translations and
# scores whatever the batches), so builds cut, resumed or run on other executors can be compared
# byte for byte; one thread so tests behave on a loaded 2-core machine. Transformers, the other
# batch-invariant setting, spends the tiny model's time in Python per decoding step (ten times
# slower here); its end-to-end runs are tests/test_interrupts.py and the engine tests.
TINY = ["--engine", "ctranslate2", "--compute-type", "int8", "--device", "cpu", "--num-beams", "1",
        "--threads", "1", "--quiet"]  # fmt: skip


def wait_for(proc: subprocess.Popen[str], path: Path, timeout: float = 300) -> None:
    """Poll until `path` exists or `proc` ends."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        RAY_USAGE_STATS_ENABLED="0",
        PYTHONPATH=str(REPO),
        TOKENIZERS_PARALLELISM="false",
    )
    env.update(extra)
    return env


def check_tier() -> None:
    """A CLI subprocess only in a test marked `cli` (tests/conftest.py marks them by scanning
    for calls of run_cli/popen_cli; this catches one the scan missed)."""
    if os.environ.get("IDCORPUS_TEST_CLI_ALLOWED") == "0":
        raise AssertionError(
            "this test starts the CLI but is not marked `cli`: call run_cli/popen_cli from the "
            "test, a fixture or a function of its module (tests/conftest.py finds them there)"
        )


def run_cli(
    *args: str, timeout: float = 600, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    check_tier()
    return subprocess.run(
        [sys.executable, "-m", "corpus", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or cli_env(),
        cwd=REPO,
        input=stdin,
    )


def popen_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    check_tier()
    return subprocess.Popen(
        [sys.executable, "-m", "corpus", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or cli_env(),
        cwd=REPO,
    )


def read_rows(out: Path, split: str = "train") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for file in sorted((out / "data").glob(f"{split}-*.parquet")):
        rows.extend(pq.read_table(file).to_pylist())
    return rows


def dataset_files(out: Path) -> dict[str, bytes]:
    """Every file of a dataset folder by relative path (for exact comparisons)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def wait_gone(pids: list[int], timeout: float = 15) -> list[int]:
    """The processes of `pids` still alive after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if Path(f"/proc/{p}").exists() and not _zombie(p)]
        time.sleep(0.1)
    return alive


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


class Interrupting:
    """A real engine (a Translator), interrupted (as by Ctrl-C) at its `calls`-th batch."""

    def __init__(self, inner: Any, calls: int) -> None:
        self.inner, self.calls = inner, calls

    def translate_batch(self, sentences: Any) -> Any:
        self.calls -= 1
        if self.calls <= 0:
            raise KeyboardInterrupt
        return self.inner.translate_batch(sentences)

    def describe(self) -> dict[str, str]:
        return self.inner.describe()
