"""Build a real MarianMT model directory with random weights, offline and deterministically.

The tokenizer is a SentencePiece model trained on seeds/*.txt (plus any --text files),
laid out like the Helsinki-NLP opus-mt models: vocab.json maps "</s>" -> 0, "<unk>" -> 1,
the pieces next and "<pad>" last (pad = decoder start = vocab_size - 1). The directory loads
with MarianTokenizer.from_pretrained / MarianMTModel.from_pretrained (safetensors).

The "tiny" shape is trained for a few hundred steps to copy its training sentences
(identity "translation"): a purely random Marian decoder repeats one token forever whatever
the input, which would make batch-invariance tests vacuous. The copy model ends sentences
with eos and its output depends on the input. The "opus-mt-id-en" shape keeps random weights
(benchmarks force the output length anyway). Training runs on one thread with a fixed seed.

    python scripts/build_tiny_model.py                                # build/tiny-model
    python scripts/build_tiny_model.py OUT_DIR                        # tiny test model
    python scripts/build_tiny_model.py OUT_DIR --shape opus-mt-id-en  # benchmark shape

To try idcorpus without network: `.venv/bin/python scripts/build_tiny_model.py`, then
`bash scripts/main.sh --model build/tiny-model` (about a minute on a laptop; the tiny model
"translates" by copying its input, so the pairs show the pipeline, not a translation).

From Python: `build_model(out_dir, shape="tiny")` or `cached_model(cache_root, shape)`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "seeds"


@dataclass(frozen=True)
class Shape:
    """Model and tokenizer dimensions."""

    spm_vocab: int
    vocab_size: int | None  # None: exactly the SentencePiece pieces + specials
    d_model: int
    layers: int
    heads: int
    ffn: int
    positions: int = 512
    init_std: float = 0.02
    train_steps: int = 0  # copy-task training steps; 0 keeps random weights
    num_beams: int = 4


SHAPES = {
    "tiny": Shape(
        spm_vocab=400, vocab_size=None, d_model=32, layers=2, heads=2, ffn=64, train_steps=400
    ),
    "opus-mt-id-en": Shape(
        spm_vocab=8000, vocab_size=54796, d_model=512, layers=6, heads=8, ffn=2048
    ),
}
SPECIALS = ("</s>", "<unk>", "<s>")


def default_texts() -> list[Path]:
    """The training text: seeds/*.txt (pass --text to add more)."""
    return sorted(SEED_DIR.glob("*.txt"))


def train_spm(texts: list[Path], vocab: int, out_prefix: Path) -> Path:
    """Train a unigram SentencePiece model (single thread, no sampling: deterministic)."""
    import sentencepiece as spm

    lines = [
        line.strip()
        for path in texts
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    corpus = out_prefix.with_suffix(".txt")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(out_prefix),
        vocab_size=vocab,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        unk_id=1,
        eos_id=0,
        bos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    corpus.unlink()
    return out_prefix.with_suffix(".model")


def marian_vocab(spm_path: Path, size: int | None) -> dict[str, int]:
    """opus-mt layout: "</s>" 0, "<unk>" 1, pieces, dummy padding up to size, "<pad>" last."""
    import sentencepiece as spm

    proc = spm.SentencePieceProcessor(model_file=str(spm_path))
    pieces = [proc.id_to_piece(i) for i in range(proc.get_piece_size())]
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        if piece not in SPECIALS:
            vocab.setdefault(piece, len(vocab))
    total = size if size is not None else len(vocab) + 1
    if total < len(vocab) + 1:
        raise ValueError(f"vocab size {total} is smaller than the {len(vocab) + 1} pieces")
    for i in range(total - 1 - len(vocab)):
        vocab[f"<dummy{i}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def write_tokenizer(out: Path, spm_path: Path, vocab: dict[str, int]) -> None:
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(spm_path, out / name)
    (out / "vocab.json").write_text(
        json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    config = {
        "tokenizer_class": "MarianTokenizer",
        "source_lang": "id",
        "target_lang": "en",
        "separate_vocabs": False,
        "model_max_length": 512,
        "unk_token": "<unk>",
        "eos_token": "</s>",
        "pad_token": "<pad>",
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")


def training_sentences(texts: list[Path]) -> list[str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in texts)
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [part.strip() for part in parts if len(part.strip()) > 3]


def train_copy(
    model: Any, tokenizer_dir: Path, sentences: list[str], steps: int, seed: int
) -> None:
    """Teach `model` to copy its input: sentences in, the same sentences out."""
    import torch
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(str(tokenizer_dir))
    embeddings = model.get_input_embeddings().weight
    pad = tokenizer.pad_token_id
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        picks = torch.randint(len(sentences), (16,), generator=generator).tolist()
        batch = [sentences[i] for i in picks]
        enc = tokenizer(
            batch,
            text_target=batch,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=64,
        )
        enc["labels"][enc["labels"] == tokenizer.pad_token_id] = -100
        loss = model(**enc).loss
        optimizer.zero_grad()
        loss.backward()
        embeddings.grad[pad] = 0  # keep <pad> (the decoder start) a zero embedding, as in Marian
        optimizer.step()
    model.eval()


def write_model(out: Path, shape: Shape, vocab_size: int, seed: int, texts: list[Path]) -> None:
    """Random-weight MarianMTModel in the opus-mt configuration, saved as safetensors."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    pad = vocab_size - 1
    config = MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=shape.d_model,
        encoder_layers=shape.layers,
        decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn,
        decoder_ffn_dim=shape.ffn,
        activation_function="swish",
        max_position_embeddings=shape.positions,
        scale_embedding=True,
        init_std=shape.init_std,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        bos_token_id=0,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        model = MarianMTModel(config).eval()
        with (
            torch.no_grad()
        ):  # Marian starts decoding from a zero <pad> embedding (CTranslate2 assumes it)
            model.get_input_embeddings().weight[pad].zero_()
        if shape.train_steps:
            train_copy(model, out, training_sentences(texts), shape.train_steps, seed)
    finally:
        torch.set_num_threads(threads)
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=shape.positions,
        num_beams=shape.num_beams,
        pad_token_id=pad,
    )
    model.save_pretrained(out, safe_serialization=True)


def build_model(
    out_dir: str | Path, shape: str = "tiny", texts: list[Path] | None = None, seed: int = 0
) -> Path:
    """Write the model directory `out_dir` (must not exist yet) and return its path."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose one of: {', '.join(SHAPES)}")
    dims = SHAPES[shape]
    out = Path(out_dir)
    out.mkdir(parents=True)
    texts = texts or default_texts()
    with tempfile.TemporaryDirectory() as tmp:
        spm_path = train_spm(texts, dims.spm_vocab, Path(tmp) / "spm")
        vocab = marian_vocab(spm_path, dims.vocab_size)
        write_tokenizer(out, spm_path, vocab)
    write_model(out, dims, len(vocab), seed, texts)
    info = {"shape": shape, "seed": seed, **asdict(dims), "vocab_size": len(vocab)}
    (out / "idcorpus_tiny_model.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return out


def source_hash(texts: list[Path] | None = None) -> str:
    """Identity of what a build produces: this script and its training text."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in texts or default_texts():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cached_model(
    cache_root: str | Path, shape: str = "tiny", texts: list[Path] | None = None
) -> Path:
    """Build once into cache_root/<shape>-<hash>/; atomic, so parallel callers never clash."""
    root = Path(cache_root)
    name = "tiny-model" if shape == "tiny" else f"model-{shape}"
    final = root / f"{name}-{source_hash(texts)}"
    if (final / "config.json").exists():
        return final
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        build_model(tmp / "model", shape, texts)
        try:
            os.rename(tmp / "model", final)
        except OSError:
            if not (final / "config.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "out",
        nargs="?",
        default=str(ROOT / "build" / "tiny-model"),
        help="output directory (a finished one is kept as it is), or a cache root with "
        "--cached (default: build/tiny-model)",
    )
    parser.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    parser.add_argument(
        "--text", nargs="*", type=Path, help="training text files (default: seeds/*.txt)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cached", action="store_true", help="build once under OUT/<name>-<hash>/")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # the saving bar says nothing
    if args.cached:
        path = cached_model(args.out, args.shape, args.text)
    elif (Path(args.out) / "config.json").exists():
        path = Path(args.out)  # built before
    else:
        path = build_model(args.out, args.shape, args.text, args.seed)
    print(path)
    if args.shape == "tiny":
        shown = os.path.relpath(path)
        print(
            f"next: bash scripts/main.sh --model {shown}  (the tiny model copies its input)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
