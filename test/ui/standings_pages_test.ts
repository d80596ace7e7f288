// A team's standings on its phone at a big event (`/scoreboard` with a session): the top of the
// board and the team's own place with its neighbours, "…" for the rows left out, the count of
// teams and the way to the whole board a page at a time; a short board whole, as it always was.
// Checked in the HTML the real app sends.
import { describe, expect, test } from "bun:test";
import { makeApp } from "../http/_app.ts";
import { seedBoard } from "../http/_board.ts";
import { MINUTE } from "../engine/_hunt.ts";
import {
  PHONE_PAGE,
  PHONE_TOP,
  PHONE_WHOLE,
  phoneRows,
  type PhoneSegment,
} from "../../src/ui/board.tsx";
import { browser } from "./_browser.ts";
import { viewTag } from "../../src/live/mod.ts";

/** The standings page of team `team` on a board of `teams`, at `path`. */
async function standings(teams: number, team: number, path = "/scoreboard") {
  const app = makeApp({ seed: (db) => seedBoard(db, teams) });
  const page = await browser(app, { cairn_session: `token-${team}` }).get(path);
  expect(page.status).toBe(200);
  return { app, text: page.text, rows: shownRows(page.text) };
}

/** The table's body as the phone shows it: each row's rank (`*` after the team's own), or "… n". */
function shownRows(text: string): string[] {
  const body = text.match(/<tbody>([^]*)<\/tbody>/)?.[1] ?? "";
  return [
    ...body.matchAll(
      /<tr( class="(?:mine|gap)")?[^>]*>(?:<td class="num">(\d+)|<td colspan="4">… (\d+))/g,
    ),
  ]
    .map(([, kind, rank, gap]) =>
      gap !== undefined ? `… ${gap}` : `${rank}${kind === ' class="mine"' ? "*" : ""}`
    );
}

/** Ranks `a` to `b` as `shownRows` writes them, `mine` marked. */
const ranks = (a: number, b: number, mine?: number) =>
  Array.from({ length: b - a + 1 }, (_, i) => `${a + i}${a + i === mine ? "*" : ""}`);

describe("phoneRows()", () => {
  const cases: [string, number, { mine?: number; page?: number }, PhoneSegment[]][] = [
    ["a short board, whole", PHONE_WHOLE, { mine: 59 }, [{ from: 0, to: 60 }]],
    ["a team in the top", 300, { mine: 10 }, [{ from: 0, to: 50 }, { gap: 250 }]],
    ["no team (hidden)", 300, {}, [{ from: 0, to: 50 }, { gap: 250 }]],
    ["just past the top: one run", 300, { mine: 52 }, [{ from: 0, to: 56 }, { gap: 244 }]],
    ["the top's last: its 3 below too", 300, { mine: 49 }, [{ from: 0, to: 53 }, { gap: 247 }]],
    ["3 from the top's end: 3 below", 300, { mine: 47 }, [{ from: 0, to: 51 }, { gap: 249 }]],
    ["4 from the top's end: the top", 300, { mine: 46 }, [{ from: 0, to: 50 }, { gap: 250 }]],
    ["far past the top", 300, { mine: 199 }, [
      { from: 0, to: 50 },
      { gap: 146 },
      { from: 196, to: 203 },
      { gap: 97 },
    ]],
    ["the last team", 300, { mine: 299 }, [{ from: 0, to: 50 }, { gap: 246 }, {
      from: 296,
      to: 300,
    }]],
    ["one row left after the team's: shown, not a gap", 300, { mine: 295 }, [
      { from: 0, to: 50 },
      { gap: 242 },
      { from: 292, to: 300 },
    ]],
    ["page 2", 300, { mine: 5, page: 2 }, [{ from: 100, to: 200 }]],
    ["a page past the last: the last", 300, { page: 9 }, [{ from: 200, to: 300 }]],
  ];
  for (const [what, total, options, segments] of cases) {
    test(what, () => {
      expect(phoneRows(total, options).segments).toEqual(segments);
    });
  }
});

describe("the page's live stream (?scoreboard=top) carries the rows the page shows", () => {
  /** The ranks of the first `scoreboard` event of team `team`'s `top` stream, as `shownRows`. */
  function streamRows(app: ReturnType<typeof makeApp>, team: number): string[] {
    let text = "";
    const leave = app.live.connect(
      team,
      {
        closed: false,
        write: (bytes: Uint8Array) => void (text += new TextDecoder().decode(bytes)),
      },
      undefined,
      { view: "top" },
    );
    leave();
    const board = JSON.parse(text.match(/event: scoreboard\ndata: (.*)\n/)![1]!) as {
      total: number;
      teams: { rank: number }[];
    };
    // The gaps as the page writes them: the ranks left out, before a row and after the last.
    const rows: string[] = [];
    let next = 1;
    for (const { rank } of board.teams) {
      if (rank > next) rows.push(`… ${rank - next}`);
      rows.push(`${rank}${rank === team ? "*" : ""}`);
      next = rank + 1;
    }
    if (next <= board.total) rows.push(`… ${board.total - next + 1}`);
    return rows;
  }

  test("the page carries the tag of that view, to tell a board changed before the stream opened", async () => {
    const app = makeApp({ seed: (db) => seedBoard(db, 300) });
    let text = "";
    const leave = app.live.connect(
      200,
      {
        closed: false,
        write: (bytes: Uint8Array) => void (text += new TextDecoder().decode(bytes)),
      },
      undefined,
      { view: "top" },
    );
    leave();
    const data = text.match(/event: scoreboard\ndata: (.*)\n/)![1]!;
    const page = await browser(app, { cairn_session: "token-200" }).get("/scoreboard");
    expect(page.text).toContain(`data-board-shown="${viewTag(data)}"`);
    // A page of the whole board follows that page (`page`), and carries the tag of that view.
    text = "";
    app.live.connect(
      200,
      {
        closed: false,
        write: (bytes: Uint8Array) => void (text += new TextDecoder().decode(bytes)),
      },
      undefined,
      { view: "page", page: 2 },
    )();
    const pageData = text.match(/event: scoreboard\ndata: (.*)\n/)![1]!;
    expect(JSON.parse(pageData)).toMatchObject({ total: 300, page: 2 });
    const whole = await browser(app, { cairn_session: "token-200" }).get("/scoreboard?page=2");
    expect(whole.text).toMatch(/<body [^>]*data-board-view="page" data-board-page="2"/);
    expect(whole.text).toContain(`data-board-shown="${viewTag(pageData)}"`);
    expect(viewTag(pageData)).not.toBe(viewTag(data));
  });

  for (const teams of [0, 1, 59, 60, 61, 63, 64, 120]) {
    test(`on a board of ${teams}, for every team`, async () => {
      const app = makeApp({ seed: (db) => seedBoard(db, teams) });
      for (let team = 1; team <= teams; team++) {
        const page = await browser(app, { cairn_session: `token-${team}` }).get("/scoreboard");
        expect([team, streamRows(app, team)]).toEqual([team, shownRows(page.text)]);
      }
    });
  }
});

describe("a team's standings on a big board", () => {
  test(`the top ${PHONE_TOP}, "…", the team's row with 3 above and below, "…"`, async () => {
    const { text, rows } = await standings(300, 200);
    expect(rows).toEqual([...ranks(1, 50), "… 146", ...ranks(197, 203, 200), "… 97"]);
    expect(text).toContain('<a href="#mine">Your team is 200th of 300, with 101 points.</a>');
    expect(text).toContain(
      '<span class="muted">The top 50 and your team&#39;s place of 300 teams.</span>',
    );
    expect(text).toContain('<a href="/scoreboard?page=1">See the whole board →</a>');
    // Not one row more: the rest of the board is not in the page.
    expect(text).not.toContain(">Team 204<");
  });

  test("a team just past the top gets one run of rows", async () => {
    const { rows } = await standings(300, 53);
    expect(rows).toEqual([...ranks(1, 56, 53), "… 244"]);
  });

  test("a team at the top's last place sees the 3 teams below it too", async () => {
    const { rows } = await standings(300, 50);
    expect(rows).toEqual([...ranks(1, 53, 50), "… 247"]);
  });

  test("a team in the top gets the top alone; a board of 60, all of it", async () => {
    const { rows, text } = await standings(300, 7);
    expect(rows).toEqual([...ranks(1, 50, 7), "… 250"]);
    expect(text).toContain("Your team is 7th of 300");
    expect(text).toContain('<span class="muted">The top 50 of 300 teams.</span>');
    // A board of 60 teams is shown whole, with no pager, as short boards always were.
    const short = await standings(PHONE_WHOLE, 60);
    expect(short.rows).toEqual(ranks(1, 60, 60));
    expect(short.text).not.toContain('class="pager"');
    expect(short.text).not.toContain('class="gap"');
  });

  test("the whole board, a page at a time, with the team's own page a tap away", async () => {
    const { text, rows } = await standings(300, 250, "/scoreboard?page=2");
    expect(rows).toEqual(ranks(101, 200));
    expect(text).toContain("Teams 101–200 of 300 · page 2 of 3");
    expect(text).toContain('<a href="/scoreboard?page=1">← Previous</a>');
    expect(text).toContain('<a href="/scoreboard?page=3">Next →</a>');
    expect(text).toContain('<a href="/scoreboard">Top of the board</a>');
    expect(text).toContain(
      '<a href="/scoreboard?page=3#mine">Your team is 250th of 300, with 51 points.</a>',
    );
    const last = await standings(300, 250, "/scoreboard?page=3");
    expect(last.rows).toEqual(ranks(201, 300, 250));
    expect(last.text).toContain('<a href="#mine">Your team is 250th');
    expect(last.text).not.toContain("Next →");
    // Past the last page, or not a number: the last page, or the first.
    expect((await standings(300, 250, "/scoreboard?page=40")).rows).toEqual(last.rows);
    expect((await standings(300, 250, "/scoreboard?page=x")).rows).toEqual(ranks(1, PHONE_PAGE));
  });

  test("a division: its own top and the team's place in it, and its pages", async () => {
    // Team 201 is the 101st of the kids (the odd teams), ranked among themselves.
    const { text, rows } = await standings(300, 201, "/scoreboard?division=kids");
    expect(rows).toEqual([...ranks(1, 50), "… 47", ...ranks(98, 104, 101), "… 46"]);
    expect(text).toContain("Your team is 101st of 150");
    // Its live stream follows the division's board, not the whole one's (player.js, common.js).
    expect(text).toMatch(/<body [^>]*data-board-view="top" data-board-division="kids"/);
    expect(text).toContain(
      '<a href="/scoreboard?division=kids&amp;page=1">See the whole board →</a>',
    );
    const page = await standings(300, 201, "/scoreboard?division=kids&page=2");
    expect(page.rows).toEqual(ranks(101, 150, 101));
    // Its stream: that page of the division's board.
    expect(page.text).toMatch(
      /<body [^>]*data-board-view="page" data-board-page="2" data-board-division="kids"/,
    );
    expect(page.text).toContain('<a href="/scoreboard?division=kids">Top of the board</a>');
    const other = await standings(300, 201, "/scoreboard?division=adults");
    expect(other.text).toContain("Your team is not in this division.");
    expect(other.rows).toEqual([...ranks(1, 50), "… 100"]);
  });

  test("a hidden team: the top, the count, and no place of its own", async () => {
    const { app } = await standings(300, 200);
    await app.admin("PUT", "/api/admin/teams/200/hidden", { hidden: true });
    const page = await browser(app, { cairn_session: "token-200" }).get("/scoreboard");
    expect(page.text).toContain("The organizers have hidden your team from the scoreboard");
    expect(shownRows(page.text)).toEqual([...ranks(1, 50), "… 249"]);
    expect(page.text).toContain("The top 50 of 299 teams.");
  });

  test("frozen: the board at the freeze, the team's place in it", async () => {
    const { app } = await standings(300, 200);
    await app.admin("POST", "/api/admin/scoreboard", { frozen: true });
    app.clock.advance(MINUTE);
    await app.admin("POST", "/api/admin/adjustments", { team: 200, points: 500, reason: "late" });
    const page = await browser(app, { cairn_session: "token-200" }).get("/scoreboard");
    expect(page.text).toContain("The scoreboard is frozen");
    expect(page.text).toContain("At the freeze, your team was 200th of 300, with 101 points.");
    expect(shownRows(page.text)).toEqual([
      ...ranks(1, 50),
      "… 146",
      ...ranks(197, 203, 200),
      "… 97",
    ]);
  });
});
