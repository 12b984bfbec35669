"""Lines repeated across documents (issue 20.5): decided over the whole input, dropped from
every document that holds them, the same whatever the order, the grouping or the memory."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from corpus.clean.cleaner import Cleaner, fingerprints, line_fingerprint
from corpus.pipeline import repeats
from corpus.pipeline.repeats import Fingerprints, RepeatCounter, RepeatTable, as_ints, table_of
from corpus.records import Document

MENU = "Beranda | Nasional | Ekonomi | Olahraga"
PAIR = "Baca juga: berita lain hari ini"


def docs() -> list[Document]:
    """Five documents: the menu in three, another line in two, the rest their own."""
    texts = [
        f"{MENU}\nPresiden meresmikan jembatan baru di Kalimantan Timur hari ini.",
        f"{MENU}\n{PAIR}\nHarga cabai naik lagi di pasar induk menjelang akhir pekan.",
        f"{PAIR}\nWarga menyambut gembira keputusan pemerintah tentang subsidi.",
        f"{MENU}\nTim nasional menang dua gol tanpa balas dalam laga persahabatan.",
        "Hujan deras mengguyur ibu kota sejak pagi, beberapa jalan tergenang.",
    ]
    return [Document(f"d{i}.txt", t, f"d{i}.txt") for i, t in enumerate(texts)]


def test_a_line_in_three_documents_goes_from_all_of_them_one_in_two_stays() -> None:
    table = table_of(docs())
    cleaned = [Cleaner().clean(d.text, drop=table.drop(fingerprints(d.text))) for d in docs()]
    assert [MENU in c.text for c in cleaned] == [False] * 5  # no warm-up: the first too
    assert [r.reason for c in cleaned[:2] for r in c.dropped if r.text == MENU] == [
        "repeated_across_docs"
    ] * 2
    assert sum(PAIR in c.text or "berita lain" in c.text for c in cleaned) <= 2
    assert line_fingerprint(MENU) in table.drop(fingerprints(docs()[0].text))
    assert not table.drop(fingerprints(docs()[2].text)) & {line_fingerprint(PAIR)}


def test_the_parts_of_one_document_count_once() -> None:
    parts = [Document("big.txt", f"{MENU}\nKalimat ke-{i} dari dokumen besar.", "big.txt", i)
             for i in range(4)]  # fmt: skip
    assert not len(table_of(parts).fps)
    others = [Document(f"o{i}", f"{MENU}\nLain {i}.", f"o{i}") for i in range(2)]
    assert line_fingerprint(MENU) in table_of(parts + others).drop(fingerprints(MENU))


def _pass(documents: list[Document]) -> list[Fingerprints]:
    out = []
    for key, doc in enumerate(documents):
        found = as_ints(fingerprints(doc.text))
        out.append(Fingerprints(np.full(len(found), key, dtype=np.uint64), found))
    return out


def test_the_table_does_not_depend_on_order_grouping_or_spilling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    lines = [f"Menu {k} | Rubrik {k % 5}" for k in range(150)]
    documents = [
        Document(f"d{i}", "\n".join(rng.sample(lines, 6)) + f"\nIsi dokumen {i}.", f"d{i}")
        for i in range(60)
    ]
    passes = _pass(documents)
    whole = RepeatCounter(None)
    for found in passes:
        whole.add(found)
    expected = whole.table().fps
    assert 0 < len(expected) < 150
    shuffled = RepeatCounter(None)
    merged = Fingerprints(np.concatenate([p.docs for p in passes]),
                          np.concatenate([p.fps for p in passes]))  # fmt: skip
    order = np.random.default_rng(1).permutation(len(merged.fps))
    for chunk in np.array_split(order, 7):  # other groups, other order
        shuffled.add(Fingerprints(merged.docs[chunk], merged.fps[chunk]))
    assert np.array_equal(shuffled.table().fps, expected)
    monkeypatch.setattr(repeats, "SPILL_PAIRS", 50)
    spilled = RepeatCounter(tmp_path / "spill")
    for found in passes:
        spilled.add(found)
    assert spilled.spilled and len(list((tmp_path / "spill").glob("p*.bin"))) > 1
    assert np.array_equal(spilled.table().fps, expected)


def test_a_table_saves_and_loads(tmp_path: Path) -> None:
    table = table_of(docs())
    table.save(tmp_path / "r.npy")
    assert np.array_equal(repeats.load(str(tmp_path / "r.npy")).fps, table.fps)
    assert RepeatTable().drop(fingerprints(MENU)) == frozenset()


def test_no_first_pass_when_no_line_can_be_in_enough_documents(tmp_path: Path) -> None:
    """Fewer one-document files than cross_doc_min_docs (3): nothing to count, so a single huge
    text file (or a gzip bomb) starts translating without reading itself whole first; a
    large file cut into parts is still one document; records hold many documents."""
    from corpus.pipeline.plan import UnitSizes, plan_units
    from corpus.pipeline.repeats import needs_first_pass
    from corpus.read.config import ReadConfig

    big = tmp_path / "big.txt"
    big.write_text("Beranda | Nasional\n\nHarga beras naik lagi.\n\n" * 400, encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>Harga beras naik lagi minggu ini.</p>", encoding="utf-8")
    (tmp_path / "c.txt.gz").write_bytes(b"")
    records = tmp_path / "r.jsonl"
    records.write_text('{"text": "Harga beras naik."}\n', encoding="utf-8")
    sizes = UnitSizes(unit_bytes=2000, part_bytes=1000)

    def needs(*names: str) -> bool:
        plan = plan_units([str(tmp_path / n) for n in names], ReadConfig(), sizes)
        return needs_first_pass(plan)

    assert len(plan_units([str(big)], ReadConfig(), sizes).units) > 1  # one document, in parts
    assert not needs("big.txt")
    assert not needs("big.txt", "b.html")
    assert needs("big.txt", "b.html", "c.txt.gz")
    assert needs("r.jsonl")
