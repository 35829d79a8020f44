"""``biolake serve`` in a subprocess: real HTTP, the token on a non-loopback host, and three journeys in
headless Chromium (selenium), with no JavaScript console errors and a screenshot per step.

Chromium and its driver are Debian packages (scripts/test.sh installs them); without them these
tests skip, and fail in CI. Screenshots go to ``$BIOLAKE_SCREENSHOTS`` (default: pytest's temp dir).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    process = subprocess.Popen([sys.executable, "-m", "biolake.cli", "serve", "--port", str(port), *args],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode() if process.stdout else "server exited")
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("biolake serve did not start within 90 s")


def _stop(process: subprocess.Popen[bytes]) -> str:
    process.terminate()
    try:
        out, _ = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out.decode()


@pytest.fixture(scope="module")
def sqlite_web(web_instance: tuple[Any, dict[str, Any]]) -> dict[str, Any]:
    if web_instance[0].dialect != "sqlite":
        pytest.skip("the server tests run on the SQLite instance")
    import biolake as ln

    ln.connect(web_instance[0].name)  # current for the subprocess too ($BIOLAKE_HOME is shared)
    return web_instance[1]


@pytest.fixture(scope="module")
def server(sqlite_web: dict[str, Any]) -> Iterator[str]:
    process, url = _start()
    yield url
    _stop(process)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def test_real_http(server: str, sqlite_web: dict[str, Any]) -> None:
    status, body, _ = _get(server + "/")
    assert status == 200 and b"Latest artifacts" in body
    status, body, headers = _get(server + "/static/vendor/cytoscape.min.js")
    assert status == 200 and len(body) > 100_000 and "javascript" in headers["Content-Type"]
    assert _get(server + "/static/vendor/htmx.min.js")[0] == 200
    status, body, _ = _get(server + f"/artifacts/{sqlite_web['notes.md'].uid}/download")
    assert status == 200 and body.startswith(b"# Notes")


def test_non_loopback_host_requires_the_token(sqlite_web: dict[str, Any]) -> None:
    process, url = _start("--host", "0.0.0.0", "--token", "s3cret-token")
    try:
        assert _get(url + "/")[0] == 401
        assert _get(url + "/", {"Authorization": "Bearer s3cret-token"})[0] == 200
        import http.cookiejar

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open(url + "/?token=s3cret-token", timeout=30) as response:  # redirected, with the cookie
            assert response.status == 200 and response.url == url + "/"
        with opener.open(url + "/runs/", timeout=30) as response:
            assert response.status == 200
    finally:
        output = _stop(process)
    assert "?token=s3cret-token" in output  # the URL to open is printed


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (browser and driver):
        message = "chromium and chromium-driver are not installed (scripts/test.sh installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return browser, driver


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,900", f"--user-data-dir={tempfile.mkdtemp(prefix='biolake-chromium-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(10)
    shots = Path(os.environ.get("BIOLAKE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    driver.biolake_shots = shots  # type: ignore[attr-defined]
    yield driver
    driver.quit()


def _shot(driver: Any, name: str) -> None:
    driver.save_screenshot(str(driver.biolake_shots / f"{name}.png"))


def _no_console_errors(driver: Any) -> None:
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors


def _wait(driver: Any, script: str, timeout: float = 20) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script))


def _click_node(driver: Any, node_type: str) -> None:
    """Click (a real mouse click) the first graph node of ``node_type``."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    _wait(driver, "return window.biolakeLineage && window.biolakeLineage.nodes().length > 0")
    position = driver.execute_script(
        "var cy = window.biolakeLineage; var n = cy.nodes('[type = \"' + arguments[0] + '\"]')[0];"
        "cy.zoom(1); cy.center(n); var p = n.renderedPosition(); return [p.x, p.y];", node_type)
    container = driver.find_element(By.ID, "lineage")
    size = container.size
    ActionChains(driver).move_to_element_with_offset(
        container, int(position[0] - size["width"] / 2), int(position[1] - size["height"] / 2)).click().perform()


def test_journey_search_to_source(browser: Any, server: str, sqlite_web: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/")
    box = browser.find_element(By.CSS_SELECTOR, "header form.search input")
    box.send_keys("IFNG", Keys.ENTER)
    _wait(browser, "return location.pathname === '/search/'")
    _shot(browser, "1-search")
    browser.find_element(By.LINK_TEXT, "IFNG").click()  # the label, then the artifacts linked to it
    browser.find_element(By.LINK_TEXT, "my_curated_dataset.parquet").click()
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Dataset features" in page and "perturbation" in page and "IFNG" in page and "T cell" in page
    _shot(browser, "1-artifact")
    _no_console_errors(browser)
    browser.find_element(By.LINK_TEXT, "Lineage").click()
    rendered = _wait(browser, "return window.biolakeLineage && window.biolakeLineage.nodes().map(n => n.data('type'))")
    assert sorted(set(rendered)) == ["artifact", "run", "transform"]
    _shot(browser, "1-lineage")
    _click_node(browser, "transform")
    _wait(browser, "return location.pathname.indexOf('/transforms/') === 0")
    source = browser.find_element(By.CSS_SELECTOR, "#source .highlight").text
    assert "DataFrameCurator" in source
    _shot(browser, "1-source")
    _no_console_errors(browser)


def test_journey_cell_type_term(browser: Any, server: str, sqlite_web: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/registries/bio.CellType/?q=T+cell")
    browser.find_element(By.LINK_TEXT, sqlite_web["tcell"].uid).click()
    assert "lymphocyte" in browser.find_element(By.ID, "parents").text
    linked = browser.find_element(By.ID, "linked-artifacts").text
    assert "my_curated_dataset.parquet" in linked and "cell_type" in linked
    _shot(browser, "2-term")
    _no_console_errors(browser)


def test_journey_version_diff(browser: Any, server: str, sqlite_web: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/artifacts/?q=rnaseq1")
    browser.find_element(By.LINK_TEXT, "my_datasets/rnaseq1.parquet").click()
    browser.find_element(By.LINK_TEXT, "diff").click()
    diff = browser.find_element(By.ID, "diff").text
    assert "renamed IFNJ → IFNG" in diff
    _shot(browser, "3-diff")
    _no_console_errors(browser)
