#!/usr/bin/env bash
# The main job: set up .venv (what idcorpus needs to run, no development tools), then build the
# parallel corpus from seeds/ into build/seeds-corpus. Extra arguments go to `idcorpus build`,
# e.g. --model /path/to/opus-mt-id-en (a local copy; see the README for the offline route).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/idcorpus build seeds --out "${OUT:-build/seeds-corpus}" --overwrite "$@"
