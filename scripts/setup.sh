#!/usr/bin/env bash
# Create .venv and install idcorpus into it.
#   bash scripts/setup.sh        what the idcorpus commands need (the `cli` extra: engines,
#                                datasets, HTML, language ID, evaluation; not Ray)
#   bash scripts/setup.sh dev    that, plus Ray and the test, lint and type-check tools (the
#                                `dev` extra; scripts/test.sh runs this)
# Idempotent: installs again only when pyproject.toml or the package's file list changed (a dev
# install also serves the plain one). torch==2.13.0 (CPU) goes in first so that nothing pulls a
# CUDA build. The install is editable in strict mode: only the packages are exposed (through a
# link tree), so a folder named corpus/ in the working directory (a dataset written with
# --out corpus/) can never shadow the package. pip prints errors only (-qq).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-cli}
case "$mode" in
    cli | dev) ;;
    *) echo "usage: bash scripts/setup.sh [dev]" >&2; exit 2 ;;
esac
PY=${PYTHON:-python3}

stamp() {  # what an install of extra $1 was made from
    (echo "$1"; cat pyproject.toml; find corpus translate -type f -not -name '*.pyc' | sort) |
        sha256sum | cut -c1-16
}
have_cli=$(cat .venv/.idcorpus-cli 2>/dev/null || true)
have_dev=$(cat .venv/.idcorpus-dev 2>/dev/null || true)
if [ -x .venv/bin/python ] && { [ "$have_dev" = "$(stamp dev)" ] ||
    { [ "$mode" = cli ] && [ "$have_cli" = "$(stamp cli)" ]; }; }; then
    exit 0
fi

echo "idcorpus: setting up .venv ($mode; the first time takes a few minutes)" >&2
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
pip=(.venv/bin/python -m pip install -qq --disable-pip-version-check --root-user-action=ignore
    --no-input)
"${pip[@]}" --upgrade pip
"${pip[@]}" "torch==${TORCH_VERSION:-2.13.0}"
"${pip[@]}" -e ".[$mode]" --config-settings editable_mode=strict
stamp "$mode" > ".venv/.idcorpus-$mode"
echo "idcorpus: .venv is ready" >&2
