// The player page's outbox in a real browser, on plain HTTP, against the
// compiled binary: guesses made offline wait in IndexedDB, are sent once the
// network is back, and are stored exactly once, even with two tabs flushing;
// those refused for a lost session wait for the team to log in again; logging
// out sends what waits, then forgets it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page, Route } from "playwright-core";
import { buildBinary } from "../_binary.ts";
import {
  chromiumAvailable,
  closeOffline,
  keepToasts,
  launchChromium,
  outboxCounts,
  registerTeam,
  startBinary,
  toastsShown,
  toldOf,
  until,
} from "./_browser.ts";

const HUNT = `
[hunt]
title = "Outbox Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
points = 100
answer = ["polaris"]
partial = [{ answer = "star", message = "Which star, exactly?" }]

[[puzzle]]
id = "knots"
title = "Knots"
points = 50
answer = ["bowline"]

[[puzzle]]
id = "buoy"
title = "The Buoy"
answer = ["red"]

[[puzzle.hint]]
id = "colour"
text = "Port side is red."
cost = 5

[[puzzle]]
id = "dock"
title = "The Dock"
checkpoint = { code = "dock-42" }
unlock = 'checked_in("dock")'
answer = ["twelve"]

[[puzzle]]
id = "mooring"
title = "The Mooring"
answer = ["cleat"]
guess_limit = { count = 3, per = "hunt" }
`;

const SHOTS = join(import.meta.dir, "..", "..", "test-results", "screenshots");
const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

let server: Awaited<ReturnType<typeof startBinary>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;

/** A tab logged in as `token`, watching for script errors. */
async function tab(token: string, path: string, errors: string[]): Promise<Page> {
  await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${server.base}${path}`);
  return page;
}

interface Outbox {
  cairnOutbox: { flush(): Promise<void>; render(): Promise<number>; pending(): Promise<number> };
}
/** How many items wait in the page's outbox. */
const pending = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as Outbox).cairnOutbox.pending());
/** Flushes the page's outbox now. */
const flushNow = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as Outbox).cairnOutbox.flush());

/** Flushes the outbox, and reads the panel's status line in the page as soon as the flush ends. */
const flushAndStatus = (page: Page) =>
  page.evaluate(`globalThis.cairnOutbox.flush()
    .then(() => document.querySelector("#outbox-status").textContent)`) as Promise<string>;

/** Whether a stored time is within `[from, to]`. */
const inside = (at: number | null, [from, to]: [number, number]) =>
  at !== null && at >= from && at <= to;

/**
 * Takes the phone offline, and waits until its page knows: an answer pressed before
 * `navigator.onLine` turns false is sent at once, and counts when it arrives.
 */
async function goOffline(page: Page): Promise<void> {
  await context.setOffline(true);
  await page.waitForFunction("!navigator.onLine");
}

/** Logs the phone in as `team` on a new tab's landing page (a new session); the page it lands on. */
async function logInAs(team: string, errors: string[]): Promise<Page> {
  await context.clearCookies();
  const landing = await context.newPage();
  landing.on("pageerror", (error) => errors.push(error.message));
  await landing.goto(`${server.base}/#login`);
  const form = landing.locator("#login");
  await form.getByLabel("Team name").fill(team);
  await form.getByLabel("Password").fill("correct horse");
  await form.getByRole("button", { name: "Log in" }).click();
  await landing.waitForURL(`${server.base}/puzzles`);
  return landing;
}

/** Runs `press`, and says between which times (the test's clock, the phone's too) it happened. */
async function timed(press: () => Promise<void>): Promise<[number, number]> {
  const from = Date.now();
  await press();
  return [from, Date.now()];
}

/**
 * Counts, in `testSolvesHeard`, the live `solve` events the page's own listener has taken (after
 * it ran), and keeps the page's streams in `testStreams`. While `testMuteSolves` is set, the page
 * misses them, as with its stream down.
 */
const HEAR_SOLVES = `{
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    globalThis.testStreams ??= [];
    if (!globalThis.testStreams.includes(this)) globalThis.testStreams.push(this);
    if (type !== "solve") return add.call(this, type, listener, options);
    return add.call(this, type, (event) => {
      if (globalThis.testMuteSolves) return;
      listener(event);
      globalThis.testSolvesHeard = (globalThis.testSolvesHeard ?? 0) + 1;
    }, options);
  };
}`;

/**
 * Counts, in `testWrongHeard`, the live `wrong_guess` events the page's own listener has taken, and
 * in `testPageFetches` the page's fetches of itself (a refresh); keeps the page's streams in
 * `testStreams`, and in `testLimitNotes` each text the guesses-left line has shown, in order.
 */
const HEAR_WRONG = `{
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    globalThis.testStreams ??= [];
    if (!globalThis.testStreams.includes(this)) globalThis.testStreams.push(this);
    if (type !== "wrong_guess") return add.call(this, type, listener, options);
    return add.call(this, type, (event) => {
      listener(event);
      globalThis.testWrongHeard = (globalThis.testWrongHeard ?? 0) + 1;
    }, options);
  };
  const realFetch = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    if (String(input) === location.pathname) {
      globalThis.testPageFetches = (globalThis.testPageFetches ?? 0) + 1;
    }
    return realFetch.call(this, input, init);
  };
  globalThis.testLimitNotes = [];
  const note = () => {
    const text = document.getElementById("limit-note")?.textContent?.trim();
    if (text !== undefined && text !== globalThis.testLimitNotes.at(-1)) {
      globalThis.testLimitNotes.push(text);
    }
  };
  document.addEventListener("DOMContentLoaded", () => {
    note();
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
}`;

/**
 * Two tabs of one phone on the puzzle "knots", logged in as a new team `name`: the first hears the
 * live `solve` events (HEAR_SOLVES), keeps its toasts and its navigations, and its sends of guesses
 * never reach the server (as with no network), so its guesses wait; the second is a plain tab.
 * `sent(raw)` counts the team's stored guesses `raw`.
 */
async function twoTabs(name: string) {
  const errors: string[] = [];
  const token = await registerTeam(server.base, name);
  const sent = (raw: string) =>
    server.query<{ n: number }>(
      "SELECT count(*) AS n FROM guesses JOIN teams ON teams.id = team_id " +
        "WHERE teams.name = ? AND raw = ?",
      name,
      raw,
    )[0]!.n;
  await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
  const first = await context.newPage();
  first.on("pageerror", (error) => errors.push(error.message));
  await keepToasts(first);
  await first.addInitScript(HEAR_SOLVES);
  await first.goto(`${server.base}/puzzles/knots`);
  const navigations: string[] = [];
  first.on("framenavigated", (frame) => {
    if (frame === first.mainFrame()) navigations.push(frame.url());
  });
  const second = await tab(token, "/puzzles/knots", errors);
  await first.route(
    "**/api/puzzles/knots/guesses",
    (route) => route.abort("internetdisconnected"),
  );
  return { errors, sent, first, navigations, second };
}

const guesses = (raw: string) =>
  server.query<{ n: number }>("SELECT count(*) AS n FROM guesses WHERE raw = ?", raw)[0]!.n;

/**
 * Logs out from `page`'s header, the network back: `answer`, which waited, is stored first, and the
 * phone keeps no outbox after.
 */
async function logOutSendingFirst(page: Page, answer: string): Promise<void> {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(`${server.base}/`);
  expect(guesses(answer)).toBe(1);
  expect(await outboxCounts(page)).toEqual({ outbox: 0, results: 0 });
}

suite("the outbox, on plain HTTP", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startBinary(HUNT);
    // As on plain HTTP at a LAN address: no service worker, the outbox alone.
    browser = await launchChromium([], { serviceWorkers: "block" });
    context = browser.context;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("guesses made offline wait, then are sent once, with their real results", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Gulls");
    const page = await tab(token, "/puzzles/lighthouse", errors);
    await context.setOffline(true);
    const answer = page.getByRole("textbox", { name: "Answer" });
    await answer.fill("star");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator("#outbox-status", { hasText: "1 answer waiting for the network" })
      .waitFor();
    await page.locator("#result", { hasText: "Saved on this phone" }).waitFor();
    await answer.fill("polaris");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator("#outbox-status", { hasText: "2 answers waiting for the network" })
      .waitFor();
    expect([guesses("star"), guesses("polaris")]).toEqual([0, 0]);

    // Back online: the `online` event flushes, oldest first.
    await context.setOffline(false);
    await page.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
    await page.locator("#outbox-status").waitFor({ state: "hidden" });
    expect([guesses("star"), guesses("polaris")]).toEqual([1, 1]);
    expect(server.query("SELECT puzzle FROM solves")).toEqual([{ puzzle: "lighthouse" }]);
    expect(await pending(page)).toBe(0);
    // The page reloads: the puzzle is solved, and nothing is sent again.
    await page.reload();
    await page.locator("#solved-badge").waitFor();
    expect(guesses("polaris")).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test(
    "a guess refused 503 with Retry-After goes again after that wait, not at the next 20 s timer",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Retry Gulls");
      // A phone of its own: its fake clock leaves no skew in the other tests' storage.
      const own = await launchChromium([], { serviceWorkers: "block" });
      await own.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const page = await own.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      // The page's timers run only when the test moves its clock.
      await page.clock.install();
      await page.goto(`${server.base}/puzzles/knots`);
      // The server cannot save for a moment (its database is down): the first send gets 503.
      let sends = 0;
      await page.route("**/api/puzzles/knots/guesses", async (route) => {
        if (sends++ > 0) return await route.continue();
        await route.fulfill({
          status: 503,
          headers: { "content-type": "application/json", "retry-after": "2" },
          body: JSON.stringify({
            error: { code: "unavailable", message: "Cannot reach the database" },
          }),
        });
      });
      await page.getByRole("textbox", { name: "Answer" }).fill("carrick bend");
      await page.getByRole("button", { name: "Submit" }).click();
      // The server answered: the phone says so, not that the Wi-Fi is down.
      await page.locator("#outbox-status", {
        hasText: "1 answer waiting: the server cannot take it now",
      }).waitFor();
      await page.locator("#result", {
        hasText: "The server answered that it cannot take it now: it is sent again in a moment.",
      }).waitFor();
      await page.screenshot({ path: join(SHOTS, "outbox-server-503-phone.png") });
      expect(guesses("carrick bend")).toBe(0);
      await page.clock.runFor(2_500);
      await page.locator("#outbox-status").waitFor({ state: "hidden", timeout: 5_000 });
      expect(sends).toBe(2);
      expect(guesses("carrick bend")).toBe(1);
      expect(errors).toEqual([]);
      await own.close();
    },
    60_000,
  );

  test(
    "answers the server cannot take now wait for it, and for the network once the Wi-Fi drops",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Busy Gulls");
      const own = await launchChromium([], { serviceWorkers: "block" });
      await own.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const page = await own.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.base}/puzzles/knots`);
      // The server's database is down: every send is answered 503, with no Retry-After.
      let down = true;
      await page.route("**/api/puzzles/knots/guesses", async (route) => {
        if (!down) return await route.continue();
        await route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({
            error: { code: "unavailable", message: "Cannot reach the database" },
          }),
        });
      });
      const answer = page.getByRole("textbox", { name: "Answer" });
      await answer.fill("marlinspike");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", {
        hasText: "1 answer waiting: the server cannot take it now",
      }).waitFor();
      await answer.fill("zeppelin");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", {
        hasText: "2 answers waiting: the server cannot take them now",
      }).waitFor();
      // Then the Wi-Fi drops: they wait for the network now.
      await own.context.setOffline(true);
      await page.locator("#outbox-status", { hasText: "2 answers waiting for the network" })
        .waitFor();
      await answer.fill("trucker");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "3 answers waiting for the network" })
        .waitFor();
      await page.locator("#result", { hasText: "It is sent as soon as the network is back." })
        .waitFor();
      await page.screenshot({ path: join(SHOTS, "outbox-server-503-then-offline-phone.png") });
      // Back, and the server with it: all three go.
      down = false;
      await own.context.setOffline(false);
      await page.locator("#result.notice-bad", { hasText: "“trucker” is not it." }).waitFor();
      await page.locator("#outbox-status").waitFor({ state: "hidden" });
      expect([guesses("marlinspike"), guesses("zeppelin"), guesses("trucker")]).toEqual([1, 1, 1]);
      expect(errors).toEqual([]);
      await own.close();
    },
    60_000,
  );

  test(
    "a result flushed on another page is shown there, and only there, until dismissed",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Gannets");
      const page = await tab(token, "/puzzles/knots", errors);
      await context.setOffline(true);
      await page.getByRole("textbox", { name: "Answer" }).fill("granny");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
      // The phone is put away; the guess is sent by the next page the team opens.
      await closeOffline(page);
      await context.setOffline(false);
      const list = await tab(token, "/puzzles", errors);
      await list.locator("#outbox li", { hasText: "Not the answer" }).waitFor();
      expect(await list.locator("#outbox li").textContent()).toContain("“granny” on Knots");
      await list.screenshot({ path: join(SHOTS, "outbox-result-phone.png") });
      // Seen once: the next page the player opens does not bring it back.
      const next = await tab(token, "/puzzles/lighthouse", errors);
      await next.evaluate(() => (globalThis as unknown as Outbox).cairnOutbox.render());
      expect(await next.locator("#outbox li").count()).toBe(0);
      expect(await next.locator("#outbox").isHidden()).toBe(true);
      await next.close();
      await list.getByRole("button", { name: "Dismiss" }).click();
      await list.locator("#outbox").waitFor({ state: "hidden" });
      expect(guesses("granny")).toBe(1);
      expect(errors).toEqual([]);
      await list.close();
    },
    60_000,
  );

  test(
    "the outbox's words reach a screen reader: its live regions are there from the start, and each change is said once",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Storm Petrels");
      const page = await tab(token, "/puzzles/knots", errors);
      const outbox = page.locator("#outbox");
      // Nothing waits: the status is in the accessibility tree already, empty, and names nothing.
      expect(await outbox.getByRole("status").count()).toBe(1);
      expect(await outbox.getByRole("status").textContent()).toBe("");
      expect(await outbox.ariaSnapshot()).toBe("- status");
      expect(await outbox.isHidden()).toBe(true);

      await context.setOffline(true);
      await page.getByRole("textbox", { name: "Answer" }).fill("halyard");
      await page.getByRole("button", { name: "Submit" }).click();
      const waiting = "1 answer waiting for the network";
      await outbox.getByRole("status").filter({ hasText: waiting }).waitFor();
      // It names the panel, a region of the page.
      expect(await outbox.ariaSnapshot()).toBe(`- region "${waiting}":\n  - status: ${waiting}`);
      expect(await page.getByRole("region", { name: waiting }).count()).toBe(1);
      // A flush that fails again, and a redraw, leave the words as they were: they are not said
      // again.
      await page.evaluate(`
        window.statusChanges = 0;
        new MutationObserver((changes) => { window.statusChanges += changes.length; }).observe(
          document.getElementById("outbox-status"),
          { childList: true, subtree: true, characterData: true },
        );
      `);
      await flushNow(page);
      await page.evaluate(() => (globalThis as unknown as Outbox).cairnOutbox.render());
      expect(await page.evaluate(`window.statusChanges`)).toBe(0);
      await page.screenshot({ path: join(SHOTS, "outbox-status-phone.png") });

      // The phone is put away; the guess is sent by the next page the team opens, which says what
      // became of it: in a live region too, and once.
      await closeOffline(page);
      await context.setOffline(false);
      const list = await tab(token, "/puzzles", errors);
      await list.locator("#outbox li", { hasText: "Not the answer" }).waitFor();
      expect(await list.locator("#outbox").ariaSnapshot()).toBe(
        "- status\n- list:\n  - listitem:\n    - strong: Not the answer\n" +
          '    - text: “halyard” on Knots\n    - button "Dismiss"',
      );
      const live = `document.querySelector("#outbox ul").parentElement.getAttribute("aria-live")`;
      expect(await list.evaluate(live)).toBe("polite");
      // Drawn again, the result stays the same element: it is not said again.
      await list.evaluate(`document.querySelector("#outbox li").stayed = true`);
      await list.evaluate(() => (globalThis as unknown as Outbox).cairnOutbox.render());
      expect(await list.evaluate(`document.querySelector("#outbox li").stayed`)).toBe(true);
      expect(errors).toEqual([]);
      await list.close();
    },
    60_000,
  );

  test(
    "a guess another tab sent shows its result on the puzzle's page, not that it still waits",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Kittiwakes");
      const puzzle = await tab(token, "/puzzles/knots", errors);
      await goOffline(puzzle);
      await puzzle.getByRole("textbox", { name: "Answer" }).fill("overhand");
      await puzzle.getByRole("button", { name: "Submit" }).click();
      await puzzle.locator("#result", { hasText: "Saved on this phone" }).waitFor();
      // A QR code scanned meanwhile opened a second tab; the network is back, and the puzzle's tab,
      // in the background, does not get through before the new tab sends the guess.
      await puzzle.route("**/api/puzzles/*/guesses", (request) => request.abort("failed"));
      await context.setOffline(false);
      const list = await tab(token, "/puzzles", errors);
      // Back on the puzzle's tab: its answer box says what became of the guess.
      await puzzle.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
      expect(await puzzle.locator("#result").textContent()).toContain("“overhand” is not it.");
      expect(guesses("overhand")).toBe(1);
      expect(await puzzle.locator("#outbox-status").isHidden()).toBe(true);
      await puzzle.screenshot({ path: join(SHOTS, "outbox-sent-by-other-tab-phone.png") });
      expect(errors).toEqual([]);
      await puzzle.close();
      await list.close();
    },
    60_000,
  );

  test(
    "a guess a tab in the background sent is shown once, where it was asked, on the tab in front",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Razorbills");
      const puzzle = await tab(token, "/puzzles/knots", errors);
      await goOffline(puzzle);
      await puzzle.getByRole("textbox", { name: "Answer" }).fill("carrick");
      await puzzle.getByRole("button", { name: "Submit" }).click();
      await puzzle.locator("#result", { hasText: "Saved on this phone" }).waitFor();
      await puzzle.route("**/api/puzzles/*/guesses", (request) => request.abort("failed"));
      await context.setOffline(false);
      // Another tab, in the background, sends it.
      const behind = await context.newPage();
      behind.on("pageerror", (error) => errors.push(error.message));
      await behind.addInitScript(`Object.defineProperty(document, "visibilityState", {
        get: () => "hidden",
      });`);
      await behind.goto(`${server.base}/puzzles`);
      await puzzle.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
      // Seen in the answer box: not again in the panel above it, nor on the next page.
      await puzzle.evaluate(() => (globalThis as unknown as Outbox).cairnOutbox.render());
      expect(await puzzle.locator("#outbox li").count()).toBe(0);
      const { results } = await outboxCounts(puzzle);
      expect([results, guesses("carrick")]).toEqual([0, 1]);
      expect(errors).toEqual([]);
      await puzzle.close();
      await behind.close();
    },
    60_000,
  );

  test("a hint taken offline says on the hint that it waits, then shows its text", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Cormorants");
    const page = await tab(token, "/puzzles/buoy", errors);
    await goOffline(page);
    const hint = page.locator("#hint-colour");
    await hint.getByText("Take this hint").click();
    await hint.getByRole("button", { name: "Yes, spend 5 points" }).click();
    await page.locator("#outbox-status", { hasText: "1 hint waiting for the network" }).waitFor();
    // Where the player pressed: it is kept, and pressing again would not do more.
    await hint.getByText("Saved on this phone").waitFor();
    expect(await hint.getByRole("button", { name: "Yes, spend 5 points" }).isDisabled()).toBe(
      true,
    );
    await page.screenshot({ path: join(SHOTS, "outbox-hint-waiting-phone.png"), fullPage: true });
    await context.setOffline(false);
    await hint.getByText("Port side is red.").waitFor();
    expect(await hint.getByText("Saved on this phone").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("two tabs flushing the same outbox at once store each guess once", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Herons");
    const first = await tab(token, "/puzzles/knots", errors);
    const second = await tab(token, "/puzzles/knots", errors);
    await context.setOffline(true);
    for (const raw of ["reef", "hitch", "bowline"]) {
      await first.getByRole("textbox", { name: "Answer" }).fill(raw);
      await first.getByRole("button", { name: "Submit" }).click();
    }
    await second.locator("#outbox-status", { hasText: "3 answers waiting" }).waitFor();
    await context.setOffline(false);
    // Both tabs hear `online`; flush both by hand too, at the same moment.
    await Promise.all([flushNow(first), flushNow(second)]);
    for (const page of [first, second]) expect(await pending(page)).toBe(0);
    // The tab whose request got the answer shows it (the other may have been told "in flight").
    await Promise.any(
      [first, second].map((page) =>
        page.locator("#result.notice-ok", { hasText: "Correct!" }).waitFor()
      ),
    );
    expect([guesses("reef"), guesses("hitch"), guesses("bowline")]).toEqual([1, 1, 1]);
    const team = server.query<{ id: number }>("SELECT id FROM teams WHERE name = 'Herons'")[0]!;
    expect(
      server.query("SELECT count(*) AS n FROM idempotency_keys WHERE team_id = ?", team.id),
    ).toEqual([{ n: 3 }]);
    expect(errors).toEqual([]);
    await first.close();
    await second.close();
  }, 60_000);

  test(
    "a guess queued in one tab and sent by another is this phone's solve in both: no teammate's",
    async () => {
      const { errors, sent, first, navigations, second } = await twoTabs("Dabchicks");
      // The first tab's flush stops at its first guess, so it never tries the second, the solve.
      // The second tab's sends arrive, and the solve's answer comes back only once the first tab's
      // page has taken the live `solve` event: the order that made the first tab call it a
      // teammate's.
      await second.route("**/api/puzzles/knots/guesses", async (route) => {
        const response = await route.fetch();
        if (route.request().postDataJSON().answer !== "bowline") return route.fulfill({ response });
        try {
          await until(first, "globalThis.testSolvesHeard >= 1");
        } finally {
          await route.fulfill({ response });
        }
      });
      await until(first, "globalThis.testStreams?.some((s) => s.readyState === 1)");
      for (const raw of ["hitch", "bowline"]) {
        await first.getByRole("textbox", { name: "Answer" }).fill(raw);
        await first.getByRole("button", { name: "Submit" }).click();
        await first.locator("#result", { hasText: "Saved on this phone" }).waitFor();
        await first.locator("#result", { hasText: raw }).waitFor();
      }
      expect([sent("hitch"), sent("bowline")]).toEqual([0, 0]);

      await flushNow(second);
      expect([sent("hitch"), sent("bowline")]).toEqual([1, 1]);
      // The first tab shows its own answer's result, and stays: no teammate solved it.
      await first.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
      expect(await toastsShown(first, "teammate")).toEqual([]);
      expect(await first.evaluate("globalThis.testSolvesHeard")).toBe(1);
      expect(await first.locator("#solved-badge").isVisible()).toBe(true);
      expect(await pending(first)).toBe(0);
      await first.screenshot({ path: join(SHOTS, "outbox-solve-from-other-tab-390.png") });
      expect(navigations).toEqual([]);
      expect(errors).toEqual([]);
      await first.close();
      await second.close();
    },
    60_000,
  );

  test(
    "a page catching up does not call a solve a teammate's while this phone's guess on it is on its way",
    async () => {
      const { errors, sent, first, navigations, second } = await twoTabs("Moorhens");
      // The first tab's guess waits, then the second tab sends it, and its answer is held: the
      // guess is on its way while the first tab catches up.
      let release = () => {};
      const held = new Promise<void>((resolve) => release = resolve);
      await second.route("**/api/puzzles/knots/guesses", async (route) => {
        const response = await route.fetch();
        await held;
        await route.fulfill({ response });
      });
      // The first tab's page fetches of itself (its catching up): the second one is held until the
      // page shows the guess's answer.
      let fetches = 0;
      let refetched = () => {};
      const twice = new Promise<void>((resolve) => refetched = resolve);
      await first.route((url) => url.pathname === "/puzzles/knots", async (route) => {
        if (route.request().resourceType() !== "fetch") return await route.continue();
        if (++fetches === 2) {
          refetched();
          await first.locator("#result.notice-ok", { hasText: "Correct!" }).waitFor();
        }
        await route.continue();
      });
      await until(first, "globalThis.testStreams?.some((s) => s.readyState === 1)");
      await first.getByRole("textbox", { name: "Answer" }).fill("bowline");
      await first.getByRole("button", { name: "Submit" }).click();
      await first.locator("#result", { hasText: "Saved on this phone" }).waitFor();
      // The first tab's stream drops: it misses the live news of the solve.
      await first.evaluate(`{
        globalThis.testMuteSolves = true;
        for (const stream of globalThis.testStreams) stream.dispatchEvent(new Event("error"));
      }`);
      const flushed = flushNow(second);
      for (let i = 0; sent("bowline") === 0; i++) {
        if (i > 150) throw new Error("The second tab never sent the guess");
        await Bun.sleep(100);
      }
      // Back: the first tab catches up, and finds the puzzle solved, its answer still to come.
      await first.evaluate(`{
        for (const stream of globalThis.testStreams) stream.dispatchEvent(new Event("open"));
      }`);
      await Promise.race([toldOf(first, "teammate", 20_000), twice]);
      release();
      await flushed;
      await first.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
      expect(await toastsShown(first, "teammate")).toEqual([]);
      expect(fetches).toBeGreaterThanOrEqual(2);
      expect(navigations).toEqual([]);
      expect(errors).toEqual([]);
      await first.close();
      await second.close();
    },
    60_000,
  );

  test(
    "a wrong guess sent by the phone's other tab counts once in this tab's guesses left",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Wigeons");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const first = await context.newPage();
      first.on("pageerror", (error) => errors.push(error.message));
      await first.addInitScript(HEAR_WRONG);
      await first.goto(`${server.base}/puzzles/mooring`);
      const second = await tab(token, "/puzzles/mooring", errors);
      const note = first.locator("#limit-note");
      expect(await note.textContent()).toContain("3 of 3 wrong guesses left");
      // The second tab's wrong guess arrives, and its answer comes back only once the first tab took
      // the live `wrong_guess` event, and whatever that made it fetch showed: the order in which the
      // first tab counted the guess twice, from the server and again from the answer.
      await second.route("**/api/puzzles/mooring/guesses", async (route) => {
        const response = await route.fetch();
        try {
          await until(
            first,
            `globalThis.testWrongHeard >= 1 && (!globalThis.testPageFetches ||
              globalThis.testLimitNotes.some((text) => text.includes("2 of 3")))`,
          );
        } finally {
          await route.fulfill({ response });
        }
      });
      await until(first, "globalThis.testStreams?.some((s) => s.readyState === 1)");
      await second.getByRole("textbox", { name: "Answer" }).fill("bollard");
      await second.getByRole("button", { name: "Submit" }).click();
      await second.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
      // The first tab shows the answer its phone had, and the guess counted once.
      await first.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
      await note.filter({ hasText: "2 of 3 wrong guesses left" }).waitFor();
      expect(await first.evaluate("globalThis.testWrongHeard")).toBe(1);
      const notes = await first.evaluate("globalThis.testLimitNotes") as string[];
      expect(notes.map((text) => /\d+ of 3/.exec(text)?.[0])).toEqual(["3 of 3", "2 of 3"]);
      await first.screenshot({ path: join(SHOTS, "outbox-wrong-guess-from-other-tab-390.png") });
      expect(guesses("bollard")).toBe(1);
      expect(errors).toEqual([]);
      await first.close();
      await second.close();
    },
    60_000,
  );

  test(
    "what one tab is sending does not wait in the phone's other tabs, nor in a tab opened meanwhile",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Teals");
      const first = await tab(token, "/puzzles/knots", errors);
      const second = await tab(token, "/puzzles/knots", errors);
      // The second tab's send is on its way until the test lets it through.
      let release = () => {};
      const held = new Promise<void>((resolve) => release = resolve);
      let arrived = () => {};
      const sending = new Promise<void>((resolve) => arrived = resolve);
      await second.route("**/api/puzzles/knots/guesses", async (route) => {
        arrived();
        await held;
        // (Its tab may be closed by then.)
        await route.continue().catch(() => {});
      });
      /** The outbox's status in `page`, drawn again now. */
      const status = async (page: Page) => {
        await page.evaluate(() => (globalThis as unknown as Outbox).cairnOutbox.render());
        return (await page.locator("#outbox-status").textContent())!;
      };
      try {
        await second.getByRole("textbox", { name: "Answer" }).fill("timber hitch");
        await second.getByRole("button", { name: "Submit" }).click();
        await sending;
        expect(await pending(first)).toBe(1);
        // A tab never says it waits while it sends it.
        expect(await status(second)).toBe("");
        // The first tab hears that the second sends it; a third, opened now, asks.
        for (let i = 0; (await status(first)) !== "" && i < 50; i++) await Bun.sleep(100);
        expect(await status(first)).toBe("");
        const third = await tab(token, "/puzzles/knots", errors);
        for (let i = 0; (await status(third)) !== "" && i < 50; i++) await Bun.sleep(100);
        expect(await status(third)).toBe("");
        await first.screenshot({ path: join(SHOTS, "outbox-sent-by-other-tab-390.png") });
        // The second tab closes while it sends: the first, which asks again every 20 s which items
        // are on their way, sends it itself.
        await second.close({ runBeforeUnload: false });
        await until(first, "globalThis.cairnOutbox.pending().then((n) => n === 0)", 30);
        await third.close();
      } finally {
        release();
      }
      expect(guesses("timber hitch")).toBe(1);
      expect(await status(first)).toBe("");
      expect(errors).toEqual([]);
      await first.close();
    },
    60_000,
  );

  test(
    "a tab whose flush comes while another tab of the phone sends an item leaves it to that tab",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Smews");
      const first = await tab(token, "/puzzles/knots", errors);
      const second = await tab(token, "/puzzles/knots", errors);
      // The second tab's send is on its way until the test lets it through (slow Wi-Fi); each
      // tab's sends of the guess are counted as they leave it.
      const tries = { first: 0, second: 0 };
      let release = () => {};
      const held = new Promise<void>((resolve) => release = resolve);
      let arrived = () => {};
      const sending = new Promise<void>((resolve) => arrived = resolve);
      await second.route("**/api/puzzles/knots/guesses", async (route) => {
        tries.second++;
        arrived();
        await held;
        await route.continue();
      });
      await first.route("**/api/puzzles/knots/guesses", async (route) => {
        tries.first++;
        await route.continue();
      });
      try {
        await second.getByRole("textbox", { name: "Answer" }).fill("zeppelin bend");
        await second.getByRole("button", { name: "Submit" }).click();
        await sending;
        // The first tab has heard that the second sends it: it says it no longer waits.
        await until(
          first,
          "globalThis.cairnOutbox.render().then(() => " +
            "document.getElementById('outbox-status').textContent === '')",
        );
        expect(await pending(first)).toBe(1);
        // The first tab flushes as the code does when the network comes back, and when the page
        // is shown again; the flush ends, the item still on its way from the second tab.
        await first.evaluate(`(() => {
          dispatchEvent(new Event("online"));
          document.dispatchEvent(new Event("visibilitychange"));
          return globalThis.cairnOutbox.flush();
        })()`);
        expect(tries).toEqual({ first: 0, second: 1 });
        expect(guesses("zeppelin bend")).toBe(0);
      } finally {
        release();
      }
      await second.locator("#result", { hasText: "Not the answer" }).waitFor();
      await until(first, "globalThis.cairnOutbox.pending().then((n) => n === 0)");
      // Once sent, the first tab's next flush has nothing to send either.
      await flushNow(first);
      expect(tries).toEqual({ first: 0, second: 1 });
      expect(guesses("zeppelin bend")).toBe(1);
      expect(errors).toEqual([]);
      await first.close();
      await second.close();
    },
    60_000,
  );

  test(
    "two tabs opened at once as the phone's first each know a key the other made as the phone's",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Pintails");
      // A phone of its own, whose tabs never stored an id.
      const phone = await launchChromium([], { serviceWorkers: "block" });
      try {
        await phone.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
        // The first tab found no id, and its storing of the one it made is held until the second
        // tab found none too and stored its own: the two tabs' race, in its worst order.
        const first = await phone.context.newPage();
        first.on("pageerror", (error) => errors.push(error.message));
        await first.addInitScript(`{
          const get = Storage.prototype.getItem;
          const set = Storage.prototype.setItem;
          Storage.prototype.getItem = function (key) {
            if (key === "cairn.phone" && !globalThis.testLetGo) return null;
            return get.call(this, key);
          };
          Storage.prototype.setItem = function (key, value) {
            if (key === "cairn.phone" && !globalThis.testLetGo) globalThis.testMade = value;
            else set.call(this, key, value);
          };
        }`);
        await first.goto(`${server.base}/puzzles/knots`);
        const second = await phone.context.newPage();
        second.on("pageerror", (error) => errors.push(error.message));
        await second.goto(`${server.base}/puzzles/knots`);
        const made = [
          await first.evaluate("globalThis.testMade") as string,
          await second.evaluate(`localStorage.getItem("cairn.phone")`) as string,
        ];
        expect(made[0]).toMatch(/^[0-9a-f]{16}$/);
        expect(made[1]).toMatch(/^[0-9a-f]{16}$/);
        expect(made[0]).not.toBe(made[1]);
        await first.evaluate(`{
          globalThis.testLetGo = true;
          localStorage.setItem("cairn.phone", globalThis.testMade);
        }`);
        await until(second, `localStorage.getItem("cairn.phone") === ${JSON.stringify(made[0])}`);
        // Each tab knows a key made with either id (a guess either sent) as the phone's own.
        for (const page of [first, second]) {
          for (const id of made) {
            await until(page, `globalThis.cairnOutbox.hearsOf("${id}-${"0".repeat(32)}")`, 5);
          }
          expect(await page.evaluate(`globalThis.cairnOutbox.hearsOf("${"f".repeat(16)}-0")`))
            .toBe(false);
        }
        expect(errors).toEqual([]);
      } finally {
        await phone.close();
      }
    },
    60_000,
  );

  test(
    "a login that failed as it went leaves the team's other tabs sending, not waiting for a login",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Garganeys");
      // A tab drawn with no session, on the login form; then the team's tab.
      await context.clearCookies();
      const login = await context.newPage();
      login.on("pageerror", (error) => errors.push(error.message));
      await login.goto(`${server.base}/#login`);
      const page = await tab(token, "/puzzles/knots", errors);
      const team = await page.evaluate("document.body.dataset.team") as string;
      // The team's guess waits for the network (its sends get no answer).
      await page.route(
        "**/api/puzzles/knots/guesses",
        (route) => route.abort("internetdisconnected"),
      );
      await page.getByRole("textbox", { name: "Answer" }).fill("granny knot");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "1 answer waiting for the network" })
        .waitFor();
      await page.evaluate(`addEventListener("storage", (event) => {
        if (event.key === "cairn.team" && event.newValue === null) globalThis.testLoggedOut = true;
      })`);
      // The login is sent, and fails on its way: the browser shows its error page.
      await login.route("**/login", (route) => {
        if (route.request().method() !== "POST") return route.continue();
        return route.abort("internetdisconnected");
      });
      await login.locator("#login").getByLabel("Team name").fill("Someone Else");
      await login.locator("#login").getByLabel("Password").fill("not-a-password");
      await login.locator("#login").getByRole("button", { name: "Log in" }).click();
      // The team's tab stops sending as the login goes; then asks the server, finds the session
      // still its own, and sends again.
      await until(page, "globalThis.testLoggedOut === true");
      await until(page, `localStorage.getItem("cairn.team") === ${JSON.stringify(team)}`, 10);
      await page.unroute("**/api/puzzles/knots/guesses");
      // The flush ends once the panel says what is left: nothing (read as it ends, in the page).
      expect(await flushAndStatus(page)).toBe("");
      expect(guesses("granny knot")).toBe(1);
      await page.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
      expect(errors).toEqual([]);
      await login.close();
      await page.close();
    },
    60_000,
  );

  test(
    "a team's stats page, and a page with a word for it, say what waits and log out through it",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Shovelers");
      const page = await tab(token, "/puzzles/knots", errors);
      // The guess cannot get through (the network drops it), though the phone thinks it is online.
      const route = "**/api/puzzles/knots/guesses";
      await context.route(route, (request) => request.abort("internetdisconnected"));
      try {
        await page.getByRole("textbox", { name: "Answer" }).fill("racking hitch");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
        // The stats (not open yet: a page that says so), and a page that is no puzzle.
        for (const path of ["/stats", "/puzzles/no-such-puzzle"]) {
          await page.goto(`${server.base}${path}`);
          await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
        }
        await page.screenshot({ path: join(SHOTS, "outbox-message-page-phone.png") });
        expect(guesses("racking hitch")).toBe(0);
      } finally {
        await context.unroute(route);
      }
      // The network is back; the logout there sends the guess first, then forgets the phone's.
      await logOutSendingFirst(page, "racking hitch");
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a flush asked for while one runs ends once what was queued meanwhile went too",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Coots");
      const page = await tab(token, "/puzzles/knots", errors);
      // The first guess's send is held until the second is queued, and the flush asked for.
      let release = () => {};
      const held = new Promise<void>((resolve) => release = resolve);
      await page.route("**/api/puzzles/knots/guesses", async (route) => {
        await held;
        await route.continue();
      });
      for (const raw of ["sheepshank", "figure eight"]) {
        await page.getByRole("textbox", { name: "Answer" }).fill(raw);
        await page.getByRole("button", { name: "Submit" }).click();
      }
      await until(page, "globalThis.cairnOutbox.pending().then((n) => n === 2)");
      // (Kept, not awaited: it ends only once the send is let through.)
      await page.evaluate(`{
        globalThis.testLeft = globalThis.cairnOutbox.flush()
          .then(() => globalThis.cairnOutbox.pending());
        true;
      }`);
      release();
      // What waits for that flush (a page catching up) comes after both went.
      expect(await page.evaluate("globalThis.testLeft")).toBe(0);
      expect([guesses("sheepshank"), guesses("figure eight")]).toEqual([1, 1]);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  for (const [hours, team] of [[2, "Skuas"], [-3, "Shearwaters"]] as const) {
    test(
      `a guess queued offline on a phone whose clock is ${Math.abs(hours)} hours ${
        hours > 0 ? "ahead" : "slow"
      } counts when it was pressed`,
      async () => {
        const errors: string[] = [];
        const token = await registerTeam(server.base, team);
        await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
        const page = await context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.addInitScript(`{
      const realNow = Date.now;
      Date.now = () => realNow() + ${hours} * 60 * 60 * 1000;
    }`);
        await page.goto(`${server.base}/puzzles/knots`);
        // The page's token is a few seconds old when the player answers.
        await Bun.sleep(2_000);
        await goOffline(page);
        await page.getByRole("textbox", { name: "Answer" }).fill(`sheepshank ${team}`);
        const pressed = await timed(async () => {
          await page.getByRole("button", { name: "Submit" }).click();
          await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
        });
        // Longer than the 5 s a claimed time may move unflagged.
        await Bun.sleep(6_000);
        await context.setOffline(false);
        await page.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
        const [row] = server.query<
          { at: number; effective_at: number | null; flag: string | null }
        >(
          "SELECT at, effective_at, flag FROM guesses WHERE raw = ?",
          `sheepshank ${team}`,
        );
        // The page said when it was pressed in the server's clock: the server moved it by no more
        // than a phone's drift (a clock ahead counted on arrival, one slow at the page's token).
        expect(row!.flag).toBe(null);
        expect(row!.effective_at).not.toBe(null);
        const [from] = pressed;
        expect(Math.abs(row!.effective_at! - from)).toBeLessThan(Math.abs(row!.at - from));
        expect(errors).toEqual([]);
        await page.close();
      },
      60_000,
    );
  }

  test(
    "guesses queued offline each count when pressed, not when the one before was answered",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Fulmars");
      const page = await tab(token, "/puzzles/lighthouse", errors);
      await goOffline(page);
      const pressed: Record<string, [number, number]> = {};
      for (const [i, raw] of ["x1", "x2", "polaris"].entries()) {
        await page.getByRole("textbox", { name: "Answer" }).fill(raw);
        pressed[raw] = await timed(async () => {
          await page.getByRole("button", { name: "Submit" }).click();
          await page.locator("#outbox-status", { hasText: `${i + 1} answer` }).waitFor();
        });
        await Bun.sleep(1_000);
      }
      // Longer than the 5 s a claimed time may move unflagged.
      await Bun.sleep(6_000);
      await context.setOffline(false);
      await page.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
      for (const raw of ["x1", "x2", "polaris"]) {
        const [row] = server.query<{ effective_at: number | null; flag: string | null }>(
          "SELECT effective_at, flag FROM guesses JOIN teams t ON t.id = team_id WHERE raw = ? AND t.name = 'Fulmars'",
          raw,
        );
        // Each one counts when it was pressed, not when it arrived.
        expect({ raw, flag: row!.flag, pressed: inside(row!.effective_at, pressed[raw]!) })
          .toEqual({ raw, flag: null, pressed: true });
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test("a guess queued offline on a page since closed counts when pressed", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Eiders");
    const page = await tab(token, "/puzzles/knots", errors);
    await goOffline(page);
    await page.getByRole("textbox", { name: "Answer" }).fill("clove");
    const pressed = await timed(async () => {
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
    });
    await closeOffline(page);
    await Bun.sleep(6_000);
    // The next page the team opens sends it, its own token newer than the guess.
    await context.setOffline(false);
    const list = await tab(token, "/puzzles", errors);
    await list.locator("#outbox li", { hasText: "Not the answer" }).waitFor();
    const [row] = server.query<{ effective_at: number | null; flag: string | null }>(
      "SELECT effective_at, flag FROM guesses WHERE raw = 'clove'",
    );
    expect({ flag: row!.flag, pressed: inside(row!.effective_at, pressed) })
      .toEqual({ flag: null, pressed: true });
    expect(errors).toEqual([]);
    await list.close();
  }, 60_000);

  test(
    "a guess sent at once from a phone whose clock is an hour slow counts when it arrives",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Terns");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const page = await context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      await page.addInitScript(`{
      const realNow = Date.now;
      Date.now = () => realNow() - 60 * 60 * 1000;
    }`);
      await page.goto(`${server.base}/puzzles/knots`);
      // The page's token is a few seconds old when the player answers.
      await Bun.sleep(2_500);
      await page.getByRole("textbox", { name: "Answer" }).fill("half hitch");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
      const [row] = server.query<{ effective_at: number | null; flag: string | null }>(
        "SELECT effective_at, flag FROM guesses WHERE raw = 'half hitch'",
      );
      // Nothing waited: no time is claimed, none clamped.
      expect(row).toEqual({ effective_at: null, flag: null });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a checkpoint code typed while the server cannot be reached waits, then checks in",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Loons");
      const page = await tab(token, "/puzzles", errors);
      const checkins = () =>
        server.query<{ n: number }>(
          "SELECT count(*) AS n FROM checkins JOIN teams t ON t.id = team_id WHERE t.name = 'Loons'",
        )[0]!.n;
      // The phone thinks it is online, but the server cannot be reached.
      const routes = ["**/checkin", "**/api/checkins"];
      for (const route of routes) {
        await page.route(route, (request) => request.abort("connectionrefused"));
      }
      await page.getByRole("textbox", { name: "Checkpoint code" }).fill("dock-42");
      await page.getByRole("button", { name: "Check in" }).click();
      await page.locator("#outbox-status", { hasText: "1 check-in waiting for the network" })
        .waitFor();
      expect([new URL(page.url()).pathname, checkins()]).toEqual(["/puzzles", 0]);
      for (const route of routes) await page.unroute(route);
      await flushNow(page);
      // Named by title, as the checkpoint's own page names it, not by the code typed or its id.
      const result = page.locator("#outbox li", { hasText: "Checked in at The Dock" });
      await result.waitFor();
      expect(await result.textContent()).toContain("Unlocked: The Dock");
      // The list shows what it unlocked, and the result stays above it.
      await page.locator("#main a[href='/puzzles/dock']").waitFor();
      expect(await page.locator("#outbox li", { hasText: "Checked in" }).isVisible()).toBe(true);
      expect([checkins(), await pending(page)]).toEqual([1, 0]);
      // A code the server does not know is its final word: said at once, and nothing waits.
      await page.getByRole("textbox", { name: "Checkpoint code" }).fill("no-such-code");
      await page.getByRole("button", { name: "Check in" }).click();
      await page.locator("#outbox li", { hasText: "Unknown checkpoint" }).waitFor();
      expect(await pending(page)).toBe(0);
      await page.screenshot({ path: join(SHOTS, "outbox-checkin-phone.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "an answer whose request is never answered is kept on the phone, then sent again and counted once",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Grebes");
      const page = await tab(token, "/puzzles/lighthouse", errors);
      // The guess reaches the server, which stores it; the way back is cut, and no answer comes,
      // nor any error (Wi-Fi up, the way to the server gone).
      const held: Route[] = [];
      const stored = () =>
        server.query<{ raw: string }>(
          "SELECT raw FROM guesses JOIN teams ON teams.id = guesses.team_id WHERE teams.name = ?",
          "Grebes",
        );
      await page.route("**/api/puzzles/lighthouse/guesses", async (route) => {
        await route.fetch();
        held.push(route);
      }, { times: 1 });
      try {
        await page.getByRole("textbox", { name: "Answer" }).fill("polaris");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result", { hasText: "Saved on this phone" }).waitFor({
          timeout: 30_000,
        });
        await page.screenshot({ path: join(SHOTS, "outbox-hung-request-390.png"), fullPage: true });
        expect(stored()).toEqual([{ raw: "polaris" }]);
        // Sent again with its key: the stored answer, shown once.
        await flushNow(page);
        await page.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
        expect(await pending(page)).toBe(0);
        expect(await page.locator("#outbox li").count()).toBe(0);
        expect(stored()).toEqual([{ raw: "polaris" }]);
        expect(errors).toEqual([]);
      } finally {
        for (const route of held) await route.abort().catch(() => {});
        await page.close();
      }
    },
    60_000,
  );

  test(
    "a checkpoint code being typed stays when a teammate's solve redraws the puzzle list",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Avocets");
      const page = await tab(token, "/puzzles", errors);
      await page.waitForFunction("globalThis.cairnOutbox !== undefined");
      const code = page.getByRole("textbox", { name: "Checkpoint code" });
      await code.fill("dock-4");
      // A teammate solves Knots on another phone: this list shows it at once.
      await fetch(`${server.base}/api/puzzles/knots/guesses`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ answer: "bowline" }),
      });
      await page.locator("#team-score", { hasText: "50" }).waitFor();
      expect(await code.inputValue()).toBe("dock-4");
      expect(await page.evaluate("document.activeElement?.getAttribute('name')")).toBe("code");
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test("logging out sends what waits, then leaves no outbox", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Puffins");
    const page = await tab(token, "/puzzles/lighthouse", errors);
    // The guess cannot get through (the network drops it), though the phone thinks it is online.
    const route = "**/api/puzzles/*/guesses";
    await page.route(route, (request) => request.abort("internetdisconnected"));
    await page.getByRole("textbox", { name: "Answer" }).fill("sirius");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
    expect([await pending(page), guesses("sirius")]).toEqual([1, 0]);
    // The network is back; logging out sends the guess first.
    await page.unroute(route);
    await logOutSendingFirst(page, "sirius");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test(
    "logging out with no network keeps what waits and the team logged in; once back, it logs out",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Guillemots");
      const page = await tab(token, "/puzzles/lighthouse", errors);
      const dialogs: string[] = [];
      // Asked to drop what waits, the player says yes, as many would at the end of the day.
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.accept();
      });
      await goOffline(page);
      await page.getByRole("textbox", { name: "Answer" }).fill("vega");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "1 answer waiting for the network" })
        .waitFor();
      await page.getByRole("button", { name: "Log out" }).click();
      await page.locator("#outbox-logout", { hasText: "Not logged out" }).waitFor();
      await page.screenshot({ path: join(SHOTS, "outbox-logout-offline-phone.png") });
      // Nothing asked, nothing dropped, the puzzle still on the screen.
      expect(dialogs).toEqual([]);
      expect(new URL(page.url()).pathname).toBe("/puzzles/lighthouse");
      expect(await pending(page)).toBe(1);
      await page.getByRole("textbox", { name: "Answer" }).waitFor();

      // Back online: the answer goes, and the team is still logged in to log out.
      await context.setOffline(false);
      await page.locator("#result", { hasText: "Not the answer" }).waitFor();
      expect(await page.locator("#outbox-logout").isHidden()).toBe(true);
      expect(guesses("vega")).toBe(1);
      await page.getByRole("button", { name: "Log out" }).click();
      await page.waitForURL(`${server.base}/`);
      await page.locator("#login").waitFor();
      const after = await fetch(`${server.base}/api/puzzles`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(after.status).toBe(401);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a login tried with no network on an old landing tab leaves the team's tabs sending what waits",
    async () => {
      const errors: string[] = [];
      // A tab the phone kept on the landing page, from before the team logged in (in another tab).
      await context.clearCookies();
      const landing = await context.newPage();
      landing.on("pageerror", (error) => errors.push(error.message));
      await landing.goto(`${server.base}/`);
      const token = await registerTeam(server.base, "Scoters");
      const page = await tab(token, "/puzzles/knots", errors);
      await goOffline(page);
      await page.getByRole("textbox", { name: "Answer" }).fill("clove hitch");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "1 answer waiting for the network" })
        .waitFor();
      // With no network, the player tries to log in again on the landing tab: it cannot go.
      const form = landing.locator("#login");
      await form.getByLabel("Team name").fill("Scoters");
      await form.getByLabel("Password").fill("correct horse");
      await form.getByRole("button", { name: "Log in" }).click();
      await form.getByText("No network: try again when it is back.").waitFor();
      await landing.screenshot({ path: join(SHOTS, "outbox-login-offline-phone.png") });
      // The phone still has the team's session: its tab sends what waits once the network is
      // back, with no page loaded, and never says it waits for a login.
      await context.setOffline(false);
      await page.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
      expect(await pending(page)).toBe(0);
      expect(guesses("clove hitch")).toBe(1);
      expect(await page.locator("#outbox-status").textContent()).toBe("");
      await page.screenshot({ path: join(SHOTS, "outbox-after-login-offline-phone.png") });
      expect(errors).toEqual([]);
      await page.close();
      await landing.close();
    },
    60_000,
  );

  test(
    "actions refused for a lost session wait for a login, then go for that team only, counting when pressed",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Auks");
      await registerTeam(server.base, "Petrels");
      const page = await tab(token, "/puzzles/knots", errors);
      const list = await tab(token, "/puzzles", errors);
      const sent: string[] = [];
      for (const each of [page, list]) {
        each.on("request", (request) => {
          if (request.method() === "POST") sent.push(new URL(request.url()).pathname);
        });
      }
      // The session ends elsewhere (an organizer, another logout): this phone does not know yet.
      const out = await fetch(`${server.base}/api/session`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(out.status).toBe(200);
      await page.getByRole("textbox", { name: "Answer" }).fill("sheet bend");
      const pressed = await timed(async () => {
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#outbox-status", {
          hasText: "1 answer waiting for you to log in again",
        }).waitFor();
      });
      // A code typed next waits with it, without a try of its own.
      await list.getByRole("textbox", { name: "Checkpoint code" }).fill("dock-42");
      await list.getByRole("button", { name: "Check in" }).click();
      await list.locator("#outbox-status", {
        hasText: "1 answer, 1 check-in waiting for you to log in again",
      }).waitFor();
      expect(await list.locator("#outbox-status a").getAttribute("href")).toBe("/#login");
      await list.screenshot({ path: join(SHOTS, "outbox-waiting-login-phone.png") });
      await list.close();
      // Nor does anything go later while the phone is logged out.
      await flushNow(page);
      expect(sent).toEqual(["/api/puzzles/knots/guesses"]);
      const checkins = (team: string) =>
        server.query<{ n: number }>(
          "SELECT count(*) AS n FROM checkins JOIN teams t ON t.id = team_id WHERE t.name = ?",
          team,
        )[0]!.n;
      expect([await pending(page), guesses("sheet bend"), checkins("Auks")]).toEqual([2, 0, 0]);

      // Another team logs in on this phone: what Auks left waits, even in Auks' own tab.
      const petrels = await logInAs("Petrels", errors);
      await flushNow(petrels);
      await flushNow(page);
      expect(await petrels.locator("#outbox").isHidden()).toBe(true);
      expect(sent).toEqual(["/api/puzzles/knots/guesses"]);
      expect([await pending(page), guesses("sheet bend"), checkins("Petrels")]).toEqual([2, 0, 0]);
      await petrels.close();
      await page.close();

      // Auks log in again: both go, for Auks, the guess counting when it was pressed (a send
      // within a second of its time would count on arrival).
      await Bun.sleep(1_000);
      const auks = await logInAs("Auks", errors);
      await auks.locator("#outbox li", { hasText: "Not the answer" }).waitFor();
      await auks.locator("#outbox li", { hasText: "Checked in" }).waitFor();
      expect(await pending(auks)).toBe(0);
      const [row] = server.query<
        { team: string; effective_at: number | null; flag: string | null }
      >(
        "SELECT t.name AS team, effective_at, flag FROM guesses JOIN teams t ON t.id = team_id WHERE raw = 'sheet bend'",
      );
      expect({ ...row, effective_at: inside(row!.effective_at, pressed) })
        .toEqual({ team: "Auks", effective_at: true, flag: null });
      expect([checkins("Auks"), checkins("Petrels")]).toEqual([1, 0]);
      await auks.screenshot({ path: join(SHOTS, "outbox-sent-after-login-phone.png") });
      expect(errors).toEqual([]);
      await auks.close();
    },
    60_000,
  );

  test(
    "what another team left waiting on the phone is dropped at a logout only once asked",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Murres");
      await registerTeam(server.base, "Noddies");
      const page = await tab(token, "/puzzles/knots", errors);
      // Murres' session ends elsewhere; their answer waits on the phone for their login.
      const out = await fetch(`${server.base}/api/session`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(out.status).toBe(200);
      await page.getByRole("textbox", { name: "Answer" }).fill("double overhand stopper");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "1 answer waiting for you to log in again" })
        .waitFor();
      await page.close();
      // Noddies log in on the phone, with nothing of their own waiting, and log out.
      const noddies = await logInAs("Noddies", errors);
      const asked: string[] = [];
      let drop = false;
      noddies.on("dialog", (dialog) => {
        asked.push(dialog.message());
        void (drop ? dialog.accept() : dialog.dismiss());
      });
      await noddies.getByRole("button", { name: "Log out" }).click();
      for (let i = 0; i < 50 && asked.length === 0; i++) await Bun.sleep(100);
      expect(asked).toEqual([
        "1 answer waiting for another team to log in again. Log out and drop them?",
      ]);
      // Kept: nothing dropped, still logged in.
      expect(new URL(noddies.url()).pathname).toBe("/puzzles");
      expect(await pending(noddies)).toBe(1);
      // Asked again, the player drops it: logged out, nothing left.
      drop = true;
      await noddies.getByRole("button", { name: "Log out" }).click();
      await noddies.waitForURL(`${server.base}/`);
      expect(asked.length).toBe(2);
      expect((await outboxCounts(noddies)).outbox).toBe(0);
      expect(guesses("double overhand stopper")).toBe(0);
      expect(errors).toEqual([]);
      await noddies.close();
    },
    60_000,
  );

  test(
    "the network coming back while a send is failing sends again at once, not at the next timer",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Shags");
      const page = await tab(token, "/puzzles/knots", errors);
      // The first send hangs, then fails; the phone says it is online again meanwhile.
      const route = "**/api/puzzles/*/guesses";
      let held = 0;
      await page.route(route, async (request) => {
        if (held++ > 0) return await request.continue();
        await new Promise((resolve) => setTimeout(resolve, 800));
        await request.abort("internetdisconnected");
      });
      await page.getByRole("textbox", { name: "Answer" }).fill("bowline-ish");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.evaluate(`window.dispatchEvent(new Event("online"))`);
      // The timer would send it 20 s later; the second try comes as soon as the first fails.
      await page.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor({
        timeout: 8_000,
      });
      expect(guesses("bowline-ish")).toBe(1);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );
});

suite("the outbox across the hunt's end, with offline_grace", () => {
  test(
    "answers and an upload queued before the end, sent after it within the grace, all count",
    async () => {
      const admin = "outbox-grace-admin-token";
      const hunt = (endsAt: number) => `
[hunt]
title = "Last Orders"
ends_at = ${new Date(endsAt).toISOString().replace(/\.\d{3}Z$/, "Z")}
offline_grace = "1m"

[[puzzle]]
id = "bell"
title = "The Bell"
answer = ["last orders"]

[[puzzle]]
id = "toast"
title = "A Toast"
submit = "text"
`;
      // Tomorrow until the server and the browser are up and the team registered, however long a
      // loaded machine takes; then, by a reload before the pages open, 15 s from now.
      const ended = await startBinary(hunt(Date.now() + 24 * 3600 * 1000), {
        args: ["--admin-token", admin],
      });
      const phone = await launchChromium([], { serviceWorkers: "block" });
      try {
        const errors: string[] = [];
        const token = await registerTeam(ended.base, "Swifts");
        // Whole seconds, as a hunt file writes them.
        const endsAt = Math.ceil((Date.now() + 15_000) / 1000) * 1000;
        writeFileSync(join(ended.dir, "hunt.toml"), hunt(endsAt));
        const reloaded = await fetch(`${ended.base}/api/admin/reload`, {
          method: "POST",
          headers: { authorization: `Bearer ${admin}` },
        });
        expect(reloaded.status).toBe(200);
        await phone.context.addCookies([
          { name: "cairn_session", value: token, url: ended.base },
        ]);
        const open = async (path: string) => {
          const page = await phone.context.newPage();
          page.on("pageerror", (error) => errors.push(error.message));
          await page.goto(`${ended.base}${path}`);
          return page;
        };
        const puzzle = await open("/puzzles/bell");
        const mission = await open("/puzzles/toast");
        await phone.context.setOffline(true);
        const pressed: Record<string, [number, number]> = {};
        for (const [i, raw] of ["first round", "second round", "last orders"].entries()) {
          await puzzle.getByRole("textbox", { name: "Answer" }).fill(raw);
          pressed[raw] = await timed(async () => {
            await puzzle.getByRole("button", { name: "Submit" }).click();
            await puzzle.locator("#outbox-status", { hasText: `${i + 1} answer` }).waitFor();
          });
        }
        await closeOffline(puzzle);
        await mission.getByLabel("Your text").fill("To the bell ringer!");
        const uploaded = await timed(async () => {
          await mission.getByRole("button", { name: "Send" }).click();
          await mission.locator("#mission-status", { hasText: "Saved on this phone" }).waitFor();
        });
        await mission.locator("#outbox-status", {
          hasText: "3 answers, 1 upload waiting for the network",
        }).waitFor();
        expect(Date.now()).toBeLessThan(endsAt);
        // The network comes back 10 s after the end.
        await Bun.sleep(endsAt + 10_000 - Date.now());
        await phone.context.setOffline(false);
        await mission.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor();
        await mission.locator("#outbox-status").waitFor({ state: "hidden" });
        const rows = ended.query<{ raw: string; result: string; effective_at: number }>(
          "SELECT raw, result, effective_at FROM guesses ORDER BY id",
        );
        expect(rows.map((row) => [row.raw, row.result])).toEqual([
          ["first round", "incorrect"],
          ["second round", "incorrect"],
          ["last orders", "correct"],
        ]);
        // Each one counts when it was pressed, before the end.
        expect(rows.map((row) => inside(row.effective_at, pressed[row.raw]!))).toEqual([
          true,
          true,
          true,
        ]);
        expect(ended.query("SELECT puzzle FROM solves")).toEqual([{ puzzle: "bell" }]);
        const [submission] = ended.query<{ status: string; at: number }>(
          "SELECT status, at FROM submissions",
        );
        expect(submission!.status).toBe("pending");
        expect(inside(submission!.at, uploaded)).toBe(true);
        // Nothing was refused.
        expect(await mission.locator("#outbox li", { hasText: "Not accepted" }).count()).toBe(0);
        await mission.screenshot({ path: join(SHOTS, "outbox-after-end-phone.png") });
        expect(errors).toEqual([]);
      } finally {
        await phone.close();
        await ended.stop();
      }
    },
    90_000,
  );
});

suite("the outbox across a reload of the hunt file", () => {
  test(
    "an answer queued offline for a puzzle a reload removed says why it was refused",
    async () => {
      await buildBinary();
      const admin = "outbox-reload-admin-token";
      const hunt = (lantern: boolean) => `
[hunt]
title = "Changing Tides"

[[puzzle]]
id = "jetty"
title = "The Jetty"
answer = ["planks"]
${lantern ? '\n[[puzzle]]\nid = "lantern"\ntitle = "The Lantern"\nanswer = ["wick"]\n' : ""}`;
      const reloaded = await startBinary(hunt(true), { args: ["--admin-token", admin] });
      const phone = await launchChromium([], { serviceWorkers: "block" });
      try {
        const errors: string[] = [];
        const token = await registerTeam(reloaded.base, "Grebes");
        await phone.context.addCookies([
          { name: "cairn_session", value: token, url: reloaded.base },
        ]);
        const open = async (path: string) => {
          const page = await phone.context.newPage();
          page.on("pageerror", (error) => errors.push(error.message));
          await page.goto(`${reloaded.base}${path}`);
          return page;
        };
        const puzzle = await open("/puzzles/lantern");
        await phone.context.setOffline(true);
        await puzzle.getByRole("textbox", { name: "Answer" }).fill("wick");
        await puzzle.getByRole("button", { name: "Submit" }).click();
        await puzzle.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
        await closeOffline(puzzle);
        // Meanwhile the organizers take the puzzle out of the hunt.
        writeFileSync(join(reloaded.dir, "hunt.toml"), hunt(false));
        const reload = await fetch(`${reloaded.base}/api/admin/reload`, {
          method: "POST",
          headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
          body: "{}",
        });
        expect(reload.status).toBe(200);
        await phone.context.setOffline(false);
        const list = await open("/puzzles");
        const result = list.locator("#outbox li", { hasText: "“wick” on The Lantern" });
        await result.waitFor();
        // It was sent, and refused: said so, and why, in words a player reads.
        expect(await result.locator("strong").textContent()).toBe("Not accepted");
        expect(await result.textContent()).toContain("This puzzle is not open to your team");
        await list.screenshot({ path: join(SHOTS, "outbox-puzzle-removed-phone.png") });
        expect(errors).toEqual([]);
      } finally {
        await phone.close();
        await reloaded.stop();
      }
    },
    90_000,
  );
});

suite("the outbox across a server restart", () => {
  test(
    "an answer made while the server was down is sent once it is back, without a reload",
    async () => {
      await buildBinary();
      const restarted = await startBinary(`
[hunt]
title = "Power Cut"

[[puzzle]]
id = "fuse"
title = "The Fuse"
answer = ["amps"]
`);
      const phone = await launchChromium([], { serviceWorkers: "block" });
      try {
        const errors: string[] = [];
        const token = await registerTeam(restarted.base, "Dippers");
        await phone.context.addCookies([
          { name: "cairn_session", value: token, url: restarted.base },
        ]);
        const page = await phone.context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        // Not the 20 s timer: what brings the answer is the server answering again.
        await page.addInitScript(`{
        const every = globalThis.setInterval;
        globalThis.setInterval = (f, ms, ...rest) => (ms === 20000 ? 0 : every(f, ms, ...rest));
      }`);
        await page.goto(`${restarted.base}/puzzles/fuse`);
        await restarted.restart(async () => {
          // The phone still has its Wi-Fi; the server does not answer.
          await page.getByRole("textbox", { name: "Answer" }).fill("volts");
          await page.getByRole("button", { name: "Submit" }).click();
          await page.locator("#result", { hasText: "Saved on this phone" }).waitFor();
          await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
        });
        await page.locator("#result.notice-bad", { hasText: "Not the answer" }).waitFor();
        await page.locator("#outbox-status").waitFor({ state: "hidden" });
        expect(
          restarted.query("SELECT raw, result FROM guesses"),
        ).toEqual([{ raw: "volts", result: "incorrect" }]);
        expect(errors).toEqual([]);
      } finally {
        await phone.close();
        await restarted.stop();
      }
    },
    90_000,
  );
});

suite("a countdown that ends offline", () => {
  test(
    "does not reload the page into the browser's error page, and reloads once the server answers",
    async () => {
      await buildBinary();
      const served = await startBinary(`
[hunt]
title = "Reef Hunt"

[[puzzle]]
id = "reef"
title = "The Reef"
body = "Count the coral heads."
answer = ["nine"]
guess_limit = { count = 1, per = "5s" }
`);
      const phone = await launchChromium([], { serviceWorkers: "block" });
      try {
        const errors: string[] = [];
        const token = await registerTeam(served.base, "Shags");
        // One wrong guess: the guess limit's wait is counted down on the page.
        await fetch(`${served.base}/api/puzzles/reef/guesses`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ answer: "seven" }),
        });
        await phone.context.addCookies([{ name: "cairn_session", value: token, url: served.base }]);
        const page = await phone.context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.goto(`${served.base}/puzzles/reef`);
        const wait = Number(
          await page.locator("#limit-note [data-countdown]").getAttribute(
            "data-countdown",
          ),
        );
        expect(wait).toBeGreaterThan(0);
        const navigations: string[] = [];
        page.on("framenavigated", (frame) => {
          if (frame === page.mainFrame()) navigations.push(frame.url());
        });
        await phone.context.setOffline(true);
        await page.waitForFunction("!navigator.onLine");
        // The countdown ends while the phone has no network: the puzzle stays on the screen.
        await page.waitForTimeout((wait + 2) * 1000);
        await page.screenshot({
          path: join(SHOTS, "outbox-countdown-offline-390.png"),
          fullPage: true,
        });
        expect(navigations).toEqual([]);
        expect(await page.locator("#limit-note").textContent()).toContain("a moment");
        expect(await page.locator("h1").textContent()).toBe("The Reef");
        expect(await page.getByText("Count the coral heads.").isVisible()).toBe(true);
        // Back online: the page shows the form open again.
        await phone.context.setOffline(false);
        await page.locator("#guess-form button:not([disabled])").waitFor({ timeout: 15_000 });
        expect(navigations).toEqual([`${served.base}/puzzles/reef`]);
        expect(errors).toEqual([]);
      } finally {
        await phone.context.setOffline(false);
        await phone.close();
        await served.stop();
      }
    },
    90_000,
  );
});
