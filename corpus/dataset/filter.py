"""Filter a corpus by its per-pair signals: thresholds, required languages, flags, duplicates.

Rules run in this order and the first one a row fails is the one it is counted under, so
``kept + sum(dropped.values()) == input_rows`` always holds:

1. ``min_score``      score (mean token log-prob) below `min_score`. A null score (given
                      translations built without a model) is no score, not a low one:
                      this rule keeps the row.
2. ``length_ratio``   length_ratio_chars outside [min_length_ratio, max_length_ratio]; only
                      judged for sources of `RATIO_MIN_WORDS` (4) words or more, since the
                      ratio of a 1-3 word fragment says little ("RI" -> "Indonesia").
3. ``src_lang``       src_lang is not `require_src_lang` (one of the identifier's labels:
                      id, ms, en, jv, su, tl, min, ban, bjn, ace) AND that call is confident
                      (src_lang_conf >= `lang_confidence`, 0.75): Indonesian and Malay
                      overlap, so an unsure "ms" is not dropped.
4. ``tgt_lang``       the same for tgt_lang and `require_tgt_lang`.
5. ``flag:<name>``    one rule per flag in `drop_flagged`, in that order.
6. ``duplicate``      the pair was already kept: identical text (``dedup="exact"``) or the
                      same after `near_key` normalisation (``dedup="near"``). Only rows that
                      passed every other rule claim a pair, and the whole dataset is one
                      pool (train first), so no pair is in two splits.

Defaults (`FilterConfig()`, what `idcorpus filter` applies) drop clearly bad rows only:
a mean token probability under 5% (score < -3.0) means the model was guessing; a character
ratio outside 0.3..3.0 (human id->en references lie in 0.41..1.70 for 99.8% of pairs)
means text was lost or invented; a confident other language on either side is not an id-en
pair; degenerate and untranslated rows are noise to a training run (copies of the source
are the most harmful kind, Khayrallah & Koehn 2018); exact duplicates add nothing.
`FilterConfig.off()` disables everything; `build` applies no filter unless asked.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from corpus.dataset.pairkeys import pair_key
from corpus.errors import ConfigError
from corpus.signals.quality import LANGUAGES, NON_ID_CONFIDENCE, SIGNAL_COLUMNS
from translate.options import flag
from translate.robust import RATIO_MIN_WORDS, RATIO_RANGE

log = logging.getLogger(__name__)
MIN_LENGTH_RATIO = 0.4
"""Default minimum target/source character ratio: human id->en references lie in 0.41..1.70
for 99.8% of pairs; at 0.4 (was 0.3) the default filter removes 98% of outputs cut to their
first third and 0.07 points more of the real outputs of scripts/bench_signals.py."""
TGT_LANG_CONFIDENCE = 0.5
"""A translation labelled another language than the required one at this probability is
dropped. Lower than the source's 0.75: English is never unsure between Indonesian and Malay,
but a Malay or Indonesian output is (split between id and ms): at 0.75 half of the Malay
outputs of scripts/bench_signals.py passed, at 0.5 99.9% are removed."""
FLAGS = tuple(name for name, kind in SIGNAL_COLUMNS.items() if kind == "bool")
DEDUP_MODES = ("none", "exact", "near")
THRESHOLDS = ("min_score", "min_length_ratio", "max_length_ratio", "lang_confidence",
              "tgt_lang_confidence")  # fmt: skip
OVERLAP_FLAG = "is_test_overlap"
Row = Mapping[str, object]  # a dataset row (column -> value)


def _language(text: str) -> str | None:
    """A language code, or '' for any language (the rule off)."""
    return text.strip() or None


def _flag_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


@dataclass(frozen=True)
class FilterConfig:
    """Thresholds; None (or dedup "none", or an empty drop_flagged) turns a rule off. The
    fields with `flag(...)` are the options of `idcorpus filter` (with these defaults) and of
    `build` (where only the options given apply)."""

    min_score: float | None = field(
        default=-3.0,
        metadata=flag(
            "drop pairs whose score (mean log-probability per token, <= 0) is lower: the model "
            "was guessing (a null score, of given translations built without --model, is not "
            "low: such a row is kept by this rule)"
        ),
    )
    min_length_ratio: float | None = field(
        default=MIN_LENGTH_RATIO,
        metadata=flag("drop pairs whose English/Indonesian length ratio (characters) is lower"),
    )
    max_length_ratio: float | None = field(
        default=RATIO_RANGE[1],
        metadata=flag("drop pairs whose English/Indonesian length ratio (characters) is higher"),
    )
    require_src_lang: str | None = field(
        default="id",
        metadata=flag(
            f"drop pairs whose source is confidently another language, one of "
            f"{', '.join(LANGUAGES)} ('' keeps every language)",
            parse=_language,
            metavar="CODE",
        ),
    )
    require_tgt_lang: str | None = field(
        default="en",
        metadata=flag(
            "the same for the translation ('' keeps every language)",
            parse=_language,
            metavar="CODE",
        ),
    )
    lang_confidence: float = NON_ID_CONFIDENCE
    tgt_lang_confidence: float = TGT_LANG_CONFIDENCE
    drop_flagged: tuple[str, ...] = field(
        default=("is_degenerate", "is_untranslated", "is_number_mismatch"),
        metadata=flag(
            f"comma-separated flags whose pairs are dropped, of: {', '.join(FLAGS)} ('' drops "
            "none)",
            parse=_flag_names,
            metavar="FLAG[,FLAG...]",
            default_text="is_degenerate,is_untranslated,is_number_mismatch",
        ),
    )
    drop_test_overlap: bool = field(
        default=False,
        metadata=flag(
            "drop pairs that share a sentence or a 10-word run with the vendored test sets "
            "(FLORES, NTREX, TICO-19, Tatoeba, NusaX): adds is_test_overlap to --drop-flagged"
        ),
    )
    dedup: str = field(
        default="exact",
        metadata=flag(
            "drop repeated pairs: exact text, or near (case, punctuation, digits and spacing "
            "ignored)",
            choices=DEDUP_MODES,
        ),
    )

    def __post_init__(self) -> None:
        flags = tuple(self.drop_flagged)
        if self.drop_test_overlap:  # its flag goes last, after the others
            flags = (*(f for f in flags if f != OVERLAP_FLAG), OVERLAP_FLAG)
        object.__setattr__(self, "drop_flagged", flags)
        object.__setattr__(self, "drop_test_overlap", OVERLAP_FLAG in flags)
        unknown = [f for f in self.drop_flagged if f not in FLAGS]
        if unknown:
            raise ConfigError(
                f"unknown flag(s) {', '.join(unknown)}; choose from: {', '.join(FLAGS)}"
            )
        if self.dedup not in DEDUP_MODES:
            raise ConfigError(
                f"unknown dedup {self.dedup!r}; choose one of: {', '.join(DEDUP_MODES)}"
            )
        for name in THRESHOLDS:
            check_finite(name, getattr(self, name))
        low, high = self.min_length_ratio, self.max_length_ratio
        if (low is not None and low < 0) or (high is not None and high <= 0):
            raise ConfigError("length ratios must be positive")
        if low is not None and high is not None and low > high:
            raise ConfigError(f"--min-length-ratio {low} is above --max-length-ratio {high}")
        for name in ("lang_confidence", "tgt_lang_confidence"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be in 0..1, got {getattr(self, name)}")
        for name in ("require_src_lang", "require_tgt_lang"):
            if getattr(self, name) not in (None, *LANGUAGES):
                raise ConfigError(
                    f"unknown {name} {getattr(self, name)!r}; choose one of: {', '.join(LANGUAGES)}"
                )

    @classmethod
    def off(cls) -> FilterConfig:
        """A filter that keeps every row."""
        return cls(None, None, None, None, None, drop_flagged=(), dedup="none")

    def rules(self) -> tuple[str, ...]:
        """The enabled rules, in the order they are applied."""
        rules = ["min_score"] if self.min_score is not None else []
        if self.min_length_ratio is not None or self.max_length_ratio is not None:
            rules.append("length_ratio")
        rules += ["src_lang"] if self.require_src_lang else []
        rules += ["tgt_lang"] if self.require_tgt_lang else []
        rules += [f"flag:{f}" for f in self.drop_flagged]
        return (*rules, "duplicate") if self.dedup != "none" else tuple(rules)

    def required_columns(self) -> list[str]:
        """Columns the enabled rules read (besides `translation`)."""
        need = {"min_score": ["score"], "length_ratio": ["length_ratio_chars"],
                "src_lang": ["src_lang", "src_lang_conf"], "tgt_lang": ["tgt_lang", "tgt_lang_conf"]}  # fmt: skip
        cols = [c for rule in self.rules() for c in need.get(rule, [])]
        return cols + list(self.drop_flagged)


def check_finite(name: str, value: float | None) -> None:
    """A threshold is a finite number (or None: the rule is off); NaN would silently keep or
    drop everything, an infinite bound says nothing a missing one does not."""
    if value is not None and not math.isfinite(value):
        what = name if name.endswith("lang_confidence") else "--" + name.replace("_", "-")
        raise ConfigError(f"{what} must be a finite number, got {value}")


@dataclass
class FilterReport:
    """Rows read, kept, and dropped per rule (in rule order; 0 when a rule dropped none);
    `flags`: rows written per flag (bool signal), set by corpus.dataset.filter_folder from
    what its writer counted (not part of `to_dict`: the card and JSON have their own)."""

    input_rows: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_config(cls, config: FilterConfig) -> FilterReport:
        return cls(dropped=dict.fromkeys(config.rules(), 0))

    def adds_up(self) -> bool:
        return self.kept + sum(self.dropped.values()) == self.input_rows

    def to_dict(self) -> dict[str, object]:
        return {"input_rows": self.input_rows, "kept": self.kept, "dropped": dict(self.dropped)}


class RowFilter:
    """Applies a FilterConfig row by row. Dedup keeps one 16-byte hash per kept pair in
    memory (about 100 bytes per row with the set's overhead: 1 GB per 10 million rows)."""

    def __init__(self, config: FilterConfig, report: FilterReport | None = None) -> None:
        self.config = config
        self.report = report if report is not None else FilterReport.for_config(config)
        self._seen: set[bytes] = set()
        self._checked = False
        self.last_rule: str | None = None  # the rule the last row failed (None: kept)

    def keep(self, row: Row) -> bool:
        if not self._checked:
            check_columns(row, self.config)
            self._checked = True
        self.report.input_rows += 1
        rule = self.last_rule = self.failing_rule(row)
        if rule is None:
            self.report.kept += 1
            return True
        self.report.dropped[rule] = self.report.dropped.get(rule, 0) + 1
        return False

    def failing_rule(self, row: Row) -> str | None:
        c = self.config
        score = number(row, "score")  # null: given translations that no model scored, kept
        if c.min_score is not None and score is not None and score < c.min_score:
            return "min_score"
        if not ratio_ok(row, c):
            return "length_ratio"
        if c.require_src_lang and _other_lang(row, "src", c.require_src_lang, c.lang_confidence):
            return "src_lang"
        if c.require_tgt_lang and _other_lang(
            row, "tgt", c.require_tgt_lang, c.tgt_lang_confidence
        ):
            return "tgt_lang"
        for name in c.drop_flagged:
            if row[name]:
                return f"flag:{name}"
        if c.dedup != "none":
            key = pair_key(pair_of(row), near=c.dedup == "near")
            if key in self._seen:
                return "duplicate"
            self._seen.add(key)
        return None


def filter_rows(rows: Iterable[Row], config: FilterConfig) -> tuple[Iterator[Row], FilterReport]:
    """The rows `config` keeps (lazily, in order) and the report, complete once consumed."""
    row_filter = RowFilter(config)
    return (row for row in rows if row_filter.keep(row)), row_filter.report


def check_columns(row: Row, config: FilterConfig) -> None:
    missing = [c for c in ["translation", *config.required_columns()] if c not in row]
    if missing:
        raise ConfigError(
            f"the corpus has no column(s) {', '.join(missing)} that the filter needs; "
            "rebuild it without --no-signals, or turn those rules off"
        )


def ratio_ok(row: Row, config: FilterConfig) -> bool:
    low, high = config.min_length_ratio, config.max_length_ratio
    if (low is None and high is None) or len(pair_of(row)[0].split()) < RATIO_MIN_WORDS:
        return True
    ratio = number(row, "length_ratio_chars")
    if ratio is None:
        return True
    return (low is None or ratio >= low) and (high is None or ratio <= high)


def _other_lang(row: Row, side: str, required: str, confidence: float) -> bool:
    lang, conf = row[f"{side}_lang"], number(row, f"{side}_lang_conf")
    return lang != required and conf is not None and conf >= confidence


def number(row: Row, column: str) -> float | None:
    """A numeric column's value (None when null)."""
    value = row[column]
    return float(value) if isinstance(value, int | float) else None


def pair_of(row: Row) -> tuple[str, str]:
    """(id, en) of a row's `translation`."""
    pair = row["translation"]
    if not isinstance(pair, Mapping):
        raise ConfigError(f"a row's translation is not an {{id, en}} pair: {pair!r}")
    return str(pair["id"] or ""), str(pair["en"] or "")
