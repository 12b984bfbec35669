"""The plan of work units (one for every executor) and the pieces of the one writer: units
read exactly what the reader reads, a large text file is many units, and the same rows give the
same Parquet bytes however they are cut."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

import corpus.dataset.pieces
import corpus.pipeline.plan
import corpus.read.windows
from corpus.dataset.files import SplitWriter
from corpus.dataset.pieces import Layout, Source, plan_pieces, write_piece
from corpus.dataset.schema import BASE_COLUMNS, arrow_schema, rows_to_table
from corpus.pipeline.paths import public_document
from corpus.pipeline.plan import UnitSizes, plan_units
from corpus.pipeline.units import unit_documents
from corpus.read.config import ReadConfig
from corpus.read.inputs import iter_documents
from corpus.report import Report

TEXT = "Paragraf {i}: Presiden meresmikan jembatan baru di Kalimantan Timur hari ini.\n\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Six small files, a PDF (skipped), and one text file of about 20 parts of 512 bytes."""
    monkeypatch.setattr(corpus.read.windows, "PART_BYTES", 512)
    monkeypatch.setattr(corpus.pipeline.plan, "UNIT_BYTES", 2048)
    root = tmp_path / "in"
    root.mkdir()
    for k in range(6):
        (root / f"a{k}.txt").write_text(TEXT.format(i=k) * (k + 1), encoding="utf-8")
    (root / "b.pdf").write_bytes(b"%PDF-1.4 nothing")
    (root / "c.txt").write_text("".join(TEXT.format(i=i) for i in range(120)), encoding="utf-8")
    (root / "d.jsonl").write_text('{"text": "Satu."}\n{"text": "Dua."}\n', encoding="utf-8")
    return root


def test_units_read_what_the_reader_reads_and_a_large_file_is_many_units(folder: Path) -> None:
    read = ReadConfig()
    plan = plan_units((str(folder),), read, UnitSizes())
    big = [u for u in plan.units if u.sources[0].name == "c.txt"]
    assert len(big) >= 4 and all(len(u.sources) == 1 for u in big)
    assert [u.continues for u in big] == [False] + [True] * (len(big) - 1)
    assert [u.final for u in big] == [False] * (len(big) - 1) + [True]
    assert len([u for u in plan.units if u not in big]) >= 2  # small files grouped by size
    inputs = (str(folder),)
    expected = [public_document(d, inputs) for d in iter_documents(inputs, read, Report())]
    found = []
    for unit in plan.units:
        found += [item.doc for item in unit_documents(unit, read, (str(folder),), Report())]
    assert found == expected
    parts = [d for d in found if d.doc_id == "c.txt"]
    assert [d.part for d in parts] == list(range(len(parts))) and len(parts) > 10


def test_a_document_key_is_shared_by_its_parts_only(folder: Path) -> None:
    read = ReadConfig()
    plan = plan_units((str(folder),), read, UnitSizes())
    keys: dict[str, set[int]] = {}
    for unit in plan.units:
        for item in unit_documents(unit, read, (str(folder),), Report()):
            keys.setdefault(item.doc.doc_id, set()).add(item.doc_key)
    assert all(len(k) == 1 for k in keys.values())
    assert len({k for ks in keys.values() for k in ks}) == len(keys)


def _rows(n: int) -> list[dict[str, object]]:
    return [
        {"translation": {"id": f"kalimat {i}", "en": f"sentence {i}"}, "doc_id": f"d{i % 9}",
         "source": "x.txt", "para_index": 0, "sent_index": i, "src_start": 0, "src_end": 9, "line_no": 1,
         "score": -i / n}
        for i in range(n)
    ]  # fmt: skip


def test_the_same_rows_give_the_same_bytes_however_they_are_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus.dataset.pieces, "GROUP_ROWS", 16)
    monkeypatch.setattr(corpus.dataset.pieces, "ROWS_PER_FILE", 100)
    schema = arrow_schema(BASE_COLUMNS)
    rows = _rows(250)
    streamed = SplitWriter(tmp_path / "a", schema)
    for row in rows:
        streamed.add("train", row)
    assert streamed.close() == {"train": 250}
    layout = Layout(BASE_COLUMNS)
    shards = []
    for k, (start, stop) in enumerate([(0, 7), (7, 130), (130, 131), (131, 250)]):
        path = tmp_path / f"shard{k}.parquet"
        pq.write_table(rows_to_table(rows[start:stop], schema), path, row_group_size=5)
        shards.append(Source.of(str(path), {"train": stop - start}))
    pieces = plan_pieces(shards, ["train"], "data", layout.rows_per_file)
    assert [p.name for p in pieces] == [f"data/train-0000{k}-of-00003.parquet" for k in range(3)]
    for piece in pieces:
        assert write_piece(piece, str(tmp_path / "b"), layout).rows == len(
            pq.read_table(tmp_path / "a" / piece.name)
        )
    for piece in pieces:
        a, b = tmp_path / "a" / piece.name, tmp_path / "b" / piece.name
        assert a.read_bytes() == b.read_bytes()
        meta = pq.ParquetFile(b).metadata
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        assert all(s == 16 for s in sizes[:-1]) and 0 < sizes[-1] <= 16
