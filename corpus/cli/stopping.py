"""SIGINT and SIGTERM -> a stop that is bounded in time.

The first signal raises KeyboardInterrupt (SIGTERM: its subclass `Terminated`) in the main
thread, so the build checkpoints what it finished and exits 130/143 with the resume hint. It
also arms a watchdog: if the command is still running `STOP_DEADLINE_S` later (something in
the orderly stop hung), the watchdog thread ends the process — worker processes terminated,
the hint printed, `os._exit`. A second signal (one that comes a second or more after the
first) does the same at once. `exit_within` bounds the interpreter's own exit (a library's
exit hook that waits on a dead worker) the same way; the command has printed its hint then.
A forced stop is what kill -9 does to a build, which the work area survives by design: every
checkpoint is complete or absent, and `--resume` continues.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
STOP_DEADLINE_S = 30.0
"""Seconds from the first signal to the forced exit (the orderly stop takes a few)."""
SAME_REQUEST_S = 1.0
"""A signal this soon after the first is the same request, not a second one: GNU `timeout`
sends its signal to the command and to the command's process group, so the build gets it
twice at once; a person pressing Ctrl-C again takes longer."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (the work area stays resumable)."""


class Stopper:
    """The signal handler of one command run; `hint` ends the forced exit's message."""

    def __init__(self, hint: str, deadline_s: float = STOP_DEADLINE_S) -> None:
        self.hint = hint
        self.deadline_s = deadline_s
        self.code: int | None = None  # the first signal's exit code
        self.first_at = 0.0  # when it came (time.monotonic)
        self.timer: threading.Timer | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        code = EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED
        if self.code is not None:
            if time.monotonic() - self.first_at >= SAME_REQUEST_S:
                force(self.code, f"a second signal: stopping now;{self.hint}")
            return  # the same request delivered twice (GNU timeout signals the process and its group)
        self.code, self.first_at = code, time.monotonic()
        what = f"still running {self.deadline_s:.0f} s after the signal: stopping now;{self.hint}"
        self.timer = watchdog(code, self.deadline_s, what)
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def watchdog(code: int, seconds: float, what: str) -> threading.Timer:
    """A daemon thread that ends the process with `code` after `seconds`, saying `what`,
    unless cancelled."""
    timer = threading.Timer(seconds, force, args=(code, what))
    timer.daemon = True
    timer.start()
    return timer


def force(code: int, what: str) -> None:
    """End the process now: its worker processes first, then itself, saying `what`."""
    for child in multiprocessing.active_children():
        child.terminate()
    try:
        sys.stderr.write(f"idcorpus: {what}\n")
        sys.stderr.flush()
    finally:
        os._exit(code)


@contextmanager
def bounded_stop(hint: str, deadline_s: float = STOP_DEADLINE_S) -> Iterator[Stopper]:
    """SIGINT and SIGTERM handled by a `Stopper` while the block runs (in the main thread;
    elsewhere the handlers stay as they are). The watchdog ends with the block: a caller that
    goes on (a test calling main()) is never ended by it later."""
    stopper = Stopper(hint, deadline_s)
    if threading.current_thread() is not threading.main_thread():
        yield stopper
        return
    old = {s: signal.signal(s, stopper.handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopper
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if stopper.timer is not None:
            stopper.timer.cancel()


def exit_within(code: int, seconds: float = STOP_DEADLINE_S) -> None:
    """Bound the exit of an interrupted command, which has printed its message and hint: the
    interpreter's exit hooks get `seconds`."""
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        watchdog(
            code, seconds, f"still exiting {seconds:.0f} s after the command ended: stopping now"
        )
