#!/usr/bin/env bash
# The test command: set up .venv with the development tools, then lint, type-check and run the
# test suite (no network): in parallel, one pytest-xdist worker per core, then the few tests that
# assert on wall-clock time alone. Arguments go to one plain pytest run instead. CI runs it whole
# (.ci/run).
# The inner loop while developing, about 83% of the tests in about 70 s of CPU (no tiny model, no
# CLI subprocess, no Ray: tests/conftest.py marks those by the fixtures and helpers they use;
# nor the few tests marked slow by their module, such as whole test sets scored):
#   .venv/bin/python -m pytest -m "not model and not cli and not ray and not slow" -q
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
bash scripts/setup_browser.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 RAY_USAGE_STATS_ENABLED=0
.venv/bin/ruff check corpus translate scripts tests
.venv/bin/ruff format --check corpus translate scripts tests
.venv/bin/mypy
if [ $# -gt 0 ]; then
    exec .venv/bin/python -m pytest -q "$@"
fi
# the suite in parallel (pytest-xdist: a worker per core, each taking a whole test file at a time,
# so a module's fixtures are built once), then the tests that time a stop, alone
.venv/bin/python -m pytest -q -n auto --dist loadfile -m "not serial"
.venv/bin/python -m pytest -q -m serial
