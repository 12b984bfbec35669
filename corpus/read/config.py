"""How inputs are read: the options of `corpus.read.inputs` (the reader of each format is in
corpus/read/inputs.py, READERS, whose keys are FORMATS)."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.errors import ConfigError

FORMATS = ("auto", "text", "html", "jsonl", "csv", "tsv", "parquet", "hf")
FORMAT_ALIASES = {"txt": "text"}


def format_choices() -> tuple[str, ...]:
    """Every name --format accepts: the formats and their aliases."""
    return (*FORMATS, *FORMAT_ALIASES)


@dataclass(frozen=True)
class ReadConfig:
    """How inputs are read. `presplit` is read by the pipeline (one sentence per line).
    `input_format` may be an alias (txt); it is stored as the format's name (text)."""

    text_field: str = "text"
    id_field: str | None = None
    input_format: str = "auto"
    split: str = "train"
    presplit: bool = False
    glob: str = "*.txt"

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
