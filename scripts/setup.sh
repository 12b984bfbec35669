#!/usr/bin/env bash
# Create .venv and install idcorpus with its extras. Idempotent: reinstalls only when
# pyproject.toml or the package's file list changed. torch==2.13.0 (CPU) goes in first so that
# nothing pulls a CUDA build. The install is editable in strict mode: only the packages are
# exposed (through a link tree), so a folder named corpus/ in the working directory (a
# dataset written with --out corpus/) can never shadow the package.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
stamp=.venv/.idcorpus-installed
want=$( (cat pyproject.toml; find corpus translate -type f -not -name '*.pyc' | sort) | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q "torch==${TORCH_VERSION:-2.13.0}"
    .venv/bin/python -m pip install -q -e ".[dev]" --config-settings editable_mode=strict
    echo "$want" > "$stamp"
fi
