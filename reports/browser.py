"""Opens the report in a real headless Chromium (Debian's `chromium` and `chromium-driver`)
through Selenium, with no network: waits for the report's charts, collects the console."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER_CANDIDATES = ("/usr/bin/chromedriver",)


def find(candidates: tuple[str, ...], name: str) -> str | None:
    for path in candidates:
        if Path(path).exists():
            return path
    return shutil.which(name)


@dataclass
class PageResult:
    charts: dict[str, dict[str, int]]  # chart id -> {"svg": n, "canvas": n, "marks": n}
    console: list[dict[str, Any]]
    rendered: bool


@contextmanager
def chromium() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = find(CHROMIUM_CANDIDATES, "chromium")
    driver_path = find(DRIVER_CANDIDATES, "chromedriver")
    if binary is None or driver_path is None:
        raise FileNotFoundError("chromium / chromedriver not installed "
                                "(apt-get install -y chromium chromium-driver)")
    profile = Path(tempfile.mkdtemp(prefix="report-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-default-apps", "--disable-sync", "--no-first-run",
                 "--no-default-browser-check", "--metrics-recording-only",
                 "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                 "--window-size=1100,1900", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver given: Selenium Manager (which would download one) is not used.
    service = Service(executable_path=driver_path)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(120)
        driver.set_script_timeout(120)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_report(page: Path, screenshot: Path | None = None) -> PageResult:
    with chromium() as driver:
        driver.get(page.resolve().as_uri())
        rendered = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.reportRendered.then(() => done(true), (e) => done(String(e)));")
        charts = driver.execute_script(
            "const out = {};"
            "for (const id of Object.keys(JSON.parse("
            "    document.getElementById('report-specs').textContent))) {"
            "  const el = document.getElementById(id);"
            "  out[id] = {svg: el.querySelectorAll('svg').length,"
            "             canvas: el.querySelectorAll('canvas').length,"
            "             marks: el.querySelectorAll('.mark-rect path, .mark-rect rect,"
            "                 .mark-line path, .mark-symbol path, .role-mark path').length};"
            "}"
            "return out;")
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": 1000, "height": int(height) + 20, "deviceScaleFactor": 1,
                "mobile": False})
            driver.save_screenshot(str(screenshot))
        console = driver.get_log("browser")
    return PageResult(charts=charts, console=console, rendered=rendered is True)
