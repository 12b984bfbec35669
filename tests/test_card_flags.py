"""Rows per flag (issue 22.4): the card's Flags table, idcorpus.json's `flags` and the terminal
summaries of `build` and `filter` equal the rows counted from the Parquet files, for a local
build with one and two worker processes and for `filter` output."""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import NEWS, REPO, TINY, dataset_files

from corpus.cli.main import main
from corpus.dataset import pieces
from corpus.dataset.filter import FLAGS, OVERLAP_FLAG
from corpus.dataset.pieces import Figures, PieceWriter, flag_columns
from corpus.dataset.schema import arrow_schema, columns
from corpus.dataset.writer import DatasetWriter
from corpus.report import Report
from corpus.signals.quality import SIGNAL_COLUMNS

FLORES_DEVTEST = REPO / "corpus" / "data" / "testsets" / "flores" / "ind_Latn.devtest.gz"
OVERLAP_LINE = re.compile(
    r"^  test-set overlap +([\d,]+) rows \(is_test_overlap; filter --drop-test-overlap "
    r"removes them\)$",
    re.M,
)
TALKING = [*(a for a in TINY if a != "--quiet"), "--no-cache"]  # the summary is printed
NO_FILTER = ["--min-score", "-99", "--min-length-ratio", "0.01", "--max-length-ratio", "99",
             "--require-src-lang", "", "--require-tgt-lang", "", "--drop-flagged", "",
             "--dedup", "none"]  # fmt: skip


def parquet_flags(out: Path) -> dict[str, dict[str, int]]:
    """Rows per flag per split, counted from the folder's Parquet files."""
    found: dict[str, dict[str, int]] = {}
    for file in sorted((out / "data").glob("*.parquet")):
        split = file.name.split("-")[0]
        table = pq.read_table(file)
        counts = found.setdefault(split, dict.fromkeys(flag_columns(table.schema), 0))
        for name in counts:
            counts[name] += sum(1 for v in table.column(name).to_pylist() if v)
    return found


def card_flags(out: Path) -> dict[str, tuple[int, str]]:
    """The card's Flags table: flag -> (rows, share)."""
    card = (out / "README.md").read_text(encoding="utf-8")
    lines = card.split("### Flags\n", 1)[1].split("\n## ", 1)[0].splitlines()
    rows = [line.strip("|").split("|") for line in lines if line.startswith("| ")][1:]
    return {f.strip(): (int(n.replace(",", "")), share.strip()) for f, n, share in rows}


def check_counts(out: Path, summary: str) -> dict[str, int]:
    """The card, idcorpus.json and the terminal `summary` say what the Parquet files hold."""
    per_split = parquet_flags(out)
    total = {f: sum(s[f] for s in per_split.values()) for f in FLAGS}
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in (out / "data").glob("*.parquet"))
    meta = json.loads((out / "idcorpus.json").read_text(encoding="utf-8"))
    assert meta["flags"] == {"rows": total, "splits": per_split}
    assert card_flags(out) == {f: (n, f"{n / rows:.2%}") for f, n in total.items()}
    assert list(card_flags(out)) == list(FLAGS)  # every bool signal, in column order
    assert [int(n.replace(",", "")) for n in OVERLAP_LINE.findall(summary)] == [total[OVERLAP_FLAG]]
    return total


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six news articles and four documents holding FLORES devtest sentences (one inside
    a news article's text, the others a sentence each)."""
    folder = tmp_path_factory.mktemp("docs") / "news"
    folder.mkdir()
    flores = gzip.decompress(FLORES_DEVTEST.read_bytes()).decode("utf-8").splitlines()
    articles = sorted(NEWS.glob("*.txt"))[:7]
    for article in articles[:6]:
        (folder / article.name).write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
    text = articles[6].read_text(encoding="utf-8").replace(". ", f". {flores[3]} ", 1)
    (folder / "mixed.txt").write_text(text, encoding="utf-8")
    for i in (10, 20, 30):
        (folder / f"flores{i}.txt").write_text(flores[i] + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def builds(
    docs: Path, tiny_model: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[int, tuple[Path, str]]:
    """The build with --jobs 1 and 2 (two splits, small checkpoints, files of 9 rows, so each
    split is several pieces, written by the worker processes with --jobs 2): folder, terminal
    output."""
    found = {}
    for jobs in (1, 2):
        out = tmp_path_factory.mktemp(f"jobs{jobs}") / "corpus"
        found[jobs] = (out, stderr_of(["build", str(docs), "--out", str(out), "--model",
                                       tiny_model, *TALKING, "--chunk-sentences", "12",
                                       "--jobs", str(jobs), "--split", "train=0.6,test=0.4"]))  # fmt: skip
    return found


@pytest.fixture(scope="module", autouse=True)
def small_files() -> Iterator[None]:
    """Files of 9 rows in row groups of 4 (the pieces' layout is read in the driver)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pieces, "ROWS_PER_FILE", 9)
        patch.setattr(pieces, "GROUP_ROWS", 4)
        yield


def stderr_of(argv: list[str]) -> str:
    """What `idcorpus ARGV`, run in this process, prints to stderr (it must succeed)."""
    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stderr", buffer)
        assert main(argv) == 0
    return buffer.getvalue()


def test_build_card_json_and_summary_count_the_rows_of_each_flag(
    builds: dict[int, tuple[Path, str]],
) -> None:
    one, two = builds[1][0], builds[2][0]
    assert dataset_files(one) == dataset_files(two)  # the same files, whatever --jobs
    for out, err in builds.values():
        total = check_counts(out, err)
        assert total[OVERLAP_FLAG] >= 4  # the FLORES sentences, at least
    assert set(parquet_flags(one)) == {"train", "test"}
    assert len(list((one / "data").glob("train-*.parquet"))) > 2


def test_filter_output_counts_its_own_rows(
    builds: dict[int, tuple[Path, str]], tmp_path: Path
) -> None:
    src = builds[1][0]
    kept = tmp_path / "kept"
    err = stderr_of(["filter", str(src), "--out", str(kept), *NO_FILTER])
    assert check_counts(kept, err) == check_counts(src, builds[1][1])
    default = tmp_path / "default"
    check_counts(default, stderr_of(["filter", str(src), "--out", str(default)]))
    dropped = tmp_path / "dropped"
    err = stderr_of(["filter", str(src), "--out", str(dropped), *NO_FILTER, "--drop-test-overlap"])
    assert check_counts(dropped, err)[OVERLAP_FLAG] == 0


def test_no_overlap_line_without_signals(docs: Path, tiny_model: str, tmp_path: Path) -> None:
    out = tmp_path / "plain"
    err = stderr_of(["build", str(docs / "flores10.txt"), "--out", str(out), "--model",
                     tiny_model, *TALKING, "--no-signals"])  # fmt: skip
    assert "pairs written" in err and "test-set overlap" not in err
    assert "flags" not in json.loads((out / "idcorpus.json").read_text(encoding="utf-8"))
    assert "### Flags" not in (out / "README.md").read_text(encoding="utf-8")


def _table(flags: list[bool | None]) -> pa.Table:
    cols = columns(SIGNAL_COLUMNS)
    rows = [
        {name: None for name in cols}
        | {"translation": {"id": "a", "en": "b"}, "doc_id": f"d{i}", "sent_index": 0,
           OVERLAP_FLAG: flag}
        for i, flag in enumerate(flags)
    ]  # fmt: skip
    return pa.Table.from_pylist(rows, schema=arrow_schema(cols))


def test_piece_writer_counts_true_values_only_and_the_writer_sums_pieces(tmp_path: Path) -> None:
    table = _table([True, False, None, True, True])
    writer = PieceWriter(tmp_path / "p.parquet", table.schema, None, group_rows=2)
    writer.write(table)
    figures = writer.close()
    assert figures.flags == {**dict.fromkeys(FLAGS, 0), OVERLAP_FLAG: 3}
    cols = columns(SIGNAL_COLUMNS)
    out = DatasetWriter(tmp_path / "staged", cols, ["train", "test"], {})
    out.add_table("train", table)
    out.adopt("test", Figures(rows=4, flags={**dict.fromkeys(FLAGS, 0), OVERLAP_FLAG: 2}))
    finished = out.finish(tmp_path / "out", name="t", provenance={}, report=Report(),
                          filter_report=None, overwrite=False)  # fmt: skip
    assert finished.flags[OVERLAP_FLAG] == 5
    meta = json.loads((tmp_path / "out" / "idcorpus.json").read_text(encoding="utf-8"))
    assert meta["flags"]["splits"]["train"][OVERLAP_FLAG] == 3
    assert card_flags(tmp_path / "out")[OVERLAP_FLAG] == (5, f"{5 / 9:.2%}")
