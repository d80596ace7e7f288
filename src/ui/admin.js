// The organizers' pages: sign in from the admin link's fragment, keep the
// dashboard's feeds of guesses and submissions, progress grid, charts, and
// team and solve counts current, and give the judging page its keys.
(() => {
  "use strict";
  const page = document.body.dataset.page;

  /**
   * Signs in with the admin link's token. It travels in the fragment (#token=…), which never
   * reaches the server's logs; it is posted once and removed from the address bar.
   */
  function signInFromHash() {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!match) return;
    history.replaceState(null, "", location.pathname);
    let form = document.getElementById("admin-login");
    if (!form) {
      // Another admin page: the same post as the sign-in form's.
      form = document.createElement("form");
      form.method = "post";
      form.action = "/admin/session";
      form.hidden = true;
      const input = document.createElement("input");
      input.name = "token";
      input.id = "admin-token";
      form.append(input);
      document.body.append(form);
    }
    document.getElementById("admin-token").value = decodeURIComponent(match[1]);
    form.submit();
  }
  // The link pasted into a tab already on an admin page changes only the fragment: no new load.
  addEventListener("hashchange", signInFromHash);

  if (page === "admin-login") {
    signInFromHash();
    return;
  }
  if (page === "judge") {
    judgeKeys();
    return;
  }
  if (page === "hints") {
    liveHints();
    return;
  }
  if (page !== "admin") return;

  // The guess feed (not in a hunt of missions only), and the submission feed (in a hunt with
  // missions): each card has its badge saying whether the feed is live.
  const feed = document.getElementById("feed");
  const submissions = document.getElementById("submission-feed");
  const states = document.querySelectorAll(".feed-state");
  const count = document.getElementById("guess-count");
  const submissionCount = document.getElementById("submission-count");
  let last = Number(document.body.dataset.lastGuess) || 0;
  let failures = 0;
  /** Says on each feed's badge whether it is live. */
  function showState(text) {
    for (const badge of states) badge.textContent = text;
  }

  async function get(url) {
    const res = await fetch(url, { headers: { accept: "application/json" }, redirect: "manual" });
    if (!res.ok) throw new Error(String(res.status));
    return res;
  }

  /** Adds the new guesses, and draws the submissions again, as the server renders them. */
  async function loadFeed() {
    await Promise.all([loadGuesses(), loadSubmissions()]);
  }

  /** The latest submissions, each with its status now (a verdict changes a row already shown). */
  async function loadSubmissions() {
    if (!submissions) return;
    const data = await (await get("/admin/feed/submissions")).json();
    submissions.innerHTML = data.html;
    document.getElementById("submission-feed-empty")?.toggleAttribute("hidden", data.count > 0);
    if (submissionCount) submissionCount.textContent = String(data.count);
  }

  /** Adds the guesses after the last one shown, rendered by the server. */
  async function loadGuesses() {
    if (!feed) return;
    const data = await (await get(`/admin/feed?after=${last}`)).json();
    if (data.last > last) {
      const added = Math.max(0, data.last - last);
      last = data.last;
      feed.insertAdjacentHTML("afterbegin", data.html);
      document.getElementById("feed-empty")?.remove();
      while (feed.rows.length > 200) feed.deleteRow(-1);
      if (count) count.textContent = String(Number(count.textContent) + added);
    }
  }

  // The feeds follow the live stream's admin-only `guess` events and its `submission` events;
  // while the stream is down (or the browser has none), they poll every 3 s instead.
  let streaming = false;
  let loading = null;
  let again = false;
  /** One feed request at a time; events that arrive meanwhile make one more. */
  function refreshFeed() {
    if (loading) {
      again = true;
      return loading;
    }
    loading = loadFeed().then(() => {
      failures = 0;
    }, () => {
      failures += 1;
    }).finally(() => {
      loading = null;
      if (again) {
        again = false;
        refreshFeed();
      }
    });
    return loading;
  }

  async function poll() {
    if (!streaming) {
      await refreshFeed();
      // Unless the stream opened meanwhile, and said "live".
      if (!streaming) showState(failures > 0 ? "reconnecting…" : "polling");
    }
    setTimeout(poll, failures > 0 ? 10_000 : 3000);
  }

  // A stream the browser gave up on (a 503, a 429) is opened again (common.js).
  if ("EventSource" in window && globalThis.cairnEvents) {
    globalThis.cairnEvents((source) => {
      source.addEventListener("open", () => {
        streaming = true;
        showState("live");
        // Guesses and submissions made while the stream was down.
        refreshFeed();
      });
      source.addEventListener("error", () => {
        streaming = false;
        showState("reconnecting…");
      });
      source.addEventListener("guess", (event) => {
        const guess = JSON.parse(event.data);
        if (guess.id > last) refreshFeed();
      });
      // A submission sent, or judged.
      source.addEventListener("submission", () => refreshFeed());
      // The dashboard shows no live standings: the scoreboard pushes are left out.
    }, { scoreboard: "team" });
  }
  setTimeout(poll, 3000);

  async function refreshPanels() {
    try {
      // The page of the grid on show (a big event's teams come in pages).
      const shown = document.getElementById("grid-pager")?.dataset.page ?? "1";
      const grid = await get(`/admin/progress?page=${shown}`);
      document.getElementById("progress").innerHTML = await grid.text();
      const charts = await (await get("/admin/charts")).json();
      const figures = document.querySelectorAll("#charts figure svg");
      if (figures[0]) figures[0].outerHTML = charts.puzzles;
      if (figures[1]) figures[1].outerHTML = charts.guesses;
      // The teams registered, and the puzzles solved, since the page was drawn count too.
      for (const [id, value] of [["team-count", charts.teams], ["solve-count", charts.solves]]) {
        const stat = document.getElementById(id);
        if (stat && Number.isInteger(value)) stat.textContent = String(value);
      }
    } catch {
      // Tried again on the next round.
    }
  }

  setInterval(refreshPanels, 15_000);

  /** The judging page's keys: A accept, P points, R reject, N skip, Esc cancel typing. */
  function judgeKeys() {
    const $ = (id) => document.getElementById(id);
    // With nothing to judge, look again now and then.
    const refresh = Number(document.body.dataset.refresh);
    if (refresh > 0) setTimeout(() => location.reload(), refresh * 1000);
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const typing = event.target instanceof HTMLInputElement ||
        event.target instanceof HTMLTextAreaElement;
      if (event.key === "Escape") {
        if (typing) {
          event.target.value = event.target.defaultValue;
          event.target.blur();
        }
        return;
      }
      // Enter sends the message to the team; Shift+Enter makes a new line.
      if (event.key === "Enter" && !event.shiftKey && event.target.closest?.("#judge-reject")) {
        event.preventDefault();
        $("judge-reject").requestSubmit();
        return;
      }
      if (typing || !$("judge-item")) return;
      const key = event.key.toLowerCase();
      if (key === "a") $("judge-accept").requestSubmit();
      else if (key === "p") $("judge-points").querySelector("input[name=points]").select();
      else if (key === "r") $("judge-reject").querySelector("textarea").focus();
      else if (key === "n") location.assign($("judge-skip").href);
      else return;
      event.preventDefault();
    });
    // A verdict is given once: a second press while the first is on its way does nothing.
    for (const form of document.querySelectorAll("#judge-item form")) {
      form.addEventListener("submit", () => {
        for (const button of document.querySelectorAll("#judge-item button")) {
          button.disabled = true;
        }
      });
    }
  }

  /**
   * /admin/hints: a new question, or one answered elsewhere, reloads the list, unless an organizer
   * is typing a reply (that reply is not lost), or a reply refused as its question was closed is
   * shown to copy (its Done link reloads). So does the stream coming back after it was down
   * (opened again by common.js), for the questions asked meanwhile.
   */
  function liveHints() {
    if (!("EventSource" in window) || !globalThis.cairnEvents) return;
    const reload = () => {
      const typing = [
        ...document.querySelectorAll(".ask-form textarea, .ask-form input[name=message]"),
      ]
        .some((field) => field.value !== "");
      if (!typing && !document.getElementById("unsent")) location.reload();
    };
    // Whether a stream failed since this page was drawn: it may have missed a question.
    let missed = false;
    globalThis.cairnEvents((source) => {
      source.addEventListener("open", () => {
        if (missed) reload();
      });
      source.addEventListener("error", () => {
        missed = true;
      });
      source.addEventListener("ask", reload);
    }, { scoreboard: "team" });
  }
})();
