// The organizers' "Live guesses" on a phone (360 to 400 px), in a real browser: every column is
// seen, the time too, a puzzle's id breaks only at its dashes, never inside a word, and nothing
// widens the page. Also a team's own guesses on its admin page, the same table without the team.
// The app runs in process (test/http/_app.ts); screenshots go to test-results/screenshots/.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ADMIN_TOKEN, makeApp } from "../http/_app.ts";
import { chromiumAvailable, serveAppForSuite, SHOTS } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const IDS = ["lighthouse", "fishmarket", "harbor-lighthouse-meta", "crane_7"];
const TOML = `
[hunt]
title = "Harbor Hunt"

${
  IDS.map((id) =>
    `[[puzzle]]\nid = "${id}"\ntitle = "${id}"\nanswer = ["polaris"]\nguess_limit = { count = 100, per = "1m" }\n`
  ).join("\n")
}`;

/** What a phone shows of the guess table: hidden columns, ids broken inside a word, overflow. */
function measure(page: Page, selector: string) {
  return page.evaluate(`(() => {
    const table = document.querySelector(${JSON.stringify(selector)});
    const heads = [...table.querySelectorAll("thead th")];
    const hidden = heads.filter((th) => th.getBoundingClientRect().width === 0)
      .map((th) => th.textContent);
    const puzzle = heads.findIndex((th) => th.textContent === "Puzzle");
    const broken = [];
    for (const row of table.querySelectorAll("tbody tr")) {
      const cell = row.cells[puzzle];
      const text = cell.firstChild;
      // A line ends between two letters of the id: a break inside a word, not after a dash.
      let top = null;
      for (let i = 0; i < text.length; i++) {
        const range = document.createRange();
        range.setStart(text, i);
        range.setEnd(text, i + 1);
        const at = range.getBoundingClientRect().top;
        if (top !== null && at > top + 2 && text.data[i - 1] !== "-") broken.push(text.data);
        top = at;
      }
    }
    const time = table.querySelector("tbody td").textContent;
    return {
      hidden,
      broken: [...new Set(broken)],
      time,
      pageWider: document.documentElement.scrollWidth > innerWidth,
    };
  })()`) as Promise<{ hidden: string[]; broken: string[]; time: string; pageWider: boolean }>;
}

suite("Live guesses on a phone", () => {
  const served = serveAppForSuite(async () => {
    const app = makeApp({ toml: TOML });
    app.clock.advance(60_000);
    for (const name of ["Gulls", "The Extraordinarily Long Team Name Of 40"]) {
      const token = await app.register(name);
      for (const id of IDS) {
        for (const answer of ["north star", "a much longer guess about the lighthouse keeper"]) {
          await app.call("POST", `/api/puzzles/${id}/guesses`, { token, body: { answer } });
        }
      }
    }
    return app;
  });

  beforeAll(async () => {
    await served.browser.context.addCookies([
      { name: "cairn_admin", value: ADMIN_TOKEN, url: served.base },
    ]);
  });

  test.each([360, 400])(
    "at %i px the time is seen, and no puzzle id breaks inside a word",
    async (width) => {
      const errors: string[] = [];
      const page = await served.browser.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      await page.setViewportSize({ width, height: 800 });
      for (const [path, name] of [["/admin", "dashboard"], ["/admin/teams/2", "team"]]) {
        await page.goto(`${served.base}${path}`);
        const table = page.locator(".feed table").first();
        await table.scrollIntoViewIfNeeded();
        const seen = await measure(page, ".feed table");
        await page.locator(".feed").first().screenshot({
          path: join(SHOTS, `feed-phone-${name}-${width}.png`),
        });
        expect({ width, name, ...seen }).toEqual({
          width,
          name,
          hidden: [],
          broken: [],
          time: expect.stringMatching(/^\d\d:\d\d$/),
          pageWider: false,
        });
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );
});
