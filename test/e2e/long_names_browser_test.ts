// A team with a long one-word name (64 letters, the most a name may have) on the screens that list
// teams, in a real browser: the team's scoreboard on a 360 px phone wraps the name inside its
// column, keeping the table within the screen (the Solved and Score columns in sight); the
// projector's board cuts it, its whole name in a title. The app runs in process
// (test/http/_app.ts); screenshots go to test-results/screenshots/.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { makeApp } from "../http/_app.ts";
import { chromiumAvailable, serveAppForSuite, SHOTS } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const LONG = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogochsailors".slice(0, 64);

/** A long name of words 15 characters long at most. */
const KEEPERS = "The Extraordinarily Persistent Lighthouse Keepers of Harbor Bay!";

/** What runs past the right edge of the screen, or of a box that scrolls sideways. */
const SIDEWAYS = `({
  page: document.documentElement.scrollWidth - innerWidth,
  boxes: [...document.querySelectorAll("#main *, .board-page *")]
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
    .map((el) => el.className || el.tagName.toLowerCase()),
})`;

suite("a long one-word team name", () => {
  const served = serveAppForSuite(async () => {
    const app = makeApp();
    for (const name of ["Terns", "Gulls", "Puffins", KEEPERS]) await app.register(name);
    return app;
  });

  test("wraps in the team's standings on a 360 px phone, the table within the screen", async () => {
    const token = await served.app.register(LONG);
    const context = served.browser.context;
    await context.addCookies([{ name: "cairn_session", value: token, url: served.base }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${served.base}/scoreboard`);
    await page.locator("tr.mine").waitFor();
    expect(await page.evaluate(SIDEWAYS)).toEqual({ page: 0, boxes: [] });
    const row = page.locator("tr.mine");
    // The whole name is there, on more than one line, and the score beside it is in sight.
    expect(await row.locator("th .standings-name").textContent()).toBe(LONG);
    const name = (await row.locator("th .standings-name").boundingBox())!;
    const score = (await row.locator("td.score").boundingBox())!;
    expect(score.x + score.width).toBeLessThanOrEqual(360);
    // A short name stays on one line; the long one takes more than two.
    const short = (await page.locator("th .standings-name", { hasText: "Puffins" }).boundingBox())!;
    expect(short.height).toBeLessThan(name.height / 2);
    // A long name of shorter words wraps between them, each word whole, as before.
    const words = await page.evaluate(`(() => {
      const span = [...document.querySelectorAll(".standings-name")]
        .find((span) => span.textContent === ${JSON.stringify(KEEPERS)});
      const text = span.firstChild;
      let at = 0;
      return span.textContent.split(" ").map((word) => {
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
        at += word.length + 1;
        return [word, range.getClientRects().length];
      });
    })()`) as [string, number][];
    expect(words.filter(([, lines]) => lines !== 1)).toEqual([]);
    expect(words.length).toBe(8);
    await page.screenshot({ path: join(SHOTS, "long-name-standings-360.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
    await context.clearCookies();
  }, 30_000);

  // At 1920 px the script shrinks the name to fit; at 360 px it is cut, past the smallest size.
  for (const [width, height, cut] of [[360, 740, true], [1920, 1080, false]] as const) {
    test(
      `on the projector's board at ${width} px it is ${
        cut ? "cut, its whole name in a title" : "shrunk, whole"
      }`,
      async () => {
        const page = await served.browser.context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(error.message));
        await page.setViewportSize({ width, height });
        await page.goto(`${served.base}/scoreboard?view=projector`);
        await page.locator("#live.live-on").waitFor();
        expect(await page.evaluate(SIDEWAYS)).toEqual({ page: 0, boxes: [] });
        // The board's row and the chart's legend.
        const names = await page.evaluate(`[...document.querySelectorAll(".team-name")]
          .filter((span) => span.textContent === ${JSON.stringify(LONG)})
          .map((span) => {
            const range = document.createRange();
            range.selectNodeContents(span);
            return {
              cut: range.getBoundingClientRect().width > span.getBoundingClientRect().width,
              title: span.getAttribute("title"),
              inside: span.getBoundingClientRect().right <= innerWidth,
            };
          })`);
        const each = { cut, title: cut ? LONG : null, inside: true };
        expect(names).toEqual([each, each]);
        // Names that fit have none.
        const short = page.locator(".board-table .team-name", { hasText: "Puffins" });
        expect(await short.getAttribute("title")).toBeNull();
        await page.screenshot({ path: join(SHOTS, `long-name-projector-${width}.png`) });
        expect(errors).toEqual([]);
        await page.close();
      },
      30_000,
    );
  }
});
