"""Browser tests of the example portal (examples/portal): Debian's Chromium, headless, driven
by Selenium through the portal served on a free local port, with a fresh demo kit per test.

Skipped when Chromium, its driver or Selenium is missing, unless
``WELFAREKIT_TEST_REQUIRE_BROWSER=1`` (as in CI), which makes that a failure. Selenium is
pointed at /usr/bin/chromium and /usr/bin/chromedriver and never downloads a browser.
Screenshots go to a temporary folder, or — with WELFAREKIT_SCREENSHOTS=docs — over the
documentation's own in docs/_static/portal/, so that a plain test run leaves the working
tree as it was.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from portal_page import Portal
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1280, 900)
HERE = Path(__file__).parent
DOCS_SCREENSHOTS = HERE.parents[1] / "docs" / "_static" / "portal"
REQUIRED = os.environ.get("WELFAREKIT_TEST_REQUIRE_BROWSER") == "1"


def _missing() -> list[str]:
    missing = [f"{path} (apt-get install chromium chromium-driver)"
               for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]  # fmt: skip
    missing += [f"the Python package {name}" for name in ("selenium", "flask", "flask_wtf")
                if importlib.util.find_spec(name) is None]  # fmt: skip
    return missing


MISSING = _missing()


class _BrowserMissing(pytest.File):
    """A test module here, skipped at collection: the browser is missing."""

    def collect(self) -> Iterable[pytest.Item]:
        pytest.skip("the browser tests need " + ", ".join(MISSING)
                    + " (WELFAREKIT_TEST_REQUIRE_BROWSER=1 makes this a failure)")  # fmt: skip


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.File | None:
    """Skip every test module here when the browser is missing, unless it is required
    (then the ``browser`` fixture fails each test)."""
    if MISSING and not REQUIRED:
        return _BrowserMissing.from_parent(parent, path=module_path)
    return None


def pytest_collection_modifyitems(items: Iterable[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


class _Mount:
    """The WSGI application the module's server passes requests to: each test mounts the
    portal of its own kit."""

    def __init__(self) -> None:
        self.app: Callable[..., Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no portal mounted"]
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def portal_server() -> Iterator[tuple[str, _Mount]]:
    """A threaded HTTP server on a free port of 127.0.0.1, for one test module."""
    from werkzeug.serving import make_server

    mount = _Mount()
    server = make_server("127.0.0.1", 0, mount, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="portal-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", mount
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(portal_server: tuple[str, _Mount]) -> Iterator[WebDriver]:
    """Headless Chromium for one test module (quit before its server stops, so that no
    connection is left open)."""
    if MISSING:
        pytest.fail("the browser tests need " + ", ".join(MISSING)
                    + " and WELFAREKIT_TEST_REQUIRE_BROWSER=1 requires them")  # fmt: skip
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        "--lang=en-US",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--mute-audio",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not fetch a browser
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(15)
        # The viewport, not only the window, is fixed, so that screenshots are comparable.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False})  # fmt: skip
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the demo built once per run, closed, for each test to copy (no test
    writes to it, and building it takes longer than most tests)."""
    from portal_world import demo_kit

    directory = tmp_path_factory.mktemp("demo-world")
    demo_kit(directory).close()
    return directory


@pytest.fixture
def portal(
    browser: WebDriver, portal_server: tuple[str, _Mount], demo_world: Path, tmp_path: Path
) -> Iterator[Portal]:
    """The portal of a fresh kit with the demo built, in the module's browser, signed out."""
    from portal_page import Portal
    from portal_world import copy_world

    from examples.portal import create_app

    base_url, mount = portal_server
    screenshots = (DOCS_SCREENSHOTS if os.environ.get("WELFAREKIT_SCREENSHOTS") == "docs"
                   else tmp_path / "screenshots")  # fmt: skip
    kit = copy_world(demo_world, tmp_path)
    mount.app = create_app(kit, secret_key=secrets.token_hex(32), secure_cookies=False)
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    browser.get("about:blank")
    browser.get_log("browser")  # start each test with an empty console log
    try:
        yield Portal(browser, base_url, screenshots)
    finally:
        browser.get("about:blank")
        mount.app = None
        kit.close()
