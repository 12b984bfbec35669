"""corpus.read.inputs: every input kind and format, stable doc ids, streaming, and each kind of bad input."""

from __future__ import annotations

import io
import json
import os
import random
import sys
import tracemalloc
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpus.errors import ConfigError, InputError
from corpus.read import streams as read_streams
from corpus.read.config import ReadConfig
from corpus.read.inputs import describe_skips, iter_documents
from corpus.records import Document
from corpus.report import Report

TEXT = "Pemerintah mengumumkan kebijakan baru. Harga beras naik."


def read(inputs: list[str], **options: object) -> tuple[list[Document], Report]:
    report = Report()
    docs = list(iter_documents(inputs, ReadConfig(**options), report))  # type: ignore[arg-type]
    return docs, report


def ids(docs: list[Document]) -> list[str]:
    return [d.doc_id for d in docs]


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- config ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"input_format": "xml"}, "valid choices are: auto, text, html, jsonl"),
        ({"text_field": " "}, "--text-field"),
        ({"id_field": ""}, "--id-field"),
        ({"split": ""}, "--split"),
        ({"glob": ""}, "--glob"),
    ],
    ids=["format", "text-field", "id-field", "split", "glob"],
)
def test_config_rejects(options: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        ReadConfig(**options)  # type: ignore[arg-type]


# --- formats -----------------------------------------------------------------------------------


def _write_parquet(path: Path, rows: Sequence[Mapping[str, object]], group: int = 2) -> None:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=group)


def _jsonl(path: Path, rows: list[object]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


FORMAT_CASES = [
    ("a.txt", lambda p: p.write_text(TEXT + "\n", "utf-8"), {}, [("a.txt", TEXT + "\n", "a.txt")]),
    (
        "a.jsonl",
        lambda p: _jsonl(p, [{"text": "Satu."}, {"text": "Dua."}]),
        {},
        [("a.jsonl:1", "Satu.", "a.jsonl:1"), ("a.jsonl:2", "Dua.", "a.jsonl:2")],
    ),
    (
        "a.json",
        lambda p: _jsonl(p, [{"body": "Satu.", "key": "k1"}]),
        {"text_field": "body", "id_field": "key"},
        [("k1", "Satu.", "a.json:1")],
    ),
    (
        "a.csv",
        lambda p: p.write_text('judul,isi\nx,"Baris satu,\nbaris dua."\ny,Tiga.\n', "utf-8"),
        {"text_field": "isi"},
        [("a.csv:2", "Baris satu,\nbaris dua.", "a.csv:2"), ("a.csv:4", "Tiga.", "a.csv:4")],
    ),
    (
        "a.tsv",
        lambda p: p.write_text('no\ttext\n1\tKata "kutip" di sini.\n', "utf-8"),
        {},
        [("a.tsv:2", 'Kata "kutip" di sini.', "a.tsv:2")],
    ),
    (
        "a.parquet",
        lambda p: _write_parquet(p, [{"text": f"Kalimat {i}."} for i in range(5)]),
        {},
        [(f"a.parquet:{i}", f"Kalimat {i}.", f"a.parquet:{i}") for i in range(5)],
    ),
    (
        "nested.jsonl",
        lambda p: _jsonl(p, [{"translation": {"id": "Halo.", "en": "Hello."}}]),
        {"text_field": "translation.id"},
        [("nested.jsonl:1", "Halo.", "nested.jsonl:1")],
    ),
    (
        "forced.data",
        lambda p: _jsonl(p, [{"text": "Dipaksa."}]),
        {"input_format": "jsonl"},
        [("forced.data:1", "Dipaksa.", "forced.data:1")],
    ),
]


@pytest.mark.parametrize(
    ("name", "make", "options", "expected"), FORMAT_CASES, ids=[c[0] for c in FORMAT_CASES]
)
def test_formats(cwd: Path, name: str, make, options: dict[str, object], expected) -> None:
    make(cwd / name)
    docs, report = read([name], **options)
    assert [(d.doc_id, d.text, d.source) for d in docs] == expected
    assert not report.skipped_inputs and not report.warnings


def test_html_goes_through_the_cleaner(cwd: Path) -> None:
    body = "<p>Pemerintah mengumumkan kebijakan baru untuk petani di seluruh Indonesia.</p>"
    (cwd / "a.html").write_text(f"<html><body><article>{body}</article></body></html>", "utf-8")
    docs, _ = read(["a.html"])
    assert ids(docs) == ["a.html"]
    assert "kebijakan baru" in docs[0].text and "<p>" not in docs[0].text


def _tree(root: Path) -> None:
    for rel in ["b/2.txt", "a/1.txt", "a/sub/0.txt", "z.txt", "rows.jsonl"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Teks {rel}." if rel.endswith(".txt") else '{"text": "Rekaman."}\n')
    (root / "README.md").write_text("not an input")
    (root / ".hidden.txt").write_text("hidden")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("hidden")


def test_directory_is_recursive_sorted_and_relative(cwd: Path) -> None:
    _tree(cwd / "corpus")
    docs, report = read(["corpus"])
    assert ids(docs) == ["rows.jsonl:1", "z.txt", "a/1.txt", "a/sub/0.txt", "b/2.txt"]
    assert docs[1].source == str(Path("corpus/z.txt"))
    assert ids(read(["corpus"])[0]) == ids(docs)  # stable
    assert not report.skipped_inputs


def test_directory_glob_option_picks_other_files(cwd: Path) -> None:
    _tree(cwd / "corpus")
    assert "README.md" in ids(read(["corpus"], glob="*.md")[0])


def test_forced_format_in_a_folder_takes_that_format_and_glob_matches(cwd: Path) -> None:
    _tree(cwd / "corpus")
    (cwd / "corpus" / "lines.txt").write_text('{"text": "Baris JSON."}\n')
    for rel in ["z.txt", "a/1.txt", "a/sub/0.txt", "b/2.txt"]:
        (cwd / "corpus" / rel).unlink()
    docs, report = read(["corpus"], input_format="jsonl")
    assert ids(docs) == ["lines.txt:1", "rows.jsonl:1"]
    assert report.warnings == ["corpus: ignored 1 file(s) not of format jsonl: .md 1"]


def test_stdin_cannot_be_parquet() -> None:
    with pytest.raises(InputError, match="stdin cannot be read as parquet"):
        iter_documents(["-"], ReadConfig(input_format="parquet"), Report())


def test_glob_argument(cwd: Path) -> None:
    _tree(cwd / "corpus")
    assert ids(read(["corpus/**/*.txt"])[0]) == [
        "corpus/a/1.txt",
        "corpus/a/sub/0.txt",
        "corpus/b/2.txt",
        "corpus/z.txt",
    ]


def test_same_names_from_two_folders_stay_unique(cwd: Path) -> None:
    for folder in ("x", "y"):
        (cwd / folder).mkdir()
        (cwd / folder / "1.txt").write_text(f"Teks {folder}.")
    docs, _ = read(["x", "y"])
    assert ids(docs) == ["1.txt", "y/1.txt"]


def test_the_same_file_twice_is_read_once(cwd: Path) -> None:
    (cwd / "a.txt").write_text(TEXT)
    docs, report = read(["a.txt", "./a.txt"])
    assert ids(docs) == ["a.txt"]
    assert any("more than once" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("data", "options", "expected"),
    [
        (TEXT.encode(), {}, [("stdin", TEXT, "<stdin>")]),
        (
            b'{"text": "Satu."}\n{"text": "Dua."}\n',
            {"input_format": "jsonl"},
            [("stdin:1", "Satu.", "<stdin>:1"), ("stdin:2", "Dua.", "<stdin>:2")],
        ),
        ("Café".encode("cp1252") + b" di kota.", {}, [("stdin", "Café di kota.", "<stdin>")]),
    ],
    ids=["text", "jsonl", "cp1252"],
)
def test_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes, options, expected) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    docs, _ = read(["-"], **options)
    assert [(d.doc_id, d.text, d.source) for d in docs] == expected


def test_empty_stdin_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    docs, report = read(["-"])
    assert docs == [] and report.skipped_inputs == [("<stdin>", "empty: no bytes")]


# --- streaming ---------------------------------------------------------------------------------


def _big_jsonl(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(40_000):
            f.write(json.dumps({"text": f"Kalimat nomor {i} " + "kata " * 40}) + "\n")


def _big_csv(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("text\n")
        for i in range(40_000):
            f.write(f"Kalimat nomor {i} " + "kata " * 40 + "\n")


def _big_parquet(path: Path) -> None:
    rows = [{"text": f"Kalimat nomor {i} " + "kata " * 40} for i in range(40_000)]
    _write_parquet(path, rows, group=2_000)


@pytest.mark.slow  # seconds of CPU: out of the inner loop
@pytest.mark.parametrize(
    ("name", "make"),
    [("big.jsonl", _big_jsonl), ("big.csv", _big_csv), ("big.parquet", _big_parquet)],
    ids=["jsonl", "csv", "parquet"],
)
def test_records_stream_with_flat_memory(tmp_path: Path, name: str, make) -> None:
    path = tmp_path / name
    make(path)
    size = path.stat().st_size if not name.endswith("parquet") else 40_000 * 220
    docs = iter_documents([str(path)], ReadConfig(), Report())
    assert not isinstance(docs, list) and iter(docs) is docs
    tracemalloc.start()
    try:
        count = sum(1 for _ in docs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 40_000
    assert peak < size / 4, f"peak {peak} bytes while reading {size} bytes"


def test_arguments_are_checked_before_anything_is_read(cwd: Path) -> None:
    (cwd / "a.txt").write_text(TEXT)
    with pytest.raises(InputError, match="'typo.txt' does not exist"):
        iter_documents(["a.txt", "typo.txt"], ReadConfig(), Report())
    with pytest.raises(InputError, match="no file matches"):
        iter_documents(["nothing/*.txt"], ReadConfig(), Report())
    with pytest.raises(InputError, match="no input given"):
        iter_documents([], ReadConfig(), Report())


# --- bad input ---------------------------------------------------------------------------------

_rng = random.Random(5)
RANDOM = bytes(_rng.randrange(256) for _ in range(4096))
MOSTLY_UTF8 = ("Café di Jakarta ramai sekali. " * 3).encode() + b"\xff tutup."

DECODE_CASES = [
    (
        "latin1",
        "Kota Bandung terkenal dengan café dan résumé.".encode("latin-1"),
        "Kota Bandung terkenal dengan café dan résumé.",
        "decoded_as",
    ),
    (
        "cp1252",
        "Dia berkata “baru” – harga naik.".encode("cp1252"),
        "Dia berkata “baru” – harga naik.",
        "decoded_as",
    ),
    ("utf16-bom", TEXT.encode("utf-16"), TEXT, "decoded_as:utf-16"),
    ("utf16be-bom", b"\xfe\xff" + TEXT.encode("utf-16-be"), TEXT, "decoded_as:utf-16"),
    ("utf32-bom", TEXT.encode("utf-32"), TEXT, "decoded_as:utf-32"),
    ("utf16-no-bom", TEXT.encode("utf-16-le"), TEXT, "decoded_as:utf-16-le"),
    ("utf8-bom", b"\xef\xbb\xbf" + TEXT.encode(), TEXT, None),
    (
        "nul-and-controls",
        b"Halo\x00 dunia\x01\x1b ini teks biasa yang agak panjang.",
        "Halo dunia ini teks biasa yang agak panjang.",
        "control_chars_removed",
    ),
    (
        "crlf",
        b"Baris satu.\r\nBaris dua.\rBaris tiga.",
        "Baris satu.\nBaris dua.\nBaris tiga.",
        None,
    ),
    ("mostly-utf8", MOSTLY_UTF8, MOSTLY_UTF8.decode("utf-8", "replace"), "decode_replacements"),
]


@pytest.mark.parametrize(
    ("data", "text", "counted"), [c[1:] for c in DECODE_CASES], ids=[c[0] for c in DECODE_CASES]
)
def test_text_is_decoded_and_repaired(
    cwd: Path, data: bytes, text: str, counted: str | None
) -> None:
    (cwd / "f.txt").write_bytes(data)
    docs, report = read(["f.txt"])
    assert [d.text for d in docs] == [text]
    assert not report.skipped_inputs
    if counted is None:
        assert not report.counts and not report.warnings
    else:
        assert any(name.startswith(counted) for name in report.counts), report.counts
        assert report.warnings and all(w.startswith("f.txt:") for w in report.warnings)


SKIP_CASES = [
    ("png", b"\x89PNG\r\n\x1a\n" + RANDOM, "binary: PNG image"),
    ("random-bytes", RANDOM, "binary: undecodable, with control bytes"),
    ("nul-heavy", b"\x00\x00\x01\x02abc" * 100, "binary: mostly NUL and control bytes"),
    ("empty", b"", "empty: no bytes"),
    ("whitespace", b" \n\t\r\n  \x00", "empty: whitespace only"),
]


@pytest.mark.parametrize(
    ("data", "reason"), [c[1:] for c in SKIP_CASES], ids=[c[0] for c in SKIP_CASES]
)
def test_unusable_files_are_skipped(cwd: Path, data: bytes, reason: str) -> None:
    (cwd / "f.txt").write_bytes(data)
    docs, report = read(["f.txt"])
    assert docs == []
    assert report.skipped_inputs == [("f.txt", reason)]
    assert report.dropped["read:skipped_input"] == 1


def test_broken_link_and_non_regular_file_are_skipped(cwd: Path) -> None:
    (cwd / "d").mkdir()
    (cwd / "d" / "gone.txt").symlink_to(cwd / "nowhere.txt")
    os.mkfifo(cwd / "d" / "pipe.txt")
    (cwd / "d" / "ok.txt").write_text(TEXT)
    docs, report = read(["d"])
    assert ids(docs) == ["ok.txt"]
    reasons = dict(report.skipped_inputs)
    assert reasons[str(Path("d/gone.txt"))].startswith("broken link: its target")
    assert reasons[str(Path("d/pipe.txt"))] == "unreadable: not a regular file"


def test_unreadable_file_is_skipped(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cwd / "secret.txt"
    path.write_text(TEXT)
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: make the open fail as it would for a user

        def denied(p: Path, compression: str | None) -> object:
            raise PermissionError(13, "Permission denied", str(p))

        monkeypatch.setattr(read_streams, "_open_file", denied)
    for name in ("secret.txt",):
        docs, report = read([name])
        assert docs == [] and report.skipped_inputs == [(name, "unreadable: Permission denied")]


def test_bad_jsonl_records_are_dropped_and_named(cwd: Path) -> None:
    lines = [
        '{"text": "Baik satu."}',
        "not json",
        '{"other": 1}',
        '{"text": 5}',
        "[1, 2]",
        '{"text": "  "}',
        "",
        '{"text": null}',
        '{"text": "Baik dua."}',
    ]
    (cwd / "r.jsonl").write_text("\n".join(lines) + "\n")
    docs, report = read(["r.jsonl"])
    assert ids(docs) == ["r.jsonl:1", "r.jsonl:9"]
    assert dict(report.dropped) == {
        "read:bad_json": 1,
        "read:missing_text_field": 1,
        "read:text_not_string": 1,
        "read:not_an_object": 1,
        "read:empty_record": 2,
    }
    assert report.warnings[0].startswith("r.jsonl:2: not valid JSON")
    assert not report.skipped_inputs


def test_many_bad_records_give_a_summary_not_a_flood(cwd: Path) -> None:
    (cwd / "r.jsonl").write_text("oops\n" * 50 + '{"text": "Baik."}\n')
    docs, report = read(["r.jsonl"])
    assert ids(docs) == ["r.jsonl:51"] and report.dropped["read:bad_json"] == 50
    assert len(report.warnings) == 6 and "45 more record(s) skipped" in report.warnings[-1]


def test_json_array_file_is_skipped_with_advice(cwd: Path) -> None:
    (cwd / "a.json").write_text('[\n  {"text": "Satu."}\n]\n')
    docs, report = read(["a.json"])
    assert docs == [] and "jq -c" in report.skipped_inputs[0][1]


def test_jsonl_id_field_missing_falls_back_to_line(cwd: Path) -> None:
    _jsonl(cwd / "r.jsonl", [{"text": "Satu.", "key": 7}, {"text": "Dua."}])
    docs, report = read(["r.jsonl"], id_field="key")
    assert ids(docs) == ["7", "r.jsonl:2"] and report.counts["missing_id"] == 1


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("t.csv", lambda p: p.write_text("title,body\nx,y\n")),
        ("t.tsv", lambda p: p.write_text("title\tbody\nx\ty\n")),
        ("t.parquet", lambda p: _write_parquet(p, [{"title": "x", "body": "y"}])),
    ],
    ids=["csv", "tsv", "parquet"],
)
def test_table_without_text_column_is_a_user_error(cwd: Path, name: str, make) -> None:
    make(cwd / name)
    with pytest.raises(
        InputError, match=r"no column 'text'; its columns are: title, body\. .*--text-field"
    ):
        read([name])


def test_corrupt_parquet_is_skipped(cwd: Path) -> None:
    (cwd / "t.parquet").write_text("this is not parquet")
    docs, report = read(["t.parquet"])
    assert docs == [] and report.skipped_inputs[0][1].startswith("unreadable: not a valid Parquet")


def test_mixed_folder_reads_the_good_and_reports_each_bad(cwd: Path) -> None:
    d = cwd / "mixed"
    d.mkdir()
    files = {
        "good.txt": TEXT.encode(),
        "latin.txt": "Kafé enak.".encode("latin-1"),
        "utf16.txt": TEXT.encode("utf-16"),
        "image.txt": b"\x89PNG\r\n\x1a\n" + RANDOM,
        "empty.txt": b"",
        "blank.txt": b"\n \n",
        "nul.txt": b"Ada\x00 NUL di sini, cukup panjang.",
        "rows.jsonl": b'{"text": "Baik."}\nbroken\n',
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    (d / "link.txt").symlink_to(d / "missing.txt")
    docs, report = read(["mixed"])
    assert ids(docs) == ["good.txt", "latin.txt", "nul.txt", "rows.jsonl:1", "utf16.txt"]
    skipped = {Path(s).name: r.split(":")[0] for s, r in report.skipped_inputs}
    assert skipped == {
        "blank.txt": "empty",
        "empty.txt": "empty",
        "image.txt": "binary",
        "link.txt": "broken link",
    }
    summary = describe_skips(report)
    assert summary.startswith("4 input(s) skipped (binary 1, broken link 1, empty 2):")
    assert "image.txt: binary: PNG image" in summary


def test_describe_skips_when_nothing_skipped() -> None:
    assert describe_skips(Report()) == "no input skipped"


# --- Hugging Face datasets -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import datasets

    out = tmp_path_factory.mktemp("hf") / "saved"
    datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict({"text": ["Satu.", "Dua."], "key": ["a", "b"]}),
            "test": datasets.Dataset.from_dict({"text": ["Tiga.", ""], "key": ["c", "d"]}),
        }
    ).save_to_disk(str(out))
    return out


def test_saved_dataset_split_and_id_field(saved_dataset: Path) -> None:
    docs, report = read([str(saved_dataset)], split="test", id_field="key")
    assert [(d.doc_id, d.text) for d in docs] == [("c", "Tiga.")]
    assert report.dropped["read:empty_record"] == 1
    docs, _ = read([str(saved_dataset)])
    assert [d.doc_id.rsplit(":", 1)[1] for d in docs] == ["0", "1"]


def test_saved_dataset_inside_a_folder_is_found(saved_dataset: Path, cwd: Path) -> None:
    (cwd / "in").mkdir()
    (cwd / "in" / "ds").symlink_to(saved_dataset, target_is_directory=True)
    (cwd / "in" / "a.txt").write_text(TEXT)
    assert ids(read(["in"])[0]) == ["a.txt"]  # linked folders are not followed
    os.unlink(cwd / "in" / "ds")
    import shutil

    shutil.copytree(saved_dataset, cwd / "in" / "ds")
    assert ids(read(["in"])[0]) == ["a.txt", "ds:0", "ds:1"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"split": "validation"}, "no split 'validation'; its splits are: train, test"),
        ({"text_field": "body"}, "no column 'body'; its columns are: text, key"),
    ],
    ids=["split", "column"],
)
def test_saved_dataset_errors(saved_dataset: Path, options, match: str) -> None:
    with pytest.raises(InputError, match=match):
        read([str(saved_dataset)], **options)


def test_local_parquet_folder_through_load_dataset(cwd: Path) -> None:
    (cwd / "pq" / "data").mkdir(parents=True)
    _write_parquet(
        cwd / "pq/data/train-00000-of-00001.parquet", [{"text": "Satu."}, {"text": "Dua."}]
    )
    _write_parquet(cwd / "pq/data/test-00000-of-00001.parquet", [{"text": "Tiga."}])
    docs, _ = read(["pq"], input_format="hf", split="test")
    assert [(d.doc_id, d.text, d.source) for d in docs] == [("pq:0", "Tiga.", "pq:0")]
    with pytest.raises(InputError, match="cannot load dataset 'pq' .*--split"):
        read(["pq"], input_format="hf", split="nope")


def test_unloadable_dataset_folder_is_a_user_error(cwd: Path) -> None:
    (cwd / "emptyds").mkdir()
    with pytest.raises(InputError, match="cannot load dataset 'emptyds'"):
        read(["emptyds"], input_format="hf")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("field.txt", "<p>Harga beras <b>naik</b> lagi di pasar induk.</p><p>Stok aman.</p>"),
        (
            "rows.jsonl",
            '{"text": "<p>Harga beras <b>naik</b> lagi di pasar induk.</p><p>Stok aman.</p>"}\n',
        ),
        (
            "rows.csv",
            'text\n"<p>Harga beras <b>naik</b> lagi di pasar induk.</p><p>Stok aman.</p>"\n',
        ),
    ],
    ids=["text-file", "jsonl-field", "csv-field"],
)
def test_html_in_a_text_input_is_read_as_html(cwd: Path, name: str, content: str) -> None:
    """Markup in a text file or a text field is extracted like a page: its text is the visible
    text (one block a line), no tag reaches it."""
    (cwd / name).write_text(content, "utf-8")
    docs, report = read([name])
    assert [d.text for d in docs] == ["Harga beras naik lagi di pasar induk.\nStok aman."]
    assert not report.skipped_inputs


def test_text_with_entities_only_stays_text(cwd: Path) -> None:
    (cwd / "a.txt").write_text("Harga &ldquo;naik&rdquo; lagi.&nbsp;Stok aman.", "utf-8")
    docs, _ = read(["a.txt"])
    assert [d.text for d in docs] == ["Harga &ldquo;naik&rdquo; lagi.&nbsp;Stok aman."]
