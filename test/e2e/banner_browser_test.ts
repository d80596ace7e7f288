// The announcement banner in a real browser, on the pages a team sees, at 360 px and on a desktop,
// light and dark: its "All announcements" link sits under the text and clear of "Dismiss", and the
// page does not scroll sideways; the projector shows its own strip, with no link, as no one clicks
// it. The app runs in process (test/http/_app.ts).
// Screenshots go to test-results/screenshots/ (banner-*.png).
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ADMIN_TOKEN, makeApp } from "../http/_app.ts";
import { chromiumAvailable, registerTeam, serveAppForSuite, SHOTS } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const HUNT = `
[hunt]
title = "Harbor Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = "x"
body = "Count the windows."
`;

/** Where the banner's parts are, and how wide the page is. */
interface Placed {
  pageWidth: number;
  viewport: number;
  text: { top: number; bottom: number; right: number };
  link: { top: number; left: number; right: number };
  dismiss: { left: number; right: number; top: number; bottom: number };
}

const PLACED = `(() => {
  const box = (id) => document.querySelector(id).getBoundingClientRect();
  const text = box("#announcement-text");
  const link = box(".announcement-all");
  const dismiss = box("#announcement-close");
  return {
    pageWidth: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    text: { top: text.top, bottom: text.bottom, right: text.right },
    link: { top: link.top, left: link.left, right: link.right },
    dismiss: { left: dismiss.left, right: dismiss.right, top: dismiss.top, bottom: dismiss.bottom },
  };
})()`;

suite("the announcement banner", () => {
  const served = serveAppForSuite(() => makeApp({ toml: HUNT }));

  beforeAll(async () => {
    const token = await registerTeam(served.base, "Gulls");
    await served.browser.context.addCookies([
      { name: "cairn_session", value: token, url: served.base },
    ]);
    const res = await fetch(`${served.base}/api/admin/announcements`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ text: "Lunch is at the harbor café at noon, bring your map." }),
    });
    expect(res.status).toBe(201);
  });

  for (const width of [360, 1280]) {
    for (const scheme of ["light", "dark"] as const) {
      test(
        `at ${width} px, ${scheme}: the link sits under the text, clear of Dismiss`,
        async () => {
          const page = await served.browser.context.newPage();
          try {
            await page.emulateMedia({ colorScheme: scheme });
            await page.setViewportSize({ width, height: 800 });
            for (const path of ["/puzzles", "/puzzles/lighthouse", "/scoreboard"]) {
              await page.goto(`${served.base}${path}`);
              await page.locator("#announcement:not([hidden])").waitFor();
              const placed = await page.evaluate(PLACED) as Placed;
              expect(placed.pageWidth, path).toBe(placed.viewport);
              // Under the text, on a line of its own.
              expect(placed.link.top, path).toBeGreaterThanOrEqual(placed.text.bottom - 1);
              // Beside Dismiss, not under or over it.
              expect(placed.link.right, path).toBeLessThanOrEqual(placed.dismiss.left);
              expect(placed.dismiss.right, path).toBeLessThanOrEqual(width);
              const name = path.replace(/^\//, "").replace("/", "-");
              await page.screenshot({ path: join(SHOTS, `banner-${name}-${width}-${scheme}.png`) });
            }
            await page.goto(`${served.base}/announcements`);
            expect(await page.evaluate("document.documentElement.scrollWidth")).toBe(width);
            await page.screenshot({
              path: join(SHOTS, `banner-announcements-${width}-${scheme}.png`),
            });
          } finally {
            await page.close();
          }
        },
        30_000,
      );
    }
  }

  test("the projector shows the announcement with no link to the list", async () => {
    const page = await served.browser.context.newPage();
    try {
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.goto(`${served.base}/scoreboard?view=projector`);
      await page.locator("#board-announcement:not([hidden])").waitFor();
      expect(await page.textContent("#board-announcement-text")).toContain("Lunch");
      expect(await page.locator('a[href="/announcements"]').count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, "banner-projector-1920.png") });
    } finally {
      await page.close();
    }
  }, 30_000);
});
