// Cairn's player pages, enhanced: answers judged without a reload, hints taken
// in place, the guess-limit countdown, and live announcements, solves and
// unlocks over /api/events. Every page works without this script.
(() => {
  "use strict";
  const page = document.body.dataset.page;
  const $ = (id) => document.getElementById(id);
  /** The hunt's start and end as this page shows them ("start|end"), when it shows them. */
  let drawnTimes = document.body.dataset.huntTimes;
  /** The timer of the next start or end (`atPhaseChange`). */
  let phaseTimer;

  /** Counts `[data-countdown]` seconds down to zero, then calls `done`. */
  function countdown(root, done) {
    for (const el of root.querySelectorAll("[data-countdown]")) {
      let left = Number(el.dataset.countdown);
      const show = () => {
        el.textContent = left >= 60 ? `${Math.floor(left / 60)} min ${left % 60} s` : `${left} s`;
      };
      show();
      const timer = setInterval(() => {
        // Replaced meanwhile (the hints brought up to date): the new one counts instead.
        if (!el.isConnected) return clearInterval(timer);
        left -= 1;
        if (left <= 0) {
          clearInterval(timer);
          el.textContent = "a moment";
          if (done) done();
          return;
        }
        show();
      }, 1000);
    }
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /**
   * A line under a form that says what became of the player's action (refused, kept for later):
   * an alert, so a screen reader says it as it appears, not only the screen.
   */
  function actionNote(className, text) {
    const note = element("p", `small ${className}`, text);
    note.setAttribute("role", "alert");
    return note;
  }

  /** Moves focus to `el`, which took the place of the control that had it, so it is not lost. */
  function focusInstead(el) {
    el.tabIndex = -1;
    el.focus();
  }

  /** A toast (common.js): one with a link stays until dismissed. */
  function toast(message, link) {
    const item = element("div", "toast");
    item.append(message);
    if (link) {
      item.append(" ");
      const a = element("a", "", link.label);
      a.href = link.href;
      item.append(a);
    }
    globalThis.cairnToast(item);
  }

  // ---------------------------------------------------------------- announcements

  const banner = $("announcement");
  const seen = () => Number(localStorage.getItem("cairn.dismissed") || 0);
  function showAnnouncement(announcement) {
    if (!banner || announcement.id <= seen()) return;
    banner.dataset.id = String(announcement.id);
    banner.querySelector("input[name=id]").value = String(announcement.id);
    $("announcement-text").textContent = announcement.text;
    banner.hidden = false;
  }
  if (banner) {
    if (banner.dataset.id && Number(banner.dataset.id) <= seen()) banner.hidden = true;
    $("announcement-close").addEventListener("click", (event) => {
      // No form post: the cookie tells the server's next pages, as the form's answer would.
      event.preventDefault();
      const id = banner.dataset.id || "0";
      localStorage.setItem("cairn.dismissed", id);
      document.cookie = `cairn_dismissed=${id}; path=/; max-age=${7 * 24 * 3600}; samesite=lax`;
      banner.hidden = true;
    });
  }

  // ---------------------------------------------------------------- puzzle list

  /**
   * A page fetched behind the player's back, to redraw a part of the one shown: marked, so the
   * server leaves the message a form post left (flash.ts) for the page the browser goes to.
   */
  const BACKGROUND = { accept: "text/html", "cairn-background": "1" };

  /**
   * What the live stream last said of each puzzle's points and solves (`puzzle_values`), and of the
   * team's score (`scoreboard`), each with the number of the event that said it (`heardCount` then).
   * A part of the page fetched before such an event and put in after it shows what the fetch
   * brought, older: the newer values go back on it (`showHeard`).
   */
  let heardCount = 0;
  /** Per puzzle: `{points, solves, at}`. */
  const heardValues = new Map();
  /** The score: `{score, at}`. */
  let heardScore;

  /** A puzzle's points and solves, on the list's row of it or on its page, in place. */
  function showValues(id, points, solves) {
    if (page === "puzzle" && id === document.body.dataset.puzzle) {
      const shown = $("puzzle-points");
      if (shown) shown.textContent = `${points} ${Math.abs(points) === 1 ? "point" : "points"}`;
      const count = $("puzzle-solves");
      if (count && solves !== undefined) count.textContent = solvesText(solves);
    }
    if (page !== "puzzles") return;
    const item = [...document.querySelectorAll(".puzzle-list li[data-puzzle]")]
      .find((li) => li.dataset.puzzle === id);
    if (!item) return;
    const badge = item.querySelector(".puzzle-points");
    if (badge) badge.textContent = `${points} ${points === 1 ? "pt" : "pts"}`;
    const count = item.querySelector(".solves");
    if (count && solves !== undefined) count.textContent = solvesText(solves);
  }

  /**
   * After a part of the page fetched when `heardCount` was `since` is put in: the values (and the
   * score) the stream told since go back on it. Those told before, older than the fetch, do not.
   */
  function showHeard(since) {
    for (const [id, { points, solves, at }] of heardValues) {
      if (at > since) showValues(id, points, solves);
    }
    const shown = $("team-score");
    if (heardScore !== undefined && heardScore.at > since && shown) {
      shown.textContent = String(heardScore.score);
    }
  }

  /** The server answered that it cannot send a page now (a 5xx: it is starting again). */
  class ServerBusy extends Error {}

  /**
   * Re-renders the page's main part from the server (the puzzle list, the scoreboard); the page it
   * got, or null when the server sent another (the session ended). Throws when none came (no
   * network), or a `ServerBusy` for a 5xx: either way it may come if asked again.
   */
  async function refreshList(path = "/puzzles") {
    const since = heardCount;
    const res = await fetch(path, { headers: BACKGROUND });
    if (res.status >= 500) throw new ServerBusy(`Error ${res.status}`);
    if (!res.ok || new URL(res.url).pathname !== new URL(path, location.href).pathname) return null;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("main");
    if (!fresh) return null;
    // What the player is typing (a checkpoint code) stays, focus and all: a teammate's solve or
    // unlock redraws the list at any moment.
    const fieldKey = (field) => `${field.form?.getAttribute("action")} ${field.name}`;
    const typed = [...$("main").querySelectorAll("input:not([type=hidden]), textarea")]
      .filter((field) => field.name && field.value !== "")
      .map((field) => [fieldKey(field), field.value, field === document.activeElement]);
    // The outbox's panel (outbox.js) is the page's own, not the server's: it stays on top.
    const outbox = $("outbox");
    $("main").replaceChildren(...fresh.childNodes);
    if (outbox) $("main").prepend(outbox);
    for (const [key, value, focused] of typed) {
      const field = [...$("main").querySelectorAll("input, textarea")]
        .find((other) => fieldKey(other) === key);
      if (!field) continue;
      field.value = value;
      if (focused) field.focus();
    }
    showHeard(since);
    // The list drawn for other times (an organizer moved the start or the end): count to those.
    const times = doc.body.dataset.huntTimes;
    if (path === "/puzzles" && times !== undefined && times !== drawnTimes) {
      drawnTimes = times;
      atPhaseChange(Number(doc.body.dataset.phaseIn ?? NaN));
    }
    return doc;
  }

  /** The part a redraw could not fetch (no network), tried again until it is: its path. */
  let staleAt;
  let staleTimer;
  /** Tells what a redrawn puzzle list opened (set with the live updates, which know what it was). */
  let listRedrawn = () => {};

  /**
   * Redraws the page's main part behind the player's back (a live event, a check-in), as
   * `refreshList`. With no network, the page says it may be out of date, and tries again every
   * 5 s and as soon as the phone is back online, until it has it: the live stream can stay up
   * while a request fails, and bring no other event for a long while.
   */
  async function redraw(path = location.pathname + location.search) {
    clearTimeout(staleTimer);
    let doc;
    try {
      doc = await refreshList(path);
    } catch (error) {
      staleAt = path;
      staleTimer = setTimeout(() => void redraw(path), 5_000);
      const what = page === "standings" ? "the scoreboard" : "this list";
      // No answer, or the server's own that it cannot send it now: the team should know which.
      const text = error instanceof ServerBusy
        ? `The server cannot send ${what} now: it may be out of date. It updates itself once it can.`
        : `No network: ${what} may be out of date. It updates itself once the network is back.`;
      let note = $("stale-note");
      if (!note) {
        note = element("p", "notice notice-warn");
        note.id = "stale-note";
        note.setAttribute("role", "status");
        const outbox = $("outbox");
        if (outbox) outbox.after(note);
        else $("main")?.prepend(note);
      }
      note.textContent = text;
      return null;
    }
    // (The redrawn part has no note.)
    staleAt = undefined;
    if (doc && page === "puzzles") await listRedrawn();
    return doc;
  }
  globalThis.addEventListener("online", () => {
    if (staleAt !== undefined) void redraw(staleAt);
  });

  // A check-in sent by the outbox: the list shows what it unlocked, with or without the live stream.
  document.addEventListener("cairn:checkin", (event) => {
    if (page === "puzzles" && event.detail.status === 200) void redraw("/puzzles");
  });

  // ---------------------------------------------------------------- answers

  const puzzleId = document.body.dataset.puzzle;
  let solvedHere = Boolean($("solved-badge"));
  // The ids this page sent its guesses with: the live `solve` event echoes the one that
  // solved, and it often arrives before the guess's own answer does; `wrong_guess`, a wrong one.
  const sentRequests = new Set();
  const requestId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  // Guesses the outbox (outbox.js) sends carry its key as their request id.
  document.addEventListener("cairn:guess-sent", (event) => sentRequests.add(event.detail));
  /**
   * Set when the live `solve` event said that this phone solved this puzzle from another of its
   * tabs (a guess that waited here, sent there): the answer comes from that tab.
   */
  let phoneSolved = false;
  /** The keys of the guesses whose answer this page showed (its own, or passed on by another tab). */
  const answeredHere = new Set();
  /**
   * How long a page waits for the answer to its phone's solve from the tab that sent it, before it
   * reloads to show the puzzle solved all the same (that tab was closed as the answer came).
   */
  const PHONE_ANSWER_MS = 10_000;

  function showResult(tone, title, extra) {
    const box = $("result");
    box.className = `notice notice-${tone}`;
    box.replaceChildren(element("strong", "", title));
    if (extra) box.append(extra);
  }

  async function titlesOf(ids) {
    const titles = new Map();
    try {
      const res = await fetch("/api/puzzles");
      if (res.ok) { for (const p of (await res.json()).puzzles) titles.set(p.id, p.title); }
    } catch {
      // Ids stand in for titles.
    }
    return ids.map((id) => ({ id, title: titles.get(id) || id }));
  }

  function unlockedLine(puzzles) {
    const p = element("p", "", "Unlocked: ");
    puzzles.forEach((puzzle, i) => {
      if (i > 0) p.append(", ");
      const a = element("a", "", puzzle.title);
      a.href = `/puzzles/${encodeURIComponent(puzzle.id)}`;
      p.append(a);
    });
    return p;
  }

  const form = $("guess-form");

  /** Set once an organizer's reload removed this puzzle: nothing on the page is sent any more. */
  let removedHere = false;

  /**
   * Turns `control` back on once its request ended (or off, when `on` is false): never on once
   * the puzzle was removed, meanwhile or before (a request on its way as the reload came answers
   * after it). Every control a request turned off comes back through here.
   */
  function turnOn(control, on = true) {
    if (control) control.disabled = !on || removedHere;
  }

  /**
   * Turns the answer form off, or on again, as the guess limit says: never on once the puzzle was
   * removed (a wait that ends then would open it again).
   */
  function formEnabled(enabled) {
    if (!form?.isConnected) return;
    for (const control of form.querySelectorAll("input, button")) turnOn(control, enabled);
  }

  /** A refused guess: the limit's wait counted down, a login for a lost session, else why. */
  function showRefusal(answer) {
    const { status, data, retryAfter } = answer;
    const message = data?.error?.message ?? `Something went wrong (error ${status})`;
    if (status === 401) {
      const p = element("p", "", "Your answer was not sent. ");
      const login = element("a", "", "Log in again");
      login.href = "/#login";
      p.append(login, " to keep playing.");
      showResult("bad", "This phone is logged out", p);
      return;
    }
    if (status !== 429) return showResult("bad", message);
    formEnabled(false);
    // A per-hunt cap has no Retry-After: only an organizer's extra guesses lift it.
    if (retryAfter === undefined) return showResult("warn", message);
    const p = element("p", "", "Try again in ");
    const span = element("span", "", `${retryAfter} s`);
    span.dataset.countdown = String(retryAfter);
    p.append(span, ".");
    showResult("warn", message, p);
    countdown(p, () => {
      formEnabled(true);
      (form?.querySelector("input[name=answer]:checked") ??
        form?.querySelector("input[name=answer]"))
        ?.focus();
    });
  }

  /**
   * Shows a guess's answer in place: the result, what it unlocked, the guesses left, and the
   * hints a wrong guess or a solve changed. `answer` is {status, data, retryAfter}.
   */
  async function showGuess(text, answer) {
    const { status, data } = answer;
    // The page is open, so the team had the puzzle: a reload removed it (the stream missed it),
    // unless this browser is logged in as another team since, which the page drawn again tells.
    if (status === 404) void freshPage();
    // On a removed puzzle's page, whose note says why nothing can be sent.
    if (status >= 400 && removedHere) return;
    if (status >= 400) return showRefusal(answer);
    switch (data.result) {
      case "correct": {
        solvedHere = true;
        keepSolveOffline();
        const extra = data.unlocked.length > 0
          ? unlockedLine(await titlesOf(data.unlocked))
          : undefined;
        showResult("ok", "Correct! Puzzle solved.", extra);
        // The answer box goes: focus goes to the result (with what the solve unlocked), not lost.
        const typing = form?.contains(document.activeElement);
        form?.replaceWith(element("p", "", "Your team solved this puzzle."));
        if (typing) focusInstead($("result"));
        const meta = document.querySelector(".puzzle-head .meta");
        if (meta && !$("solved-badge")) {
          const badge = element("span", "badge badge-ok", "Solved");
          badge.id = "solved-badge";
          meta.append(badge);
        }
        break;
      }
      case "partial":
        showResult(
          "warn",
          "Keep going",
          element("p", "", data.message || "You are on the right track."),
        );
        break;
      case "incorrect":
        showResult("bad", "Not the answer", element("p", "", `“${text}” is not it.`));
        break;
      case "already_solved":
        showResult("info", "Your team already solved this puzzle");
        break;
    }
    if (data.result === "partial" || data.result === "incorrect") {
      form?.querySelector("input[name=answer]:not([type=radio])")?.select();
      const note = $("limit-note");
      if (note && note.dataset.left) {
        const left = Math.max(0, Number(note.dataset.left) - 1);
        note.dataset.left = String(left);
        note.textContent = note.dataset.template.replace("{left}", String(left));
      }
    }
    // A wrong guess can open a hint (`wrong_guesses()`); a solve closes the rest.
    if (data.result !== "already_solved") await refreshHints();
  }

  // The outbox (outbox.js) owns the form's submit: it keeps the guess on the phone while the
  // network is down and tells this page what became of it.
  document.addEventListener("cairn:guess", (event) => {
    const { item, shown, status } = event.detail;
    if (item.puzzle !== puzzleId || !$("result")) return;
    event.preventDefault();
    if (status !== undefined) answeredHere.add(item.key);
    if (status === undefined) {
      // Kept for later (offline, or until the team logs in again), or could not be kept: the
      // outbox's words.
      const extra = document.createDocumentFragment();
      if (shown.text) extra.append(element("p", "", shown.text));
      if (shown.login) {
        const p = element("p");
        const login = element("a", "", "Log in again");
        login.href = "/#login";
        p.append(login);
        extra.append(p);
      }
      extra.append(element("p", "small", item.label));
      return showResult(shown.tone, shown.title, extra);
    }
    void showGuess(item.body.answer, event.detail);
  });

  // Without the outbox (a browser with no IndexedDB), this page sends the guess itself.
  if (form && puzzleId) {
    const button = form.querySelector("button");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      // The text typed, or the choice picked (a multiple-choice puzzle's radio buttons).
      const answer = new FormData(form).get("answer") ?? "";
      if (typeof answer !== "string" || answer.trim() === "") return;
      button.disabled = true;
      let res;
      let data;
      const request = requestId();
      sentRequests.add(request);
      try {
        res = await fetch(`/api/puzzles/${encodeURIComponent(puzzleId)}/guesses`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": request },
          body: JSON.stringify({ answer }),
        });
        data = await res.json();
      } catch {
        turnOn(button);
        // Cut as an organizer's reload removed the puzzle: the page says only that.
        if (removedHere) return;
        showResult("bad", "No connection", element("p", "", "Your guess was not sent. Try again."));
        return;
      }
      turnOn(button);
      const wait = res.headers.get("retry-after");
      await showGuess(answer, {
        status: res.status,
        data,
        retryAfter: wait === null ? undefined : Number(wait),
      });
    });
  }

  // ---------------------------------------------------------------- missions

  // The outbox (outbox.js) sends a mission's upload and tells this page how it goes; the live
  // `submission` event brings the judge's verdict.
  const mission = $("mission");
  const missionForm = $("mission-form");

  /**
   * Has the service worker (outbox.js) keep this page and the list again, as the server draws them
   * now that the team solved the puzzle (or a judge took a mission's solve back): with no
   * navigation, its copy would still show the puzzle unsolved, without its solution, offline.
   */
  function keepSolveOffline() {
    document.dispatchEvent(new CustomEvent("cairn:keep", { detail: [location.pathname] }));
  }

  /** Shows the latest submission's state; a judge's `message` goes on a line of its own. */
  function missionStatus(tone, title, text, message) {
    const box = $("mission-status");
    box.className = `notice notice-${tone}`;
    box.replaceChildren(element("strong", "", title));
    if (message) box.append(element("p", "", message));
    if (text) box.append(element("p", "", text));
    box.hidden = false;
  }

  function markSolved() {
    // (The solution, if the hunt gives one, comes with the page drawn again.)
    if (!solvedHere) {
      void refreshHints();
      keepSolveOffline();
    }
    solvedHere = true;
    formReady(false);
    if (!$("solved-note")) {
      const note = element("p", "", "Your team solved this mission.");
      note.id = "solved-note";
      ($("mission-sent") ?? $("mission-status")).after(note);
    }
    const meta = document.querySelector(".puzzle-head .meta");
    if (meta && !$("solved-badge")) {
      const badge = element("span", "badge badge-ok", "Solved");
      badge.id = "solved-badge";
      meta.append(badge);
    }
  }

  /** An accepted submission rejected later: the solve is taken back, and the team may send again. */
  function unmarkSolved() {
    if (solvedHere) keepSolveOffline();
    solvedHere = false;
    $("solution")?.remove();
    $("solved-note")?.remove();
    $("solved-badge")?.remove();
  }

  /** Whether the player sent the form from within it (its Send button): the focus was there. */
  let sentFromForm = false;
  // Before the outbox (outbox.js, loaded after this) takes the submit, and the button goes off
  // while the upload runs.
  globalThis.addEventListener("submit", (event) => {
    if (event.target === missionForm) sentFromForm = missionForm.contains(document.activeElement);
  }, true);

  /**
   * Says how an upload goes: `shown` on the screen, and `said` in its status for a screen reader,
   * which would read each new percent out: the percent said only at each quarter.
   */
  function uploadSays(shown, said = shown) {
    if (!$("upload-percent")) return;
    $("upload-percent").textContent = shown;
    // The same words written again would be said again.
    if ($("upload-said").textContent !== said) $("upload-said").textContent = said;
  }

  /**
   * Shows the form again, empty and ready, or hides it while a submission waits: the focus, if the
   * player sent it from the form, goes to the submission's state rather than being lost.
   */
  function formReady(ready) {
    if (!missionForm || !missionForm.isConnected) return;
    missionForm.hidden = !ready;
    $("upload-progress").hidden = true;
    uploadSays("");
    turnOn(missionForm.querySelector("button[type=submit]"));
    if (ready) missionForm.reset();
    if (!ready && sentFromForm && !$("mission-status").hidden) focusInstead($("mission-status"));
    sentFromForm = false;
  }

  /**
   * Shows what the team's latest submission sent (as the server draws it: player.tsx's `Sent`):
   * the photo small and whole, a link to the video, or the text quoted.
   */
  function showSent(submission) {
    const file = `/api/submissions/${submission.id}/file`;
    const figure = element("figure", "mission-sent");
    figure.id = "mission-sent";
    figure.dataset.id = String(submission.id);
    figure.append(element("figcaption", "small muted", "What your team sent"));
    if (submission.type === null) {
      figure.append(element("blockquote", "", submission.text ?? ""));
    } else if (submission.type.startsWith("video/")) {
      const link = element("a", "", "The video your team sent");
      link.href = file;
      figure.append(link);
    } else {
      const link = element("a");
      link.href = file;
      const img = element("img");
      img.alt = "The photo your team sent";
      img.decoding = "async";
      undrawnAsLink(img);
      img.src = file;
      link.append(img);
      figure.append(link);
    }
    const shown = $("mission-sent");
    if (shown) shown.replaceWith(figure);
    else $("mission-status").after(figure);
  }

  /**
   * A photo this browser cannot draw (a HEIC outside Safari) becomes its link's words alone, with
   * no broken picture beside them.
   */
  function undrawnAsLink(img) {
    const words = () => img.replaceWith(img.alt);
    if (img.complete && img.src && img.naturalWidth === 0) words();
    else img.addEventListener("error", words, { once: true });
  }
  const sentImg = document.querySelector("#mission-sent img");
  if (sentImg) undrawnAsLink(sentImg);

  /**
   * Brings what the team sent up to date with `submission`: drawn from it when it says what was
   * sent (an upload's answer, the server's list), else (a live event) from the server's list.
   */
  async function followSent(submission) {
    if ($("mission-sent")?.dataset.id === String(submission.id)) return;
    if ("type" in submission) return showSent(submission);
    const latest = await latestSubmission();
    if (latest && $("mission-sent")?.dataset.id !== String(latest.id)) showSent(latest);
  }

  /** A submission's state, from the upload's answer or a live event. */
  function showSubmission(submission) {
    $("result").hidden = true;
    void followSent(submission);
    $("mission-status").dataset.shown = `${submission.id}:${submission.status}`;
    delete $("mission-status").dataset.words;
    switch (submission.status) {
      case "pending":
        missionStatus("info", "Waiting for a judge", "The verdict shows up here.");
        formReady(false);
        break;
      case "accepted":
        // As the page says it: a mission worth nothing says nothing of points.
        missionStatus(
          "ok",
          submission.points === 0
            ? "Accepted!"
            : `Accepted! +${submission.points} ${submission.points === 1 ? "point" : "points"}`,
        );
        markSolved();
        break;
      case "rejected": {
        missionStatus("bad", "Not accepted", "Send a new one.", submission.message);
        unmarkSolved();
        formReady(true);
        break;
      }
    }
  }

  /** The team's latest submission for this mission, from the server; undefined offline. */
  async function latestSubmission() {
    try {
      const res = await fetch(`/api/puzzles/${encodeURIComponent(puzzleId)}/submissions`);
      return res.ok ? (await res.json()).submissions.at(-1) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Asks the server for the team's latest submission: for verdicts given while the stream was down. */
  async function refreshSubmission() {
    // Only while a sent submission waits: an upload still on the phone has no verdict to ask for.
    if (!$("mission-status").dataset.shown?.endsWith(":pending")) return;
    // Offline, the next chance comes.
    const latest = await latestSubmission();
    if (latest && $("mission-status").dataset.shown !== `${latest.id}:${latest.status}`) {
      showSubmission(latest);
    }
  }

  if (mission && puzzleId) {
    // `capture` opens the camera at once; this opens the phone's gallery instead.
    const gallery = $("mission-gallery");
    if (gallery) {
      gallery.hidden = false;
      gallery.addEventListener("click", () => {
        const input = missionForm.querySelector("input[type=file]");
        input.removeAttribute("capture");
        input.click();
      });
    }
    // A photo being made smaller before it is sent (outbox.js): said when it takes a moment, so
    // the page does not look stuck. (A second tap meanwhile sends nothing more: outbox.js.)
    let preparing;
    document.addEventListener("cairn:upload-preparing", (event) => {
      const { puzzle, done } = event.detail;
      if (puzzle !== puzzleId || !missionForm?.isConnected) return;
      clearTimeout(preparing);
      if (done) uploadSays("");
      else preparing = setTimeout(() => uploadSays("Preparing the photo…"), 300);
    });
    document.addEventListener("cairn:upload-progress", (event) => {
      const { puzzle, loaded, total } = event.detail;
      if (puzzle !== puzzleId || !missionForm?.isConnected || removedHere) return;
      const percent = Math.round((100 * loaded) / total);
      const bar = $("upload-progress");
      bar.hidden = false;
      bar.value = percent;
      if (percent >= 100) uploadSays("Sent");
      else uploadSays(`Sending… ${percent}%`, `Sending… ${percent - (percent % 25)}%`);
      // Send itself (a photo's form has the gallery's button first).
      missionForm.querySelector("button[type=submit]").disabled = true;
    });
    document.addEventListener("cairn:mission", async (event) => {
      const { shown, submission, conflict, kept } = event.detail;
      if (submission) return showSubmission(submission);
      // Refused as the team's latest waits for a judge, or solved the mission (a teammate's photo
      // arrived first): show that one, not a refusal beside a form that would be refused again.
      const latest = conflict ? await latestSubmission() : undefined;
      if (latest && latest.status !== "rejected") return showSubmission(latest);
      // On a removed puzzle's page, whose note says why nothing can be sent.
      if (removedHere) return;
      // Kept for later (offline), or refused: the outbox's words.
      missionStatus(shown.tone, shown.title, shown.text);
      $("mission-status").dataset.words = "outbox";
      // A file refused before it was sent: the form stays as it was.
      if (!kept) formReady(shown.tone === "bad");
    });
  }

  // ---------------------------------------------------------------- hints

  /**
   * Brings the hints up to date from the server's page: one a wrong guess opened, the asks a solve
   * closed. A hint the player is busy with (its confirmation open, a question being typed) stays.
   */
  async function refreshHints() {
    const doc = await freshPage();
    if (!doc) return;
    hintsFrom(doc);
    solutionFrom(doc);
    limitFrom(doc);
    guessesFrom(doc);
    valuesFrom(doc);
  }

  /** "No solves yet", "1 solve", "12 solves", as the pages say it (player.tsx `solvesText`). */
  function solvesText(n) {
    return n === 0 ? "No solves yet" : n === 1 ? "1 solve" : `${n.toLocaleString("en")} solves`;
  }

  /**
   * The puzzle's points and number of solves (`show_solves`) from `doc`: the team's own solve
   * counts now, and other teams' solves that the live stream did not bring (it was down).
   */
  function valuesFrom(doc) {
    for (const id of ["puzzle-points", "puzzle-solves"]) {
      const fresh = doc.getElementById(id);
      const old = $(id);
      if (fresh && old) old.textContent = fresh.textContent;
    }
    showHeard(fetchedSince.get(doc) ?? heardCount);
  }

  /**
   * Brings the team's guesses on the puzzle (every teammate's, newest first) up to date from `doc`,
   * this page drawn again, under the answer box (or the solved note once it replaced the box).
   * Its scroll, and the focus on it, stay where the player left them.
   */
  function guessesFrom(doc) {
    const fresh = doc.getElementById("guesses");
    const old = $("guesses");
    if (!fresh) return old?.remove();
    const node = document.importNode(fresh, true);
    if (old) {
      const scrolled = old.querySelector(".guess-scroll")?.scrollTop ?? 0;
      const focused = old.contains(document.activeElement);
      old.replaceWith(node);
      const scroll = node.querySelector(".guess-scroll");
      if (scroll) scroll.scrollTop = scrolled;
      if (focused) scroll?.focus();
    } else document.querySelector("#main .answer-form")?.append(node);
  }

  /**
   * Shows the puzzle's solution from `doc`, this page drawn again: the server draws it once the
   * team solved the puzzle. Only while this page knows the puzzle solved: a copy drawn before a
   * judge took a mission's solve back (`unmarkSolved`) can arrive after it, and one drawn before
   * the solve after the solve's.
   */
  function solutionFrom(doc) {
    const fresh = doc.getElementById("solution");
    const shown = $("solution");
    // (From the hunt's `solutions_at`, the server draws every solution, solved or not.)
    if (!solvedHere && fresh?.dataset.released === undefined) return shown?.remove();
    if (!fresh || shown) return;
    const node = document.importNode(fresh, true);
    const answer = document.querySelector("#main .answer-form");
    if (answer) answer.after(node);
    else $("main")?.append(node);
  }

  /**
   * Brings the guess limit's line up to date from `doc`, this page drawn again: the team's wrong
   * guesses, a teammate's too, left in the window; past the limit, the wait, with the answer box
   * off until it ends (then the page reloads, as one drawn so); past a cap on the whole hunt, the
   * box off until an organizer grants more (`extra_guesses`).
   */
  function limitFrom(doc) {
    const fresh = doc.getElementById("limit-note");
    const old = $("limit-note");
    if (!fresh || !old || !form?.isConnected) return;
    const off = (note) =>
      note.querySelector("[data-countdown]") !== null || "capped" in note.dataset;
    const wasOff = off(old);
    const node = document.importNode(fresh, true);
    old.replaceWith(node);
    if (node.querySelector("[data-countdown]") !== null) {
      formEnabled(false);
      countdown(node, reloadWhenReachable);
    } else if ("capped" in node.dataset) {
      // The cap on the whole hunt is reached (this phone's guess or a teammate's): no wait lifts it.
      formEnabled(false);
    } else if (wasOff) {
      // The wait is over (or an organizer gave extra guesses).
      formEnabled(true);
    }
  }

  /**
   * This page as the server draws it now, fetched in the background; null when no answer came (no
   * network) or the server cannot send it now (a 5xx), undefined when it sent another page (the
   * session ended) or another error.
   */
  async function freshPage() {
    const since = heardCount;
    let res;
    let text;
    try {
      res = await fetch(location.pathname, { headers: BACKGROUND });
      text = await res.text();
    } catch {
      return null;
    }
    if (res.status >= 500) return null;
    const here = new URL(res.url).pathname === location.pathname;
    if (!res.ok || !here) {
      // The team had this puzzle (its page is open): an organizer's reload removed it meanwhile.
      // Not so when the 404 was drawn for another team (logged in since, in another tab), which
      // may never have had it.
      if (here && res.status === 404 && page === "puzzle" && sameTeam(text)) puzzleRemoved();
      return undefined;
    }
    // Removed, and put back since by another reload: the page as it is now, its forms on again.
    if (removedHere) {
      location.reload();
      return undefined;
    }
    const doc = new DOMParser().parseFromString(text, "text/html");
    fetchedSince.set(doc, since);
    return doc;
  }

  /** The pages `freshPage` fetched: the `heardCount` when each was asked for (`showHeard`). */
  const fetchedSince = new WeakMap();

  /**
   * This removed puzzle is put back (`unlock`): the page is drawn again (`freshPage`); with no
   * answer (no network, the server busy), again in 5 s, until it is.
   */
  async function putBack() {
    if ((await freshPage()) === null) setTimeout(() => void putBack(), 5_000);
  }

  /** Whether `html`, a page the server drew for this browser's session now, is this page's team's. */
  function sameTeam(html) {
    const team = new DOMParser().parseFromString(html, "text/html").body.dataset.team;
    return team !== undefined && team === document.body.dataset.team;
  }

  /** The hunt's release of solutions moved: the solution, and the ended hunt's note, from the server. */
  async function solutionsMoved() {
    const doc = await freshPage();
    if (!doc) return;
    solutionFrom(doc);
    releaseFrom(doc);
  }

  /** The ended hunt's note, and the page's timer, as in `doc`, this page drawn again. */
  function releaseFrom(doc) {
    const fresh = doc.getElementById("hunt-status");
    const old = $("hunt-status");
    if (fresh && old) old.replaceWith(document.importNode(fresh, true));
    // The page counts to the new release: one moved to later still shows here when it comes.
    atPhaseChange(Number(doc.body.dataset.phaseIn ?? NaN));
  }

  /**
   * An organizer's reload changed this puzzle's words (`puzzle_updated`): they are drawn again
   * (`wordsFrom`). With no answer, the next one (or a reload) brings them.
   */
  async function puzzleUpdated() {
    const doc = await freshPage();
    if (doc) wordsFrom(doc, true);
  }

  /**
   * What the answer form asks for in `root`: a text box, or which choices; not what is typed or
   * picked in it.
   */
  function answerShape(root) {
    const inputs = root.getElementById("guess-form")?.querySelectorAll("input[name=answer]") ?? [];
    return [...inputs].map((input) => input.type === "radio" ? `radio:${input.value}` : input.type)
      .join("\n");
  }

  /**
   * Draws this puzzle's head, body, solution and hints from `doc`, this page drawn again, with a
   * note above the body that says when, so that the team reads it again: when `told` (a
   * `puzzle_updated` event), or else, catching up after a gap in the stream (in which that event
   * may have been lost), when its title, body or choices differ from those shown.
   */
  function wordsFrom(doc, told) {
    const differs = (part) =>
      doc.querySelector(part)?.innerHTML !== document.querySelector(part)?.innerHTML;
    // (Both pages with the form: a page drawn since a teammate's solve has none.)
    const freshForm = doc.getElementById("guess-form");
    const choicesMoved = freshForm !== null && form?.isConnected === true &&
      answerShape(doc) !== answerShape(document);
    if (
      !told && !differs(".puzzle-head h1") && !differs("#main > article.body") && !choicesMoved
    ) return;
    for (const part of [".puzzle-head", "#main > article.body", "#solution"]) {
      const fresh = doc.querySelector(part);
      const old = document.querySelector(part);
      if (fresh && old) old.replaceWith(document.importNode(fresh, true));
    }
    // (The head has the puzzle's points and solves: those heard since the fetch stay.)
    showHeard(fetchedSince.get(doc) ?? heardCount);
    // Other choices (or a text box become choices): the form's insides are drawn again; the form
    // stays, with what listens to it. Otherwise what is typed or picked in it stays as it is.
    if (choicesMoved) {
      form.replaceChildren(...[...freshForm.childNodes].map((n) => document.importNode(n, true)));
    }
    // The tab's title and the browser's history name the puzzle too.
    document.title = doc.title;
    hintsFrom(doc);
    solutionFrom(doc);
    const at = new Date().toTimeString().slice(0, 5);
    updatedNote("info", `The organizers updated this puzzle at ${at}: read it again.`);
  }

  /**
   * The note above the puzzle's body that tells what the organizers changed (in `tone`): `what`,
   * text or nodes. A live region put in with its text is not said by every screen reader: a new
   * one goes in empty, and takes its text a moment later.
   */
  function updatedNote(tone, ...what) {
    const note = $("updated-note");
    if (note) {
      note.className = `notice notice-${tone}`;
      note.replaceChildren(...what);
      return;
    }
    const fresh = element("p", `notice notice-${tone}`);
    fresh.id = "updated-note";
    fresh.setAttribute("role", "status");
    document.querySelector("#main > article.body")?.before(fresh);
    setTimeout(() => fresh.replaceChildren(...what), 100);
  }

  /**
   * An organizer's reload removed this puzzle (`puzzle_removed`, or its page asked for again is
   * not there): the note says so, with a link to the list, and every form of the page is off (a
   * guess would answer that the puzzle is not open to the team). The words stay for reading; what
   * counts towards a guess or a hint goes (the guesses left, the guess limit's wait, when a hint
   * opens), and so does the copy the service worker kept, the list's too.
   */
  function puzzleRemoved() {
    if (removedHere) return;
    removedHere = true;
    const main = $("main");
    for (const control of main?.querySelectorAll("form :is(input, button, textarea)") ?? []) {
      control.disabled = true;
    }
    $("limit-note")?.remove();
    const result = $("result");
    for (const when of main?.querySelectorAll(".hint-when") ?? []) {
      when.textContent = "No hint can be taken: the organizers removed this puzzle.";
    }
    // An untaken hint's "Take this hint" would open to a button that stays off: the note instead.
    for (const take of main?.querySelectorAll(".hint details") ?? []) {
      take.replaceWith(
        element(
          "p",
          "muted small hint-when",
          "No hint can be taken: the organizers removed this puzzle.",
        ),
      );
    }
    // A request cut or refused as the puzzle went ("No connection", the server's 404) said so beside
    // a control that stays off: only the removal's words stay (a question's notes too).
    for (
      const note of main?.querySelectorAll(
        ".cut-note, .offline-note, .ask-form :is(.hint-status, .result-incorrect)",
      ) ?? []
    ) {
      note.remove();
    }
    // And an upload's refusal, or its "Saved on this phone", said before the removal.
    const missionBox = $("mission-status");
    if (missionBox?.dataset.words === "outbox") {
      delete missionBox.dataset.words;
      missionBox.hidden = true;
      missionBox.className = "notice";
      missionBox.replaceChildren();
      // The form the upload kept hidden shows again, off, under the removal's note.
      if (missionForm?.isConnected) missionForm.hidden = false;
    }
    // An upload's progress too: one sent again from the outbox is refused.
    $("upload-progress")?.setAttribute("hidden", "");
    uploadSays("");
    // So does a refused guess's wait ("Too many wrong guesses … Try again in …"): its countdown
    // stops once it is gone.
    if (result && /notice-(bad|warn)/.test(result.className)) {
      result.className = "notice";
      result.replaceChildren();
    }
    const list = element("a", "", "Back to the puzzle list");
    list.href = "/puzzles";
    updatedNote("warn", "The organizers removed this puzzle. ", list);
    forgetOffline(puzzleId);
  }

  /** The pages of removed puzzles `forgetOffline` is about to name to the service worker. */
  const forgotten = new Set();
  let forgetTimer;

  /**
   * Has the service worker (outbox.js) fetch a removed puzzle's page again, and the list: the
   * server's 404 makes it forget the copy it kept, which offline would still open as if playable,
   * and the list is kept without the puzzle. A reload that removed several sends one event each:
   * they go in one ask, so that the list is fetched once, not once each.
   */
  function forgetOffline(puzzle) {
    forgotten.add(`/puzzles/${encodeURIComponent(puzzle)}`);
    forgetTimer ??= setTimeout(() => {
      forgetTimer = undefined;
      const pages = [...forgotten];
      forgotten.clear();
      document.dispatchEvent(new CustomEvent("cairn:keep", { detail: pages }));
    }, 200);
  }

  /** Redraws the hints that changed from `doc`, this page drawn again, unless the player is busy. */
  function hintsFrom(doc) {
    for (const fresh of doc.querySelectorAll(".hint[id]")) {
      const old = $(fresh.id);
      if (!old || old.outerHTML === fresh.outerHTML) continue;
      const busy = old.querySelector("details[open]") ||
        [...old.querySelectorAll("textarea")].some((t) => t.value !== "");
      if (busy) continue;
      const node = document.importNode(fresh, true);
      old.replaceWith(node);
      countdown(node, reloadWhenReachable);
    }
  }

  /** A hint take's answer, shown on its hint: its text once taken, or why not. */
  function showHint(hint, answer) {
    const box = $(`hint-${hint}`);
    if (!box) return;
    const hintForm = box.querySelector(".hint-form");
    if (answer.status >= 400 || answer.data?.hint === undefined) {
      // A 503's message may name the database's trouble, for organizers: a player is told what to do.
      const message = answer.status === 401
        ? "This phone is logged out: log in again to take it."
        : answer.status === 503
        ? "The server cannot save right now: try again in a moment."
        : answer.data?.error?.message ?? "Something went wrong";
      for (const old of hintForm?.querySelectorAll(".result-incorrect, .hint-status") ?? []) {
        old.remove();
      }
      // On a removed puzzle's page, whose note says why nothing can be taken.
      if (!removedHere) hintForm?.append(actionNote("result-incorrect", message));
      // Not on again on a removed puzzle's page; a 404 may be that removal, which the page drawn
      // again tells (the stream missed it).
      turnOn(hintForm?.querySelector("button"));
      if (answer.status === 404) void freshPage();
      return;
    }
    const badge = box.querySelector(".hint-head .badge");
    if (badge) {
      badge.className = "badge badge-ok";
      badge.textContent = "Taken";
    }
    const details = box.querySelector("details");
    const text = element("p", "hint-text", answer.data.hint.text);
    // Its button goes: focus goes to the hint's text, which a screen reader then reads.
    const taking = details?.contains(document.activeElement);
    details?.replaceWith(text);
    if (taking) focusInstead(text);
  }

  /** A hint take kept on the phone (offline, or until the team logs in again): said on its hint. */
  function showHintWaiting(hint, shown) {
    const hintForm = $(`hint-${hint}`)?.querySelector(".hint-form");
    if (!hintForm) return;
    for (const old of hintForm.querySelectorAll(".result-incorrect, .hint-status")) old.remove();
    const text = shown.text ? `${shown.title}. ${shown.text}` : shown.title;
    const bad = shown.tone === "bad";
    hintForm.append(actionNote(bad ? "result-incorrect" : "hint-status", text));
    // Its answer brings the hint's text here (or why not, and the button back). One that could not
    // be kept can be tried again.
    turnOn(hintForm.querySelector("button"), bad);
  }

  // Hint takes go through the outbox too; it says here what became of each.
  document.addEventListener("cairn:hint", (event) => {
    const { item, status, shown } = event.detail;
    if (item.puzzle !== puzzleId) return;
    event.preventDefault();
    if (status === undefined) return showHintWaiting(item.hint, shown);
    showHint(item.hint, event.detail);
  });

  /** The question this tab sent (its ask's id), whose state the reloaded page focuses. */
  const ASKED = "cairn.asked";

  // A question on an ask hint goes through the outbox too. Kept on the phone, it says so on its
  // form, its text still there and the button off; sent, the page shows it waiting for an
  // organizer, with the focus on that; refused, why, with the text back to edit.
  document.addEventListener("cairn:ask", (event) => {
    const { item, status, shown, data } = event.detail;
    const askForm = $(`hint-${item.hint}`)?.querySelector(".ask-form");
    if (item.puzzle !== puzzleId || !askForm) return;
    event.preventDefault();
    const question = askForm.querySelector("textarea");
    if (status !== undefined && status < 400) {
      question.value = "";
      // The form goes with the reload: focus goes to the question's state, not the page's top.
      const asked = data?.ask?.id;
      if (asked !== undefined) sessionStorage.setItem(ASKED, String(asked));
      void reloadWhenReachable();
      return;
    }
    for (const old of askForm.querySelectorAll(".result-incorrect, .hint-status")) old.remove();
    const note = status === undefined
      ? actionNote("hint-status", shown.text ? `${shown.title}. ${shown.text}` : shown.title)
      : actionNote("result-incorrect", shown.text ?? shown.title);
    if (shown.login) {
      const login = element("a", "", "Log in again");
      login.href = "/#login";
      note.append(" ", login);
    }
    askForm.querySelector("button").before(note);
    // Waiting: the button stays off until its answer comes (one that could not be kept may go again).
    turnOn(askForm.querySelector("button"), status !== undefined || shown.tone === "bad");
  });

  // Reloaded after its question went: the focus on its state ("Waiting for an organizer"), which a
  // screen reader then reads.
  const asked = sessionStorage.getItem(ASKED);
  if (asked !== null) {
    sessionStorage.removeItem(ASKED);
    const state = document.querySelector(`.ask-item[id="ask-${CSS.escape(asked)}"] .ask-question`);
    if (state) focusInstead(state);
  }

  /**
   * The forms that post as a page and need the server at once (they cannot wait in the outbox):
   * withdrawing a question, logging in, joining.
   */
  const PAGE_POSTS = "form.ask-withdraw, form[action='/login'], form[action='/join']";

  // With no network such a form's page stays, what was typed in it too, and says so, rather than
  // turning into the browser's error page. Listened for on the document, so that a hint the page
  // redraws (`refreshHints`: a teammate's question, a wrong guess) has it too.
  document.addEventListener("submit", async (event) => {
    const posted = event.target;
    if (!(posted instanceof HTMLFormElement) || !posted.matches(PAGE_POSTS)) return;
    event.preventDefault();
    const button = posted.querySelector("button[type=submit], button:not([type])");
    button.disabled = true;
    posted.querySelector(".offline-note")?.remove();
    const status = navigator.onLine ? await serverAnswers() : undefined;
    if (status !== undefined && status < 500) return posted.submit();
    turnOn(button);
    // No answer at all, or the server's own word that it cannot take it now (it is starting again):
    // the team should not blame its Wi-Fi for the second.
    const why = status === undefined
      ? "No network: try again when it is back."
      : "The server cannot take this now: try again in a moment.";
    posted.append(actionNote("result-incorrect offline-note", why));
  });

  // Without the outbox, this page takes the hint itself (on the document too, for redrawn hints).
  document.addEventListener("submit", async (event) => {
    const hintForm = event.target;
    if (!(hintForm instanceof HTMLFormElement) || !hintForm.classList.contains("hint-form")) {
      return;
    }
    event.preventDefault();
    const button = hintForm.querySelector("button");
    button.disabled = true;
    const hint = hintForm.closest(".hint").id.replace(/^hint-/, "");
    try {
      const res = await fetch(hintForm.action.replace(/\/puzzles\//, "/api/puzzles/"), {
        method: "POST",
      });
      showHint(hint, { status: res.status, data: await res.json() });
    } catch {
      turnOn(button);
      // Cut as an organizer's reload removed the puzzle: the page says only that.
      if (!removedHere) {
        hintForm.append(actionNote("result-incorrect cut-note", "No connection; try again."));
      }
    }
  });

  /**
   * Reloads the page to show what a countdown waited for (a hint open, the guess limit over), once
   * the server answers: offline, a reload would show the browser's error page instead of the
   * puzzle (or, under HTTPS, the copy kept on the phone, as it was). Tries again every 5 s.
   */
  async function reloadWhenReachable() {
    // A removed puzzle's page stays as it is, with its note: reloaded, it would be a 404's.
    if (removedHere) return;
    if (await reachable()) location.reload();
    else setTimeout(reloadWhenReachable, 5_000);
  }

  countdown(document, () => {
    if (page === "puzzle") void reloadWhenReachable();
  });

  // ---------------------------------------------------------------- the hunt's start and end

  /**
   * A page left open while the hunt starts or ends shows it as it is then: the puzzle list brings
   * the puzzles in (or says it ended); another page reloads, once nothing is typed in it. The page
   * says in how many milliseconds (by the server's clock); a second more covers the trip.
   */
  function atPhaseChange(ms) {
    clearTimeout(phaseTimer);
    if (!Number.isFinite(ms) || ms < 0 || ms > 2 ** 31 - 1000) return;
    phaseTimer = setTimeout(phaseChanged, ms + 1000);
  }

  /** Tries `phaseChanged` again in a while (no network, or something typed in the page). */
  function phaseLater() {
    clearTimeout(phaseTimer);
    phaseTimer = setTimeout(phaseChanged, 5_000);
  }

  /**
   * Whether the hunt's times (the live `hunt` event's, or GET /api/hunt's) are not those this page
   * shows: an organizer's reload moved the start or the end, and the page is behind.
   */
  const timesMoved = (hunt) =>
    drawnTimes !== undefined && `${hunt.starts_at}|${hunt.ends_at ?? ""}` !== drawnTimes;

  /** After a gap in the stream: a reload meanwhile may have moved the times. */
  async function checkTimes() {
    try {
      const res = await fetch("/api/hunt", { cache: "no-store" });
      if (res.ok && timesMoved(await res.json())) void phaseChanged();
    } catch {
      // Not reachable: the stream's next opening asks again.
    }
  }

  async function phaseChanged() {
    if (page === "puzzles") {
      let fresh;
      try {
        fresh = await refreshList();
      } catch {
        // No network: try again in a while.
        return phaseLater();
      }
      // The list after the start waits for the end; one a phone kept from before, for the start.
      if (fresh) {
        drawnTimes = fresh.body.dataset.huntTimes;
        atPhaseChange(Number(fresh.body.dataset.phaseIn ?? NaN));
      }
      return;
    }
    const typed = [...document.querySelectorAll("main input:not([type=hidden]), main textarea")]
      .some((field) => field.value !== "");
    // Offline, a reload would bring back the copy kept on the phone, as it was: wait for the server.
    if (typed || !(await reachable())) phaseLater();
    else location.reload();
  }

  /** Whether the server answers now, and can serve (the service worker keeps pages, never /api/). */
  async function reachable() {
    const status = await serverAnswers();
    return status !== undefined && status >= 200 && status < 300;
  }

  /** The status the server answers with now, or undefined when none comes. */
  async function serverAnswers() {
    try {
      // Within 15 s: Wi-Fi that stays up while the way to the server is cut answers nothing.
      const signal = AbortSignal.timeout?.(15_000);
      return (await fetch("/api/hunt", { cache: "no-store", signal })).status;
    } catch {
      return undefined;
    }
  }

  atPhaseChange(Number(document.body.dataset.phaseIn ?? NaN));

  // ---------------------------------------------------------------- live updates

  // A mission waiting for a judge: look again whenever the network or the stream comes back, and
  // every 10 s while it waits, since a stream can stall on bad Wi-Fi without saying so.
  if (mission && puzzleId) {
    globalThis.addEventListener("online", () => void refreshSubmission());
    setInterval(() => {
      void refreshSubmission();
    }, 10_000);
  }
  if (!("EventSource" in window) || !globalThis.cairnEvents) return;
  /**
   * Whether the stream failed since it last opened: its next opening is back after a gap, and the
   * page asks for what it missed. A page whose stream could not open at first is behind too: the
   * copy the service worker kept, opened offline, was drawn when it was kept.
   */
  let behind = false;
  // What another team's change redraws (the standings) is asked for at a random moment within
  // 2 s, so that a room of phones does not ask at once, and at most once every 10 s. Changes
  // meanwhile wait for that one refresh. (The puzzle list and pages take what other teams' solves
  // change from the stream itself: the team's score, the puzzles' points and solves. The team's
  // own solves and unlocks redraw the list at once.)
  let boardDue = 0;
  let boardTimer;
  /** Redraws the page's main part from `path` after a board change, unless `ready()` says wait. */
  function refreshAfterBoard(path, ready = () => true) {
    if (boardTimer !== undefined) return;
    const wait = Math.max(0, boardDue - Date.now()) + Math.random() * 2_000;
    boardTimer = setTimeout(() => {
      boardTimer = undefined;
      if (!ready()) return;
      boardDue = Date.now() + 10_000;
      void redraw(path);
    }, wait);
  }
  // The first scoreboard event is the board the page already shows (not so on a stream reopened).
  let firstBoard = true;
  /** The tag of a live view's JSON, as the server computes it (live/mod.ts `viewTag`). */
  function viewTag(json) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < json.length; i++) hash = Math.imul(hash ^ json.charCodeAt(i), 0x01000193);
    return (hash >>> 0).toString(16);
  }
  // A stream the browser gave up on is opened again (common.js). The standings ask for what they
  // show: the top of the board and the team's place (`top`), or a page of the whole board
  // (`page`); the other pages use the team's own row (the puzzle list: its score). A division's
  // standings follow that division's board.
  const boardView = page === "standings" ? document.body.dataset.boardView ?? "full" : "team";
  const boardDivision = page === "standings" ? document.body.dataset.boardDivision : undefined;
  const boardPage = boardView === "page" ? document.body.dataset.boardPage : undefined;
  globalThis.cairnEvents(listen, {
    scoreboard: boardView,
    division: boardDivision,
    page: boardPage,
  });

  /** The ids of the puzzles the puzzle list's page (`doc`) links to. */
  const listed = (doc) =>
    [...doc.querySelectorAll(".puzzle-list a[href^='/puzzles/']")]
      .map((a) => decodeURIComponent(a.getAttribute("href").slice("/puzzles/".length)));

  /**
   * The team's unlocked puzzles this page knows of: those it was drawn with (a puzzle's page
   * says them, the list lists them), then each it told. Each new one is told once: by its live
   * `unlock` event, or, missed while the stream was down, when it opens again (`caughtUp`, or the
   * list redrawn), whichever comes first.
   */
  const known = new Set(
    page === "puzzles"
      ? listed(document)
      : (document.body.dataset.unlocked ?? "").split(" ").filter(Boolean),
  );
  // The list redrawn (its puzzles moved into this page): it tells what opened, and what went.
  listRedrawn = () => {
    const ids = listed(document);
    goneMeanwhile(ids);
    return toldMeanwhile(ids);
  };

  /** The puzzles `goneMeanwhile` had the phone forget, until they are the team's again. */
  const gone = new Set();

  /**
   * Has the phone forget its copies of the puzzles this page knew that `ids`, the team's unlocked
   * puzzles now, no longer has: a reload removed them while the page was not listening (its
   * `puzzle_removed` lost). Each once; one the team has again (put back) may go again.
   */
  function goneMeanwhile(ids) {
    for (const id of ids) gone.delete(id);
    for (const id of known) {
      if (ids.includes(id) || gone.has(id)) continue;
      gone.add(id);
      forgetOffline(id);
    }
  }

  /** Tells the puzzles of `ids` that opened while the page was not listening. */
  async function toldMeanwhile(ids) {
    const fresh = ids.filter((id) => !known.has(id));
    if (fresh.length === 0) return;
    // For the service worker (outbox.js): keep the new pages for reading offline.
    document.dispatchEvent(new CustomEvent("cairn:unlock", { detail: fresh }));
    await toastUnlocked(fresh);
  }

  /**
   * Toasts each of `ids` this page has not told yet, by its title: from `titles` (the live event's,
   * in the same order), else asked of the server. Many at once (a page kept on the phone, opened
   * long after, or a solve that opens a round): one toast, not a screenful; each stays until
   * dismissed, and a fourth would take the place of the first (common.js).
   */
  async function toastUnlocked(ids, titles) {
    const fresh = ids.filter((id) => !known.has(id));
    for (const id of fresh) known.add(id);
    if (fresh.length === 0) return;
    if (fresh.length > 3) {
      toast(`${fresh.length} new puzzles unlocked.`, { href: "/puzzles", label: "See the list" });
      return;
    }
    const named = titles === undefined
      ? await titlesOf(fresh)
      : fresh.map((id) => ({ id, title: titles[ids.indexOf(id)] ?? id }));
    for (const p of named) {
      toast("New puzzle unlocked:", {
        href: `/puzzles/${encodeURIComponent(p.id)}`,
        label: p.title,
      });
    }
  }

  /**
   * After a gap in the stream, a puzzle's page catches up on what the live events would have
   * told: the puzzles that opened meanwhile (a teammate's solve, a check-in, a time), this one
   * solved by a teammate, its hints (one taken or opened by a teammate's guesses), and its points
   * and solves (other teams' solves). This
   * phone's own answers that waited go first, so that their solve is not taken for a teammate's.
   * (The list redraws itself, and tells what opened too.)
   */
  async function caughtUp() {
    if (document.body.dataset.unlocked === undefined) return;
    clearTimeout(catchUpTimer);
    catchUpTimer = undefined;
    await globalThis.cairnOutbox?.flush();
    const doc = await freshPage();
    // No answer (the stream came back, the next request did not): again in 5 s, or once the phone
    // is back online; the stream's next opening, if it drops meanwhile, asks too.
    if (doc === null) {
      catchUpTimer = setTimeout(() => void caughtUp(), 5_000);
      return;
    }
    if (!doc) return;
    const unlocked = (doc.body.dataset.unlocked ?? "").split(" ").filter(Boolean);
    goneMeanwhile(unlocked);
    await toldMeanwhile(unlocked);
    // A mission's page follows its submissions instead (`refreshSubmission`).
    if (!mission && !solvedHere && doc.getElementById("solved-badge")) {
      // This phone's own solve, sent from another tab, whose answer shows it here.
      if (phoneSolved) return;
      // A guess of this phone on it still waits, or is on its way from another tab: it may be what
      // solved it. Its answer tells ("Correct!", or that the team had solved it); until it comes,
      // the catching up is tried again every 5 s.
      if (await globalThis.cairnOutbox?.guessWaits(puzzleId)) {
        catchUpTimer = setTimeout(() => void caughtUp(), 5_000);
        return;
      }
      solvedHere = true;
      toast("A teammate solved this puzzle.");
      setTimeout(() => void reloadWhenReachable(), 1500);
      return;
    }
    // A reload meanwhile may have changed its words, or released (or moved) the solutions.
    wordsFrom(doc, false);
    solutionFrom(doc);
    releaseFrom(doc);
    hintsFrom(doc);
    limitFrom(doc);
    guessesFrom(doc);
    valuesFrom(doc);
  }

  /**
   * Brings the page up to date after a teammate's wrong guess (`refreshHints`): one fetch at a
   * time, and one more after it when guesses came meanwhile, however many, so that a team guessing
   * fast does not make each phone fetch the page for each guess.
   */
  async function teammateGuessed() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    try {
      do {
        refreshAgain = false;
        await refreshHints();
      } while (refreshAgain);
    } finally {
      refreshing = false;
    }
  }
  let refreshing = false;
  let refreshAgain = false;

  /** The list drawn again after a reload changed puzzles (`puzzle_updated`) or removed some. */
  let updatedTimer;

  /** The catching up tried again (`caughtUp`), after a try that got no answer. */
  let catchUpTimer;
  globalThis.addEventListener("online", () => {
    if (catchUpTimer !== undefined) void caughtUp();
  });

  /**
   * Whether the page's stream has opened yet. The list whose stream fails before it ever opened is
   * a copy the phone kept (opened with no network, or with the server out of reach): it asks for
   * itself once, at once, so that it says it may be out of date (and redraws itself once it can)
   * before any live update would have it try.
   */
  let everOpened = false;
  let askedAtFirst = false;

  /** The page's listeners, on each stream `cairnEvents()` opens. */
  function listen(source) {
    source.addEventListener("error", () => {
      behind = true;
      if (everOpened || askedAtFirst || page !== "puzzles" || staleAt !== undefined) return;
      askedAtFirst = true;
      void redraw("/puzzles");
    });
    source.addEventListener("open", () => {
      everOpened = true;
      if (!behind) return;
      behind = false;
      // Back after a gap: what changed meanwhile (a verdict, a puzzle unlocked) is asked for, at a
      // random moment within 2 s: after a server's restart every phone's stream opens again at
      // once, and their pages should not all be asked for in the same instant.
      setTimeout(() => {
        if (mission && puzzleId) void refreshSubmission();
        if (page === "puzzles") void redraw("/puzzles");
        if (page === "puzzle") void caughtUp();
        void checkTimes();
      }, Math.random() * 2_000);
    });
    // An organizer's reload moved the start or the end: the page shows the hunt as it is now, and
    // counts to the new times (as at the start or the end).
    source.addEventListener("hunt", (event) => {
      if (timesMoved(JSON.parse(event.data))) void phaseChanged();
      // The release of solutions moved (`solutions_at`): a puzzle's may show, or go, at once, and
      // the page counts to the new release (the list, drawn again, does).
      else if (page === "puzzle") void solutionsMoved();
      else if (page === "puzzles") void phaseChanged();
    });
    source.addEventListener("announcement", (event) => {
      showAnnouncement(JSON.parse(event.data));
      // For the service worker (outbox.js): keep the announcements' page again, with this one.
      document.dispatchEvent(new Event("cairn:announcement"));
    });
    // An organizer's reload changed a puzzle the team has: its page draws it again; the list too.
    // Only the hints it can take (`hints_only`: a hint's rule, the hint tokens), named together in
    // one event (`puzzles`): a page among them draws them again, with no note, and the list, which
    // shows none, stays.
    source.addEventListener("puzzle_updated", (event) => {
      const { puzzle, puzzles, hints_only: hintsOnly } = JSON.parse(event.data);
      if (hintsOnly) {
        if (page === "puzzle" && puzzles.includes(puzzleId)) void refreshHints();
        return;
      }
      // (A reload that changed several puzzles' words sends one event each: the list is drawn once.)
      if (page === "puzzles") {
        clearTimeout(updatedTimer);
        updatedTimer = setTimeout(() => void redraw("/puzzles"), 200);
      } else if (page === "puzzle" && puzzle === puzzleId) void puzzleUpdated();
    });
    // An organizer's reload removed a puzzle the team had: its page says so; the list drops it;
    // the phone forgets the copy it kept of it. Put back by a later reload, it is told as a new
    // unlock (and kept again).
    source.addEventListener("puzzle_removed", (event) => {
      const { puzzle } = JSON.parse(event.data);
      known.delete(puzzle);
      if (page === "puzzles") {
        clearTimeout(updatedTimer);
        updatedTimer = setTimeout(() => void redraw("/puzzles"), 200);
      }
      if (page === "puzzle" && puzzle === puzzleId) puzzleRemoved();
      // Another page: the copies kept on the phone go all the same.
      else forgetOffline(puzzle);
    });
    // Another team's solve lowers a dynamic puzzle's value, and the reveal shows the true one: the
    // list shows the score the board gives the team (its own row: `?scoreboard=team`), in place.
    // Frozen, the row is the freeze's, and the list counts the team's own progress since: it stays.
    if (page === "puzzles") {
      source.addEventListener("scoreboard", (event) => {
        const board = JSON.parse(event.data);
        // The `team` view's one row is the team's own, whatever its name: an organizer's rename
        // leaves the page's `data-team` as it was drawn.
        const [mine] = board.teams;
        const shown = $("team-score");
        if (board.frozen || !mine || !shown) return;
        heardScore = { score: mine.score, at: ++heardCount };
        shown.textContent = String(mine.score);
      });
    }
    // Another team's solve changed what puzzles are worth (dynamic points), or how many teams
    // solved them (`show_solves`): the list and this puzzle's page show the new values, in place.
    source.addEventListener("puzzle_values", (event) => {
      const at = ++heardCount;
      for (const { id, points, solves } of JSON.parse(event.data).puzzles) {
        heardValues.set(id, { points, solves, at });
        showValues(id, points, solves);
      }
    });
    if (page === "standings") {
      source.addEventListener("scoreboard", (event) => {
        // The first event is what the page shows, unless the board changed before the stream
        // opened: the view's tag then differs from the one the page was drawn from.
        const drawn = document.body.dataset.boardShown;
        const changed = drawn !== undefined && viewTag(event.data) !== drawn;
        if (!firstBoard || changed) refreshAfterBoard(location.pathname + location.search);
        firstBoard = false;
      });
    }
    source.addEventListener("unlock", async (event) => {
      const { puzzles, titles } = JSON.parse(event.data);
      // For the service worker (outbox.js): keep the new pages for reading offline.
      document.dispatchEvent(new CustomEvent("cairn:unlock", { detail: puzzles }));
      await toastUnlocked(puzzles, titles);
      if (page === "puzzles") void redraw("/puzzles");
      // A reload put back this puzzle, which an earlier one removed: the page draws itself again.
      if (page === "puzzle" && removedHere && puzzles.includes(puzzleId)) void putBack();
    });
    source.addEventListener("ask", (event) => {
      // A question's answer (or its refusal) shows on the puzzle page; a half-written question stays.
      const { puzzle, status } = JSON.parse(event.data);
      if (status === "answered") toast("An organizer answered your team's question.");
      if (page !== "puzzle" || puzzle !== puzzleId) return;
      const typing = [...document.querySelectorAll(".ask-form textarea")].some((t) =>
        t.value !== ""
      );
      if (!typing) void reloadWhenReachable();
    });
    source.addEventListener("submission", (event) => {
      const submission = JSON.parse(event.data);
      if (mission && submission.puzzle === puzzleId) showSubmission(submission);
      // Sent by a teammate, or judged: the list's mission says "Being judged", or no more.
      if (page === "puzzles") {
        clearTimeout(updatedTimer);
        updatedTimer = setTimeout(() => void redraw("/puzzles"), 200);
      }
    });
    // A teammate's wrong guess on this puzzle: its guesses left (or the wait, past the limit) and
    // the hints it may have opened, from the server, as after this phone's own.
    source.addEventListener("wrong_guess", (event) => {
      const { puzzle, request } = JSON.parse(event.data);
      if (page !== "puzzle" || puzzle !== puzzleId || mission || solvedHere) return;
      // This page's own: its answer brings the page up to date.
      if (request !== undefined && sentRequests.has(request)) return;
      // This phone's, sent by another of its tabs: that tab passes its answer on (outbox.js), which
      // counts the guess here once. Should it not come (that tab was closed as it went), the page
      // asks the server.
      if (globalThis.cairnOutbox?.hearsOf(request)) {
        setTimeout(() => {
          if (!answeredHere.has(request)) void teammateGuessed();
        }, PHONE_ANSWER_MS);
        return;
      }
      void teammateGuessed();
    });
    // An organizer gave the team more guesses on this puzzle: the limit's line (and, past the
    // limit, the answer box) from the server.
    source.addEventListener("extra_guesses", (event) => {
      const { puzzle } = JSON.parse(event.data);
      if (page !== "puzzle" || puzzle !== puzzleId || mission || solvedHere) return;
      void teammateGuessed();
    });
    source.addEventListener("solve", (event) => {
      const { puzzle, request } = JSON.parse(event.data);
      if (page === "puzzles") void redraw("/puzzles");
      // A mission's page follows its `submission` events instead.
      if (mission) return;
      // This page's own solve: its answer shows the result, and the page stays.
      if (request !== undefined && sentRequests.has(request)) return;
      if (page === "puzzle" && puzzle === puzzleId && !solvedHere) {
        // This phone's, sent by another of its tabs (a guess that waited here, or pressed there):
        // that tab tells this one its answer (outbox.js), "Correct!" and all, and the page stays.
        // Should it not come, the page reloads to show the puzzle solved, with no teammate's toast.
        if (globalThis.cairnOutbox?.hearsOf(request)) {
          phoneSolved = true;
          setTimeout(() => {
            if (!solvedHere) void reloadWhenReachable();
          }, PHONE_ANSWER_MS);
          return;
        }
        solvedHere = true;
        toast("A teammate just solved this puzzle.");
        // Offline by then, a reload would show the browser's error page instead of the puzzle.
        setTimeout(() => void reloadWhenReachable(), 1500);
      }
    });
  }
})();
