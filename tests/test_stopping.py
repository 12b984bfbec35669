"""A stop that is bounded in time (corpus/cli/stopping.py): whatever hangs after SIGINT or
SIGTERM, the process ends with 130/143 and the resume hint within the deadline; a second
signal ends it at once; worker processes go with it; a caller of main() is never ended by
the watchdog later. Each case runs a small real program in a subprocess and signals it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from helpers import REPO

from corpus.cli.stopping import bounded_stop

HUNG_STOP = """
import multiprocessing, sys, time
from corpus.cli.stopping import bounded_stop

def sleep():
    time.sleep(600)

if __name__ == "__main__":
    child = multiprocessing.get_context("spawn").Process(target=sleep)
    child.start()
    print(child.pid, flush=True)
    with bounded_stop(" rerun with --resume", deadline_s=float(sys.argv[1])):
        try:
            print("ready", flush=True)
            time.sleep(600)
        except KeyboardInterrupt:
            time.sleep(600)  # a stop that hangs
"""

HUNG_EXIT = """
import sys, threading, time
from corpus.cli.stopping import exit_within

threading.Thread(target=time.sleep, args=(600,)).start()  # not a daemon: exit waits for it
print("ready", flush=True)
exit_within(130, seconds=1.0)
sys.exit(130)
"""


def start(program: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(program), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie is gone but for its parent's wait
        return fh.read().split(") ")[-1][0] != "Z"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_that_hangs_is_ended_at_the_deadline_with_its_code_and_hint(
    sig: signal.Signals, code: int
) -> None:
    proc = start(HUNG_STOP, "1.0")
    assert proc.stdout is not None
    child = int(proc.stdout.readline())
    assert proc.stdout.readline().strip() == "ready"
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == code, err
    assert 1.0 <= took < 30, took
    assert "still running 1 s after the signal: stopping now; rerun with --resume" in err
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), "the worker process outlived the forced stop"


def test_a_second_signal_stops_at_once() -> None:
    proc = start(HUNG_STOP, "600")
    assert proc.stdout is not None
    proc.stdout.readline()
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    time.sleep(1.5)
    assert proc.poll() is None  # the first signal's stop hangs (the deadline is 10 minutes)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err  # the first signal's code
    assert "a second signal: stopping now; rerun with --resume" in err


ORDERLY = """
import sys, time
from corpus.cli.stopping import bounded_stop

with bounded_stop(" rerun with --resume", deadline_s=600):
    try:
        print("ready", flush=True)
        time.sleep(600)
    except KeyboardInterrupt:
        print("stopping", flush=True)
        time.sleep(1.0)  # the orderly stop: checkpoints written
        print("stopped in order", flush=True)
        sys.exit(143)
"""


def test_one_signal_delivered_twice_at_once_is_one_request() -> None:
    """GNU timeout sends SIGTERM to the command and to its process group: the build may get
    it twice, the second while its orderly stop has begun, and must still stop in order."""
    proc = start(ORDERLY)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    assert proc.stdout.readline().strip() == "stopping"
    proc.send_signal(signal.SIGTERM)  # well within a second of the first
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "stopped in order" in out and "stopping now" not in err


def test_an_interrupted_exit_that_hangs_is_bounded() -> None:
    proc = start(HUNG_EXIT)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "still exiting 1 s after the command ended: stopping now" in err


def test_the_watchdog_ends_with_the_block_and_the_handlers_come_back() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), bounded_stop(" hint", deadline_s=0.2) as stopper:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the signal interrupts this
    assert stopper.code == 130 and stopper.timer is not None
    time.sleep(0.5)  # past the deadline: this process (pytest) is still here
    assert not stopper.timer.is_alive()
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
