#!/usr/bin/env bash
# Headless Chromium for the report's browser test (tests/test_review_browser.py): Debian's
# chromium and chromium-driver packages, installed only when missing (selenium drives them;
# no browser is downloaded). Idempotent and quiet. Needs apt-get and root or passwordless sudo;
# without them it says what to install and leaves the rest of the setup alone (the browser
# test then fails, naming what is missing).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
packages="chromium chromium-driver"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup_browser: no apt-get here; install Chromium and its chromedriver at /usr/bin/chromium and /usr/bin/chromedriver" >&2
    exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then
        sudo="sudo -n"
    else
        echo "setup_browser: run as root, or: sudo apt-get install -y $packages" >&2
        exit 0
    fi
fi
echo "setup_browser: installing $packages (Debian packages) for the browser test" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq $packages >/dev/null 2>&1; then
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq $packages >/dev/null
fi
