"""Firefox (Debian's firefox-esr, headless) with the unpacked extension, for the
extension's end-to-end tests.

Playwright's own Firefox cannot be downloaded here, and stock Firefox needs none:
it speaks two protocols of its own, and the tests use both, each for what only it can do.

* WebDriver BiDi (the W3C protocol, `--remote-debugging-port`) drives the browser:
  it installs the extension as a temporary add-on (`webExtension.install`), opens
  web pages in tabs, waits for what they build and runs script in them.
  With --remote-allow-system-access it also runs script as the browser's own window:
  the toolbar button is pressed there, and about:addons' permission toggles flipped.
* BiDi does not reach an extension's own pages or background (Firefox filters every
  moz-extension:// context out of it, bug 1755014, and refuses to navigate a tab to
  one). The Remote Debugging Protocol (`--start-debugger-server`, what
  about:debugging's *Inspect* and Mozilla's web-ext use) does: it lists the add-on
  with its manifest warnings and background state, and evaluates script in the
  background page, as Playwright's `worker.evaluate` does in Chromium's service worker.
  From the background, `chrome.extension.getViews()` reaches the options page and
  the popup (same extension, same process).

Nothing here talks to any host but 127.0.0.1: `QUIET_PREFS` turn off Firefox's
background traffic, MOZ_DISABLE_NONLOCAL_CONNECTIONS=1 makes Firefox refuse any
other address, and every request for another host goes to a proxy on 127.0.0.1
that answers nothing and writes down what was asked (`Firefox.stray.seen`).
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

EXTENSION_ID = "save-to-quire@quire.invalid"

#: Preferences written to the fresh profile's user.js: no updates, telemetry, studies,
#: captive-portal or connectivity checks, safe browsing lists, remote settings, DNS
#: over HTTPS, prefetching or sponsored content. (The Remote Agent sets many of these
#: too; they are written here so the profile is quiet whatever it decides.)
QUIET_PREFS: dict[str, Any] = {
    "app.update.auto": False,
    "app.update.checkInstallTime": False,
    "app.update.disabledForTesting": True,
    "app.update.enabled": False,
    "app.normandy.enabled": False,
    "app.normandy.api_url": "",
    "app.shield.optoutstudies.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "browser.discovery.enabled": False,
    "browser.newtabpage.enabled": False,
    "browser.newtabpage.activity-stream.feeds.section.topstories": False,
    "browser.newtabpage.activity-stream.feeds.snippets": False,
    "browser.newtabpage.activity-stream.feeds.system.topstories": False,
    "browser.newtabpage.activity-stream.feeds.telemetry": False,
    "browser.newtabpage.activity-stream.feeds.topsites": False,
    "browser.newtabpage.activity-stream.showSponsored": False,
    "browser.newtabpage.activity-stream.showSponsoredTopSites": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "browser.ping-centre.telemetry": False,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.provider.google.updateURL": "",
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.safebrowsing.update.enabled": False,
    "browser.search.geoSpecificDefaults": False,
    "browser.search.update": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage": "about:blank",
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "browser.tabs.warnOnClose": False,
    "browser.topsites.contile.enabled": False,
    "browser.urlbar.suggest.quicksuggest.sponsored": False,
    "browser.urlbar.suggest.quicksuggest.nonsponsored": False,
    "captivedetect.canonicalURL": "",
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.usage.uploadEnabled": False,
    "extensions.blocklist.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.getAddons.discovery.api_url": "",
    "extensions.htmlaboutaddons.recommendations.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "extensions.update.autoUpdateDefault": False,
    "extensions.update.enabled": False,
    "geo.provider.network.url": "",
    "identity.fxaccounts.enabled": False,
    "media.gmp-gmpopenh264.enabled": False,
    "media.gmp-gmpopenh264.autoupdate": False,
    # Widevine is fetched from Google's update service (update.googleapis.com), seen
    # 10-20 s after start on a busy machine: no DRM plugin, no update of any
    "media.eme.enabled": False,
    "media.gmp-widevinecdm.enabled": False,
    "media.gmp-widevinecdm.visible": False,
    "media.gmp-widevinecdm.autoupdate": False,
    "media.gmp-manager.updateEnabled": False,
    "media.gmp-manager.chromiumUpdateUrl": "",
    "media.gmp-manager.url": "",
    "media.gmp-provider.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.http.speculative-parallel-limit": 0,
    "network.prefetch-next": False,
    "network.trr.mode": 5,  # DNS over HTTPS off, by choice
    "privacy.trackingprotection.enabled": False,
    # remote settings: a release build heeds this only with MOZ_DISABLE_NONLOCAL_CONNECTIONS=1
    "services.settings.server": "data:,#remote-settings-dummy/v1",
    "services.sync.enabled": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.server": "",
    "toolkit.telemetry.unified": False,
    # closing a test's last tab leaves a blank one rather than quitting
    "browser.tabs.closeWindowWithLastTab": False,
    # the extension's own debugging (RDP), for the tests only, without a prompt
    "devtools.chrome.enabled": True,
    "devtools.debugger.prompt-connection": False,
    "devtools.debugger.remote-enabled": True,
}


def firefox_environment() -> dict[str, str]:
    """Firefox's environment: connections to anything but loopback refused by Firefox
    itself (what Mozilla's own test harnesses set), which also lets the remote
    settings address above be honoured."""
    return {**os.environ, "MOZ_DISABLE_NONLOCAL_CONNECTIONS": "1", "MOZ_CRASHREPORTER_DISABLE": "1"}


def find_firefox() -> str | None:
    """The system's Firefox (Debian's firefox-esr first), or None."""
    for name in ("firefox-esr", "firefox"):
        found = shutil.which(name)
        if found:
            return found
    return None


#: BiDi's webExtension.install and --remote-allow-system-access (written against 153 ESR)
MIN_VERSION = 140


@functools.cache
def firefox_version() -> int | None:
    """The major version `firefox --version` prints ("Mozilla Firefox 153.8.0esr"), or None."""
    found = find_firefox()
    if found is None:
        return None
    try:
        out = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30,
                             env=firefox_environment()).stdout
        return int(out.split("Firefox", 1)[1].strip().split(".")[0])
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        return None


def why_not_available() -> str | None:
    """Why Firefox cannot be driven here (None: it can)."""
    if find_firefox() is None:
        return "Firefox is not installed (apt-get install firefox-esr)"
    version = firefox_version()
    if version is None or version < MIN_VERSION:
        return f"{find_firefox()} is version {version}; the tests need Firefox {MIN_VERSION} or newer"
    try:
        import websockets.sync.client  # noqa: F401
    except ImportError:
        return "websockets is not installed (pip install websockets; the WebDriver BiDi client)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FirefoxError(RuntimeError):
    """A protocol answered with an error, or script threw."""


class StrayRequests:
    """A proxy on 127.0.0.1 that every request for another host is sent to: it answers
    nothing, closes the connection and keeps the request's first line
    ("CONNECT incoming.telemetry.mozilla.org:443 HTTP/1.1")."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    first = "(nothing sent)"
                self.seen.append(first)

    def close(self) -> None:
        self._sock.close()

    def prefs(self) -> dict[str, Any]:
        """Every protocol through this proxy; 127.0.0.1 itself never is (Firefox does
        not proxy loopback addresses)."""
        prefs: dict[str, Any] = {"network.proxy.type": 1, "network.proxy.no_proxies_on": "",
                                 "network.proxy.allow_hijacking_localhost": False,
                                 "network.proxy.socks_remote_dns": True}
        for scheme in ("http", "ssl"):
            prefs[f"network.proxy.{scheme}"] = "127.0.0.1"
            prefs[f"network.proxy.{scheme}_port"] = self.port
        return prefs


def write_user_js(profile: Path, prefs: dict[str, Any]) -> None:
    lines = [f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in prefs.items()]
    (profile / "user.js").write_text("\n".join(lines) + "\n", encoding="utf-8")


class Bidi:
    """A minimal WebDriver BiDi client: one command at a time, events kept aside."""

    def __init__(self, url: str) -> None:
        from websockets.sync.client import connect

        self._exit = contextlib.ExitStack()  # websockets wants its connection closed by a with
        self._ws = self._exit.enter_context(connect(url, max_size=None, open_timeout=30))
        self._next = 0
        self.events: list[dict] = []

    def command(self, method: str, timeout: float = 60, **params: Any) -> dict:
        self._next += 1
        self._ws.send(json.dumps({"id": self._next, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == self._next:
                if message.get("type") == "error":
                    raise FirefoxError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message["result"]
            if message.get("type") == "event":
                self.events.append(message)

    def close(self) -> None:
        self._exit.close()


class Rdp:
    """A minimal client of Firefox's Remote Debugging Protocol (length-prefixed JSON
    over TCP): requests to one actor at a time, events kept aside."""

    #: packets that are events, not answers
    EVENT_TYPES = {"tabListChanged", "addonListChanged", "frameUpdate", "evaluationResult",
                   "target-available-form", "target-destroyed-form", "descriptor-destroyed",
                   "resources-available-array", "resources-updated-array", "resources-destroyed-array",
                   "workerListChanged", "serviceWorkerRegistrationListChanged", "processListChanged"}

    def __init__(self, port: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._buf = b""
        self.events: list[dict] = []
        self.greeting = self._recv(timeout)

    def _recv(self, timeout: float) -> dict:
        self._sock.settimeout(timeout)
        while b":" not in self._buf:
            self._fill()
        size, rest = self._buf.split(b":", 1)
        while len(rest) < int(size):
            self._buf = size + b":" + rest
            self._fill()
            size, rest = self._buf.split(b":", 1)
        self._buf = rest[int(size):]
        return json.loads(rest[:int(size)])

    def _fill(self) -> None:
        chunk = self._sock.recv(1 << 20)
        if not chunk:
            raise FirefoxError("Firefox closed the debugging connection")
        self._buf += chunk

    def send(self, packet: dict) -> None:
        data = json.dumps(packet).encode()
        self._sock.sendall(str(len(data)).encode() + b":" + data)

    def request(self, to: str, type_: str, timeout: float = 60, **params: Any) -> dict:
        self.send({"to": to, "type": type_, **params})
        deadline = time.monotonic() + timeout
        while True:
            packet = self._recv(max(0.1, deadline - time.monotonic()))
            if packet.get("from") == to and packet.get("type") not in self.EVENT_TYPES:
                if "error" in packet:
                    raise FirefoxError(f"{type_} to {to}: {packet['error']}: {packet.get('message')}")
                return packet
            self.events.append(packet)

    def event(self, match: Any, timeout: float = 60) -> dict:
        """The first event (kept or arriving) for which match(packet) is true."""
        deadline = time.monotonic() + timeout
        while True:
            for i, packet in enumerate(self.events):
                if match(packet):
                    return self.events.pop(i)
            if time.monotonic() > deadline:
                raise FirefoxError("timed out waiting for an event from Firefox")
            self.events.append(self._recv(max(0.1, deadline - time.monotonic())))

    def full_string(self, grip: Any) -> Any:
        """A value, with a long string grip read in full."""
        if isinstance(grip, dict) and grip.get("type") == "longString":
            return self.request(grip["actor"], "substring", start=0, end=grip["length"])["substring"]
        return grip

    def close(self) -> None:
        self._sock.close()


class Background:
    """The extension's background page, reached through its console (RDP)."""

    def __init__(self, rdp: Rdp, console_actor: str, url: str) -> None:
        self._rdp = rdp
        self._console = console_actor
        self.url = url

    def evaluate(self, function: str, arg: Any = None, timeout: float = 60) -> Any:
        """Call the JavaScript function (source text, may be async) with arg in the
        background page and return its JSON-able result, like Playwright's evaluate."""
        text = (f"(async () => JSON.stringify(await ({function})({json.dumps(arg)}) ?? null))()")
        started = self._rdp.request(self._console, "evaluateJSAsync", text=text, mapped={"await": True})
        rid = started["resultID"]
        done = self._rdp.event(lambda p: p.get("type") == "evaluationResult" and p.get("resultID") == rid,
                               timeout)
        if done.get("hasException") or done.get("topLevelAwaitRejected"):
            raise FirefoxError(f"script threw in the background: {done.get('exceptionMessage')}")
        result = self._rdp.full_string(done.get("result"))
        if not isinstance(result, str):
            raise FirefoxError(f"unexpected result from the background: {result!r}")
        return json.loads(result)


class Firefox:
    """A headless Firefox on a fresh profile, driven over BiDi and RDP."""

    def __init__(self, profile: Path, extra_prefs: dict[str, Any] | None = None) -> None:
        self.stray = StrayRequests()
        profile.mkdir(parents=True, exist_ok=True)
        write_user_js(profile, {**QUIET_PREFS, **self.stray.prefs(), **(extra_prefs or {})})
        bidi_port, rdp_port = free_port(), free_port()
        self.log = profile.parent / "firefox.log"
        self._log = open(self.log, "wb")
        self.process = subprocess.Popen(
            [str(find_firefox()), "--headless", "--no-remote", "-profile", str(profile),
             f"--remote-debugging-port={bidi_port}", "--remote-allow-system-access",
             "--start-debugger-server", str(rdp_port), "about:blank"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=firefox_environment())
        try:
            self.bidi = self._connect_bidi(bidi_port)
            self.bidi.command("session.new", capabilities={"alwaysMatch": {"acceptInsecureCerts": False}})
            self._rdp_port = rdp_port
            self.attach_debugger()
        except BaseException:
            self.close()
            raise

    def _connect_bidi(self, port: int, timeout: float = 60) -> Bidi:
        deadline = time.monotonic() + timeout
        while True:
            if "WebDriver BiDi listening" in self.log.read_text(errors="replace"):
                return Bidi(f"ws://127.0.0.1:{port}/session")
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise FirefoxError(f"Firefox did not start: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)

    def attach_debugger(self) -> None:
        """Connect the Remote Debugging Protocol (see background())."""
        self.rdp = Rdp(self._rdp_port)
        self.root = self.rdp.request("root", "getRoot")

    def detach_debugger(self) -> None:
        """Close the debugging connection: an extension with a debugger attached is never
        suspended when idle, one without is (as for a person using it)."""
        self.rdp.close()

    # -- the extension --------------------------------------------------------------
    def install_extension(self, folder: Path) -> str:
        """Install the unpacked extension as a temporary add-on (as about:debugging's
        *Load Temporary Add-on* does); its id."""
        return self.bidi.command("webExtension.install",
                                 extensionData={"type": "path", "path": str(folder)})["extension"]

    def addon(self, addon_id: str = EXTENSION_ID) -> dict:
        """What about:debugging shows of the add-on: manifest warnings, background state."""
        for addon in self.rdp.request("root", "listAddons")["addons"]:
            if addon.get("id") == addon_id:
                return addon
        raise FirefoxError(f"add-on {addon_id} is not installed")

    def background(self, addon_id: str = EXTENSION_ID, timeout: float = 30) -> Background:
        """The add-on's background page (its console), once it runs."""
        descriptor = self.addon(addon_id)
        watcher = self.rdp.request(descriptor["actor"], "getWatcher", isServerTargetSwitchingEnabled=True)
        self.rdp.request(watcher["actor"], "watchTargets", targetType="frame")
        # what the extension's console shows (errors thrown, console.error), from now on
        self.rdp.request(watcher["actor"], "watchResources", resourceTypes=["error-message", "console-message"])
        form = self.rdp.event(lambda p: p.get("type") == "target-available-form"
                              and str(p["target"].get("url", "")).endswith("/_generated_background_page.html"),
                              timeout)["target"]
        return Background(self.rdp, form["consoleActor"], form["url"])

    def extension_errors(self) -> list[str]:
        """The errors the extension's pages (background, options, popup) have shown in
        their console so far: exceptions, rejected promises left unhandled, console.error."""
        errors = []
        for packet in list(self.rdp.events):
            if packet.get("type") != "resources-available-array":
                continue
            for kind, resources in packet["array"]:
                for resource in resources:
                    if kind == "error-message" and resource["pageError"].get("error"):
                        error = resource["pageError"]
                        errors.append(f"{error['errorMessage']} ({error['sourceName']}:{error['lineNumber']})")
                    elif kind == "console-message" and resource.get("level") == "error":
                        errors.append(f"console.error: {resource.get('arguments')} ({resource.get('filename')})")
        return errors

    # -- the browser's own window: the toolbar, about:addons' permission toggles --------
    def chrome_evaluate(self, body: str, arg: Any = None) -> Any:
        """Run an async function body (given `arg`) as the browser's own window with its
        privileges (BiDi's chrome scope, allowed by --remote-allow-system-access); its
        JSON-able result."""
        window = next(c["context"] for c in self.bidi.command("browsingContext.getTree", **{"moz:scope": "chrome"})
                      ["contexts"] if c["url"] == "chrome://browser/content/browser.xhtml")
        answer = self.bidi.command(
            "script.evaluate", target={"context": window}, awaitPromise=True,
            expression=f"(async (arg) => JSON.stringify(await (async () => {{ {body} }})() ?? null))"
                       f"({json.dumps(arg)})")
        if answer.get("type") == "exception":
            raise FirefoxError(f"script threw in the browser window: {answer['exceptionDetails'].get('text')}")
        return json.loads(answer["result"]["value"])

    def press_toolbar_button(self, context: str, addon_id: str = EXTENSION_ID) -> None:
        """Make the tab selected and press the add-on's toolbar button on it, as a person
        does (Firefox's own triggerAction, what the click and the keyboard shortcut run:
        the page's activeTab permission is granted, then the popup opens)."""
        self.bidi.command("browsingContext.activate", context=context)
        self.chrome_evaluate(
            "const {ExtensionParent} = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');"
            "const extension = WebExtensionPolicy.getByID(arg).extension;"
            "ExtensionParent.apiManager.global.browserActionFor(extension).triggerAction(window);"
            "return true;", addon_id)

    def toolbar_badge(self, addon_id: str = EXTENSION_ID) -> dict:
        """What the add-on's toolbar button shows on the selected tab (badge and tooltip),
        and whether its background runs now ("running", "stopped"...)."""
        return self.chrome_evaluate(
            "const {ExtensionParent} = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');"
            "const extension = WebExtensionPolicy.getByID(arg).extension;"
            "const action = ExtensionParent.apiManager.global.browserActionFor(extension).action;"
            "const tab = window.gBrowser.selectedTab;"
            "return {badge: action.getProperty(tab, 'badgeText'), title: action.getProperty(tab, 'title'),"
            " background: extension.backgroundState};", addon_id)

    def set_host_access(self, origins: list[str], granted: bool, addon_id: str = EXTENSION_ID) -> None:
        """Turn the add-on's access to these sites on or off, as the toggles on its
        Permissions tab in about:addons do (ExtensionPermissions.add / remove)."""
        self.chrome_evaluate(
            "const {ExtensionPermissions} = ChromeUtils.importESModule("
            "'resource://gre/modules/ExtensionPermissions.sys.mjs');"
            "const extension = WebExtensionPolicy.getByID(arg.id).extension;"
            "await ExtensionPermissions[arg.granted ? 'add' : 'remove']("
            "arg.id, {permissions: [], origins: arg.origins}, extension); return true;",
            {"id": addon_id, "origins": origins, "granted": granted})

    # -- web pages ------------------------------------------------------------------
    def open_tab(self, url: str) -> str:
        """A new tab showing url, loaded; its BiDi context id."""
        context = self.bidi.command("browsingContext.create", type="tab")["context"]
        self.navigate(context, url)
        return context

    def navigate(self, context: str, url: str) -> None:
        self.bidi.command("browsingContext.navigate", context=context, url=url, wait="complete")

    def reload(self, context: str) -> None:
        self.bidi.command("browsingContext.reload", context=context, wait="complete")

    def close_tab(self, context: str) -> None:
        self.bidi.command("browsingContext.close", context=context)

    def page_evaluate(self, context: str, expression: str) -> Any:
        """A JavaScript expression's value in the page (JSON-able)."""
        answer = self.bidi.command("script.evaluate", expression=f"JSON.stringify({expression})",
                                   target={"context": context}, awaitPromise=True)
        if answer.get("type") == "exception":
            raise FirefoxError(f"script threw in the page: {answer['exceptionDetails'].get('text')}")
        value = answer["result"].get("value")
        return None if value is None else json.loads(value)

    def wait_in_page(self, context: str, condition: str, timeout: float = 15) -> None:
        """Wait until the expression is true in the page."""
        deadline = time.monotonic() + timeout
        while not self.page_evaluate(context, f"!!({condition})"):
            if time.monotonic() > deadline:
                raise FirefoxError(f"timed out waiting for {condition!r} in the page")
            time.sleep(0.05)

    # -- the end --------------------------------------------------------------------
    def close(self) -> None:
        for closing in (lambda: self.bidi.command("browser.close", timeout=15),
                        lambda: self.bidi.close(), lambda: self.rdp.close()):
            try:
                closing()
            except Exception:  # noqa: BLE001 - closing whatever was opened
                pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        self.stray.close()
