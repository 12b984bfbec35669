"""Vendor the id->en test sets of `idcorpus evaluate` from the project's shared data folder.

Copies (gzipped, byte-for-byte content; mtime 0, so reruns give identical files) the source,
reference and document-id files named in corpus/data/testsets/testsets.json, with each set's
licence and readme files, and checks every vendored file against the sha256 recorded there.
NusaX ships as one TSV (id, indonesian, english); its two text columns become two line files.
Where the files came from is in corpus/data/testsets/README.md (and shared/data/PROVENANCE.md).

    python scripts/vendor_testsets.py                 # from ../shared/data
    python scripts/vendor_testsets.py --data DIR      # another copy of it
    python scripts/vendor_testsets.py --check         # only check the vendored files
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "corpus" / "data" / "testsets"
DEFAULT_DATA = ROOT.parent / "shared" / "data"

# vendored path -> path under the shared data folder ("nusax:<column>" = a column of the TSV)
FILES = {
    "flores/ind_Latn.dev.gz": "flores/ind_Latn.dev",
    "flores/eng_Latn.dev.gz": "flores/eng_Latn.dev",
    "flores/ind_Latn.devtest.gz": "flores/ind_Latn.devtest",
    "flores/eng_Latn.devtest.gz": "flores/eng_Latn.devtest",
    "flores/metadata_dev.tsv.gz": "flores/metadata_dev.tsv",
    "flores/metadata_devtest.tsv.gz": "flores/metadata_devtest.tsv",
    "ntrex128/newstest2019-ref.ind.txt.gz": "ntrex128/newstest2019-ref.ind.txt",
    "ntrex128/newstest2019-src.eng.txt.gz": "ntrex128/newstest2019-src.eng.txt",
    "ntrex128/DOCUMENT_IDS.tsv.gz": "ntrex128/DOCUMENT_IDS.tsv",
    "tico19/tico19-test.ind.gz": "tico19/tico19-test.ind",
    "tico19/tico19-test.eng.gz": "tico19/tico19-test.eng",
    "tatoeba/tatoeba-test-v2021-08-07.ind.gz": "tatoeba/tatoeba-test-v2021-08-07.ind",
    "tatoeba/tatoeba-test-v2021-08-07.eng.gz": "tatoeba/tatoeba-test-v2021-08-07.eng",
    "nusax/test.ind.gz": "nusax:indonesian",
    "nusax/test.eng.gz": "nusax:english",
}
NUSAX_TSV = "nusax/nusax_mt_test.id-en.tsv"
PLAIN = {  # licence and readme files, copied as they are
    "flores/LICENSE": "flores/LICENSE",
    "flores/README.flores101": "flores/README.flores101",
    "flores/README.flores200": "flores/README.flores200",
    "ntrex128/LICENSE.md": "ntrex128/LICENSE.md",
    "ntrex128/README.md": "ntrex128/README.md",
    "tico19/LICENSE-CC0.md": "tico19/LICENSE-CC0.md",
    "nusax/LICENSE": "nusax/LICENSE",
    "nusax/README.md": "nusax/README.md",
}


def content(data: Path, origin: str) -> bytes:
    if not origin.startswith("nusax:"):
        return (data / origin).read_bytes()
    column = origin.split(":", 1)[1]
    with open(data / NUSAX_TSV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return "".join(row[column] + "\n" for row in rows).encode("utf-8")


def expected_hashes() -> dict[str, str]:
    registry = json.loads((DEST / "testsets.json").read_text(encoding="utf-8"))
    hashes: dict[str, str] = {}
    for entry in registry.values():
        hashes.update(entry["sha256"])
    return hashes


def vendor(data: Path) -> None:
    for rel, origin in FILES.items():
        target = DEST / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
            gz.write(content(data, origin))
        target.write_bytes(buffer.getvalue())
    for rel, origin in PLAIN.items():
        shutil.copyfile(data / origin, DEST / rel)


def check() -> list[str]:
    """Vendored files whose content differs from the registry's sha256."""
    bad = []
    for rel, want in expected_hashes().items():
        path = DEST / rel
        got = (
            hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest() if path.exists() else ""
        )
        if got != want:
            bad.append(f"{rel}: sha256 {got[:16] or 'missing'}, expected {want[:16]}")
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--check", action="store_true", help="only check the vendored files")
    args = parser.parse_args(argv)
    if not args.check:
        if not (args.data / "PROVENANCE.md").is_file():
            print(f"no shared data folder at {args.data} (pass --data DIR)", file=sys.stderr)
            return 2
        vendor(args.data)
    bad = check()
    for line in bad:
        print(line, file=sys.stderr)
    print(f"RESULT vendored={len(expected_hashes())} mismatched={len(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
