// Cairn's service worker (secure contexts only: HTTPS, or localhost). It
// keeps what a team has already unlocked readable without the network:
// - the static shell (stylesheet, scripts, icon, offline page) is precached;
// - the puzzle list, each unlocked puzzle page and the announcements are fetched network first,
//   with a 3 s timeout, and cached only when the server marks the answer
//   `cairn-offline: cache` (it never does for a locked puzzle or another
//   team's page; a page with a one-time message is `once`: kept without it);
//   a 5xx (the server starting again) neither replaces nor forgets the copy
//   kept, which is shown instead;
// - each team page asks for the list to be kept: a puzzle the list names and
//   the phone has not kept yet is fetched and kept too, wherever the team
//   landed (a checkpoint's page after a login) and whatever it opens; so are the announcements,
//   unless the copy kept has the newest the list's banner names;
// - anything else it has not cached gets the offline page;
// - POSTs and the API (live events included) pass by untouched.
// The pages kept belong to the session they were drawn for (the id in the
// answer's last-contact token, `cairn-contact`): an answer drawn for another
// session, or for none (a new login, a logout, another team's login in any
// tab), drops them all first, so the next team on a shared phone never reads
// the last team's puzzles offline. From a login, join or logout post until the next page's answer
// names the session, no kept page is shown at all. Several tabs asking for the same pages at
// once (a reload that removed a puzzle, told to each) are fetched once.
// A new version waits until the page asks it to take over. The server fills
// in VERSION and SHELL when it serves this file.
"use strict";

const VERSION = "__CAIRN_VERSION__";
const SHELL = JSON.parse("__CAIRN_SHELL__");
const OFFLINE = "/offline";
const SHELL_CACHE = `cairn-shell-${VERSION}`;
const PAGES_CACHE = "cairn-pages";
/** Holds one entry: the id of the session the kept pages belong to ("" for none). */
const SESSION_CACHE = "cairn-session";
const SESSION_KEY = "/session";
const ANNOUNCEMENTS = "/announcements";
const TIMEOUT_MS = 3000;
/**
 * How long a page fetched for keeping may take, its body included: past it, the fetch is given up
 * (tried again on the next ask). Each batch of asks waits for the one before, so a fetch that
 * never ends (Wi-Fi that drops with no reset) would leave every later page unkept until the
 * browser stopped the worker.
 */
const BACKGROUND_TIMEOUT_MS = 15_000;
/**
 * How long the body of a page to keep may take to arrive once its headers came: past it, the copy
 * is not kept (the copy kept before stays). The body is read apart from the cache work's order,
 * so one that never ends holds up no other page meanwhile.
 */
const BODY_TIMEOUT_MS = 15_000;
/** How long asks to keep pages are gathered before they are fetched: each tab sends its own. */
const GATHER_MS = 250;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // The team's pages stay (a session change, or logging out, clears them), and so does an older
    // shell while a page kept names its assets.
    await pruneShells();
    await self.clients.claim();
  })());
});

/**
 * The page kept that named each older shell's assets at the last round: read first at the next,
 * so that a round that keeps every shell reads few pages (the worker may stop: then it has none).
 */
const namedBy = new Map();

/**
 * Drops the shells of older versions whose assets no page kept names any more (none while a newer
 * version waits). A page kept before an update names the stylesheet and scripts it was drawn with,
 * by their hashed paths, which the new shell does not have: its own older shell serves them offline
 * (the browser's own cache of them may be gone), until the phone has kept that page again from the
 * server. Pages are read only until each older shell is named by one: a round that keeps them all
 * reads few, and only a round that drops one reads every page.
 */
async function pruneShells() {
  // A newer version installed or waiting (until the player takes it) has its shell here already:
  // under another name than this one's, and named by no page kept yet. It prunes once active.
  if (self.registration.installing !== null || self.registration.waiting !== null) return;
  const older = (await caches.keys())
    .filter((name) => name.startsWith("cairn-shell-") && name !== SHELL_CACHE);
  if (older.length === 0) return;
  // Each older shell's own assets, those this version's shell does not have: a shell with none
  // serves nothing this one does not, and goes without reading a page.
  const unnamed = new Map();
  for (const name of older) {
    const paths = (await (await caches.open(name)).keys())
      .map((r) => new URL(r.url).pathname)
      .filter((path) => !SHELL.includes(path));
    unnamed.set(name, paths);
  }
  const pages = await caches.open(PAGES_CACHE);
  const requests = await pages.keys();
  const hinted = new Set(namedBy.values());
  requests.sort((a, b) => Number(hinted.has(b.url)) - Number(hinted.has(a.url)));
  for (const request of requests) {
    if ([...unnamed.values()].every((paths) => paths.length === 0)) break;
    const text = (await (await pages.match(request))?.text()) ?? "";
    const named = new Set(Array.from(text.matchAll(/\/assets\/[^"'\s?#]+/g), ([path]) => path));
    for (const [name, paths] of unnamed) {
      if (paths.some((path) => named.has(path))) {
        unnamed.delete(name);
        namedBy.set(name, request.url);
      }
    }
  }
  for (const name of unnamed.keys()) {
    namedBy.delete(name);
    await caches.delete(name);
  }
}

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

/** Which pages may be kept: the puzzle list, puzzle pages and the announcements, by path (no query). */
function pageKey(url) {
  const path = url.pathname;
  return /^\/puzzles(\/[^/]+)?$/.test(path) || path === ANNOUNCEMENTS ? path : undefined;
}

/**
 * The session a page was drawn for: the session's id in its last-contact token (the server adds
 * one to every answer to a team's session; `team.second.session.signature`), "" for none.
 * Undefined when the answer does not say: a redirect (opaque here), a 5xx (the server could not
 * serve, say, while it starts again), or no page (a puzzle's file opened in a tab).
 */
function sessionOf(response) {
  // "default": a copy kept, made here from the answer's bytes (`whole`).
  if (!["basic", "default"].includes(response.type) || response.status >= 500) return undefined;
  if (!(response.headers.get("content-type") ?? "").startsWith("text/html")) return undefined;
  const token = response.headers.get("cairn-contact");
  return token === null ? "" : token.split(".")[2] ?? "";
}

/** The cache work in order: a session's change, and a page kept or dropped, one at a time. */
let queue = Promise.resolve();
function serially(work) {
  const run = queue.then(work);
  queue = run.catch(() => {});
  return run;
}

/** The session the kept pages belong to, as last seen (kept in a cache: the worker may stop). */
let current;
async function currentSession() {
  if (current === undefined) {
    const hit = await (await caches.open(SESSION_CACHE)).match(SESSION_KEY);
    current = hit === undefined ? null : await hit.text();
  }
  return current;
}

/**
 * The posts whose answer may change the phone's session: a login, a join, a logout (pages and the
 * API). That answer passes by this worker (its redirect is opaque here), so it cannot tell whose
 * session the phone holds until an answer names it again.
 */
const SESSION_POSTS = ["/login", "/join", "/logout", "/api/session", "/api/teams"];
const LOGIN_KEY = "/session-post";
/**
 * Whether such a post went since the last page's answer (kept in a cache: the worker may stop).
 * Meanwhile no page kept is shown: a slow first page after another team's login would otherwise
 * show the team logged in before, and its scripts would say the phone is that team's again.
 */
let sessionPosted;
async function sessionUnsure() {
  if (sessionPosted === undefined) {
    const hit = await (await caches.open(SESSION_CACHE)).match(LOGIN_KEY);
    // (Unless a post was seen meanwhile.)
    sessionPosted ??= hit !== undefined;
  }
  return sessionPosted;
}

/** Notes that a post may have changed the session, or that an answer named it again. */
async function noteSessionPost(posted) {
  if (!posted && !(await sessionUnsure())) return;
  sessionPosted = posted;
  const cache = await caches.open(SESSION_CACHE);
  if (posted) await cache.put(LOGIN_KEY, new Response("1"));
  else await cache.delete(LOGIN_KEY);
}

/** A page's answer, drawn for `session` (undefined when it does not say). */
async function noteAnswer(session) {
  if (session === undefined) return;
  await noteSessionPost(false);
  await noteSession(session);
}

/** An answer drawn for `session`: the pages kept for another session (or for none) go first. */
async function noteSession(session) {
  if (session === undefined || (await currentSession()) === session) return;
  await caches.delete(PAGES_CACHE);
  await (await caches.open(SESSION_CACHE)).put(SESSION_KEY, new Response(session));
  current = session;
}

/**
 * A copy of `response` with its whole body, read within BODY_TIMEOUT_MS; undefined when it did not
 * come whole in that time (the network dropped with no reset), or broke off.
 */
async function whole(response) {
  const chunks = [];
  let late = false;
  const reader = response.body?.getReader();
  const timer = setTimeout(() => {
    late = true;
    reader?.cancel().catch(() => {});
  }, BODY_TIMEOUT_MS);
  try {
    for (;;) {
      const { done, value } = reader === undefined ? { done: true } : await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  if (late) return undefined;
  return new Response(new Blob(chunks), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** How many answers `store` has been given, and the last of each key's put in the cache. */
let stored = 0;
const latest = new Map();

/**
 * Keeps an answer to `key` when the server marked it cacheable, and forgets the copy otherwise;
 * either way after noting the session it was drawn for. A 5xx changes nothing. An answer fetched
 * for keeping (`background`) changes no session: one drawn for another session than the last page
 * (a fetch sent before another team's login, answered after that team's page) is not kept, nor
 * does it drop that team's pages; before any page, the first one tells the session. True when it
 * kept a copy.
 *
 * The session is noted in the order the answers came, as soon as their headers came; a copy's body
 * is read outside that order (a body that never ends holds up no other page), then put if the
 * session is still the one it was drawn for, and no later answer to the same page was put or
 * forgotten meanwhile.
 */
async function store(key, response, background = false) {
  if (response.status >= 500) return false;
  const session = sessionOf(response);
  const turn = ++stored;
  // Cloned now: the page reads the answer's body too.
  const clone = cacheable(response) ? response.clone() : undefined;
  const noted = await serially(async () => {
    const known = await currentSession();
    if (background && session !== undefined && known !== null && session !== known) return false;
    // A page fetched for keeping may have been asked for before a login: it says nothing of the
    // session the phone holds now.
    if (background) await noteSession(session);
    else await noteAnswer(session);
    if (clone === undefined) {
      latest.set(key, turn);
      await (await caches.open(PAGES_CACHE)).delete(key);
    }
    return true;
  });
  if (!noted || clone === undefined) {
    await clone?.body?.cancel().catch(() => {});
    return false;
  }
  const copy = await whole(clone);
  if (copy === undefined) return false;
  return serially(async () => {
    if (session !== undefined && (await currentSession()) !== session) return false;
    if ((latest.get(key) ?? 0) > turn) return false;
    latest.set(key, turn);
    await (await caches.open(PAGES_CACHE)).put(key, copy);
    return true;
  });
}

/** The pages asked for and not yet fetched, and when they will be. */
let gathering;
/** The last batch of fetches: the next waits for it, so a page's copies go in the order fetched. */
let fetching = Promise.resolve();

/**
 * Fetches the pages a page named (a new unlock, the list's links, a removed puzzle) and keeps the
 * cacheable ones. Asks that come within GATHER_MS of each other, one from each open tab, are
 * fetched once: each page is fetched after every ask it answers was made.
 */
function cachePages(urls) {
  if (gathering === undefined) {
    const batch = { keys: new Set() };
    const before = fetching;
    batch.done = (async () => {
      await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
      await before;
      // From here, a new ask starts a new batch: these fetches may have begun before it.
      if (gathering === batch) gathering = undefined;
      await fetchPages([...batch.keys]);
      // The pages kept again from the server may name an older shell's assets no more.
      await pruneShells().catch(() => {});
    })();
    fetching = batch.done.catch(() => {});
    gathering = batch;
  }
  for (const raw of urls) {
    const url = new URL(raw, self.location.origin);
    const key = pageKey(url);
    if (url.origin === self.location.origin && key !== undefined) gathering.keys.add(key);
  }
  return gathering.done;
}

/** The puzzle pages a list names (the links in its HTML), by path. */
function listed(html) {
  const keys = new Set();
  for (const [, path] of html.matchAll(/href="(\/puzzles\/[^"/?#]+)"/g)) {
    const key = pageKey(new URL(path, self.location.origin));
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

/**
 * The newest announcement a page names, by id: its banner's (the latest made, on a team's list),
 * else its list's first (the announcements' page, newest first); 0 for none.
 */
function newestAnnouncement(html) {
  const banner = /<div class="announcement" id="announcement" [^>]*?data-id="(\d+)"/.exec(html);
  const first = /id="announcement-(\d+)"/.exec(html);
  return Math.max(Number(banner?.[1] ?? 0), Number(first?.[1] ?? 0));
}

/** Whether a page names an asset this version's shell does not have: it was drawn before an update. */
function olderAssets(html) {
  return Array.from(html.matchAll(/\/assets\/[^"'\s?#]+/g), ([path]) => path)
    .some((path) => !SHELL.includes(path));
}

/**
 * Fetches each page for keeping, one at a time. The list, once kept, adds each puzzle it names
 * that is not kept yet: a team that logged in on another page than the list (a checkpoint's QR
 * code), or whose puzzle unlocked while no page heard of it, has them all for reading offline. It
 * adds the announcements too, unless the copy kept has the newest the list names and this
 * version's assets: an announcement made while no page of the team was open is kept as soon as one
 * opens, and a copy from before an update is kept again from the new version.
 */
async function fetchPages(keys) {
  const todo = [...keys];
  for (let i = 0; i < todo.length; i++) {
    const key = todo[i];
    try {
      // Marked, so the server leaves a form post's message (flash.ts) for the page it is for.
      const response = await fetch(key, {
        credentials: "same-origin",
        redirect: "manual",
        headers: { "cairn-background": "1" },
        signal: AbortSignal.timeout(BACKGROUND_TIMEOUT_MS),
      });
      const list = key === "/puzzles" && cacheable(response) ? response.clone() : undefined;
      // A 5xx says the server cannot serve it now, not that the page is no longer the team's.
      const kept = await store(key, response, true);
      if (list === undefined || !kept) continue;
      const cache = await caches.open(PAGES_CACHE);
      const html = await list.text();
      for (const page of listed(html)) {
        if (!todo.includes(page) && (await cache.match(page)) === undefined) todo.push(page);
      }
      if (!todo.includes(ANNOUNCEMENTS)) {
        const kept = await (await cache.match(ANNOUNCEMENTS))?.text();
        // (A copy kept before an update names the older shell's assets, which stays until it goes.)
        const behind = kept === undefined || olderAssets(kept) ||
          newestAnnouncement(kept) < newestAnnouncement(html);
        if (behind) todo.push(ANNOUNCEMENTS);
      }
    } catch {
      // Offline, or no answer in time: tried again on the next unlock or visit.
    }
  }
}

/** A path of the shell: this version's copy, else an older shell's (the same, by its hash). */
async function fromShell(path) {
  return (await caches.match(path, { cacheName: SHELL_CACHE })) ?? (await caches.match(path));
}

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

/**
 * A page's answer: any page notes the session it was drawn for (the landing page, none), and a
 * page that may be kept is kept when the server marked it cacheable, and forgotten otherwise. One
 * that shows a one-time message (`cairn-offline: once`: "Logged in", after a form post) is not
 * kept, nor is the copy kept before it forgotten: the page asks for a fresh one (`cachePages`),
 * which the server draws without the message.
 */
async function keep(key, response) {
  if (key === undefined || response.headers.get("cairn-offline") === "once") {
    await serially(() => noteAnswer(sessionOf(response)));
    return response;
  }
  // The server cannot serve it now (it is starting again): the copy kept stays.
  await store(key, response);
  return response;
}

/**
 * A page: the network within 3 s (kept if cacheable), else the cached copy, else the offline page.
 * The server's 5xx (it is starting again after a failed save) gives the cached copy too, if any:
 * the team keeps reading the puzzle, and the page catches up once the server answers.
 */
async function networkFirst(network, key) {
  // Only a copy of the session seen last: none of another's, even one kept by a fetch in flight
  // as the session changed.
  const cached = async () => {
    // (None at all while the answer to a login, or a logout, has named no session yet.)
    if (key === undefined || (await sessionUnsure())) return undefined;
    const kept = await caches.match(key, { cacheName: PAGES_CACHE });
    return kept !== undefined && sessionOf(kept) === (await currentSession()) ? kept : undefined;
  };
  try {
    const response = await Promise.race([network, timeout(TIMEOUT_MS)]);
    if (response.status < 500) return response;
    return (await cached()) ?? response;
  } catch {
    const kept = await cached();
    if (kept) return kept;
    const offline = await fromShell(OFFLINE);
    return offline || new Response("You are offline.", {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method === "POST" && url.origin === self.location.origin) {
    if (SESSION_POSTS.includes(url.pathname)) {
      // Said at once, before the post's answer: the next page's fetch event may come first.
      sessionPosted = true;
      event.waitUntil(serially(() => noteSessionPost(true)));
    }
    return;
  }
  if (request.method !== "GET") return;
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (SHELL.includes(url.pathname)) {
    event.respondWith(fromShell(url.pathname).then((hit) => hit || fetch(request)));
    return;
  }
  // An asset of an older version, named by a page kept before an update: from its older shell.
  // Its path has its content's hash: a page gets the very stylesheet and scripts it was drawn with.
  if (url.pathname.startsWith("/assets/")) {
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
