"""How inputs are read: the options of `corpus.read.inputs` (the reader of each format is in
corpus/read/inputs.py, READERS, whose keys are FORMATS)."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.errors import ConfigError
from translate.options import flag

FORMATS = ("auto", "text", "html", "jsonl", "csv", "tsv", "parquet", "hf")
FORMAT_ALIASES = {"txt": "text"}


def format_choices() -> tuple[str, ...]:
    """Every name --format accepts: the formats and their aliases."""
    return (*FORMATS, *FORMAT_ALIASES)


@dataclass(frozen=True)
class ReadConfig:
    """How inputs are read. `presplit` is read by the pipeline (one sentence per line).
    `input_format` may be an alias (txt); it is stored as the format's name (text)."""

    text_field: str = field(
        default="text",
        metadata=flag("the text column of JSONL, CSV, TSV, Parquet or dataset input"),
    )
    id_field: str | None = field(
        default=None,
        metadata=flag(
            "a column holding each record's document id", default_text="FILE:LINE of the record"
        ),
    )
    input_format: str = field(
        default="auto",
        metadata=flag(
            "how to read the inputs; auto goes by file extension (.txt .html .jsonl .csv .tsv "
            ".parquet, also compressed)",
            name="--format",
            choices=format_choices(),
        ),
    )
    split: str = field(
        default="train",
        metadata=flag(
            "the split of a Hugging Face dataset input to read (--split names output splits)",
            name="--input-split",
            metavar="NAME",
        ),
    )
    presplit: bool = field(
        default=False,
        metadata=flag(
            "the input is one sentence per line: each line is one pair, nothing is cleaned away"
        ),
    )
    target: str | None = field(
        default=None,
        metadata=flag(
            "build from given translations: this text file holds the English of the input, "
            "line i of it translating line i of the input (with --presplit and one input "
            "file); nothing is translated",
            metavar="FILE",
        ),
    )
    target_field: str | None = field(
        default=None,
        metadata=flag(
            "build from given translations: the column of JSONL, CSV, TSV, Parquet or dataset "
            "input holding each record's English (with --presplit; the source is "
            "--text-field); each record is one pair, nothing is translated",
            metavar="NAME",
        ),
    )
    glob: str = "*.txt"

    @property
    def given(self) -> bool:
        """Whether the translations are given (--target or --target-field), not made."""
        return self.target is not None or self.target_field is not None

    def __post_init__(self) -> None:
        fmt = FORMAT_ALIASES.get(self.input_format, self.input_format)
        object.__setattr__(self, "input_format", fmt)
        if fmt not in FORMATS:
            raise ConfigError(
                f"unknown input format {fmt!r}; valid choices are: " + ", ".join(format_choices())
            )
        for name in ("text_field", "split", "glob"):
            if not getattr(self, name).strip():
                raise ConfigError(f"--{name.replace('_', '-')} must not be empty")
        if self.id_field is not None and not self.id_field.strip():
            raise ConfigError("--id-field must not be empty (leave it out to number records)")
        self._check_given()

    def _check_given(self) -> None:
        if self.target is not None and self.target_field is not None:
            raise ConfigError(
                "give the translations either as a file (--target) or as a column of the "
                "records (--target-field), not both"
            )
        if self.target is not None and not self.target.strip():
            raise ConfigError("--target must not be empty: name the file of the translations")
        if self.target_field is not None:
            if not self.target_field.strip():
                raise ConfigError("--target-field must not be empty: name the English column")
            if self.target_field == self.text_field:
                raise ConfigError(
                    f"--target-field and --text-field both name {self.text_field!r}: the "
                    "source and its translation must be two columns"
                )
        if self.given and not self.presplit:
            flag_ = "--target" if self.target is not None else "--target-field"
            raise ConfigError(
                f"{flag_} pairs the input with given translations line by line (or record by "
                "record), so nothing may be cleaned away or re-segmented: add --presplit"
            )
        if self.target is not None and self.input_format not in ("auto", "text"):
            raise ConfigError(
                f"--target pairs two text files; for {self.input_format} input with both "
                "sides in each record use --target-field"
            )
