"""The build's work area next to the output: a lock, translated shards, and a checkpoint.

Layout: `<out>.lock` (held with flock while a build runs) and `<out>.partial/` holding
`state.json` (fingerprint, chunk size, chunks done, report) and `shards/chunk-NNNNNN.parquet`.
A shard is written (tmp + fsync + rename) before the checkpoint that counts it, and the
checkpoint itself is replaced atomically, so `kill -9` at any moment leaves a state from
which `--resume` continues to exactly what an uninterrupted build writes.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from corpus.dataset import write_parquet_atomic
from corpus.errors import OutputError


class BuildLock:
    """An exclusive, non-blocking lock on `<out>.lock`; a second build is refused."""

    def __init__(self, out: Path):
        self.path = out.with_name(out.name + ".lock")
        self._fh: IO[str] | None = None

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
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
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self.path.unlink(missing_ok=True)
            self._fh.close()
            self._fh = None


@dataclass
class WorkState:
    fingerprint: dict[str, Any]
    chunk_sentences: int
    chunks_done: int = 0
    report: dict[str, Any] = field(default_factory=dict)


class WorkDir:
    def __init__(self, out: Path):
        self.path = out.with_name(out.name + ".partial")
        self.shards = self.path / "shards"
        self.state_file = self.path / "state.json"

    def open(
        self, fingerprint: dict[str, Any], chunk_sentences: int, *, resume: bool, overwrite: bool
    ) -> WorkState:
        """Start a fresh work area or continue the one there; refuse what would lose work."""
        if self.path.exists():
            if resume:
                return self._continue(fingerprint)
            if not overwrite:
                raise OutputError(
                    f"an interrupted build was found at {self.path}: pass --resume with the same "
                    "arguments to continue it, or --overwrite to start over"
                )
            shutil.rmtree(self.path)
        self.shards.mkdir(parents=True)
        state = WorkState(fingerprint=fingerprint, chunk_sentences=chunk_sentences)
        self.save(state)
        return state

    def _continue(self, fingerprint: dict[str, Any]) -> WorkState:
        try:
            state = WorkState(**json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError) as e:
            raise OutputError(
                f"cannot resume: {self.state_file} is unreadable ({e}); pass --overwrite to start over"
            ) from e
        if state.fingerprint != fingerprint:
            changed = sorted(
                k for k in fingerprint if fingerprint.get(k) != state.fingerprint.get(k)
            )
            raise OutputError(
                f"cannot resume {self.path}: it was started with other arguments or another model "
                f"(different: {', '.join(changed)}); rerun with the original arguments, "
                "or pass --overwrite instead of --resume to start over"
            )
        self.shards.mkdir(parents=True, exist_ok=True)
        return state

    def save(self, state: WorkState) -> None:
        tmp = self.state_file.with_name("state.json.tmp")
        with open(tmp, "w") as fh:
            json.dump(state.__dict__, fh, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_file)

    def shard_path(self, index: int) -> Path:
        return self.shards / f"chunk-{index:06d}.parquet"

    def commit_chunk(
        self, state: WorkState, index: int, table: pa.Table, report: dict[str, Any]
    ) -> None:
        write_parquet_atomic(self.shard_path(index), table)
        state.chunks_done = index + 1
        state.report = report
        self.save(state)

    def shard_files(self, state: WorkState) -> list[Path]:
        return [self.shard_path(i) for i in range(state.chunks_done)]

    def staging(self) -> Path:
        staged = self.path / "final"
        if staged.exists():
            shutil.rmtree(staged)
        return staged

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
