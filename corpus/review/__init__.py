"""report.html: what a person reads of a dataset folder (issue 23).

`write_report(folder)` scans the folder once (pairs, rejected units, idcorpus.json) and writes
`folder/report.html`, one self-contained page of aggregates and samples; `idcorpus report
FOLDER` calls it, and so do build and filter on the folder they are about to publish.
Modules, in data-flow order: samples (bounded summaries) and rules (what the filter would
remove) -> scan (one streaming pass) -> charts (matplotlib SVG), thresholds, pairview,
docview (the sections) -> page (the HTML and `write_report`); deps names the extra. Importing
this package imports nothing heavy.
"""

from __future__ import annotations

from pathlib import Path

from corpus.review.deps import MISSING, REPORT_FILE, require_report_extra


def write_report(folder: str | Path, *, name: str | None = None) -> Path:
    """Write `folder/report.html` and return its path; `name`: the title's folder name when
    `folder` is a staged folder (see corpus.review.page.write_report). Raises ConfigError
    naming the extra to install when matplotlib is missing."""
    require_report_extra()
    from corpus.review.page import write_report as write

    return write(folder, name=name)


__all__ = ["MISSING", "REPORT_FILE", "write_report"]
