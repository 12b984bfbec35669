"""Checks of the output location, before any work: every problem a user must fix is named.

A build writes `OUT/` (published in one rename), `OUT.partial/` (its work area), `OUT.lock` and,
on Ray, `OUT.ray/`, and nothing else. So `--out` must be somewhere it can create those: not
under a regular file, not in a folder it cannot write; and it must not be inside an input
folder (the build would read its own work area) nor hold an input (`--overwrite` would delete
it).
"""

from __future__ import annotations

import glob as globlib
import os
from pathlib import Path

from corpus.config import BuildConfig
from corpus.errors import OutputError

WORK_SUFFIXES = (".partial", ".lock", ".ray")


def work_paths(out: Path) -> list[Path]:
    return [out.with_name(out.name + suffix) for suffix in WORK_SUFFIXES]


def check_output(config: BuildConfig) -> None:
    out = Path(config.out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file; --out names a folder to write the dataset to")
    _check_parent(out)
    _check_not_inside_inputs(out, config.inputs)


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


def _check_not_inside_inputs(out: Path, inputs: tuple[str, ...]) -> None:
    targets = [out.resolve()] + [p.resolve() for p in work_paths(out)]
    for arg in inputs:
        if arg == "-":
            continue
        for root in _input_roots(arg):
            for target in targets:
                if _within(target, root) and root.is_dir():
                    raise OutputError(
                        f"--out {out} is inside the input folder {arg}: the build would read its "
                        f"own output and work area ({target.name}) as input; choose an --out "
                        "outside the inputs"
                    )
            if _within(root, targets[0]):
                raise OutputError(
                    f"the input {arg} is inside --out {out}: writing the dataset there would "
                    "replace it; choose another --out"
                )


def _input_roots(arg: str) -> list[Path]:
    if globlib.has_magic(arg):
        fixed = arg
        for ch in "*?[":
            fixed = fixed.split(ch, 1)[0]
        return (
            [Path(fixed or ".").resolve()]
            if fixed.endswith("/") or not fixed
            else [Path(fixed).resolve().parent]
        )
    path = Path(arg)
    return [path.resolve()] if path.exists() else []


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
