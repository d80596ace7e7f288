// The web UI in a real browser (Debian's chromium, driven by playwright-core)
// against the compiled binary: one full journey, then screenshots of every
// page at phone and desktop sizes, light and dark, saved to
// test-results/screenshots/ (git-ignored).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { buildBinary, freePort, waitFor } from "../_binary.ts";

const CHROMIUM = "/usr/bin/chromium";
const ADMIN_TOKEN = "journey-admin-token";
const SHOTS = join(import.meta.dir, "..", "..", "test-results", "screenshots");

const HUNT = `
[hunt]
title = "Harbor Hunt"
divisions = ["kids", "adults"]

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
round = "harbor"
points = 100
body = """
Sailors steer by it. It barely moves while the sky turns.

**What is its name?**
"""
answer = ["polaris", "north star"]
partial = [{ answer = "star", message = "Which star, exactly?" }]

[[puzzle.hint]]
id = "look-up"
text = "Look up on a clear night."
cost = 5

[[puzzle]]
id = "knots"
title = "Knots"
round = "harbor"
points = 50
body = "Which knot is the king of knots?"
answer = ["bowline"]

[[puzzle]]
id = "dock"
title = "The Dock"
round = "town"
points = 80
checkpoint = { code = "dock-42" }
unlock = 'checked_in("dock")'
body = "You found the dock. Count the bollards."
answer = ["twelve"]
`;

const available = existsSync(CHROMIUM);
if (!available && process.env.CI === undefined) {
  console.warn(
    `\n!!! SKIPPING the browser tests: ${CHROMIUM} is missing. Install it with ` +
      "`apt-get install -y chromium` (.ci/run does). Under CI=true this fails instead.\n",
  );
}
const suite = available || process.env.CI !== undefined ? describe : describe.skip;

let server: ReturnType<typeof Bun.spawn> | undefined;
let base = "";
let context: BrowserContext | undefined;
let profile = "";

suite("the web UI in a browser", () => {
  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: install chromium (see .ci/run)`);
    const binary = await buildBinary();
    const dir = mkdtempSync(join(tmpdir(), "cairn-ui-"));
    writeFileSync(join(dir, "hunt.toml"), HUNT);
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    server = Bun.spawn(
      [
        binary,
        "serve",
        "--hunt",
        join(dir, "hunt.toml"),
        "--db",
        join(dir, "cairn.db"),
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--admin-token",
        ADMIN_TOKEN,
        "--log-level",
        "warn",
      ],
      { cwd: dir, stdout: "ignore", stderr: "inherit" },
    );
    await waitFor(`${base}/healthz`);
    profile = mkdtempSync(join(tmpdir(), "cairn-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 390, height: 844 },
      // Scripts served by a service worker would escape the no-script test's page.route.
      serviceWorkers: "block",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    context.setDefaultTimeout(10_000);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    server?.kill("SIGTERM");
    await server?.exited;
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test(
    "a team joins, solves, takes a hint, checks in; the board and announcements are live",
    async () => {
      const ctx = context!;
      const errors: string[] = [];
      const watch = (page: Page) => {
        page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
        page.on("console", (msg) => {
          if (msg.type() === "error") errors.push(`${page.url()}: ${msg.text()}`);
        });
        return page;
      };

      // The projector, open before the team joins.
      const board = watch(await ctx.newPage());
      await board.setViewportSize({ width: 1920, height: 1080 });
      await board.goto(`${base}/scoreboard`);
      await board.locator("#live.live-on").waitFor();

      // Join on a phone.
      const player = watch(await ctx.newPage());
      await player.goto(`${base}/`);
      await player.getByLabel("Team name").first().fill("Gulls");
      await player.getByLabel("Password").first().fill("correct horse");
      await player.getByRole("button", { name: "Join" }).click();
      await player.waitForURL(`${base}/puzzles`);
      expect(await player.locator(".puzzle-list").allTextContents()).toEqual([
        expect.stringContaining("The Lighthouse"),
      ]);
      // The new team appears on the projector without a reload.
      await board.locator('tr[data-name="Gulls"]').waitFor();

      // A partial answer gets its "keep going" message at once.
      await player.getByRole("link", { name: /The Lighthouse/ }).click();
      await player.waitForURL(`${base}/puzzles/lighthouse`);
      const answer = player.getByRole("textbox", { name: "Answer" });
      await answer.fill("Star");
      await player.getByRole("button", { name: "Submit" }).click();
      await player.locator("#result.notice-warn", { hasText: "Which star, exactly?" }).waitFor();
      expect(player.url()).toBe(`${base}/puzzles/lighthouse`);

      // A hint, confirmed before it is charged.
      await player.getByText("Take this hint").click();
      await player.getByRole("button", { name: "Yes, spend 5 points" }).click();
      await player.locator(".hint-text", { hasText: "Look up on a clear night." }).waitFor();

      // The right answer solves it, and the projector shows the new score live.
      await answer.fill("North Star!");
      await player.getByRole("button", { name: "Submit" }).click();
      await player.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
      await board.locator('tr[data-name="Gulls"] .score', { hasText: /^95$/ }).waitFor();

      // The checkpoint's QR link checks the team in and shows what unlocked.
      await player.goto(`${base}/c/dock-42`);
      await player.getByText("Checked in at The Dock").waitFor();
      await player.getByRole("link", { name: "The Dock" }).first().click();
      await player.waitForURL(`${base}/puzzles/dock`);

      // The organizer signs in with the admin link and broadcasts; the player sees it live.
      const admin = watch(await ctx.newPage());
      await admin.setViewportSize({ width: 1440, height: 900 });
      await admin.goto(`${base}/admin#token=${ADMIN_TOKEN}`);
      await admin.waitForURL(`${base}/admin`);
      await admin.getByRole("heading", { name: "Live guesses" }).waitFor();
      expect(await admin.locator("#feed").textContent()).toContain("North Star!");
      await admin.getByLabel("Message to every team and the projector").fill(
        "Soup is served at the harbor",
      );
      await admin.getByRole("button", { name: "Broadcast" }).click();
      await admin.getByText("Announcement sent").waitFor();
      await player.locator("#announcement:not([hidden])", {
        hasText: "Soup is served at the harbor",
      }).waitFor();

      expect(errors).toEqual([]);
    },
    90_000,
  );

  test("without scripts, the forms still join, answer, take a hint and check in", async () => {
    await context!.clearCookies();
    const page = await context!.newPage();
    // Every script is refused, as in a browser with JavaScript off.
    await page.route("**/*.js", (route) => route.abort());
    await page.goto(`${base}/`);
    await page.getByLabel("Team name").first().fill("Terns");
    await page.getByLabel("Password").first().fill("correct horse");
    await page.getByRole("button", { name: "Join" }).click();
    await page.waitForURL(`${base}/puzzles`);
    await page.getByText("Welcome, Terns!").waitFor();
    await page.goto(`${base}/puzzles/lighthouse`);
    await page.getByRole("textbox", { name: "Answer" }).fill("star");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator("#result.notice-warn", { hasText: "Which star, exactly?" }).waitFor();
    await page.getByText("Take this hint").click();
    await page.getByRole("button", { name: "Yes, spend 5 points" }).click();
    await page.waitForURL(`${base}/puzzles/lighthouse#hint-look-up`);
    await page.locator(".hint-text", { hasText: "Look up on a clear night." }).waitFor();
    await page.getByRole("textbox", { name: "Answer" }).fill("polaris");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
    await page.goto(`${base}/puzzles`);
    await page.getByRole("textbox", { name: "Checkpoint code" }).fill("dock-42");
    await page.getByRole("button", { name: "Check in" }).click();
    await page.waitForURL(`${base}/c/dock-42`);
    await page.getByText("Checked in at The Dock").waitFor();
    await page.close();
  }, 60_000);

  test("screenshots of every page, phone and desktop, light and dark", async () => {
    const ctx = context!;
    // More teams and activity, so the pages show what an event looks like.
    for (let i = 1; i <= 11; i++) {
      const res = await fetch(`${base}/api/teams`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `Team ${i}`, password: "correct horse" }),
      });
      const { token } = await res.json() as { token: string };
      const guess = (answer: string, puzzle = "lighthouse") =>
        fetch(`${base}/api/puzzles/${puzzle}/guesses`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ answer }),
        });
      await guess("sun");
      if (i % 2 === 0) await guess("polaris");
      if (i % 3 === 0) await guess("bowline", "knots");
      if (i % 4 === 0) {
        await fetch(`${base}/api/puzzles/lighthouse/hints/look-up`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
        });
      }
    }
    mkdirSync(SHOTS, { recursive: true });
    const login = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Gulls", password: "correct horse" }),
    });
    const { token } = await login.json() as { token: string };
    const guest: [string, string][] = [
      ["landing", "/"],
      ["checkpoint-guest", "/c/dock-42"],
      ["admin-login", "/admin"],
      ["scoreboard", "/scoreboard"],
    ];
    const signedIn: [string, string][] = [
      ["puzzles", "/puzzles"],
      ["puzzle-solved", "/puzzles/lighthouse"],
      ["puzzle", "/puzzles/knots"],
      ["checkpoint", "/c/dock-42"],
      ["admin", "/admin"],
      ["admin-team", "/admin/teams/1"],
      ["admin-print", "/admin/print"],
      ["not-found", "/nowhere"],
    ];
    const page = await ctx.newPage();
    const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1440, height: 900 } };
    const shoot = async (name: string, path: string, size: string, scheme: string) => {
      await page.goto(`${base}${path}`);
      if (name === "puzzle") {
        // The page as it looks after a "keep going" answer.
        await page.getByRole("textbox", { name: "Answer" }).fill("granny");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result.notice-bad").waitFor();
      }
      await page.screenshot({
        path: join(SHOTS, `${name}-${size}-${scheme}.png`),
        fullPage: name !== "scoreboard",
      });
    };
    for (const [list, cookies] of [[guest, false], [signedIn, true]] as const) {
      await ctx.clearCookies();
      if (cookies) {
        await ctx.addCookies([
          { name: "cairn_session", value: token, url: base },
          { name: "cairn_admin", value: ADMIN_TOKEN, url: base },
        ]);
      }
      for (const [size, viewport] of Object.entries(sizes)) {
        await page.setViewportSize(viewport);
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          for (const [name, path] of list) await shoot(name, path, size, scheme);
        }
      }
    }
    // The projector at 1080p with 30 teams on one page.
    for (let i = 12; i <= 30; i++) {
      await fetch(`${base}/api/teams`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `Team ${i} with a longer name`, password: "correct horse" }),
      });
    }
    await page.setViewportSize({ width: 1920, height: 1080 });
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${base}/scoreboard`);
      const overflow = await page.evaluate("document.documentElement.scrollHeight - innerHeight");
      expect(overflow).toBe(0);
      expect(await page.locator(".board-table tbody tr").count()).toBe(30);
      await page.screenshot({ path: join(SHOTS, `scoreboard-1080p-${scheme}.png`) });
    }
    // Frozen, the banner takes room, and 30 teams still fit.
    await fetch(`${base}/api/admin/scoreboard`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ frozen: true }),
    });
    await page.goto(`${base}/scoreboard`);
    await page.locator("#freeze:not([hidden])").waitFor();
    expect(await page.evaluate("document.documentElement.scrollHeight - innerHeight")).toBe(0);
    await page.screenshot({ path: join(SHOTS, "scoreboard-1080p-frozen-dark.png") });
    await page.close();
  }, 120_000);
});
