"""corpus/review: the streaming summaries, the filter counts, the page (escaping, document
view order, bounds, determinism) and `idcorpus report`."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from helpers import run_cli
from review_helpers import pair, rejected, write_folder

from corpus.dataset.filter import FilterConfig
from corpus.dataset.filter_folder import filter_dataset
from corpus.errors import ConfigError, InputError
from corpus.review import REPORT_FILE, write_report
from corpus.review.docview import ordered
from corpus.review.page import render
from corpus.review.samples import BottomK, DocSample, Histogram, stable_key
from corpus.review.scan import Limits, scan

SRC = "Menteri itu bertemu dengan mitranya di Jakarta hari ini."
TGT = "The minister met his counterpart in Jakarta today."
SCRIPT = "<script>alert('x')</script> Harga beras naik lagi hari ini."


def test_histogram_bins_ends_and_missing() -> None:
    h = Histogram(0.0, 1.0, 4)
    h.add(np.array([0.1, 0.3, 0.3, 0.9, -2.0, 5.0, np.nan]))
    assert h.counts.tolist() == [2, 2, 0, 2]
    assert (h.below, h.above, h.missing, h.total) == (1, 1, 1, 6)


def test_histogram_of_nothing() -> None:
    h = Histogram(-8.0, 0.0, 8)
    h.add(np.array([]))
    assert h.total == 0 and h.counts.tolist() == [0] * 8


def batch(values: list[float], names: list[str]) -> pa.RecordBatch:
    return pa.record_batch({"v": values, "name": names})


def test_bottom_k_is_the_global_lowest_over_batches() -> None:
    rng = np.random.default_rng(1)
    values = rng.random(1000).tolist()
    sample = BottomK(7, ["v", "name"])
    for start in range(0, 1000, 64):
        chunk = values[start : start + 64]
        sample.offer(np.array(chunk), batch(chunk, [str(start + i) for i in range(len(chunk))]))
    assert [r["v"] for r in sample.rows] == sorted(values)[:7]


def test_bottom_k_skips_nan_keys_and_keeps_extra() -> None:
    sample = BottomK(3, ["v"])
    sample.offer(
        np.array([np.nan, 2.0, np.nan]), batch([1.0, 2.0, 3.0], ["a", "b", "c"]), split="x"
    )
    assert sample.rows == [{"v": 2.0, "split": "x"}]


def test_doc_sample_has_the_smallest_keys_and_all_their_rows() -> None:
    docs = [f"https://site.example/{i}" for i in range(40)]
    rows = [(docs[(i * 7) % 40], i) for i in range(400)]
    sample = DocSample(5, max_rows=1000)
    for start in range(0, 400, 33):
        part = rows[start : start + 33]
        b = pa.record_batch({"doc_id": [d for d, _ in part], "n": [n for _, n in part]})
        sample.offer("kept", b, ["doc_id", "n"])
    chosen = sorted(docs, key=stable_key)[:5]
    got = sample.documents()
    assert [d for d, _, _ in got] == sorted(chosen)
    for doc, kinds, cut in got:
        assert [r["n"] for r in kinds["kept"]] == [n for d, n in rows if d == doc]
        assert cut == {}


def test_doc_sample_caps_rows_per_document() -> None:
    sample = DocSample(1, max_rows=3)
    sample.offer("dropped", pa.record_batch({"doc_id": ["d"] * 5}), ["doc_id"])
    [(_, kinds, cut)] = sample.documents()
    assert len(kinds["dropped"]) == 3 and cut == {"dropped": 2}


def test_row_batches_join_small_groups_and_slice_large_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    from corpus.review import scan as scan_module

    monkeypatch.setattr(scan_module, "BATCH_ROWS", 10)
    path = tmp_path / "t.parquet"
    with pq.ParquetWriter(path, pa.schema([("n", pa.int64())])) as writer:
        for size in (3, 3, 3, 3, 25, 4):
            writer.write_table(pa.table({"n": list(range(size))}), row_group_size=size)
    sizes = [b.num_rows for b in scan_module.row_batches(pq.ParquetFile(path))]
    assert sizes == [9, 3, 10, 10, 5, 4]


def mixed_pairs() -> list[dict]:
    """Rows failing each default filter rule, some more than one, and duplicates."""
    short = "Ya."
    return [
        pair(SRC, TGT, "a"),
        pair(SRC, TGT, "a", sent_index=1),  # duplicate
        pair(SRC + " Dua", TGT, "a", score=-4.0),  # min_score
        pair(SRC + " Tiga", TGT, "b", length_ratio_chars=0.1),  # length_ratio
        pair(short, "Yes, indeed it is so.", "b", length_ratio_chars=7.0),  # short: kept
        pair(SRC + " Empat", TGT, "b", src_lang="ms", src_lang_conf=0.8, score=-5.0),  # two rules
        pair(SRC + " Lima", TGT, "c", src_lang="ms", src_lang_conf=0.6),  # unsure: kept
        pair(SRC + " Enam", TGT, "c", tgt_lang="id", tgt_lang_conf=0.9),
        pair(SRC + " Tujuh", TGT, "c", is_degenerate=True, is_retried=True),
        pair(SRC + " Delapan", SRC + " Delapan", "c", is_untranslated=True),
        pair(SRC + " Dua", TGT, "c", score=-4.0),  # duplicate of a dropped row: min_score
    ]


def test_rule_counts_equal_the_filter(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", mixed_pairs(), None)
    s = scan(folder)
    report = filter_dataset(folder, tmp_path / "out", FilterConfig())
    assert s.rules.in_order == report.dropped
    assert s.rules.alone["min_score"] == 3
    assert s.rules.alone["src_lang"] == 1 and s.rules.in_order["src_lang"] == 0
    assert s.rules.alone["duplicate"] == 2 and s.rules.in_order["duplicate"] == 1


def test_report_of_a_filtered_folder(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", mixed_pairs(), [rejected("a", "clean", "empty", "", 1)])
    filter_dataset(folder, tmp_path / "out", FilterConfig())
    page = write_report(tmp_path / "out").read_text()
    assert "filtered by idcorpus filter" in page
    assert "<td>filter</td><td>min_score</td>" in page and "<td>clean</td><td>empty</td>" in page


def test_scan_counts(tmp_path: Path) -> None:
    pairs = [pair(SRC, TGT, "https://www.berita.example/a"), pair(SRC, TGT, "https://x.example/b")]
    drops = [rejected("https://x.example/c", "html", "menu", "Beranda | Nasional", 1)]
    s = scan(write_folder(tmp_path / "f", pairs, drops))
    assert s.pairs == 2 and s.splits == {"train": 2}
    assert s.rejected == {"html:menu": 1}
    docs, per_site = s.hosts()
    assert docs == {"berita.example": 1, "x.example": 2}
    assert per_site == {"berita.example": 1, "x.example": 1}


def document(tmp_path: Path) -> Path:
    """One document: kept sentences on lines 2 and 4, drops on lines 1, 3 and a fragment
    cut from line 4, a sentence dropped by the filter on line 4."""
    doc = "https://www.berita.example/2024/harga"
    pairs = [
        pair("Kalimat pertama tentang harga.", "First sentence about prices.", doc, line_no=2),
        pair("Kalimat kedua.", "Second sentence.", doc, line_no=4, sent_index=1),
        pair("Kalimat ketiga.", "Third sentence.", doc, line_no=4, sent_index=2),
    ]
    drops = [
        rejected(doc, "filter", "min_score", "Kalimat buruk.", 4, translation="Bad sentence."),
        rejected(doc, "clean", "dateline", "JAKARTA, KOMPAS.com -", 4, char_start=0),
        rejected(doc, "html", "menu", "Beranda | Nasional | Ekonomi", 1),
        rejected(doc, "clean", "related_link", "Baca juga: Harga cabai", 3),
    ]
    return write_folder(tmp_path / "doc", pairs, drops)


def test_document_view_interleaves_by_line(tmp_path: Path) -> None:
    [(_, rows, _)] = scan(document(tmp_path)).documents
    order = [(row.get("line_no"), row.get("reason") or row["translation"]["id"]) for _, row in ordered(rows)]  # fmt: skip
    assert order == [
        (1, "menu"),
        (2, "Kalimat pertama tentang harga."),
        (3, "related_link"),
        (4, "dateline"),
        (4, "Kalimat kedua."),
        (4, "Kalimat ketiga."),
        (4, "min_score"),
    ]
    page = render(scan(tmp_path / "doc"))
    view = page[page.index('id="documents"') :]
    positions = [view.index(t) for t in ("Beranda |", "Kalimat pertama", "Baca juga", "JAKARTA,")]
    assert positions == sorted(positions)
    assert "html:menu" in view and "Bad sentence." in view


def test_every_text_is_escaped_and_nothing_is_fetched(tmp_path: Path) -> None:
    evil = "https://evil.example/<script>x</script>"
    pairs = [
        pair(SCRIPT, "<img src=x onerror=alert(1)> price", evil, score=-9.0, is_degenerate=True)
    ]
    drops = [rejected(evil, "clean", "<b>reason</b>", '<iframe src="https://evil.example">', 1)]
    page = render(scan(write_folder(tmp_path / "f", pairs, drops)))
    assert not re.search(r"<(script|iframe|img|link|object|embed)\b", page, re.I)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;b&gt;reason&lt;/b&gt;" in page
    assert not re.search(r"<[^>]*\s(src|srcset|data|action)=", page)  # attributes, not text
    assert "@import" not in page and set(re.findall(r"url\((.)", page)) <= {"#"}
    hrefs = set(re.findall(r'href="([^"]*)"', page))
    assert all(h.startswith("#") for h in hrefs - {escape(evil)}), hrefs
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_charts_are_svg_with_text_as_text(tmp_path: Path) -> None:
    page = render(scan(write_folder(tmp_path / "f", mixed_pairs(), [])))
    charts = re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S)
    assert len(charts) >= 6  # drops are none: score, ratio, src/tgt language, tokens, repetition
    assert all("<text" in c and "DejaVuSans-" not in c for c in charts)  # no glyph outlines
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "two charts share an element id"


@pytest.mark.slow  # seconds of CPU: out of the inner loop
def test_report_is_bounded_and_deterministic(tmp_path: Path) -> None:
    long = "kata " * 20_000
    pairs = [pair(f"{long}{i}", f"word {i}", f"d{i % 50}", score=-float(i % 7)) for i in range(300)]
    folder = write_folder(tmp_path / "f", pairs, [rejected("d1", "clean", "empty", long, 1)])
    first = write_report(folder, name="final-name").read_bytes()
    assert b"<title>idcorpus report: final-name</title>" in first
    assert write_report(folder, name="final-name").read_bytes() == first
    assert len(first) < 1_000_000  # 300 pairs of 100,000 characters: 30 MB of text
    assert long not in first.decode()


def test_many_reasons_and_long_document_ids_stay_bounded(tmp_path: Path) -> None:
    doc = "https://www.berita.example/" + "x" * 5000
    pairs = [pair(f"{SRC} {i}", TGT, doc, score=-5.0) for i in range(60)]
    drops = [rejected(doc, "clean", f"reason_{i}", "teks", i) for i in range(500)]
    page = write_report(write_folder(tmp_path / "f", pairs, drops)).read_text()
    assert len(page) < 600_000 and "x" * 2100 not in page
    assert "440 smaller reasons left out" in page


def test_card_and_rejected_counts_disagree(tmp_path: Path) -> None:
    meta = {"report": {"dropped": {"clean:empty": 2, "read:skipped_input": 1}}}
    folder = write_folder(tmp_path / "f", [pair(SRC, TGT)], [rejected("d0", "clean", "empty", "", 1)], meta)  # fmt: skip
    page = render(scan(folder))
    assert page.count('<tr class="off">') == 2
    assert "do not match the card" in page


def test_folder_without_rejected_rows_or_signals(tmp_path: Path) -> None:
    rows = [{"translation": {"id": SRC, "en": TGT}, "doc_id": "d", "source": "s", "score": -0.2}]
    (tmp_path / "f" / "data").mkdir(parents=True)
    import pyarrow.parquet as pq

    pq.write_table(
        pa.Table.from_pylist(rows), tmp_path / "f" / "data" / "train-00000-of-00001.parquet"
    )
    page = render(scan(tmp_path / "f"))
    assert "records no drops" in page and "No rejected rows in this folder" in page
    assert "No idcorpus.json" in page and SRC in page


def test_limits_bound_the_samples(tmp_path: Path) -> None:
    pairs = [pair(f"{SRC} {i}", TGT, f"d{i}", score=-i / 10, is_short=True) for i in range(100)]
    s = scan(write_folder(tmp_path / "f", pairs, []), Limits(lowest=5, per_flag=4, random=3, documents=6))  # fmt: skip
    assert [r["score"] for r in s.lowest] == [-9.9, -9.8, -9.7, -9.6, -9.5]
    assert len(s.flagged["is_short"]) == 4 and len(s.random) == 3 and len(s.documents) == 6


def test_not_a_dataset_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no data/"):
        write_report(tmp_path)


def test_missing_matplotlib_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "matplotlib" else real(n, *a))  # fmt: skip
    with pytest.raises(ConfigError, match=r"idcorpus\[report\]"):
        write_report(tmp_path)


def test_cli_report(tmp_path: Path) -> None:
    folder = document(tmp_path)
    done = run_cli("report", str(folder))
    assert done.returncode == 0, done.stderr
    assert (folder / REPORT_FILE).stat().st_size > 10_000
    assert f"wrote {folder / REPORT_FILE}" in done.stderr
    missing = run_cli("report", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no data/" in missing.stderr
