// The projector: re-draws the standings from the live scoreboard events,
// turns the page when there are more teams than fit, and refreshes the chart.
(() => {
  "use strict";
  const body = document.body;
  const perPage = Number(body.dataset.perPage) || 30;
  const rotateMs = (Number(body.dataset.rotate) || 12) * 1000;
  const division = body.dataset.division;
  const tables = document.getElementById("board-tables");
  const chart = document.getElementById("chart");
  const freeze = document.getElementById("freeze");
  const live = document.getElementById("live");
  const liveText = document.getElementById("live-text");
  const pageInfo = document.getElementById("page-info");

  let teams = null;
  let page = 0;
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

  function table(rows, changed) {
    const t = document.createElement("table");
    t.className = "board-table";
    const head = t.createTHead().insertRow();
    for (
      const [className, label] of [["rank", "#"], ["", "Team"], ["solves", "Solved"], [
        "score",
        "Score",
      ]]
    ) {
      const th = document.createElement("th");
      th.scope = "col";
      th.className = className;
      th.textContent = label;
      head.append(th);
    }
    const tbody = t.createTBody();
    for (const team of rows) {
      const tr = tbody.insertRow();
      tr.dataset.name = team.name;
      if (team.rank <= 3) tr.classList.add(`top-${team.rank}`);
      if (changed.has(team.name)) tr.classList.add("changed");
      const name = cell("name", team.name);
      if (team.division) {
        const small = document.createElement("small");
        small.textContent = team.division;
        name.append(small);
      }
      tr.append(
        cell("rank", String(team.rank)),
        name,
        cell("solves", String(team.solves)),
        cell("score", String(team.score)),
      );
    }
    return t;
  }

  function render(changed = new Set()) {
    if (teams === null) return;
    const pages = Math.max(1, Math.ceil(teams.length / perPage));
    if (page >= pages) page = 0;
    const shown = teams.slice(page * perPage, (page + 1) * perPage);
    const half = Math.ceil(perPage / 2);
    tables.classList.toggle("single", shown.length <= half);
    if (shown.length === 0) {
      const p = document.createElement("p");
      p.className = "board-empty";
      p.textContent = "No teams yet.";
      tables.replaceChildren(p);
    } else {
      const parts = [table(shown.slice(0, half), changed)];
      if (shown.length > half) parts.push(table(shown.slice(half), changed));
      tables.replaceChildren(...parts);
    }
    pageInfo.textContent = pages > 1 ? `Page ${page + 1} of ${pages}` : "";
  }

  function update(board) {
    const changed = new Set();
    for (const team of board.teams) {
      const before = lastScores.get(team.name);
      if (before !== undefined && before !== String(team.score)) changed.add(team.name);
      lastScores.set(team.name, String(team.score));
    }
    teams = board.teams;
    freeze.hidden = !board.frozen;
    render(changed);
    refreshChart();
  }

  let chartTimer = null;
  function refreshChart() {
    // Several changes in a burst make one request.
    if (chartTimer !== null) return;
    chartTimer = setTimeout(async () => {
      chartTimer = null;
      try {
        const res = await fetch("/scoreboard/chart.svg");
        if (res.ok) chart.innerHTML = await res.text();
      } catch {
        // The next change tries again.
      }
    }, 300);
  }

  setInterval(() => {
    if (teams === null || teams.length <= perPage) return;
    page += 1;
    render();
  }, rotateMs);
  // The time axis moves on even when no score changes.
  setInterval(refreshChart, 60_000);

  async function fetchDivision() {
    const res = await fetch(`/api/scoreboard?division=${encodeURIComponent(division)}`);
    if (res.ok) update(await res.json());
  }

  const source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    live.classList.add("live-on");
    liveText.textContent = "Live";
  });
  source.addEventListener("error", () => {
    live.classList.remove("live-on");
    liveText.textContent = "Reconnecting…";
  });
  source.addEventListener("scoreboard", (event) => {
    live.classList.add("live-on");
    liveText.textContent = "Live";
    if (division) fetchDivision();
    else update(JSON.parse(event.data));
  });
})();
