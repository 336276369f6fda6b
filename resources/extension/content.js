/* Runs in the page (injected by the background worker when a save is asked for):
 * the page as the browser shows it now, JavaScript-built text included, with every
 * picture's current, absolute address (lazy-loaded ones resolved), plus the
 * selection. Its value is the script's last expression. */
(() => {
  "use strict";
  const LAZY_SRC = ["data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src",
    "data-full-src", "data-orig-src", "data-orig-file", "data-large-file", "data-echo", "data-original-src",
    "data-actualsrc", "data-pagespeed-lazy-src", "data-img-src", "data-delayed-url"];
  const LAZY_SRCSET = ["data-srcset", "data-lazy-srcset", "data-original-set"];
  const absolute = (value) => {
    if (!value) return null;
    try {
      return new URL(value.trim(), document.baseURI).href;
    } catch (err) {
      return null;
    }
  };
  const absoluteSrcset = (value) => value.split(",").map((part) => {
    const bits = part.trim().split(/\s+/);
    const url = absolute(bits[0]);
    return url ? [url, ...bits.slice(1)].join(" ") : "";
  }).filter(Boolean).join(", ");
  const isPlaceholder = (src) => !src || src.startsWith("data:") || src === "about:blank";

  const root = document.documentElement;
  const originals = Array.from(root.querySelectorAll("img"));
  // the copy lives in a document of its own, with no window: an <img> given a src there
  // loads nothing (a clone in the page's own document would make the browser fetch every
  // lazy picture it never showed, which Quire then downloads again)
  const copy = document.implementation.createHTMLDocument("").importNode(root, true);
  const copies = Array.from(copy.querySelectorAll("img"));
  originals.forEach((img, i) => {
    const out = copies[i];
    if (!out) return;
    const lazy = LAZY_SRC.map((name) => img.getAttribute(name)).find((v) => v && !v.startsWith("data:"));
    const loaded = img.complete && img.naturalWidth > 1;
    let src = img.currentSrc || img.src;  // what the browser shows (or will load)
    if (lazy && (isPlaceholder(src) || !loaded)) src = absolute(lazy);
    if (src) out.setAttribute("src", absolute(src));
    for (const name of LAZY_SRC) {
      const value = out.getAttribute(name);
      if (value) out.setAttribute(name, absolute(value) || value);
    }
    for (const name of ["srcset", ...LAZY_SRCSET]) {
      const value = out.getAttribute(name);
      if (value) out.setAttribute(name, absoluteSrcset(value));
    }
    if (lazy && src && out.getAttribute("srcset") && !loaded) out.removeAttribute("srcset");
    out.removeAttribute("loading");
  });
  for (const source of copy.querySelectorAll("picture source[srcset], picture source[data-srcset]")) {
    for (const name of ["srcset", "data-srcset"]) {
      const value = source.getAttribute(name);
      if (value) source.setAttribute(name, absoluteSrcset(value));
    }
  }
  for (const el of copy.querySelectorAll("[poster]")) el.setAttribute("poster", absolute(el.getAttribute("poster")) || "");
  for (const el of copy.querySelectorAll("a[href]")) {
    const href = el.getAttribute("href");
    if (href && !href.startsWith("#") && !/^javascript:/i.test(href)) el.setAttribute("href", absolute(href) || href);
  }
  for (const el of copy.querySelectorAll("script, template")) el.remove();  // never content
  const selection = String(window.getSelection ? window.getSelection() : "").trim();
  const doctype = document.doctype ? "<!DOCTYPE html>\n" : "";
  return {url: location.href, title: document.title, html: doctype + copy.outerHTML, selection};
})();
