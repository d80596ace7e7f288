// A page left open while the hunt changes, in a real browser against the
// compiled binary: phones wait on the puzzle list before the start, and a
// puzzle page stays open through the end (neither sends the page anything, so
// the page itself must show the hunt as it is then); a team's score falls
// when other teams solve a dynamic puzzle.
// Screenshots go to test-results/screenshots/.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { chromiumAvailable, launchChromium, registerTeam, SHOTS, startBinary } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

/** Seconds from now to the start, and from the start to the end: room for the pages to open. */
const LEAD = 8;
const LENGTH = 8;
const ADMIN_TOKEN = "phases-admin-token";

let server: Awaited<ReturnType<typeof startBinary>> | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let ctf: Awaited<ReturnType<typeof startBinary>> | undefined;
let down: Awaited<ReturnType<typeof startBinary>> | undefined;
let moved: Awaited<ReturnType<typeof startBinary>> | undefined;

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
    await ctf?.stop();
    await down?.stop();
    await moved?.stop();
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

suite("a page left open while the hunt changes", () => {
  test(
    "the puzzle list and the projector show the start and the end; a puzzle page, the end",
    async () => {
      mkdirSync(SHOTS, { recursive: true });
      browser = await launchChromium();
      const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
      const hunt = (start: number, end: number) => `
[hunt]
title = "Dawn Trail"
starts_at = ${iso(start)}
ends_at = ${iso(end)}

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = "polaris"
`;
      // First tomorrow: the server starts (the binary built first, when this file runs alone), and
      // the team registers, however long a loaded machine takes; no page is open yet.
      const day = 24 * 3600 * 1000;
      server = await startBinary(hunt(Date.now() + day, Date.now() + 2 * day), {
        args: ["--admin-token", ADMIN_TOKEN],
      });
      const base = server.base;
      const token = await registerTeam(base, "Gulls");
      // Then the times the pages will see, set by a reload before they open: whole seconds, as the
      // hunt file writes them, counted from now, with room for the pages to open.
      const start = Math.ceil(Date.now() / 1000 + LEAD) * 1000;
      const end = start + LENGTH * 1000;
      writeFileSync(join(server.dir, "hunt.toml"), hunt(start, end));
      const reloaded = await fetch(`${base}/api/admin/reload`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(reloaded.status).toBe(200);
      const errors: string[] = [];
      // The team's session for its pages only, so that the landing page stays a visitor's.
      await browser.context.addCookies([
        { name: "cairn_session", value: token, domain: "127.0.0.1", path: "/puzzles" },
      ]);
      const landing = await open(`${base}/`, errors);
      expect(await landing.locator(".hero .badge-warn").textContent()).toMatch(/^The hunt starts/);
      const list = await open(`${base}/puzzles`, errors);
      const projector = await open(`${base}/scoreboard`, errors);
      await projector.setViewportSize({ width: 1920, height: 1080 });
      expect(await projector.locator("#phase").textContent()).toMatch(/^The hunt starts /);

      // Before the start (else this test would prove nothing): no puzzle, and when it starts.
      const notice = list.locator("#main .notice-info");
      expect(await notice.textContent()).toMatch(/^The hunt starts (at|on .+ at) \d\d:\d\d\.$/);
      expect(await list.locator(".puzzle-list a").count()).toBe(0);
      await list.screenshot({ path: join(SHOTS, "phases-list-before-start.png") });

      // The start: the list brings the puzzle in, and the notice goes, without a reload.
      await list.locator('.puzzle-list a[href="/puzzles/lighthouse"]').waitFor({
        timeout: (LEAD + 10) * 1000,
      });
      expect(await notice.count()).toBe(0);
      expect(await list.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
      await list.screenshot({ path: join(SHOTS, "phases-list-running.png") });
      // The landing page and the projector no longer say the hunt is to start.
      await landing.locator(".hero .badge-warn").waitFor({ state: "detached" });
      await projector.locator("#phase").waitFor({ state: "detached" });
      await projector.locator("#live.live-on").waitFor();

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
      // The projector: the standings are final, and no green "Live" light.
      await projector.locator("#phase", ended).waitFor({ timeout });
      await projector.locator("#live.live-ended #live-text", { hasText: "Ended" }).waitFor();
      await projector.screenshot({ path: join(SHOTS, "phases-projector-ended.png") });
      await puzzle.screenshot({ path: join(SHOTS, "phases-puzzle-ended.png") });
      await list.screenshot({ path: join(SHOTS, "phases-list-ended.png") });
      expect(errors).toEqual([]);
    },
    90_000,
  );

  test(
    "the puzzle list follows the team's score when other teams' solves lower it, without being drawn again",
    async () => {
      browser ??= await launchChromium();
      ctf = await startBinary(
        `
[hunt]
title = "Night CTF"

[[puzzle]]
id = "crypto"
title = "Crypto"
points = { initial = 500, minimum = 100, decay = 10, function = "linear" }
answer = "flag{x}"
normalize = "exact"

# A checkpoint, so that the list has a box to type in (a hunt with none has no check-in).
[[puzzle]]
id = "lamp"
title = "Lamp"
checkpoint = { code = "lamp-1" }
unlock = 'checked_in("lamp")'
answer = "lit"
`,
        { args: ["--admin-token", ADMIN_TOKEN] },
      );
      const base = ctf.base;
      const solve = async (token: string) => {
        const res = await fetch(`${base}/api/puzzles/crypto/guesses`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ answer: "flag{x}" }),
        });
        expect(((await res.json()) as { result: string }).result).toBe("correct");
      };
      const gulls = await registerTeam(base, "Gulls");
      const terns = await registerTeam(base, "Terns");
      await solve(gulls);
      await browser.context.clearCookies();
      await browser.context.addCookies([{ name: "cairn_session", value: gulls, url: base }]);
      const errors: string[] = [];
      const list = await open(`${base}/puzzles`, errors);
      const score = list.locator("#team-score");
      expect(await score.textContent()).toBe("500");
      // The team's row in the stream's next board brings the score, in place (player.js).
      const later = { timeout: 15_000 };
      // (A stream that opens after the next solve starts with the board as it is then: no race.)
      // (The score frozen, at the reveal, renamed and hidden: live_values_browser_test.)

      // Another team's solve: the value every solver holds falls to 490.
      await solve(terns);
      await list.locator("#team-score", { hasText: /^490$/ }).waitFor(later);
      // A checkpoint code being typed is not wiped by the next fall: the list is not drawn again.
      await list.locator("input[name=code]").fill("crane 7f");
      const extra = await registerTeam(base, "Petrels");
      await solve(extra);
      await list.locator("#team-score", { hasText: /^480$/ }).waitFor(later);
      expect(await list.locator("input[name=code]").inputValue()).toBe("crane 7f");
      await list.locator("input[name=code]").fill("");
      expect(await list.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
      await list.screenshot({ path: join(SHOTS, "phases-list-after-decay.png") });
      expect(errors).toEqual([]);
    },
    90_000,
  );

  test(
    "an organizer's reload that moves the start, then the end, reaches pages already open",
    async () => {
      browser ??= await launchChromium();
      mkdirSync(SHOTS, { recursive: true });
      const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
      const day = 24 * 3600 * 1000;
      const hunt = (start: number, end: number) =>
        `[hunt]\ntitle = "Moved Trail"\nstarts_at = ${iso(start)}\nends_at = ${iso(end)}\n\n` +
        `[[puzzle]]\nid = "cairn"\ntitle = "The Cairn"\nanswer = "stones"\n`;
      // Tomorrow, as first planned: open pages would wait a day.
      const now = Date.now();
      moved = await startBinary(hunt(now + day, now + 2 * day), {
        args: ["--admin-token", ADMIN_TOKEN],
      });
      const base = moved.base;
      const errors: string[] = [];
      await browser.context.clearCookies();
      // A team registered early, its puzzle list open; a visitor's landing page; the projector.
      const token = await registerTeam(base, "Gulls");
      await browser.context.addCookies([
        { name: "cairn_session", value: token, domain: "127.0.0.1", path: "/puzzles" },
      ]);
      const list = await open(`${base}/puzzles`, errors);
      const landing = await open(`${base}/`, errors);
      const projector = await open(`${base}/scoreboard`, errors);
      await projector.setViewportSize({ width: 1920, height: 1080 });
      expect(await landing.locator(".hero .badge-warn").textContent()).toMatch(/^The hunt starts/);
      expect(await projector.locator("#phase").textContent()).toMatch(/^The hunt starts /);
      /** Waits until the server holds `count` live streams: the open pages listen. */
      const listening = async (count: number) => {
        for (let i = 0;; i++) {
          const metrics = await (await fetch(`${base}/metrics`)).text();
          if (Number(/^cairn_sse_connections (\d+)$/m.exec(metrics)?.[1]) >= count) return;
          if (i === 200) throw new Error("the pages' live streams did not open");
          await Bun.sleep(50);
        }
      };
      expect(await list.locator(".puzzle-list a").count()).toBe(0);
      await listening(3);
      const reload = async (start: number, end: number) => {
        writeFileSync(join(moved!.dir, "hunt.toml"), hunt(start, end));
        const res = await fetch(`${base}/api/admin/reload`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        expect(res.status).toBe(200);
      };

      // The organizer starts it now: the pages show it running, without anyone reloading them.
      await reload(Date.now() - 1000, now + 2 * day);
      await list.locator('.puzzle-list a[href="/puzzles/cairn"]').waitFor({ timeout: 10_000 });
      expect(await list.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
      await list.screenshot({ path: join(SHOTS, "phases-moved-start-list.png") });
      await landing.locator(".hero .badge-warn").waitFor({ state: "detached", timeout: 10_000 });
      await projector.locator("#phase").waitFor({ state: "detached", timeout: 10_000 });
      await projector.locator("#live.live-on").waitFor();

      // The organizer ends the hunt now: the list says so, as the projector does.
      await reload(now - 60_000, Date.now() - 1000);
      const ended = { hasText: /^The hunt has ended\.$/ };
      await list.locator("#main .notice-info", ended).waitFor({ timeout: 10_000 });
      expect(await list.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
      await projector.locator("#phase", ended).waitFor({ timeout: 10_000 });
      await projector.locator("#live.live-ended #live-text", { hasText: "Ended" }).waitFor();
      await list.screenshot({ path: join(SHOTS, "phases-moved-end-list.png") });
      await projector.screenshot({ path: join(SHOTS, "phases-moved-end-projector.png") });
      expect(errors).toEqual([]);
    },
    60_000,
  );

  test(
    "a projector that cannot reach the server at the start waits for it, not an error page",
    async () => {
      browser ??= await launchChromium();
      const hunt = (start: number) =>
        `[hunt]\ntitle = "Dusk Trail"\nstarts_at = ${
          new Date(start).toISOString().replace(/\.\d{3}Z$/, "Z")
        }\n\n[[puzzle]]\nid = "bell"\ntitle = "Bell"\nanswer = "ring"\n`;
      // Tomorrow until the server is up, however long a loaded machine takes; then, by a reload
      // before the page opens, in a few seconds.
      down = await startBinary(hunt(Date.now() + 24 * 3600 * 1000), {
        args: ["--admin-token", ADMIN_TOKEN],
      });
      const start = Math.ceil(Date.now() / 1000 + LEAD) * 1000;
      writeFileSync(join(down.dir, "hunt.toml"), hunt(start));
      const reloaded = await fetch(`${down.base}/api/admin/reload`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(reloaded.status).toBe(200);
      const errors: string[] = [];
      const projector = await open(`${down.base}/scoreboard?view=projector`, errors);
      expect(await projector.locator("#phase").textContent()).toMatch(/^The hunt starts /);
      // Before the start, the server goes behind a proxy's error page (or down) for a while.
      await projector.route(
        "**/*",
        (route) => route.fulfill({ status: 503, body: "Service Unavailable" }),
      );
      // Past the start, the page still stands (a reload would have left the proxy's page up).
      while (Date.now() < start + 3_000) await Bun.sleep(250);
      expect(projector.url()).toBe(`${down.base}/scoreboard?view=projector`);
      expect(await projector.locator("#phase").count()).toBe(1);
      // Back: the page is drawn as the hunt is now.
      await projector.unroute("**/*");
      await projector.locator("#phase").waitFor({ state: "detached", timeout: 15_000 });
      await projector.locator("#live.live-on").waitFor({ timeout: 15_000 });
      expect(errors).toEqual([]);
    },
    60_000,
  );
});
