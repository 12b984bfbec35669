"""Shared test setup: no network, a tiny real MarianMT model built once per checkout, and the
test tiers.

Tiers: a test is marked by what it uses, automatically (`pytest_collection_modifyitems`):
`model` when the tiny model fixture is among its fixtures (directly or through another
fixture), `cli` when it or one of its fixtures runs the idcorpus command in a subprocess
(`run_cli` / `popen_cli` of tests/helpers.py, called directly or through a function of its
module), `ray` when it starts Ray (the `ray_cluster` fixture). A test that costs seconds of CPU without
any of those says so itself with `slow` (tests/test_real_mt.py scores whole test sets). The
inner loop skips all four:

    pytest -m "not model and not cli and not ray and not slow"

The whole suite runs in parallel (pytest-xdist, one worker per core, a test file at a time per
worker: scripts/test.sh), but for the tests marked `serial`, which assert on wall-clock time and
run alone afterwards; each worker has its own user cache (XDG_CACHE_HOME below).

A CLI subprocess started by a test not marked `cli` fails it (tests/helpers.py checks), so a
test the scan misses cannot slip into the inner loop.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import os
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# user-cache files (model fingerprints, CTranslate2 conversions, the translation cache) go to a
# folder of this checkout, never to the user's own cache; one per pytest-xdist worker, so that
# parallel workers never share a cache a test counts the hits of
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
os.environ["XDG_CACHE_HOME"] = str(
    Path(__file__).resolve().parents[1] / ".cache" / (f"user-{_WORKER}" if _WORKER else "user")
)

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache"


def load_builder() -> ModuleType:
    """scripts/build_tiny_model.py as a module (scripts/ is not a package)."""
    path = ROOT / "scripts" / "build_tiny_model.py"
    spec = importlib.util.spec_from_file_location("build_tiny_model", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tiny_model() -> str:
    """Path of a tiny MarianMT directory (SentencePiece from seeds/, trained to copy its
    input), built once into .cache/tiny-model-<hash of the builder and seeds>/."""
    return str(load_builder().cached_model(CACHE, "tiny"))


@pytest.fixture(scope="session")
def other_model(tiny_model: str) -> str:
    """A second tiny MarianMT directory, of another vocabulary: its SentencePiece model is
    trained on the seeds in ROT13 (as another language would be) with 200 pieces, and its
    weights are random. For tests of folders that mix two models' files. Built once into
    .cache/other-model-<hash of the builder and its text>/."""
    import codecs
    import os
    import shutil
    import tempfile

    builder = load_builder()
    text = CACHE / "other-model-text" / "seeds-rot13.txt"
    if not text.is_file():
        seeds = "\n".join(p.read_text(encoding="utf-8") for p in builder.default_texts())
        text.parent.mkdir(parents=True, exist_ok=True)
        text.write_text(codecs.encode(seeds, "rot13"), encoding="utf-8")
    final = CACHE / f"other-model-200-{builder.source_hash([text])}"
    if (final / "config.json").is_file():
        return str(final)
    builder.SHAPES["other"] = builder.Shape(
        spm_vocab=200, vocab_size=None, d_model=32, layers=2, heads=2, ffn=64
    )
    tmp = Path(tempfile.mkdtemp(prefix=".other-model-", dir=CACHE))
    try:
        builder.build_model(tmp / "model", "other", [text])
        try:
            os.rename(tmp / "model", final)
        except OSError:
            if not (final / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(final)


TIERS = {
    "model": "uses the tiny real model (the tiny_model fixture)",
    "cli": "runs the idcorpus command in a subprocess (run_cli or popen_cli)",
    "ray": "starts Ray (the ray_cluster fixture)",
    "slow": "takes seconds of CPU without any of those (set by the test module: whole test sets "
    "scored with sacrebleu)",
    "serial": "asserts on wall-clock time (how soon a signal stops a build): scripts/test.sh runs "
    "it alone, after the rest of the suite ran in parallel",
}
MODEL_FIXTURES = {"tiny_model"}
RAY_FIXTURES = {"ray_cluster"}
CLI_CALLS = {"run_cli", "popen_cli"}
CLI_ALLOWED = "IDCORPUS_TEST_CLI_ALLOWED"  # read by tests/helpers.py


def pytest_configure(config: pytest.Config) -> None:
    for name, text in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & MODEL_FIXTURES:
            item.add_marker("model")
        if names & RAY_FIXTURES:
            item.add_marker("ray")
        if _runs_cli(item):
            item.add_marker("cli")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the test's fixtures: may it start the CLI (see tests/helpers.py)?"""
    os.environ[CLI_ALLOWED] = "1" if item.get_closest_marker("cli") else "0"


def _runs_cli(item: pytest.Item) -> bool:
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info is not None else ():
        functions += [d.func for d in defs]
    for function in functions:
        function = inspect.unwrap(function) if function is not None else None
        source = inspect.getsourcefile(function) if function is not None else None
        if source and function.__name__ in _cli_functions(source):
            return True
    return False


@cache
def _cli_functions(path: str) -> frozenset[str]:
    """Names of the functions of the module at `path` that start the CLI: those that call
    run_cli/popen_cli, and, repeatedly, those that call one of them."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    calls: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = calls.setdefault(node.name, set())
            for call in ast.walk(node):
                if isinstance(call, ast.Call):
                    found.add(_called(call.func))
    cli = set(CLI_CALLS)
    while True:
        more = {name for name, called in calls.items() if called & cli} - cli
        if not more:
            return frozenset(cli)
        cli |= more


def _called(func: Any) -> str:
    if isinstance(func, ast.Name):
        return str(func.id)
    return str(func.attr) if isinstance(func, ast.Attribute) else ""
