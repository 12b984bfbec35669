"""corpus.dataset.export: every format round-trips per split, TMX is valid XML, nothing half-written."""

from __future__ import annotations

import json
import re
import resource
import signal
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import corpus.dataset.arrow_export as arrow_export_mod
import corpus.dataset.export as export_mod
from corpus.dataset.export import FORMATS, export, read_export, split_files
from corpus.errors import ConfigError, InputError, OutputError
from corpus.report import Report

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TRICKY = [
    ("Harga\tberas naik.", "Rice\tprices rose."),
    ("Baris satu.\nBaris dua.", "Line one.\r\nLine two."),
    ("A < B & \"C\" > 'D' ]]>", "A < B & \"C\" > 'D' ]]>"),
    ("Senang 😀 sekali.", "Very happy 😀."),
    ("Kontrol\x01 dan\x0b tab\x1f.", "Control\x7f \ufffe chars\u2028end."),
    ("", ""),
]
PLAIN = [(f"Kalimat {i}.", f"Sentence {i}.") for i in range(7)]
SPLITS = {"train": PLAIN[:5] + TRICKY, "validation": PLAIN[5:6], "test": PLAIN[6:]}

_TRANSLATION = pa.struct([("en", pa.string()), ("id", pa.string())])
_SCHEMA = pa.schema(
    [
        ("translation", _TRANSLATION),
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("para_index", pa.int32()),
        ("sent_index", pa.int32()),
        ("src_start", pa.int64()),
        ("src_end", pa.int64()),
        ("score", pa.float64()),
    ]
)
_TRANSLATION_FEATURE: dict[str, object] = {"languages": ["id", "en"], "_type": "Translation"}


def _table(pairs: list[tuple[str, str]], split: str, hf_meta: bool) -> pa.Table:
    rows = {
        "translation": [{"id": s, "en": t} for s, t in pairs],
        "doc_id": [f"{split}-doc" for _ in pairs],
        "source": ["in.txt" for _ in pairs],
        "para_index": [0 for _ in pairs],
        "sent_index": list(range(len(pairs))),
        "src_start": [0 for _ in pairs],
        "src_end": [len(s) for s, _ in pairs],
        "score": [-0.5 for _ in pairs],
    }
    schema = _SCHEMA
    if hf_meta:
        features: dict[str, object] = {
            name: {
                "dtype": str(schema.field(name).type).replace("double", "float64"),
                "_type": "Value",
            }
            for name in schema.names[1:]
        }
        features["translation"] = _TRANSLATION_FEATURE
        schema = schema.with_metadata(
            {b"huggingface": json.dumps({"info": {"features": features}})}
        )
    return pa.Table.from_pydict(rows, schema=schema)


def make_dataset(
    root: Path, splits: dict[str, list[tuple[str, str]]], hf_meta: bool = False
) -> Path:
    """The documented layout: data/<split>-NNNNN-of-NNNNN.parquet; train in two shards."""
    (root / "data").mkdir(parents=True)
    (root / "README.md").write_text("---\nconfigs: []\n---\n")
    for split, pairs in splits.items():
        shards = [pairs[:3], pairs[3:]] if split == "train" else [pairs]
        for i, shard in enumerate(shards):
            name = f"{split}-{i:05d}-of-{len(shards):05d}.parquet"
            pq.write_table(_table(shard, split, hf_meta), root / "data" / name, row_group_size=2)
    return root


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "ds", SPLITS)


_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def expected(fmt: str) -> dict[str, list[tuple[str, str]]]:
    """What each format keeps of the pairs (documented in corpus/dataset/export.py)."""
    change = {
        "moses": lambda s: _BREAKS.sub(" ", s),
        "tmx": lambda s: _XML_BAD.sub("", s),
    }.get(fmt, lambda s: s)
    return {split: [(change(s), change(t)) for s, t in pairs] for split, pairs in SPLITS.items()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_pairs_order_and_splits(dataset: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    written = export(dataset, fmt, out)
    assert list(written) == ["train", "validation", "test"]
    assert all(p.is_file() for paths in written.values() for p in paths)
    assert read_export(out, fmt) == expected(fmt)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_plain_pairs_are_identical_in_every_format(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", {"train": PLAIN})
    for fmt in FORMATS:
        export(ds, fmt, tmp_path / fmt)
        assert read_export(tmp_path / fmt, fmt) == {"train": PLAIN}, fmt


def test_jsonl_is_the_run_translation_shape(dataset: Path, tmp_path: Path) -> None:
    path = export(dataset, "jsonl", tmp_path / "out")["validation"][0]
    assert path.name == "validation.jsonl"
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"translation": {"id": "Kalimat 5.", "en": "Sentence 5."}}
    ]


def test_jsonl_has_one_record_per_line_whatever_splits_lines(dataset: Path, tmp_path: Path) -> None:
    path = export(dataset, "jsonl", tmp_path / "out")["train"][0]
    assert len(path.read_text("utf-8").splitlines()) == len(SPLITS["train"])


def test_tsv_has_a_header_and_quotes_only_what_rfc_4180_needs(
    dataset: Path, tmp_path: Path
) -> None:
    path = export(dataset, "tsv", tmp_path / "out")["train"][0]
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("id\ten\nKalimat 0.\tSentence 0.\n")  # plain fields stay bare
    assert '"Harga\tberas naik."\t"Rice\tprices rose."\n' in text
    assert '"Baris satu.\nBaris dua."\t"Line one.\r\nLine two."\n' in text
    assert '"A < B & ""C"" > \'D\' ]]>"\t' in text  # quotes doubled


def test_moses_files_are_line_aligned(dataset: Path, tmp_path: Path) -> None:
    paths = export(dataset, "moses", tmp_path / "out")["train"]
    assert [p.name for p in paths] == ["train.id", "train.en"]
    counts = [p.read_bytes().count(b"\n") for p in paths]
    assert counts == [len(SPLITS["train"])] * 2


def test_tmx_is_valid_tmx_14b(dataset: Path, tmp_path: Path) -> None:
    report = Report()
    path = export(dataset, "tmx", tmp_path / "out", report=report)["train"][0]
    root = ElementTree.parse(path).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None
    for attr, value in {
        "srclang": "id",
        "adminlang": "en",
        "segtype": "sentence",
        "datatype": "plaintext",
        "creationtool": "idcorpus",
        "o-tmf": "idcorpus",
    }.items():
        assert header.get(attr) == value
    assert header.get("creationtoolversion")
    units = root.findall("body/tu")
    assert len(units) == len(SPLITS["train"])
    assert all([tuv.get(XML_LANG) for tuv in tu.findall("tuv")] == ["id", "en"] for tu in units)
    assert report.counts["export:xml_invalid_removed"] == 4  # \x01 \x0b \x1f \ufffe


def test_arrow_is_load_from_disk_with_all_columns(tmp_path: Path) -> None:
    import datasets

    for hf_meta in (False, True):
        ds = make_dataset(tmp_path / f"ds{hf_meta}", SPLITS, hf_meta=hf_meta)
        out = tmp_path / f"arrow{hf_meta}"
        export(ds, "arrow", out)
        loaded = datasets.load_from_disk(str(out))
        assert list(loaded) == ["train", "validation", "test"]
        assert isinstance(loaded["train"].features["translation"], datasets.Translation)
        assert loaded["test"]["doc_id"] == ["test-doc"]
        assert loaded["train"].num_rows == len(SPLITS["train"])


def test_arrow_export_replaces_a_previous_one_but_not_a_foreign_folder(
    dataset: Path, tmp_path: Path
) -> None:
    out = tmp_path / "arrow"
    export(dataset, "arrow", out)
    export(dataset, "arrow", out)
    assert read_export(out, "arrow") == expected("arrow")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="not empty"):
        export(dataset, "arrow", foreign)
    assert (foreign / "keep.txt").read_text() == "mine"


def test_empty_split_exports_empty_files(tmp_path: Path) -> None:
    ds = make_dataset(tmp_path / "ds", {"train": PLAIN, "test": []})
    for fmt in ("jsonl", "tsv", "moses", "tmx"):
        export(ds, fmt, tmp_path / fmt)
        assert read_export(tmp_path / fmt, fmt) == {"train": PLAIN, "test": []}, fmt


def test_interrupted_export_leaves_no_file(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(files):
        yield ("Satu.", "One.")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_mod, "iter_pairs", failing)
    out = tmp_path / "out"
    for fmt in ("jsonl", "moses", "tmx"):
        with pytest.raises(RuntimeError, match="disk full"):
            export(dataset, fmt, out)
    assert list(out.iterdir()) == []


def test_existing_export_is_replaced_whole(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "train.jsonl").write_text("old\n" * 100)
    export(dataset, "jsonl", out)
    assert read_export(out, "jsonl")["train"] == SPLITS["train"]


@pytest.mark.parametrize(
    ("case", "error", "match"),
    [
        ("format", ConfigError, "valid choices are: jsonl, tsv, moses, tmx, arrow"),
        ("no-dataset", InputError, "no data/<split>-NNNNN-of-NNNNN.parquet"),
        ("inside", OutputError, "inside the dataset"),
        ("is-file", OutputError, "is a file"),
    ],
    ids=["format", "no-dataset", "inside", "is-file"],
)
def test_export_errors(dataset: Path, tmp_path: Path, case: str, error: type, match: str) -> None:
    (tmp_path / "file").write_text("x")
    args = {
        "format": (dataset, "xml", tmp_path / "o"),
        "no-dataset": (tmp_path / "nothing", "jsonl", tmp_path / "o"),
        "inside": (dataset, "jsonl", dataset / "data"),
        "is-file": (dataset, "jsonl", tmp_path / "file"),
    }[case]
    with pytest.raises(error, match=match):
        export(*args)


def test_split_files_orders_splits_and_shards(dataset: Path) -> None:
    files = split_files(dataset)
    assert list(files) == ["train", "validation", "test"]
    assert [p.name for p in files["train"]] == [
        "train-00000-of-00002.parquet",
        "train-00001-of-00002.parquet",
    ]


def test_read_export_rejects_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="valid choices"):
        read_export(tmp_path, "xml")


# --- TSV as default readers take it (RFC 4180) ---------------------------------------------

HOSTILE = [
    ('"Kutipan" di awal.', '"Quote" at the start.'),
    ('Satu " kutip saja.', 'A lone " quote.'),
    ('"', '""'),
    ("Tab\tdi\ttengah.", "Tab\tinside."),
    ("Baris\nbaru.", "Windows\r\nline."),
    ("Hanya\rCR.", "CR at the end\r"),
    ("\n", "\t"),
    ("  spasi di tepi  ", "#not a comment"),
    ("Lain\x85\u2028\x0b\x0cpemisah.", "Other\x1c\x1d\x1eseparators."),
    ("123", "4.50"),
    ("'Kutip tunggal'", "'single'"),
]
NA_LIKE = [("NA", "null"), ("", "nan"), ("N/A", "None")]


def test_tsv_reads_back_exactly_with_pandas_and_datasets_defaults(tmp_path: Path) -> None:
    import datasets
    import pandas as pd

    pairs = PLAIN[:2] + HOSTILE
    ds = make_dataset(tmp_path / "ds", {"train": pairs})
    path = export(ds, "tsv", tmp_path / "out")["train"][0]
    frame = pd.read_csv(path, sep="\t")
    assert list(frame.columns) == ["id", "en"]
    assert list(zip(frame["id"], frame["en"], strict=True)) == pairs
    loaded = datasets.load_dataset(
        "csv", data_files=str(path), delimiter="\t", cache_dir=str(tmp_path / "hf")
    )["train"]
    assert list(zip(loaded["id"], loaded["en"], strict=True)) == pairs
    assert read_export(tmp_path / "out", "tsv") == {"train": pairs}


def test_tsv_na_like_segments_need_keep_default_na_false(tmp_path: Path) -> None:
    """pandas and datasets read "NA", "", "null"... as missing by default, quoted or not:
    the documented argument keeps them."""
    import pandas as pd

    ds = make_dataset(tmp_path / "ds", {"train": PLAIN[:1] + NA_LIKE})
    path = export(ds, "tsv", tmp_path / "out")["train"][0]
    assert pd.read_csv(path, sep="\t")["id"].isna().sum() == 3
    frame = pd.read_csv(path, sep="\t", keep_default_na=False)
    assert list(zip(frame["id"], frame["en"], strict=True)) == PLAIN[:1] + NA_LIKE
    assert read_export(tmp_path / "out", "tsv") == {"train": PLAIN[:1] + NA_LIKE}


@pytest.mark.parametrize(
    ("content", "match"),
    [("src\ten\nA\tB\n", "not the header"), ("id\ten\nA\tB\tC\n", ":2: 3 fields")],
    ids=["header", "fields"],
)
def test_read_export_tsv_names_a_bad_line(tmp_path: Path, content: str, match: str) -> None:
    (tmp_path / "train.tsv").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_export(tmp_path, "tsv")


# --- nothing written outside --out -----------------------------------------------------------


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under `root` with its size and mtime: what a write anywhere would change."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def crafted(root: Path, name: str) -> Path:
    """A dataset folder whose only data file is called `name`."""
    ds = make_dataset(root / "ds", {"test": PLAIN})
    (ds / "data" / "test-00000-of-00001.parquet").rename(ds / "data" / name)
    return ds


BAD_NAMES = {
    "dotdot": "..-00000-of-00001.parquet",
    "dot": ".-00000-of-00001.parquet",
    "backslash": "a\\..\\b-00000-of-00001.parquet",
    "dotted": "train.x-00000-of-00001.parquet",
    "digit-first": "1train-00000-of-00001.parquet",
    "space": "my split-00000-of-00001.parquet",
    "newline": "train\n-00000-of-00001.parquet",
    "hyphen": "a-b-00000-of-00001.parquet",
    "not-a-shard": "train.parquet",
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad", list(BAD_NAMES), ids=list(BAD_NAMES))
def test_crafted_data_file_names_are_refused_before_anything_is_written(
    tmp_path: Path, fmt: str, bad: str
) -> None:
    ds = crafted(tmp_path, BAD_NAMES[bad])
    (tmp_path / "victim.txt").write_text("keep me")
    before = tree(tmp_path)
    with pytest.raises(InputError) as info:
        export(ds, fmt, tmp_path / "exp" / "out")
    assert BAD_NAMES[bad] in str(info.value)  # the message names the file
    assert tree(tmp_path) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_is_written_outside_out(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = make_dataset(tmp_path / "ds", SPLITS)
    (tmp_path / "victim.txt").write_text("keep me")
    out = tmp_path / "exp"
    seen: set[str] = set()  # what sits beside --out while the arrow export swaps folders
    replace_dir = arrow_export_mod._replace_dir

    def spy(*args: Path) -> None:
        seen.update(p.name for p in tmp_path.iterdir())
        replace_dir(*args)

    monkeypatch.setattr(arrow_export_mod, "_replace_dir", spy)
    for _ in range(2):  # the second export replaces the first
        before = {k: v for k, v in tree(tmp_path).items() if not k.startswith("exp")}
        export(ds, fmt, out)
        after = {k: v for k, v in tree(tmp_path).items() if not k.startswith("exp")}
        assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "exp", "victim.txt"]
    assert seen <= {"ds", "exp", "exp.partial", "victim.txt"}
    assert bool(seen) is (fmt == "arrow")


def test_the_issue_case_arrow_export_cannot_reach_the_parent(tmp_path: Path) -> None:
    """`..` as a split name once made the arrow export write into the parent of --out."""
    ds = crafted(tmp_path, "..-00000-of-00001.parquet")
    (tmp_path / "dataset_dict.json").write_text("mine")
    with pytest.raises(InputError, match=r"split name '\.\.' is not valid"):
        export(ds, "arrow", tmp_path / "exp")
    assert (tmp_path / "dataset_dict.json").read_text() == "mine"
    assert not (tmp_path / "exp").exists()


@pytest.mark.parametrize(
    ("names", "match"),
    [
        (["train-00001-of-00002.parquet"], r"train-00000-of-00002\.parquet is missing"),
        (["train-00000-of-00001.parquet", "train-00001-of-00002.parquet"], "does not fit"),
        (["train-00002-of-00002.parquet"], "does not fit"),
    ],
    ids=["missing-shard", "mixed-totals", "index-past-total"],
)
def test_incomplete_shard_sets_are_refused(tmp_path: Path, names: list[str], match: str) -> None:
    ds = make_dataset(tmp_path / "ds", {"test": PLAIN})
    for name in names:
        pq.write_table(_table(PLAIN, "train", False), ds / "data" / name)
    with pytest.raises(InputError, match=match):
        split_files(ds)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_damaged_data_file_is_named_and_nothing_written(tmp_path: Path, fmt: str) -> None:
    ds = make_dataset(tmp_path / "ds", SPLITS)
    bad = ds / "data" / "test-00000-of-00001.parquet"
    bad.write_bytes(bad.read_bytes()[:-40])  # truncated: the footer is gone
    with pytest.raises(InputError, match=re.escape(str(bad))):
        export(ds, fmt, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failed_arrow_rename_keeps_the_previous_export(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "arrow"
    export(dataset, "arrow", out)
    before = tree(out)
    with pytest.raises(FileNotFoundError):
        arrow_export_mod._replace_dir(tmp_path / "no-such-new", out, tmp_path / "old")
    assert tree(out) == before and not (tmp_path / "old").exists()


def test_cli_export_of_a_crafted_dataset_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from corpus.cli.main import main

    ds = crafted(tmp_path, "..-00000-of-00001.parquet")
    code = main(["export", str(ds), "--format", "arrow", "--out", str(tmp_path / "exp")])
    err = capsys.readouterr().err
    assert code == 2 and "..-00000-of-00001.parquet" in err and "Traceback" not in err
    assert not (tmp_path / "exp").exists()


# --- a full disk (issue 21.5) ----------------------------------------------------------------------

FILE_LIMIT = 64 * 1024


def _small_disk() -> None:
    """In the export's process: no file may grow past FILE_LIMIT bytes. A write past it fails
    with EFBIG, as a full disk fails one with ENOSPC (no root, no special file system)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))


@pytest.fixture(scope="module")
def large_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset whose every export holds files over FILE_LIMIT."""
    pairs = [(f"Kalimat {i} " + "kata " * 30, f"Sentence {i} " + "word " * 30) for i in range(3000)]
    return make_dataset(tmp_path_factory.mktemp("large") / "ds", {"train": pairs})


EXPORTED = {"jsonl": "jsonl/train.jsonl", "tsv": "tsv/train.tsv", "moses": "moses/train.",
            "tmx": "tmx/train.tmx", "arrow": "arrow.partial/"}  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_in_any_format_is_exit_2_naming_the_file(
    large_dataset: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / fmt
    result = subprocess.run(
        [sys.executable, "-m", "corpus", "export", str(large_dataset), "--format", fmt,
         "--out", str(out)],
        preexec_fn=_small_disk, capture_output=True, text=True, timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"idcorpus: error: cannot write {tmp_path}/{EXPORTED[fmt]}"), line
    assert "File too large; free space (or choose another --out) and export again" in line
    assert "Traceback" not in result.stderr
    if fmt == "arrow":  # nothing under a final name, no work folder left
        assert not out.exists() and not (tmp_path / "arrow.partial").exists()
    else:
        assert not any(p.name.startswith("train") for p in out.iterdir())
