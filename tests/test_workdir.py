"""The work area and the output lock; the progress bar; the card's escaping."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from corpus.dataset.card import CardInfo, cell, render_card
from corpus.errors import OutputError
from corpus.pipeline.progress import MAX_SLICE, MIN_SLICE, TARGET_SLICE_S, Progress, SliceSizer
from corpus.pipeline.workdir import BuildLock


def test_second_lock_on_the_same_output_is_refused(tmp_path: Path) -> None:
    with BuildLock(tmp_path / "out"), pytest.raises(OutputError, match="another build"):
        BuildLock(tmp_path / "out").__enter__()
    assert not (tmp_path / "out.lock").exists()  # released and removed


def test_a_build_that_opened_the_old_lock_file_does_not_share_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Build A holds the lock; B opens the lock file just before A finishes (A removes the
    file and releases it); C starts and creates a new lock file. B's flock on the old file then
    succeeds — B must notice that the path is no longer its file, try again, and be refused
    because C holds the lock, instead of running beside C."""
    import builtins

    import corpus.pipeline.workdir

    a = BuildLock(tmp_path / "out").__enter__()
    stale = open(a.path, "a+")  # noqa: SIM115 - B's open, before A releases
    a.__exit__(None, None, None)
    c = BuildLock(tmp_path / "out").__enter__()
    handles = iter([stale])

    def b_opens(path: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        return next(handles, None) or builtins.open(path, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(corpus.pipeline.workdir, "open", b_opens, raising=False)
    with pytest.raises(OutputError, match="another build"):
        BuildLock(tmp_path / "out").__enter__()
    c.__exit__(None, None, None)


def test_slices_aim_at_a_few_seconds_per_engine_call() -> None:
    sizer = SliceSizer(start=MIN_SLICE)
    sizer.record(MIN_SLICE, MIN_SLICE / 10.0)  # 10 sentences/s (a CPU engine, beam search)
    assert sizer.size == max(MIN_SLICE, int(10 * TARGET_SLICE_S))
    sizer.record(sizer.size, sizer.size / 200.0)  # 200 sentences/s: about TARGET_SLICE_S
    assert sizer.size == int(200 * TARGET_SLICE_S)
    sizer.record(sizer.size, sizer.size / 50_000)  # a GPU: as many as fit in the target
    assert sizer.size == MAX_SLICE
    sizer.record(3, 100.0)  # a short last slice says nothing about the engine's speed
    assert sizer.size == MAX_SLICE


def test_a_slow_engine_gets_calls_short_enough_for_its_checkpoints() -> None:
    sizer = SliceSizer(max_seconds=30.0)
    assert sizer.size < MIN_SLICE  # the first call measures the engine
    sizer.record(sizer.size, sizer.size / 1.0)  # 1 sentence/s: 256 would take 4 minutes
    assert sizer.size == 30
    sizer.record(sizer.size, sizer.size / 200.0)  # fast: the usual size
    assert sizer.size == int(200 * TARGET_SLICE_S)


def test_progress_shows_a_total_and_ends_at_it(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    with Progress(total=10, quiet=False) as bar:
        bar.advance(2, 40)
        bar.advance(3, 40)
    text = err.getvalue()
    assert "/10" in text and "80 sent" in text and "sent/s" in text and "10/10" in text


def test_card_cells_cannot_inject_markup() -> None:
    name = "evil|name`![x](http://x)`<script>\n# head *b*.txt"
    escaped = cell(name)
    assert "\n" not in escaped and "|" not in escaped.replace("\\|", "")
    assert "<" not in escaped.replace("\\<", "") and "`" not in escaped.replace("\\`", "")
    info = CardInfo(
        name="t",
        columns={},
        column_docs={},
        split_counts={"train": 1},
        provenance={"tool_version": "x"},
        report={"skipped_inputs": [[name, "binary: PNG image"]], "counts": {}},
    )
    card = render_card(info)
    row = next(line for line in card.splitlines() if "binary: PNG image" in line)
    assert row.count(" | ") == 1  # one cell boundary: the name did not add columns


def test_lock_file_names_the_holder(tmp_path: Path) -> None:
    with BuildLock(tmp_path / "out") as lock:
        assert lock.path.read_text().strip() == f"pid {os.getpid()}"
