// The organizers' pages in a real browser, against the compiled binary:
// signing in with the admin link, a form sent after the session ended, the
// navigation on every admin page. Screenshots go to test-results/screenshots/.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  axe,
  axeRules,
  chromiumAvailable,
  registerTeam,
  type Served,
  serveForSuite,
  SHOTS,
} from "./_browser.ts";

const ADMIN_TOKEN = "admin-pages-token";
const HUNT = `
[hunt]
title = "Harbor Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
points = 100
answer = ["polaris"]
guess_limit = { count = 100, per = "1m" }

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Stuck? Tell us what you tried."

[[puzzle]]
id = "dock"
title = "The Dock"
checkpoint = { code = "dock-42" }
answer = ["twelve"]

[[puzzle]]
id = "snap"
title = "Team Photo"
points = 20
submit = "photo"
`;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const served = {} as Served;

/** A new tab (the context's own viewport), collecting script errors. */
async function tab(errors: string[]): Promise<Page> {
  const page = await served.browser.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  return page;
}

/** A new desktop tab, collecting script errors. */
async function desktop(errors: string[]): Promise<Page> {
  const page = await tab(errors);
  await page.setViewportSize({ width: 1366, height: 900 });
  return page;
}

/** A new tab (the context's own viewport) on the dashboard, signed in, collecting script errors. */
async function adminPage(served: Served): Promise<{ page: Page; errors: string[] }> {
  await served.browser.context.addCookies([
    { name: "cairn_admin", value: ADMIN_TOKEN, url: served.server.base },
  ]);
  const errors: string[] = [];
  const page = await tab(errors);
  await page.goto(`${served.server.base}/admin`);
  return { page, errors };
}

suite("the organizers' pages", () => {
  serveForSuite(served, HUNT, ["--admin-token", ADMIN_TOKEN]);

  test("the admin link pasted into a tab already on /admin signs in", async () => {
    await served.browser.context.clearCookies();
    const errors: string[] = [];
    const page = await desktop(errors);
    await page.goto(`${served.server.base}/admin`);
    await page.getByRole("heading", { name: "Organizer sign-in" }).waitFor();
    // Only the fragment changes: the browser loads nothing, the page's script must act.
    await page.goto(`${served.server.base}/admin#token=${ADMIN_TOKEN}`);
    await page.getByRole("heading", { name: "Live guesses" }).waitFor();
    expect(page.url()).toBe(`${served.server.base}/admin`);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("an announcement sent after the session ended leads to sign-in, with its text", async () => {
    await served.browser.context.clearCookies();
    await served.browser.context.addCookies([
      { name: "cairn_admin", value: ADMIN_TOKEN, url: served.server.base },
    ]);
    const errors: string[] = [];
    const page = await desktop(errors);
    await page.goto(`${served.server.base}/admin`);
    await served.browser.context.clearCookies();
    await page.getByLabel("Message to every team and the projector").fill("Soup at the harbor");
    await page.getByRole("button", { name: "Broadcast" }).click();
    await page.getByRole("heading", { name: "Organizer sign-in" }).waitFor();
    expect(page.url()).toBe(`${served.server.base}/admin`);
    const notice = page.locator(".notice-warn");
    expect(await notice.textContent()).toContain(
      "Your organizer session has ended: nothing was changed",
    );
    expect(await notice.textContent()).toContain("What you typed: “Soup at the harbor”");
    await page.screenshot({ path: join(SHOTS, "admin-signed-out-post-desktop.png") });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test(
    "a team's page: its guess list scrolls by keyboard, and axe finds nothing serious",
    async () => {
      const token = await registerTeam(served.server.base, "Gulls");
      for (let i = 0; i < 30; i++) {
        const res = await fetch(`${served.server.base}/api/puzzles/lighthouse/guesses`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ answer: `star number ${i}` }),
        });
        expect(res.status).toBe(200);
      }
      await served.browser.context.addCookies([
        { name: "cairn_admin", value: ADMIN_TOKEN, url: served.server.base },
      ]);
      const errors: string[] = [];
      const page = await desktop(errors);
      await page.goto(`${served.server.base}/admin/teams/1`);
      const list = page.getByRole("region", { name: "Guess list" });
      await list.waitFor();
      // It scrolls, and a keyboard reaches it.
      expect(await list.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
      await list.focus();
      await page.keyboard.press("End");
      await page.waitForTimeout(300);
      expect(await list.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
      const found = await axe(page);
      expect(found.passes).toBeGreaterThan(0);
      expect(found.serious).toEqual([]);
      await page.screenshot({ path: join(SHOTS, "admin-team-desktop.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a team hidden from its page: marked hidden, off the projector, shown again; banned and let back",
    async () => {
      await registerTeam(served.server.base, "Skuas");
      const listed = await fetch(`${served.server.base}/api/admin/teams`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const { teams } = await listed.json() as { teams: { id: number; name: string }[] };
      const id = teams.find((team) => team.name === "Skuas")!.id;
      await served.browser.context.addCookies([
        { name: "cairn_admin", value: ADMIN_TOKEN, url: served.server.base },
      ]);
      const errors: string[] = [];
      const page = await desktop(errors);
      await page.goto(`${served.server.base}/admin/teams/${id}`);
      await page.getByRole("button", { name: "Hide from the scoreboard" }).click();
      await page.getByText("Skuas is hidden from the scoreboard").waitFor();
      expect(await page.locator("h1 .badge").textContent()).toBe("hidden");
      await page.getByRole("button", { name: "Show on the scoreboard" }).waitFor();
      const found = await axe(page);
      expect(found.serious).toEqual([]);
      await page.screenshot({ path: join(SHOTS, "admin-team-hidden-desktop.png"), fullPage: true });
      const projector = await fetch(`${served.server.base}/scoreboard?view=projector`);
      expect(await projector.text()).not.toContain("Skuas");
      // The dashboard's team list and progress grid keep it, marked.
      await page.goto(`${served.server.base}/admin`);
      const list = page.locator("section", { has: page.getByRole("heading", { name: "Teams" }) });
      expect(await list.getByText("hidden", { exact: true }).count()).toBe(1);
      await list.screenshot({ path: join(SHOTS, "admin-teams-hidden-desktop.png") });
      await page.goto(`${served.server.base}/admin/teams/${id}`);
      await page.getByRole("button", { name: "Show on the scoreboard" }).click();
      await page.getByText("Skuas is on the scoreboard").waitFor();
      expect(await page.locator("h1 .badge").count()).toBe(0);
      // Banned: marked so, with only the button that lifts the ban.
      await page.getByRole("button", { name: "Ban the team" }).click();
      await page.getByText("Skuas is banned").waitFor();
      expect(await page.locator("h1 .badge").textContent()).toBe("banned");
      expect(await page.getByRole("button", { name: "Show on the scoreboard" }).count()).toBe(0);
      expect((await axe(page)).serious).toEqual([]);
      await page.screenshot({ path: join(SHOTS, "admin-team-banned-desktop.png"), fullPage: true });
      await page.getByRole("button", { name: "Lift the ban" }).click();
      await page.getByText("Skuas's ban is lifted").waitFor();
      // Back at the card, which says the team is still hidden, its Show button on the screen.
      const card = page.locator("section", { has: page.locator("#hide-title") });
      await card.locator(".notice", { hasText: "Still hidden" })
        .getByText("Show it to put it back on the scoreboard.").waitFor();
      const box = await card.getByRole("button", { name: "Show on the scoreboard" }).boundingBox();
      const scrolled = await page.evaluate(`scrollY`) as number;
      // On the screen as the page opens, scrolled down to it (boundingBox is within the 900 px view).
      expect({ top: box!.y >= 0, bottom: box!.y + box!.height <= 900, scrolled: scrolled > 0 })
        .toEqual({ top: true, bottom: true, scrolled: true });
      await page.screenshot({ path: join(SHOTS, "admin-team-ban-lifted-desktop.png") });
      await page.getByRole("button", { name: "Show on the scoreboard" }).click();
      await page.getByText("Skuas is on the scoreboard").waitFor();
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  /**
   * Opens the dashboard on the test's clock, reads the summary's figure `label`, runs `change`,
   * and checks that the next 15 s refresh shows one more, in place (not by a reload).
   */
  async function followsWithNoReload(label: string, change: () => Promise<void>): Promise<void> {
    const base = served.server.base;
    const errors: string[] = [];
    await served.browser.context.addCookies([
      { name: "cairn_admin", value: ADMIN_TOKEN, url: base },
    ]);
    const page = await desktop(errors);
    // The page's timers are the test's: its 15 s refresh comes when the test says.
    await page.clock.install();
    await page.goto(`${base}/admin`);
    const stat = page.locator(".stat", { has: page.getByText(label, { exact: true }) });
    const before = Number(await stat.locator("b").textContent());
    await change();
    await page.evaluate(`document.body.dataset.drawn = "once"`);
    await page.clock.runFor(15_000);
    await stat.locator("b", { hasText: new RegExp(`^${before + 1}$`) }).waitFor();
    expect(await page.evaluate(`document.body.dataset.drawn`)).toBe("once");
    expect(errors).toEqual([]);
    await page.close();
  }

  test("the dashboard's team count follows the teams that register, with no reload", async () => {
    await followsWithNoReload("teams", async () => {
      await registerTeam(served.server.base, "Petrels");
    });
  }, 60_000);

  test("the dashboard's solve count follows the teams' solves, with no reload", async () => {
    await followsWithNoReload("solves", async () => {
      const base = served.server.base;
      const token = await registerTeam(base, "Shearwaters");
      const res = await fetch(`${base}/api/puzzles/lighthouse/guesses`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ answer: "polaris" }),
      });
      expect(res.status).toBe(200);
    });
  }, 60_000);

  test(
    "on a phone, the dashboard's charts keep readable text and scroll in their box",
    async () => {
      const { page, errors } = await adminPage(served);
      const charts = page.locator("#charts");
      await charts.waitFor();
      await page.screenshot({ path: join(SHOTS, "admin-dashboard-phone.png"), fullPage: true });
      // The smallest text of each chart, as drawn on the screen, in CSS pixels.
      const smallest = await charts.evaluate((box) =>
        [...box.querySelectorAll("svg")].map((svg) =>
          Math.min(
            ...[...svg.querySelectorAll("text")].map((t) => t.getBoundingClientRect().height),
          )
        )
      );
      expect(smallest.length).toBe(2);
      for (const height of smallest) expect(height).toBeGreaterThanOrEqual(11);
      const scroller = page.getByRole("region", { name: "Solves per puzzle" });
      expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      await scroller.focus();
      await page.keyboard.press("ArrowRight");
      await page.waitForTimeout(300);
      expect(await scroller.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
      // The guesses per minute open at their right end, the last minutes: the ones watched.
      const minutes = page.getByRole("region", { name: "Guesses per minute" });
      const ends = await minutes.evaluate((box) => ({
        scrolls: box.scrollWidth > box.clientWidth,
        box: box.getBoundingClientRect().right,
        chart: box.querySelector("svg")!.getBoundingClientRect().right,
      }));
      expect(ends.scrolls).toBe(true);
      expect(Math.abs(ends.chart - ends.box)).toBeLessThanOrEqual(1);
      // Nothing else on a phone says that the charts scroll: a line under each says which way.
      const hints = charts.locator(".scroll-hint");
      expect(await hints.allTextContents()).toEqual([
        "Scroll sideways for the times to solve →",
        "← Scroll sideways for earlier minutes",
      ]);
      for (const hint of await hints.all()) expect(await hint.isVisible()).toBe(true);
      // And a shade at the edge with more beyond it: the chart's right end, the minutes' left.
      const shades = await page.evaluate(
        `[...document.querySelectorAll("#charts .chart-scroll")]
          .map((el) => getComputedStyle(el).backgroundImage)`,
      ) as string[];
      for (const shade of shades) expect(shade.match(/linear-gradient/g)).toHaveLength(4);
      const found = await axe(page);
      expect(found.serious).toEqual([]);
      await charts.screenshot({ path: join(SHOTS, "admin-charts-phone.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test("on a phone, the QR cards' loopback notice keeps its command on one line", async () => {
    const { page, errors } = await adminPage(served);
    await page.goto(`${served.server.base}/admin/print`);
    const command = page.locator("#loopback-only code");
    expect(await command.textContent()).toBe("cairn serve --host 0.0.0.0");
    // One line box: a line that breaks after "--" leaves "host 0.0.0.0" to be typed as a word.
    expect(await command.evaluate((el) => el.getClientRects().length)).toBe(1);
    await page.locator("#loopback-only").screenshot({
      path: join(SHOTS, "admin-print-loopback.png"),
    });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test(
    "at every width, a chart's line 'Scroll sideways' shows exactly when its box scrolls",
    async () => {
      await served.browser.context.addCookies([
        { name: "cairn_admin", value: ADMIN_TOKEN, url: served.server.base },
      ]);
      const page = await served.browser.context.newPage();
      try {
        await page.goto(`${served.server.base}/admin`);
        const charts = page.locator("#charts");
        await charts.waitFor();
        for (
          const width of [
            320,
            390,
            600,
            700,
            710,
            720,
            730,
            740,
            750,
            760,
            900,
            1023,
            1024,
            1440,
            1920,
            2560,
            3840,
          ]
        ) {
          await page.setViewportSize({ width, height: 800 });
          const seen = await charts.evaluate((box) =>
            [...box.querySelectorAll("figure")].map((figure) => {
              const scroller = figure.querySelector(".chart-scroll")!;
              const hint = figure.querySelector(".scroll-hint")!;
              return {
                scrolls: scroller.scrollWidth > scroller.clientWidth,
                hint: hint.getClientRects().length > 0,
              };
            })
          );
          expect({ width, seen }).toEqual({
            width,
            seen: seen.map(({ scrolls }) => ({ scrolls, hint: scrolls })),
          });
        }
      } finally {
        await page.close();
      }
    },
    60_000,
  );

  test.each([1024, 1050, 1280])(
    "at %i px, in the dashboard's narrower column, the charts fit their box whole",
    async (width) => {
      await served.browser.context.addCookies([
        { name: "cairn_admin", value: ADMIN_TOKEN, url: served.server.base },
      ]);
      const page = await served.browser.context.newPage();
      try {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${served.server.base}/admin`);
        const charts = page.locator("#charts");
        await charts.waitFor();
        // Each chart's box, and how far it scrolls: a box that scrolls hides the chart's right
        // end (the last time, the slowest median), and nothing on a laptop says it scrolls.
        const boxes = await charts.evaluate((box) =>
          [...box.querySelectorAll(".chart-scroll")].map((el) => ({
            hidden: el.scrollWidth - el.clientWidth,
            smallest: Math.min(
              ...[...el.querySelectorAll("text")].map((t) => t.getBoundingClientRect().height),
            ),
          }))
        );
        expect(boxes.map((box) => box.hidden)).toEqual([0, 0]);
        // Nor does a line say that they scroll.
        const hints = await charts.locator(".scroll-hint").all();
        expect(hints).toHaveLength(2);
        for (const hint of hints) expect(await hint.isVisible()).toBe(false);
        for (const box of boxes) expect(box.smallest).toBeGreaterThanOrEqual(11);
        if (width === 1024) {
          await charts.screenshot({ path: join(SHOTS, "admin-charts-1024.png") });
        }
      } finally {
        await page.close();
      }
    },
    60_000,
  );

  test(
    "on a phone, a refused reload's caret stays under the bad spot of its rule",
    async () => {
      const file = join(served.server.dir, "hunt.toml");
      const good = readFileSync(file, "utf8");
      // A rule longer than a phone's line, with a ")" missing at its end.
      writeFileSync(
        file,
        good.replace(
          'answer = ["twelve"]',
          `answer = ["twelve"]\nunlock = 'solved("lighthouse") and solves_in_round("main") >= 1 and (minutes() > 5'`,
        ),
      );
      try {
        const { page, errors } = await adminPage(served);
        await page.getByRole("button", { name: "Reload the hunt" }).click();
        await page.getByText("The hunt file has 1 error; the running hunt is unchanged").waitFor();
        const box = page.locator(".notice pre");
        expect(await box.innerText()).toContain(
          'field unlock: Expected ")", found the end of the rule',
        );
        // Where the caret is drawn, and where the character above it is, on the screen.
        const placed = await box.evaluate((pre) => {
          const doc = pre.ownerDocument;
          const walker = doc.createTreeWalker(pre, 4 /* NodeFilter.SHOW_TEXT */);
          for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
            const text = node.textContent ?? "";
            const caret = text.indexOf("^");
            if (caret < 0) continue;
            const lineStart = text.lastIndexOf("\n", caret) + 1;
            const ruleStart = text.lastIndexOf("\n", lineStart - 2) + 1;
            const box = (at: number) => {
              const range = doc.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + 1);
              return range.getBoundingClientRect();
            };
            const rule = doc.createRange();
            rule.setStart(node, ruleStart);
            rule.setEnd(node, lineStart - 1);
            const above = box(ruleStart + (caret - lineStart) - 1);
            const drawn = box(caret);
            return {
              ruleLines: new Set([...rule.getClientRects()].map((r) => Math.round(r.top))).size,
              offset: Math.abs(Math.round(drawn.left - above.right)),
              below: drawn.top > above.top,
            };
          }
          return undefined;
        });
        // The rule keeps one line, and the caret sits just after its last character.
        expect(placed).toEqual({ ruleLines: 1, offset: 0, below: true });
        // Its part of the box scrolls sideways, and a keyboard reaches it.
        const excerpt = box.locator(".excerpt");
        expect(await excerpt.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
        await excerpt.focus();
        await page.keyboard.press("ArrowRight");
        await page.waitForTimeout(300);
        expect(await excerpt.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
        expect((await axe(page)).serious).toEqual([]);
        await page.locator(".notice").screenshot({
          path: join(SHOTS, "admin-reload-errors-phone.png"),
        });
        expect(errors).toEqual([]);
        await page.close();
      } finally {
        writeFileSync(file, good);
      }
    },
    60_000,
  );

  test(
    "the dashboard's landmarks have distinct names; the checkpoint page has a heading",
    async () => {
      await served.browser.context.addCookies([
        { name: "cairn_admin", value: ADMIN_TOKEN, url: served.server.base },
      ]);
      // With a team, the dashboard lists it in its own scrolling box.
      const token = await registerTeam(served.server.base, "Terns");
      const errors: string[] = [];
      const page = await desktop(errors);
      await page.goto(`${served.server.base}/admin`);
      await page.locator(".teams-wrap").waitFor();
      expect(await axeRules(page, ["landmark-unique", "page-has-heading-one"])).toEqual([]);
      await served.browser.context.addCookies([{
        name: "cairn_session",
        value: token,
        url: served.server.base,
      }]);
      await page.goto(`${served.server.base}/c/dock-42`);
      await page.getByText("Checked in at The Dock").waitFor();
      expect(await axeRules(page, ["landmark-unique", "page-has-heading-one"])).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "the dashboard's and /admin/hints' live streams refused with a 503 are opened again",
    async () => {
      const base = served.server.base;
      await served.browser.context.addCookies([
        { name: "cairn_admin", value: ADMIN_TOKEN, url: base },
      ]);
      const errors: string[] = [];
      // The organizers' pages ask for no standings (`?scoreboard=team`).
      const stream = /\/api\/events(\?|$)/;
      /** A tab at `path` whose stream's first answers are a proxy's 503, given up on for good. */
      const refusedAt = async (path: string, before?: (page: Page) => Promise<void>) => {
        const page = await desktop(errors);
        await before?.(page);
        let refused = 0;
        await page.route(stream, (route) => {
          refused += 1;
          return route.fulfill({ status: 503, body: "Service Unavailable" });
        });
        await page.goto(`${base}${path}`);
        for (let i = 0; refused < 2 && i < 100; i++) await Bun.sleep(100);
        expect({ path, refused }).toEqual({ path, refused: 2 });
        return page;
      };

      // The dashboard's guess feed is slow to answer: the poll made while the stream was down is
      // still on its way when the stream is back, and its answer must not undo "live".
      let release = () => {};
      const released = new Promise<void>((resolve) => release = resolve);
      const feed = "**/admin/feed?*";
      const dashboard = await refusedAt("/admin", async (page) => {
        await page.route(feed, async (route) => {
          await released;
          await route.continue();
        });
      });
      await dashboard.unroute(stream);
      const state = dashboard.locator("#feed-state");
      await state.filter({ hasText: "live" }).waitFor({ timeout: 15_000 });
      const answered = dashboard.waitForResponse((response) =>
        new URL(response.url()).pathname === "/admin/feed"
      );
      release();
      await answered;
      await dashboard.waitForTimeout(500);
      expect(await state.textContent()).toBe("live");
      await dashboard.close();

      const hints = await refusedAt("/admin/hints");
      await hints.locator("#asks-empty").waitFor();
      // A team asks while the page's stream is down: the page catches up once it is back.
      const token = await registerTeam(base, "Grebes");
      const asked = await fetch(`${base}/api/puzzles/lighthouse/hints/ask/asks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ question: "Is it a star? We tried vega." }),
      });
      expect(asked.status).toBe(201);
      await hints.unroute(stream);
      await hints.getByText("Is it a star? We tried vega.").waitFor({ timeout: 15_000 });
      await hints.screenshot({ path: join(SHOTS, "admin-hints-stream-reopened-desktop.png") });
      expect(errors).toEqual([]);
      await hints.close();
    },
    60_000,
  );
});
