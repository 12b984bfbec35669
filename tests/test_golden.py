"""Golden digests: each hand-bumped logic version of the run identity against its stage's output.

Every test hashes one stage's output on fixed input (files of this repository) and looks the
digest up under the stage's current version. A stage whose output changes while its version
string stays the same fails here: the translation cache, `--resume` and the provenance would
otherwise treat old and new output as the same.

What to do when one fails:
- you changed the stage's output on purpose: bump its version (the constant named in the
  message), add a row `"<new version>": ("<digest>",)` to the table (the message prints both);
- you did not mean to change the output: your change has an effect you did not intend;
- a library's new version changed it (its version is in the run identity already): add the
  new digest to the current version's row, with a comment naming the library version.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from helpers import NEWS, REPO, SEEDS

from corpus.clean.cleaner import CLEANER_VERSION, Cleaner
from corpus.pipeline.identity import PREPARE_VERSION
from corpus.pipeline.pairs import rows_of
from corpus.pipeline.prepare import PrepareOptions, prepare
from corpus.records import Document
from corpus.segment.sentences import SEGMENTER_VERSION, segment
from corpus.signals.quality import SIGNALS_VERSION, compute_signals_batch, identify_documents
from translate.base import DecodingOptions, EngineConfig, Translation
from translate.engine import SCORING_VERSION
from translate.robust import RETRY_VERSION, better, is_degenerate, join_pieces, repetition_score
from translate.split import SPLITTER_VERSION, coarse_blocks, split_to_fit

TESTSETS = REPO / "corpus" / "data" / "testsets"

CLEANER = {
    "id-clean-6": ("3a8ad494a6a7e35a",),
    "id-clean-7": ("7a32fa30816c4d8e",),
    "id-clean-8": ("7a32fa30816c4d8e",),  # the repeat rule moved to a pre-pass: same output
}
SEGMENTER = {"id-rules-3": ("e9bd1b5907b2ec00",)}
PREPARE = {"prepare-2": ("49679f5886a9d868",), "prepare-3": ("b581dba231f81423",)}
SIGNALS = {
    "signals-3": ("126289fe15a6fd1d",),
    "signals-4": ("f6255552ddc87ba3",),
    "signals-5": ("123fb61a922bf4c6",),
    "signals-6": ("a74e79ddb92d4181",),
    "signals-7": ("8e236a5ffef1cc82",),  # the source decided with its document (doclang)
}
SPLITTER = {"clauses-words-chars-2": ("8722b30a814ed6ed",)}
RETRY = {"ngram3-2": ("02655da53b9208b4",)}
SCORING = {"plain-2|weights-e775081a60154b15": ("dfb33030583350ba",)}


def digest(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def check(
    name: str, where: str, version: str, table: dict[str, tuple[str, ...]], value: Any
) -> None:
    found = digest(value)
    assert version in table, (
        f"{name} = {version!r} has no golden digest: add {version!r}: ({found!r},) to the "
        f"table in {Path(__file__).name}"
    )
    assert found in table[version], (
        f"the output changed (digest {found}) but {name} is still {version!r}: bump {name} in "
        f"{where} and add the new version with {found!r} to the table in {Path(__file__).name} "
        "(see the module's doc)"
    )


def texts() -> list[tuple[str, str]]:
    """The fixed input: the seed article and the 54 scraped news articles of the tests."""
    files = [*sorted(SEEDS.glob("*.txt")), *sorted(NEWS.glob("*.txt"))]
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def lines(name: str, limit: int) -> list[str]:
    with gzip.open(TESTSETS / name, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for _, line in zip(range(limit), f, strict=False)]


def test_cleaner_output_has_its_version() -> None:
    cleaner = Cleaner()
    out = []
    for name, text in texts():
        result = cleaner.clean(text)
        out.append([name, result.text, [[d.line_no, d.reason, d.text] for d in result.dropped]])
    check("CLEANER_VERSION", "corpus/clean/cleaner.py", CLEANER_VERSION, CLEANER, out)


def test_segmenter_output_has_its_version() -> None:
    out = [[name, [(s.start, s.end) for s in segment(text)]] for name, text in texts()]
    out.append(["flores", [[(s.start, s.end) for s in segment(t)] for t in lines(
        "flores/ind_Latn.devtest.gz", 300)]])  # fmt: skip
    check("SEGMENTER_VERSION", "corpus/segment/sentences.py", SEGMENTER_VERSION, SEGMENTER, out)


def fake_translations(units: list[Any]) -> list[Translation]:
    """A test double of the engine for the pure row-making stage: the source reversed, with
    scores and counts from its length (and one empty output, which is dropped)."""
    return [
        Translation(
            text="" if i % 97 == 5 else u.text[::-1],
            score=-len(u.text) / 997,
            tokens=len(u.text.split()),
            src_tokens=len(u.text.split()) + 1,
            split=i % 11 == 0,
        )
        for i, u in enumerate(units)
    ]


def test_preparation_and_rows_have_their_version() -> None:
    out = []
    for presplit in (False, True):
        for name, text in texts()[:20]:
            prepared = prepare(Document(name, text, f"news/{name}"), PrepareOptions(presplit))
            rows, _ = rows_of(
                prepared.units, fake_translations(prepared.units), signals=False, presplit=presplit
            )
            out.append([name, presplit, prepared.spans, prepared.text_length, rows])
    check("PREPARE_VERSION", "corpus/pipeline/identity.py", PREPARE_VERSION, PREPARE, out)


def test_signals_have_their_version() -> None:
    sources = lines("flores/ind_Latn.devtest.gz", 120) + ["Halo", "Ya ya ya ya ya ya ya ya"]
    targets = lines("flores/eng_Latn.devtest.gz", 120) + ["Halo", "yes " * 40]
    targets[3] = sources[3]  # a copy
    targets[4] = sources[5]  # Indonesian on the English side
    translations = [
        Translation(t, score=-0.5, tokens=len(t.split()), src_tokens=len(s.split()) + 1)
        for s, t in zip(sources, targets, strict=True)
    ]
    out: list[Any] = compute_signals_batch(sources, translations)
    # a build's source language: with its document (here runs of 4 sentences), from signals-7
    out.append(identify_documents([sources[i : i + 4] for i in range(0, len(sources), 4)]))
    check("SIGNALS_VERSION", "corpus/signals/quality.py", SIGNALS_VERSION, SIGNALS, out)


def words(texts: Any) -> list[int]:
    """A stand-in token count: words and the eos."""
    return [len(t.split()) + 1 for t in texts]


def test_splitter_has_its_version() -> None:
    long = " ".join(text.replace("\n", " ") for _, text in texts()[:6])
    out: list[Any] = []
    for limit in (8, 24, 64):
        out.append(split_to_fit(long[:6000], limit, words))
    out.append(split_to_fit("x" * 5000, 16, lambda ts: [len(t) // 3 + 1 for t in ts]))
    out.append(coarse_blocks(long, len(long.split()), 200))
    check("SPLITTER_VERSION", "translate/split.py", SPLITTER_VERSION, SPLITTER, out)


def test_retry_rule_has_its_version() -> None:
    sources = lines("flores/ind_Latn.devtest.gz", 40)
    outputs = lines("flores/eng_Latn.devtest.gz", 40)
    for i, t in enumerate(outputs):  # repetition shares and length ratios across the range
        w = t.split()
        outputs[i] = " ".join(w + w[: i % 8 * len(w) // 8] * (i % 3)) if i % 2 else t[: 1 + i * 9]
    outputs[1] = "the the the the the the the the the the the the the the the the"
    out: list[Any] = []
    for i, (s, t) in enumerate(zip(sources, outputs, strict=True)):
        first = Translation(t, score=-0.2 - i / 100, tokens=len(t.split()))
        second = Translation(t[: len(t) // 2], score=-0.3, tokens=len(t.split()) // 2 + 1)
        chosen = better(s, first, second)
        out.append([repetition_score(t), is_degenerate(s, first), chosen.text, chosen.score])
    out.append(join_pieces([Translation("a b", -0.5, 2), Translation("c", -1.0, 1)]))
    check("RETRY_VERSION", "translate/robust.py", RETRY_VERSION, RETRY, out)


def test_scores_have_their_version(tiny_model: str) -> None:
    """The transformers engine's scores on the tiny model, greedy and beam 4, rounded to 3
    decimals (the last digits differ between CPUs: test_translate_marian.test_score_api). The
    key names the tiny model's weights too: when scripts/build_tiny_model.py or seeds/ change
    them, they need a row of their own."""
    from translate.marian import MarianEngine

    sentences = [line for _, text in texts()[:3] for line in text.split("\n") if line.strip()][:24]
    engine = MarianEngine.load(EngineConfig(model=tiny_model, device="cpu", threads=1))
    out = []
    for beams in (1, 4):
        results = engine.with_decoding(DecodingOptions(num_beams=beams)).translate_batch(sentences)
        out.append([(t.text, round(t.score, 3), t.tokens, t.src_tokens) for t in results])
    weights = hashlib.sha256((Path(tiny_model) / "model.safetensors").read_bytes()).hexdigest()
    key = f"{SCORING_VERSION}|weights-{weights[:16]}"
    check("SCORING_VERSION", "translate/engine.py", key, SCORING, out)
