// A team's phone whose Wi-Fi drops: its puzzle page, while the live stream
// brings its teammates' doings (a solve that reloads the page waits for the
// server, and what happened while the stream was down, a teammate's solve or
// puzzles opened, is told once it is back, each puzzle once), and the landing
// page, whose login waits for the network. On plain HTTP (no service worker),
// against the compiled binary; screenshots go to test-results/screenshots/.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page, Request } from "playwright-core";
import {
  chromiumAvailable,
  keepToasts,
  registerTeam,
  type Served,
  serveForSuite,
  SHOTS,
  toastsShown,
  toldOf,
} from "./_browser.ts";

const HUNT = `
[hunt]
title = "Harbor Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = ["polaris"]

[[puzzle]]
id = "vault"
title = "The Vault"
unlock = 'solved("lighthouse")'
answer = ["open"]

[[puzzle]]
id = "knots"
title = "Knots"
answer = ["bowline"]

[[puzzle]]
id = "meta"
title = "Harbor Meta"
unlock = 'solved("knots")'
answer = ["anchor"]

[[puzzle]]
id = "tide"
title = "The Tide"
answer = ["ebb"]
guess_limit = { count = 3, per = "10m" }

[[puzzle]]
id = "compass"
title = "The Compass"
answer = ["north"]

[[puzzle]]
id = "leg-1"
title = "Leg 1"
unlock = 'solved("compass")'
answer = ["x"]

[[puzzle]]
id = "leg-2"
title = "Leg 2"
unlock = 'solved("compass")'
answer = ["x"]

[[puzzle]]
id = "leg-3"
title = "Leg 3"
unlock = 'solved("compass")'
answer = ["x"]

[[puzzle]]
id = "leg-4"
title = "Leg 4"
unlock = 'solved("compass")'
answer = ["x"]
`;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

/** A teammate's guess, from another phone. */
async function teammateGuesses(base: string, token: string, puzzle: string, answer: string) {
  const res = await fetch(`${base}/api/puzzles/${puzzle}/guesses`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ answer }),
  });
  expect(res.status).toBe(200);
}

/** A page's live stream, as its requests are routed. */
const STREAM = /\/api\/events/;

/**
 * Cuts `page` off its live stream (and off `blocked` too), restarts the server so that the open
 * stream ends, runs `meanwhile`, then lets everything through again: resolves once the stream is
 * open again.
 */
async function streamDownWhile(
  page: Page,
  server: Served["server"],
  meanwhile: () => Promise<void>,
  blocked: string[] = [],
): Promise<void> {
  await page.route(STREAM, (route) => route.abort("internetdisconnected"));
  for (const pattern of blocked) {
    await page.route(pattern, (route) => route.abort("internetdisconnected"));
  }
  await server.restart(async () => {});
  await meanwhile();
  const reopened = page.waitForResponse(
    (r) => STREAM.test(r.url()) && r.status() === 200,
    { timeout: 30_000 },
  );
  for (const pattern of blocked) await page.unroute(pattern);
  await page.unroute(STREAM);
  await reopened;
}

suite("a puzzle's page when the Wi-Fi drops", () => {
  const served: Partial<Served> = {};
  // As on plain HTTP at a LAN address: no service worker keeps pages.
  serveForSuite(served, HUNT, [], { serviceWorkers: "block" });

  /**
   * A new team `name`'s phone on `path`, once its live stream is open: the page, the script errors
   * it throws, the team's session token, and `done`, which ends the test: the screenshot `shot`
   * (when given), no script error, the page closed.
   */
  async function teamPage(name: string, path: string) {
    const { server, browser } = served as Served;
    const token = await registerTeam(server.base, name);
    await browser.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await keepToasts(page);
    const stream = page.waitForResponse((r) => r.url().includes("/api/events"));
    await page.goto(`${server.base}${path}`);
    expect((await stream).status()).toBe(200);
    const done = async (shot?: string) => {
      if (shot !== undefined) await page.screenshot({ path: join(SHOTS, shot) });
      expect(errors).toEqual([]);
      await page.close();
    };
    return { page, errors, token, done };
  }

  /** A new team `name`'s phone on `puzzle`'s page (the list, for ""), as `teamPage`. */
  const teamPuzzlePage = (name: string, puzzle: string) =>
    teamPage(name, puzzle === "" ? "/puzzles" : `/puzzles/${puzzle}`);

  test(
    "a teammate's solve as the network drops keeps the puzzle on the screen, then shows it solved",
    async () => {
      const { server, browser } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Gulls", "knots");
      // The Wi-Fi drops before the page reloads to show the solve: the page asks whether the server
      // answers first (1.5 s after the toast), and that question waits until the Wi-Fi is gone, however
      // late this test gets there.
      let drop = () => {};
      const dropped = new Promise<void>((resolve) => (drop = resolve));
      await page.route("**/api/hunt", async (route) => {
        await dropped;
        await route.abort("internetdisconnected");
      }, { times: 1 });
      await teammateGuesses(server.base, token, "knots", "bowline");
      await toldOf(page, "A teammate just solved this puzzle.");
      await browser.context.setOffline(true);
      drop();
      try {
        await Bun.sleep(3_000);
        expect(new URL(page.url()).pathname).toBe("/puzzles/knots");
        await page.getByRole("heading", { name: "Knots" }).waitFor({ timeout: 1_000 });
        await page.screenshot({ path: join(SHOTS, "live-teammate-solve-offline-phone.png") });
      } finally {
        await browser.context.setOffline(false);
      }
      // Back: the page shows the solve.
      await page.locator("#solved-badge").waitFor({ timeout: 15_000 });
      await done();
    },
    60_000,
  );

  test(
    "a teammate's solve while the stream was down is told once it is back, and the page shows it",
    async () => {
      const { server } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Petrels", "knots");
      await streamDownWhile(
        page,
        server,
        () => teammateGuesses(server.base, token, "knots", "bowline"),
      );
      // Both toasts come together, and go as the page reloads 1.5 s later.
      await toldOf(page, "A teammate solved this puzzle.");
      await toldOf(page, "New puzzle unlocked: Harbor Meta");
      await page.screenshot({ path: join(SHOTS, "live-solved-meanwhile-phone.png") });
      // The page reloads to show the solve, the answer box gone.
      await page.locator("#solved-badge").waitFor({ timeout: 15_000 });
      expect(await page.getByRole("textbox", { name: "Answer" }).count()).toBe(0);
      await done();
    },
    60_000,
  );

  for (const [why, answer] of [["gets no answer", "none"], ["is answered 503", "503"]] as const) {
    test(
      `a catching up that ${why} as the stream comes back is tried again, not left undone`,
      async () => {
        const { server } = served as Served;
        const { page, token, done } = await teamPuzzlePage(`Eiders ${answer}`, "knots");
        // The stream comes back, but the page's next request, its catching up, gets no answer (or
        // the node that answers it is starting again).
        const own = `${server.base}/puzzles/knots`;
        await page.route(
          own,
          (route) =>
            route.request().headers()["cairn-background"] !== "1"
              ? route.continue()
              : answer === "none"
              ? route.abort("internetdisconnected")
              : route.fulfill({ status: 503, contentType: "text/html", body: "Starting again" }),
        );
        const isOwn = (request: Request) => request.url() === own;
        const refused = answer === "none"
          ? page.waitForEvent("requestfailed", { predicate: isOwn, timeout: 30_000 })
          : page.waitForEvent("requestfinished", { predicate: isOwn, timeout: 30_000 });
        await streamDownWhile(
          page,
          server,
          () => teammateGuesses(server.base, token, "knots", "bowline"),
        );
        await refused;
        await page.unroute(own);
        // Then it does: the page says what happened meanwhile, and shows it.
        await toldOf(page, "A teammate solved this puzzle.", 15_000);
        await page.locator("#solved-badge").waitFor({ timeout: 15_000 });
        await done();
      },
      60_000,
    );
  }

  test(
    "many puzzles opened while the stream was down are told in one toast, not a screenful",
    async () => {
      const { server } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Shags", "lighthouse");
      await streamDownWhile(
        page,
        server,
        () => teammateGuesses(server.base, token, "compass", "north"),
      );
      await toldOf(page, "4 new puzzles unlocked.");
      expect((await toastsShown(page, "4 new puzzles unlocked.")).map((toast) => toast.href))
        .toEqual(["/puzzles"]);
      await page.screenshot({ path: join(SHOTS, "live-many-unlocked-meanwhile-phone.png") });
      expect(await toastsShown(page, "New puzzle unlocked")).toEqual([]);
      await done();
    },
    60_000,
  );

  test(
    "what opened while the stream was down is told once it is back, each puzzle once",
    async () => {
      const { server } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Terns", "lighthouse");
      // The stream drops (the server restarts, or the Wi-Fi goes while the phone keeps it) and
      // does not get through again for a while; nor do this phone's answers.
      await streamDownWhile(page, server, async () => {
        // Meanwhile a teammate's solve opens the meta, and this phone's own answer waits: sent
        // once the server answers again, it opens the vault, told by the stream as it comes.
        await teammateGuesses(server.base, token, "knots", "bowline");
        await page.getByRole("textbox", { name: "Answer" }).fill("polaris");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result", { hasText: "Saved on this phone" }).waitFor();
      }, ["**/api/puzzles/*/guesses"]);
      // The live event tells the vault as the answer goes; the catching up, within 2 s of the
      // stream's opening, the meta: the vault's toast may be gone by the time the meta's comes.
      const meta = "New puzzle unlocked: Harbor Meta";
      const vault = "New puzzle unlocked: The Vault";
      await toldOf(page, meta, 15_000);
      await toldOf(page, vault, 15_000);
      await page.locator("#result", { hasText: "Correct! Puzzle solved." }).waitFor();
      await page.screenshot({ path: join(SHOTS, "live-unlocked-meanwhile-phone.png") });
      // Each once, though both the catching up and the live event could tell the vault.
      await Bun.sleep(2_000);
      expect([(await toastsShown(page, meta)).length, (await toastsShown(page, vault)).length])
        .toEqual([1, 1]);
      expect(await toastsShown(page, "teammate")).toEqual([]);
      // The link opens the meta.
      expect((await toastsShown(page, meta))[0]!.href).toBe("/puzzles/meta");
      await done();
    },
    60_000,
  );

  test(
    "the puzzle list tells what opened while the stream was down, as it redraws, once",
    async () => {
      const { server } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Puffins", "");
      await streamDownWhile(
        page,
        server,
        () => teammateGuesses(server.base, token, "knots", "bowline"),
      );
      const meta = "New puzzle unlocked: Harbor Meta";
      await toldOf(page, meta);
      await page.locator(".puzzle-list").getByRole("link", { name: "Harbor Meta" }).waitFor();
      await page.screenshot({ path: join(SHOTS, "live-list-unlocked-meanwhile-phone.png") });
      await Bun.sleep(1_000);
      expect(await toastsShown(page, meta)).toHaveLength(1);
      await done();
    },
    60_000,
  );

  test(
    "the wrong guesses left follow a teammate's made while the stream was down, up to the wait",
    async () => {
      const { server } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Grebes", "tide");
      const note = page.locator("#limit-note");
      await note.filter({ hasText: "3 of 3 wrong guesses left" }).waitFor();
      await streamDownWhile(
        page,
        server,
        () => teammateGuesses(server.base, token, "tide", "flood"),
      );
      await note.filter({ hasText: "2 of 3 wrong guesses left" }).waitFor({ timeout: 15_000 });
      // Then two more: the team is past the limit, and this phone's answer box is off till the wait ends.
      await streamDownWhile(page, server, async () => {
        await teammateGuesses(server.base, token, "tide", "neap");
        await teammateGuesses(server.base, token, "tide", "spring");
      });
      await note.filter({ hasText: "Too many wrong guesses. You can guess again in" })
        .waitFor({ timeout: 15_000 });
      expect(await page.getByRole("textbox", { name: "Answer" }).isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: "Submit" }).isDisabled()).toBe(true);
      await done("live-limit-caught-up-phone.png");
    },
    60_000,
  );

  test(
    "the wrong guesses left count a teammate's too once the answers that waited are sent",
    async () => {
      const { server, browser } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Divers", "tide");
      const note = page.locator("#limit-note");
      await browser.context.setOffline(true);
      try {
        await page.waitForFunction("!navigator.onLine");
        await page.getByRole("textbox", { name: "Answer" }).fill("flood");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result", { hasText: "Saved on this phone" }).waitFor();
        // Meanwhile a teammate's phone, online, guesses wrong too.
        await teammateGuesses(server.base, token, "tide", "neap");
      } finally {
        await browser.context.setOffline(false);
      }
      await page.locator("#result", { hasText: "Not the answer" }).waitFor();
      await note.filter({ hasText: "1 of 3 wrong guesses left" }).waitFor({ timeout: 15_000 });
      await done("live-limit-after-outbox-phone.png");
    },
    60_000,
  );

  test(
    "the puzzle list a live event could not redraw offline says it may be out of date, then catches up",
    async () => {
      const { server, browser } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Cormorants", "");
      // The Wi-Fi drops while the live stream still brings a teammate's solve: the list cannot be
      // fetched again.
      await browser.context.setOffline(true);
      const stale = page.locator("#stale-note");
      try {
        await page.waitForFunction("!navigator.onLine");
        await teammateGuesses(server.base, token, "knots", "bowline");
        await stale.filter({ hasText: "No network: this list may be out of date." }).waitFor();
        // The live event names what opened, by its title, though nothing else can be fetched.
        await toldOf(page, "New puzzle unlocked: Harbor Meta");
        await page.screenshot({ path: join(SHOTS, "live-list-stale-offline-phone.png") });
        expect(
          await page.locator(".puzzle-list").getByRole("link", { name: "Harbor Meta" }).count(),
        )
          .toBe(0);
      } finally {
        await browser.context.setOffline(false);
      }
      // Back: the list shows the solve and what it opened, with no other event, and says it once.
      await page.locator(".puzzle-list").getByRole("link", { name: "Harbor Meta" }).waitFor();
      await stale.waitFor({ state: "detached" });
      await page.screenshot({ path: join(SHOTS, "live-list-stale-back-phone.png") });
      expect(await toastsShown(page, "New puzzle unlocked")).toHaveLength(1);
      await done();
    },
    60_000,
  );

  test(
    "the puzzle list the server cannot send now (503) says so, not the network, then catches up",
    async () => {
      const { server } = served as Served;
      const { page, token, done } = await teamPuzzlePage("Scoters", "");
      // The node that answers the list's redraw is starting again: 503, while the stream is up.
      const list = `${server.base}/puzzles`;
      await page.route(
        list,
        (route) =>
          route.request().headers()["cairn-background"] === "1"
            ? route.fulfill({
              status: 503,
              contentType: "text/html; charset=utf-8",
              headers: { "retry-after": "5" },
              body: "<!doctype html><title>Starting again</title><h1>Starting again</h1>",
            })
            : route.continue(),
      );
      const stale = page.locator("#stale-note");
      try {
        await teammateGuesses(server.base, token, "knots", "bowline");
        await stale.filter({
          hasText: "The server cannot send this list now: it may be out of date.",
        }).waitFor();
        await page.screenshot({ path: join(SHOTS, "live-list-stale-server-503-phone.png") });
      } finally {
        await page.unroute(list);
      }
      await page.locator(".puzzle-list").getByRole("link", { name: "Harbor Meta" })
        .waitFor({ timeout: 15_000 });
      await stale.waitFor({ state: "detached" });
      await done();
    },
    60_000,
  );

  test(
    "the scoreboard a live change could not redraw offline says it may be out of date, then catches up",
    async () => {
      const { server, browser } = served as Served;
      // The rival registers first: its registration moves the board the page shows, as its solve does.
      const rival = await registerTeam(server.base, "Skimmers");
      const { page, done } = await teamPage("Ospreys", "/scoreboard");
      await browser.context.setOffline(true);
      const stale = page.locator("#stale-note");
      try {
        await page.waitForFunction("!navigator.onLine");
        // Another team's solve moves the board; the stream says so, the page cannot fetch it.
        await teammateGuesses(server.base, rival, "lighthouse", "polaris");
        await stale.filter({ hasText: "No network: the scoreboard may be out of date." })
          .waitFor({ timeout: 15_000 });
        await page.screenshot({ path: join(SHOTS, "live-board-stale-offline-phone.png") });
      } finally {
        await browser.context.setOffline(false);
      }
      await stale.waitFor({ state: "detached", timeout: 15_000 });
      // The board shows the solve.
      await page.locator("tr", { hasText: "Skimmers" }).locator("td").nth(1)
        .filter({ hasText: "1" }).waitFor();
      await done();
    },
    60_000,
  );

  test(
    "logging in or joining with no network keeps the landing page, and what was typed",
    async () => {
      const { server, browser } = served as Served;
      const errors: string[] = [];
      await registerTeam(server.base, "Kittiwakes");
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.base}/`);
      const login = page.locator("#login");
      await login.getByLabel("Team name").fill("Kittiwakes");
      await login.getByLabel("Password").fill("correct horse");
      const joining = page.locator("form[action='/join']");
      await joining.getByLabel("Team name").fill("Fulmars");
      await joining.getByLabel("Password").fill("another horse");
      await browser.context.setOffline(true);
      try {
        await page.waitForFunction("!navigator.onLine");
        await login.getByRole("button", { name: "Log in" }).click();
        await login.getByText("No network: try again when it is back.").waitFor();
        await joining.getByRole("button", { name: "Join" }).click();
        await joining.getByText("No network: try again when it is back.").waitFor();
        await page.screenshot({
          path: join(SHOTS, "live-login-offline-phone.png"),
          fullPage: true,
        });
        expect(new URL(page.url()).pathname).toBe("/");
        expect(await login.getByLabel("Password").inputValue()).toBe("correct horse");
      } finally {
        await browser.context.setOffline(false);
      }
      // Back: the same tap logs in.
      await login.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(`${server.base}/puzzles`);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a puzzle corrected while the stream was down is drawn again once it is back, with a note",
    async () => {
      const { server } = served as Served;
      const { page, done } = await teamPuzzlePage("Gannets", "compass");
      await page.evaluate("document.body.dataset.sameDocument = 'yes'");
      await streamDownWhile(page, server, async () => {
        // Meanwhile the organizers correct the puzzle (here by a restart on the edited file): the
        // phone hears no puzzle_updated of it.
        writeFileSync(
          join(server.dir, "hunt.toml"),
          HUNT.replace('title = "The Compass"\n', 'title = "The Compass"\nbody = "Walk north."\n'),
        );
        await server.restart(async () => {});
      });
      await page.locator("#main > article.body", { hasText: "Walk north." })
        .waitFor({ timeout: 15_000 });
      await page.getByRole("status").filter({ hasText: "The organizers updated this puzzle" })
        .waitFor();
      expect(await page.evaluate("document.body.dataset.sameDocument")).toBe("yes");
      await done("live-corrected-meanwhile-phone.png");
    },
    60_000,
  );

  test(
    "a puzzle removed while the stream was down says so once it is back, and is drawn again once put back",
    async () => {
      const { server } = served as Served;
      const { page, done } = await teamPuzzlePage("Skuas", "tide");
      const file = join(server.dir, "hunt.toml");
      const tide = HUNT.slice(
        HUNT.indexOf('[[puzzle]]\nid = "tide"'),
        HUNT.indexOf('[[puzzle]]\nid = "compass"'),
      );
      const answer = page.getByRole("textbox", { name: "Answer" });
      const removed = page.getByRole("status").filter({
        hasText: /^The organizers removed this puzzle\./,
      });
      try {
        await streamDownWhile(page, server, async () => {
          writeFileSync(file, HUNT.replace(tide, ""));
          await server.restart(async () => {});
        });
        await removed.waitFor({ timeout: 15_000 });
        expect(await answer.isDisabled()).toBe(true);
        await page.screenshot({ path: join(SHOTS, "live-removed-meanwhile-phone.png") });
        // Put back while the stream is down again: the page draws it as it is, its forms on.
        const again = page.waitForEvent("load", { timeout: 15_000 });
        await streamDownWhile(page, server, async () => {
          writeFileSync(file, HUNT);
          await server.restart(async () => {});
        });
        await again;
        await answer.waitFor();
        expect(await answer.isEnabled()).toBe(true);
        expect(await removed.count()).toBe(0);
      } finally {
        writeFileSync(file, HUNT);
      }
      await done("live-put-back-meanwhile-phone.png");
    },
    60_000,
  );
});
