"""Issue 24.1-24.3 with an engine slowed on purpose (the tiny real model, each batch sleeping
and holding signals back like a compiled engine: tests/slow_cli.py): the bar moves at least
every 2 s, checkpoints come by time, SIGINT and SIGTERM end the build within 5 s with the resume
hint, and `--resume` after SIGINT, SIGTERM and kill -9 redoes no more than the batches in
flight and the last checkpoint interval, giving the dataset of an uninterrupted build byte for
byte. Issue 21.5: a signal during the assembly or just after the publishing ends the build with
a hint that works. One chain of runs (each process start costs seconds on a small machine)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import SEEDS, cli_env, dataset_files

# the idcorpus command in subprocesses, through a driver that slows the engine down
pytestmark = [pytest.mark.cli, pytest.mark.serial]  # times the stop: run alone
DRIVER = Path(__file__).with_name("slow_cli.py")
FLORES = Path(__file__).with_name("fixtures") / "flores_devtest"
CHECKPOINT_S = 2.0
DELAY_S = 0.5  # per batch, signals held
ARGS = ["--engine", "transformers", "--device", "cpu", "--num-beams", "1", "--threads", "1",
        "--batch-tokens", "192", "--no-cache", "--chunk-sentences", "100000", "--jobs", "1"]  # fmt: skip


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("slow") / "in"
    folder.mkdir()
    (folder / "seed.txt").write_text(next(SEEDS.glob("*.txt")).read_text(encoding="utf-8"))
    lines = (FLORES / "ind_Latn.txt").read_text(encoding="utf-8").splitlines()[:140]
    (folder / "flores.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return folder


def batches(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def start(args: list[str], log: Path, delay: float, **env: str) -> subprocess.Popen[bytes]:
    env = cli_env(IDCORPUS_TEST_DELAY=str(delay), IDCORPUS_TEST_BATCHES=str(log),
                  IDCORPUS_TEST_CHECKPOINT_S=str(CHECKPOINT_S), **env)  # fmt: skip
    return subprocess.Popen([sys.executable, str(DRIVER), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=600)
    return proc.returncode, err.decode("utf-8", "replace")


class Stderr:
    """The child's stderr, read as it comes, with the time of each chunk."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.chunks: list[tuple[float, bytes]] = []
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        fd = proc.stderr.fileno()
        while chunk := os.read(fd, 65536):
            self.chunks.append((time.monotonic(), chunk))

    def text(self) -> str:
        self.thread.join(timeout=10)
        return b"".join(c for _, c in self.chunks).decode("utf-8", "replace")

    def bar_times(self) -> list[float]:
        return [t for t, c in self.chunks if b"sent/s" in c]


def shard_count(tmp: Path) -> int:
    return len(list((tmp / "corpus.partial" / "shards").glob("u*-*.parquet")))


def interrupt(args: list[str], log: Path, tmp: Path, sig: int, new_shards: int) -> dict[str, Any]:
    """Run the slow build until `new_shards` more checkpoints came (by time: one chunk is the
    whole input), then send `sig`; what it took and printed."""
    before = shard_count(tmp)
    proc = start(args, log, DELAY_S)
    err = Stderr(proc)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if shard_count(tmp) >= before + new_shards:
            break
        time.sleep(0.05)
    time.sleep(CHECKPOINT_S * 0.75)  # some translation not checkpointed yet
    assert proc.poll() is None, "the build ended before it could be interrupted: " + err.text()
    sent, wall = time.monotonic(), time.time()
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    took = time.monotonic() - sent
    times = [t for t in err.bar_times() if t <= sent]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    return {"code": code, "took": took, "text": err.text(), "wall": wall, "redraws": len(times),
            "gap": max(gaps, default=float("inf"))}  # fmt: skip


def test_a_slow_engine_moves_the_bar_stops_in_seconds_and_resumes_losing_nothing(
    inputs: Path, tiny_model: str, tmp_path: Path
) -> None:
    ref_out, ref_log = tmp_path / "ref" / "corpus", tmp_path / "ref.jsonl"
    ref_out.parent.mkdir()
    out, log = tmp_path / "corpus", tmp_path / "batches.jsonl"
    common = [str(inputs), "--model", tiny_model, *ARGS]
    args = ["build", "--out", str(out), *common]
    reference = start(["build", "--out", str(ref_out), *common, "--quiet"], ref_log, 0)

    runs = {}
    t0 = time.monotonic()
    for name, sig, code, more in [("SIGINT", signal.SIGINT, 130, 2),
                                  ("SIGTERM", signal.SIGTERM, 143, 1),
                                  ("SIGKILL", signal.SIGKILL, -9, 1)]:  # fmt: skip
        run = interrupt(args if name == "SIGINT" else [*args, "--resume"], log, tmp_path, sig, more)
        runs[name] = run
        print(f"\n{name} done at {time.monotonic() - t0:.1f} s", end="")
        assert run["code"] == code, run["text"][-800:]
        if sig != signal.SIGKILL:
            assert run["took"] <= 5.0, f"{name} took {run['took']:.1f} s to stop"
            assert "--resume" in run["text"] and "Traceback" not in run["text"], run["text"][-800:]
            assert run["redraws"] >= 5 and run["gap"] <= 2.0, (name, run["redraws"], run["gap"])
        assert not out.exists()

    assert finish(reference)[0] == 0
    print(f"\nreference done at {time.monotonic() - t0:.1f} s", end="")
    total = sum(b["n"] for b in batches(ref_log))
    slow = batches(log)
    biggest = max(b["n"] for b in slow)

    # a signal during the assembly: a hint that works
    code, text = finish(start([*args, "--resume"], log, 0, IDCORPUS_TEST_SIGNAL="assemble:TERM"))
    assert code == 143 and "--resume" in text and "Traceback" not in text, text[-800:]
    assert not out.exists()
    # a signal just after publishing: no --resume hint (there is nothing to resume)
    code, text = finish(start([*args, "--resume"], log, 0, IDCORPUS_TEST_SIGNAL="published:INT"))
    assert code == 130 and "complete" in text and "--resume" not in text, text[-800:]
    assert not (tmp_path / "corpus.partial").exists()
    assert dataset_files(out) == dataset_files(ref_out)

    redone = sum(b["n"] for b in batches(log)) - total
    kill = runs["SIGKILL"]["wall"]
    last_interval = sum(b["n"] for b in slow if kill - 2 * CHECKPOINT_S - DELAY_S <= b["t"] <= kill)
    allowed = (
        2 * 2 * biggest + last_interval
    )  # the batches in flight at INT/TERM, kill -9's last interval
    assert redone <= allowed, (redone, allowed, total)
    print(
        "\n"
        + "; ".join(
            f"{n}: stopped in {r['took']:.2f} s, bar redrawn {r['redraws']} times (largest gap "
            f"{r['gap']:.2f} s)"
            for n, r in runs.items()
            if n != "SIGKILL"
        )
        + f"; sentences redone after SIGINT+SIGTERM+kill -9: {redone} of {total} "
        f"(allowed {allowed}; batches of <= {biggest})"
    )
