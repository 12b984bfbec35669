"""Checks of the output location, before any work: every problem a user must fix is named.

A build writes `OUT/` (published in one rename), `OUT.partial/` (its work area), `OUT.lock` and,
on Ray, `OUT.ray/`, and nothing else. So `--out` must be somewhere it can create those: not
under a regular file, not in a folder it cannot write; and it must not be inside an input
folder (the build would read its own work area) nor hold an input (`--overwrite` would delete
it).
"""

from __future__ import annotations

import os
from pathlib import Path

from corpus.config import BuildConfig
from corpus.errors import OutputError
from corpus.read import check_output_outside_inputs

WORK_SUFFIXES = (".partial", ".lock", ".ray")


def work_paths(out: Path) -> list[Path]:
    return [out.with_name(out.name + suffix) for suffix in WORK_SUFFIXES]


def check_output(config: BuildConfig) -> None:
    out = Path(config.out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file; --out names a folder to write the dataset to")
    _check_parent(out)
    work = [str(p) for p in work_paths(out)] + ([config.ray.tmp_dir] if config.ray.tmp_dir else [])
    check_output_outside_inputs(config.inputs, str(out), work)


def _check_parent(out: Path) -> None:
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(
            f"cannot create --out {out}: {parent} is a file, not a folder; choose another --out"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot create --out {out}: no permission to write in {parent} (or it is "
            "read-only); choose another --out"
        )
