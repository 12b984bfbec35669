#!/usr/bin/env bash
# The test command: set up .venv, then lint, type-check and run the test suite (no network).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_browser.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 RAY_USAGE_STATS_ENABLED=0
.venv/bin/ruff check corpus translate scripts tests
.venv/bin/ruff format --check corpus translate scripts tests
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
