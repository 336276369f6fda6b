/* Talking to Quire's connector on 127.0.0.1: shared by the background worker,
 * the popup and the options page. Every answer becomes one of a few clear states:
 * not-running, no-secret, wrong-secret, failed (with Quire's message) or ok. */
"use strict";

const QUIRE_DEFAULT_PORT = 26817;

class QuireError extends Error {
  constructor(state, message) {
    super(message);
    this.state = state;
  }
}

async function quireSettings() {
  const stored = await chrome.storage.local.get({port: QUIRE_DEFAULT_PORT, secret: ""});
  const port = Number(stored.port) || QUIRE_DEFAULT_PORT;
  return {port, secret: String(stored.secret || "").trim()};
}

/** Call the connector: resolves to the JSON answer, rejects with a QuireError. */
async function quireCall(method, path, body, {settings, timeoutMs = 120000} = {}) {
  const {port, secret} = settings || await quireSettings();
  const headers = {};
  if (secret) headers["Authorization"] = "Bearer " + secret;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/api/v1/${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs), credentials: "omit", cache: "no-store",
    });
  } catch (err) {
    if (err && err.name === "TimeoutError") {
      throw new QuireError("failed", `Quire did not answer within ${Math.round(timeoutMs / 1000)} s`);
    }
    throw new QuireError("not-running", `Quire is not running (nothing answers on 127.0.0.1:${port}). ` +
      "Open the Quire window, or run `quire serve`.");
  }
  let answer = {};
  try {
    answer = await response.json();
  } catch (err) {
    answer = {};
  }
  if (response.ok) return answer;
  const message = answer.error || `HTTP ${response.status}`;
  if (response.status === 401) {
    throw new QuireError("no-secret", "Quire needs its secret: paste the one `quire connector secret` " +
      "prints (or Quire's File → Browser connector shows) into this extension's options.");
  }
  if (response.status === 403 && /wrong secret/i.test(message)) {
    throw new QuireError("wrong-secret", "Wrong secret: copy it again from Quire's File → Browser " +
      "connector (or `quire connector secret`) into this extension's options.");
  }
  throw new QuireError("failed", message);
}

/** Test the connection the options page names: a ping, then a call that needs the secret. */
async function quireTest(settings) {
  const ping = await quireCall("GET", "ping", undefined, {settings, timeoutMs: 5000});
  await quireCall("GET", "status?url=" + encodeURIComponent("https://example.com/"), undefined,
                  {settings, timeoutMs: 5000});
  return ping;
}

if (typeof globalThis !== "undefined") {
  Object.assign(globalThis, {QUIRE_DEFAULT_PORT, QuireError, quireSettings, quireCall, quireTest});
}
