"""End to end in Firefox: Debian's firefox-esr, headless, with the unpacked extension
installed as a temporary add-on (as about:debugging does), saving the page whose
article is built by JavaScript after load and whose pictures are lazy into an archive
through the running connector; the same checks as the Chromium tests
(test_browser_extension.py) where Firefox lets a test make them.

One Firefox serves the module (tests/support/firefox.py says how it is driven:
WebDriver BiDi for the browser and the pages, the Remote Debugging Protocol for the
extension's background, the browser's own window for the toolbar button); only the
test of a suspended background starts one of its own. The extension's own pages (the
options inside about:addons, the popup in a tab or from the toolbar button) are read
through the background (`chrome.extension.getViews`), since Firefox keeps extension
pages out of BiDi. Everything is on 127.0.0.1, and the tests check that Firefox asked
nothing of any other host."""
from __future__ import annotations

import shutil
import time

import pytest
from werkzeug import Response

from app.connector.browser import configure, tab_id
from resources import resource_path
from tests.support import built_page
from tests.support import firefox as ff
from tests.support.built_page import TEXT_BUILT_BY_SCRIPT, badge, wait_for_badge
from tests.support.export_library import PNG

pytestmark = pytest.mark.skipif(ff.why_not_available() is not None,
                                reason=f"no Firefox to drive: {ff.why_not_available()}")

SAVED_BADGE = "\u2713"


@pytest.fixture(scope="module")
def firefox(tmp_path_factory):
    """(the browser, the extension's background), the extension installed once."""
    browser = ff.Firefox(tmp_path_factory.mktemp("firefox") / "profile")
    try:
        assert browser.install_extension(resource_path("extension")) == ff.EXTENSION_ID
        yield browser, browser.background()
    finally:
        browser.close()


@pytest.fixture
def web(httpserver):
    return built_page.serve(httpserver)


def open_built_page(browser: ff.Firefox, url: str) -> str:
    context = browser.open_tab(url)
    browser.wait_in_page(context, built_page.BUILT)
    return context


@pytest.fixture
def built_tab(firefox, connector, web):
    """The built page open in a tab, the extension configured for connector:
    (the tab's BiDi context, its address, its tab id); the tab is closed after the test."""
    browser, background = firefox
    configure(background, connector.port, connector.secret)
    url = web.url_for(built_page.PATH)
    context = open_built_page(browser, url)
    try:
        yield context, url, tab_id(background, url)
    finally:
        browser.close_tab(context)


class ExtensionPage:
    """One of the extension's pages (options.html, popup.html) open in Firefox, worked
    through its window as the background sees it (same extension, same process)."""

    #: the page's window, found by its address among the extension's views
    VIEW = ("const view = chrome.extension.getViews({type: 'tab'})"
            ".find((v) => v.location.href === href && !v.replacedByReload);"
            "if (!view || view.document.readyState !== 'complete') return null;"
            "const $ = (s) => view.document.querySelector(s);")

    def __init__(self, background: ff.Background, tab: int, href: str) -> None:
        self.background, self.tab, self.href = background, tab, href
        self.wait_for("body")

    @classmethod
    def in_tab(cls, background: ff.Background, path: str) -> "ExtensionPage":
        """The page opened in a tab of its own, as the Chromium tests open
        chrome-extension://ID/PATH in a page."""
        tab, href = background.evaluate(
            "async (path) => { const url = chrome.runtime.getURL(path);"
            " const tab = await chrome.tabs.create({url}); return [tab.id, url]; }", path)
        return cls(background, tab, href)

    @classmethod
    def options(cls, background: ff.Background) -> "ExtensionPage":
        """The options page where a person finds it: runtime.openOptionsPage (what the
        popup's Options link calls) shows it inside about:addons."""
        tab, href = background.evaluate(
            "async () => { await chrome.runtime.openOptionsPage();"
            " const tab = (await chrome.tabs.query({})).find((t) => t.url.startsWith('about:addons'));"
            " return [tab.id, chrome.runtime.getURL('options.html')]; }")
        return cls(background, tab, href)

    def run(self, body: str, arg: object = None) -> object:
        return self.background.evaluate(f"async ([href, arg]) => {{ {self.VIEW} {body} }}", [self.href, arg])

    def wait_for(self, selector: str, text: str = "", seconds: float = 30) -> str:
        """Wait until an element matches selector (and holds text); its text."""
        deadline = time.monotonic() + seconds
        while True:
            found = self.run("const el = $(arg); return el ? el.textContent : null;", selector)
            if found is not None and text in found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{selector} with {text!r} never appeared in {self.href} (last: {found!r})")
            time.sleep(0.1)

    def fill(self, selector: str, value: str) -> None:
        self.run("const el = $(arg[0]); el.value = arg[1];"
                 " el.dispatchEvent(new view.Event('input', {bubbles: true})); return true;", [selector, value])

    def click(self, selector: str) -> None:
        self.run("$(arg).click(); return true;", selector)

    def text(self, selector: str) -> str:
        return self.run("return $(arg).textContent;", selector)

    def reload(self) -> None:
        self.run("view.replacedByReload = true; return true;")  # never mistaken for the new one
        self.background.evaluate("(tabId) => chrome.tabs.reload(tabId)", self.tab)
        self.wait_for("body")

    def close(self) -> None:
        self.background.evaluate("(tabId) => chrome.tabs.remove(tabId)", self.tab)


def toolbar_popup(background: ff.Background, seconds: float = 30) -> dict | None:
    """The toolbar button's popup once it has said how the save went: {state, title}."""
    deadline = time.monotonic() + seconds
    while True:
        shown = background.evaluate(
            "() => chrome.extension.getViews({type: 'popup'}).map((v) => v.document.getElementById('state'))"
            ".filter((el) => el && el.textContent !== 'Saving\u2026')"
            ".map((el) => ({state: el.textContent, title: el.ownerDocument.getElementById('title').textContent}))")
        if shown or time.monotonic() > deadline:
            return shown[0] if shown else None
        time.sleep(0.1)


def close_toolbar_popup(background: ff.Background) -> None:
    background.evaluate("() => chrome.extension.getViews({type: 'popup'}).forEach((v) => v.close())")
    deadline = time.monotonic() + 10
    while background.evaluate("() => chrome.extension.getViews({type: 'popup'}).length"):
        assert time.monotonic() < deadline, "the popup stayed open"
        time.sleep(0.05)


# -- the tests ------------------------------------------------------------------------------
def test_the_extension_loads_in_firefox_and_its_options_test_the_connection(firefox, connector):
    browser, background = firefox
    addon = browser.addon()
    assert addon["warnings"] == []  # about:debugging's manifest warnings (a Chromium-only key, ...)
    assert addon["temporarilyInstalled"] and addon["backgroundScriptStatus"] == "RUNNING"
    # Firefox runs background.scripts (quire.js, then background.js) as an event page
    assert background.evaluate(
        "() => [quireCall, quireTest, quireSaveTab, quireSaveLink, quireRefreshBadge, serializeTab]"
        ".map((f) => typeof f)") == ["function"] * 6
    # a temporary add-on holds its host permissions: it may read the page it saves
    assert set(background.evaluate("async () => (await chrome.permissions.getAll()).origins")) >= {
        "http://*/*", "https://*/*"}

    configure(background, 1, "")
    page = ExtensionPage.options(background)  # inside about:addons, as Firefox shows it
    try:
        assert page.wait_for("#port") == "" and page.run("return $('#port').value;") == "1"
        page.fill("#port", str(connector.port))
        page.fill("#secret", "not-the-secret")
        page.click("#test")
        page.wait_for("#result.bad", "Wrong secret")
        page.fill("#secret", connector.secret)
        page.click("#save")
        page.wait_for("#result.ok", "Saved")
        stored = background.evaluate("() => chrome.storage.local.get(['port', 'secret'])")
        assert stored == {"port": connector.port, "secret": connector.secret}
        page.click("#test")
        assert "the secret is right" in page.wait_for("#result.ok", "Connected to Quire")
        page.fill("#port", str(ff.free_port()))
        page.click("#test")
        page.wait_for("#result.bad", "Quire is not running")
    finally:
        page.close()


def test_the_toolbar_save_keeps_the_page_as_firefox_built_it(firefox, connector, web, built_tab):
    browser, background = firefox
    context, url, tid = built_tab
    assert wait_for_badge(background, tid, "") == ""  # not in Quire yet
    result = background.evaluate("(tabId) => quireSaveTab(tabId)", tid)
    built_page.check_saved(connector.archive, result, web)

    # the badge says it is saved, now and after the page is loaded again
    assert badge(background, tid) == SAVED_BADGE
    browser.reload(context)
    assert wait_for_badge(background, tid, SAVED_BADGE) == SAVED_BADGE
    status = background.evaluate("([tabId, url]) => quireRefreshBadge(tabId, url)", [tid, url])
    assert status["state"] == "saved" and status["id"] == result["id"]
    assert background.evaluate("(tabId) => chrome.action.getTitle({tabId})", tid).startswith("In Quire")


def test_the_popup_saves_tags_and_then_says_already_in_quire(firefox, connector, built_tab):
    _browser, background = firefox
    _context, _url, tid = built_tab
    popup = ExtensionPage.in_tab(background, f"popup.html?tabId={tid}")
    try:
        assert popup.wait_for("#state.saved") == "Saved to Quire"
        popup.fill("#tag-input", "moths, summer nights")
        popup.click("button[type=submit]")
        popup.wait_for("#tags", "summer nights")
        (article,) = connector.archive.articles()
        assert article.tags == ["moths", "summer nights"]
        assert TEXT_BUILT_BY_SCRIPT in connector.archive.article_text(article.id)
        assert wait_for_badge(background, tid, SAVED_BADGE) == SAVED_BADGE
        popup.reload()  # opened again on the same page: it is there already
        assert popup.wait_for("#state.saved") == "Already in Quire"
        assert len(connector.archive.articles()) == 1
    finally:
        popup.close()


def test_the_toolbar_button_saves_the_page_as_shown_even_with_site_access_turned_off(
        firefox, connector, web, built_tab):
    """A person presses the toolbar button. Firefox lets a person turn an MV3 extension's
    access to websites off (about:addons → Permissions); even then the button saves the
    page as shown, because pressing it gives the extension that one tab (activeTab, and
    Firefox's own rule for MV3 extensions without site access). Without a press the same
    save gets no page to read and would keep only what Quire fetches: no JavaScript-built
    text. The popup says Saved to Quire, and Already in Quire when pressed again."""
    browser, background = firefox
    context, _url, tid = built_tab
    everywhere = ["http://*/*", "https://*/*"]
    browser.set_host_access(everywhere, granted=False)
    try:
        assert background.evaluate("async () => (await chrome.permissions.getAll()).origins") == []
        assert background.evaluate("(tabId) => serializeTab(tabId)", tid) is None  # no press, no page
        browser.press_toolbar_button(context)
        assert toolbar_popup(background) == {"state": "Saved to Quire", "title": built_page.TITLE}
        (article,) = connector.archive.articles()
        built_page.check_article(connector.archive, article.id, web)
        assert badge(background, tid) == SAVED_BADGE
        close_toolbar_popup(background)

        browser.press_toolbar_button(context)  # again, on the same page
        assert toolbar_popup(background) == {"state": "Already in Quire", "title": built_page.TITLE}
        assert len(connector.archive.articles()) == 1
        close_toolbar_popup(background)
    finally:
        browser.set_host_access(everywhere, granted=True)
    assert set(background.evaluate("async () => (await chrome.permissions.getAll()).origins")) >= set(everywhere)


def test_the_states_a_person_sees(firefox, connector, web, built_tab):
    _browser, background = firefox
    _context, _url, tid = built_tab
    configure(background, connector.port, "not-the-secret")
    wrong = background.evaluate("(tabId) => quireSaveTab(tabId)", tid)
    assert wrong["state"] == "wrong-secret" and "Wrong secret" in wrong["error"]
    assert badge(background, tid) == "!"
    configure(background, connector.port, "")
    assert background.evaluate("(tabId) => quireSaveTab(tabId)", tid)["state"] == "no-secret"
    configure(background, ff.free_port(), connector.secret)
    down = background.evaluate("(tabId) => quireSaveTab(tabId)", tid)
    assert down["state"] == "not-running" and "Quire is not running" in down["error"]
    configure(background, connector.port, connector.secret)
    failed = background.evaluate("(url) => quireSaveLink(url, null)", web.url_for("/img/native.gif"))
    assert failed["state"] == "failed" and "is not an article" in failed["error"]
    assert connector.archive.articles() == []


def test_the_selection_is_sent_with_the_page_and_kept_as_a_highlight(firefox, connector, web, built_tab):
    browser, background = firefox
    context, url, tid = built_tab
    browser.page_evaluate(context, f"(() => {{ {built_page.SELECT_FIRST_PARAGRAPH} return true; }})()")
    built_page.check_selection_save(background.evaluate, tid, url, connector.archive, web)


#: the background's idle time before Firefox suspends it, here (30 s as shipped)
IDLE_MS = 800
#: how long Quire takes to download one picture of the slow page: several idle times
SLOW_PICTURE_SECONDS = 2.5


@pytest.fixture
def firefox_that_suspends(tmp_path, connector):
    """A Firefox of its own whose extension background is suspended after IDLE_MS idle, as
    Firefox does after 30 s, with no debugger attached (one keeps it awake); the extension
    is a copy with its keep-awake interval scaled down as much. Configured for connector."""
    extension = tmp_path / "extension"
    shutil.copytree(resource_path("extension"), extension)
    script = extension / "background.js"
    shipped = script.read_text(encoding="utf-8")
    assert "const KEEP_ALIVE_MS = 10000;" in shipped
    script.write_text(shipped.replace("const KEEP_ALIVE_MS = 10000;", f"const KEEP_ALIVE_MS = {IDLE_MS // 4};"),
                      encoding="utf-8")
    browser = ff.Firefox(tmp_path / "profile", extra_prefs={"extensions.background.idle.timeout": IDLE_MS})
    try:
        browser.install_extension(extension)
        configure(browser.background(), connector.port, connector.secret)
        browser.detach_debugger()
        yield browser
    finally:
        browser.close()


def test_a_save_longer_than_the_idle_time_is_not_lost_when_firefox_suspends_the_background(
        firefox_that_suspends, connector, web):
    """Firefox suspends an idle event page even while its fetch waits for Quire; a save
    that took longer than that (a slow picture) was lost: the background was stopped,
    the badge stayed at "…" and the archive stayed empty. The background now keeps
    itself awake while a save runs."""
    browser = firefox_that_suspends

    def slow_picture(_request):
        time.sleep(SLOW_PICTURE_SECONDS)
        return Response(PNG + b"\x01", content_type="image/png")

    web.expect_request("/slow-moths").respond_with_data(
        built_page.SHELL.replace('src="/img/native.gif"', 'src="/img/slow.png"'),
        content_type="text/html; charset=utf-8")
    web.expect_request("/img/slow.png").respond_with_handler(slow_picture)
    context = open_built_page(browser, web.url_for("/slow-moths"))
    browser.press_toolbar_button(context)
    deadline = time.monotonic() + SLOW_PICTURE_SECONDS + 30
    while (shown := browser.toolbar_badge())["badge"] != SAVED_BADGE and time.monotonic() < deadline:
        time.sleep(0.2)
    assert shown["badge"] == SAVED_BADGE, shown
    (article,) = connector.archive.articles()
    assert TEXT_BUILT_BY_SCRIPT in connector.archive.article_text(article.id)
    browser.attach_debugger()  # the popup got its answer too
    assert toolbar_popup(browser.background()) == {"state": "Saved to Quire", "title": built_page.TITLE}
    assert browser.stray.seen == []


def test_firefox_asked_nothing_of_any_other_host_and_the_extension_logged_no_error(firefox):
    """Run last: every request Firefox made for a host other than 127.0.0.1 while the
    tests above ran went to the recording proxy, and there must be none; the extension's
    console (background, options, popup) shows no error after all of the above, the
    failed saves included (each became a state, none an exception)."""
    browser, background = firefox
    assert browser.stray.seen == []
    background.evaluate("() => true")  # the console's messages so far have arrived
    assert browser.extension_errors() == []
