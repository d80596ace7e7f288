// The web UI in a real browser (Debian's chromium, driven by playwright-core)
// against the compiled binary: one full journey, the three screens of a real
// event measured (a phone's header, the projector with 50 teams, the
// organizers' grid at 1366 px), axe-core on every page with and without
// scripts, then screenshots of every page at phone and desktop sizes, light
// and dark, saved to test-results/screenshots/ (git-ignored).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { buildBinary, freePort, waitFor } from "../_binary.ts";
import { axe } from "./_browser.ts";

const CHROMIUM = "/usr/bin/chromium";
const ADMIN_TOKEN = "journey-admin-token";
const SHOTS = join(import.meta.dir, "..", "..", "test-results", "screenshots");

const HUNT = `
[hunt]
title = "Harbor Hunt"
divisions = ["kids", "adults"]

[[round]]
id = "harbor"
title = "The Harbor"

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

[[puzzle.hint]]
id = "stuck"
text = "It is in the Little Dipper."
unlock = "wrong_guesses() >= 3"
cost = 10

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

/** Registers a team over the API and returns its token. */
async function register(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${base}/api/teams`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "correct horse", ...extra }),
  });
  if (res.status !== 201) throw new Error(`cannot register ${name}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

let server: ReturnType<typeof Bun.spawn> | undefined;
let base = "";
let context: BrowserContext | undefined;
let profile = "";
let uiDir = "";

suite("the web UI in a browser", () => {
  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is missing: install chromium (see .ci/run)`);
    const binary = await buildBinary();
    uiDir = mkdtempSync(join(tmpdir(), "cairn-ui-"));
    writeFileSync(join(uiDir, "hunt.toml"), HUNT);
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    server = Bun.spawn(
      [
        binary,
        "serve",
        "--hunt",
        join(uiDir, "hunt.toml"),
        "--db",
        join(uiDir, "cairn.db"),
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--admin-token",
        ADMIN_TOKEN,
        "--log-level",
        "warn",
      ],
      { cwd: uiDir, stdout: "ignore", stderr: "inherit" },
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

  // A page left open by a failed test keeps its live stream, and a browser opens only 6
  // connections to one server: close them, so that one failure does not starve the next tests.
  afterEach(async () => {
    for (const page of context?.pages().slice(1) ?? []) await page.close();
  });

  afterAll(async () => {
    try {
      await context?.close();
    } finally {
      server?.kill("SIGTERM");
      await server?.exited;
      for (const made of [profile, uiDir]) if (made) rmSync(made, { recursive: true, force: true });
    }
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
      await board.goto(`${base}/scoreboard?view=projector`);
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

      // The right answer solves it, and the projector shows the new score live. Its answer is
      // held back a little, as on a slow phone network: the live solve event gets there first.
      await player.route("**/api/puzzles/lighthouse/guesses", async (route) => {
        const response = await route.fetch();
        await Bun.sleep(800);
        await route.fulfill({ response });
      });
      await answer.fill("North Star!");
      await player.getByRole("button", { name: "Submit" }).click();
      await player.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
      await board.locator('tr[data-name="Gulls"] .score', { hasText: /^95$/ }).waitFor();
      // Item 1: the live solve event is this page's own, not a teammate's: no toast, no reload,
      // and the result stays on screen.
      await player.waitForTimeout(2500);
      await player.unroute("**/api/puzzles/lighthouse/guesses");
      expect(await player.locator(".toast").allTextContents()).toEqual([]);
      expect(await player.locator("#result").textContent()).toContain("Correct! Puzzle solved.");
      expect(await player.locator("#solved-badge").count()).toBe(1);
      // The hint that was not available yet is not needed now, as a reload would say.
      await player.locator("#hint-stuck .hint-when", {
        hasText: "Not needed: your team solved this puzzle.",
      }).waitFor();
      // The taken hint is marked taken, without a price (item 5).
      expect(await player.locator("#hint-look-up .hint-head .badge").textContent()).toBe("Taken");

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
      // Item 13: the feed follows the live stream.
      await admin.locator("#feed-state", { hasText: "live" }).waitFor();
      await admin.getByLabel("Message to every team and the projector").fill(
        "Soup is served at the harbor",
      );
      await admin.getByRole("button", { name: "Broadcast" }).click();
      await admin.getByText("Announcement sent").waitFor();
      await player.locator("#announcement:not([hidden])", {
        hasText: "Soup is served at the harbor",
      }).waitFor();
      // Item 7: the projector shows it large for a while, and keeps it in its strip.
      await board.locator("#board-flash:not([hidden])", {
        hasText: "Soup is served at the harbor",
      }).waitFor();
      await board.locator("#board-announcement:not([hidden])", {
        hasText: "Soup is served at the harbor",
      }).waitFor();

      expect(errors).toEqual([]);
      // Each page holds a live stream, and a browser opens only 6 connections to one server.
      await Promise.all([board.close(), player.close(), admin.close()]);
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
    // Item 2: typed as a phone types it, capitalized, with a space for the dash.
    await page.getByRole("textbox", { name: "Checkpoint code" }).fill(" Dock 42 ");
    await page.getByRole("button", { name: "Check in" }).click();
    await page.waitForURL(`${base}/c/Dock%2042`);
    await page.getByText("Checked in at The Dock").waitFor();
    await page.close();
  }, 60_000);

  test(
    "a phone's header: the title, then the links in one row at 360 px; its scoreboard marks the team",
    async () => {
      const ctx = context!;
      // Item 3: the longest team name the hunt allows on the narrowest common phone.
      const name = "The Extraordinarily Long Team Name Of 40";
      expect(name.length).toBe(40);
      const token = await register(name);
      await ctx.clearCookies();
      await ctx.addCookies([{ name: "cairn_session", value: token, url: base }]);
      const page = await ctx.newPage();
      await page.setViewportSize({ width: 360, height: 740 });
      mkdirSync(SHOTS, { recursive: true });
      for (const path of ["/puzzles", "/puzzles/lighthouse", "/scoreboard"]) {
        await page.goto(`${base}${path}`);
        const header = await page.evaluate(`(() => {
          const inner = document.querySelector(".top-inner");
          const items = [...inner.querySelectorAll(".nav > *")].map((el) => el.getBoundingClientRect());
          const title = inner.querySelector(".brand span").getBoundingClientRect();
          return {
            // The title on a row of its own above the links (header_browser_test.ts has more).
            title: title.width > 1 && title.bottom <= Math.min(...items.map((r) => r.top)),
            rows: new Set(items.map((r) => Math.round(r.top + r.height / 2))).size,
            height: inner.getBoundingClientRect().height,
            right: Math.max(...items.map((r) => r.right)),
            pageWidth: document.documentElement.scrollWidth,
          };
        })()`) as {
          title: boolean;
          rows: number;
          height: number;
          right: number;
          pageWidth: number;
        };
        expect({ path, ...header }).toMatchObject({ path, title: true, rows: 1, pageWidth: 360 });
        expect(header.height).toBeLessThan(90);
        expect(header.right).toBeLessThanOrEqual(360);
        expect(await page.getByRole("button", { name: "Log out" }).isVisible()).toBe(true);
      }
      await page.screenshot({ path: join(SHOTS, "header-360-long-name.png") });
      // Item 4: the team's own scoreboard, its row marked, and the way back.
      await page.goto(`${base}/puzzles`);
      await page.getByRole("link", { name: "Scoreboard" }).click();
      await page.waitForURL(`${base}/scoreboard`);
      await page.locator("tr.mine", { hasText: name }).waitFor();
      expect(await page.locator("tr.mine .badge").textContent()).toBe("your team");
      expect(await page.getByText("Join at").count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, "scoreboard-team-360.png"), fullPage: true });
      await page.getByRole("link", { name: "← Your puzzles" }).click();
      await page.waitForURL(`${base}/puzzles`);
      await page.close();
    },
    60_000,
  );

  test(
    "axe finds no serious or critical problem on any page, with scripts or without",
    async () => {
      const ctx = context!;
      await ctx.clearCookies();
      const login = await fetch(`${base}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Gulls", password: "correct horse" }),
      });
      const { token } = await login.json() as { token: string };
      const guest = ["/", "/c/dock-42", "/admin", "/scoreboard", "/scoreboard?division=kids"];
      const team = [
        "/puzzles",
        "/puzzles/lighthouse",
        "/puzzles/dock",
        "/c/dock-42",
        "/scoreboard",
        "/nowhere",
      ];
      const admin = ["/admin", "/admin/teams/1", "/admin/print", "/scoreboard?view=projector"];
      const found: string[] = [];
      const check = async (page: Page, path: string, label: string) => {
        await page.goto(`${base}${path}`);
        const { passes, serious } = await axe(page);
        // axe ran its checks on the page: a page it could not read would pass none.
        if (passes < 10) found.push(`${label} ${path}: axe passed only ${passes} checks`);
        checked++;
        for (const finding of serious) found.push(`${label} ${path}: ${finding}`);
      };
      // Each page with and without scripts, light and dark, each of those at a phone's size or a
      // laptop's (colour contrast depends on the theme, layout on the size).
      const runs = [
        { scripts: true, scheme: "light", width: 1440, height: 900 },
        { scripts: true, scheme: "dark", width: 390, height: 844 },
        { scripts: false, scheme: "light", width: 390, height: 844 },
        { scripts: false, scheme: "dark", width: 1440, height: 900 },
      ] as const;
      let checked = 0;
      for (const { scripts, scheme, width, height } of runs) {
        const page = await ctx.newPage();
        if (!scripts) await page.route("**/*.js", (route) => route.abort());
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize({ width, height });
        const label = `[${scripts ? "js" : "no-js"} ${scheme} ${width}]`;
        await ctx.clearCookies();
        for (const path of guest) await check(page, path, label);
        await ctx.addCookies([{ name: "cairn_session", value: token, url: base }]);
        for (const path of team) await check(page, path, label);
        await ctx.clearCookies();
        await ctx.addCookies([{ name: "cairn_admin", value: ADMIN_TOKEN, url: base }]);
        for (const path of admin) await check(page, path, label);
        await page.close();
      }
      expect(found).toEqual([]);
      expect(checked).toBe(runs.length * (guest.length + team.length + admin.length));
    },
    240_000,
  );

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
      // Taken before the solve: a solved puzzle offers no hint.
      if (i % 4 === 0) {
        await fetch(`${base}/api/puzzles/lighthouse/hints/look-up`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
        });
      }
      if (i % 2 === 0) await guess("polaris");
      if (i % 3 === 0) await guess("bowline", "knots");
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
      ["scoreboard-team", "/scoreboard"],
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
      await page.goto(`${base}/scoreboard?view=projector`);
      const overflow = await page.evaluate("document.documentElement.scrollHeight - innerHeight");
      expect(overflow).toBe(0);
      // At least 30 teams a page: two columns of 15 or more.
      expect(await page.locator(".board-table tbody tr").count()).toBeGreaterThanOrEqual(30);
      await page.screenshot({ path: join(SHOTS, `scoreboard-1080p-${scheme}.png`) });
    }
    // Frozen, the banner takes room, and 30 teams still fit.
    await fetch(`${base}/api/admin/scoreboard`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ frozen: true }),
    });
    await page.goto(`${base}/scoreboard?view=projector`);
    await page.locator("#freeze:not([hidden])").waitFor();
    expect(await page.evaluate("document.documentElement.scrollHeight - innerHeight")).toBe(0);
    await page.screenshot({ path: join(SHOTS, "scoreboard-1080p-frozen-dark.png") });
    await page.close();
  }, 120_000);

  test(
    "the projector at 1080p with 50 teams: no name under 24 characters cut, stable rows, pages",
    async () => {
      const ctx = context!;
      // Up to 50 teams, with names of every length up to 24 characters, and a few far longer.
      const names: string[] = [];
      for (let i = 31; i <= 50; i++) {
        const name = i % 7 === 0
          ? `Team ${i} whose name goes on and on and on`
          : `Équipe ${i} ${"MWmwOQowqgMWmwOQowqgMWmw"}`.slice(0, 12 + (i % 13));
        names.push(name);
        await register(name, { division: i % 2 === 0 ? "kids" : "adults" });
      }
      expect(names.some((n) => n.length === 24)).toBe(true);
      await fetch(`${base}/api/admin/scoreboard`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ frozen: false }),
      });
      await ctx.clearCookies();
      const page = await ctx.newPage();
      await page.setViewportSize({ width: 1920, height: 1080 });
      /** What the projector shows now: its names (and whether each is cut), rows and light. */
      const measure = () =>
        page.evaluate(`(() => {
          const spans = [...document.querySelectorAll(".board-table .team-name")];
          const rows = [...document.querySelectorAll(".board-table tbody tr")];
          return {
            names: spans.map((s) => {
              // The text's own width, to the fraction of a pixel, against its box's.
              const range = document.createRange();
              range.selectNodeContents(s);
              return {
                text: s.textContent,
                cut: range.getBoundingClientRect().width > s.getBoundingClientRect().width + 0.01,
                px: parseFloat(getComputedStyle(s).fontSize),
              };
            }),
            heights: [...new Set(rows.map((r) => Math.round(r.getBoundingClientRect().height)))],
            pinned: document.querySelectorAll("tr.pinned").length,
            overflow: document.documentElement.scrollHeight - innerHeight,
            pageInfo: document.getElementById("page-info").textContent,
            live: document.getElementById("live-text").textContent,
          };
        })()`) as Promise<{
          names: { text: string; cut: boolean; px: number }[];
          heights: number[];
          pinned: number;
          overflow: number;
          pageInfo: string;
          live: string;
        }>;
      const seen = new Set<string>();
      for (const start of [1, 2]) {
        await page.goto(`${base}/scoreboard?view=projector&page=${start}`);
        await page.locator("#live.live-on").waitFor();
        await page.locator(".team-name").first().waitFor();
        const shown = await measure();
        expect(shown.overflow).toBe(0);
        // No name of 24 characters or fewer is cut; longer ones are cut only at their end.
        expect(shown.names.filter((n) => n.cut && [...n.text].length <= 24)).toEqual([]);
        // Names stay readable from the back of a room: 20 px or more at 1080p.
        expect(Math.min(...shown.names.map((n) => n.px))).toBeGreaterThanOrEqual(20);
        // Every row has the same height, on every page.
        expect(shown.heights.length).toBe(1);
        expect(shown.heights[0]).toBeGreaterThanOrEqual(50);
        expect(shown.pageInfo).toMatch(/^Page \d of [2-4]$/);
        // Every page after the first keeps the top 3 at its head.
        expect(shown.pinned).toBe(shown.pageInfo.startsWith("Page 1 ") ? 0 : 3);
        for (const n of shown.names) seen.add(n.text);
        await page.screenshot({ path: join(SHOTS, `projector-50-teams-page-${start}.png`) });
      }
      // Every team is on some page.
      expect(seen.size).toBeGreaterThanOrEqual(50);

      // Item 10: frozen, the light says so.
      await fetch(`${base}/api/admin/scoreboard`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ frozen: true }),
      });
      await page.locator("#live.live-frozen #live-text", { hasText: "Frozen" }).waitFor();
      expect(await page.locator("#live.live-on").count()).toBe(0);
      await page.emulateMedia({ colorScheme: "dark" });
      await page.screenshot({ path: join(SHOTS, "projector-50-teams-frozen-dark.png") });
      await fetch(`${base}/api/admin/scoreboard`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ frozen: false }),
      });
      await page.locator("#live.live-on #live-text", { hasText: "Live" }).waitFor();

      // Item 7: an announcement fills the screen, then stays in the strip.
      await fetch(`${base}/api/admin/announcements`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ text: "Last clue at the lighthouse in 10 minutes!" }),
      });
      await page.locator("#board-flash:not([hidden])", { hasText: "Last clue" }).waitFor();
      expect((await measure()).overflow).toBe(0);
      await page.screenshot({ path: join(SHOTS, "projector-announcement-dark.png") });
      await page.emulateMedia({ colorScheme: "light" });

      // Item 9: one division's board, its title spaced.
      await page.goto(`${base}/scoreboard?division=kids`);
      await page.locator("#live.live-on").waitFor();
      expect(await page.locator("h1").textContent()).toBe("Harbor Hunt · Kids");
      expect(await page.locator("#chart").textContent()).not.toContain("adults");
      await page.screenshot({ path: join(SHOTS, "projector-division-kids.png") });
      await page.close();
    },
    120_000,
  );

  test(
    "the organizers' grid has no hidden overflow at 1366 px; the feed fits a phone",
    async () => {
      const ctx = context!;
      await ctx.clearCookies();
      await ctx.addCookies([{ name: "cairn_admin", value: ADMIN_TOKEN, url: base }]);
      const page = await ctx.newPage();
      await page.setViewportSize({ width: 1366, height: 768 });
      await page.goto(`${base}/admin`);
      const grid = await page.evaluate(`(() => {
        const wrap = document.querySelector("#progress .table-wrap");
        const heads = [...document.querySelectorAll(".progress th.puzzle span")];
        const teams = [...document.querySelectorAll(".progress tbody th.team")];
        const card = document.getElementById("progress").closest(".card").getBoundingClientRect();
        const table = document.querySelector(".progress").getBoundingClientRect();
        return {
          wide: wrap.scrollWidth - wrap.clientWidth,
          page: document.documentElement.scrollWidth - innerWidth,
          cutTitles: heads.filter((h) =>
            h.scrollHeight > h.clientHeight + 1 || h.scrollWidth > h.clientWidth + 1
          ).map((h) => h.textContent),
          inCard: table.left >= card.left && table.right <= card.right,
          teamShare: Math.max(...teams.map((t) => t.getBoundingClientRect().width)) / table.width,
        };
      })()`) as {
        wide: number;
        page: number;
        cutTitles: string[];
        inCard: boolean;
        teamShare: number;
      };
      expect(grid).toMatchObject({ wide: 0, page: 0, cutTitles: [], inCard: true });
      expect(grid.teamShare).toBeLessThan(0.5);
      await page.screenshot({ path: join(SHOTS, "admin-1366.png") });
      await page.locator("#progress").screenshot({ path: join(SHOTS, "admin-1366-grid.png") });
      // Sticky: scrolled down inside the grid, the titles stay on top.
      await page.evaluate(`(() => {
        document.querySelector("#progress .table-wrap").scrollTop = 400;
      })()`);
      const head = await page.evaluate(`(() => {
        const wrap = document.querySelector("#progress .table-wrap").getBoundingClientRect();
        const th = document.querySelector(".progress thead th.puzzle").getBoundingClientRect();
        return th.top - wrap.top;
      })()`) as number;
      expect(Math.abs(head)).toBeLessThanOrEqual(2);
      // On a phone the feed keeps its Result column.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/admin`);
      const feed = await page.evaluate(`(() => {
        const wrap = document.querySelector(".feed");
        const result = document.querySelector(".feed thead th:last-child").getBoundingClientRect();
        return {
          wide: wrap.scrollWidth - wrap.clientWidth,
          resultVisible: result.right <= wrap.getBoundingClientRect().right + 1,
        };
      })()`);
      expect(feed).toEqual({ wide: 0, resultVisible: true });
      await page.screenshot({ path: join(SHOTS, "admin-feed-phone.png"), fullPage: true });
      await page.close();
    },
    60_000,
  );

  test(
    "the organizers' grid at 60 puzzles by 100 teams scrolls in its box, names and titles kept",
    async () => {
      // A second server, with a big hunt.
      const dir = mkdtempSync(join(tmpdir(), "cairn-ui-big-"));
      let toml = '[hunt]\ntitle = "Big Hunt"\n';
      for (let i = 1; i <= 60; i++) {
        toml += `\n[[puzzle]]\nid = "p${i}"\ntitle = "Puzzle number ${i}: ${
          i % 5 === 0 ? "a title that runs rather long" : "short"
        }"\nround = "r${1 + (i % 4)}"\npoints = 10\nanswer = "a${i}"\n`;
      }
      writeFileSync(join(dir, "hunt.toml"), toml);
      const port = freePort();
      const bigBase = `http://127.0.0.1:${port}`;
      const big = Bun.spawn([
        await buildBinary(),
        "serve",
        ...["--hunt", join(dir, "hunt.toml"), "--db", join(dir, "cairn.db")],
        ...["--host", "127.0.0.1", "--port", String(port), "--admin-token", ADMIN_TOKEN],
        ...["--log-level", "warn"],
      ], { cwd: dir, stdout: "ignore", stderr: "inherit" });
      try {
        await waitFor(`${bigBase}/healthz`);
        for (let i = 1; i <= 100; i++) {
          const res = await fetch(`${bigBase}/api/teams`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              name: i % 9 === 0 ? `Team ${i} with a name long enough to need cutting` : `Team ${i}`,
              password: "correct horse",
            }),
          });
          expect(res.status).toBe(201);
          const { token } = await res.json() as { token: string };
          if (i % 3 === 0) {
            await fetch(`${bigBase}/api/puzzles/p${i % 60 + 1}/guesses`, {
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
              body: JSON.stringify({ answer: `a${i % 60 + 1}` }),
            });
          }
        }
        const ctx = context!;
        await ctx.clearCookies();
        await ctx.addCookies([{ name: "cairn_admin", value: ADMIN_TOKEN, url: bigBase }]);
        const page = await ctx.newPage();
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.goto(`${bigBase}/admin`);
        const before = await page.evaluate(`(() => {
        const wrap = document.querySelector("#progress .table-wrap");
        return {
          page: document.documentElement.scrollWidth - innerWidth,
          scrolls: wrap.scrollWidth > wrap.clientWidth && wrap.scrollHeight > wrap.clientHeight,
          rows: document.querySelectorAll(".progress tbody tr").length,
          columns: document.querySelectorAll(".progress th.puzzle").length,
        };
      })()`);
        // The page itself does not overflow: the grid scrolls inside its own box.
        expect(before).toEqual({ page: 0, scrolls: true, rows: 100, columns: 60 });
        await page.locator("#progress").screenshot({ path: join(SHOTS, "admin-grid-60x100.png") });
        // Scrolled to the far corner, the team names and the puzzle titles stay in view.
        const after = await page.evaluate(`(() => {
        const wrap = document.querySelector("#progress .table-wrap");
        wrap.scrollLeft = wrap.scrollWidth;
        wrap.scrollTop = wrap.scrollHeight;
        const box = wrap.getBoundingClientRect();
        const team = document.querySelector(".progress tbody tr:last-child th.team")
          .getBoundingClientRect();
        const title = document.querySelector(".progress thead th.puzzle:last-child")
          .getBoundingClientRect();
        return { teamLeft: Math.round(team.left - box.left), titleTop: Math.round(title.top - box.top) };
      })()`) as { teamLeft: number; titleTop: number };
        expect(Math.abs(after.teamLeft)).toBeLessThanOrEqual(2);
        expect(Math.abs(after.titleTop)).toBeLessThanOrEqual(2);
        await page.locator("#progress").screenshot({
          path: join(SHOTS, "admin-grid-60x100-scrolled.png"),
        });
        await page.close();
      } finally {
        big.kill("SIGTERM");
        await big.exited;
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  test("the admin feed follows the live stream, without polling", async () => {
    const ctx = context!;
    await ctx.clearCookies();
    await ctx.addCookies([{ name: "cairn_admin", value: ADMIN_TOKEN, url: base }]);
    const page = await ctx.newPage();
    // Timers stand still, so the 3 s poll never runs: only the stream can bring the guess.
    await page.clock.install();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${base}/admin`);
    await page.locator("#feed-state", { hasText: "live" }).waitFor();
    const token = await register("Live Feed Team");
    await fetch(`${base}/api/puzzles/lighthouse/guesses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ answer: "seen-live-7" }),
    });
    await page.locator("#feed tr", { hasText: "seen-live-7" }).waitFor({ timeout: 5000 });
    await page.close();
  }, 60_000);
});
