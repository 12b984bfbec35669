"""Damaged and changing input streams (issue 21.5): every compressed stream is read up to the
damage and named, small files included; a file that changes while it is read is named."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import random
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import zstandard

from corpus.read import windows
from corpus.read.config import ReadConfig
from corpus.read.inputs import iter_documents
from corpus.read.streams import ZSTD_FEED_BYTES
from corpus.records import Document
from corpus.report import Report

T = TypeVar("T")

COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def recoverable(ext: str, cut: bytes) -> bytes:
    """What the compression itself can give of a damaged stream (its decoder, fed as the
    reader feeds it): the most a reader can keep."""
    if ext == "gz":
        return zlib.decompressobj(wbits=31).decompress(cut)
    if ext == "xz":
        return lzma.LZMADecompressor().decompress(cut)
    if ext == "bz2":
        return bz2.BZ2Decompressor().decompress(cut)
    obj = zstandard.ZstdDecompressor().decompressobj()
    return b"".join(
        obj.decompress(cut[i : i + ZSTD_FEED_BYTES]) for i in range(0, len(cut), ZSTD_FEED_BYTES)
    )


def read(inputs: list[str]) -> tuple[list[Document], Report]:
    report = Report()
    return list(iter_documents(inputs, ReadConfig(), report)), report


def sentences(n: int, seed: int = 0) -> list[str]:
    """Sentences that do not compress to nothing (so a cut lands in the middle of the data)."""
    rng = random.Random(seed)
    words = ["rumah", "jalan", "pasar", "kota", "desa", "harga", "beras", "petani", "hujan",
             "sungai", "sekolah", "guru"]  # fmt: skip
    return [
        f"Kalimat {i}: " + " ".join(rng.choice(words) for _ in range(8)) + f" {rng.random()}."
        for i in range(n)
    ]


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# A small file (under the 64 KiB the readers sniff, or a text under PART_CHARS) cut short lost
# everything before. zstd decodes whole blocks (128 KiB) and bzip2 whole 900 kB blocks, so
# their files are larger (several blocks).
SIZES = {"gz": 600, "xz": 600, "zst": 4000, "bz2": 60_000}


@pytest.mark.parametrize("ext", list(COMPRESS))
def test_a_small_truncated_jsonl_keeps_the_records_before_the_damage(cwd: Path, ext: str) -> None:
    rows = sentences(SIZES[ext])
    data = "".join(json.dumps({"text": t}) + "\n" for t in rows).encode()
    packed = COMPRESS[ext](data)
    cut = packed[: len(packed) * 3 // 4]
    (cwd / f"cut.jsonl.{ext}").write_bytes(cut)
    docs, report = read([f"cut.jsonl.{ext}"])
    whole_lines = recoverable(ext, cut).count(b"\n")
    assert 0 < whole_lines < len(rows)
    assert [d.text for d in docs] == rows[:whole_lines]  # every whole record before the damage
    ((where, why),) = report.skipped_inputs
    assert where == f"cut.jsonl.{ext}" and why.startswith("corrupt: ")
    assert why.endswith("the records before it are kept")


@pytest.mark.parametrize("ext", list(COMPRESS))
def test_a_small_truncated_text_keeps_the_text_before_the_damage(
    cwd: Path, ext: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(windows, "PART_BYTES", 8 << 20)  # read whole (bzip2's blocks are large)
    text = "\n\n".join(sentences(SIZES[ext])) + "\n"
    packed = COMPRESS[ext](text.encode())
    cut = packed[: len(packed) * 3 // 4]
    (cwd / f"cut.txt.{ext}").write_bytes(cut)
    docs, report = read([f"cut.txt.{ext}"])
    kept = recoverable(ext, cut).decode()
    assert 0 < len(kept) < len(text)
    assert [d.text for d in docs] == [kept]
    ((where, why),) = report.skipped_inputs
    assert where == f"cut.txt.{ext}" and why.endswith("the text before it is kept")


def test_a_cut_multibyte_character_at_the_damage_is_left_out(cwd: Path) -> None:
    text = "Kalimát " * 10_000
    packed = lzma.compress(text.encode())
    for keep in range(len(packed) - 40, len(packed) - 20):
        (cwd / "cut.txt.xz").write_bytes(packed[:keep])
        docs, report = read(["cut.txt.xz"])
        assert docs and text.startswith(docs[0].text), keep
        assert "decode_replacements" not in report.counts
        assert not any("decoded as" in w for w in report.warnings)


@pytest.mark.parametrize("ext", list(COMPRESS))
def test_large_truncated_text_in_parts_keeps_all_the_text_before_the_damage(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, ext: str
) -> None:
    """Streamed in parts: nothing decoded before the damage is lost (the reads in flight and
    the text not yet cut into a part were lost before)."""
    monkeypatch.setattr(windows, "PART_BYTES", 64 * 1024)
    text = "\n\n".join(sentences(25_000)) + "\n"
    packed = COMPRESS[ext](text.encode())
    cut = packed[: len(packed) * 3 // 4]
    (cwd / f"big.txt.{ext}").write_bytes(cut)
    parts, report = read([f"big.txt.{ext}"])
    kept = recoverable(ext, cut).decode()
    assert len(kept) > 64 * 1024
    assert "".join(d.text for d in parts) == kept
    assert [d.part for d in parts] == list(range(len(parts)))
    ((where, why),) = report.skipped_inputs
    assert why.endswith(f"the {len(parts)} part(s) before it are kept")


# --- files that change while they are read ---------------------------------------------------------


def shrink_after_first(path: Path, inner: Callable[..., Iterator[T]]) -> Callable[..., object]:
    def pieces(*args: object) -> Iterator[T]:
        for i, piece in enumerate(inner(*args)):
            if i == 0:
                with open(path, "r+b") as f:
                    f.truncate(path.stat().st_size // 2)
            yield piece

    return pieces


def test_a_text_file_truncated_while_it_is_read_is_named(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(windows, "PART_BYTES", 64 * 1024)
    path = cwd / "big.txt"
    path.write_text("\n\n".join(sentences(20_000)) + "\n")
    size = path.stat().st_size
    report = Report()
    parts = iter_documents(["big.txt"], ReadConfig(), report)
    first = next(parts)
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    rest = list(parts)
    assert len(first.text) + sum(len(d.text) for d in rest) < size
    (warning,) = [w for w in report.warnings if w.kind == "changed_while_read"]
    assert f"big.txt: changed while it was read (size {size:,} -> {size // 2:,} bytes)" in warning
    assert report.counts["changed_while_read"] == 1


def test_a_jsonl_file_growing_while_it_is_read_is_named(cwd: Path) -> None:
    path = cwd / "rows.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in sentences(20_000)))
    report = Report()
    docs = iter_documents(["rows.jsonl"], ReadConfig(), report)
    next(docs)
    with open(path, "a") as f:
        f.write(json.dumps({"text": "Baris baru."}) + "\n")
    assert len(list(docs)) >= 19_999
    assert any(
        w.kind == "changed_while_read"
        and w.startswith("rows.jsonl: changed while it was read (size")
        for w in report.warnings
    )


def test_unchanged_files_give_no_warning(cwd: Path) -> None:
    (cwd / "a.txt").write_text("Satu.\n")
    (cwd / "b.jsonl.gz").write_bytes(gzip.compress(b'{"text": "Dua."}\n'))
    docs, report = read(["a.txt", "b.jsonl.gz"])
    assert len(docs) == 2 and not report.warnings and not report.skipped_inputs


def test_a_build_whose_input_shrinks_while_read_says_so_at_the_end(
    cwd: Path, tiny_model: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The build's own reading (in its process with --jobs 1): exit 0 with the partial
    dataset, and the warning on stderr and in the card."""
    from corpus.cli.main import main

    monkeypatch.setattr(windows, "PART_BYTES", 4096)
    path = cwd / "berita.txt"
    path.write_text("\n\n".join(sentences(400)) + "\n")
    monkeypatch.setattr(windows, "parts", shrink_after_first(path, windows.parts))
    args = ["build", "berita.txt", "--out", "out", "--model", tiny_model, "--jobs", "1"]
    flags = ["--engine", "transformers", "--num-beams", "1", "--threads", "1", "--no-cache"]
    assert main([*args, *flags, "--quiet", "--no-signals"]) == 0
    err = capsys.readouterr().err
    assert "1 input(s) that changed while they were read" in err
    assert "    berita.txt: changed while it was read" in err
    assert "- berita.txt: changed while it was read" in (cwd / "out" / "README.md").read_text()
