"""What the report needs that a bare install lacks, and the file it writes (no heavy import)."""

from __future__ import annotations

import importlib.util

from corpus.errors import ConfigError

REPORT_FILE = "report.html"
MISSING = 'report.html needs matplotlib: pip install "idcorpus[report]"'


def require_report_extra() -> None:
    """Raise ConfigError naming the extra to install when matplotlib is missing."""
    if importlib.util.find_spec("matplotlib") is None:
        raise ConfigError(MISSING)
