"""Hostile input on the read side (issue 15): every case is made here, in tmp_path, and checks the
rule: the input is read with the problem named in the report (skipped_inputs, warnings, dropped),
or an InputError whose message names the file (and line) and says what to do. Never a traceback,
never a silent loss."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import sys
import tarfile
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from corpus.cli.main import build_parser
from corpus.errors import InputError
from corpus.read import records as read_records
from corpus.read import text as read_text
from corpus.read import windows
from corpus.read.config import ReadConfig, format_choices
from corpus.read.decode import decode_bytes, sanitize_count
from corpus.read.inputs import check_output_outside_inputs, iter_documents
from corpus.read.paths import Source
from corpus.read.windows import Cutter
from corpus.records import Document
from corpus.report import Report
from tests.helpers import TINY, cli_env, run_cli
from translate.options import from_args

TEXT = "Pemerintah mengumumkan kebijakan baru untuk petani.\n"
JSONL = b'{"text": "Satu."}\n{"text": "Dua."}\n'
CSV = b"id,text\n1,Satu.\n2,Dua.\n"
COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def read(inputs: list[str], **options: object) -> tuple[list[Document], Report]:
    report = Report()
    docs = list(iter_documents(inputs, ReadConfig(**options), report))  # type: ignore[arg-type]
    return docs, report


def triples(docs: list[Document]) -> list[tuple[str, str, str]]:
    return [(d.doc_id, d.text, d.source) for d in docs]


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- compressed inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize("ext", list(COMPRESS))
def test_compressed_inputs_are_read_as_files_and_in_folders(cwd: Path, ext: str) -> None:
    pack = COMPRESS[ext]
    (cwd / "d").mkdir()
    (cwd / f"d/a.txt.{ext}").write_bytes(pack(TEXT.encode()))
    (cwd / f"d/b.jsonl.{ext}").write_bytes(pack(JSONL))
    (cwd / f"d/c.csv.{ext}").write_bytes(pack(CSV))
    (cwd / f"d/d.tsv.{ext}").write_bytes(pack(b"text\nEmpat.\n"))
    (cwd / f"d/bare.{ext}").write_bytes(pack(TEXT.encode()))
    html = b"<html><body><article><p>" + TEXT.encode() * 3 + b"</p></article></body></html>"
    (cwd / f"d/e.html.{ext}").write_bytes(pack(html))
    docs, report = read(["d"])
    got = {d.doc_id: d.text for d in docs}
    assert {k: v for k, v in got.items() if not k.startswith("e.html")} == {
        f"a.txt.{ext}": TEXT,
        f"b.jsonl.{ext}:1": "Satu.",
        f"b.jsonl.{ext}:2": "Dua.",
        f"bare.{ext}": TEXT,
        f"c.csv.{ext}:2": "Satu.",
        f"c.csv.{ext}:3": "Dua.",
        f"d.tsv.{ext}:2": "Empat.",
    }
    assert "kebijakan baru" in got[f"e.html.{ext}"]
    assert not report.skipped_inputs and not report.warnings
    docs, _ = read([f"d/b.jsonl.{ext}"])  # a file argument
    assert triples(docs)[0] == (f"d/b.jsonl.{ext}:1", "Satu.", f"d/b.jsonl.{ext}:1")


def test_forced_format_reads_through_the_compression(cwd: Path) -> None:
    (cwd / "rows.gz").write_bytes(gzip.compress(JSONL))
    docs, _ = read(["rows.gz"], input_format="jsonl")
    assert [d.text for d in docs] == ["Satu.", "Dua."]


@pytest.mark.slow  # seconds of CPU: out of the inner loop
@pytest.mark.parametrize("ext", ["gz", "zst"])
def test_compressed_records_stream_with_flat_memory(tmp_path: Path, ext: str) -> None:
    lines = "".join(
        json.dumps({"text": f"Kalimat {i} " + "kata " * 40}) + "\n" for i in range(20_000)
    )
    path = tmp_path / f"big.jsonl.{ext}"
    path.write_bytes(COMPRESS[ext](lines.encode()))
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_documents([str(path)], ReadConfig(), Report()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < len(lines) / 4, f"peak {peak} bytes for {len(lines)} decompressed bytes"


ARCHIVES = ["a.zip", "b.tar", "c.tar.gz", "d.tgz", "e.tar.xz", "f.7z", "g.rar", "h.tar.zst"]


def test_archives_are_skipped_inputs_in_folders_and_as_arguments(cwd: Path) -> None:
    (cwd / "d").mkdir()
    with zipfile.ZipFile(cwd / "d/a.zip", "w") as z:
        z.writestr("inner.txt", TEXT)
    with tarfile.open(cwd / "d/b.tar", "w") as t:
        t.add(__file__, arcname="inner.py")
    for name in ARCHIVES[2:]:
        (cwd / "d" / name).write_bytes(b"not really an archive")
    (cwd / "d/ok.txt").write_text(TEXT)
    docs, report = read(["d"])
    assert [d.doc_id for d in docs] == ["ok.txt"]
    assert sorted(report.skipped_inputs) == [
        (f"d/{n}", "archive: unpack it first") for n in ARCHIVES
    ]
    docs, report = read(["d/a.zip"], input_format="text")
    assert docs == [] and report.skipped_inputs == [("d/a.zip", "archive: unpack it first")]


def test_other_files_in_a_folder_are_counted_in_one_warning_not_skipped(cwd: Path) -> None:
    (cwd / "d/sub").mkdir(parents=True)
    for name in ["1.pdf", "2.pdf", "sub/3.pdf", "README.md", "notes.md.gz", "Makefile"]:
        (cwd / "d" / name).write_bytes(b"x")
    (cwd / "d/ok.txt").write_text(TEXT)
    docs, report = read(["d"])
    assert [d.doc_id for d in docs] == ["ok.txt"]
    assert not report.skipped_inputs  # so --strict is not tripped by a README
    assert report.warnings == [
        "d: ignored 6 file(s) of unsupported types: .pdf 3, (no extension) 1, .md 1, .md.gz 1"
    ]
    assert report.counts["ignored_files"] == 6


@pytest.mark.parametrize("ext", list(COMPRESS))
def test_a_corrupt_compressed_file_is_skipped_keeping_the_records_before(
    cwd: Path, ext: str
) -> None:
    rows = "".join(json.dumps({"text": f"Kalimat nomor {i}."}) + "\n" for i in range(50_000))
    packed = COMPRESS[ext](rows.encode())
    (cwd / f"cut.jsonl.{ext}").write_bytes(packed[: len(packed) * 3 // 4])
    (cwd / "after.txt").write_text(TEXT)
    docs, report = read([f"cut.jsonl.{ext}", "after.txt"])
    kept = [d for d in docs if d.doc_id.startswith("cut")]
    assert 0 < len(kept) < 50_000
    assert [d.text for d in kept] == [f"Kalimat nomor {i}." for i in range(len(kept))]
    assert docs[-1].doc_id == "after.txt"
    ((where, why),) = report.skipped_inputs
    assert where == f"cut.jsonl.{ext}" and why.startswith("corrupt: ")
    assert why.endswith("the records before it are kept")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("garbage.txt.gz", b"this is not gzip at all", "corrupt: gzip data: Not a gzipped file"),
        ("garbage.jsonl.xz", b"this is not xz at all", "corrupt: xz data: Input format not"),
        ("garbage.csv.zst", b"this is not zstd at all", "corrupt: zstd data: zstd decompress"),
        ("cut.txt.bz2", bz2.compress(TEXT.encode() * 100)[:60], "corrupt: bzip2 data: Compressed"),
        ("packed.txt", gzip.compress(TEXT.encode()), "binary: gzip-compressed (name it .gz"),
        ("table.parquet.gz", b"x", "compressed Parquet: decompress it first"),
        ("empty.txt.gz", gzip.compress(b""), "empty: no bytes"),
    ],
    ids=[
        "garbage-gz",
        "garbage-xz",
        "garbage-zst",
        "cut-bz2",
        "gzip-as-txt",
        "parquet-gz",
        "empty",
    ],
)
def test_bad_compressed_files_are_skipped_with_the_reason(
    cwd: Path, name: str, data: bytes, reason: str
) -> None:
    (cwd / name).write_bytes(data)
    docs, report = read([name])
    assert docs == []
    ((where, why),) = report.skipped_inputs
    assert where == name and why.startswith(reason), why


def test_html_too_large_to_read_whole_is_skipped(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_text, "MAX_HTML_BYTES", 1000)
    (cwd / "big.html.gz").write_bytes(gzip.compress(b"<p>" + b"kata " * 100_000 + b"</p>"))
    docs, report = read(["big.html.gz"])
    assert docs == [] and report.skipped_inputs == [("big.html.gz", "too large: over 1,000 bytes")]


# --- file names that are not UTF-8 -----------------------------------------------------------------

BAD_NAME = os.fsdecode(b"caf\xe9.txt")  # a lone surrogate stands for the byte 0xE9


def test_non_utf8_file_names_are_read_and_named_in_utf8(cwd: Path) -> None:
    (cwd / "d").mkdir()
    (cwd / "d" / BAD_NAME).write_text(TEXT)
    (cwd / "d" / os.fsdecode(b"bin\xff.txt")).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    (cwd / "d" / os.fsdecode(b"x\xfe.pdf")).write_bytes(b"%PDF")
    for args in (["d"], ["d/*.txt"]):
        docs, report = read(args)
        prefix = "" if args == ["d"] else "d/"
        assert triples(docs) == [(prefix + "caf\\xe9.txt", TEXT, "d/caf\\xe9.txt")]
        assert report.skipped_inputs == [("d/bin\\xff.txt", "binary: PNG image")]
        assert all(is_utf8(w) for w in report.warnings)
    docs, _ = read([f"d/{BAD_NAME}"])
    assert triples(docs) == [("d/caf\\xe9.txt", TEXT, "d/caf\\xe9.txt")]


def test_lone_surrogates_in_records_are_escaped_in_ids_and_removed_from_text(cwd: Path) -> None:
    (cwd / "r.jsonl").write_text('{"text": "Sa\\udc80tu.", "key": "a\\ud800b"}\n', "utf-8")
    (cwd / os.fsdecode(b"r\xe9.jsonl")).write_text('{"text": "Dua."}\n', "utf-8")
    docs, report = read(["r.jsonl"], id_field="key")
    assert triples(docs) == [("a\\ud800b", "Satu.", "r.jsonl:1")]
    assert report.counts["control_chars_removed"] == 1
    docs, _ = read(["."])
    assert [d.doc_id for d in docs] == ["r.jsonl:1", "r\\xe9.jsonl:1"]
    assert all(is_utf8(d.doc_id + d.source) for d in docs)


def test_missing_input_with_a_non_utf8_name_is_an_error_in_utf8(cwd: Path) -> None:
    with pytest.raises(InputError, match=r"caf\\\\xe9\.txt' does not exist") as e:
        read([BAD_NAME])
    assert is_utf8(str(e.value))


# --- symlink loops -----------------------------------------------------------------------------------

LOOP = "symlink loop: the link leads back to itself and never reaches a file"


def test_symlink_loops_in_a_folder_are_skipped_inputs(cwd: Path) -> None:
    d = cwd / "d"
    (d / "sub").mkdir(parents=True)
    (d / "self.txt").symlink_to("self.txt")
    (d / "ping").symlink_to("pong")
    (d / "pong").symlink_to("ping")
    (d / "sub" / "up").symlink_to("..", target_is_directory=True)
    (d / "sub" / "ok.txt").write_text(TEXT)
    docs, report = read(["d"])
    assert [d.doc_id for d in docs] == ["sub/ok.txt"]
    reasons = dict(report.skipped_inputs)
    assert reasons.pop("d/sub/up") == (
        "symlink loop: a link to .., a folder that holds it; not followed"
    )
    assert reasons == {"d/ping": LOOP, "d/pong": LOOP, "d/self.txt": LOOP}


def test_symlink_loop_given_directly_is_skipped(cwd: Path) -> None:
    (cwd / "loop.txt").symlink_to("loop.txt")
    (cwd / "a.txt").write_text(TEXT)
    docs, report = read(["loop.txt", "a.txt"])
    assert [d.doc_id for d in docs] == ["a.txt"]
    assert report.skipped_inputs == [("loop.txt", LOOP)]


def test_recursive_glob_does_not_run_through_link_cycles(cwd: Path) -> None:
    for name in ("a", "b"):  # two cycles: glob.glob would list 2**40 paths
        (cwd / "d" / name).mkdir(parents=True)
        (cwd / "d" / name / "up").symlink_to("..", target_is_directory=True)
        (cwd / "d" / name / f"{name}.txt").write_text(TEXT)
    docs, report = read(["d/**/*.txt"])
    assert [d.doc_id for d in docs] == ["d/a/a.txt", "d/b/b.txt"]
    assert not report.warnings and not report.skipped_inputs


# --- an output inside an input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "out", "match"),
    [
        (["docs"], "docs/corpus", "--out docs/corpus lies inside the input docs"),
        (["link"], "docs/corpus", "--out docs/corpus lies inside the input link"),
        (["docs/*"], "docs/corpus", "lies inside the input docs/\\*"),
        (["*"], "corpus", "--out corpus lies inside the input \\*"),
        (["docs/**/*.txt"], "docs/sub/corpus", "lies inside the input docs/"),
        (["docs"], "docs", "the input docs lies inside --out docs \\(or is it\\)"),
        (["docs/sub"], "docs", "the input docs/sub lies inside --out docs.*--overwrite would"),
        (["docs/a.txt"], ".", "the input docs/a.txt lies inside --out \\."),
        (["docs/sub"], "docs/sub.partial/..", "lies inside"),
    ],
)
def test_output_inside_an_input_is_refused(
    cwd: Path, inputs: list[str], out: str, match: str
) -> None:
    (cwd / "docs/sub").mkdir(parents=True)
    (cwd / "docs/a.txt").write_text(TEXT)
    (cwd / "link").symlink_to("docs", target_is_directory=True)
    with pytest.raises(InputError, match=match):
        check_output_outside_inputs(inputs, out, [out + ".partial", out + ".lock", out + ".ray"])


def test_work_paths_inside_an_input_are_refused(cwd: Path) -> None:
    (cwd / "docs").mkdir()
    with pytest.raises(InputError, match="the work path docs/c.partial lies inside the input docs"):
        check_output_outside_inputs(["docs"], "c", ["docs/c.partial"])


@pytest.mark.parametrize(
    ("inputs", "out"),
    [
        (["docs"], "corpus"),
        (["docs"], "docs2"),
        (["docs/*.txt"], "docs/corpus"),
        (["*.txt"], "corpus"),
        (["docs/a.txt"], "docs/a.txt2"),
        (["-", "someone/hub-dataset"], "corpus"),
    ],
)
def test_output_outside_the_inputs_is_accepted(cwd: Path, inputs: list[str], out: str) -> None:
    (cwd / "docs").mkdir()
    (cwd / "docs/a.txt").write_text(TEXT)
    check_output_outside_inputs(inputs, out, [out + ".partial", out + ".lock", out + ".ray"])


# --- records -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected", "line"),
    [
        (  # the runaway quote ends at the next quoted field: strict parsing stops it there
            '1,"Satu tanpa tutup\n2,Dua.\n3,"Tiga."\n4,Empat.\n',
            [("u.csv:3", "Dua."), ("u.csv:4", "Tiga."), ("u.csv:5", "Empat.")],
            2,
        ),
        (  # no quote after it: it runs to the end of the file
            '1,Satu.\n2,"Dua tanpa tutup\n3,Tiga.\n4,Empat.\n',
            [("u.csv:2", "Satu."), ("u.csv:4", "Tiga."), ("u.csv:5", "Empat.")],
            3,
        ),
    ],
    ids=["next-quote", "to-eof"],
)
def test_csv_unterminated_quote_does_not_swallow_the_next_records(
    cwd: Path, body: str, expected: list[tuple[str, str]], line: int
) -> None:
    (cwd / "u.csv").write_text("id,text\n" + body)
    docs, report = read(["u.csv"])
    assert [(d.doc_id, d.text) for d in docs] == expected
    assert report.dropped["read:bad_csv_row"] == 1
    assert report.warnings[0].startswith(f"u.csv:{line}: malformed over lines {line}-")
    assert "quote never closed" in report.warnings[0]


def test_csv_sloppy_quote_on_one_line_is_still_read(cwd: Path) -> None:
    (cwd / "s.csv").write_text('id,text\n1,"Satu" ekor\n2,"Dua,\nbaris"\n')
    docs, report = read(["s.csv"])
    assert [d.text for d in docs] == ["Satu ekor", "Dua,\nbaris"]
    assert not report.warnings


@pytest.mark.parametrize(
    ("name", "body", "expected", "line"),
    [
        (
            "big.jsonl",
            '{"text": "Satu."}\n{"text": "LONG"}\n{"text": "Tiga."}\n',
            ["Satu.", "Tiga."],
            2,
        ),
        ("big.csv", "text\nSatu.\nLONG\nTiga.\n", ["Satu.", "Tiga."], 3),
        ("big.tsv", 'text\nSatu.\n"LONG\nTiga.\n', ["Satu.", "Tiga."], 3),
        ("quoted.csv", 'text\nSatu.\n"LONG\nLONG"\nTiga.\n', ["Satu.", "Tiga."], 3),
        ("open.csv", 'text\nSatu.\n"LONG\nDua.\nTiga.\n', ["Satu.", "Dua.", "Tiga."], 3),
    ],
    ids=["jsonl", "csv", "tsv", "csv-quoted-field", "csv-quote-never-closed"],
)
def test_records_over_the_limit_are_skipped_with_file_and_line(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str, expected: list[str], line: int
) -> None:
    monkeypatch.setattr(read_records, "MAX_RECORD_CHARS", 1000)
    (cwd / name).write_text(body.replace("LONG", "kata " * 300))
    docs, report = read([name])
    assert [d.text for d in docs] == expected
    assert report.dropped["read:too_large"] == 1
    assert (
        report.warnings[0]
        == f"{name}:{line}: over 1,000 characters (MAX_RECORD_CHARS); record skipped"
    )


def test_a_huge_line_is_read_through_without_holding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 2**20
    monkeypatch.setattr(read_records, "MAX_RECORD_CHARS", limit)
    path = tmp_path / "huge.jsonl"
    with open(path, "w") as f:
        f.write('{"text": "Satu."}\n{"text": "')
        for _ in range(24):
            f.write("a" * limit)
        f.write('"}\n{"text": "Tiga."}\n')
    report = Report()
    tracemalloc.start()
    try:
        docs = list(iter_documents([str(path)], ReadConfig(), report))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [d.text for d in docs] == ["Satu.", "Tiga."] and report.dropped["read:too_large"] == 1
    assert peak < 4 * limit, f"peak {peak} bytes reading a {24 * limit} character line"


def test_jsonl_without_the_text_field_names_the_fields_it_has(cwd: Path) -> None:
    (cwd / "r.jsonl").write_text('{"title": "a", "body": "Satu."}\n{"body": "Dua.", "url": "u"}\n')
    docs, report = read(["r.jsonl"])
    assert docs == []
    ((where, why),) = report.skipped_inputs
    assert where == "r.jsonl"
    assert why == (
        "no text field: no record has 'text'; the records' fields are: title, body, url. "
        "Name the text field with --text-field"
    )
    docs, report = read(["r.jsonl"], text_field="body")
    assert [d.text for d in docs] == ["Satu.", "Dua."] and not report.skipped_inputs


def test_parquet_text_column_that_is_not_text_is_named_with_its_type(cwd: Path) -> None:
    pq.write_table(pa.table({"text": [1, 2], "body": ["Satu.", "Dua."]}), cwd / "n.parquet")
    struct = pa.table({"t": [{"id": 5, "en": "x"}]})
    pq.write_table(struct, cwd / "s.parquet")
    docs, report = read(["n.parquet"])
    assert docs == [] and report.skipped_inputs == [
        (
            "n.parquet",
            "not text: column 'text' holds int64, not strings; name a text column with "
            "--text-field",
        )  # fmt: skip
    ]
    docs, report = read(["s.parquet"], text_field="t.id")
    assert docs == [] and report.skipped_inputs[0][1].startswith(
        "not text: column 't.id' holds int64"
    )
    assert [d.text for d in read(["n.parquet"], text_field="body")[0]] == ["Satu.", "Dua."]


def test_hf_dataset_text_column_that_is_not_text_is_named(tmp_path: Path) -> None:
    import datasets

    datasets.Dataset.from_dict({"text": [1, 2]}).save_to_disk(str(tmp_path / "ds"))
    docs, report = read([str(tmp_path / "ds")])
    assert docs == []
    assert report.skipped_inputs == [
        (
            str(tmp_path / "ds"),
            "not text: column 'text' holds Value(int64), not strings; "
            "name a text column with --text-field",
        )  # fmt: skip
    ]


def test_nothing_usable_but_a_non_text_column_exits_2_naming_it(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from corpus.cli.main import main

    pq.write_table(pa.table({"text": [1, 2]}), cwd / "n.parquet")
    assert main(["clean", "n.parquet"]) == 2
    err = capsys.readouterr().err
    assert "n.parquet: not text: column 'text' holds int64" in err
    assert "nothing usable" in err


# --- huge text files in parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "start"),
    [
        (b"aa\n\nbb\ncc", 4),  # after the first blank line in the window's first half
        (b"aabbcc\n\ndd", 7),  # a blank line in the second half: after the first newline
        (b"aa\nbb\ncc", 3),  # after the first newline
        (b"aa bb\tcc", 3),  # one line: after the first space
        (b"aaaaaaaaaaaa", 0),  # no whitespace: at the window's start
        ("\u00e9t\u00e9".encode()[1:], 1),  # never inside a UTF-8 sequence
    ],
    ids=["blank", "late-blank", "newline", "space", "none", "utf8"],
)
def test_a_part_starts_where_its_window_says(window: bytes, start: int) -> None:
    assert Cutter(b"plain", "utf-8").start_in(window, 4096) == start


def _big_text() -> str:
    paragraphs = [f"Paragraf {i}. " + "Kalimat panjang di sini. " * (i % 7 + 1) for i in range(200)]
    one_line = "x" * 300 + " " + "kata " * 80
    return "\n\n".join(paragraphs[:100]) + "\r\n" + one_line + "\n" + "\n\n".join(paragraphs[100:])


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("big.txt", lambda t: t.encode()),
        ("big.txt.gz", lambda t: gzip.compress(t.encode())),
        ("big-cp1252.txt", lambda t: t.replace("Kalimat", "Kalimát").encode("cp1252")),
        ("big-utf16.txt", lambda t: t.encode("utf-16")),
    ],
    ids=["utf8", "gz", "cp1252", "utf16"],
)
def test_large_text_files_come_in_parts_that_concatenate_to_the_whole(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, name: str, encode: Callable[[str], bytes]
) -> None:
    data = encode(_big_text())
    (cwd / name).write_bytes(data)
    whole, _ = read([name])  # under the default budget: one document
    assert [d.part for d in whole] == [0]
    budget = 1000
    monkeypatch.setattr(windows, "PART_BYTES", budget)
    parts, report = read([name])
    assert len(parts) > 20 and [d.part for d in parts] == list(range(len(parts)))
    assert {(d.doc_id, d.source) for d in parts} == {(name, name)}
    assert "".join(d.text for d in parts) == whole[0].text
    assert all(0 < len(d.text) < 2 * budget for d in parts)
    assert sum(d.text.endswith("\n\n") for d in parts) > len(parts) // 2  # cut at paragraphs
    assert not report.skipped_inputs
    if not name.endswith(".gz"):  # any range of parts can be read alone: the same parts
        for first, end in ((0, 3), (5, 9), (len(parts) - 2, len(parts))):
            src = Source(
                cwd / name,
                name,
                name,
                "text",
                window=(first, end, budget, (cwd / name).stat().st_size),
            )
            assert list(windows.read_window_range(src, Report())) == parts[first:end]


def test_part_text_equals_the_sanitised_decoding_with_controls_and_crlf(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = ("Baris\x00 satu.\r\nBaris\x01 dua.\r\r\n" * 400).encode()
    (cwd / "c.txt").write_bytes(raw)
    monkeypatch.setattr(windows, "PART_BYTES", 500)
    parts, report = read(["c.txt"])
    expected, removed = sanitize_count(decode_bytes(raw, "c.txt", Report()))
    assert "".join(d.text for d in parts) == expected and len(parts) > 5
    assert report.counts["control_chars_removed"] == removed == 800


def test_large_text_in_parts_keeps_memory_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget = 256 * 1024
    monkeypatch.setattr(windows, "PART_BYTES", budget)
    path = tmp_path / "huge.txt"
    paragraph = ("Kalimat yang cukup panjang untuk diuji. " * 20 + "\n\n").encode()
    with open(path, "wb") as f:
        for _ in range(32 * budget // len(paragraph)):
            f.write(paragraph)
    tracemalloc.start()
    try:
        sizes = [len(d.text) for d in iter_documents([str(path)], ReadConfig(), Report())]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(sizes) == path.stat().st_size and len(sizes) >= 32
    assert peak < 8 * budget, f"peak {peak} bytes reading {path.stat().st_size} bytes in parts"


def test_corrupt_compressed_text_in_parts_keeps_the_parts_before(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(windows, "PART_BYTES", 1000)
    packed = gzip.compress(_big_text().encode() * 20)
    (cwd / "cut.txt.gz").write_bytes(packed[: len(packed) // 2])
    parts, report = read(["cut.txt.gz"])
    assert len(parts) > 10
    ((where, why),) = report.skipped_inputs
    assert where == "cut.txt.gz" and why.startswith("corrupt: gzip data")
    assert why.endswith(f"the {len(parts)} part(s) before it are kept")


# --- --format --------------------------------------------------------------------------------------


def test_every_format_that_help_lists_is_accepted() -> None:
    parser = build_parser()
    for command in ("build", "clean"):
        args = ["x"] + (["--out", "o"] if command == "build" else [])
        for choice in format_choices():
            parsed = parser.parse_args([command, *args, "--format", choice])
            assert from_args(ReadConfig, parsed).input_format in format_choices()
    assert ReadConfig(input_format="txt").input_format == "text"
    assert ReadConfig(input_format="txt") == ReadConfig(input_format="text")
    assert "txt" in format_choices() and "text" in format_choices()
    with pytest.raises(SystemExit):
        parser.parse_args(["build", "x", "--out", "o", "--format", "xml"])


# --- cases that already worked, kept working ----------------------------------------------------


def test_classic_bad_inputs_are_named_in_the_report(cwd: Path) -> None:
    d = cwd / "d"
    d.mkdir()
    (d / "binary.txt").write_bytes(b"\x7fELF" + bytes(range(256)) * 4)
    (d / "empty.txt").write_bytes(b"")
    (d / "utf16.txt").write_bytes(TEXT.encode("utf-16"))
    (d / "nul.txt").write_bytes(b"Ada\x00 NUL di sini.")
    (d / "gone.txt").symlink_to("nowhere.txt")
    os.mkfifo(d / "fifo.txt")
    (d / "folder.txt").mkdir()  # a folder named like a file is walked as a folder
    (d / "folder.txt" / "inner.txt").write_text(TEXT)
    (d / "rows.jsonl").write_text('{"text": "Baik."}\nnot json\n{"text": 3}\n')
    docs, report = read(["d"])
    assert [d.doc_id for d in docs] == [
        "nul.txt",
        "rows.jsonl:1",
        "utf16.txt",
        "folder.txt/inner.txt",
    ]
    assert dict(report.skipped_inputs) == {
        "d/binary.txt": "binary: executable",
        "d/empty.txt": "empty: no bytes",
        "d/fifo.txt": "unreadable: not a regular file",
        "d/gone.txt": "broken link: its target nowhere.txt does not exist",
    }
    assert dict(report.dropped) == {
        "read:skipped_input": 4,
        "read:bad_json": 1,
        "read:text_not_string": 1,
    }
    assert any(w.startswith("d/rows.jsonl:2: not valid JSON") for w in report.warnings)


def test_compressed_stdin_is_not_guessed_but_named(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(TEXT.encode())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    docs, report = read(["-"])
    assert docs == [] and report.skipped_inputs == [
        ("<stdin>", "binary: gzip-compressed (name it .gz to read it)")
    ]


# --- the whole command -------------------------------------------------------------------------------


def test_build_with_a_non_utf8_name_a_gz_file_and_hostile_neighbours(
    tiny_model: str, tmp_path: Path
) -> None:
    import datasets

    src = tmp_path / "in"
    src.mkdir()
    (src / BAD_NAME).write_text("Presiden meresmikan jembatan baru di Jakarta.\n")
    (src / "berita.txt.gz").write_bytes(gzip.compress(b"Harga beras naik lagi minggu ini.\n"))
    (src / "loop.txt").symlink_to("loop.txt")
    (src / "bundle.zip").write_bytes(b"PK\x03\x04")
    (src / "README.md").write_text("about this folder")
    out = tmp_path / "corpus"
    result = run_cli(
        "build", str(src), "--out", str(out), "--model", tiny_model, *TINY, env=cli_env()
    )
    assert result.returncode == 0, result.stderr
    assert "loop.txt: symlink loop" in result.stderr and "bundle.zip: archive" in result.stderr
    rows = datasets.load_dataset(str(out), split="train")
    assert sorted(set(rows["doc_id"])) == ["berita.txt.gz", "caf\\xe9.txt"]
    assert all(is_utf8(s) for s in [*rows["doc_id"], *rows["source"]])
    card = (out / "README.md").read_text("utf-8")  # valid UTF-8, or this raises
    assert "ignored 1 file(s) of unsupported types: .md 1" in card
