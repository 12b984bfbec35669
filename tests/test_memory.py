"""What a build's worker processes hold (corpus/pipeline/memory.py): no pandas, freed memory
given back. Each check runs in a fresh interpreter: pyarrow's pandas check is per process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, tmp_path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_shard_is_written_without_importing_pandas(tmp_path: Path) -> None:
    """A worker warmed up with `lean_arrow` writes a shard (rows, signals, rejected rows)
    without importing pandas; the same task without it imports pandas (through pyarrow), so
    the check is not vacuous. The shards are the same bytes."""
    code = """
        import sys
        from corpus.pipeline.tasks import FinishOptions, FinishTask, finish, warm_worker
        from corpus.pipeline.pairs import Unit
        lean = sys.argv[1] == "lean"
        warm_worker(signals=True, lean_arrow=lean)
        units = [Unit("d", "d.txt", 0, i, 0, 9, f"Kalimat nomor {i} ada di sini.") for i in range(5)]
        translations = [(f"Sentence number {i} is here.", -0.5, 6, 9, False, False, False, False)
                        for i in range(4)] + [("", -1.0, 0, 9, False, False, False, False)]
        options = FinishOptions(sys.argv[2], True, False, (("train", 1.0),), 0)
        info = finish(FinishTask(0, 0, 5, units, translations, options))
        print(info.rows, info.rejected, "pandas" in sys.modules)
    """
    out = {}
    for mode in ("lean", "plain"):
        shards = tmp_path / mode
        shards.mkdir()
        out[mode] = run_python(code.replace("sys.argv[1]", repr(mode)).replace(
            "sys.argv[2]", repr(str(shards))), tmp_path)  # fmt: skip
    assert out == {"lean": "4 1 False", "plain": "4 1 True"}
    lean, plain = sorted((tmp_path / "lean").iterdir()), sorted((tmp_path / "plain").iterdir())
    assert [p.name for p in lean] == [p.name for p in plain] and len(lean) == 2
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(lean, plain, strict=True))


def test_pandas_stays_usable_when_asked_for(tmp_path: Path) -> None:
    """After `arrow_without_pandas`, pyarrow's explicit pandas APIs still import and use it."""
    out = run_python(
        """
        import sys
        import pyarrow as pa
        from corpus.pipeline.memory import arrow_without_pandas
        first = arrow_without_pandas()
        schema = pa.schema([("a", pa.int64()), ("b", pa.string())])
        table = pa.Table.from_pydict({"a": [1, None], "b": ["x", "y"]}, schema=schema)
        assert "pandas" not in sys.modules
        frame = table.to_pandas()
        back = pa.Table.from_pandas(frame, preserve_index=False)
        print(first, arrow_without_pandas(), frame.shape, back.column("a").null_count)
        """,
        tmp_path,
    )
    assert out == "True False (2, 2) 1"  # the second call: pandas is imported, nothing to do


@pytest.mark.parametrize("collect", [False, True], ids=["trim", "collect-and-trim"])
def test_release_memory_runs_anywhere(collect: bool) -> None:
    from corpus.pipeline.memory import release_memory

    release_memory(collect=collect)  # with or without pyarrow loaded, glibc or not


@pytest.mark.parametrize(
    ("formats", "jobs", "lean"),
    [
        (("text", "jsonl"), 2, True),
        (("text", "hf"), 2, False),  # `datasets` uses pandas: pyarrow must see it
        (("text",), 1, False),  # no worker processes: the build's own process is left alone
    ],
    ids=["workers", "workers-reading-a-dataset", "no-workers"],
)
def test_workers_are_lean_unless_they_may_read_a_dataset(
    formats: tuple[str, ...], jobs: int, lean: bool
) -> None:
    from corpus.pipeline.config import BuildConfig
    from corpus.pipeline.local import _warm_up
    from corpus.pipeline.plan import Plan, WorkUnit
    from corpus.read.paths import Source

    units = [
        WorkUnit(i, (Source(None, f"in{i}", f"in{i}", fmt),), ({},), 1, i)
        for i, fmt in enumerate(formats)
    ]
    warm = _warm_up(BuildConfig(inputs=("in",), out="out"), Plan(units), jobs)
    assert warm.args == (True, lean)


def test_rows_do_not_depend_on_the_signal_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signals are computed in blocks of SIGNAL_BLOCK pairs (a worker's working memory):
    the rows are the same for any block, an empty translation dropped in any of them, the
    sources' languages identified here or given with the units (a build's)."""
    from corpus.pipeline import pairs
    from translate.base import Translation

    texts = ["Harga beras naik di pasar.", "Kerana itu kami pergi.", "Rapat dimulai 10.30 WIB."]
    units = [pairs.Unit("d", "d.txt", 0, i, 0, 9, texts[i % 3]) for i in range(7)]
    given = [u._replace(src_lang="ms", src_lang_conf=i / 10) for i, u in enumerate(units)]
    english = ["Rice prices rose at the market.", "", "The meeting starts at 10.30."]
    translations = [Translation(english[i % 3], -0.5, 6, 9) for i in range(7)]
    for each in (units, given):
        found = []
        for block in (1, 3, 512):
            monkeypatch.setattr(pairs, "SIGNAL_BLOCK", block)
            rows, report = pairs.rows_of(each, translations, signals=True, presplit=False)
            found.append((rows, report.to_dict()))
        assert len(found[0][0]) == 5 and found[0] == found[1] == found[2]
    assert [r["src_lang_conf"] for r in found[0][0]] == [0.0, 0.2, 0.3, 0.5, 0.6]
