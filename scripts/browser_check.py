"""Open an HTML file in headless Chromium (Debian's chromium + chromium-driver, driven by
selenium): print its load time and console messages, and save a screenshot.

    python scripts/browser_check.py build/seeds-corpus/report.html --screenshot report.png

No browser is downloaded: selenium drives /usr/bin/chromium through /usr/bin/chromedriver
(`scripts/setup_browser.sh` installs both). Chromium runs with a fresh profile and without its
background connections (update checks, sync, field trials), which a closed network refuses.
The test of the report (tests/test_review_browser.py) imports `open_browser` and `check_page`.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000")  # fmt: skip


def available() -> str | None:
    """None when chromium, chromedriver and selenium are there, else what is missing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    return ", ".join(missing) or None


@contextmanager
def open_browser() -> Iterator[Any]:
    """A headless Chromium driven by selenium, with a new profile folder, closed on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="idcorpus-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class PageCheck:
    """What loading a page showed: load time, console messages, counts of chosen elements."""

    load_ms: float
    console: list[dict[str, Any]]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [m for m in self.console if m.get("level") in ("SEVERE", "ERROR")]


def check_page(driver: Any, path: Path, selectors: dict[str, str] | None = None,
               screenshot: Path | None = None) -> PageCheck:  # fmt: skip
    """Load `path`, wait for its load event, count `selectors` (name -> CSS selector), and
    save a full-page PNG to `screenshot`."""
    driver.get(path.resolve().as_uri())
    timing = driver.execute_script(
        "const t = performance.getEntriesByType('navigation')[0];return t ? t.loadEventEnd : -1;"
    )
    console = driver.get_log("browser")
    counts = {
        name: int(
            driver.execute_script("return document.querySelectorAll(arguments[0]).length;", css)
        )
        for name, css in (selectors or {}).items()
    }
    if screenshot is not None:
        save_screenshot(driver, screenshot)
    return PageCheck(float(timing), console, counts)


def save_screenshot(driver: Any, path: Path, max_height: int = 16000) -> None:
    """The whole page (up to `max_height` CSS pixels) as a PNG."""
    size = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True,
         "clip": {"x": 0, "y": 0, "width": size[0], "height": min(size[1], max_height), "scale": 1}},
    )  # fmt: skip
    path.write_bytes(base64.b64decode(shot["data"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path, help="the HTML file to open")
    parser.add_argument("--screenshot", type=Path, default=None, help="save a full-page PNG here")
    args = parser.parse_args()
    missing = available()
    if missing:
        parser.error(f"missing: {missing}; run: bash scripts/setup_browser.sh")
    with open_browser() as driver:
        result = check_page(driver, args.page, screenshot=args.screenshot)
    print(json.dumps({"load_ms": result.load_ms, "console": result.console}, indent=2))
    return 1 if result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
