#!/usr/bin/env bash
# The test command: set up .venv with the development tools, then lint, type-check and run the
# test suite (no network). Arguments go to pytest. CI runs it whole (.ci/run).
# The inner loop while developing, about 82% of the tests in about a minute of CPU (no tiny model, no
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
.venv/bin/python -m pytest -q "$@"
