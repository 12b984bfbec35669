"""The dataset card (README.md): YAML metadata for `load_dataset` and the Hub, then prose.

The card records how the corpus was made (provenance, like sacrebleu's signature), its counts,
what was dropped and why, and summary statistics of each quality signal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import yaml

from corpus.dataset.origin import english_licence, given_section, pipeline_words
from corpus.dataset.schema import LANGUAGES, REJECTED_COLUMNS, REJECTED_DOCS, features_yaml
from corpus.names import json_shown, shown, utf8_data, utf8_text
from corpus.report import RunWarning

LICENSE_NAME = "idcorpus-mixed"
LICENSE_FILE = "LICENSE.md"
OPUS_MT_NOTE = (
    "The English side was machine-translated by {model}, released by Helsinki-NLP under "
    'CC-BY 4.0 (Tiedemann & Thottingal, 2020, "OPUS-MT — Building open translation services '
    'for the World", EAMT): credit it when you publish this corpus.'
)
OTHER_MODEL_NOTE = (
    "The English side was machine-translated by the model {model}: check that model's licence "
    "before you publish this corpus."
)
SOURCE_NOTE = (
    "The Indonesian side is text of the input documents and keeps their licences; respecting "
    "them is the publisher's responsibility. For that reason this dataset is marked "
    "`license: other` (`license_name: idcorpus-mixed`)."
)


def license_text(provenance: Mapping[str, object]) -> str:
    """The LICENSE.md of a dataset folder: what covers each side of the pairs."""
    model = str(_mapping(provenance.get("translator")).get("model", "the model named in README.md"))
    note = OPUS_MT_NOTE if "opus-mt" in model.lower() else OTHER_MODEL_NOTE
    note = english_licence(provenance, note.format(model=model))
    return "# Licence\n\n" + note + "\n\n" + SOURCE_NOTE + "\n"


@dataclass(frozen=True)
class CardInfo:
    name: str
    columns: Mapping[str, str]
    column_docs: Mapping[str, str]
    split_counts: Mapping[str, int]
    provenance: Mapping[str, object]
    report: Mapping[str, object]
    quantiles: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    filter_report: Mapping[str, object] | None = None
    split_bytes: Mapping[str, int] = field(default_factory=dict)
    rejected_rows: int = 0
    rejected_bytes: int = 0
    flags: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # split -> flag -> rows

    def flag_totals(self) -> dict[str, int]:
        """Rows per flag in all splits (flags in column order)."""
        total: dict[str, int] = {}
        for split in self.flags.values():
            for name, n in split.items():
                total[name] = total.get(name, 0) + n
        return total


def card_yaml(info: CardInfo) -> dict[str, object]:
    """The card's YAML: the pairs as the default config; with rejected rows, the `rejected`
    config too (then `dataset_info` is a list, one entry per config)."""
    splits = [s for s in info.split_counts]
    pairs = {
        "features": features_yaml(info.columns),
        "splits": [
            {"name": s, "num_bytes": int(info.split_bytes.get(s, 0)), "num_examples": n}
            for s, n in info.split_counts.items()
        ],
    }
    configs: list[dict[str, object]] = [
        {
            "config_name": "default",
            "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in splits],
        }
    ]
    info_yaml: object = pairs
    if info.rejected_rows:
        configs.append(
            {
                "config_name": "rejected",
                "data_files": [{"split": "train", "path": "rejected/train-*.parquet"}],
            }
        )
        rejected = {
            "features": [{"name": c, "dtype": t} for c, t in REJECTED_COLUMNS.items()],
            "splits": [{"name": "train", "num_bytes": int(info.rejected_bytes),
                        "num_examples": int(info.rejected_rows)}],
        }  # fmt: skip
        info_yaml = [{"config_name": "default", **pairs}, {"config_name": "rejected", **rejected}]
    return {
        "language": list(LANGUAGES),
        "license": "other",
        "license_name": LICENSE_NAME,
        "license_link": LICENSE_FILE,
        "task_categories": ["translation"],
        "pretty_name": info.name,
        "tags": ["machine-translated", "idcorpus", "opus-mt"],
        "configs": configs,
        "dataset_info": info_yaml,
    }


def _table(header: tuple[str, ...], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def cell(value: object) -> str:
    """A value as literal text in a Markdown table cell: one line, no markup, no HTML."""
    text = " ".join(str(value).split())
    for ch in "\\`*[]<>|#":  # "_" inside words is not emphasis in CommonMark
        text = text.replace(ch, "\\" + ch)
    return text


def render_card(info: CardInfo) -> str:
    """The card's text; every name in it (inputs, documents, the folder's own) is escaped
    once, here: no control character or undecodable byte reaches it raw (corpus.names)."""
    info = replace(info, name=shown(utf8_text(info.name), keep=""))
    meta = yaml.safe_dump(utf8_data(card_yaml(info)), sort_keys=False, allow_unicode=True)
    total = sum(info.split_counts.values())
    parts = [
        f"---\n{meta}---\n",
        f"# {info.name}\n",
        f"Indonesian–English parallel corpus of {total:,} sentence pairs, built by idcorpus "
        f"{info.provenance.get('tool_version', '')} {pipeline_words(info.provenance)}\n",
        "## How to load\n",
        "```python\nfrom datasets import load_dataset\n\n"
        'ds = load_dataset("path/to/this/folder")\n'
        "print(ds[\"train\"][0][\"translation\"])  # {'id': ..., 'en': ...}\n```\n",
        "## Splits\n",
        _table(("split", "pairs"), list(info.split_counts.items())) + "\n",
        *_rejected_section(info),
        "## Columns\n",
        _table(
            ("column", "type", "meaning"),
            [("translation", "Translation(id, en)", info.column_docs.get("translation", ""))]
            + [(c, t, info.column_docs.get(c, "")) for c, t in info.columns.items()],
        )
        + "\n",
    ]
    parts += _signal_sections(info)
    parts += given_section(info.provenance)
    parts += _report_sections(info)
    parts += [
        "## Provenance\n",
        "```json\n" + _json(info.provenance) + "\n```\n",
        "## Licence\n",
        f"See [{LICENSE_FILE}]({LICENSE_FILE}).\n",
    ]
    return shown("\n".join(parts))


def _signal_sections(info: CardInfo) -> list[str]:
    """Quantiles of each numeric signal, then the rows that carry each flag."""
    parts: list[str] = []
    if info.quantiles:
        qnames = sorted({q for qs in info.quantiles.values() for q in qs}, key=lambda s: int(s[1:]))
        rows = [(c, *(qs.get(q, "") for q in qnames)) for c, qs in info.quantiles.items()]
        parts += ["## Signal statistics\n", _table(("signal", *qnames), rows) + "\n"]
    flags = info.flag_totals()
    if flags:
        total = sum(info.split_counts.values())
        rows = [(f, f"{n:,}", f"{n / total:.2%}" if total else "") for f, n in flags.items()]
        parts += [
            "### Flags\n",
            "Rows that carry each flag, counted exactly over all splits (per split in "
            "`idcorpus.json`, `flags`); `idcorpus filter --drop-flagged FLAG` removes them, "
            "`--drop-test-overlap` the rows that share a sentence or a long n-gram with a "
            "vendored test set (`is_test_overlap`).\n",
            _table(("flag", "rows", "share"), rows) + "\n",
        ]
    return parts


def _rejected_section(info: CardInfo) -> list[str]:
    if not info.rejected_rows:
        return []
    return [
        "## Rejected units\n",
        f"The {info.rejected_rows:,} units the build dropped, one row each with its stage, "
        "reason and place in its document, are the `rejected` configuration:\n",
        '```python\nrejected = load_dataset("path/to/this/folder", "rejected")["train"]\n```\n',
        _table(("column", "type", "meaning"),
               [(c, t, REJECTED_DOCS[c]) for c, t in REJECTED_COLUMNS.items()]) + "\n",
    ]  # fmt: skip


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _report_sections(info: CardInfo) -> list[str]:
    counts = _mapping(info.report.get("counts"))
    dropped = _mapping(info.report.get("dropped"))
    skipped = [_items(s) for s in _items(info.report.get("skipped_inputs"))]
    parts = ["## Build report\n", _table(("count", "value"), sorted(counts.items())) + "\n"]
    if dropped:
        parts += [
            "### Dropped units by reason\n",
            _table(("stage:reason", "units"), sorted(dropped.items())) + "\n",
        ]
    warnings = [RunWarning.from_data(w) for w in _items(info.report.get("warnings"))]
    if warnings:
        lines = [f"- {cell(w)}" for w in warnings]
        kept = Counter(w.kind for w in warnings)
        for kind, n in _mapping(info.report.get("warning_counts")).items():
            if isinstance(n, int) and n > kept[kind]:
                lines.append(f"- ... and {n - kept[kind]:,} more of kind `{kind}`")
        parts += ["### Warnings\n", "\n".join(lines) + "\n"]
    examples = _mapping(info.report.get("examples"))
    if examples:
        rows = [
            (k, e.get("doc", ""), e.get("text", ""))
            for k, found in sorted(examples.items())
            for e in map(_mapping, _items(found))
        ]
        parts += [
            "### Examples of dropped units\n",
            _table(("stage:reason", "document", "text"), rows) + "\n",
        ]
    if skipped:
        parts += [
            "### Skipped inputs\n",
            _table(("input", "reason"), skipped) + "\n",
        ]
    if info.filter_report:
        rules = sorted(_mapping(info.filter_report.get("dropped")).items())
        parts += ["### Filter\n", _table(("rule", "rows dropped"), rules) + "\n"]
    return parts


def _json(data: Mapping[str, object]) -> str:
    import json

    text = json.dumps(utf8_data(data), indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return json_shown(text)
