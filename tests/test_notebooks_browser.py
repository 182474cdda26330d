"""The stored notebooks opened in JupyterLab, in Debian's Chromium: their drawings show without running
anything, in a notebook JupyterLab does not trust, and none is cut off behind a scrollbar.

Needs JupyterLab (pip install -e '.[notebooks]'): skipped without it, except in CI, which installs it.
The server runs on a copy of the notebooks with its own empty settings and data folders, so no
notebook is trusted by an earlier session.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_notebooks import DRAWINGS, NOTEBOOKS
from test_page_browser import ARGS, CHROMIUM, _missing

try:
    import jupyterlab  # noqa: F401
except ImportError:
    if os.environ.get("CI"):
        pytest.fail("JupyterLab is missing; .ci/run installs it (pip install -e '.[notebooks]')", pytrace=False)
    pytest.skip("JupyterLab is missing (pip install -e '.[notebooks]')", allow_module_level=True)


# Every notebook with drawings on a small screen, where a wide drawing would overflow; the first on a large one too.
CASES = [(name, 1280, 720) for name in sorted(DRAWINGS)] + [("01_quickstart.ipynb", 1920, 1080)]
START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a JupyterLab serving a copy of the notebooks with drawings, none of them trusted."""
    root = tmp_path_factory.mktemp("lab")
    for name in DRAWINGS:
        shutil.copy(NOTEBOOKS / name, root / name)
    settings = root / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))  # no pop-up
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(root / ".config"),
        JUPYTER_DATA_DIR=str(root / ".data"),  # holds the trusted notebooks' signatures: empty
        JUPYTER_RUNTIME_DIR=str(root / ".runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(root / ".settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(root / ".workspaces"),
    )
    port = _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}"]
    command += ["--IdentityProvider.token=", "--ServerApp.password=", "--allow-root", f"--notebook-dir={root}"]
    log = (root / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(server, f"http://127.0.0.1:{port}/api", root / "server.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_for(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"JupyterLab did not answer within {START_SECONDS} s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright's Python package", "pip install -e '.[test]'")
    if not os.path.exists(CHROMIUM):
        _missing("Chromium", "apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


# Each output of the notebook shown (its tab's panel) with a picture or with a Drawing's text: is it an image,
# loaded, and how wide is it against its output area (scrollWidth over clientWidth is a scrollbar).
PICTURES = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')]
  .filter(o => o.querySelector('img') || o.innerText.includes('show.viz.Drawing'))
  .map(o => {
    const img = o.querySelector('img');
    return {image: !!img, loaded: !!img && img.complete && img.naturalWidth > 0,
            right: img ? img.getBoundingClientRect().right : 0, areaRight: o.getBoundingClientRect().right,
            scrolls: o.scrollWidth > o.clientWidth, text: img ? '' : o.innerText.slice(0, 80)};
  })"""


@pytest.mark.parametrize(("name", "width", "height"), CASES)
def test_an_untrusted_notebook_shows_its_drawings_whole(
    lab: str, browser: Any, name: str, width: int, height: int
) -> None:
    stored = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    pictures = sum(
        bool({"image/png", "image/svg+xml"} & set(o.get("data", {})))
        for cell in stored["cells"]
        for o in cell.get("outputs", [])
    )
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(f"{lab}/lab/tree/{name}?reset")  # reset: the notebooks opened before are closed
        # JupyterLab renders the cells below the window later, when idle: wait until every picture is in.
        page.wait_for_function(f"() => ({PICTURES})().length >= {pictures}", timeout=60_000)
        trust = page.get_attribute(".jp-StatusItem-trust", "title") or ""
        assert "not trusted" in trust, f"the notebook must be opened untrusted, JupyterLab says: {trust!r}"
        shown = page.evaluate(PICTURES)
    finally:
        page.close()
    assert len(shown) == pictures, shown
    for i, picture in enumerate(shown):
        assert picture["image"], f"{name}, picture {i}: JupyterLab shows text, not a picture: {picture['text']!r}"
        assert picture["loaded"], f"{name}, picture {i}: the image did not load"
        assert not picture["scrolls"], f"{name}, picture {i}: wider than its output area, behind a scrollbar"
        assert picture["right"] <= picture["areaRight"] + 0.5, f"{name}, picture {i}: cut off at the right"
