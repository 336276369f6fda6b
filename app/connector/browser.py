"""Chromium with the unpacked extension loaded, driven by Playwright: for the
end-to-end tests and for the README's picture of the popup.

    python -m app.connector.browser [OUT.png]    # docs/screenshots/extension-popup.png

Playwright (a test dependency) drives the system's Chromium (Debian's
`chromium`); `playwright install` is never needed. Nothing here talks to any
host but 127.0.0.1: background networking, component updates and sync are off.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from resources import resource_path

EXTENSION_DIR = resource_path("extension")
#: in a checkout (the README's pictures are not installed)
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "extension-popup.png"


def find_chromium() -> str | None:
    """The system's Chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def why_not_available() -> str | None:
    """Why a browser cannot be driven here (None: it can)."""
    if find_chromium() is None:
        return "Chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright; no browser download needed)"
    return None


def launch(playwright: Any, user_dir: Path | str) -> Any:
    """A persistent Chromium context (extensions need one) with the extension loaded,
    headless (the new headless mode runs extensions)."""
    ext = str(EXTENSION_DIR)
    return playwright.chromium.launch_persistent_context(
        str(user_dir), executable_path=find_chromium(), headless=True,
        args=[f"--disable-extensions-except={ext}", f"--load-extension={ext}", "--headless=new",
              "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--no-first-run", "--disable-sync",
              "--disable-default-apps", "--no-default-browser-check"],
        viewport={"width": 1000, "height": 800})


def service_worker(context: Any, timeout_ms: float = 15000) -> Any:
    """The extension's background service worker."""
    for worker in context.service_workers:
        if worker.url.startswith("chrome-extension://"):
            return worker
    return context.wait_for_event("serviceworker", timeout=timeout_ms)


# `worker` below: the extension's background, anything with evaluate(js_function, argument)
# (Playwright's service worker here; the Firefox tests pass tests.support.firefox.Background)
def configure(worker: Any, port: int, secret: str) -> None:
    """What a person types into the options page."""
    worker.evaluate("([port, secret]) => chrome.storage.local.set({port, secret})", [port, secret])


def tab_id(worker: Any, url: str) -> int:
    """The id of the tab showing url."""
    return worker.evaluate(
        "async (url) => (await chrome.tabs.query({})).find((t) => t.url === url).id", url)


def extension_id(worker: Any) -> str:
    return worker.url.split("/")[2]


# -- the README's picture -----------------------------------------------------------
_DEMO = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The night shift at the
observatory</title></head><body><article><h1>The night shift at the observatory</h1>
<p>When the dome opens at dusk, the telescope's mirror has to cool to the night air before the
first exposure, or the stars smear into soft, trembling blobs.</p>
<p>The astronomers spend that hour checking the weather feeds and the list of targets, which
changes every night with the moon and the clouds.</p></article></body></html>"""


def render_popup(out: Path = SCREENSHOT) -> Path:
    """Save a demo page through the extension into a throwaway archive, then picture
    its popup (saved, with tags) as a person sees it."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    from archive import Archive
    from app.connector import ConnectorAPI, ConnectorServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the base's name
            data = _DEMO.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    work = Path(tempfile.mkdtemp(prefix="quire-popup-"))
    web = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        with Archive(work / "arch", seed=False, fetch=False) as archive:
            server = ConnectorServer(ConnectorAPI(archive), port=0).start()
            try:
                with sync_playwright() as p:
                    context = launch(p, work / "profile")
                    try:
                        worker = service_worker(context)
                        configure(worker, server.port, server.secret.get())
                        page = context.new_page()
                        url = f"http://127.0.0.1:{web.server_address[1]}/observatory"
                        page.goto(url)
                        tid = tab_id(worker, url)
                        popup = context.new_page()
                        popup.set_viewport_size({"width": 360, "height": 230})
                        popup.goto(f"chrome-extension://{extension_id(worker)}/popup.html?tabId={tid}")
                        popup.wait_for_selector("#state.saved", timeout=30000)
                        popup.fill("#tag-input", "astronomy, night")
                        popup.click("button[type=submit]")
                        popup.wait_for_selector("#tags:has-text('night')")  # (CSP: no eval)
                        popup.fill("#tag-input", "long reads")
                        out.parent.mkdir(parents=True, exist_ok=True)
                        popup.screenshot(path=str(out))
                    finally:
                        context.close()
            finally:
                server.stop()
    finally:
        web.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    problem = why_not_available()
    if problem:
        sys.exit(f"cannot render the popup: {problem}")
    print(f"wrote {render_popup(Path(sys.argv[1]) if len(sys.argv) > 1 else SCREENSHOT)}")
