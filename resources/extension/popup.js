/* The toolbar popup: opening it saves the current tab (through the background, the
 * same function the context menu uses), then takes tags for the saved article. */
"use strict";

const STATE_TEXT = {
  "saving": "Saving\u2026",
  "saved": "Saved to Quire",
  "already": "Already in Quire",
  "not-running": "Quire is not running",
  "no-secret": "Quire needs its secret",
  "wrong-secret": "Wrong secret",
  "failed": "Save failed",
};

const $ = (id) => document.getElementById(id);
let savedId = null;

function show(state, {title = "", message = "", tags = null} = {}) {
  const el = $("state");
  el.textContent = STATE_TEXT[state] || state;
  el.className = state === "already" ? "saved" : state;
  $("title").textContent = title;
  $("message").textContent = message;
  $("message").hidden = !message;
  $("tag-form").hidden = !savedId;
  if (tags !== null) $("tags").textContent = tags.length ? "Tags: " + tags.join(", ") : "";
}

async function targetTab() {
  const wanted = Number(new URLSearchParams(location.search).get("tabId"));
  if (wanted) return chrome.tabs.get(wanted);  // the tests and the README's screenshot name a tab
  const [tab] = await chrome.tabs.query({active: true, currentWindow: true});
  return tab;
}

async function save() {
  show("saving");
  const tab = await targetTab();
  if (!tab) return show("failed", {message: "No tab to save."});
  $("title").textContent = tab.title || tab.url || "";
  const result = await chrome.runtime.sendMessage({type: "save-tab", tabId: tab.id});
  if (result.state === "saved") {
    savedId = result.id;
    show(result.created ? "saved" : "already", {title: result.title, tags: result.tags || []});
    $("tag-input").focus();
  } else {
    show(result.state, {title: tab.title || "", message: result.error || ""});
  }
}

$("tag-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const add = $("tag-input").value.split(",").map((t) => t.trim()).filter(Boolean);
  if (!add.length || !savedId) return;
  const result = await chrome.runtime.sendMessage({type: "tag", id: savedId, add});
  if (result.state === "saved") {
    $("tag-input").value = "";
    show("saved", {title: $("title").textContent, tags: result.tags});
  } else {
    show(result.state, {title: $("title").textContent, message: result.error || ""});
  }
});

$("options").addEventListener("click", (event) => {
  event.preventDefault();
  chrome.runtime.openOptionsPage();
});

save();
