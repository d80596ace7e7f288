// The announcements page (/announcements): a new announcement goes at the top of the list as it is
// made, from the live stream's `announcement` event, and the count line under the list follows.
// After a gap in the stream the page asks for the list again: a stream opened anew (common.js does
// so after an error answer) is not sent what it missed.
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
  /** HH:MM, as the server writes the times it lists. */
  const clock = (ms) => {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  const idOf = (item) => Number(item.id.slice("announcement-".length));

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
  }

  /** Announcements heard while the list is asked for again: put back on the list it brings. */
  let heard = null;

  /** The list as the server has it now, after a gap in the stream. */
  async function catchUp() {
    heard = [];
    try {
      const res = await fetch("/announcements", { headers: { accept: "text/html" } });
      if (!res.ok) return;
      const page = new DOMParser().parseFromString(await res.text(), "text/html");
      const fresh = page.getElementById("announcement-list");
      if (!fresh) return;
      total = Number(page.body.dataset.total) || fresh.children.length;
      list.replaceChildren(...[...fresh.children].map((item) => document.adoptNode(item)));
      showCount();
      for (const announcement of heard) add(announcement);
    } catch {
      // Offline again: the next opening asks.
    } finally {
      heard = null;
    }
  }

  let behind = false;
  globalThis.cairnEvents((source) => {
    source.addEventListener("error", () => {
      behind = true;
    });
    source.addEventListener("open", () => {
      if (!behind) return;
      behind = false;
      void catchUp();
    });
    source.addEventListener("announcement", (event) => {
      const announcement = JSON.parse(event.data);
      heard?.push(announcement);
      add(announcement);
    });
  }, { scoreboard: "team" });
})();
