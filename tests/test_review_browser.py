"""report.html of a real build (the tiny model) in headless Chromium: no console error, the
charts and the document view are there, nothing from the corpus runs, a screenshot is taken.

Chromium and chromedriver are Debian's (`scripts/setup_browser.sh`, run by scripts/test.sh);
without them the test fails saying so (IDCORPUS_SKIP_BROWSER=1 skips it instead). The
screenshots go to the test's temporary folder, and also to $IDCORPUS_ARTIFACTS when set.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers import REPO, SEEDS
from review_helpers import add_rejected_from_cleaner

from corpus.pipeline.config import BuildConfig
from corpus.pipeline.run import build
from corpus.read.config import ReadConfig
from corpus.review import write_report
from translate.base import DecodingOptions, EngineConfig

SCRIPT = "<script>alert('x')</script>"
NEWS = f"""Beranda | Nasional | Ekonomi | Olahraga | Indeks Berita
JAKARTA, KOMPAS.com - Harga beras di sejumlah pasar tradisional di Jakarta kembali naik pekan ini.
Baca juga: Harga Cabai Rawit Melonjak Jelang Lebaran
Pedagang di Pasar Induk Cipinang mengatakan pasokan dari daerah berkurang karena musim hujan.
{SCRIPT} Pemerintah berjanji akan menambah stok beras di gudang Bulog.

Simak videonya di bawah ini!
Menteri Perdagangan meminta masyarakat tidak panik dan membeli beras secukupnya.
(ant/mbz)
Loading...
"""
SELECTORS = {"charts": "svg.chart", "documents": "details.doc", "kept": ".unit.kept",
             "dropped": ".unit.drop", "pairs": "table.pairs tr", "scripts": "script"}  # fmt: skip


def browser_module() -> ModuleType:
    """scripts/browser_check.py as a module (scripts/ is not a package)."""
    path = REPO / "scripts" / "browser_check.py"
    spec = importlib.util.spec_from_file_location("browser_check", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def browser() -> ModuleType:
    module = browser_module()
    missing = module.available()
    if missing and os.environ.get("IDCORPUS_SKIP_BROWSER") == "1":
        pytest.skip(f"IDCORPUS_SKIP_BROWSER=1 and no {missing}")
    if missing:
        pytest.fail(f"the browser test needs {missing}: run bash scripts/setup_browser.sh")
    return module


@pytest.fixture(scope="module")
def reports(tiny_model: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """report.html of a build of two URL-named documents, as the build writes it today and
    with the rejected rows and kept-row line numbers of issue 23.1 (added when missing)."""
    root = tmp_path_factory.mktemp("review")
    texts = {
        "https://www.bisnis.example/2017/china-kazakhstan": next(SEEDS.glob("*.txt")).read_text(),
        "https://www.kompas.example/2024/03/harga-beras": NEWS,
    }
    jsonl = root / "pages.jsonl"
    jsonl.write_text("".join(json.dumps({"url": u, "text": t}) + "\n" for u, t in texts.items()))
    engine = EngineConfig(model=tiny_model, engine="transformers", device="cpu", threads=1,
                          decoding=DecodingOptions(num_beams=1))  # fmt: skip
    out = root / "corpus"
    build(BuildConfig(inputs=(str(jsonl),), out=str(out), engine=engine, use_cache=False,
                      read=ReadConfig(text_field="text", id_field="url"), quiet=True, jobs=1))  # fmt: skip
    full = root / "with-rejected"
    shutil.copytree(out, full)
    add_rejected_from_cleaner(full, texts)
    return {"build": write_report(out), "with_rejected": write_report(full)}


@pytest.fixture(scope="module")
def driver(browser: ModuleType) -> Iterator[Any]:
    with browser.open_browser() as opened:
        yield opened


def visible(driver: Any, css: str) -> int:
    """How many elements matching `css` are displayed."""
    return int(
        driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])]"
            ".filter(e => e.getClientRects().length > 0).length",
            css,
        )
    )


def keep(screenshot: Path) -> None:
    artifacts = os.environ.get("IDCORPUS_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(artifacts) / screenshot.name)


@pytest.mark.parametrize("name", ["build", "with_rejected"])
def test_report_in_chromium(
    name: str, reports: dict[str, Path], browser: ModuleType, driver: Any, tmp_path: Path
) -> None:
    shot = tmp_path / f"report-{name}.png"
    check = browser.check_page(driver, reports[name], SELECTORS, screenshot=shot)
    keep(shot)
    assert check.errors == [], check.console
    assert 0 <= check.load_ms < 2000
    counts = check.counts
    assert counts["charts"] >= 7  # drops, score, ratio, 2 x language ID, tokens, repetition, sites
    assert counts["documents"] == 2 and counts["kept"] >= 10 and counts["pairs"] >= 10
    assert counts["scripts"] == 0
    assert driver.execute_script(
        "return [...document.querySelectorAll('svg.chart')].every(s => s.getBoundingClientRect().width > 300)"
    )
    assert driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page is wider than the window"
    text = driver.execute_script("return document.body.textContent")
    assert SCRIPT in text and "2 sites in all" in text
    if name == "with_rejected":
        assert counts["dropped"] >= 6
        assert "clean:related_link" in text and "Baca juga: Harga Cabai" in text
        assert visible(driver, ".unit.kept") > 0
        driver.find_element("id", "only-dropped").click()  # CSS alone hides the kept units
        assert visible(driver, ".unit.kept") == 0 and visible(driver, ".unit.drop") > 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
