// The projector: re-draws the standings from the live scoreboard events, fits
// as many rows as the screen holds (two columns, the top 3 kept at the head of
// every later page), turns the pages, shrinks a long team name before it cuts
// its end, shows announcements, and refreshes the chart; reloads the gallery.
(() => {
  "use strict";
  const body = document.body;
  const $ = (id) => document.getElementById(id);
  // The gallery (/scoreboard/gallery) only looks again for new photos now and then.
  if (body.dataset.page === "gallery") {
    setTimeout(() => location.reload(), (Number(body.dataset.refresh) || 30) * 1000);
    return;
  }
  const rotateMs = (Number(body.dataset.rotate) || 12) * 1000;
  const pinned = Number(body.dataset.pinned) || 3;
  const division = body.dataset.division;
  const divisionQuery = division ? `?division=${encodeURIComponent(division)}` : "";
  const tables = $("board-tables");
  const main = $("main");
  const chart = $("chart");
  const freeze = $("freeze");
  const live = $("live");
  const liveText = $("live-text");
  const pageInfo = $("page-info");
  const banner = $("board-announcement");
  const bannerText = $("board-announcement-text");
  /** A name is shrunk down to this share of its size before its end is cut. */
  const SMALLEST = 0.68;

  let teams = null;
  // The page the server drew (`?page=N`), until the first turn.
  let page = Number(body.dataset.startPage) || 0;
  // The server's rows in a column (board.tsx ROWS_PER_COLUMN): its pages, which `?page=N` numbers.
  const serverRows = Number(body.dataset.rows) || 15;
  let rows = serverRows;
  // A phone's board scrolls (app.css, max-width: 44rem): no height to fit, so the server's pages.
  const phone = matchMedia("(max-width: 44rem)");
  let connected = false;
  let frozen = !freeze.hidden;
  // After the end the standings are final: the light says so rather than "Live".
  const ended = body.dataset.ended !== undefined;
  const lastScores = new Map();
  for (const row of document.querySelectorAll(".board-table tbody tr")) {
    lastScores.set(row.dataset.name, row.querySelector(".score").textContent);
  }

  function cell(className, text) {
    const td = document.createElement("td");
    td.className = className;
    td.textContent = text;
    return td;
  }

  function table(list, changed, pinnedRows) {
    const t = document.createElement("table");
    t.className = "board-table";
    const head = t.createTHead().insertRow();
    const columns = [["rank", "#"], ["name", "Team"], ["solves", "Solved"], ["score", "Score"]];
    for (const [className, label] of columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.className = className;
      th.textContent = label;
      head.append(th);
    }
    const tbody = t.createTBody();
    list.forEach((team, i) => {
      const tr = tbody.insertRow();
      tr.dataset.name = team.name;
      if (team.rank <= 3) tr.classList.add(`top-${team.rank}`);
      if (i < pinnedRows) tr.classList.add("pinned");
      if (i === pinnedRows - 1) tr.classList.add("pinned-last");
      if (changed.has(team.name)) tr.classList.add("changed");
      const name = cell("name", "");
      const span = document.createElement("span");
      span.className = "team-name";
      span.textContent = team.name;
      name.append(span);
      if (team.division) {
        const small = document.createElement("small");
        small.textContent = titleCase(team.division);
        name.append(small);
      }
      tr.append(
        cell("rank", String(team.rank)),
        name,
        cell("solves", String(team.solves)),
        cell("score", String(team.score)),
      );
    });
    return t;
  }

  function titleCase(id) {
    return id.split(/[-_]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(
      " ",
    );
  }

  /** The same pages as the server draws without scripts (board.tsx `boardPage`). */
  function pageOf(list) {
    const perPage = rows * 2;
    if (list.length <= perPage) {
      const columns = list.length <= rows ? [list] : [list.slice(0, rows), list.slice(rows)];
      return { pages: 1, page: 0, columns, pinned: 0 };
    }
    const later = perPage - pinned;
    const pages = 1 + Math.ceil((list.length - perPage) / later);
    const at = page % pages;
    if (at === 0) {
      return {
        pages,
        page: 0,
        columns: [list.slice(0, rows), list.slice(rows, perPage)],
        pinned: 0,
      };
    }
    const start = perPage + (at - 1) * later;
    const shown = [...list.slice(0, pinned), ...list.slice(start, start + later)];
    return { pages, page: at, columns: [shown.slice(0, rows), shown.slice(rows)], pinned };
  }

  /** How many rows of one column fit the standings' height; on a phone, the server's. */
  function measureRows() {
    // The standings' height on a phone is the rows already drawn: measured, a page would grow to
    // hold the server's two columns, one under the other, and `?page=3` of 4 showed page 1 of 2.
    if (phone.matches) return serverRows;
    const sample = tables.querySelector(".board-table");
    if (!sample) return rows;
    const head = sample.tHead.getBoundingClientRect().height;
    const row = sample.tBodies[0].rows[0]?.getBoundingClientRect().height || head * 1.8;
    return Math.max(4, Math.floor((tables.clientHeight - head - 2) / row));
  }

  /** The width a name's text needs, to the fraction of a pixel (scrollWidth rounds). */
  function textWidth(span) {
    const range = document.createRange();
    range.selectNodeContents(span);
    return range.getBoundingClientRect().width;
  }

  /**
   * Shrinks each long name to fit its cell, down to SMALLEST; past that its end is cut, and its
   * whole name is its title (shown on hover, on a laptop showing the board).
   */
  function fitNames() {
    for (const span of document.querySelectorAll(".board-page .team-name")) {
      span.style.fontSize = "";
      span.removeAttribute("title");
      const room = span.getBoundingClientRect().width;
      const needed = textWidth(span);
      if (needed <= room) continue;
      let scale = Math.max(SMALLEST, Math.floor((room / needed) * 100) / 100);
      // Rounding can leave it a hair too wide: step down until it fits, or is as small as it gets.
      for (;;) {
        span.style.fontSize = `${scale}em`;
        if (textWidth(span) <= span.getBoundingClientRect().width || scale <= SMALLEST) break;
        scale = Math.max(SMALLEST, scale - 0.02);
      }
      if (textWidth(span) > span.getBoundingClientRect().width) span.title = span.textContent;
    }
  }

  /** The chart's legend: the top 10, in the colours of their lines. */
  function legend() {
    const list = $("chart-legend");
    if (!list || teams === null) return;
    list.replaceChildren(
      ...teams.slice(0, 10).map((team, i) => {
        const li = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = `swatch s${i}`;
        swatch.setAttribute("aria-hidden", "true");
        const rank = document.createElement("span");
        rank.className = "legend-rank";
        rank.textContent = String(team.rank);
        const name = document.createElement("span");
        name.className = "team-name";
        name.textContent = team.name;
        const score = document.createElement("b");
        score.textContent = String(team.score);
        li.append(swatch, rank, name, score);
        return li;
      }),
    );
  }

  function render(changed = new Set()) {
    if (teams === null) return;
    legend();
    const shown = pageOf(teams);
    page = shown.page;
    main.classList.toggle("many", shown.columns.length > 1);
    tables.classList.toggle("single", shown.columns.length <= 1);
    // The Score column fits the widest score, and the # column the last rank (board.tsx).
    let widest = 3;
    for (const team of teams) widest = Math.max(widest, String(team.score).length);
    tables.dataset.scoreChars = String(Math.min(widest, 8));
    tables.dataset.rankChars = String(String(teams.length).length);
    if (teams.length === 0) {
      const p = document.createElement("p");
      p.className = "board-empty";
      p.textContent = "No teams yet.";
      tables.replaceChildren(p);
    } else {
      // The last page's teams may fit its first column: the second stays empty, with no header.
      tables.replaceChildren(
        ...shown.columns.filter((list) => list.length > 0)
          .map((list, i) => table(list, changed, i === 0 ? shown.pinned : 0)),
      );
    }
    pageInfo.textContent = shown.pages > 1 ? `Page ${shown.page + 1} of ${shown.pages}` : "";
    fitNames();
  }

  /** Measures again after the screen or the space above the standings changed. */
  function relayout() {
    const before = rows;
    rows = measureRows();
    if (rows !== before) render();
    else fitNames();
  }

  function showState() {
    live.classList.toggle("live-on", connected && !frozen && !ended);
    live.classList.toggle("live-frozen", connected && frozen);
    live.classList.toggle("live-ended", connected && !frozen && ended);
    liveText.textContent = !connected
      ? "Reconnecting…"
      : frozen
      ? "Frozen"
      : ended
      ? "Ended"
      : "Live";
  }

  function update(board) {
    const changed = new Set();
    for (const team of board.teams) {
      const before = lastScores.get(team.name);
      if (before !== undefined && before !== String(team.score)) changed.add(team.name);
      lastScores.set(team.name, String(team.score));
    }
    teams = board.teams;
    frozen = board.frozen;
    if (freeze.hidden === frozen) {
      freeze.hidden = !frozen;
      rows = measureRows();
    }
    showState();
    render(changed);
    refreshChart();
  }

  /**
   * The shape of the chart's box, width over height, as the server takes it (charts.ts keeps it
   * between 0.7 and 2.6): the chart is drawn to that shape, so it fills its column's width.
   */
  function chartAspect() {
    const width = chart.clientWidth;
    const height = chart.clientHeight;
    if (width <= 0 || height <= 0) return null;
    return Math.min(2.6, Math.max(0.7, width / height));
  }

  /** The chart's box's height in lines of the type around it, for labels a little larger. */
  function chartLines() {
    return chart.clientHeight / parseFloat(getComputedStyle(chart).fontSize);
  }

  /**
   * Draws the chart again if its box changed shape (a resize, the legend's rows), or its height
   * in lines of type (a resize past where the type stops growing), by over 3%.
   */
  function fitChart() {
    const aspect = chartAspect();
    const box = chart.querySelector("svg")?.viewBox?.baseVal;
    if (aspect === null || !box || box.height <= 0) return;
    const changed = (now, then) => Math.abs(now - then) / now > 0.03;
    if (
      changed(aspect, box.width / box.height) ||
      (linesAsked !== null && changed(chartLines(), linesAsked))
    ) refreshChart();
  }

  // The chart the server drew, in a shape of its own, left in a <noscript> (board.tsx): with the
  // script, the first chart is fetched in its box's shape, once the first board is laid out.
  const drawn = chart.querySelector("noscript")?.textContent ?? "";
  let chartAsked = false;
  /** The chart last asked for, and the one shown, counted: an answer older than it is dropped. */
  let chartAsks = 0;
  let chartShown = 0;
  /** The lines the chart last asked for was drawn in. */
  let linesAsked = null;

  async function loadChart() {
    chartAsked = true;
    const ask = ++chartAsks;
    const aspect = chartAspect();
    const query = new URLSearchParams(division ? { division } : {});
    if (aspect !== null) query.set("aspect", aspect.toFixed(2));
    const lines = chartLines();
    if (aspect !== null && lines > 0) {
      query.set("lines", lines.toFixed(1));
      linesAsked = lines;
    }
    try {
      const res = await fetch(`/scoreboard/chart.svg?${query}`);
      if (res.ok) {
        const svg = await res.text();
        // A slow answer to an earlier request put the chart of before a change back over the
        // newer one, under standings that had moved on.
        if (ask < chartShown) return;
        chartShown = ask;
        return void (chart.innerHTML = svg);
      }
    } catch {
      // The next change tries again.
    }
    // None came yet (the server is down, the projector offline): the server's drawing till then.
    if (!chart.querySelector("svg")) chart.innerHTML = drawn;
  }

  let chartTimer = null;
  let chartAskedAt = -Infinity;
  function refreshChart() {
    // The first change after a quiet spell at once, so that the chart follows the standings it
    // stands beside; the changes of a burst after it make one request more, 300 ms on.
    if (chartTimer !== null) return;
    const wait = chartAskedAt + 300 - Date.now();
    if (wait <= 0) {
      chartAskedAt = Date.now();
      return void loadChart();
    }
    chartTimer = setTimeout(() => {
      chartTimer = null;
      chartAskedAt = Date.now();
      void loadChart();
    }, wait);
  }

  // ---------------------------------------------------------------- announcements

  /**
   * A strip too short for its message scrolls through it: down, a pause, back up, as long as
   * it shows, at a pace one can read.
   */
  function fitStrip() {
    const box = bannerText.parentElement;
    banner.classList.remove("scrolling");
    const over = bannerText.scrollHeight - box.clientHeight;
    if (banner.hidden || over <= 1) return;
    const lineHeight = parseFloat(getComputedStyle(box).lineHeight) || 20;
    banner.style.setProperty("--strip-shift", `${-over}px`);
    // About two seconds a line, plus the pauses at each end.
    banner.style.setProperty("--strip-time", `${Math.round(4 + (2.5 * over) / lineHeight)}s`);
    banner.classList.add("scrolling");
  }

  /** The flash's text, set smaller until the whole of it fits (down to the page's own size). */
  function fitFlash(text) {
    let size = 3;
    text.style.fontSize = `${size}em`;
    while (text.scrollHeight > text.clientHeight + 1 && size > 1) {
      size = Math.max(1, size - 0.2);
      text.style.fontSize = `${size}em`;
    }
  }

  let flashTimer = null;
  /** A new announcement fills the middle of the screen for a while, then stays in the strip. */
  function announce(announcement) {
    bannerText.textContent = announcement.text;
    banner.hidden = false;
    // The strip's height may have changed: the rows that fit below it too.
    relayout();
    fitStrip();
    let flash = $("board-flash");
    if (!flash) {
      flash = document.createElement("div");
      flash.id = "board-flash";
      flash.className = "board-flash";
      flash.setAttribute("aria-hidden", "true");
      body.append(flash);
    }
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = "Announcement";
    const text = document.createElement("p");
    text.textContent = announcement.text;
    flash.replaceChildren(label, text);
    flash.hidden = false;
    fitFlash(text);
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => flash.hidden = true, 20_000);
  }

  // ---------------------------------------------------------------- start

  rows = measureRows();
  fitNames();
  fitStrip();
  fitChart();
  addEventListener("resize", () => {
    relayout();
    fitStrip();
    fitChart();
  });

  setInterval(() => {
    if (teams === null || pageOf(teams).pages <= 1) return;
    page += 1;
    render();
  }, rotateMs);
  // The time axis moves on even when no score changes.
  setInterval(refreshChart, 60_000);
  // The hunt starts or ends (nothing is pushed then): the page is drawn again as it is then, once
  // the server answers (a reload while it is down would leave an error page on the screen).
  async function phaseChanged() {
    try {
      if ((await fetch("/api/hunt", { cache: "no-store" })).ok) return location.reload();
    } catch {
      // Not reachable: try again.
    }
    setTimeout(phaseChanged, 5_000);
  }
  const phaseIn = Number(body.dataset.phaseIn ?? NaN);
  if (phaseIn >= 0 && phaseIn <= 2 ** 31 - 1000) setTimeout(phaseChanged, phaseIn + 1000);
  // An organizer's reload may move the start or the end: the page is drawn again for the new ones
  // (told by the live `hunt` event, or asked for when the stream comes back after a gap).
  const timesMoved = (hunt) =>
    body.dataset.huntTimes !== undefined &&
    `${hunt.starts_at}|${hunt.ends_at ?? ""}` !== body.dataset.huntTimes;
  let opened = false;
  async function checkTimes() {
    try {
      const res = await fetch("/api/hunt", { cache: "no-store" });
      if (res.ok && timesMoved(await res.json())) location.reload();
    } catch {
      // Not reachable: the stream's next opening asks again.
    }
  }

  /** The division's standings last asked for, and the ones shown, counted, as for the chart. */
  let divisionAsks = 0;
  let divisionShown = 0;

  /** A division's board, asked for at each change: the stream carries the whole board. */
  async function fetchDivision() {
    const ask = ++divisionAsks;
    try {
      const res = await fetch(`/api/scoreboard${divisionQuery}`);
      if (!res.ok) return;
      const board = await res.json();
      // A slow answer to an earlier ask put standings of before a change back over newer ones
      // (and the scores it went back from flashed as changed).
      if (ask < divisionShown) return;
      divisionShown = ask;
      update(board);
    } catch {
      // Not reachable: the next change, or the stream's next opening, asks again.
    }
  }

  /** The board's listeners, on each stream `cairnEvents()` (common.js) opens, and opens again. */
  function listen(source) {
    source.addEventListener("open", () => {
      connected = true;
      showState();
      if (opened) void checkTimes();
      opened = true;
    });
    source.addEventListener("hunt", (event) => {
      if (timesMoved(JSON.parse(event.data))) void phaseChanged();
    });
    source.addEventListener("error", () => {
      connected = false;
      showState();
      // No board to lay out first: the chart as the page is now.
      if (!chartAsked) void loadChart();
    });
    source.addEventListener("scoreboard", (event) => {
      connected = true;
      if (division) fetchDivision();
      else update(JSON.parse(event.data));
    });
    source.addEventListener("announcement", (event) => announce(JSON.parse(event.data)));
  }
  if (globalThis.cairnEvents) globalThis.cairnEvents(listen);
  else void loadChart();
})();
