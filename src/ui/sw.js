// Cairn's service worker (secure contexts only: HTTPS, or localhost). It
// keeps what a team has already unlocked readable without the network:
// - the static shell (stylesheet, scripts, icon, offline page) is precached;
// - the puzzle list and each unlocked puzzle page are fetched network first,
//   with a 3 s timeout, and cached only when the server marks the answer
//   `cairn-offline: cache` (it never does for a locked puzzle or another
//   team's page; a page with a one-time message is `once`: kept without it);
//   a 5xx (the server starting again) neither replaces nor forgets the copy
//   kept, which is shown instead;
// - anything else it has not cached gets the offline page;
// - POSTs and the API (live events included) pass by untouched.
// A new version waits until the page asks it to take over. The server fills
// in VERSION and SHELL when it serves this file.
"use strict";

const VERSION = "__CAIRN_VERSION__";
const SHELL = JSON.parse("__CAIRN_SHELL__");
const OFFLINE = "/offline";
const SHELL_CACHE = `cairn-shell-${VERSION}`;
const PAGES_CACHE = "cairn-pages";
const TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Older shells go; the team's pages stay (logging out clears them).
    for (const name of await caches.keys()) {
      if (name.startsWith("cairn-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  // Only when the page asks: an open page never finds its worker swapped under it.
  if (data.type === "skip-waiting") self.skipWaiting();
  if (data.type === "cache" && Array.isArray(data.urls)) event.waitUntil(cachePages(data.urls));
});

/** Whether the server marked a page as this team's to keep offline. */
function cacheable(response) {
  return response.status === 200 && response.headers.get("cairn-offline") === "cache";
}

/** Which pages may be kept: the puzzle list and puzzle pages, by path (no query). */
function pageKey(url) {
  return /^\/puzzles(\/[^/]+)?$/.test(url.pathname) ? url.pathname : undefined;
}

/** Fetches pages the page named (a new unlock, the list's links) and keeps the cacheable ones. */
async function cachePages(urls) {
  const cache = await caches.open(PAGES_CACHE);
  for (const raw of urls) {
    const url = new URL(raw, self.location.origin);
    const key = pageKey(url);
    if (url.origin !== self.location.origin || key === undefined) continue;
    try {
      // Marked, so the server leaves a form post's message (flash.ts) for the page it is for.
      const response = await fetch(key, {
        credentials: "same-origin",
        redirect: "manual",
        headers: { "cairn-background": "1" },
      });
      if (cacheable(response)) await cache.put(key, response);
      // A 5xx says the server cannot serve it now, not that the page is no longer the team's.
      else if (response.status < 500) await cache.delete(key);
    } catch {
      // Offline: tried again on the next unlock or visit.
    }
  }
}

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

/**
 * Keeps a page's answer when the server marked it cacheable, and forgets it otherwise. One that
 * shows a one-time message (`cairn-offline: once`: "Logged in", after a form post) is not kept,
 * nor is the copy kept before it forgotten: the page asks for a fresh one (`cachePages`), which
 * the server draws without the message.
 */
async function keep(key, response) {
  if (key === undefined || response.headers.get("cairn-offline") === "once") return response;
  // The server cannot serve it now (it is starting again): the copy kept stays.
  if (response.status >= 500) return response;
  const cache = await caches.open(PAGES_CACHE);
  if (cacheable(response)) await cache.put(key, response.clone());
  else await cache.delete(key);
  return response;
}

/**
 * A page: the network within 3 s (kept if cacheable), else the cached copy, else the offline page.
 * The server's 5xx (it is starting again after a failed save) gives the cached copy too, if any:
 * the team keeps reading the puzzle, and the page catches up once the server answers.
 */
async function networkFirst(network, key) {
  const cache = await caches.open(PAGES_CACHE);
  const cached = async () => key === undefined ? undefined : await cache.match(key);
  try {
    const response = await Promise.race([network, timeout(TIMEOUT_MS)]);
    if (response.status < 500) return response;
    return (await cached()) ?? response;
  } catch {
    const kept = await cached();
    if (kept) return kept;
    const offline = await caches.match(OFFLINE);
    return offline || new Response("You are offline.", {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode !== "navigate") return;
  const key = pageKey(url);
  const network = fetch(request).then((response) => keep(key, response));
  // A slow answer still refreshes the cache once it comes.
  event.waitUntil(network.catch(() => {}));
  event.respondWith(networkFirst(network, key));
});
