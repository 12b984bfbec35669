from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from corpus.dataset.card import CardInfo, render_card
from corpus.dataset.files import SplitWriter
from corpus.dataset.schema import BASE_COLUMNS, arrow_schema
from corpus.dataset.shards import split_files
from corpus.dataset.splits import split_indices, split_of
from corpus.dataset.stats import Sample
from corpus.dataset.writer import publish
from corpus.errors import OutputError


def _row(i: int) -> dict[str, object]:
    return {
        "translation": {"id": f"kalimat {i}", "en": f"sentence {i}"},
        "doc_id": f"d{i % 7}",
        "source": "x.txt",
        "para_index": 0,
        "sent_index": i,
        "src_start": 0,
        "src_end": 9,
        "line_no": 1,
        "score": -0.5,
    }


def test_split_writer_rotates_names_and_leaves_out_empty_splits(tmp_path: Path) -> None:
    writer = SplitWriter(
        tmp_path, arrow_schema(BASE_COLUMNS), splits=["train", "test"], rows_per_file=4
    )
    for i in range(10):
        writer.add("train", _row(i))
    counts = writer.close()
    assert counts == {"train": 10}
    assert writer.empty_splits() == ["test"]
    files = split_files(tmp_path)
    assert [f.name for f in files["train"]] == [
        "train-00000-of-00003.parquet",
        "train-00001-of-00003.parquet",
        "train-00002-of-00003.parquet",
    ]
    assert "test" not in files
    rows = [r for f in files["train"] for r in pq.read_table(f).to_pylist()]
    assert [r["sent_index"] for r in rows] == list(range(10))


def test_round_trip_through_load_dataset_keeps_translation_type(tmp_path: Path) -> None:
    import datasets

    writer = SplitWriter(tmp_path, arrow_schema(BASE_COLUMNS), splits=["train"])
    for i in range(3):
        writer.add("train", _row(i))
    counts = writer.close()
    info = CardInfo(
        name="t",
        columns=BASE_COLUMNS,
        column_docs={},
        split_counts=counts,
        provenance={"signature": "x"},
        report={"counts": {"documents": 1}},
    )
    (tmp_path / "README.md").write_text(render_card(info))
    ds = datasets.load_dataset(str(tmp_path))
    assert isinstance(ds["train"].features["translation"], datasets.Translation)
    assert ds["train"][1]["translation"] == {"id": "kalimat 1", "en": "sentence 1"}
    meta = yaml.safe_load((tmp_path / "README.md").read_text().split("---")[1])
    assert meta["dataset_info"]["splits"] == [{"name": "train", "num_bytes": 0, "num_examples": 3}]


def test_split_assignment_is_stable_and_proportional() -> None:
    splits = (("train", 0.8), ("validation", 0.1), ("test", 0.1))
    names = [split_of(f"doc{i}", splits, seed=0) for i in range(5000)]
    assert names == [split_of(f"doc{i}", splits, seed=0) for i in range(5000)]
    assert 0.77 < names.count("train") / 5000 < 0.83
    assert names != [split_of(f"doc{i}", splits, seed=1) for i in range(5000)]


def _scores(n: int, docs: int = 97) -> pa.Table:
    rows = [dict(_row(i), doc_id=f"d{i % docs}", sent_index=i, score=-i / n) for i in range(n)]
    return pa.Table.from_pylist(rows, schema=arrow_schema(BASE_COLUMNS))


def test_sample_quantiles_do_not_depend_on_how_rows_are_grouped() -> None:
    table = _scores(10_000)
    whole = Sample(["score"], size=1000)
    assert whole.quantiles() == {}
    whole.add_table(table)
    pieces = Sample(["score"], size=1000)
    for start in (7000, 0, 3001, 3000):  # another order, other boundaries
        pieces.add_table(table.slice(start, {7000: 3000, 0: 3000, 3001: 3999, 3000: 1}[start]))
    q = whole.quantiles()["score"]
    assert q == pieces.quantiles()["score"]
    assert abs(q["p50"] + 0.5) < 0.06 and q["p1"] < q["p10"] < q["p50"] < q["p90"] < q["p99"]


def test_split_indices_follow_the_document() -> None:
    splits = (("train", 0.5), ("test", 0.5))
    table = _scores(500)
    index = split_indices(table, splits, seed=3)
    names = [splits[i][0] for i in index]
    assert names == [split_of(d, splits, 3) for d in table.column("doc_id").to_pylist()]
    assert set(names) == {"train", "test"}


def test_publish_refuses_to_replace_without_overwrite(tmp_path: Path) -> None:
    staged, out = tmp_path / "staged", tmp_path / "out"
    staged.mkdir()
    (staged / "new").write_text("new")
    out.mkdir()
    (out / "old").write_text("old")
    with pytest.raises(OutputError):
        publish(staged, out, overwrite=False)
    publish(staged, out, overwrite=True)
    assert [p.name for p in out.iterdir()] == ["new"]
