"""Headless Chromium (Debian's package) driven by selenium, for the tests that click through hosted pages.

Skipped (with the reason) only when Chromium is absent and not in CI; with CI=true a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver"


def require_browser() -> None:
    missing = not CHROMIUM or not Path(CHROMEDRIVER).exists()
    if missing:
        reason = "headless Chromium not installed (apt-get install -y chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def chromium_driver(domain: str):  # type: ignore[no-untyped-def]
    """A headless browser that resolves `domain` (the tenant's host) to the loopback server."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1100,900",
        # The tenant is chosen by Host: send its name, resolved to the loopback server.
        f"--host-resolver-rules=MAP {domain} 127.0.0.1",
        "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
