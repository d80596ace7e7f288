// Cairn's outbox: guesses, hint takes, check-ins, questions on ask hints and
// mission uploads (the photo, video or text itself, as a Blob) survive bad
// Wi-Fi. Each one is kept in IndexedDB with a random Idempotency-Key (128 bits
// from crypto.getRandomValues, which plain HTTP allows), the payload, the time
// the player pressed the button (in the server's clock, as the server's tokens
// tell it) and the contact token held then, then sent until the server answers
// (with that time and token only if it had to wait). One the server refused
// for a lost session (401) waits for the team to log in again on this phone.
// The server stores each key's answer, so sending the same item twice (a
// retry, or two tabs at once) never counts twice, a question on an ask hint
// included (it costs points); an upload sends no key, and its retry is told
// the first arrived. Works on plain HTTP; see docs/offline.md.
(() => {
  "use strict";
  const team = document.body.dataset.team;
  if (!team || !("indexedDB" in window)) return;
  const $ = (id) => document.getElementById(id);
  const FLUSH_EVERY_MS = 20_000;
  /**
   * How long a send waits for the server's answer, and an upload for its next byte to go or its
   * answer to come, before it counts as a network failure: on Wi-Fi that stays up while the way to
   * the server is cut, a request is never answered nor refused for many minutes, and the outbox
   * (which sends one item at a time) would wait all that while, saying nothing where it was
   * pressed. Sent again, the item's key (or, for an upload, `arrivedBefore`) keeps it counting once.
   */
  const SEND_TIMEOUT_MS = 15_000;
  const UPLOAD_STALL_MS = 30_000;
  const CONTACT = "cairn.contact";
  /**
   * How far the server's clock is ahead of this phone's (ms), learnt from the tokens the server
   * sends; 0 when they agree within SKEW_TOLERANCE_MS. A token tells the server's time to the
   * second, and comes a moment after it was issued: a smaller difference is that, not a wrong clock.
   */
  const SKEW = "cairn.skew";
  const SKEW_TOLERANCE_MS = 5_000;
  /**
   * The team whose session this phone holds: set by each of its pages (the server drew them for
   * that session), removed when a send gets 401 or the team logs out. A team's items go only while
   * it is that team's, so what waits for a login is never sent with another team's session.
   */
  const SIGNED_IN = "cairn.team";
  const signedIn = () => localStorage.getItem(SIGNED_IN) === team;
  /**
   * Set while what waits does so because the server answered that it cannot take it now (a 5xx: its
   * database is down, it is starting again; an upload's 429), not for want of an answer: the phone
   * then says so, so that a team with Wi-Fi does not blame it. Shared by the team's tabs, as the
   * outbox is; the last flush's end sets it.
   */
  const SERVER_BUSY = "cairn.server-busy";
  const serverBusy = () => navigator.onLine && localStorage.getItem(SERVER_BUSY) !== null;

  // ---------------------------------------------------------------- IndexedDB

  let opened;
  /** The outbox database: `outbox` (items to send) and `results` (answers not yet seen). */
  function database() {
    opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open("cairn-outbox", 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("outbox", { keyPath: "key" });
        request.result.createObjectStore("results", { keyPath: "key" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opened;
  }

  /** Runs `work(store)` in a transaction and resolves with its request's result. */
  async function inStore(name, mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const request = work(tx.objectStore(name));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  const all = (name) => inStore(name, "readonly", (s) => s.getAll());
  const put = (name, value) => inStore(name, "readwrite", (s) => s.put(value));
  const remove = (name, key) => inStore(name, "readwrite", (s) => s.delete(key));
  const clear = (name) => inStore(name, "readwrite", (s) => s.clear());
  /** Notes on a queued item that a send of it got no answer, unless another tab sent it meanwhile. */
  const markTried = (key) =>
    inStore("outbox", "readwrite", (s) => {
      const request = s.get(key);
      request.onsuccess = () => {
        if (request.result) s.put({ ...request.result, tried: true });
      };
      return request;
    });

  /** `n` random bytes, as hex digits. */
  function randomHex(n) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /**
   * This phone's id: 64 random bits, made by its first page and kept for good (a logout keeps it:
   * it says nothing of a team). Every key starts with it, so that each tab of the phone knows a
   * guess another of its tabs sent (a live `solve` event echoes the key) as the phone's own.
   */
  const PHONE = "cairn.phone";
  const PHONE_ID = /^[0-9a-f]{16}$/;
  /**
   * Every id this tab has known the phone by. Two tabs opened at once, the phone's first, can each
   * find none and store their own: the one stored last is the phone's from then on (each key reads
   * it again), and each tab hears of the other's (`storage`), so that a key either made is known
   * as the phone's in both.
   */
  const phoneIds = new Set();
  function phoneId() {
    const kept = localStorage.getItem(PHONE);
    if (kept !== null && PHONE_ID.test(kept)) {
      phoneIds.add(kept);
      return kept;
    }
    const made = randomHex(8);
    localStorage.setItem(PHONE, made);
    phoneIds.add(made);
    return made;
  }
  globalThis.addEventListener("storage", (event) => {
    for (const id of [event.oldValue, event.newValue]) {
      if (event.key === PHONE && id !== null && PHONE_ID.test(id)) phoneIds.add(id);
    }
  });
  phoneId();

  /** This phone's id, then 128 random bits: 49 characters, a request id the server echoes. */
  const newKey = () => `${phoneId()}-${randomHex(16)}`;

  /**
   * Whether this page hears what became of the guess sent with this request id (its key): the
   * phone made it, and whichever of its tabs sends it tells the others its answer (without
   * BroadcastChannel, it cannot: then no).
   */
  function hearsOf(key) {
    if (channel === undefined || typeof key !== "string") return false;
    const now = localStorage.getItem(PHONE);
    if (now !== null && PHONE_ID.test(now)) phoneIds.add(now);
    return [...phoneIds].some((id) => key.startsWith(`${id}-`));
  }

  /** The items whose answer this page has had: each is shown once. */
  const answered = new Set();
  /** Of those, the ones shown where they were asked: their result is not shown again here. */
  const inPlace = new Set();

  /** Shows an item's answer where it was asked, the first time this page has it; true if shown so. */
  function answerHere(item, answer, shown) {
    if (answered.has(item.key)) return inPlace.has(item.key);
    answered.add(item.key);
    const here = showInPlace(item, answer, shown);
    if (here) inPlace.add(item.key);
    return here;
  }

  // Other tabs hear of every change, so each one's panel stays current.
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("cairn-outbox") : undefined;
  const changed = () => {
    channel?.postMessage("changed");
    void render();
  };
  /**
   * The items another tab of the phone is sending now: on their way, not waiting, here too (an
   * upload can take minutes), and not sent from here meanwhile. Each tab says when it starts and
   * ends a send, and which it is sending when asked: by a tab that just opened, and by each tab
   * every FLUSH_EVERY_MS, which then forgets those no tab names (that tab was closed during the
   * send, with no time to say so) and sends them.
   */
  const elsewhere = new Map();
  const thisTab = randomHex(8);
  /** How many times this tab asked which items are on their way: each entry notes the last answer. */
  let asked = 0;
  function askWhich() {
    if (!channel) return;
    const round = ++asked;
    channel.postMessage({ type: "which" });
    setTimeout(() => {
      let forgot = false;
      for (const [key, { round: named }] of elsewhere) {
        if (named < round) forgot = elsewhere.delete(key);
      }
      // What a tab closed while it sent goes from here now.
      if (forgot) void flush();
    }, 1_000);
  }
  if (channel) {
    channel.onmessage = (event) => {
      const { type, item, keys, tab } = event.data ?? {};
      // Another tab sent an item: this one shows its answer too, where it was asked (the answer box
      // that still says it waits, on a puzzle's page left in the background).
      if (type === "sent") answerHere(item, event.data.answer, event.data.shown);
      if (type === "sending") { for (const key of keys) elsewhere.set(key, { tab, round: asked }); }
      if (type === "went") {
        for (const [key, by] of elsewhere) {
          if (by.tab === tab && keys.includes(key)) elsewhere.delete(key);
        }
      }
      if (type === "which" && onItsWay.size > 0) {
        channel.postMessage({ type: "sending", keys: [...onItsWay], tab: thisTab });
      }
      void render();
    };
    askWhich();
    globalThis.addEventListener("pagehide", () => {
      if (onItsWay.size > 0) {
        channel.postMessage({ type: "went", keys: [...onItsWay], tab: thisTab });
      }
    });
  }

  // ---------------------------------------------------------------- the panel

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // The panel and its two live regions are in the page (and its accessibility tree) from the
  // start, empty and taking no room until something waits: a screen reader announces a live
  // region's changes only once it is there, not one that appears with its words.
  const panel = element("section", "outbox outbox-empty");
  panel.id = "outbox";
  // What waits, and why: a status, announced when it changes. It names the panel while it shows.
  const status = element("p");
  status.id = "outbox-status";
  status.setAttribute("role", "status");
  // The results not seen where they were asked: each announced once, as it is added. (The list is
  // hidden while empty: a screen reader would say "list, 0 items".)
  const resultsRegion = element("div");
  resultsRegion.setAttribute("aria-live", "polite");
  const list = element("ul", "outbox-results");
  list.hidden = true;
  // On a puzzle's page, the results of other pages' items: summed up in one line, shown on a tap.
  const others = element("details", "outbox-others");
  const othersCount = element("summary");
  const othersList = element("ul", "outbox-results");
  others.append(othersCount, othersList);
  others.hidden = true;
  // Opened: what it sums up is shown in full, and goes from the phone.
  others.addEventListener("toggle", async () => {
    if (!others.open || summedUp.size === 0) return;
    const keys = [...summedUp];
    summedUp.clear();
    for (const key of keys) await remove("results", key);
    changed();
  });
  resultsRegion.append(list, others);
  // Why a logout did not happen (no network): the team is still logged in.
  const logoutNote = element("p", "notice notice-bad");
  logoutNote.id = "outbox-logout";
  logoutNote.setAttribute("role", "alert");
  logoutNote.hidden = true;
  panel.append(status, logoutNote, resultsRegion);
  const main = $("main");
  if (main) main.prepend(panel);

  // Results this page took to show: each is shown on one page only (the first the player sees
  // after it came), until dismissed there or the player moves on.
  const shownHere = new Map();
  // Of those, the ones this page only sums up ("1 more from another page", on another puzzle's
  // page): they stay on the phone until shown in full, as the summary opens here, or on a page
  // that shows them so (their own puzzle's, the list), which takes them from here too.
  const summedUp = new Set();

  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

  /**
   * "2 answers waiting for the network", or hints and check-ins too, or waiting for a login
   * (`another`: another team's, left on the phone by a team logged in before), or for a server
   * that answered it cannot take them now.
   */
  function waitingText(items, login = false, another = false) {
    const count = (kind) => items.filter((item) => item.kind === kind).length;
    const parts = [
      [count("guess"), "answer", "answers"],
      [count("hint"), "hint", "hints"],
      [count("checkin"), "check-in", "check-ins"],
      [count("ask"), "question", "questions"],
      [count("submission"), "upload", "uploads"],
    ].filter(([n]) => n > 0).map(([n, one, many]) => plural(n, one, many));
    const them = items.length === 1 ? "it" : "them";
    const why = another
      ? " for another team to log in again"
      : login
      ? " for you to log in again"
      : serverBusy()
      ? `: the server cannot take ${them} now`
      : " for the network";
    return `${parts.join(", ")} waiting${why}`;
  }

  /**
   * Shows what is queued and each result not yet seen, taking those results off the phone. What
   * this page or another tab of the phone is sending now, online, is on its way (a mission's page
   * shows its progress), not waiting for the network.
   */
  async function render() {
    const [items, results] = await Promise.all([all("outbox"), all("results")]);
    const mine = items.filter((item) => item.team === team);
    const login = !signedIn();
    const waits = mine.filter((item) =>
      !navigator.onLine ||
      !(atOnce.has(item.key) || onItsWay.has(item.key) || elsewhere.has(item.key))
    );
    const waiting = waits.length === 0 ? "" : waitingText(waits, login);
    // Words that did not change stay as they are: written again, they would be announced again.
    if (status.dataset.text !== waiting) {
      status.dataset.text = waiting;
      status.className = waiting === "" ? "" : "notice notice-warn";
      status.replaceChildren(waiting);
      if (waiting !== "" && login) {
        const link = element("a", "", "Log in");
        link.href = "/#login";
        status.append(". ", link);
      }
    }
    // A summed-up result no longer on the phone was shown in full elsewhere (or dismissed there).
    const stored = new Set(results.map((r) => r.key));
    for (const key of summedUp) {
      if (stored.has(key)) continue;
      summedUp.delete(key);
      shownHere.delete(key);
    }
    const mineFresh = results.filter((r) => r.team === team && !shownHere.has(r.key));
    // One this page showed where it was asked (another tab kept it for the next page): seen.
    for (const result of mineFresh) {
      if (inPlace.has(result.key)) await remove("results", result.key);
    }
    const fresh = mineFresh.filter((r) => !inPlace.has(r.key));
    // A puzzle's page shows its own in full, and sums up those of other pages (a mission's text
    // sent from another, a check-in) in a line that opens to them; other pages show all in full.
    const here = document.body.dataset.puzzle;
    const own = (result) => here === undefined || result.puzzle === here;
    // A page in the background keeps them for the page the player looks at.
    if (document.visibilityState === "visible") {
      for (const result of fresh) {
        shownHere.set(result.key, result);
        if (own(result) || others.open) await remove("results", result.key);
        else summedUp.add(result.key);
      }
    }
    const seen = [...shownHere.values(), ...fresh.filter((r) => !shownHere.has(r.key))]
      .sort((a, b) => a.at - b.at);
    showResults(list, seen.filter(own));
    showResults(othersList, seen.filter((result) => !own(result)));
    const more = othersList.children.length;
    const summary = plural(more, "more from another page", "more from other pages");
    if (othersCount.textContent !== summary) othersCount.textContent = summary;
    others.hidden = more === 0;
    fitPanel();
    return mine.length;
  }

  /**
   * Shows `results` in `ul`: those already shown stay (unannounced again), those gone go, the new
   * ones are added in place.
   */
  function showResults(ul, results) {
    const keys = new Set(results.map((result) => result.key));
    for (const li of [...ul.children]) if (!keys.has(li.dataset.key)) li.remove();
    const shownItems = new Map([...ul.children].map((li) => [li.dataset.key, li]));
    let next = ul.firstElementChild;
    for (const result of results) {
      const li = shownItems.get(result.key);
      if (li) next = li.nextElementSibling;
      else ul.insertBefore(resultItem(result), next);
    }
    ul.hidden = ul.children.length === 0;
  }

  /** A result's line on the panel, with a button to dismiss it. */
  function resultItem(result) {
    const li = element("li", `notice notice-${result.tone}`);
    li.dataset.key = result.key;
    const text = element("div", "outbox-text");
    text.append(element("strong", "", result.title), element("span", "", result.label));
    if (result.text) text.append(element("p", "", result.text));
    const dismiss = element("button", "btn btn-quiet btn-small", "Dismiss");
    dismiss.type = "button";
    dismiss.addEventListener("click", async () => {
      shownHere.delete(result.key);
      summedUp.delete(result.key);
      await remove("results", result.key);
      changed();
    });
    li.append(text, dismiss);
    return li;
  }

  /**
   * Shows the panel when it has something to say, else lets it take no room (its live regions
   * stay), and names it by what waits while that shows.
   */
  function fitPanel() {
    const waiting = status.dataset.text !== undefined && status.dataset.text !== "";
    panel.classList.toggle(
      "outbox-empty",
      !waiting && list.children.length === 0 && others.hidden && logoutNote.hidden,
    );
    if (waiting) panel.setAttribute("aria-labelledby", status.id);
    else panel.removeAttribute("aria-labelledby");
  }

  // ---------------------------------------------------------------- sending

  /** What an answer means for the player: a tone, a title, and maybe a sentence. */
  function describe(item, status, data) {
    const message = data?.error?.message ?? `Error ${status}`;
    // A check-in the server refused was sent: it says why, as the checkpoint's page does.
    if (item.kind === "checkin" && status >= 400) {
      const title = status === 404 ? "Unknown checkpoint" : "Cannot check in";
      return { tone: "bad", title, text: message };
    }
    // An upload the server refused (too large, a type it does not take): its words alone, as the
    // page without scripts says them. "Not accepted" is a judge's verdict on a mission's page.
    if (item.kind === "submission" && status >= 400) return { tone: "bad", title: message };
    // It reached the server, which refused it: say why, not that it never went.
    if (status >= 400) return { tone: "bad", title: "Not accepted", text: message };
    if (item.kind === "hint") return { tone: "info", title: "Hint taken" };
    if (item.kind === "ask") {
      return {
        tone: "info",
        title: "Question sent",
        text: "The answer appears on the puzzle's page.",
      };
    }
    if (item.kind === "submission") {
      return data.submission.status === "accepted"
        ? { tone: "ok", title: "Accepted! Mission solved." }
        : { tone: "info", title: "Sent: waiting for a judge" };
    }
    if (item.kind === "checkin") {
      // By title, as the checkpoint's own page (/c/CODE) names them (a server before titles: ids).
      const named = (id) => data.titles?.[id] ?? id;
      const more = data.unlocked.length > 0
        ? `Unlocked: ${data.unlocked.map(named).join(", ")}`
        : undefined;
      return { tone: "ok", title: `Checked in at ${named(data.puzzle)}`, text: more };
    }
    switch (data.result) {
      case "correct":
        return { tone: "ok", title: "Correct! Puzzle solved." };
      case "partial":
        return {
          tone: "warn",
          title: "Keep going",
          text: data.message ?? "You are on the right track.",
        };
      case "incorrect":
        return { tone: "bad", title: "Not the answer" };
      default:
        return { tone: "info", title: "Your team already solved this puzzle" };
    }
  }

  /**
   * Whether an answer is final. A network failure (no answer at all, a 5xx: the server could not
   * save it now, or a 408: an upload that stalled on the way) leaves the item waiting, and so does
   * a 401: the phone's session is gone, and the item waits for the team to log in again, and an
   * upload's 429: its team's other uploads are still arriving. Every other 4xx is the server's
   * word on it (a guess limit, a hint not open yet), and sending it again
   * would not change that.
   */
  function isFinal(status, data, item, res) {
    if (status < 400) return true;
    if (status >= 500 || status === 401 || status === 408) return false;
    // An upload has no key: a 409 says an earlier send arrived (it waits, or it solved the mission).
    // A 429 says the team is sending others now (too many, or too large at once): it goes later.
    if (item.kind === "submission") return status !== 429;
    // 409 `conflict` with Retry-After: the same key is in flight (another tab); its answer comes on
    // a retry. Without it, a refusal like any other (a hint on a puzzle solved meanwhile).
    return !(status === 409 && data?.error?.code === "conflict" && retryAfter(res) !== undefined);
  }

  /**
   * Shows a result where it was asked, when this page is that puzzle's: the page's own script
   * (player.js) does, told by an event it cancels once shown. `answer` is the server's (status,
   * body, Retry-After), or undefined while the item waits on the phone. True when shown.
   */
  function showInPlace(item, answer, shown) {
    // A check-in's result is shown at the top of the page; the puzzle list shows what it unlocked.
    if (item.kind === "checkin") {
      document.dispatchEvent(
        new CustomEvent("cairn:checkin", { detail: { item, shown, ...answer } }),
      );
      return false;
    }
    if (document.body.dataset.puzzle !== item.puzzle) return false;
    const detail = { item, shown, ...answer };
    switch (item.kind) {
      case "submission":
        // The mission's form shows it, and follows the judge's verdict live. A 409 says the team's
        // latest (a teammate's, sent first) waits for a judge or solved it: the page shows that.
        document.dispatchEvent(
          new CustomEvent("cairn:mission", {
            detail: {
              shown,
              submission: answer?.data?.submission,
              conflict: answer?.status === 409,
            },
          }),
        );
        return true;
      case "guess":
      case "hint":
      case "ask":
        return !document.dispatchEvent(
          new CustomEvent(`cairn:${item.kind}`, { cancelable: true, detail }),
        );
      default:
        return false;
    }
  }

  /**
   * Items pressed on this page, online, whose first send is still to come. Sent at once, an item
   * says no time and counts when it arrives, like any request (the phone's clock may be wrong).
   */
  const atOnce = new Set();
  /** Items this page is sending now: out of the count of those waiting, while online. */
  const onItsWay = new Set();

  /**
   * The headers that say when an item that waited was made, for fair times: the time pressed, and
   * the contact token held then (a newer one would move its time up to when that token came).
   * None when `waited` is false: the item is sent at once.
   */
  function timing(item, waited) {
    if (!waited) return {};
    const headers = { "cairn-pressed-at": String(item.pressedAt) };
    if (item.contact) headers["cairn-contact"] = item.contact;
    return headers;
  }

  /** The server's time (epoch ms, to the second) a contact token was issued at ("team.second.…"). */
  function tokenTime(token) {
    const match = /^\d+\.(\d+)\./.exec(token ?? "");
    return match === null ? undefined : Number(match[1]) * 1000;
  }

  /**
   * Keeps a contact token the server just sent, and how far this phone's clock is from the
   * server's, so that an item pressed offline says when it was pressed in the server's time, even
   * on a phone whose clock is hours off. A token older than the one kept (a page the service
   * worker kept, opened offline) is neither kept nor trusted for the time.
   */
  function noteToken(token) {
    const at = tokenTime(token);
    if (at === undefined) return;
    const kept = tokenTime(localStorage.getItem(CONTACT));
    if (kept !== undefined && at < kept) return;
    localStorage.setItem(CONTACT, token);
    // The middle of the token's second.
    const skew = at + 500 - Date.now();
    localStorage.setItem(SKEW, String(Math.abs(skew) > SKEW_TOLERANCE_MS ? skew : 0));
  }

  /** Now, in the server's clock as near as this phone can tell. */
  const serverNow = () => Date.now() + (Number(localStorage.getItem(SKEW)) || 0);

  /** Keeps the newest signed contact token the server sent. */
  function noteContact(res) {
    const token = res.headers.get("cairn-contact");
    if (token) noteToken(token);
  }

  /**
   * Uploads a mission's file or text as multipart, with XMLHttpRequest, whose
   * upload events give the progress that fetch does not; resolves like fetch.
   */
  function upload(item, waited) {
    const form = new FormData();
    if (item.file) form.append("file", item.file, item.name || "upload");
    else form.append("text", item.text);
    const progress = (loaded, total) => {
      document.dispatchEvent(
        new CustomEvent("cairn:upload-progress", {
          detail: { puzzle: item.puzzle, loaded, total },
        }),
      );
    };
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", item.path);
      xhr.setRequestHeader("accept", "application/json");
      for (const [name, value] of Object.entries(timing(item, waited))) {
        xhr.setRequestHeader(name, value);
      }
      // Stalled (nothing sent, or no answer, for UPLOAD_STALL_MS): a network failure.
      let stall;
      const moving = () => {
        clearTimeout(stall);
        stall = setTimeout(() => xhr.abort(), UPLOAD_STALL_MS);
      };
      xhr.upload.addEventListener("progress", (event) => {
        moving();
        if (event.lengthComputable) progress(event.loaded, event.total);
      });
      xhr.upload.addEventListener("load", moving);
      xhr.addEventListener("loadend", () => clearTimeout(stall));
      xhr.addEventListener("load", () => {
        progress(1, 1);
        resolve(
          new Response(xhr.status === 204 ? null : xhr.responseText, {
            status: xhr.status,
            headers: { "cairn-contact": xhr.getResponseHeader("cairn-contact") ?? "" },
          }),
        );
      });
      xhr.addEventListener("error", () => reject(new TypeError("network error")));
      xhr.addEventListener("abort", () => reject(new TypeError("aborted")));
      xhr.send(form);
      moving();
    });
  }

  /**
   * Sends one item: "sent" when the server gave a final answer, "offline" when it could not be
   * reached (no answer, or an upload that stalled on the way), "busy" when it answered that it
   * cannot save it now (a 5xx), "login" when this phone's session is gone, "later" otherwise.
   */
  async function send(item) {
    onItsWay.add(item.key);
    channel?.postMessage({ type: "sending", keys: [item.key], tab: thisTab });
    try {
      return await sendNow(item);
    } finally {
      onItsWay.delete(item.key);
      channel?.postMessage({ type: "went", keys: [item.key], tab: thisTab });
    }
  }

  /** `send`'s work, while the item counts as on its way. */
  async function sendNow(item) {
    // Its first try, right after it was pressed, or a later one: then it waited.
    const waited = !atOnce.delete(item.key);
    let res;
    let data;
    // A guess's key is also its request id: the live `solve` and `wrong_guess` events echo it, and
    // the page (player.js) knows the guess is its own rather than a teammate's.
    const request = item.kind === "guess" ? { "x-request-id": item.key } : {};
    if (item.kind === "guess") {
      document.dispatchEvent(new CustomEvent("cairn:guess-sent", { detail: item.key }));
    }
    try {
      res = item.kind === "submission" ? await upload(item, waited) : await fetch(item.path, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "idempotency-key": item.key,
          ...request,
          ...timing(item, waited),
        },
        body: JSON.stringify(item.body),
        signal: AbortSignal.timeout?.(SEND_TIMEOUT_MS),
      });
      data = await res.json().catch(() => undefined);
    } catch {
      // An upload may have arrived whole, its answer lost: its next 409 may be about itself.
      if (item.kind === "submission" && !item.tried) await markTried(item.key).catch(() => {});
      return "offline";
    }
    noteContact(res);
    let status = res.status;
    if (status === 409 && data?.error?.code === "conflict") {
      const earlier = await arrivedBefore(item);
      if (earlier === "offline") return "offline";
      if (earlier !== undefined) [status, data] = [201, earlier];
    }
    if (!isFinal(status, data, item, res)) {
      if (status === 401) return "login";
      if (status >= 500) flushAfter(retryAfter(res));
      return status >= 500 ? "busy" : status === 408 ? "offline" : "later";
    }
    const shown = describe(item, status, data);
    await remove("outbox", item.key);
    const answer = { status, data, retryAfter: retryAfter(res) };
    // Kept for the next page unless shown where it was asked (or already had here: two tabs sending
    // the same item at once both get its answer).
    if (!answered.has(item.key) && !answerHere(item, answer, shown)) {
      await put("results", {
        key: item.key,
        team,
        label: item.label,
        // The puzzle whose page it was sent from: that page shows it in full, others sum it up.
        ...(item.puzzle !== undefined && { puzzle: item.puzzle }),
        at: Date.now(),
        ...shown,
      });
    }
    // The page it was pressed on may be open in another tab, still saying it waits. (Without the
    // file: an upload's answer is all that page needs.)
    const { file: _file, ...sent } = item;
    channel?.postMessage({ type: "sent", item: sent, answer, shown });
    return "sent";
  }

  /**
   * What an earlier send of this item became, when a retry was refused 409 because of it. An upload
   * carries no key: when its first send arrived but its answer was lost, the retry is told that the
   * mission waits for a judge or is solved. A question's retry gets its first send's answer by its
   * key, but while that send is still under way it is told that the team's question still waits.
   * The answer the first send would have had (`{ask}` or `{submission}`) when the team's open
   * question is this one (the same text), or its latest upload is (the same text, or a file, after
   * a send whose answer never came); undefined when it is another (a teammate's) or for other
   * items; "offline" when the server could not be asked.
   */
  async function arrivedBefore(item) {
    if (item.kind !== "ask" && item.kind !== "submission") return undefined;
    if (item.kind === "submission" && !item.tried) return undefined;
    const list = item.kind === "ask" ? "asks" : "submissions";
    let found;
    try {
      const res = await fetch(`/api/puzzles/${encodeURIComponent(item.puzzle)}/${list}`);
      if (!res.ok) return undefined;
      found = (await res.json())[list];
    } catch {
      return "offline";
    }
    if (item.kind === "ask") {
      const question = item.body.question.trim();
      const ask = found.find((ask) =>
        ask.hint === item.hint && ask.status === "open" && ask.question === question
      );
      return ask === undefined ? undefined : { ask };
    }
    const latest = found.at(-1);
    const same = latest !== undefined && latest.status !== "rejected" &&
      (item.file === undefined ? latest.text === item.text : latest.type !== null);
    return same ? { submission: latest } : undefined;
  }

  /** A 429's or a 503's Retry-After, in seconds, or undefined. */
  function retryAfter(res) {
    const value = res.headers.get("retry-after");
    return value === null || value === "" ? undefined : Number(value);
  }

  /** The flush a 5xx's Retry-After asked for. */
  let retryTimer;
  /**
   * Flushes again after `seconds` (a 503's Retry-After: the server's database is down a moment, or
   * it is starting again), rather than at the next timer, up to 20 s later. At most a minute.
   */
  function flushAfter(seconds) {
    if (seconds === undefined || !(seconds >= 0)) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void flush(), Math.min(seconds, 60) * 1000);
  }

  let flushing;
  let again = false;
  /**
   * Sends everything queued for this team, oldest first; stops at the first
   * network failure, or at a 401 (then nothing goes until the team logs in
   * again). Asked again while it runs (the network came back while a send was
   * failing), it runs once more after, rather than waiting for the timer; the
   * promise either call has ends with that last run, so that what waits for
   * it (a page catching up) comes after this phone's answers went.
   */
  function flush() {
    if (flushing) {
      again = true;
      return flushing;
    }
    flushing = (async () => {
      try {
        do {
          again = false;
          await flushOnce();
        } while (again);
      } finally {
        flushing = undefined;
      }
    })();
    return flushing;
  }

  /** One run of `flush`. */
  async function flushOnce() {
    try {
      const items = (await all("outbox")).filter((item) => item.team === team);
      items.sort((a, b) => a.pressedAt - b.pressedAt);
      // Logged out, or another team's session now: all wait for this team to log in again, and
      // then say when they were pressed.
      if (!signedIn()) {
        for (const item of items) atOnce.delete(item.key);
        return;
      }
      // Why what is left waits: the server's answer (a 5xx, an upload's 429), or none at all.
      let busy = false;
      for (const [i, item] of items.entries()) {
        // Another team logged in on this phone meanwhile (another tab): the rest waits for this
        // team, never sent with that team's session.
        if (!signedIn()) {
          for (const rest of items.slice(i)) atOnce.delete(rest.key);
          break;
        }
        // Another tab of the phone is sending it now: sent from here too, an upload would go twice
        // (it has no key; over slow Wi-Fi, minutes of it) and its second send be refused. It goes
        // from here once that tab is done with it, or no tab names it any more (closed meanwhile).
        if (elsewhere.has(item.key)) {
          atOnce.delete(item.key);
          continue;
        }
        // Another tab sent it while this run sent those before it.
        const current = await inStore("outbox", "readonly", (s) => s.get(item.key));
        if (current === undefined) continue;
        const outcome = await send(current);
        // (An item "later" that is not an upload is in flight from another tab: its answer comes.)
        if (outcome === "busy" || (outcome === "later" && item.kind === "submission")) {
          busy = true;
        }
        if (outcome === "offline") busy = false;
        if (outcome === "sent" || outcome === "later") continue;
        // The rest would get the same 401: none is sent until a page of this team says it is back.
        if (outcome === "login" && signedIn()) localStorage.removeItem(SIGNED_IN);
        // Those not tried now wait too: their next send says when they were pressed.
        for (const rest of items.slice(i)) atOnce.delete(rest.key);
        break;
      }
      if (busy) localStorage.setItem(SERVER_BUSY, "1");
      else localStorage.removeItem(SERVER_BUSY);
    } finally {
      channel?.postMessage("changed");
      // Awaited: the run ends once the panel says what is left, so that nothing waiting for the
      // flush (a page catching up) reads "waiting for the network" of what went a moment ago.
      await render();
    }
  }

  /** What an item is, in a sentence to the player. */
  const WHAT = {
    guess: "Your answer",
    hint: "The hint",
    checkin: "The check-in",
    ask: "Your question",
    submission: "What you sent",
  };

  /** Queues an item, with the contact token held when it was pressed, then tries to send it at once. */
  async function enqueue(item) {
    const contact = localStorage.getItem(CONTACT) ?? undefined;
    const queued = { key: newKey(), team, pressedAt: serverNow(), contact, ...item };
    // Offline already: it waits, and says when it was pressed when it goes.
    if (navigator.onLine) atOnce.add(queued.key);
    try {
      await put("outbox", queued);
    } catch {
      // A browser that cannot keep the file (storage full, a private window): send it now, or say so.
      if ((await send(queued)) !== "sent") {
        showInPlace(queued, undefined, {
          tone: "bad",
          title: "Not sent",
          text: "This phone could not keep it for later. Try again when the network is back.",
        });
      }
      return;
    }
    changed();
    await flush();
    const still = (await all("outbox")).some((other) => other.key === queued.key);
    if (!still) return;
    if (!signedIn()) {
      showInPlace(queued, undefined, {
        tone: "warn",
        title: "This phone is logged out",
        text: `${WHAT[queued.kind]} waits on this phone: it is sent when you log in again.`,
        login: true,
      });
      return;
    }
    showInPlace(queued, undefined, {
      tone: "info",
      title: "Saved on this phone",
      text: serverBusy()
        ? "The server answered that it cannot take it now: it is sent again in a moment."
        : "It is sent as soon as the network is back.",
    });
  }

  // ---------------------------------------------------------------- the forms

  const title = () => document.querySelector("h1")?.textContent?.trim() ?? "";

  /** What is being sent from this page's forms now, to ignore a second tap on the same. */
  const sending = new Set();

  /** Takes a player form over, so that what it sends goes through the outbox. */
  function claim(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const action = new URL(form.action, location.href).pathname;
    let item;
    if (form.id === "guess-form") {
      // The text typed, or the choice picked (a multiple-choice puzzle's radio buttons).
      const answer = new FormData(form).get("answer") ?? "";
      if (typeof answer !== "string" || answer.trim() === "") return;
      const puzzle = document.body.dataset.puzzle;
      item = {
        kind: "guess",
        puzzle,
        path: `/api/puzzles/${encodeURIComponent(puzzle)}/guesses`,
        body: { answer },
        label: `“${answer}” on ${title()}`,
      };
      form.querySelector("input[name=answer]:not([type=radio])")?.select();
    } else if (form.classList.contains("hint-form")) {
      const match = /\/puzzles\/([^/]+)\/hints\/([^/]+)$/.exec(action);
      if (!match) return;
      item = {
        kind: "hint",
        puzzle: decodeURIComponent(match[1]),
        hint: decodeURIComponent(match[2]),
        path: `/api${action}`,
        body: {},
        label: `a hint on ${title()}`,
      };
    } else if (form.classList.contains("ask-form")) {
      const match = /^\/puzzles\/([^/]+)\/hints\/([^/]+)\/asks$/.exec(action);
      if (!match) return;
      item = {
        kind: "ask",
        puzzle: decodeURIComponent(match[1]),
        hint: decodeURIComponent(match[2]),
        path: `/api${action}`,
        body: { question: form.querySelector("textarea[name=question]").value },
        label: `your question on ${title()}`,
      };
    } else if (action === "/checkin") {
      // Through the outbox too: a code typed when the server cannot be reached (whatever the phone
      // thinks of its network) waits, rather than opening the browser's error page.
      const code = form.querySelector("input[name=code]").value.trim();
      if (code === "") return;
      item = {
        kind: "checkin",
        path: "/api/checkins",
        body: { code },
        label: `checkpoint ${code}`,
      };
      form.reset();
    } else if (form.id === "mission-form") {
      const file = form.querySelector("input[type=file]")?.files?.[0];
      const text = form.querySelector("textarea[name=text]")?.value;
      if (file === undefined && (text === undefined || text.trim() === "")) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      // A double tap sends it once, the photo's shrinking included.
      const same = `mission ${action} ${file === undefined ? text : file.name}`;
      if (sending.has(same)) return;
      sending.add(same);
      void sendMission(form, { file, text }).finally(() => sending.delete(same));
      return;
    } else if (action === "/logout") {
      event.preventDefault();
      event.stopImmediatePropagation();
      void logout(form);
      return;
    } else {
      return;
    }
    // The outbox sends it; the page's own script and the plain form post stand down.
    event.preventDefault();
    event.stopImmediatePropagation();
    // A double tap sends it once: the same action again waits for the first one's answer.
    const same = `${item.kind} ${item.path} ${JSON.stringify(item.body ?? item.text ?? item.name)}`;
    if (sending.has(same)) return;
    sending.add(same);
    void enqueue(item).finally(() => sending.delete(same));
  }
  globalThis.addEventListener("submit", claim, true);

  /**
   * Queues a mission's file or text. A photo is first made smaller on the phone (`photoToSend`),
   * so that the cap checked here, the outbox and the upload all have the photo that goes. A file
   * over the cap the page shows is refused here, in the server's words, before a byte of it goes
   * (mobile data at a venue is precious); the form keeps the file chosen.
   */
  async function sendMission(form, { file, text }) {
    const puzzle = document.body.dataset.puzzle;
    // It counts from the tap, not from when the photo is ready.
    const pressedAt = serverNow();
    let name = file?.name;
    if (file !== undefined && form.dataset.photoSize !== undefined) {
      const preparing = (done) =>
        document.dispatchEvent(
          new CustomEvent("cairn:upload-preparing", { detail: { puzzle, done } }),
        );
      preparing(false);
      const smaller = await photoToSend(file, form.dataset.photoSize);
      preparing(true);
      if (smaller !== undefined) [file, name] = [smaller, jpegName(file.name)];
    }
    if (file !== undefined && file.size > Number(form.dataset.maxBytes)) {
      const shown = { tone: "bad", title: form.dataset.tooLarge };
      document.dispatchEvent(new CustomEvent("cairn:mission", { detail: { shown, kept: true } }));
      return;
    }
    const what = file === undefined ? "text" : file.type.startsWith("video/") ? "video" : "photo";
    await enqueue({
      kind: "submission",
      puzzle,
      path: `/api/puzzles/${encodeURIComponent(puzzle)}/submissions`,
      ...(file === undefined ? { text } : { file, name }),
      label: `your ${what} for ${title()}`,
      pressedAt,
    });
  }

  // ---------------------------------------------------------------- smaller photos

  /**
   * A photo this size or less, in bytes, whose longest side is within the hunt's `photo_size`, is
   * sent as it is: making it smaller would save little, and cost it some of its quality.
   */
  const SMALL_PHOTO_BYTES = 1_048_576;
  /**
   * JPEG quality of a photo made smaller: a judge still sees fine detail, and a 12 MP photo of 3 to
   * 4 MB leaves as about 400 KB at 2048 px (docs/missions.md).
   */
  const PHOTO_QUALITY = 0.85;

  /**
   * The photo as the phone sends it, when that is smaller than `file`: a JPEG whose longest side is
   * `photoSize` pixels at most, drawn the way up the photo shows (its EXIF orientation applied, as
   * the browser draws it). Undefined to send `file` as it is: `photoSize` is "original", the file
   * is no photo the server takes (told from its first bytes, as the server does), it is an
   * animated PNG or WebP (a JPEG would keep its first frame only), it is already small, the
   * browser cannot draw it (a HEIC photo outside Safari), or anything fails on the way (a phone
   * short of memory, a canvas too large, no createImageBitmap): the photo then goes as taken,
   * never lost, and nothing is said of it.
   */
  async function photoToSend(file, photoSize) {
    const longest = Number(photoSize);
    if (!(longest > 0) || typeof createImageBitmap !== "function") return undefined;
    let bitmap;
    try {
      if (!isPhoto(new Uint8Array(await file.slice(0, 16).arrayBuffer()))) return undefined;
      // A JPEG of its first frame would arrive still.
      if (await isAnimated(file)) return undefined;
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, longest / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= SMALL_PHOTO_BYTES) return undefined;
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const jpeg = await drawJpeg(bitmap, width, height);
      // Only when it helps: a photo already packed tighter than this goes as it is.
      if (!jpeg || jpeg.type !== "image/jpeg" || jpeg.size === 0 || jpeg.size >= file.size) {
        return undefined;
      }
      return jpeg;
    } catch {
      return undefined;
    } finally {
      bitmap?.close();
    }
  }

  /** Whether these first bytes start a JPEG, PNG, WebP or HEIC photo, the types the server takes. */
  function isPhoto(bytes) {
    const ascii = (from, to) => String.fromCharCode(...bytes.subarray(from, to));
    return (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) ||
      ascii(0, 8) === "\x89PNG\r\n\x1a\n" ||
      (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") ||
      (ascii(4, 8) === "ftyp" && /^(heic|heix|heim|heis|hevc|mif1|msf1)$/.test(ascii(8, 12)));
  }

  /** The most chunks read before a PNG's first IDAT or a WebP's image, to tell an animation. */
  const ANIMATION_CHUNKS = 256;

  /**
   * Whether `file`, a PNG or WebP, is animated, told from its chunks as a browser tells it: an
   * APNG has an `acTL` chunk before its first `IDAT`; an animated WebP has the animation flag of
   * its `VP8X` chunk set, or an `ANIM` (or `ANMF`) chunk. Only the chunks' headers are read, never
   * the whole file. False for a JPEG or a HEIC (an iPhone's Live Photo is a still and a video
   * apart), and for a file whose chunks cannot be read (the server then says what is wrong).
   */
  async function isAnimated(file) {
    const read = async (from, length) =>
      new DataView(await file.slice(from, from + length).arrayBuffer());
    const type = (view, at) =>
      String.fromCharCode(...new Uint8Array(view.buffer, view.byteOffset + at, 4));
    const head = await read(0, 12);
    if (head.byteLength < 12) return false;
    const png = head.getUint32(0) === 0x89504e47;
    const webp = type(head, 0) === "RIFF" && type(head, 8) === "WEBP";
    if (!png && !webp) return false;
    let at = png ? 8 : 12;
    for (let n = 0; n < ANIMATION_CHUNKS && at + 8 <= file.size; n++) {
      const chunk = await read(at, png ? 8 : 9);
      if (png) {
        const name = type(chunk, 4);
        if (name === "acTL") return true;
        if (name === "IDAT" || name === "IEND") return false;
        at += 12 + chunk.getUint32(0);
      } else {
        const name = type(chunk, 0);
        if (name === "ANIM" || name === "ANMF") return true;
        // The VP8X flags: bit 1 says "animation".
        if (name === "VP8X" && chunk.byteLength === 9 && (chunk.getUint8(8) & 0x02) !== 0) {
          return true;
        }
        if (name === "VP8 " || name === "VP8L") return false;
        const size = chunk.getUint32(4, true);
        at += 8 + size + (size & 1);
      }
    }
    return false;
  }

  /** The bitmap drawn at width x height on white (a PNG's transparency), as a JPEG Blob. */
  async function drawJpeg(bitmap, width, height) {
    const offscreen = typeof OffscreenCanvas === "function";
    const canvas = offscreen
      ? new OffscreenCanvas(width, height)
      : document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    if (!context) return undefined;
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, width, height);
    const options = { type: "image/jpeg", quality: PHOTO_QUALITY };
    try {
      return offscreen
        ? await canvas.convertToBlob(options)
        : await new Promise((resolve) => canvas.toBlob(resolve, options.type, options.quality));
    } finally {
      // Its pixels go at once, not at the next collection (a phone short of memory).
      canvas.width = canvas.height = 0;
    }
  }

  /** The photo's file name, with the extension of the JPEG sent for it. */
  const jpegName = (name) => `${name.replace(/\.[^.]*$/, "") || "photo"}.jpg`;

  /**
   * The status the server answers with within a few seconds, or undefined when none comes (the
   * service worker keeps pages, never /api/).
   */
  async function serverAnswers() {
    try {
      const signal = AbortSignal.timeout?.(5_000);
      return (await fetch("/api/hunt", { cache: "no-store", signal })).status;
    } catch {
      return undefined;
    }
  }

  /** Says on the panel why the team is still logged in, until the next logout or the network. */
  function notLoggedOut(text) {
    logoutNote.replaceChildren(element("strong", "", "Not logged out"), " ", text);
    logoutNote.hidden = false;
    fitPanel();
    logoutNote.scrollIntoView?.({ block: "nearest" });
  }
  const NO_NETWORK = "Logging out needs the network: you are still logged in, and nothing on " +
    "this phone is lost. Log out again when the network is back.";
  const SERVER_CANNOT = "The server could not log you out now: try again in a moment.";

  let loggingOut = false;
  /**
   * Logging out: what waits is sent first, then the server ends the session, and only then does
   * the phone forget what waits and the pages it kept. With no network the team stays logged in
   * and nothing is dropped: the session cannot end without the server (its cookie is the
   * server's to clear), and a page that posted the form offline became the browser's error page.
   */
  async function logout(form) {
    if (loggingOut) return;
    loggingOut = true;
    logoutNote.hidden = true;
    fitPanel();
    try {
      if (navigator.onLine) {
        await Promise.race([flush(), new Promise((resolve) => setTimeout(resolve, 5000))]);
      }
      const left = await render();
      // What still waits is dropped only once asked, and asked only when it could go otherwise.
      if (!navigator.onLine) return notLoggedOut(NO_NETWORK);
      if (left > 0) {
        // No answer at all, or the server's own word that it cannot take it now.
        const status = await serverAnswers();
        if (status === undefined) return notLoggedOut(NO_NETWORK);
        if (status < 200 || status >= 300) return notLoggedOut(SERVER_CANNOT);
      }
      // Another team's too: left by a team logged in before on this phone, waiting for its login.
      const items = await all("outbox");
      const others = items.filter((item) => item.team !== team);
      const waiting = [
        ...(left > 0 ? [waitingText(items.filter((item) => item.team === team), !signedIn())] : []),
        ...(others.length > 0 ? [waitingText(others, false, true)] : []),
      ];
      if (waiting.length > 0 && !confirm(`${waiting.join("; ")}. Log out and drop them?`)) return;
      let res;
      try {
        res = await fetch(form.action, {
          method: "POST",
          body: new URLSearchParams(new FormData(form)),
          // The answer is a redirect to the landing page, opened below once all is cleared.
          redirect: "manual",
          signal: AbortSignal.timeout?.(SEND_TIMEOUT_MS),
        });
      } catch {
        return notLoggedOut(NO_NETWORK);
      }
      if (res.type !== "opaqueredirect" && !res.ok) {
        return notLoggedOut(SERVER_CANNOT);
      }
      await Promise.all([clear("outbox"), clear("results")]);
      localStorage.removeItem(CONTACT);
      localStorage.removeItem(SKEW);
      localStorage.removeItem(SIGNED_IN);
      localStorage.removeItem(SERVER_BUSY);
      // The team's pages go; the shell (no team's data in it) stays for the next team.
      if ("caches" in globalThis) {
        for (const name of await caches.keys()) {
          if (!name.startsWith("cairn-shell-")) await caches.delete(name);
        }
      }
      channel?.postMessage("changed");
      location.assign("/");
    } finally {
      loggingOut = false;
    }
  }

  // ---------------------------------------------------------------- when to flush

  const contact = document.querySelector("meta[name=cairn-contact]")?.content;
  if (contact) noteToken(contact);
  // The server drew this page for this team's session, so what waited for its login goes now. (A
  // page the service worker kept may be older: then the first send's 401 says so again.)
  localStorage.setItem(SIGNED_IN, team);
  // The network is back: a logout refused for want of it can be tried again.
  const networkBack = () => {
    logoutNote.hidden = true;
    fitPanel();
    void flush();
  };
  globalThis.addEventListener("online", networkBack);
  // A login (or join) sent from another tab ended (common.js): its answer came, or it failed as it
  // went. The tabs of the team logged in before ask whose session the phone holds now: still this
  // team's (the login never happened), what waits goes again.
  globalThis.addEventListener("storage", async (event) => {
    const mark = event.newValue;
    if (event.key !== "cairn.login-ended" || mark === null || signedIn()) return;
    if (localStorage.getItem("cairn.login") !== mark) return;
    let drawnFor;
    try {
      const res = await fetch("/puzzles", {
        redirect: "manual",
        headers: { "cairn-background": "1" },
      });
      if (!res.ok) return;
      drawnFor = new DOMParser().parseFromString(await res.text(), "text/html").body.dataset.team;
    } catch {
      return;
    }
    // (Not when another login was sent meanwhile: its answer may not have come yet.)
    if (drawnFor !== team || localStorage.getItem("cairn.login") !== mark) return;
    localStorage.setItem(SIGNED_IN, team);
    void flush();
  });
  // No network now: what waits, waits for it, whatever the server said before.
  globalThis.addEventListener("offline", () => void render());
  // The live stream opened (again): the server answers, though the phone may never have gone
  // offline.
  document.addEventListener("cairn:reconnected", networkBack);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void flush();
  });
  setInterval(async () => {
    askWhich();
    if ((await render()) > 0) void flush();
  }, FLUSH_EVERY_MS);
  void flush();

  // ---------------------------------------------------------------- the service worker

  /** Asks the worker to keep these pages for reading offline. */
  async function keepPages(urls) {
    const registration = await navigator.serviceWorker.ready;
    registration.active?.postMessage({ type: "cache", urls });
  }

  /** Offers a waiting new version; it takes over only when the player says so. */
  function offerUpdate(registration) {
    const waiting = registration.waiting;
    if (!waiting || !navigator.serviceWorker.controller || $("update-ready")) return;
    const note = element("div", "toast", "A new version of this page is ready. ");
    note.id = "update-ready";
    const button = element("button", "link-button", "Reload");
    button.type = "button";
    button.addEventListener("click", () => {
      navigator.serviceWorker.addEventListener("controllerchange", () => location.reload());
      waiting.postMessage({ type: "skip-waiting" });
    });
    note.append(button);
    globalThis.cairnToast(note);
  }

  // Service workers exist only in secure contexts (HTTPS, or localhost); elsewhere the outbox alone applies.
  if (globalThis.isSecureContext && "serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then((registration) => {
      offerUpdate(registration);
      registration.addEventListener("updatefound", () => {
        registration.installing?.addEventListener("statechange", () => offerUpdate(registration));
      });
    }).catch(() => {});
    // The list names every unlocked puzzle: keep them all, and each new one as it unlocks.
    const links = [...document.querySelectorAll("#main a[href^='/puzzles/']")]
      .map((a) => a.getAttribute("href"));
    void keepPages(["/puzzles", location.pathname, ...links]);
    document.addEventListener("cairn:unlock", (event) => {
      void keepPages([
        "/puzzles",
        ...event.detail.map((id) => `/puzzles/${encodeURIComponent(id)}`),
      ]);
    });
    // A page that changed in place (player.js: a solve): kept again as the server draws it now.
    document.addEventListener(
      "cairn:keep",
      (event) => void keepPages(["/puzzles", ...event.detail]),
    );
    // A new announcement (player.js): their page is kept again with it, within 2 s, so that a room
    // of phones, which all hear it at once, does not ask at once.
    document.addEventListener("cairn:announcement", () => {
      setTimeout(() => void keepPages(["/announcements"]), Math.random() * 2_000);
    });
  }

  /** Whether a guess of this team on `puzzle` waits in the outbox, or is on its way from a tab. */
  const guessWaits = async (puzzle) =>
    (await all("outbox")).some((item) =>
      item.team === team && item.kind === "guess" && item.puzzle === puzzle
    );

  // For the page's script (player.js), tests and the curious: the outbox's state.
  globalThis.cairnOutbox = {
    flush,
    render,
    pending: async () => (await all("outbox")).length,
    hearsOf,
    guessWaits,
  };
})();
