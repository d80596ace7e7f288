// What every page's script shares, loaded before it on every page: text
// fields that count characters as the API does, the live stream that opens
// again after the browser gives up on it, and the toasts at the page's foot.
(() => {
  "use strict";

  // ---------------------------------------------------------------- text limits

  // A browser's maxlength counts UTF-16 units (an emoji is 2); the API counts characters (code
  // points). The pages give a field twice its limit as maxlength, and its limit in characters as
  // data-maxchars (ui/_text_limits.ts); this says, as the API would, when the text is over it.
  const LIMITED = "[data-maxchars], [data-minchars], [data-line-maxchars]";

  /** How many characters (code points) `text` has. */
  function chars(text) {
    let count = 0;
    for (const _ of text) count += 1;
    return count;
  }

  /** What is wrong with a field's text, counted as the API counts it, or "" if nothing is. */
  function problem(field) {
    const { maxchars, minchars, lineMaxchars, maxLines } = field.dataset;
    const count = chars(field.dataset.trim === undefined ? field.value : field.value.trim());
    if (maxchars && count > Number(maxchars)) {
      return `Use at most ${maxchars} characters (now ${count}).`;
    }
    // An empty field is `required`'s to report.
    if (minchars && count > 0 && count < Number(minchars)) {
      return `Use at least ${minchars} characters (now ${count}).`;
    }
    if (lineMaxchars) {
      // One name a line, each trimmed; blank lines do not count.
      const lines = field.value.split(/\r?\n/).map((line) => line.trim());
      for (const [i, line] of lines.entries()) {
        const length = chars(line);
        if (length > Number(lineMaxchars)) {
          return `Line ${i + 1} has ${length} characters: a name has at most ${lineMaxchars}.`;
        }
      }
      const names = lines.filter((line) => line !== "").length;
      if (maxLines && names > Number(maxLines)) return `At most ${maxLines} names (now ${names}).`;
    }
    return "";
  }

  /** Each field's problem as last said. */
  const said = new WeakMap();

  /** Marks a field invalid while its text is over its limits, saying so as soon as it goes over. */
  function check(field) {
    const now = problem(field);
    const was = said.get(field) ?? "";
    said.set(field, now);
    field.setCustomValidity(now);
    if (now !== "" && was === "" && document.activeElement === field) field.reportValidity();
  }

  document.addEventListener("input", (event) => {
    if (event.target instanceof Element && event.target.matches(LIMITED)) check(event.target);
  });
  // A reset empties the fields without an input event.
  document.addEventListener("reset", (event) => {
    setTimeout(() => {
      for (const field of event.target.querySelectorAll(LIMITED)) check(field);
    });
  });
  // Text the server put back in a field (a form sent again after a refusal).
  for (const field of document.querySelectorAll(LIMITED)) check(field);

  // ---------------------------------------------------------------- logging in

  // A login or a join on this phone (another team's, maybe, in another tab) is a new session: the
  // outbox (outbox.js) sends what waits only once a page of the new session names its team, so
  // that nothing a team left waiting goes with another team's session meanwhile. Said as the form
  // goes, while the old session's tabs may still be sending: its `formdata` event comes as it is
  // sent, also when the page's script (player.js) sends it once the server answers. A form that
  // never went (no network: the page stays and says so) leaves the team's tabs sending, in the
  // session they still have. (A browser without that event says it as the form is submitted.)
  //
  // The login's answer, or its failure (no network as it went: the browser's error page), replaces
  // this page: then this page says that login ended ("cairn.login-ended" takes the login's mark from
  // "cairn.login"), and the tabs of the team logged in before ask the server whose session the
  // phone holds now. One whose team it still is (the login did not happen) sends again.
  const GOING = "FormDataEvent" in globalThis ? "formdata" : "submit";
  let loginMark;
  document.addEventListener(GOING, (event) => {
    const action = event.target instanceof HTMLFormElement
      ? event.target.getAttribute("action")
      : "";
    if (action === "/login" || action === "/join") {
      try {
        loginMark = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
        localStorage.setItem("cairn.login", loginMark);
        localStorage.removeItem("cairn.team");
      } catch {
        // No storage (a private window that refuses it): the outbox cannot run either.
      }
    }
  }, true);
  globalThis.addEventListener("pagehide", () => {
    if (loginMark === undefined) return;
    try {
      localStorage.setItem("cairn.login-ended", loginMark);
    } catch {
      // No storage: nothing waits for it.
    }
  });

  // ---------------------------------------------------------------- live stream

  /**
   * Opens /api/events, and opens it again when the browser gives up on it: an EventSource retries
   * a dropped stream by itself, but an answer other than 200 (a 503, a 429, a proxy's error page)
   * closes it for good. Tries after 3 s, doubling up to 30 s; `listen` adds the page's listeners
   * to each stream. A page that shows no standings asks for `{ scoreboard: "team" }`: its
   * scoreboard events then carry the team's own row alone, not the whole board; a team's standings
   * asks for `"top"`: the top of the board and the team's place in it, of its `division` if given,
   * or `"page"`, one `page` of the board.
   */
  function openEvents(listen, { scoreboard = "full", division, page } = {}) {
    let delay = 3_000;
    const query = (division === undefined ? "" : `&division=${encodeURIComponent(division)}`) +
      (page === undefined ? "" : `&page=${encodeURIComponent(page)}`);
    const url = scoreboard === "full"
      ? "/api/events"
      : `/api/events?scoreboard=${scoreboard}${query}`;
    const open = () => {
      const source = new EventSource(url);
      source.addEventListener("open", () => {
        delay = 3_000;
        // The server answers (again: it was restarted, or the Wi-Fi came back while the phone
        // thought it was online): the outbox (outbox.js) sends what waits now.
        document.dispatchEvent(new Event("cairn:reconnected"));
      });
      source.addEventListener("error", () => {
        if (source.readyState !== EventSource.CLOSED) return;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30_000);
      });
      listen(source);
    };
    open();
  }

  globalThis.cairnEvents = openEvents;

  // ---------------------------------------------------------------- toasts

  /** How long a toast with nothing to follow stays once it has neither the pointer nor the focus. */
  const TOAST_MS = 8_000;
  /** The most toasts at once: a new one beyond it takes the place of the oldest not in use. */
  const TOASTS_AT_MOST = 3;

  /**
   * Shows `item` (a `.toast`) at the page's foot. One that holds a link or a button stays until it
   * is dismissed (its Dismiss button, or Escape), so a keyboard or a screen reader has the time to
   * reach it (WCAG 2.2.1); another goes 8 s after it last had the pointer or the focus.
   */
  function showToast(item) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const inUse = (toast) => toast.matches(":hover, :focus-within");
    const dismiss = () => {
      const hadFocus = item.contains(document.activeElement);
      item.remove();
      if (!hadFocus) return;
      // Not to the page's top: to the next toast's Dismiss, or the page's content.
      const next = box.querySelector(".toast-dismiss") ?? document.getElementById("main");
      if (!next) return;
      if (next.id === "main") next.tabIndex = -1;
      next.focus({ preventScroll: true });
    };
    if (item.querySelector("a, button")) {
      const close = document.createElement("button");
      close.type = "button";
      close.className = "toast-dismiss";
      close.setAttribute("aria-label", "Dismiss");
      close.textContent = "\u00d7";
      close.addEventListener("click", dismiss);
      item.classList.add("toast-lasting");
      item.append(close);
    } else {
      let timer = setTimeout(dismiss, TOAST_MS);
      const hold = () => clearTimeout(timer);
      // Once the event is over: leaving the pointer's reach while still focused (or the reverse)
      // keeps it.
      const release = () =>
        setTimeout(() => {
          clearTimeout(timer);
          if (item.isConnected && !inUse(item)) timer = setTimeout(dismiss, TOAST_MS);
        });
      item.addEventListener("pointerenter", hold);
      item.addEventListener("focusin", hold);
      item.addEventListener("pointerleave", release);
      item.addEventListener("focusout", release);
    }
    item.addEventListener("keydown", (event) => {
      if (event.key === "Escape") dismiss();
    });
    box.append(item);
    const over = box.children.length - TOASTS_AT_MOST;
    const idle = [...box.children].filter((toast) => toast !== item && !inUse(toast));
    for (const old of idle.slice(0, Math.max(0, over))) old.remove();
  }

  globalThis.cairnToast = showToast;

  // ---------------------------------------------------------------- the offline page

  // The service worker shows "You are offline" in place of a page it could neither fetch nor had
  // kept. That page runs no outbox, so what waits on the phone would wait there, and the page say
  // "offline", until the player tapped a link. So once the server answers again, it loads the page
  // it stands for. It looks (`/healthz`) when the phone says it is online again, and every 10 s
  // while the phone thinks it is online (Wi-Fi that came back unannounced): an `online` event alone
  // is no proof (a browser may send one as a page changes), and a reload that finds no server would
  // only show this page again.
  const offlineBack = document.body.dataset.offlinePage;
  if (offlineBack !== undefined) {
    let looking = false;
    let going = false;
    const look = async () => {
      if (looking || going || !navigator.onLine) return;
      looking = true;
      try {
        const res = await fetch("/healthz", {
          cache: "no-store",
          signal: AbortSignal.timeout(5_000),
        });
        if (!res.ok || going) return;
        going = true;
        if (location.pathname === "/offline") location.replace(offlineBack);
        else location.reload();
      } catch {
        // Still no way to the server.
      } finally {
        looking = false;
      }
    };
    globalThis.addEventListener("online", () => void look());
    setInterval(() => void look(), 10_000);
    // Not while the player leaves it for another page (a reload then would bring it back), and
    // again if it is shown from the back-forward cache.
    globalThis.addEventListener("pagehide", () => (going = true));
    globalThis.addEventListener("pageshow", (event) => {
      if (event.persisted) going = false;
    });
  }
})();
