// The phone, projector and organizer pages as issue 17 asks for them, over
// the real app: what each page says and links, checked in its HTML.
import { describe, expect, test } from "bun:test";
import { makeApp, ORIGIN } from "../http/_app.ts";
import { MINUTE } from "../engine/_hunt.ts";
import { boardPage } from "../../src/ui/board.tsx";

type App = ReturnType<typeof makeApp>;

/** GETs a page with a team's (or the admin's) cookie, as a browser does. */
async function page(app: App, path: string, cookies: Record<string, string> = {}) {
  const cookie = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await app.app.request(`${ORIGIN}${path}`, {
    headers: { accept: "text/html", ...(cookie !== "" && { cookie }) },
  });
  return { status: res.status, text: await res.text() };
}

const HUNT_WITH_TITLES = `
[hunt]
title = "Harbor Hunt"
divisions = ["kids", "grown-ups"]

[[round]]
id = "harbor"
title = "The Harbor at Dawn"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
round = "harbor"
answer = "polaris"

[[puzzle.hint]]
id = "later"
text = "Look up."
unlock = "minutes_since_unlock() >= 7"

[[puzzle.hint]]
id = "stuck"
text = "It is a star."
unlock = "wrong_guesses() >= 3"
cost = 5

[[puzzle.hint]]
id = "after-knots"
text = "Knots first."
unlock = 'solved("knots")'

[[puzzle.hint]]
id = "odd"
text = "Odd."
unlock = "wrong_guesses() == 3"

[[puzzle]]
id = "knots"
title = "Knots"
round = "old-town"
answer = "bowline"
`;

describe("the phone's puzzle pages", () => {
  test("hints say when they become available, from their rule", async () => {
    const app = makeApp({ toml: HUNT_WITH_TITLES });
    const token = await app.register("Gulls");
    const hints = async () => {
      const text = (await page(app, "/puzzles/lighthouse", { cairn_session: token })).text;
      return [...text.matchAll(/<p class="muted small hint-when">(.*?)<\/p>/g)].map((m) =>
        m[1]!.replace(/<[^>]+>/g, "")
      );
    };
    expect(await hints()).toEqual([
      "Available in 7 min.",
      "Available after 3 wrong guesses.",
      "Available after you solve “Knots”.",
      "Not available yet.",
    ]);
    app.clock.advance(2 * MINUTE + 30_000);
    await app.call("POST", "/api/puzzles/lighthouse/guesses", { token, body: { answer: "sun" } });
    expect(await hints()).toEqual([
      "Available in 5 min.",
      "Available after 2 more wrong guesses.",
      "Available after you solve “Knots”.",
      "Not available yet.",
    ]);
    // The time counts down on the page, which reloads when it is up.
    const text = (await page(app, "/puzzles/lighthouse", { cairn_session: token })).text;
    expect(text).toContain('in <span data-countdown="270">5 min</span>');
    // Once the puzzle is solved, there is nothing to wait for.
    await app.call("POST", "/api/puzzles/lighthouse/guesses", {
      token,
      body: { answer: "polaris" },
    });
    expect((await hints()).slice(1)).toEqual([
      "Not needed: your team solved this puzzle.",
      "Not needed: your team solved this puzzle.",
      "Not needed: your team solved this puzzle.",
    ]);
  });

  test("a hint that needs another taken first says which (CTFd's hint prerequisites import so)", async () => {
    const app = makeApp({
      toml: `[hunt]\ntitle = "Chain"\n\n[[puzzle]]\nid = "rsa"\ntitle = "RSA"\nanswer = "x"\n\n` +
        `[[puzzle.hint]]\nid = "factor"\ntitle = "Hint 1"\ntext = "Factor n."\ncost = 5\n\n` +
        `[[puzzle.hint]]\nid = "p"\ntext = "p = 61."\nunlock = 'hint_taken("factor")'\n\n` +
        `[[puzzle.hint]]\nid = "q"\ntext = "q = 53."\n` +
        `unlock = 'hint_taken("p") or wrong_guesses() >= 3'\n`,
    });
    const token = await app.register("Gulls");
    const hints = async () => {
      const text = (await page(app, "/puzzles/rsa", { cairn_session: token })).text;
      return [...text.matchAll(/<p class="muted small hint-when">(.*?)<\/p>/g)].map((m) => m[1]);
    };
    expect(await hints()).toEqual([
      "Available after you take Hint 1.",
      "Available after you take Hint 2, or after 3 wrong guesses.",
    ]);
    await app.call("POST", "/api/puzzles/rsa/hints/factor", { token });
    expect(await hints()).toEqual(["Available after you take Hint 2, or after 3 wrong guesses."]);
  });

  test("a taken hint shows that it is taken, not its price", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const before = (await page(app, "/puzzles/a", { cairn_session: token })).text;
    expect(before).toContain("costs 4 points");
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "no" } });
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nope" } });
    await app.call("POST", "/api/puzzles/a/hints/late", { token });
    const after = (await page(app, "/puzzles/a", { cairn_session: token })).text;
    expect(after).not.toContain("costs 4 points");
    expect(after).toMatch(/id="hint-late">.*<span class="badge badge-ok">Taken<\/span>/s);
  });

  test("rounds show their title, or their id title-cased; divisions read as words", async () => {
    const app = makeApp({ toml: HUNT_WITH_TITLES });
    const landing = (await page(app, "/")).text;
    expect(landing).toContain('<option value="">No division</option>');
    expect(landing).toContain('<option value="grown-ups">Grown Ups</option>');
    const token = await app.register("Gulls");
    await app.call("POST", "/api/puzzles/lighthouse/guesses", {
      token,
      body: { answer: "polaris" },
    });
    const list = (await page(app, "/puzzles", { cairn_session: token })).text;
    expect(list).toContain('<h2 id="round-harbor">The Harbor at Dawn</h2>');
    expect(list).toContain('<h2 id="round-old-town">Old Town</h2>');
    const puzzle = (await page(app, "/puzzles/knots", { cairn_session: token })).text;
    expect(puzzle).toContain('<span class="badge">Old Town</span>');
  });

  test("the checkpoint field does not capitalize or correct what is typed", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const list = (await page(app, "/puzzles", { cairn_session: token })).text;
    const field = /<input name="code"[^>]*>/.exec(list)![0];
    expect(field).toContain('autocapitalize="off"');
    expect(field).toContain('autocorrect="off"');
    expect(field).toContain('spellcheck="false"');
  });
});

describe("the scoreboard on a phone", () => {
  test("a team gets its own view: its row marked, a link back, no projector footer", async () => {
    const app = makeApp();
    const token = await app.register("Gulls", { division: "kids" });
    await app.register("Terns");
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const board = await page(app, "/scoreboard", { cairn_session: token });
    expect(board.status).toBe(200);
    expect(board.text).toContain('data-page="standings"');
    expect(board.text).toContain('<a href="/puzzles">← Your puzzles</a>');
    expect(board.text).toContain('aria-current="page">Scoreboard</a>');
    expect(board.text).toMatch(
      /<tr class="mine" id="mine" aria-current="true"><td class="num">1<\/td><th scope="row"><span class="standings-name">Gulls<\/span><span class="badge badge-ok">your team<\/span>/,
    );
    expect(board.text).toContain(
      '<a href="#mine">Your team is 1st of 2, with 10 points.</a>',
    );
    expect(board.text).not.toContain("Join at");
    expect(board.text).not.toContain("board-page");
    // One division: the team's chip is marked, and the others are a tap away.
    const kids = await page(app, "/scoreboard?division=kids", { cairn_session: token });
    expect(kids.text).toContain('<a href="/scoreboard?division=kids" aria-current="page">Kids</a>');
    expect(kids.text).not.toContain(">Terns<");
  });

  test("frozen, the team's line says it is the board at the freeze, not its score now", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    await app.register("Terns");
    await app.admin("POST", "/api/admin/scoreboard", { frozen: true });
    app.clock.advance(60_000);
    // Solved after the freeze: the team's own pages count it; the board does not.
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const board = await page(app, "/scoreboard", { cairn_session: token });
    expect(board.text).toContain(
      '<a href="#mine">At the freeze, your team was 1st of 2, with 0 points.</a>',
    );
    const list = await page(app, "/puzzles", { cairn_session: token });
    expect(list.text).toContain('<b id="team-score">10</b>');
    await app.admin("POST", "/api/admin/scoreboard", { frozen: false });
    expect((await page(app, "/scoreboard", { cairn_session: token })).text).toContain(
      '<a href="#mine">Your team is 1st of 2, with 10 points.</a>',
    );
  });

  test("the projector stays the projector, for guests and with ?view=projector", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    expect((await page(app, "/scoreboard")).text).toContain('class="board-page"');
    const forced = await page(app, "/scoreboard?view=projector", { cairn_session: token });
    expect(forced.text).toContain('class="board-page"');
    expect(forced.text).not.toContain('class="mine"');
  });
});

describe("the projector", () => {
  test("shows the latest announcement, and says Frozen rather than Live while frozen", async () => {
    const app = makeApp();
    let board = (await page(app, "/scoreboard")).text;
    expect(board).toContain('id="board-announcement" role="status" aria-live="polite" hidden=""');
    expect(board).toContain('<span id="live-text">Live</span>');
    await app.admin("POST", "/api/admin/announcements", { text: "Soup at the harbor" });
    await app.admin("POST", "/api/admin/scoreboard", { frozen: true });
    board = (await page(app, "/scoreboard")).text;
    expect(board).toMatch(
      /id="board-announcement" role="status" aria-live="polite">.*<span id="board-announcement-text">Soup at the harbor<\/span>/s,
    );
    expect(board).toContain('<span class="live live-frozen" id="live">');
    expect(board).toContain('<span id="live-text">Frozen</span>');
  });

  test("one division: the title reads 'Hunt · Division', and the chart has only its teams", async () => {
    const app = makeApp();
    const kid = await app.register("Gulls", { division: "kids" });
    const adult = await app.register("Terns", { division: "adults" });
    await app.call("POST", "/api/puzzles/a/guesses", { token: kid, body: { answer: "alpha" } });
    await app.call("POST", "/api/puzzles/a/guesses", { token: adult, body: { answer: "alpha" } });
    const board = (await page(app, "/scoreboard?division=kids")).text;
    expect(board).toContain('<h1>Test Hunt <span class="muted">· Kids</span></h1>');
    // One line in the chart, named in its legend: the division's one team.
    const chart = /<div class="chart" id="chart">([\s\S]*?)<\/div>/.exec(board)![1]!;
    expect(chart.match(/<path class="line s\d"/g)).toEqual(['<path class="line s0"']);
    const legend = /<ol class="chart-legend"[\s\S]*?<\/ol>/.exec(board)![0];
    expect(legend).toContain('<span class="team-name">Gulls</span>');
    expect(legend).not.toContain("Terns");
    const everyone = await (await app.app.request(`${ORIGIN}/scoreboard/chart.svg`)).text();
    expect(everyone.match(/<path class="line s\d"/g)?.length).toBe(2);
    const svg = await (await app.app.request(`${ORIGIN}/scoreboard/chart.svg?division=kids`))
      .text();
    expect(svg.match(/<path class="line s\d"/g)?.length).toBe(1);
    expect((await app.app.request(`${ORIGIN}/scoreboard/chart.svg?division=nope`)).status).toBe(
      404,
    );
  });

  test("pages keep their rows, and every later page starts with the top 3", () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({
      rank: i + 1,
      name: `Team ${i + 1}`,
      division: null,
      score: 100 - i,
      solves: 0,
    }));
    const names = (p: ReturnType<typeof boardPage>) => p.columns.map((c) => c.map((r) => r.rank));
    const first = boardPage(rows, { rows: 15, page: 0 });
    expect(first.pages).toBe(4);
    expect(names(first)).toEqual([
      Array.from({ length: 15 }, (_, i) => i + 1),
      Array.from({ length: 15 }, (_, i) => i + 16),
    ]);
    const second = boardPage(rows, { rows: 15, page: 1 });
    expect(second.pinned).toBe(3);
    expect(names(second)[0]!.slice(0, 4)).toEqual([1, 2, 3, 31]);
    expect(names(second).flat().length).toBe(30);
    // The pages together show every team once, besides the pinned top 3.
    const seen = new Set<number>();
    for (let page = 0; page < first.pages; page++) {
      const shown = boardPage(rows, { rows: 15, page });
      for (const rank of names(shown).flat().slice(shown.pinned)) seen.add(rank);
    }
    expect(seen.size).toBe(100);
    // Few teams: one column, or two, and no pages.
    expect(boardPage(rows.slice(0, 10), { rows: 15, page: 3 }).columns.length).toBe(1);
    expect(boardPage(rows.slice(0, 20), { rows: 15, page: 0 })).toMatchObject({ pages: 1 });
  });
});
