/* The options: Quire's port and the archive's secret, kept in the extension's local
 * storage (never synced), and a test of the connection as typed. */
"use strict";

const $ = (id) => document.getElementById(id);

function typed() {
  return {port: Number($("port").value) || QUIRE_DEFAULT_PORT, secret: $("secret").value.trim()};
}

function say(text, ok) {
  $("result").textContent = text;
  $("result").className = ok ? "ok" : "bad";
}

async function load() {
  const settings = await quireSettings();
  $("port").value = settings.port;
  $("secret").value = settings.secret;
}

$("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  await chrome.storage.local.set(typed());
  say("Saved.", true);
});

$("reveal").addEventListener("click", () => {
  const hidden = $("secret").type === "password";
  $("secret").type = hidden ? "text" : "password";
  $("reveal").textContent = hidden ? "Hide" : "Show";
});

$("test").addEventListener("click", async () => {
  say("Testing\u2026", true);
  try {
    const ping = await quireTest(typed());
    say(`Connected to ${ping.name} ${ping.version}; the secret is right.`, true);
  } catch (err) {
    say(err.message, false);
  }
});

load();
