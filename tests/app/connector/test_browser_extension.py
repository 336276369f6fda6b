"""End to end in a real browser: Debian's Chromium, headless, with the unpacked
extension, saving a page whose article is built by JavaScript after load and
whose pictures are lazy, into an archive through the running connector.
Everything is on 127.0.0.1 (the page from pytest-httpserver, the connector)."""
from __future__ import annotations

import socket

import pytest

from app.connector import browser
from tests.support import built_page
from tests.support.built_page import TEXT_BUILT_BY_SCRIPT, badge, wait_for_badge

pytestmark = pytest.mark.skipif(browser.why_not_available() is not None,
                                reason=f"no browser to drive: {browser.why_not_available()}")

@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = browser.launch(p, tmp_path_factory.mktemp("profile"))
        try:
            yield context, browser.service_worker(context)
        finally:
            context.close()


@pytest.fixture
def web(httpserver):
    return built_page.serve(httpserver)


def open_built_page(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(built_page.BUILT)
    return page


@pytest.fixture
def built_tab(chromium, connector, web):
    """The built page open in a tab, the extension configured for connector:
    (the page, its address, its tab id); the tab is closed after the test."""
    context, worker = chromium
    browser.configure(worker, connector.port, connector.secret)
    url = web.url_for(built_page.PATH)
    page = open_built_page(context, url)
    try:
        yield page, url, browser.tab_id(worker, url)
    finally:
        page.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_toolbar_save_keeps_the_page_as_the_browser_built_it(chromium, connector, web, built_tab):
    _context, worker = chromium
    page, url, tid = built_tab
    assert wait_for_badge(worker, tid, "") == ""  # not in Quire yet
    result = worker.evaluate("(tabId) => quireSaveTab(tabId)", tid)
    built_page.check_saved(connector.archive, result, web)

    # the badge says it is saved, now and after the page is loaded again
    assert badge(worker, tid) == "\u2713"
    page.reload()
    assert wait_for_badge(worker, tid, "\u2713") == "\u2713"
    status = worker.evaluate("([tabId, url]) => quireRefreshBadge(tabId, url)", [tid, url])
    assert status["state"] == "saved" and status["id"] == result["id"]


def test_the_popup_saves_and_tags(chromium, connector, built_tab):
    context, worker = chromium
    _page, _url, tid = built_tab
    popup = context.new_page()
    try:
        popup.goto(f"chrome-extension://{browser.extension_id(worker)}/popup.html?tabId={tid}")
        popup.wait_for_selector("#state.saved", timeout=30000)
        assert popup.text_content("#state") == "Saved to Quire"
        popup.fill("#tag-input", "moths, summer nights")
        popup.click("button[type=submit]")
        popup.wait_for_selector("#tags:has-text('summer nights')")
        (article,) = connector.archive.articles()
        assert article.tags == ["moths", "summer nights"]
        assert TEXT_BUILT_BY_SCRIPT in connector.archive.article_text(article.id)
        popup.reload()  # opened again on the same page: it is there already
        popup.wait_for_selector("#state.saved", timeout=30000)
        assert popup.text_content("#state") == "Already in Quire"
        assert len(connector.archive.articles()) == 1
    finally:
        popup.close()


def test_the_states_a_person_sees(chromium, connector, web, built_tab):
    _context, worker = chromium
    _page, _url, tid = built_tab
    browser.configure(worker, connector.port, "not-the-secret")
    wrong = worker.evaluate("(tabId) => quireSaveTab(tabId)", tid)
    assert wrong["state"] == "wrong-secret" and "Wrong secret" in wrong["error"]
    assert badge(worker, tid) == "!"
    browser.configure(worker, connector.port, "")
    assert worker.evaluate("(tabId) => quireSaveTab(tabId)", tid)["state"] == "no-secret"
    browser.configure(worker, closed_port(), connector.secret)
    down = worker.evaluate("(tabId) => quireSaveTab(tabId)", tid)
    assert down["state"] == "not-running" and "Quire is not running" in down["error"]
    browser.configure(worker, connector.port, connector.secret)
    failed = worker.evaluate("(url) => quireSaveLink(url, null)", web.url_for("/img/native.gif"))
    assert failed["state"] == "failed" and "is not an article" in failed["error"]
    assert connector.archive.articles() == []
    tested = worker.evaluate("([port, secret]) => quireTest({port, secret})", [connector.port, connector.secret])
    assert tested["name"] == "Quire"


def test_save_link_sends_the_address_only(chromium, web, built_tab):
    _context, worker = chromium
    _page, _url, tid = built_tab
    web.expect_request("/plain").respond_with_data(
        "<html><head><title>A plain page</title></head><body><article><p>" + "Words on the page. " * 40
        + "</p></article></body></html>", content_type="text/html")
    result = worker.evaluate("([url, tabId]) => quireSaveLink(url, tabId)", [web.url_for("/plain"), tid])
    assert result["state"] == "saved", result
    assert result["title"] == "A plain page"
    assert badge(worker, tid) == ""  # the page shown is not the link saved
    assert worker.evaluate("(tabId) => chrome.action.getTitle({tabId})", tid).startswith("Link saved")


def test_the_selection_is_sent_with_the_page_and_kept_as_a_highlight(chromium, connector, web, built_tab):
    _context, worker = chromium
    page, url, tid = built_tab
    page.evaluate(f"() => {{ {built_page.SELECT_FIRST_PARAGRAPH} }}")
    built_page.check_selection_save(worker.evaluate, tid, url, connector.archive, web)


def test_the_options_page_keeps_port_and_secret_and_tests_the_connection(chromium, connector):
    context, worker = chromium
    browser.configure(worker, 1, "")
    page = context.new_page()
    try:
        page.goto(f"chrome-extension://{browser.extension_id(worker)}/options.html")
        page.fill("#port", str(connector.port))
        page.fill("#secret", "not-the-secret")
        page.click("#test")
        page.wait_for_selector("#result.bad:has-text('Wrong secret')")
        page.fill("#secret", connector.secret)
        page.click("#save")
        page.wait_for_selector("#result.ok:has-text('Saved')")
        stored = worker.evaluate("() => chrome.storage.local.get(['port', 'secret'])")
        assert stored == {"port": connector.port, "secret": connector.secret}
        page.click("#test")
        page.wait_for_selector("#result.ok:has-text('Connected to Quire')")
        page.fill("#port", str(closed_port()))
        page.click("#test")
        page.wait_for_selector("#result.bad:has-text('Quire is not running')")
    finally:
        page.close()
