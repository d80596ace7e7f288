// A page left open while the hunt starts or ends, in a real browser against
// the compiled binary: phones wait on the puzzle list before the start, and a
// puzzle page stays open through the end. Neither event sends the page
// anything, so the page itself must show the hunt as it is then.
// Screenshots go to test-results/screenshots/.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { chromiumAvailable, launchChromium, registerTeam, SHOTS, startBinary } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

/** Seconds from now to the start, and from the start to the end: room for the pages to open. */
const LEAD = 8;
const LENGTH = 8;

let server: Awaited<ReturnType<typeof startBinary>> | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
});

/** A page of the browser, failing the test on a script error. */
async function open(url: string, errors: string[]): Promise<Page> {
  const page = await browser!.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(url);
  return page;
}

suite("the hunt's start and end, on a page left open", () => {
  test(
    "the puzzle list shows the puzzles at the start, and the end; a puzzle page, the end",
    async () => {
      mkdirSync(SHOTS, { recursive: true });
      browser = await launchChromium();
      // Whole seconds, as the hunt file writes them, counted from once the browser is up.
      const start = Math.ceil(Date.now() / 1000 + LEAD) * 1000;
      const end = start + LENGTH * 1000;
      const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
      server = await startBinary(`
[hunt]
title = "Dawn Trail"
starts_at = ${iso(start)}
ends_at = ${iso(end)}

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = "polaris"
`);
      const base = server.base;
      const token = await registerTeam(base, "Gulls");
      const errors: string[] = [];
      // The team's session for its pages only, so that the landing page stays a visitor's.
      await browser.context.addCookies([
        { name: "cairn_session", value: token, domain: "127.0.0.1", path: "/puzzles" },
      ]);
      const landing = await open(`${base}/`, errors);
      expect(await landing.locator(".hero .badge-warn").textContent()).toMatch(/^The hunt starts/);
      const list = await open(`${base}/puzzles`, errors);

      // Before the start (else this test would prove nothing): no puzzle, and when it starts.
      const notice = list.locator("#main .notice-info");
      expect(await notice.textContent()).toMatch(/^The hunt starts at \d\d:\d\d\.$/);
      expect(await list.locator(".puzzle-list a").count()).toBe(0);
      await list.screenshot({ path: join(SHOTS, "phases-list-before-start.png") });

      // The start: the list brings the puzzle in, and the notice goes, without a reload.
      await list.locator('.puzzle-list a[href="/puzzles/lighthouse"]').waitFor({
        timeout: (LEAD + 10) * 1000,
      });
      expect(await notice.count()).toBe(0);
      expect(await list.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
      await list.screenshot({ path: join(SHOTS, "phases-list-running.png") });
      // The landing page no longer says the hunt is to start.
      await landing.locator(".hero .badge-warn").waitFor({ state: "detached" });

      // A puzzle page opened while it runs takes answers, until the end.
      const puzzle = await open(`${base}/puzzles/lighthouse`, errors);
      const answer = puzzle.locator("input[name=answer]");
      expect(await answer.isEnabled()).toBe(true);
      expect(await puzzle.locator("#main .notice-info").count()).toBe(0);

      // The end: both pages say so, and the answer box is off.
      const ended = { hasText: /^The hunt has ended\.$/ };
      const timeout = (LENGTH + 10) * 1000;
      await puzzle.locator("#main .notice-info", ended).waitFor({ timeout });
      expect(await answer.isDisabled()).toBe(true);
      await list.locator("#main .notice-info", ended).waitFor({ timeout });
      await puzzle.screenshot({ path: join(SHOTS, "phases-puzzle-ended.png") });
      await list.screenshot({ path: join(SHOTS, "phases-list-ended.png") });
      expect(errors).toEqual([]);
    },
    90_000,
  );
});
