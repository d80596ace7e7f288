// A team's standings on a 360×740 phone at a big event, in a real browser against the compiled
// binary: 300 teams, written into its database while it is stopped. The page shows the top 50,
// "…", the team's row with its neighbours, "…", the count and the way to the whole board a page
// at a time; after a change of the board it fetches that small page again, not the whole board,
// and its live stream carries what it shows (`?scoreboard=top`), not the whole board either.
// Screenshots go to test-results/screenshots/.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import type { Page } from "playwright-core";
import type { Connection } from "../../src/store/mod.ts";
import { seedBoard } from "../http/_board.ts";
import { teamNameKey } from "../../src/engine/mod.ts";
import { axe, chromiumAvailable, type Served, serveForSuite, SHOTS } from "./_browser.ts";

const ADMIN_TOKEN = "standings-admin-token";
const HUNT = `
[hunt]
title = "The Lantern Trail"
starts_at = 2026-01-01T00:00:00Z
divisions = ["kids", "adults"]

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = ["polaris"]
`;
const TEAMS = 300;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;
const served = {} as Served;

/** The table's rows as the phone shows them: each team's name, or the gap's text. */
function rowsOf(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll("table.standings tbody tr")].map((tr) =>
    tr.classList.contains("gap") ? tr.textContent.trim() : tr.querySelector("th").firstChild.textContent
  )`) as Promise<string[]>;
}

/** "Team a" to "Team b". */
const range = (a: number, b: number) =>
  Array.from({ length: b - a + 1 }, (_, i) => `Team ${a + i}`);

/** Stops the server, edits its database in one transaction, and starts it again. */
function rewriteBoard(edit: (db: Database) => void): Promise<void> {
  return served.server.restart(() => {
    const db = new Database(served.server.db);
    try {
      db.transaction(() => edit(db))();
    } finally {
      db.close();
    }
    return Promise.resolve();
  });
}

/** A new page logged in as the team of `token`, at 360×740, and the script errors it reports. */
async function phoneAs(token: string): Promise<{ page: Page; errors: string[] }> {
  await served.browser.context.addCookies([
    { name: "cairn_session", value: token, url: served.server.base },
  ]);
  const errors: string[] = [];
  const page = await served.browser.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.setViewportSize({ width: 360, height: 740 });
  return { page, errors };
}

suite("a team's standings on a phone, 300 teams", () => {
  serveForSuite(served, HUNT, ["--admin-token", ADMIN_TOKEN]);

  test(
    "the top, the team's place, the whole board a page at a time; a refresh fetches the small page",
    async () => {
      const base = served.server.base;
      await rewriteBoard((db) => seedBoard(db as unknown as Connection, TEAMS));
      const { page, errors } = await phoneAs("token-200");
      // Each refresh's size, counted as its answer comes: the page draws it before its body reaches
      // this process (a body read after the page closed is -1, not an error between tests).
      const refreshes: Promise<number>[] = [];
      page.on("response", (response) => {
        const request = response.request();
        if (request.url() === `${base}/scoreboard` && request.resourceType() === "fetch") {
          refreshes.push(response.body().then((body) => body.length, () => -1));
        }
      });
      // The live streams the page opens: what its scoreboard events carry.
      const streams: string[] = [];
      page.on("request", (request) => {
        if (request.url().startsWith(`${base}/api/events`)) streams.push(request.url());
      });
      await page.goto(`${base}/scoreboard`);
      await page.locator("tr.mine", { hasText: "Team 200" }).waitFor();
      expect(await rowsOf(page)).toEqual([
        ...range(1, 50),
        "… 146 teams",
        ...range(197, 203),
        "… 97 teams",
      ]);
      await page.screenshot({ path: join(SHOTS, "standings-phone-top.png") });
      await page.locator("tr.gap").first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "standings-phone-mine.png") });
      // Nothing serious for a screen reader (the "…" rows among them), and nothing wider than the phone.
      const checked = await axe(page);
      expect(checked.passes).toBeGreaterThan(0);
      expect(checked.serious).toEqual([]);
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);

      // Team 200 climbs to 101st (201 points, reached after team 100's): within 2 s of the push,
      // the page fetches itself again, and that is the small page, not the whole board.
      const wholeBoard = (await (await fetch(`${base}/api/scoreboard`)).arrayBuffer()).byteLength;
      const adjusted = await fetch(`${base}/api/admin/adjustments`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ team: 200, points: 100, reason: "bonus" }),
      });
      expect(adjusted.status).toBe(201);
      await page.locator("#standing", { hasText: "Your team is 101st of 300" }).waitFor();
      expect(await rowsOf(page)).toEqual([
        ...range(1, 50),
        "… 47 teams",
        ...range(98, 100),
        "Team 200",
        ...range(101, 103),
        "… 196 teams",
      ]);
      await page.locator("tr.mine").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "standings-phone-refreshed.png") });
      expect(refreshes).toHaveLength(1);
      // Its stream carries what it shows, not the whole board (`top`: the top and the team's place).
      expect(streams).toEqual([`${base}/api/events?scoreboard=top`]);
      // The whole board's JSON is 300 rows; the refreshed page, with its HTML, holds 57.
      expect(await refreshes[0]!).toBeGreaterThan(0);
      expect(await refreshes[0]!).toBeLessThan(wholeBoard / 2);

      // The whole board: 100 teams a page.
      const pager = page.getByRole("link", { name: "See the whole board →" });
      await pager.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "standings-phone-pager.png") });
      const pageStream = page.waitForRequest(`${base}/api/events?scoreboard=page&page=1`);
      await pager.click();
      await page.waitForURL(`${base}/scoreboard?page=1`);
      // A page of the whole board follows that page (`page`: its rows and the team's own).
      await pageStream;
      expect(await rowsOf(page)).toEqual(range(1, 100));
      await page.getByRole("link", { name: "Next →" }).click();
      await page.waitForURL(`${base}/scoreboard?page=2`);
      // Team 200 is now 101st: the first of page 2.
      expect(await rowsOf(page)).toEqual(["Team 200", ...range(101, 199)]);
      // Team 150 (151 points) passes team 149 (152): page 2's stream tells the page, which fetches
      // itself.
      const passed = await fetch(`${base}/api/admin/adjustments`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ team: 150, points: 2, reason: "bonus" }),
      });
      expect(passed.status).toBe(201);
      const moved = [
        "Team 200",
        ...range(101, 148),
        "Team 150",
        "Team 149",
        ...range(151, 199),
      ];
      for (let i = 0; i < 60 && JSON.stringify(await rowsOf(page)) !== JSON.stringify(moved); i++) {
        await Bun.sleep(250);
      }
      expect(await rowsOf(page)).toEqual(moved);
      expect(streams.at(-1)).toBe(`${base}/api/events?scoreboard=page&page=2`);
      await page.locator("nav.pager").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "standings-phone-page-2.png") });
      await page.getByRole("link", { name: "Top of the board" }).click();
      await page.waitForURL(`${base}/scoreboard`);
      expect(errors).toEqual([]);
      await page.close();
      await served.browser.context.clearCookies();
    },
    120_000,
  );

  test(
    "64 teams, a 64-character name at 62nd: fits a 360-wide phone; a division follows its own board",
    async () => {
      const base = served.server.base;
      const long = "The Extraordinarily Persistent Lighthouse Keepers of Harbor Bay!";
      expect(long).toHaveLength(64);
      await rewriteBoard((db) => {
        const { n } = db.query("SELECT count(*) AS n FROM teams").get() as { n: number };
        if (n === 0) seedBoard(db as unknown as Connection, TEAMS);
        // 64 teams on the board: the others hidden (they take no place).
        db.run("UPDATE teams SET hidden = CASE WHEN id > 64 THEN 1 ELSE 0 END");
        db.run("UPDATE teams SET name = ?, name_key = ? WHERE id = 62", [long, teamNameKey(long)]);
      });
      const { page, errors } = await phoneAs("token-62");
      const streams: string[] = [];
      page.on("request", (request) => {
        if (request.url().startsWith(`${base}/api/events`)) streams.push(request.url());
      });
      await page.goto(`${base}/scoreboard`);
      await page.locator("tr.mine", { hasText: long }).waitFor();
      expect(await rowsOf(page)).toEqual([
        ...range(1, 50),
        "… 8 teams",
        ...range(59, 61),
        long,
        ...range(63, 64),
      ]);
      await page.locator("tr.mine").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "standings-phone-long-name.png") });
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
      // The kids (the odd teams, 32 of them: a short board, whole) follow the kids' own board.
      await page.goto(`${base}/scoreboard?division=kids`);
      await page.locator("#standing", { hasText: "Your team is not in this division." })
        .waitFor();
      await page.locator("tr", { hasText: "Team 63" }).waitFor();
      expect(streams).toEqual([
        `${base}/api/events?scoreboard=top`,
        `${base}/api/events?scoreboard=top&division=kids`,
      ]);
      expect(errors).toEqual([]);
      await page.close();
      await served.browser.context.clearCookies();
    },
    120_000,
  );

  test("a change between the page and its stream's opening: the page draws it", async () => {
    const base = served.server.base;
    await rewriteBoard((db) => {
      const { n } = db.query("SELECT count(*) AS n FROM teams").get() as { n: number };
      if (n === 0) seedBoard(db as unknown as Connection, TEAMS);
      // The board as seeded, whatever the tests before did.
      db.run("UPDATE teams SET hidden = 0");
      db.run("UPDATE teams SET name = 'Team 62', name_key = ? WHERE id = 62", [
        teamNameKey("Team 62"),
      ]);
      db.run("DELETE FROM adjustments WHERE reason <> 'seed'");
    });
    const { page, errors } = await phoneAs("token-200");
    // The stream opens only once team 203 (98 points, 103 now) has passed teams 199 (102) and 200
    // (101): its first event is not the board the page was drawn from.
    let held = 0;
    await page.route(`${base}/api/events?scoreboard=top`, async (route) => {
      if (held++ === 0) {
        const adjusted = await fetch(`${base}/api/admin/adjustments`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ team: 203, points: 5, reason: "bonus" }),
        });
        expect(adjusted.status).toBe(201);
      }
      await route.continue();
    });
    await page.goto(`${base}/scoreboard`);
    expect(await page.locator("#standing").textContent()).toContain("Your team is 200th of 300");
    await page.locator("#standing", { hasText: "Your team is 201st of 300" }).waitFor({
      timeout: 15_000,
    });
    expect(await rowsOf(page)).toEqual([
      ...range(1, 50),
      "… 147 teams",
      "Team 198",
      "Team 203",
      "Team 199",
      "Team 200",
      "Team 201",
      "Team 202",
      "Team 204",
      "… 96 teams",
    ]);
    expect(held).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
    await served.browser.context.clearCookies();
  }, 120_000);
});
