"""How a corpus was made: tool, model@revision, engine, decoding, stage versions, libraries.

Printed at the end of a run and stored in the card and `idcorpus.json`, so two corpora can be
compared at a glance (in the spirit of sacrebleu's signature). Nothing here depends on time or
machine, so identical builds write identical folders.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from corpus import __version__
from corpus.clean import CLEANER_VERSION
from corpus.config import BuildConfig
from corpus.report import Report
from corpus.segment import SEGMENTER_VERSION
from translate.base import Translator

LIBRARIES = ("torch", "transformers", "sentencepiece", "ctranslate2", "pyarrow", "datasets", "ray")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def collect(config: BuildConfig, translator: Translator) -> dict[str, Any]:
    engine = translator.describe()
    prov: dict[str, Any] = {
        "tool": "idcorpus",
        "tool_version": __version__,
        "translator": engine,
        "segmenter": "presplit (one sentence per line)"
        if config.read.presplit
        else SEGMENTER_VERSION,
        "cleaner": CLEANER_VERSION,
        "splits": {name: fraction for name, fraction in config.splits},
        "split_seed": config.seed,
        "libraries": library_versions(),
    }
    prov["signature"] = signature(prov)
    return prov


def signature(prov: dict[str, Any]) -> str:
    t = prov.get("translator", {})
    parts = [
        f"idcorpus:{prov['tool_version']}",
        f"model:{t.get('model', '?')}@{t.get('revision') or 'local'}",
        f"engine:{t.get('engine', '?')}/{t.get('compute_type', '?')}",
        f"beams:{t.get('num_beams', '?')}",
        f"seg:{prov['segmenter']}",
        f"clean:{prov['cleaner']}",
    ]
    return "|".join(parts)


def write_json(
    path: Path,
    prov: dict[str, Any],
    report: Report,
    filter_report: Any,
    split_counts: dict[str, int],
) -> None:
    data = {
        "provenance": prov,
        "report": report.to_dict(),
        "filter": filter_report,
        "splits": split_counts,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str))
