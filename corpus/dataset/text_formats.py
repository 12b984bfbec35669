"""The text formats of an export (corpus/dataset/export.py), written and read back per split
(`<out>` is a folder; `<split>` is train, validation, test, ...):
- jsonl: `<out>/<split>.jsonl`, one `{"translation": {"id": ..., "en": ...}}` per line, the shape
  transformers' run_translation.py reads (UTF-8, nothing else added; U+0085/2028/2029 are
  written as \\u escapes so that every tool sees one record per line).
- tsv: `<out>/<split>.tsv`, header `id<TAB>en`, quoted as RFC 4180 says (with a tab as the
  delimiter): a field that holds a `"`, tab, CR or LF is put in double quotes, its quotes
  doubled; nothing is changed, line breaks included. `pandas.read_csv(path, sep="\t")`, the
  `datasets` csv loader (`delimiter="\t"`) and Python's csv module read it back exactly,
  except that pandas and `datasets` turn an empty field and segments such as "NA", "null" or
  "nan" into missing values unless given `keep_default_na=False`.
- moses: `<out>/<split>.id` and `<out>/<split>.en`, line-aligned; line breaks become spaces.
- tmx: `<out>/<split>.tmx`, TMX 1.4b (srclang id, `xml:lang` id/en); characters that XML 1.0
  forbids are removed, `\\r` is kept as `&#13;`.
Changed characters are counted in `stats` (`export:*`).
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from corpus import __version__
from corpus.dataset.output import atomic
from corpus.dataset.shards import Pair
from corpus.errors import InputError

_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # everything str.splitlines() breaks on


_LINE_BREAKS = re.compile(f"[{_BREAKS}]")


_TSV_QUOTED = re.compile('["\t\r\n]')  # RFC 4180: these fields are quoted


_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_JSON_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}  # lossless escapes


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _flatten(text: str, unsafe: re.Pattern[str], stats: Counter[str], name: str) -> str:
    flat, n = unsafe.subn(" ", text)
    if n:
        stats[name] += n
    return flat


def _write_jsonl(pairs: Iterable[Pair], out: Path, split: str, stats: Counter[str]) -> list[Path]:
    path = out / f"{split}.jsonl"
    with atomic(path) as f:
        for src, tgt in pairs:
            line = json.dumps({"translation": {"id": src, "en": tgt}}, ensure_ascii=False)
            f.write(line.translate(_JSON_BREAKS) + "\n")
    return [path]


def _tsv_field(text: str) -> str:
    """RFC 4180 quoting: quoted only when it holds a quote, tab, CR or LF; quotes doubled."""
    return '"' + text.replace('"', '""') + '"' if _TSV_QUOTED.search(text) else text


def _write_tsv(pairs: Iterable[Pair], out: Path, split: str, stats: Counter[str]) -> list[Path]:
    path = out / f"{split}.tsv"
    with atomic(path) as f:
        f.write("id\ten\n")
        for src, tgt in pairs:
            f.write(f"{_tsv_field(src)}\t{_tsv_field(tgt)}\n")
    return [path]


def _write_moses(pairs: Iterable[Pair], out: Path, split: str, stats: Counter[str]) -> list[Path]:
    paths = [out / f"{split}.id", out / f"{split}.en"]
    name = "export:moses_breaks_replaced"
    with ExitStack() as stack:
        fid, fen = (stack.enter_context(atomic(p)) for p in paths)
        for src, tgt in pairs:
            fid.write(_flatten(src, _LINE_BREAKS, stats, name) + "\n")
            fen.write(_flatten(tgt, _LINE_BREAKS, stats, name) + "\n")
    return paths


def _xml_text(text: str, stats: Counter[str]) -> str:
    clean, n = _XML_INVALID.subn("", text)
    if n:
        stats["export:xml_invalid_removed"] += n
    return escape(clean, {"\r": "&#13;"})


def _write_tmx(pairs: Iterable[Pair], out: Path, split: str, stats: Counter[str]) -> list[Path]:
    path = out / f"{split}.tmx"
    header = {
        "creationtool": "idcorpus",
        "creationtoolversion": __version__,
        "datatype": "plaintext",
        "segtype": "sentence",
        "adminlang": "en",
        "srclang": "id",
        "o-tmf": "idcorpus",
    }
    attrs = " ".join(f"{k}={quoteattr(v)}" for k, v in header.items())
    with atomic(path) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n')
        f.write(f"  <header {attrs}/>\n  <body>\n")
        for src, tgt in pairs:
            f.write("    <tu>\n")
            f.write(f'      <tuv xml:lang="id"><seg>{_xml_text(src, stats)}</seg></tuv>\n')
            f.write(f'      <tuv xml:lang="en"><seg>{_xml_text(tgt, stats)}</seg></tuv>\n')
            f.write("    </tu>\n")
        f.write("  </body>\n</tmx>\n")
    return [path]


WRITERS: dict[str, Callable[[Iterable[Pair], Path, str, Counter[str]], list[Path]]] = {
    "jsonl": _write_jsonl,
    "tsv": _write_tsv,
    "moses": _write_moses,
    "tmx": _write_tmx,
}


def _read_jsonl(path: Path) -> Iterator[Pair]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)["translation"]
            yield pair["id"], pair["en"]


def _read_tsv(path: Path) -> Iterator[Pair]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quotechar='"', strict=True)
        if next(rows, None) != ["id", "en"]:
            raise InputError(f"{path}: the first line is not the header id<TAB>en")
        for row in rows:
            if len(row) != 2:
                raise InputError(f"{path}:{rows.line_num}: {len(row)} fields, expected 2")
            yield row[0], row[1]


def _read_moses(path: Path) -> Iterator[Pair]:
    with (
        open(path, encoding="utf-8", newline="\n") as fid,
        open(path.with_suffix(".en"), encoding="utf-8", newline="\n") as fen,
    ):
        for src, tgt in zip(fid, fen, strict=True):
            yield src.rstrip("\n"), tgt.rstrip("\n")


def _read_tmx(path: Path) -> Iterator[Pair]:
    for _, element in ElementTree.iterparse(path, events=("end",)):
        if element.tag == "tu":
            segs = {tuv.get(_XML_LANG): _seg_text(tuv) for tuv in element.iter("tuv")}
            yield segs.get("id", ""), segs.get("en", "")
            element.clear()


def _seg_text(tuv: ElementTree.Element) -> str:
    seg = tuv.find("seg")
    return "" if seg is None else "".join(seg.itertext())


READERS: dict[str, Callable[[Path], Iterator[Pair]]] = {
    "jsonl": _read_jsonl,
    "tsv": _read_tsv,
    "moses": _read_moses,
    "tmx": _read_tmx,
}
