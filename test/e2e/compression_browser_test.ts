// A phone's first visit in Chromium against the compiled binary, with no proxy in front: the
// player's pages and their assets arrive compressed (Chromium sends gzip, deflate, br, as every
// browser does), the Performance API sees fewer bytes on the wire than it decodes, and the pages
// work as before: the puzzle list, a puzzle, a correct answer through the page's script.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { chromiumAvailable, registerTeam, type Served, serveForSuite, SHOTS } from "./_browser.ts";

const HUNT = `
[hunt]
title = "Harbor Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
points = 100
body = "Sailors steer by it. It barely moves while the sky turns. **What is its name?**"
answer = ["polaris"]

[[puzzle]]
id = "knots"
title = "Knots"
points = 50
answer = ["bowline"]
`;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

interface Transfer {
  path: string;
  type: string;
  encoded: number;
  decoded: number;
}

suite("compressed pages and assets in Chromium", () => {
  const served: Partial<Served> = {};
  // No service worker: once one controls the page (how soon depends on the machine's load), it
  // answers the assets from its cache and fetches the pages itself, and Chromium's timings then
  // show what it handed over, not what crossed the wire. A phone's first pages come before it.
  serveForSuite(served, HUNT, [], { serviceWorkers: "block" });

  test(
    "a phone's first visit gets the player's pages and assets compressed, and they work",
    async () => {
      const { server, browser } = served as Served;
      const token = await registerTeam(server.base, "Gulls");
      await browser.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const page = await browser.context.newPage();
      // The coding each answer came in, by path, as Chromium received it.
      const codings = new Map<string, string | undefined>();
      page.on("response", (response) => {
        const path = new URL(response.url()).pathname;
        if (!path.startsWith("/api/")) codings.set(path, response.headers()["content-encoding"]);
      });

      for (const path of ["/puzzles", "/puzzles/lighthouse"]) {
        await page.goto(`${server.base}${path}`);
        // What this page's navigation and each of its assets took on the wire, and decoded to.
        const transfers = await page.evaluate(`
        performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
          .map((e) => ({
            path: new URL(e.name).pathname,
            type: e.entryType,
            encoded: e.encodedBodySize,
            decoded: e.decodedBodySize,
          }))
          .filter((e) => !e.path.startsWith("/api/") && e.path !== "/sw.js")
      `) as Transfer[];
        const assets = transfers.filter((t) => t.path.startsWith("/assets/"));
        // The stylesheet and the players' three scripts, on the first page.
        if (path === "/puzzles") expect(assets.length).toBeGreaterThanOrEqual(4);
        for (const t of transfers) {
          // The icon is small, but gains too; every one of these is larger than 1 KB but it.
          expect([t.path, t.encoded > 0, t.encoded < t.decoded]).toEqual([t.path, true, true]);
          const coding = codings.get(t.path);
          expect([t.path, coding === "gzip" || coding === "br"]).toEqual([t.path, true]);
        }
        // The page itself, in gzip: its bytes on the wire less than half of its HTML.
        const own = transfers.find((t) => t.type === "navigation")!;
        expect([own.path, codings.get(path)]).toEqual([path, "gzip"]);
        expect(own.encoded * 2).toBeLessThan(own.decoded);
      }

      // The page works as before: its script sends the answer and shows the outcome.
      await page.getByRole("textbox", { name: "Answer" }).fill("polaris");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
      await page.screenshot({ path: join(SHOTS, "compressed-puzzle-phone.png"), fullPage: true });
      await page.goto(`${server.base}/puzzles`);
      await page.locator("text=The Lighthouse").first().waitFor();
      // The stylesheet applied: the body has its font (system-ui first) and size, not the browser's.
      const font = await page.evaluate(
        `[getComputedStyle(document.body).fontFamily, getComputedStyle(document.body).fontSize]`,
      ) as [string, string];
      expect([font[0].startsWith("system-ui"), font[1]]).toEqual([true, "17px"]);
      await page.screenshot({ path: join(SHOTS, "compressed-puzzles-phone.png"), fullPage: true });
      await page.close();
    },
    60_000,
  );
});
