/* The extension's background: saving (toolbar popup, context menus), the badge
 * that says whether the page is in Quire, and the messages of the popup. Chromium
 * runs it as a service worker, Firefox as an event page (manifest: both). */
"use strict";

if (typeof quireCall === "undefined" && typeof importScripts === "function") {
  importScripts("quire.js");  // Chromium's service worker; Firefox lists quire.js itself
}

const SAVED_BADGE = "\u2713";
const FAILED_BADGE = "!";
/** How often a save under way calls the extension API. Firefox suspends an event page
 * that made no extension call for 30 s even while a fetch waits for Quire's answer
 * (Chromium documents the same 30 s for its service worker); a save can take longer
 * (Quire downloads the page's pictures, saves queue), and a suspended background loses
 * it: in Firefox the badge stayed at "\u2026" and nothing was saved. An extension API
 * call counts as activity in both browsers. */
const KEEP_ALIVE_MS = 10000;

function savable(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url);
}

async function setBadge(tabId, text, title, color) {
  try {
    await chrome.action.setBadgeText({tabId, text});
    if (color) await chrome.action.setBadgeBackgroundColor({tabId, color});
    await chrome.action.setTitle({tabId, title});
  } catch (err) {
    // the tab closed meanwhile
  }
}

/** Ask Quire whether the tab's page is saved, and show it on the badge. */
async function quireRefreshBadge(tabId, url) {
  if (!savable(url)) {
    await setBadge(tabId, "", "Save to Quire (only web pages can be saved)");
    return {state: "unsavable"};
  }
  try {
    const status = await quireCall("GET", "status?url=" + encodeURIComponent(url), undefined, {timeoutMs: 5000});
    if (status.saved) {
      await setBadge(tabId, SAVED_BADGE, "In Quire" + (status.tags && status.tags.length ?
        " (" + status.tags.join(", ") + ")" : ""), "#2e7d32");
    } else {
      await setBadge(tabId, "", "Save to Quire");
    }
    return {state: status.saved ? "saved" : "not-saved", ...status};
  } catch (err) {
    await setBadge(tabId, "", "Save to Quire \u2014 " + err.message);
    return {state: err.state || "failed", error: err.message};
  }
}

/** The page in the tab as the browser shows it (content.js), or null when it
 * cannot be read (a browser page, a PDF viewer). */
async function serializeTab(tabId) {
  try {
    const results = await chrome.scripting.executeScript({target: {tabId}, files: ["content.js"]});
    return results && results[0] && results[0].result ? results[0].result : null;
  } catch (err) {
    return null;
  }
}

/** Run work, keeping the background awake until it is done (KEEP_ALIVE_MS). */
async function keepingAwake(work) {
  const timer = setInterval(() => {
    chrome.runtime.getPlatformInfo().catch(() => {});
  }, KEEP_ALIVE_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Save the tab's page into Quire: what the toolbar button (popup) and the
 * selection's context menu do. Resolves to {state, id, title, tags, created}
 * or {state, error}; the badge says the outcome. */
async function quireSaveTab(tabId, {tags = [], selection = null} = {}) {
  const tab = await chrome.tabs.get(tabId);
  if (!savable(tab.url)) {
    return {state: "failed", error: "Only web pages (http and https) can be saved to Quire."};
  }
  await setBadge(tabId, "\u2026", "Saving to Quire\u2026", "#555555");
  const page = await serializeTab(tabId);
  const body = {url: tab.url, title: tab.title || ""};
  if (page && page.html) {
    body.url = savable(page.url) ? page.url : tab.url;
    body.html = page.html;
    body.title = page.title || body.title;
  }
  const kept = selection || (page && page.selection) || "";
  if (kept) body.selection = kept.slice(0, 100000);
  if (tags.length) body.tags = tags;
  return quireSave(tabId, body);
}

async function quireSave(tabId, body) {
  try {
    const saved = await keepingAwake(() => quireCall("POST", "save", body));
    if (tabId !== null) {
      await setBadge(tabId, SAVED_BADGE, "In Quire: " + saved.title, "#2e7d32");
    }
    return {state: "saved", ...saved};
  } catch (err) {
    if (tabId !== null) {
      await setBadge(tabId, FAILED_BADGE, "Not saved \u2014 " + err.message, "#c62828");
    }
    return {state: err.state || "failed", error: err.message};
  }
}

/** Save a link without opening it: Quire fetches the address itself. */
async function quireSaveLink(url, tabId) {
  if (!savable(url)) return {state: "failed", error: "Only web links (http and https) can be saved to Quire."};
  const result = await quireSave(null, {url});
  if (tabId !== null && tabId !== undefined) {
    // the badge speaks of the page shown, not of the link: only a failure is said on it
    if (result.state === "saved") {
      await chrome.action.setTitle({tabId, title: "Link saved to Quire: " + result.title});
    } else {
      await setBadge(tabId, FAILED_BADGE, "Link not saved \u2014 " + result.error, "#c62828");
    }
  }
  return result;
}

async function quireTag(id, add) {
  try {
    return {state: "saved", ...(await quireCall("POST", "tags", {id, add}))};
  } catch (err) {
    return {state: err.state || "failed", error: err.message};
  }
}

function createMenus() {
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({id: "quire-save-link", title: "Save link to Quire", contexts: ["link"]});
    chrome.contextMenus.create({id: "quire-save-selection", title: "Save page with selection to Quire",
      contexts: ["selection"]});
    chrome.contextMenus.create({id: "quire-save-page", title: "Save page to Quire", contexts: ["page"]});
  });
}

chrome.runtime.onInstalled.addListener(createMenus);
chrome.runtime.onStartup.addListener(createMenus);

chrome.contextMenus.onClicked.addListener((info, tab) => {
  const tabId = tab && tab.id !== undefined ? tab.id : null;
  if (info.menuItemId === "quire-save-link") {
    quireSaveLink(info.linkUrl, tabId);
  } else if (info.menuItemId === "quire-save-selection" && tabId !== null) {
    quireSaveTab(tabId, {selection: info.selectionText || null});
  } else if (info.menuItemId === "quire-save-page" && tabId !== null) {
    quireSaveTab(tabId);
  }
});

chrome.tabs.onActivated.addListener(async ({tabId}) => {
  try {
    const tab = await chrome.tabs.get(tabId);
    await quireRefreshBadge(tabId, tab.url);
  } catch (err) {
    // gone
  }
});

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.status === "complete" || change.url) quireRefreshBadge(tabId, tab.url);
});

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  const work = {
    "save-tab": () => quireSaveTab(message.tabId, {tags: message.tags || []}),
    "tag": () => quireTag(message.id, message.add || []),
    "status": () => quireRefreshBadge(message.tabId, message.url),
    "test": () => quireTest(message.settings).then((ping) => ({state: "ok", ...ping}),
                                                   (err) => ({state: err.state || "failed", error: err.message})),
  }[message && message.type];
  if (!work) return false;
  work().then(reply, (err) => reply({state: "failed", error: String(err && err.message || err)}));
  return true;  // the reply comes later
});

Object.assign(globalThis, {quireSaveTab, quireSaveLink, quireRefreshBadge, quireTag, serializeTab});
