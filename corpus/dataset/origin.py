"""Where the English of a dataset came from, in words for its card and LICENSE.md: made by a
model (a build that translates), or given with the input (`--target FILE`, `--target-field
NAME`), scored by a named model or not scored at all. Read from the provenance only (the
translator's description and the build settings), so `filter` and `export` say the same as
the build did. Names are public (a file's name, never its path)."""

from __future__ import annotations

from collections.abc import Mapping


def given_from(provenance: Mapping[str, object]) -> str | None:
    """`file en.txt` or `column en` when the translations were given, else None."""
    translator = _mapping(provenance.get("translator"))
    if translator.get("translations") != "given":
        return None
    read = _mapping(_mapping(provenance.get("build")).get("read"))
    if read.get("target"):
        return f"file {read['target']}"
    return f"column {read.get('target_field') or '?'}"


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def pipeline_words(provenance: Mapping[str, object]) -> str:
    """The card's one-line account of how the pairs were made."""
    where = given_from(provenance)
    if where is None:
        return (
            "from Indonesian documents: read → clean → segment → machine-translate (id→en) → pairs."
        )
    return f"from given pairs: Indonesian input with its English given in the {where}."


def given_section(provenance: Mapping[str, object]) -> list[str]:
    """The card's section on given translations (empty for a translating build)."""
    where = given_from(provenance)
    if where is None:
        return []
    translator = _mapping(provenance.get("translator"))
    if translator.get("engine") == "none":
        score = (
            "`score` is null in every row: no model was named (`--model`), so none was loaded "
            "to score the given translations (a null score is no score, not a low one: "
            "`filter --min-score` keeps such rows)."
        )
    else:
        score = (
            f"`score` is the forced-decoding mean log-probability per token of the given "
            f"English under {translator.get('model', 'the model')} (eos included; the scale of "
            "the score of a build that translates with that model)."
        )
    return [
        "## Given translations\n",
        f"Nothing was translated: the English was given in the {where}, one pair per line "
        "(or record), in input order, and is kept exactly as given (only the line break "
        "removed). A pair with an empty side is a dropped unit (`read:empty_source`, "
        f"`read:empty_target`). {score} The signals are computed from the two texts as for "
        "any build; those of decoding (`is_split`, `is_retried`, `has_unk`, "
        "`length_ratio_tokens`) have nothing to report.\n",
    ]


def english_licence(provenance: Mapping[str, object], translated_note: str) -> str:
    """LICENSE.md's sentence on the English side (`translated_note`: the model's, used when
    the English was machine-translated here)."""
    where = given_from(provenance)
    if where is None:
        return translated_note
    return (
        f"The English side was given with the input (the {where}), not translated here: it "
        "keeps the licence of that input."
    )
