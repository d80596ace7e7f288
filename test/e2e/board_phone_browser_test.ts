// The projector's board opened on a phone, in a real browser, with its script: `?page=N` shows the
// page the server numbers N, as it does without the script, and the script turns the same pages.
// A phone's board scrolls, so the script cannot fit a page to the screen's height as it does on a
// projector. The app runs in process (test/http/_app.ts); screenshots go to
// test-results/screenshots/.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { makeApp } from "../http/_app.ts";
import { chromiumAvailable, serveAppForSuite, SHOTS } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

suite("the projector's board on a phone", () => {
  // 105 teams: the server's pages are the top 30, then the top 3 and 27 more, 4 pages in all.
  const served = serveAppForSuite(async () => {
    const app = makeApp();
    for (let i = 1; i <= 105; i++) await app.register(`Crew ${i}`);
    return app;
  });

  test("?page=N shows the server's page N, with the script as without it", async () => {
    const errors: string[] = [];
    const page = await served.browser.context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [n, first, last] of [[1, 1, 30], [2, 31, 57], [3, 58, 84], [4, 85, 105]] as const) {
      await page.goto(`${served.base}/scoreboard?view=projector&page=${n}`);
      await page.locator("#live.live-on").waitFor();
      // A point for the leader, pinned on every page: the script draws the board again, marked.
      const adjusted = await served.app.admin("POST", "/api/admin/adjustments", {
        team: 1,
        points: 1,
        reason: "a redraw",
      });
      expect(adjusted.status).toBe(201);
      await page.locator(".board-table tr.changed").waitFor();
      const ranks = (await page.locator("td.rank").allTextContents()).map(Number);
      expect({ n, info: await page.locator("#page-info").textContent() }).toEqual({
        n,
        info: `Page ${n} of 4`,
      });
      const expected = Array.from({ length: last - first + 1 }, (_, i) => first + i);
      expect({ n, ranks }).toEqual({ n, ranks: n === 1 ? expected : [1, 2, 3, ...expected] });
      if (n === 3) {
        await page.screenshot({ path: join(SHOTS, "projector-phone-page-3.png") });
      }
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
