#!/usr/bin/env python3
"""Check that the lower bounds in pyproject.toml are true: install every dependency at its
lower bound in a fresh virtual environment and run tests against it.

Every `name>=X` of the project's dependencies and extras becomes `name==X` (bounds given as
`==` or without a lower bound are installed as they resolve), torch is the 2.13.0 CPU file,
and the project itself comes from this checkout (PYTHONPATH, not installed). Then pytest runs
the given test files (default: the engines, the build, Ray, language ID, export, evaluate)
with HF_HUB_OFFLINE=1. Exit status: pytest's.

    python scripts/check_min_versions.py                    # Python ≥ 3.11; about 10 minutes, needs PyPI
    python scripts/check_min_versions.py --venv /tmp/minv tests/test_translate_marian.py
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/test_translate_marian.py",
    "tests/test_translate_ct2.py",
    "tests/test_build.py",
    "tests/test_distributed.py",
    "tests/test_signals.py",
    "tests/test_langid.py",
    "tests/test_export.py",
    "tests/test_evaluate.py",
    "tests/test_html.py",
    "tests/test_review.py",
]
SKIP = {"idcorpus", "torch", "pytest", "pytest-timeout", "ruff", "mypy"}
"""The project itself, torch (the local 2.13.0 file) and the development tools."""


def requirements() -> list[str]:
    """The project's requirements with every lower bound pinned (`>=X` -> `==X`)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        found += extra
    pinned: dict[str, str] = {}
    for requirement in found:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()
        if name in SKIP:
            continue
        extras = re.search(r"\[[^\]]*\]", requirement)
        low = re.search(r">=\s*([\w.]+)", requirement)
        spec = (
            f"=={low.group(1)}"
            if low
            else requirement[len(name) + (len(extras.group()) if extras else 0) :]
        )
        pinned[name] = f"{name}{extras.group() if extras else ''}{spec}"
    return sorted(pinned.values())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("tests", nargs="*", default=TESTS, help="test files to run")
    ap.add_argument("--venv", type=Path, default=ROOT / ".cache" / "min-versions")
    args = ap.parse_args(argv)
    python = args.venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(args.venv)], check=True)
    pins = requirements()
    print("installing:", " ".join(pins), flush=True)
    pip = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "torch==2.13.0"], check=True)
    subprocess.run([*pip, *pins, "pytest", "pytest-timeout"], check=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               HF_DATASETS_OFFLINE="1", RAY_USAGE_STATS_ENABLED="0")  # fmt: skip
    versions = subprocess.run([str(python), "-m", "pip", "freeze"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
    wanted = {p.split("==")[0].split("[")[0] for p in pins}
    print("\n".join(line for line in versions.splitlines()
                    if line.split("==")[0].lower() in wanted))  # fmt: skip
    return subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args.tests], cwd=ROOT, env=env).returncode  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
