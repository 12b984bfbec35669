"""Does the tokenizer of a Marian folder belong to its weights?

A Marian tokenizer cuts text into SentencePiece pieces (`source.spm`, `target.spm`) and maps
each piece to an id through `vocab.json` (`target_vocab.json` too with separate vocabularies);
the ids index the model's embedding matrix. Files taken from another model break this without
any error at load time, so each link is checked here, from the files alone:

- the vocabulary has one entry per row of the embedding matrix (whole numbers 0..n-1, each
  once): a larger one gives ids the weights do not have (an IndexError mid-run), a smaller or
  shuffled one is another model's;
- the special tokens (`</s>`, `<pad>`, `<unk>`, as tokenizer_config.json names them) have the
  ids config.json gives them (eos_token_id, pad_token_id, decoder_start_token_id);
- the SentencePiece pieces are the vocabulary's: every piece the model can produce maps to an
  entry. A few may be missing in a genuine model (they become `<unk>`), so up to
  MAX_FOREIGN_PIECES of them are tolerated; another model's pieces miss by the thousand.

Every problem is a ModelLoadError naming the file and what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from translate.errors import EngineNotInstalledError, ModelLoadError

MAX_FOREIGN_PIECES = 0.01
"""The share of a SentencePiece model's pieces that may be missing from the vocabulary."""
SPECIALS = {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
ANOTHER_MODEL = "the tokenizer and the weights are of different models"
REFETCH = "copy or download the whole model folder again (every file from one model)"


def problem(file: Path, what: str) -> ModelLoadError:
    return ModelLoadError(f"model folder {file.parent}: {file.name} {what}; {REFETCH}")


def check_tokenizer_fit(
    path: Path,
    config: Mapping[str, Any],
    vocabs: Mapping[str, Mapping[str, Any]],
    rows: tuple[str, str, int] | None,
) -> None:
    """Check the links listed in the module docstring. `vocabs` maps vocab.json (and
    target_vocab.json) to its contents; `rows` is (weights file, tensor, rows) of the source
    embedding matrix, None when not known."""
    source = path / "vocab.json"
    target = path / "target_vocab.json"
    if not (target.name in vocabs and tokenizer_config(path).get("separate_vocabs")):
        target = source
    check_ids(source, vocabs[source.name])
    if rows is not None:
        check_size(source, vocabs[source.name], rows)
    if target != source:
        check_ids(target, vocabs[target.name])
        out_rows = config.get("decoder_vocab_size") or config.get("vocab_size")
        if isinstance(out_rows, int):
            check_size(target, vocabs[target.name], ("config.json", "decoder_vocab_size", out_rows))
    check_special_ids(path, config, vocabs[source.name])
    check_pieces(path / "source.spm", source, vocabs[source.name])
    check_pieces(path / "target.spm", target, vocabs[target.name])


def check_size(file: Path, vocab: Mapping[str, Any], rows: tuple[str, str, int]) -> None:
    where, tensor, n = rows
    if len(vocab) != n:
        raise problem(
            file,
            f"has {len(vocab):,} entries but the weights' embedding matrix ({tensor} in "
            f"{where}) has {n:,} rows: {ANOTHER_MODEL}",
        )


def check_ids(file: Path, vocab: Mapping[str, Any]) -> None:
    ids = list(vocab.values())
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise problem(file, "maps a token to something other than a whole-number id")
    if sorted(ids) != list(range(len(ids))):
        raise problem(file, f"does not number its {len(ids):,} tokens 0..{len(ids) - 1} once each")


def tokenizer_config(path: Path) -> dict[str, Any]:
    import json

    try:
        data = json.loads((path / "tokenizer_config.json").read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def special_tokens(path: Path) -> dict[str, str]:
    """eos/pad/unk token strings as tokenizer_config.json names them (plain or {"content"})."""
    found = tokenizer_config(path)
    tokens = {}
    for key, default in SPECIALS.items():
        value = found.get(key, default)
        value = value.get("content", default) if isinstance(value, dict) else value
        tokens[key] = str(value) if value is not None else default
    return tokens


def check_special_ids(path: Path, config: Mapping[str, Any], vocab: Mapping[str, Any]) -> None:
    tokens = special_tokens(path)
    for key in ("eos_token", "pad_token", "unk_token"):
        if tokens[key] not in vocab:
            raise problem(path / "vocab.json", f"has no {tokens[key]!r} ({key}): {ANOTHER_MODEL}")
    wanted = {
        "eos_token_id": tokens["eos_token"],
        "pad_token_id": tokens["pad_token"],
        "decoder_start_token_id": tokens["pad_token"],  # Marian starts decoding from <pad>
    }
    for key, token in wanted.items():
        given = config.get(key)
        if given is not None and given != vocab[token]:
            raise problem(
                path / "config.json",
                f"says {key} {given} but vocab.json gives {token!r} the id {vocab[token]}: "
                f"{ANOTHER_MODEL}",
            )


def check_pieces(spm: Path, vocab_file: Path, vocab: Mapping[str, Any]) -> None:
    """Every normal piece of `spm` (not control or unknown) in `vocab`, but a tolerated few."""
    pieces = normal_pieces(spm)
    foreign = [p for p in pieces if p not in vocab]
    if len(foreign) > MAX_FOREIGN_PIECES * len(pieces):
        shown = ", ".join(repr(p) for p in foreign[:5])
        raise problem(
            spm,
            f"has {len(foreign):,} of its {len(pieces):,} pieces missing from "
            f"{vocab_file.name} (e.g. {shown}): it is another model's SentencePiece model",
        )


def normal_pieces(spm: Path) -> list[str]:
    try:
        import sentencepiece
    except ImportError as e:
        raise EngineNotInstalledError(
            "the Marian tokenizer needs sentencepiece: `pip install 'idcorpus[translate]'`"
        ) from e
    proc = sentencepiece.SentencePieceProcessor(model_file=str(spm))
    return [
        proc.id_to_piece(i)
        for i in range(proc.get_piece_size())
        if not (proc.is_control(i) or proc.is_unknown(i))
    ]
