// Another team's solve reaches a team's open puzzle list and puzzle page, in a real browser against
// the compiled binary: a dynamic puzzle's points fall and the counts of solves (`show_solves`) rise
// in place, from the live `puzzle_values` event, with no reload and no fetch of the list; frozen,
// the pages stay as at the freeze, and the reveal brings the true values. The list's score follows
// the team's own row of the board, renamed or hidden too.
// Screenshots go to test-results/screenshots/.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { chromiumAvailable, launchChromium, registerTeam, SHOTS, startBinary } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const ADMIN_TOKEN = "values-admin-token";

const HUNT = `
[hunt]
title = "Harbour CTF"
show_solves = true

[[puzzle]]
id = "crypto"
title = "Crypto"
points = { initial = 500, minimum = 100, decay = 10, function = "linear" }
answer = "flag{x}"
normalize = "exact"

[[puzzle]]
id = "web"
title = "Web"
points = 50
answer = "flag{w}"
normalize = "exact"
`;

let server: Awaited<ReturnType<typeof startBinary>> | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let offline: Awaited<ReturnType<typeof launchChromium>> | undefined;

afterAll(async () => {
  try {
    await browser?.close();
    await offline?.close();
  } finally {
    await server?.stop();
  }
});

/** A page's live stream, as its requests are routed. */
const STREAM = /\/api\/events/;

/**
 * Keeps, in `testHeard`, each `scoreboard` and `puzzle_values` event a page's live stream brings,
 * with what the page showed just before it took it (its score, its points and solves): a listener
 * of the test's own, on each stream, ahead of the page's.
 */
const HEAR_VALUES = `{
  globalThis.testHeard = [];
  const shown = () =>
    [...document.querySelectorAll(
      "#team-score, .puzzle-list .puzzle-points, .puzzle-list .solves, #puzzle-points, #puzzle-solves",
    )].map((node) => node.textContent.trim()).join(" | ");
  const add = EventSource.prototype.addEventListener;
  const heard = new WeakSet();
  EventSource.prototype.addEventListener = function (type, listener, options) {
    if (!heard.has(this)) {
      heard.add(this);
      for (const name of ["scoreboard", "puzzle_values"]) {
        add.call(this, name, (event) => {
          globalThis.testHeard.push({ type: name, data: JSON.parse(event.data), shown: shown() });
        });
      }
    }
    return add.call(this, type, listener, options);
  };
}`;

/**
 * What `page` showed when the board froze (its first frozen \`scoreboard\` event), and what it showed
 * just before it took the reveal's first event, the first since that `revealed` (an expression on
 * the event, \`e\`) tells: every event sent before the reveal had been taken by then, in order, so
 * a value one of them moved shows there.
 */
async function shownAcrossFreeze(page: Page, revealed: string) {
  return await page.evaluate(`(() => {
    const heard = globalThis.testHeard;
    const from = heard.findIndex((e) => e.type === "scoreboard" && e.data.frozen);
    const to = heard.findIndex((e, i) => i > from && (${revealed}));
    return { frozen: from === -1 ? undefined : heard[from].shown, revealed: to === -1 ? undefined : heard[to].shown };
  })()`) as { frozen?: string; revealed?: string };
}

/**
 * Waits until `page` has taken the frozen board (`HEAR_VALUES`): what the stream sends from then on
 * is sent with the board frozen. (A freeze and a reveal close together can go out as one push.)
 */
async function tookFreeze(page: Page) {
  // (A function, not a string: the pages' policy forbids evaluating strings.)
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { testHeard: { type: string; data: { frozen?: boolean } }[] })
        .testHeard.some((e) => e.type === "scoreboard" && e.data.frozen === true),
    undefined,
    { timeout: 10_000 },
  );
}

/** A team's guess, from another phone. */
async function solveAs(base: string, token: string, puzzle: string, answer: string) {
  const res = await fetch(`${base}/api/puzzles/${puzzle}/guesses`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ answer }),
  });
  expect(((await res.json()) as { result: string }).result).toBe("correct");
}

suite("another team's solve, on a team's open pages", () => {
  test(
    "the list and a puzzle page show the new points and solves without a reload, frozen as at the freeze",
    async () => {
      mkdirSync(SHOTS, { recursive: true });
      browser = await launchChromium();
      server = await startBinary(HUNT, { args: ["--admin-token", ADMIN_TOKEN] });
      const base = server.base;
      const solve = (token: string, puzzle: string, answer: string) =>
        solveAs(base, token, puzzle, answer);
      const freeze = async (frozen: boolean) => {
        const res = await fetch(`${base}/api/admin/scoreboard`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ frozen }),
        });
        expect(res.status).toBe(200);
      };
      const gulls = await registerTeam(base, "Gulls");
      const terns = await registerTeam(base, "Terns");
      const skuas = await registerTeam(base, "Skuas");
      const petrels = await registerTeam(base, "Petrels");
      await browser.context.addCookies([{ name: "cairn_session", value: gulls, url: base }]);
      await browser.context.addInitScript(HEAR_VALUES);

      const errors: string[] = [];
      /** What the pages asked the server for once drawn: none of them should ask for anything. */
      const asked: string[] = [];
      const open = async (path: string): Promise<Page> => {
        const page = await browser!.context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.setViewportSize({ width: 360, height: 740 });
        const stream = page.waitForResponse((r) => r.url().includes("/api/events"));
        await page.goto(`${base}${path}`);
        // The stream open: what arrives from now on is the page's to show.
        expect((await stream).status()).toBe(200);
        page.on("request", (request) => {
          const url = new URL(request.url());
          // The tab's icon is the browser's to fetch, when it likes (a CI run saw it late).
          if (url.pathname.startsWith("/api/events") || url.pathname.startsWith("/assets/icon.")) {
            return;
          }
          asked.push(url.pathname);
        });
        return page;
      };
      const list = await open("/puzzles");
      const puzzle = await open("/puzzles/crypto");
      const row = (id: string) => list.locator(`.puzzle-list li[data-puzzle="${id}"]`);
      expect(await row("crypto").locator(".puzzle-points").textContent()).toBe("500 pts");
      expect(await row("crypto").locator(".solves").textContent()).toBe("No solves yet");
      expect(await puzzle.locator("#puzzle-points").textContent()).toBe("500 points");
      expect(await puzzle.locator("#puzzle-solves").textContent()).toBe("No solves yet");

      // The first solve leaves the value at 500 and makes the count 1; the second lowers it.
      await solve(terns, "crypto", "flag{x}");
      await row("crypto").locator(".solves", { hasText: /^1 solve$/ }).waitFor();
      await puzzle.locator("#puzzle-solves", { hasText: /^1 solve$/ }).waitFor();
      await solve(skuas, "crypto", "flag{x}");
      await row("crypto").locator(".puzzle-points", { hasText: /^490 pts$/ }).waitFor();
      await row("crypto").locator(".solves", { hasText: /^2 solves$/ }).waitFor();
      await puzzle.locator("#puzzle-points", { hasText: /^490 points$/ }).waitFor();
      await puzzle.locator("#puzzle-solves", { hasText: /^2 solves$/ }).waitFor();
      // Another puzzle's count, on the list; the page of Crypto stays as it is.
      await solve(terns, "web", "flag{w}");
      await row("web").locator(".solves", { hasText: /^1 solve$/ }).waitFor();
      expect(await row("web").locator(".puzzle-points").textContent()).toBe("50 pts");
      await list.screenshot({ path: join(SHOTS, "values-list.png") });
      await puzzle.screenshot({ path: join(SHOTS, "values-puzzle.png") });

      // Frozen: a solve since shows nowhere; the reveal brings it.
      await freeze(true);
      await tookFreeze(list);
      await tookFreeze(puzzle);
      await solve(petrels, "crypto", "flag{x}");
      await freeze(false);
      await row("crypto").locator(".puzzle-points", { hasText: /^480 pts$/ }).waitFor();
      await row("crypto").locator(".solves", { hasText: /^3 solves$/ }).waitFor();
      await puzzle.locator("#puzzle-points", { hasText: /^480 points$/ }).waitFor();
      await puzzle.locator("#puzzle-solves", { hasText: /^3 solves$/ }).waitFor();
      // Until the reveal's first event (its values, or the board open again), each page showed
      // what it showed at the freeze: the values at the freeze. (That the server sends nothing
      // while frozen is test/live/puzzle_values_test.ts's, on a clock of its own.)
      const reveal = `e.type === "scoreboard" ? !e.data.frozen
        : e.data.puzzles.some((p) => p.id === "crypto" && p.points === 480)`;
      const listed = await shownAcrossFreeze(list, reveal);
      expect(listed.frozen).toBe("0 | 2 solves | 490 pts | 1 solve | 50 pts");
      expect(listed.revealed).toBe(listed.frozen);
      const paged = await shownAcrossFreeze(puzzle, reveal);
      expect(paged.frozen).toBe("490 points | 2 solves");
      expect(paged.revealed).toBe(paged.frozen);

      // No reload, and nothing fetched: the stream brought it all.
      for (const page of [list, puzzle]) {
        expect(await page.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
      }
      expect(asked).toEqual([]);
      await list.screenshot({ path: join(SHOTS, "values-list-revealed.png") });
      expect(errors).toEqual([]);
    },
    90_000,
  );

  test(
    "the list's score follows the team's own row as other teams' solves lower its points: renamed, hidden, frozen",
    async () => {
      // A server and a browser of its own: the teams' ids are 1 to 6, in registration order.
      const own = await startBinary(HUNT, { args: ["--admin-token", ADMIN_TOKEN] });
      const chromium = await launchChromium();
      try {
        const base = own.base;
        const admin = async (method: string, path: string, body: unknown) => {
          const res = await fetch(`${base}${path}`, {
            method,
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          });
          expect(res.status).toBe(200);
        };
        // One after another: the ids follow.
        const tokens: string[] = [];
        for (const name of ["Gulls", "Terns", "Skuas", "Petrels", "Fulmars", "Shags"]) {
          tokens.push(await registerTeam(base, name));
        }
        const [gulls, terns, skuas, petrels, fulmars, shags] = tokens as [
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        const gullsId = 1;
        await solveAs(base, gulls, "crypto", "flag{x}");
        await chromium.context.addCookies([{ name: "cairn_session", value: gulls, url: base }]);
        await chromium.context.addInitScript(HEAR_VALUES);
        const list = await chromium.context.newPage();
        const errors: string[] = [];
        list.on("pageerror", (error) => errors.push(error.message));
        await list.setViewportSize({ width: 360, height: 740 });
        const stream = list.waitForResponse((r) => STREAM.test(r.url()));
        await list.goto(`${base}/puzzles`);
        expect((await stream).status()).toBe(200);
        const score = list.locator("#team-score");
        expect(await score.textContent()).toBe("500");
        const scored = (points: number) =>
          score.filter({ hasText: new RegExp(`^${points}$`) }).waitFor({ timeout: 10_000 });
        await solveAs(base, terns, "crypto", "flag{x}");
        await scored(490);
        // Renamed by an organizer: the page was drawn with the old name.
        await admin("PUT", `/api/admin/teams/${gullsId}/name`, { name: "Gulls of Leith" });
        await solveAs(base, skuas, "crypto", "flag{x}");
        await scored(480);
        // Hidden: the team's own row, unranked (its own solve no longer lowers the value).
        await admin("PUT", `/api/admin/teams/${gullsId}/hidden`, { hidden: true });
        await scored(490);
        await solveAs(base, petrels, "crypto", "flag{x}");
        await scored(480);
        // Frozen: a solve since moves nothing; the reveal does.
        await admin("PUT", `/api/admin/teams/${gullsId}/hidden`, { hidden: false });
        await scored(470);
        await admin("POST", "/api/admin/scoreboard", { frozen: true });
        await tookFreeze(list);
        await solveAs(base, fulmars, "crypto", "flag{x}");
        // The list's own data says the value at the freeze too.
        expect(
          await list.evaluate(`fetch("/api/puzzles").then((r) => r.json())
            .then((body) => body.puzzles.find((p) => p.id === "crypto").points)`),
        ).toBe(470);
        await admin("POST", "/api/admin/scoreboard", { frozen: false });
        await scored(460);
        // Until the reveal's first event (the board open again, or its values: 5 solves), the
        // score stayed at the freeze's. (Only the score: a count of solves the values' window held
        // back can come after the freeze, as at the freeze.)
        const across = await shownAcrossFreeze(
          list,
          `e.type === "scoreboard" ? !e.data.frozen
            : e.data.puzzles.some((p) => p.id === "crypto" && p.solves === 5)`,
        );
        const scoreIn = (shown?: string) => shown?.split(" | ")[0];
        expect(scoreIn(across.frozen)).toBe("470");
        expect(scoreIn(across.revealed)).toBe("470");
        await solveAs(base, shags, "crypto", "flag{x}");
        await scored(450);
        // The count comes with the values, within their 2 s (the board's row comes at once).
        await list.locator('.puzzle-list li[data-puzzle="crypto"] .solves', {
          hasText: /^6 solves$/,
        }).waitFor();
        expect(await list.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
        await list.screenshot({ path: join(SHOTS, "values-list-score.png") });
        expect(errors).toEqual([]);
      } finally {
        await chromium.close();
        await own.stop();
      }
    },
    90_000,
  );

  test(
    "a list or a puzzle page drawn again from a fetch that left before new values keeps the new values",
    async () => {
      // Two dynamic puzzles: the team solved Pwn (its score follows Pwn's value) and shows Crypto's.
      const hunt = HUNT.replace(
        '[[puzzle]]\nid = "web"',
        `[[puzzle]]
id = "pwn"
title = "Pwn"
points = { initial = 500, minimum = 100, decay = 10, function = "linear" }
answer = "flag{p}"
normalize = "exact"

[[puzzle]]
id = "web"`,
      );
      expect(hunt).toContain('id = "pwn"');
      const own = await startBinary(hunt, { args: ["--admin-token", ADMIN_TOKEN] });
      // No service worker: the pages' own requests are routed.
      const chromium = await launchChromium([], { serviceWorkers: "block" });
      try {
        const base = own.base;
        const tokens: string[] = [];
        for (const name of ["Gulls", "Terns", "Skuas", "Petrels"]) {
          tokens.push(await registerTeam(base, name));
        }
        const [gulls, terns, skuas, petrels] = tokens as [string, string, string, string];
        await solveAs(base, gulls, "pwn", "flag{p}");
        await chromium.context.addCookies([{ name: "cairn_session", value: gulls, url: base }]);
        const errors: string[] = [];
        const open = async (path: string): Promise<Page> => {
          const page = await chromium.context.newPage();
          page.on("pageerror", (error) => errors.push(error.message));
          await page.setViewportSize({ width: 360, height: 740 });
          const stream = page.waitForResponse((r) => STREAM.test(r.url()));
          await page.goto(`${base}${path}`);
          expect((await stream).status()).toBe(200);
          return page;
        };
        /**
         * Holds the page's next background fetch of `path`: its answer is drawn by the server at
         * once (`fetched`), and handed to the page only once `release` is called.
         */
        const hold = async (page: Page, path: string) => {
          let release!: () => void;
          const released = new Promise<void>((resolve) => release = resolve);
          let fetched!: () => void;
          const drawn = new Promise<void>((resolve) => fetched = resolve);
          let asked = 0;
          await page.route((url) => url.pathname === path, async (route) => {
            asked++;
            const response = await route.fetch();
            fetched();
            await released;
            await route.fulfill({ response });
          });
          return { drawn, release, asked: () => asked };
        };

        // The list: the team's own solve of Web redraws it; its fetch is drawn, and held.
        const list = await open("/puzzles");
        const row = (id: string) => list.locator(`.puzzle-list li[data-puzzle="${id}"]`);
        const score = list.locator("#team-score");
        expect(await score.textContent()).toBe("500");
        expect(await row("crypto").locator(".puzzle-points").textContent()).toBe("500 pts");
        const listed = await hold(list, "/puzzles");
        await solveAs(base, gulls, "web", "flag{w}");
        await listed.drawn;
        // Other teams' solves meanwhile: Crypto falls to 490 with 2 solves, Pwn to 490 (the
        // team's score 540), shown in place while the redraw waits.
        await solveAs(base, terns, "crypto", "flag{x}");
        await solveAs(base, terns, "pwn", "flag{p}");
        await solveAs(base, skuas, "crypto", "flag{x}");
        await row("crypto").locator(".puzzle-points", { hasText: /^490 pts$/ }).waitFor();
        await row("crypto").locator(".solves", { hasText: /^2 solves$/ }).waitFor();
        await score.filter({ hasText: /^540$/ }).waitFor();
        // The redraw goes in (Web solved in it), drawn before those solves: the new values stay.
        listed.release();
        await row("web").locator(".badge-ok").waitFor();
        expect(await row("crypto").locator(".puzzle-points").textContent()).toBe("490 pts");
        expect(await row("crypto").locator(".solves").textContent()).toBe("2 solves");
        expect(await score.textContent()).toBe("540");
        expect(listed.asked()).toBe(1);
        await list.screenshot({ path: join(SHOTS, "values-list-redrawn.png") });
        await list.close();

        // A puzzle's page: a teammate's wrong guess draws it again; its fetch is drawn, and held.
        const puzzle = await open("/puzzles/crypto");
        expect(await puzzle.locator("#puzzle-points").textContent()).toBe("490 points");
        const paged = await hold(puzzle, "/puzzles/crypto");
        const wrong = await fetch(`${base}/api/puzzles/crypto/guesses`, {
          method: "POST",
          headers: { authorization: `Bearer ${gulls}`, "content-type": "application/json" },
          body: JSON.stringify({ answer: "flag{nope}" }),
        });
        expect(((await wrong.json()) as { result: string }).result).toBe("incorrect");
        await paged.drawn;
        await solveAs(base, petrels, "crypto", "flag{x}");
        await puzzle.locator("#puzzle-points", { hasText: /^480 points$/ }).waitFor();
        await puzzle.locator("#puzzle-solves", { hasText: /^3 solves$/ }).waitFor();
        paged.release();
        // The teammate's guess shows once the page is drawn again.
        await puzzle.locator("#guesses", { hasText: "flag{nope}" }).waitFor();
        expect(await puzzle.locator("#puzzle-points").textContent()).toBe("480 points");
        expect(await puzzle.locator("#puzzle-solves").textContent()).toBe("3 solves");
        expect(paged.asked()).toBe(1);
        await puzzle.screenshot({ path: join(SHOTS, "values-puzzle-redrawn.png") });
        expect(errors).toEqual([]);
      } finally {
        await chromium.close();
        await own.stop();
      }
    },
    90_000,
  );

  test(
    "a page whose stream was down shows what other teams' solves changed meanwhile, once it is back",
    async () => {
      // After the test above (Crypto solved three times, 480 points). On plain HTTP at a LAN
      // address (no service worker): the page's own requests are routed.
      offline = await launchChromium([], { serviceWorkers: "block" });
      const base = server!.base;
      const fulmars = await registerTeam(base, "Fulmars");
      const shags = await registerTeam(base, "Shags");
      await offline.context.addCookies([{ name: "cairn_session", value: fulmars, url: base }]);
      const errors: string[] = [];
      const pages: Page[] = [];
      for (const path of ["/puzzles", "/puzzles/crypto"]) {
        const page = await offline.context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.setViewportSize({ width: 360, height: 740 });
        const stream = page.waitForResponse((r) => STREAM.test(r.url()));
        await page.goto(`${base}${path}`);
        expect((await stream).status()).toBe(200);
        pages.push(page);
      }
      const [list, puzzle] = pages as [Page, Page];
      const row = list.locator('.puzzle-list li[data-puzzle="crypto"]');
      expect(await row.locator(".puzzle-points").textContent()).toBe("480 pts");
      expect(await puzzle.locator("#puzzle-points").textContent()).toBe("480 points");
      expect(await puzzle.locator("#puzzle-solves").textContent()).toBe("3 solves");
      // The streams cut (the server restarted, the phones' Wi-Fi gone), a solve meanwhile.
      for (const page of pages) {
        await page.route(STREAM, (route) => route.abort("internetdisconnected"));
      }
      await server!.restart(async () => {});
      await solveAs(base, shags, "crypto", "flag{x}");
      const reopened = pages.map((page) =>
        page.waitForResponse((r) => STREAM.test(r.url()) && r.status() === 200, {
          timeout: 30_000,
        })
      );
      for (const page of pages) await page.unroute(STREAM);
      await Promise.all(reopened);
      await row.locator(".puzzle-points", { hasText: /^470 pts$/ }).waitFor();
      await row.locator(".solves", { hasText: /^4 solves$/ }).waitFor();
      await puzzle.locator("#puzzle-points", { hasText: /^470 points$/ }).waitFor();
      await puzzle.locator("#puzzle-solves", { hasText: /^4 solves$/ }).waitFor();
      for (const page of pages) {
        expect(await page.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
      }
      await puzzle.screenshot({ path: join(SHOTS, "values-puzzle-after-gap.png") });
      expect(errors).toEqual([]);
    },
    90_000,
  );
});
