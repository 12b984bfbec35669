"""The build's work area next to the output: a lock, the run's state, and finished work.

Layout: `<out>.lock` (held with flock while a build runs) and `<out>.partial/` holding
`state.json` (run identity, work-unit sizes), `manifest.jsonl` (the inputs when the build
started), `repeats.npy` (the lines repeated across documents, from the first pass),
`units/` (a record per prepared work unit) and `shards/` (one file per checkpoint): see
corpus.pipeline.checkpoints. Every file is complete before it is counted, so `kill -9` at
any moment leaves a state from which `--resume` continues to exactly what an uninterrupted
build writes.

`--resume` is refused, naming what differs, when the run identity differs (another model,
model weights, engine, options, versions), when an input file changed, appeared or
disappeared, or when a document already prepared reads back different.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from corpus.dataset.writer import sync_dir
from corpus.errors import OutputError
from corpus.pipeline.identity import differences
from corpus.pipeline.plan import UnitSizes
from corpus.read.manifest import Entry, compare

RESUME_HINT = "rerun the original command with --resume, or pass --overwrite to start over"


class BuildLock:
    """An exclusive, non-blocking lock on `<out>.lock`; a second build is refused.

    The lock file is removed on release while still locked; a build that opened the old file
    before that and then gets the lock checks that the path still names the file it locked,
    and tries again if not, so two builds can never both hold "the" lock."""

    def __init__(self, out: Path):
        self.path = out.with_name(out.name + ".lock")
        self._fh: IO[str] | None = None

    def __enter__(self) -> BuildLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create {self.path.parent}: {e.strerror or e}") from e
        for _ in range(100):
            fh = self._open()
            if self._still_named(fh):
                break
            fh.close()
        else:  # pragma: no cover - 100 lost races in a row
            raise OutputError(f"cannot lock {self.path}: it keeps being replaced")
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return self

    def _open(self) -> IO[str]:
        try:
            fh = open(self.path, "a+")  # noqa: SIM115 - held for the whole build
        except OSError as e:
            raise OutputError(
                f"cannot write next to the output: {self.path}: {e.strerror or e}"
            ) from e
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise OutputError(
                f"another build is writing to {self.path.with_suffix('')} ({holder}); "
                "wait for it to finish or choose another --out"
            ) from e
        return fh

    def _still_named(self, fh: IO[str]) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fh.fileno()).st_ino
        except FileNotFoundError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self.path.unlink(missing_ok=True)  # still locked: see the class docstring
            self._fh.close()
            self._fh = None


LAYOUT = 2  # the work area's layout version: a work area of another is not resumed


@dataclass
class WorkState:
    identity: dict[str, Any]
    sizes: dict[str, int] = field(default_factory=dict)
    layout: int = LAYOUT

    def unit_sizes(self) -> UnitSizes:
        return UnitSizes(**self.sizes)


class WorkDir:
    def __init__(self, out: Path):
        self.path = out.with_name(out.name + ".partial")
        self.shards = self.path / "shards"
        self.units = self.path / "units"
        self.state_file = self.path / "state.json"
        self.manifest_file = self.path / "manifest.jsonl"
        self.repeats = self.path / "repeats.npy"
        self.cache = self.path / "translations.sqlite3"  # the build's own cache (--no-cache)

    def check_start(self, *, resume: bool, overwrite: bool) -> None:
        """Refuse before any work when an interrupted build is in the way (or missing)."""
        if self.path.exists() and not resume and not overwrite:
            raise OutputError(
                f"an interrupted build was found at {self.path}: pass --resume with the same "
                "arguments to continue it, or --overwrite to start over"
            )

    def open(
        self,
        identity: dict[str, Any],
        manifest: Iterable[Entry],
        sizes: UnitSizes,
        *,
        resume: bool,
    ) -> WorkState:
        """Continue the work area (`resume`, checking identity and inputs) or start a fresh
        one. A resumed build plans with the unit sizes it started with."""
        if resume and self.state_file.exists():
            return self._continue(identity, manifest)
        if self.path.exists():
            shutil.rmtree(self.path)
        self.shards.mkdir(parents=True)
        self.units.mkdir()
        write_lines(self.manifest_file, (e.to_json() for e in manifest))
        state = WorkState(identity=identity, sizes=sizes.to_json())
        self.save(state)
        return state

    def _continue(self, identity: dict[str, Any], manifest: Iterable[Entry]) -> WorkState:
        try:
            state = WorkState(**json.loads(self.state_file.read_text()))
            old = list(read_lines(self.manifest_file))
            if state.layout != LAYOUT:
                raise ValueError(f"it was written by another version (layout {state.layout})")
            state.unit_sizes()
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise OutputError(
                f"cannot resume: {self.path} is unreadable ({e}); pass --overwrite to start over"
            ) from e
        changed = differences(state.identity, identity)
        if changed:
            raise OutputError(
                f"cannot resume {self.path}: it was started with other arguments, another "
                "model or other versions:\n  " + "\n  ".join(changed) + f"\n{RESUME_HINT}"
            )
        inputs = compare(old, list(manifest))
        if inputs:
            raise OutputError(
                f"cannot resume {self.path}: the inputs changed since it started:\n  "
                + "\n  ".join(inputs)
                + "\nrestore them, or pass --overwrite instead of --resume to start over"
            )
        self.shards.mkdir(parents=True, exist_ok=True)
        self.units.mkdir(exist_ok=True)
        return state

    def save(self, state: WorkState) -> None:
        tmp = self.state_file.with_name("state.json.tmp")
        with open(tmp, "w") as fh:
            json.dump(asdict(state), fh, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_file)
        sync_dir(self.path)

    def staging(self) -> Path:
        return self.path / "final"

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def write_lines(path: Path, items: Iterable[Any]) -> None:
    """JSON Lines, written under a temporary name and renamed when complete (fsynced)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_lines(path: Path) -> Iterator[Any]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def is_disk_error(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO)
