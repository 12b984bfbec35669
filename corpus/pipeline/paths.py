"""Checks of the output location, before any work: every problem a user must fix is named.

A build writes `OUT/` (published in one rename), `OUT.partial/` (its work area), `OUT.lock` and,
on Ray, `OUT.ray/`, and nothing else. So `--out` must be somewhere it can create those: not
under a regular file, not in a folder it cannot write; and it must not be inside an input
folder (the build would read its own work area) nor hold an input (`--overwrite` would delete
it).
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from corpus.errors import OutputError
from corpus.pipeline.config import BuildConfig
from corpus.read.inputs import check_output_outside_inputs
from corpus.records import Document
from corpus.report import Rejected, Report

WORK_SUFFIXES = (".partial", ".lock", ".ray")


def work_paths(out: Path) -> list[Path]:
    return [out.with_name(out.name + suffix) for suffix in WORK_SUFFIXES]


def check_output(config: BuildConfig) -> None:
    out = Path(config.out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file; --out names a folder to write the dataset to")
    if out.is_dir() and config.overwrite and not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot replace --out {out}: it is read-only or immutable; choose another --out"
        )
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


def public_document(doc: Document, inputs: tuple[str, ...]) -> Document:
    """`doc` with its id and source free of the machine-specific part of absolute inputs."""
    if not (doc.source.startswith("/") or doc.doc_id.startswith("/")):
        return doc
    return replace(
        doc,
        doc_id=public_location(doc.doc_id, inputs),
        source=public_location(doc.source, inputs),
    )


def public_rejected(rows: list[Rejected], inputs: tuple[str, ...]) -> list[Rejected]:
    """Rejected rows whose document and source name no machine-specific folder."""
    return [
        r._replace(doc_id=public_location(r.doc_id, inputs) if r.doc_id else r.doc_id,
                   source=public_location(r.source, inputs) if r.source else r.source)
        if (r.doc_id or "").startswith("/") or (r.source or "").startswith("/")
        else r
        for r in rows
    ]  # fmt: skip


def public_location(location: str, inputs: tuple[str, ...]) -> str:
    """`location` without the machine-specific part of an absolute input argument: relative to
    the folder that holds the argument (a folder, a file, or a glob's fixed part)."""
    if not location.startswith("/"):
        return location
    for parent in _input_parents(inputs):
        if location.startswith(parent):
            return location[len(parent) :]
    return Path(location).name


def public_text(text: str, inputs: tuple[str, ...]) -> str:
    """`text` (a message) with the folder that holds each absolute input argument left out
    wherever it names a path below it."""
    for parent in _input_parents(inputs):
        text = text.replace(parent, "")
    return text


def make_public(report: Report, inputs: tuple[str, ...]) -> None:
    """`report` (in place) naming inputs as doc_id does: no absolute path of this machine."""
    report.relocate(
        lambda name: public_location(name, inputs), lambda text: public_text(text, inputs)
    )


@lru_cache(maxsize=8)
def _input_parents(inputs: tuple[str, ...]) -> tuple[str, ...]:
    """The folder (with a final "/") that holds each absolute input argument, in order."""
    parents = []
    for arg in inputs:
        if not arg.startswith("/"):
            continue
        fixed = Path(arg.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0])
        anchor = fixed if arg.rstrip("/") == str(fixed).rstrip("/") else fixed / "x"
        parents.append(str(anchor.parent).rstrip("/") + "/")
    return tuple(parents)
