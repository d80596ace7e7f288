// A team's header on phones 320 to 430 px wide, in a real browser: the hunt's title is seen (on a
// row of its own above the links), and the links stay one row inside the screen, with a team name
// as long as the hunt allows. The app runs in process (test/http/_app.ts). Screenshots at 320 and
// 390 px go to test-results/screenshots/. With a long title, a guest's and a team's links stay inside
// the screen from 320 to 1024 px while the title shrinks.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { makeApp } from "../http/_app.ts";
import { chromiumAvailable, serveAppForSuite, SHOTS } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;
const TITLE = "The Lantern Trail";
const TEAM = "The Extraordinarily Long Team Name Of 40";

/** Where the header's parts are on the page, and whether the title is cut or hidden. */
interface Header {
  title: { left: number; right: number; top: number; bottom: number; width: number };
  titleCut: boolean;
  titleHidden: boolean;
  linkRows: number;
  linksRight: number;
  height: number;
  pageWidth: number;
}

/** What a suite's tests use, once its `beforeAll` ran: the app's address, Chromium, TEAM's token. */
/**
 * For the suite it is called in: serves the app (in process) on a hunt titled `title`, launches
 * Chromium and registers TEAM with `members`, its session cookie in the browser; stops both after.
 */
function appForSuite(title: string, members: string[]) {
  const made = serveAppForSuite(() =>
    makeApp({ toml: HUNT_TOML.replace('title = "Test Hunt"', `title = "${title}"`) })
  );
  const served = Object.assign(made, { token: "" });
  beforeAll(async () => {
    const res = await fetch(`${served.base}/api/teams`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: TEAM, password: "correct horse", members }),
    });
    expect(res.status).toBe(201);
    served.token = ((await res.json()) as { token: string }).token;
    await served.browser.context.addCookies([
      { name: "cairn_session", value: served.token, url: served.base },
    ]);
  });
  return served;
}

suite("a team's header on a phone", () => {
  const served = appForSuite(TITLE, ["A"]);

  test.each([320, 360, 390, 430])(
    "at %i px the hunt's title is seen whole, and the links are one row inside the screen",
    async (width) => {
      const page = await served.browser.context.newPage();
      try {
        await page.setViewportSize({ width, height: 740 });
        for (const path of ["/puzzles", "/puzzles/a", "/scoreboard"]) {
          await page.goto(`${served.base}${path}`);
          const header = await page.evaluate(`(() => {
            const inner = document.querySelector(".top-inner");
            const title = inner.querySelector(".brand span");
            const box = title.getBoundingClientRect();
            const style = getComputedStyle(title);
            const links = [...inner.querySelectorAll(".nav > *")].map((el) => el.getBoundingClientRect());
            return {
              title: { left: box.left, right: box.right, top: box.top, bottom: box.bottom, width: box.width },
              titleCut: title.scrollWidth > title.clientWidth,
              titleHidden: style.visibility !== "visible" || style.position === "absolute" || box.width < 2,
              linkRows: new Set(links.map((r) => Math.round(r.top + r.height / 2))).size,
              linksRight: Math.max(...links.map((r) => r.right)),
              height: inner.getBoundingClientRect().height,
              pageWidth: document.documentElement.scrollWidth,
            };
          })()`) as Header;
          expect(await page.textContent(".brand span")).toBe(TITLE);
          expect({ path, hidden: header.titleHidden, cut: header.titleCut }).toEqual({
            path,
            hidden: false,
            cut: false,
          });
          expect(header.title.left).toBeGreaterThanOrEqual(0);
          expect(header.title.right).toBeLessThanOrEqual(width);
          expect(header.title.top).toBeGreaterThanOrEqual(0);
          expect({ path, rows: header.linkRows, pageWidth: header.pageWidth }).toEqual({
            path,
            rows: 1,
            pageWidth: width,
          });
          expect(header.linksRight).toBeLessThanOrEqual(width);
          // Two short rows at most: the title's, then the links'.
          expect(header.height).toBeLessThan(90);
          expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
        }
        if (width === 320 || width === 390) {
          await page.goto(`${served.base}/puzzles`);
          await page.screenshot({ path: join(SHOTS, `header-${width}.png`) });
        }
      } finally {
        await page.close();
      }
    },
    30_000,
  );
});

const LONG_TITLE = "Harbor Hunt at the Old Port of Saint-Malo, a Very Long Title";

/** How far the page and the header's links reach to the right, and whether the title is seen. */
interface Reach {
  pageWidth: number;
  linksRight: number;
  linkRows: number;
  titleShown: boolean;
}

suite("a header with a long hunt title", () => {
  // Each test starts as a guest (it clears the cookies), then logs the team in.
  const served = appForSuite(LONG_TITLE, ["A"]);

  const reach = `(() => {
    const inner = document.querySelector(".top-inner");
    const title = inner.querySelector(".brand span").getBoundingClientRect();
    const links = [...inner.querySelectorAll(".nav > *")].map((el) => el.getBoundingClientRect());
    return {
      pageWidth: document.documentElement.scrollWidth,
      linksRight: Math.max(...links.map((r) => r.right)),
      linkRows: new Set(links.map((r) => Math.round(r.top + r.height / 2))).size,
      titleShown: title.width >= 40,
    };
  })()`;

  /** Opens `path`: the page is as wide as the screen, its links one row inside it, the title seen. */
  async function expectInside(page: Page, path: string, width: number): Promise<void> {
    await page.goto(`${served.base}${path}`);
    expect({ path, ...(await page.evaluate(reach) as Reach) }).toEqual({
      path,
      pageWidth: width,
      linksRight: expect.any(Number),
      linkRows: 1,
      titleShown: true,
    });
    expect((await page.evaluate(reach) as Reach).linksRight).toBeLessThanOrEqual(width);
  }

  test.each([320, 360, 500, 700, 1024])(
    "at %i px a guest's and a team's links stay inside the screen, and the title shrinks",
    async (width) => {
      const page = await served.browser.context.newPage();
      try {
        await page.setViewportSize({ width, height: 740 });
        await served.browser.context.clearCookies();
        for (const path of ["/", "/c/unknown-code", "/no-such-page"]) {
          await expectInside(page, path, width);
        }
        if (width === 360) await page.screenshot({ path: join(SHOTS, "header-guest-360.png") });
        await served.browser.context.addCookies([{
          name: "cairn_session",
          value: served.token,
          url: served.base,
        }]);
        for (const path of ["/puzzles", "/puzzles/a", "/scoreboard"]) {
          await expectInside(page, path, width);
          const logout = page.getByRole("button", { name: "Log out" });
          expect(await logout.isVisible()).toBe(true);
        }
        if (width === 500) await page.screenshot({ path: join(SHOTS, "header-team-500.png") });
      } finally {
        await page.close();
        await served.browser.context.clearCookies();
      }
    },
    30_000,
  );
});
