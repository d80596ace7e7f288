// The announcements page (/announcements): a new announcement goes at the top of the list as it is
// made, from the live stream's `announcement` event, and the count line under the list follows.
// Every event of the stream names the newest announcement made (its id is `<announcement id>.<n>`):
// one newer than the page lists was made while the page had no stream (before its stream first
// opened, or while common.js opened it anew after an error answer, which resumes nothing), and the
// page asks for the list again. Times are written in the server's time zone, as it writes them.
// When the stream fails (no network, the server starting again), the page asks for the list too;
// with no answer, it says the list may be out of date, and asks again every 5 s and as soon as the
// phone is back online: a team's copy kept on the phone (sw.js), opened offline, says so at once.
// A team's page that changed has the service worker keep it again.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const list = $("announcement-list");
  const none = $("announcements-none");
  const count = $("announcements-count");
  if (!list || !none || !count || !("EventSource" in window) || !globalThis.cairnEvents) return;
  /** The most the page lists, as the server does: the oldest go past it. */
  const most = Number(document.body.dataset.most) || 50;
  let total = Number(document.body.dataset.total) || list.children.length;

  const pad = (n) => String(n).padStart(2, "0");
  /** The server's time zone (`data-zone`), unless this browser does not know it. */
  let inZone;
  try {
    inZone = new Intl.DateTimeFormat("en-GB", {
      timeZone: document.body.dataset.zone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
  } catch {
    inZone = undefined;
  }
  /** HH:MM, as the server writes the times it lists: in its time zone, not the phone's. */
  const clock = (ms) => {
    if (inZone) {
      const part = (type) => inZone.formatToParts(ms).find((p) => p.type === type)?.value;
      return `${part("hour")}:${part("minute")}`;
    }
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  const idOf = (item) => Number(item.id.slice("announcement-".length));
  /** The newest announcement the page is up to date with: the list's first. */
  let upTo = list.firstElementChild ? idOf(list.firstElementChild) : 0;

  /** The list's count line and its "none yet", as the page has them now. */
  function showCount() {
    const shown = list.children.length;
    list.hidden = shown === 0;
    none.hidden = shown > 0;
    count.textContent = `The ${shown} latest of ${total}.`;
    count.hidden = total <= shown;
  }

  /** Puts an announcement in its place, newest first; one the page lists already stays as it is. */
  function add(announcement) {
    upTo = Math.max(upTo, announcement.id);
    if ($(`announcement-${announcement.id}`)) return;
    const items = [...list.children];
    // Older than every one a full list shows: past its end, as on the server's page.
    if (items.length >= most && announcement.id < idOf(items.at(-1))) return;
    const item = document.createElement("li");
    item.className = "card";
    item.id = `announcement-${announcement.id}`;
    const time = document.createElement("time");
    time.dateTime = new Date(announcement.at).toISOString();
    time.textContent = clock(announcement.at);
    const text = document.createElement("p");
    text.textContent = announcement.text;
    item.append(time, text);
    list.insertBefore(item, items.find((other) => idOf(other) < announcement.id) ?? null);
    total += 1;
    while (list.children.length > most) list.lastElementChild.remove();
    showCount();
    keepAgain();
  }

  let keepTimer;
  /** The next try when the list could not be had (no network, or a 5xx). */
  let retry;

  /**
   * Has the service worker keep this page again as the server draws it now (a team's, under
   * HTTPS), within 2 s: a room of phones hears a new announcement at once.
   */
  function keepAgain() {
    if (document.body.dataset.team === undefined || !navigator.serviceWorker?.controller) return;
    clearTimeout(keepTimer);
    keepTimer = setTimeout(() => {
      navigator.serviceWorker.controller?.postMessage({ type: "cache", urls: ["/announcements"] });
    }, Math.random() * 2_000);
  }

  /** The list could not be had: says why, as the puzzle list does, and that it may be out of date. */
  function outOfDate(busy) {
    const text = busy
      ? "The server cannot send this list now: it may be out of date. It updates itself once it can."
      : "No network: this list may be out of date. It updates itself once the network is back.";
    let note = $("stale-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "notice notice-warn";
      note.id = "stale-note";
      note.setAttribute("role", "status");
      $("main")?.prepend(note);
    }
    note.textContent = text;
  }

  /** The list is as the server has it: no note, and no asking again. */
  function upToDate() {
    clearTimeout(retry);
    retry = undefined;
    $("stale-note")?.remove();
  }

  /** Announcements heard while the list is asked for again: put back on the list it brings. */
  let heard = null;
  /** An announcement named while the list was being asked for, which its answer may miss. */
  let named = 0;

  /**
   * The list as the server has it now, after a gap in the stream (up to announcement `made`), or
   * as the stream failed. Without it (no network, the server busy), the page says the list may be
   * out of date, and tries again in 5 s.
   */
  async function catchUp(made = 0) {
    if (heard) return void (named = Math.max(named, made));
    clearTimeout(retry);
    retry = undefined;
    heard = [];
    let failed;
    try {
      const res = await fetch("/announcements", { headers: { accept: "text/html" } });
      const page = res.ok
        ? new DOMParser().parseFromString(await res.text(), "text/html")
        : undefined;
      const fresh = page?.getElementById("announcement-list");
      if (res.status >= 500) failed = "busy";
      else if (page && fresh) {
        total = Number(page.body.dataset.total) || fresh.children.length;
        list.replaceChildren(...[...fresh.children].map((item) => document.adoptNode(item)));
        upTo = Math.max(upTo, made);
        showCount();
        for (const announcement of heard) add(announcement);
        upToDate();
        keepAgain();
      }
    } catch {
      failed = "network";
    } finally {
      heard = null;
    }
    if (failed !== undefined) {
      outOfDate(failed === "busy");
      const wanted = Math.max(made, named);
      named = 0;
      retry = setTimeout(() => void catchUp(wanted), 5_000);
      return;
    }
    // Named by a stream opened anew meanwhile: asked for once more if the answer missed it.
    const next = named;
    named = 0;
    if (next > upTo) void catchUp(next);
  }

  /**
   * Asks for the list again when an event names an announcement newer than the page's; else the
   * page is up to date.
   */
  function check(event) {
    const made = Number.parseInt(event.lastEventId, 10);
    if (!Number.isSafeInteger(made)) return;
    if (made > upTo) void catchUp(made);
    else if (!heard) upToDate();
  }

  // Back online: at once, not at the next try.
  globalThis.addEventListener("online", () => {
    if (retry !== undefined) void catchUp();
  });

  globalThis.cairnEvents((source) => {
    // The stream failed: whatever is made meanwhile goes unheard. A copy kept on the phone, opened
    // offline, learns here that it cannot be brought up to date.
    source.addEventListener("error", () => {
      if (retry === undefined && !heard) void catchUp();
    });
    // Every stream's first event, at each opening.
    source.addEventListener("scoreboard", check);
    source.addEventListener("announcement", (event) => {
      const announcement = JSON.parse(event.data);
      heard?.push(announcement);
      add(announcement);
    });
  }, { scoreboard: "team" });
})();
