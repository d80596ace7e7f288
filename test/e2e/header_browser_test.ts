// A team's header on phones 320 to 430 px wide, in a real browser: the hunt's title is seen (on a
// row of its own above the links), and the links stay one row inside the screen, with a team name
// as long as the hunt allows. The app runs in process (test/http/_app.ts). Screenshots at 320 and
// 390 px go to test-results/screenshots/. With a long title, a guest's and a team's links stay inside
// the screen from 320 to 1024 px while the title shrinks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { makeApp } from "../http/_app.ts";
import { chromiumAvailable, launchChromium, serveApp, SHOTS } from "./_browser.ts";

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

suite("a team's header on a phone", () => {
  let server: ReturnType<typeof Bun.serve>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let base = "";

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const app = makeApp({ toml: HUNT_TOML.replace('title = "Test Hunt"', `title = "${TITLE}"`) });
    ({ server, base } = serveApp(app.app));
    browser = await launchChromium();
    const res = await fetch(`${base}/api/teams`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: TEAM, password: "correct horse", members: ["A"] }),
    });
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as { token: string };
    await browser.context.addCookies([{ name: "cairn_session", value: token, url: base }]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop(true);
  });

  test.each([320, 360, 390, 430])(
    "at %i px the hunt's title is seen whole, and the links are one row inside the screen",
    async (width) => {
      const page = await browser.context.newPage();
      try {
        await page.setViewportSize({ width, height: 740 });
        for (const path of ["/puzzles", "/puzzles/a", "/scoreboard"]) {
          await page.goto(`${base}${path}`);
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
          await page.goto(`${base}/puzzles`);
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
  let server: ReturnType<typeof Bun.serve>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let base = "";
  let token = "";

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const toml = HUNT_TOML.replace('title = "Test Hunt"', `title = "${LONG_TITLE}"`);
    const app = makeApp({ toml });
    ({ server, base } = serveApp(app.app));
    browser = await launchChromium();
    const res = await fetch(`${base}/api/teams`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: TEAM, password: "correct horse", members: ["A"] }),
    });
    expect(res.status).toBe(201);
    token = ((await res.json()) as { token: string }).token;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop(true);
  });

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

  test.each([320, 360, 500, 700, 1024])(
    "at %i px a guest's and a team's links stay inside the screen, and the title shrinks",
    async (width) => {
      const page = await browser.context.newPage();
      try {
        await page.setViewportSize({ width, height: 740 });
        await browser.context.clearCookies();
        for (const path of ["/", "/c/unknown-code", "/no-such-page"]) {
          await page.goto(`${base}${path}`);
          expect({ path, ...(await page.evaluate(reach) as Reach) }).toEqual({
            path,
            pageWidth: width,
            linksRight: expect.any(Number),
            linkRows: 1,
            titleShown: true,
          });
          expect((await page.evaluate(reach) as Reach).linksRight).toBeLessThanOrEqual(width);
        }
        if (width === 360) await page.screenshot({ path: join(SHOTS, "header-guest-360.png") });
        await browser.context.addCookies([{ name: "cairn_session", value: token, url: base }]);
        for (const path of ["/puzzles", "/puzzles/a", "/scoreboard"]) {
          await page.goto(`${base}${path}`);
          expect({ path, ...(await page.evaluate(reach) as Reach) }).toEqual({
            path,
            pageWidth: width,
            linksRight: expect.any(Number),
            linkRows: 1,
            titleShown: true,
          });
          expect((await page.evaluate(reach) as Reach).linksRight).toBeLessThanOrEqual(width);
          const logout = page.getByRole("button", { name: "Log out" });
          expect(await logout.isVisible()).toBe(true);
        }
        if (width === 500) await page.screenshot({ path: join(SHOTS, "header-team-500.png") });
      } finally {
        await page.close();
        await browser.context.clearCookies();
      }
    },
    30_000,
  );
});
