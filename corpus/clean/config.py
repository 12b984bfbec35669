"""Options of the line cleaner (corpus/clean/cleaner.py), validated once."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.errors import ConfigError


@dataclass(frozen=True)
class CleanConfig:
    """Options of the line cleaner (see the module doc). `cross_doc_min_docs=0` disables the
    cross-document repeats; `max_tracked_lines` bounds their memory (about 100 bytes a line)."""

    drop_boilerplate: bool = True
    strip_datelines: bool = True
    fix_scraped_text: bool = True
    repeat_min_count: int = 3
    repeat_max_chars: int = 80
    cross_doc_min_docs: int = 3
    cross_doc_max_chars: int = 200
    max_tracked_lines: int = 500_000

    def __post_init__(self) -> None:
        if self.repeat_min_count < 2:
            raise ConfigError(
                f"CleanConfig.repeat_min_count must be >= 2, got {self.repeat_min_count}"
            )
        for name in ("repeat_max_chars", "cross_doc_min_docs", "cross_doc_max_chars"):
            if getattr(self, name) < 0:
                raise ConfigError(f"CleanConfig.{name} must be >= 0, got {getattr(self, name)}")
        if self.cross_doc_min_docs == 1:
            raise ConfigError("CleanConfig.cross_doc_min_docs must be 0 (off) or >= 2, got 1")
        if self.max_tracked_lines < 1:
            raise ConfigError("CleanConfig.max_tracked_lines must be >= 1")
