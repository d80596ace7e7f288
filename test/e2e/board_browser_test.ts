// The projector's announcements in a real browser, against the compiled
// binary: however long the message (the forms take 2,000 characters), the
// popup fits the screen with the whole text in it, and the strip that keeps it
// afterwards shows all of it, scrolling through a long one on the projector
// and wrapping on a phone. Screenshots go to test-results/screenshots/.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  chromiumAvailable,
  registerTeam,
  type Served,
  serveForSuite,
  SHOTS,
  until,
} from "./_browser.ts";

const ADMIN_TOKEN = "board-admin-token";
const HUNT = `
[hunt]
title = "The Lantern Trail of the Old Harbor"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = ["polaris"]
`;

const SENTENCE = "Rain plan: the old-town round moves indoors, to the library desk. ";
/** 1,980 characters: near the forms' limit. */
const LONG = SENTENCE.repeat(30).trim();

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const served = {} as Served;

async function announce(text: string): Promise<void> {
  const res = await fetch(`${served.server.base}/api/admin/announcements`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
  expect(res.status).toBe(201);
}

/** The board at `width`×`height`, its live stream open. */
async function board(width: number, height: number, errors: string[]): Promise<Page> {
  const page = await served.browser.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.setViewportSize({ width, height });
  await page.goto(`${served.server.base}/scoreboard?view=projector`);
  await page.locator("#live.live-on").waitFor();
  return page;
}

/**
 * The projector's chart as drawn: its score labels, and the heights its lines reach, with the
 * plot's top and foot (charts.ts: 16 from the top, 36 from the bottom), in the chart's units.
 */
function chartDrawn(
  page: Page,
): Promise<{ labels: number[]; ys: number[]; top: number; foot: number }> {
  return page.evaluate(`(() => {
    const svg = document.querySelector("#chart svg");
    const labels = [...svg.querySelectorAll('text[text-anchor="end"]')]
      .map((t) => Number(t.textContent)).filter((n) => Number.isFinite(n));
    const ys = [...svg.querySelectorAll("path.line")].flatMap((path) =>
      [...path.getAttribute("d").matchAll(/(?:M[\\d.]+ |V)(-?[\\d.]+)/g)].map((m) => Number(m[1]))
    );
    return { labels, ys, top: 16, foot: svg.viewBox.baseVal.height - 36 };
  })()`);
}

/**
 * The chart's score and time labels as shown: the smallest's size on screen and the page's type,
 * in CSS px; and whether two time labels overlap, or a label leaves the chart's box.
 */
function labelType(
  page: Page,
): Promise<{ label: number; type: number; overlap: boolean; outside: boolean }> {
  return page.evaluate(`(() => {
    const box = document.getElementById("chart").getBoundingClientRect();
    const texts = [...document.querySelectorAll("#chart svg text")];
    const shown = (t) => Number(t.getAttribute("font-size")) * t.getScreenCTM().a;
    const rects = texts.map((t) => t.getBoundingClientRect());
    const times = texts.filter((t) => t.getAttribute("text-anchor") !== "end")
      .map((t) => t.getBoundingClientRect()).sort((a, b) => a.left - b.left);
    return {
      label: Math.round(Math.min(...texts.map(shown)) * 10) / 10,
      type: parseFloat(getComputedStyle(document.getElementById("chart")).fontSize),
      overlap: times.some((r, i) => i > 0 && r.left < times[i - 1].right),
      outside: rects.some((r) => r.left < box.left - 1 || r.right > box.right + 1 ||
        r.top < box.top - 1 || r.bottom > box.bottom + 1),
    };
  })()`);
}

const overlaps = ({ overlap, outside }: { overlap: boolean; outside: boolean }) => ({
  overlap,
  outside,
});

/** Waits for the chart to be drawn with a top label at `score` or over it. */
function chartReaches(page: Page, score: number): Promise<void> {
  return until(
    page,
    `Math.max(...[...document.querySelectorAll('#chart svg text[text-anchor="end"]')]
      .map((t) => Number(t.textContent)).filter((n) => Number.isFinite(n))) >= ${score}`,
  );
}

interface Fit {
  flashBottom: number;
  flashFits: boolean;
  flashFont: number;
  flashEm: number;
  stripLines: number;
  stripShift: number;
  stripOver: number;
  scrolling: boolean;
  titleCut: boolean;
}

/** How the popup and the strip hold their text, measured in the page. */
function measure(page: Page): Promise<Fit> {
  return page.evaluate(`(() => {
    const flash = document.getElementById("board-flash");
    const text = flash.querySelector("p");
    const strip = document.getElementById("board-announcement");
    const inner = document.getElementById("board-announcement-text");
    const box = inner.parentElement;
    const line = parseFloat(getComputedStyle(box).lineHeight);
    const h1 = document.querySelector(".board-head h1");
    return {
      flashBottom: flash.getBoundingClientRect().bottom,
      flashFits: text.scrollHeight <= text.clientHeight + 1,
      flashFont: parseFloat(getComputedStyle(text).fontSize),
      flashEm: parseFloat(getComputedStyle(text).fontSize) / parseFloat(getComputedStyle(flash).fontSize),
      stripLines: Math.round(box.clientHeight / line),
      stripShift: -parseFloat(strip.style.getPropertyValue("--strip-shift") || "0"),
      stripOver: inner.scrollHeight - box.clientHeight,
      scrolling: strip.classList.contains("scrolling"),
      titleCut: h1.scrollWidth > h1.clientWidth + 1,
    };
  })()`) as Promise<Fit>;
}

suite("announcements on the projector", () => {
  serveForSuite(served, HUNT, ["--admin-token", ADMIN_TOKEN]);

  test(
    "the chart fills its column's width on a 1280, 1920 and 3840 px projector, one or two columns",
    async () => {
      const base = served.server.base;
      /** The chart as drawn in its box: the box's size, and the drawing's (its viewBox, fitted). */
      const fit = (page: Page) =>
        page.evaluate(`(() => {
          const box = document.getElementById("chart");
          const svg = box.querySelector("svg");
          const view = svg.viewBox.baseVal;
          const scale = Math.min(svg.clientWidth / view.width, svg.clientHeight / view.height);
          return {
            box: [box.clientWidth, box.clientHeight],
            drawn: [Math.round(view.width * scale), Math.round(view.height * scale)],
            shape: view.width / view.height,
          };
        })()`) as Promise<{ box: number[]; drawn: number[]; shape: number }>;
      const errors: string[] = [];
      for (const layout of ["one column", "two columns"]) {
        if (layout === "two columns") {
          // More teams than one column of a 1280 px screen holds: the chart's column narrows.
          const count = async () =>
            ((await (await fetch(`${base}/api/scoreboard`)).json()) as { teams: unknown[] }).teams
              .length;
          for (let n = await count(); n < 24; n++) await registerTeam(base, `Skua ${n}`);
        }
        for (const [width, height] of [[1280, 720], [1920, 1080], [3840, 2160]] as const) {
          const page = await board(width, height, errors);
          // The server draws it in a shape of its own; the page asks for its box's at once.
          await until(
            page,
            `(() => {
            const box = document.getElementById("chart");
            const view = box.querySelector("svg").viewBox.baseVal;
            const shape = Math.min(2.6, Math.max(0.7, box.clientWidth / box.clientHeight));
            return Math.abs(view.width / view.height - shape) / shape <= 0.03;
          })()`,
          );
          const { box, drawn, shape } = await fit(page);
          // The whole width (within a pixel or two of rounding), and no taller than the box.
          expect({ layout, width, short: box[0]! - drawn[0]! <= 2 && drawn[1]! <= box[1]! + 1 })
            .toEqual({ layout, width, short: true });
          // A sane shape: no thin strip, no tower.
          expect(shape).toBeGreaterThanOrEqual(0.7);
          expect(shape).toBeLessThanOrEqual(2.6);
          expect(await page.locator(".board-main.many").count()).toBe(
            layout === "two columns" ? 1 : 0,
          );
          // Its labels, scores and times, as tall on screen as the page's type, as the legend's
          // beside it: the standings' names are 1.3 times that, their headings 0.8 times.
          const type = await labelType(page);
          console.log(`chart labels, ${layout}, ${width}x${height}: ${JSON.stringify(type)}`);
          expect({ layout, width, smaller: type.label < type.type, ...overlaps(type) })
            .toEqual({ layout, width, smaller: false, overlap: false, outside: false });
          await page.screenshot({
            path: join(SHOTS, `projector-chart-${layout.replace(" ", "-")}-${width}.png`),
          });
          await page.close();
        }
      }
      expect(errors).toEqual([]);
    },
    90_000,
  );

  test(
    "a projector resized in the same shape redraws its chart, its labels as large as its type",
    async () => {
      const errors: string[] = [];
      // Past 1905 px high the type stops growing (40 px): the box holds more lines of it.
      const page = await board(3840, 2160, errors);
      const lines = () =>
        page.evaluate(`(() => {
          const box = document.getElementById("chart");
          return box.clientHeight / parseFloat(getComputedStyle(box).fontSize);
        })()`) as Promise<number>;
      const drawnFor = (height: number) =>
        until(page, `document.querySelector("#chart svg").viewBox.baseVal.height === ${height}`);
      const unitsFor = (lines: number) => Math.round(Math.min(680 / 15, lines) * 15);
      await drawnFor(unitsFor(await lines()));
      await page.setViewportSize({ width: 1920, height: 1080 });
      await drawnFor(unitsFor(await lines()));
      const type = await labelType(page);
      expect({ smaller: type.label < type.type, ...overlaps(type) })
        .toEqual({ smaller: false, overlap: false, outside: false });
      expect(errors).toEqual([]);
      await page.close();
    },
    30_000,
  );

  test(
    "the projector's first chart is already in its box's shape: one request on load, none after",
    async () => {
      const errors: string[] = [];
      const page = await served.browser.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      const asked: string[] = [];
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.pathname === "/scoreboard/chart.svg") asked.push(url.search);
      });
      // Each chart the box shows, by its drawing's shape (its viewBox), from the page's first one.
      await page.addInitScript(`document.addEventListener("DOMContentLoaded", () => {
        const box = document.getElementById("chart");
        globalThis.shown = [];
        const note = () => {
          const svg = box.querySelector("svg");
          if (svg) globalThis.shown.push(svg.getAttribute("viewBox"));
        };
        note();
        new MutationObserver(note).observe(box, { childList: true });
      })`);
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.goto(`${served.server.base}/scoreboard?view=projector`);
      await page.locator("#live.live-on").waitFor();
      await page.locator("#chart svg").waitFor();
      // A second request on load came 300 ms after the first: time enough for it to show.
      await Bun.sleep(1_000);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatch(/^\?aspect=\d\.\d\d&lines=\d+\.\d$/);
      const shown = await page.evaluate(`globalThis.shown`) as string[];
      expect(shown).toHaveLength(1);
      const [, , width, height] = shown[0]!.split(" ").map(Number);
      const box = await page.evaluate(
        `(() => { const b = document.getElementById("chart"); return b.clientWidth / b.clientHeight; })()`,
      ) as number;
      expect(Math.abs(width! / height! - box) / box).toBeLessThanOrEqual(0.03);
      expect(errors).toEqual([]);
      await page.close();

      // Without scripts, the chart the server drew, in its box.
      const plain = await served.browser.context.newPage();
      const cdp = await served.browser.context.newCDPSession(plain);
      await cdp.send("Emulation.setScriptExecutionDisabled", { value: true });
      await plain.setViewportSize({ width: 1920, height: 1080 });
      await plain.goto(`${served.server.base}/scoreboard?view=projector`);
      const drawn = await plain.locator("#chart svg").boundingBox();
      expect((drawn?.width ?? 0) > 300 && (drawn?.height ?? 0) > 300).toBe(true);
      await plain.screenshot({ path: join(SHOTS, "projector-chart-no-script.png") });
      await plain.close();
    },
    30_000,
  );

  test(
    "a 2,000-character announcement fits a 1080p screen, then scrolls in its strip",
    async () => {
      const errors: string[] = [];
      const page = await board(1920, 1080, errors);
      await announce(LONG);
      await page.locator("#board-flash:not([hidden])").waitFor();
      const fit = await measure(page);
      await page.screenshot({ path: join(SHOTS, "projector-long-announcement-1080.png") });
      // The popup ends above the screen's bottom, with all of its text inside, large enough to read.
      expect(fit.flashBottom).toBeLessThanOrEqual(1080);
      expect(fit.flashFits).toBe(true);
      expect(fit.flashFont).toBeGreaterThanOrEqual(22);
      // The strip shows three lines and scrolls exactly through the rest.
      expect(fit.stripLines).toBe(3);
      expect(fit.scrolling).toBe(true);
      expect(fit.stripOver).toBeGreaterThan(0);
      expect(fit.stripShift).toBe(fit.stripOver);
      await page.evaluate(`document.getElementById("board-flash").hidden = true`);
      await page.screenshot({ path: join(SHOTS, "projector-long-announcement-strip-1080.png") });

      // A short one: the popup's full size, and a strip that keeps still.
      await announce("Soup is served at the harbor");
      await page.locator("#board-flash p", { hasText: /^Soup is served at the harbor$/ }).waitFor();
      const short = await measure(page);
      expect(short.flashEm).toBeCloseTo(3, 2);
      expect(short.scrolling).toBe(false);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test("on a phone, the title and the whole announcement wrap", async () => {
    const errors: string[] = [];
    const page = await board(390, 844, errors);
    await announce(LONG);
    await page.locator("#board-flash:not([hidden])").waitFor();
    const fit = await measure(page);
    expect(fit.flashBottom).toBeLessThanOrEqual(844);
    expect(fit.titleCut).toBe(false);
    // No scrolling strip: the page scrolls, and the strip holds all of the text.
    expect(fit.scrolling).toBe(false);
    expect(fit.stripOver).toBeLessThanOrEqual(0);
    await page.evaluate(`document.getElementById("board-flash").hidden = true`);
    await page.screenshot({ path: join(SHOTS, "board-long-announcement-phone.png") });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test(
    "a phone without scripts dismisses the announcement, and later pages leave it out",
    async () => {
      const token = await registerTeam(served.server.base, "Gulls");
      await served.browser.context.addCookies([{
        name: "cairn_session",
        value: token,
        url: served.server.base,
      }]);
      await announce("Lunch at the harbor café");
      const page = await served.browser.context.newPage();
      // Every script is refused, as in a browser with JavaScript off.
      await page.route("**/*.js", (route) => route.abort());
      await page.goto(`${served.server.base}/puzzles/lighthouse`);
      const banner = page.locator("#announcement");
      await banner.getByText("Lunch at the harbor café").waitFor();
      await page.getByRole("button", { name: "Dismiss" }).click();
      await page.waitForURL(`${served.server.base}/puzzles/lighthouse`);
      await banner.waitFor({ state: "hidden" });
      await page.goto(`${served.server.base}/puzzles`);
      expect(await banner.isHidden()).toBe(true);
      await page.close();

      // With scripts: hidden at once, no page load, and the server leaves it out too.
      await announce("Prizes at five");
      const live = await served.browser.context.newPage();
      const errors: string[] = [];
      live.on("pageerror", (error) => errors.push(error.message));
      await live.goto(`${served.server.base}/puzzles/lighthouse`);
      const shown = live.locator("#announcement");
      await shown.getByText("Prizes at five").waitFor();
      await live.evaluate(`window.stayed = true`);
      await live.getByRole("button", { name: "Dismiss" }).click();
      await shown.waitFor({ state: "hidden" });
      expect(await live.evaluate(`window.stayed`)).toBe(true);
      const html = await (await live.request.get(`${served.server.base}/puzzles`)).text();
      expect(html).toMatch(/<div class="announcement" id="announcement"[^>]* hidden=""/);
      expect(errors).toEqual([]);
      await live.close();
    },
    60_000,
  );

  test(
    "a live stream refused with a 503 is opened again, and the board is live once more",
    async () => {
      const errors: string[] = [];
      const page = await served.browser.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      await page.setViewportSize({ width: 1280, height: 720 });
      // The stream's first answers are a proxy's 503: an EventSource gives up on those for good.
      let refused = 0;
      const stream = "**/api/events";
      await page.route(stream, (route) => {
        refused += 1;
        return route.fulfill({ status: 503, body: "Service Unavailable" });
      });
      await page.goto(`${served.server.base}/scoreboard?view=projector`);
      await page.locator("#live", { hasText: "Reconnecting…" }).waitFor();
      for (let i = 0; refused < 2 && i < 100; i++) await Bun.sleep(100);
      expect(refused).toBe(2);
      await page.unroute(stream);
      await page.locator("#live.live-on").waitFor({ timeout: 15_000 });
      await announce("The ferry leaves at six");
      await page.locator("#board-flash p", { hasText: "The ferry leaves at six" }).waitFor();
      await page.screenshot({ path: join(SHOTS, "projector-stream-reopened.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a last page whose teams fit one column shows one table, not an empty second one",
    async () => {
      const base = served.server.base;
      const teams = async () => {
        const res = await fetch(`${base}/api/scoreboard`);
        expect(res.status).toBe(200);
        return ((await res.json()) as { teams: unknown[] }).teams.length;
      };
      // More teams than one column holds (a 1080p column holds fewer than 21), on one page.
      for (let n = await teams(); n < 21; n++) await registerTeam(base, `Skiff ${n}`);
      const errors: string[] = [];
      const page = await board(1920, 1080, errors);
      await page.locator(".board-table").nth(1).waitFor();
      const rows = await page.locator(".board-table").first().locator("tbody tr").count();
      // One team past two full columns: the next page has the top 3 and that team, in one column.
      for (let n = await teams(); n < 2 * rows + 1; n++) await registerTeam(base, `Skiff ${n}`);
      await page.locator("#page-info", { hasText: "Page 1 of 2" }).waitFor();
      await page.goto(`${base}/scoreboard?view=projector&page=2`);
      await page.locator("#live.live-on").waitFor();
      // A score change redraws the page with the script, as the board does all along.
      const adjusted = await fetch(`${base}/api/admin/adjustments`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ team: 1, points: 5, reason: "a fair start" }),
      });
      expect(adjusted.status).toBe(201);
      await page.locator(".board-table tr.changed").waitFor();
      expect(await page.locator("#page-info").textContent()).toBe("Page 2 of 2");
      expect(await page.locator(".board-table").count()).toBe(1);
      expect(await page.locator(".board-table tbody tr").count()).toBe(4);
      // The chart beside it follows: its scale reaches the 5 points, and its lines stay inside.
      await chartReaches(page, 5);
      const drawn = await chartDrawn(page);
      for (const y of drawn.ys) expect(y >= drawn.top && y <= drawn.foot).toBe(true);
      expect(Math.min(...drawn.ys)).toBe(drawn.top);
      // Its labels as large as the page's type, beside standings of many teams too.
      const type = await labelType(page);
      console.log(`chart labels, last page, 1920x1080: ${JSON.stringify(type)}`);
      expect({ smaller: type.label < type.type, ...overlaps(type) })
        .toEqual({ smaller: false, overlap: false, outside: false });
      await page.screenshot({ path: join(SHOTS, "projector-last-page-one-column.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a chart that comes back late does not put the chart of before a change over a newer one",
    async () => {
      const base = served.server.base;
      // Team 1 is there, whichever tests ran before.
      await registerTeam(base, "Chart Gulls");
      const errors: string[] = [];
      const page = await board(1280, 720, errors);
      await page.locator("#chart svg").waitFor();
      const adjust = async (points: number) => {
        const res = await fetch(`${base}/api/admin/adjustments`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ team: 1, points, reason: "a test of the chart" }),
        });
        expect(res.status).toBe(201);
      };
      const score = async () => {
        const res = await fetch(`${base}/api/scoreboard`);
        const teams = ((await res.json()) as { teams: { score: number }[] }).teams;
        return Math.max(...teams.map((t) => t.score));
      };
      // The next chart's answer is held (as over a slow Wi-Fi) once it has left the server.
      let release: () => void = () => {};
      let taken = false;
      let held = false;
      const released = new Promise<void>((resolve) => {
        void page.route("**/scoreboard/chart.svg*", async (route) => {
          if (taken) return route.continue();
          taken = true;
          const answer = await route.fetch();
          held = true;
          release = () => void route.fulfill({ response: answer }).then(resolve);
        });
      });
      await adjust(400);
      for (let i = 0; !held && i < 100; i++) await Bun.sleep(50);
      expect(held).toBe(true);
      // A second change: its chart comes at once, with the higher scale.
      await adjust(600);
      const top = await score();
      await chartReaches(page, top);
      // The first answer comes at last: the chart stays the newer one.
      release();
      await released;
      await page.evaluate("new Promise((resolve) => setTimeout(resolve, 300))");
      const drawn = await chartDrawn(page);
      expect(Math.max(...drawn.labels)).toBeGreaterThanOrEqual(top);
      await page.unroute("**/scoreboard/chart.svg*");
      await page.screenshot({ path: join(SHOTS, "projector-chart-late-answer.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a phone on the standings asks for them again once for a burst of changes, not once a change",
    async () => {
      const base = served.server.base;
      const token = await registerTeam(base, "Plovers");
      await served.browser.context.addCookies([{ name: "cairn_session", value: token, url: base }]);
      const { teams } = await (await fetch(`${base}/api/admin/teams`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })).json() as { teams: { id: number; name: string }[] };
      const plovers = teams.find((team) => team.name === "Plovers")!.id;
      const errors: string[] = [];
      const page = await served.browser.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      let refreshes = 0;
      page.on("request", (request) => {
        if (request.url() === `${base}/scoreboard` && request.resourceType() === "fetch") {
          refreshes++;
        }
      });
      await page.goto(`${base}/scoreboard`);
      await page.locator("tr.mine", { hasText: "Plovers" }).waitFor();
      // Five changes, each its own push (the pushes' window is 250 ms).
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${base}/api/admin/adjustments`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ team: plovers, points: 1, reason: `round ${i}` }),
        });
        expect(res.status).toBe(201);
        await Bun.sleep(300);
      }
      // The page catches up with the last change: within 2 s, or at the latest 10 s after its
      // first refresh, if that one came before the last change.
      await page.locator("tr.mine .score", { hasText: /^5$/ }).waitFor({ timeout: 15_000 });
      expect(refreshes).toBeGreaterThanOrEqual(1);
      expect(refreshes).toBeLessThanOrEqual(2);
      await page.screenshot({ path: join(SHOTS, "scoreboard-team-refreshed.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
      await served.browser.context.clearCookies();
    },
    60_000,
  );

  test(
    "the Score column fits the board's widest score, drawn by the server and live",
    async () => {
      const base = served.server.base;
      const adjust = async (name: string, points: number) => {
        const { teams } = await (await fetch(`${base}/api/admin/teams`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        })).json() as { teams: { id: number; name: string }[] };
        const res = await fetch(`${base}/api/admin/adjustments`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({
            team: teams.find((team) => team.name === name)!.id,
            points,
            reason: "a CTF's scores",
          }),
        });
        expect(res.status).toBe(201);
      };
      await registerTeam(base, "Kestrels");
      await adjust("Kestrels", 12_345);
      // On each screen, a team whose score is wider still (at the top, on the first page) arrives
      // while the board is shown.
      const wider = { 1280: 1_000_000, 1920: 999_999, 390: 888_888 };
      /** The scores drawn wider than their cells (cut off on the screen). */
      const cut = (page: Page) =>
        page.locator("td.score").evaluateAll((cells) =>
          cells.filter((cell) => cell.scrollWidth > cell.clientWidth)
            .map((cell) => cell.textContent)
        );
      const errors: string[] = [];
      for (const [width, height] of [[1280, 720], [1920, 1080], [390, 844]] as const) {
        const page = await board(width, height, errors);
        // As the server drew it, then as the page draws it again live, for a wider score.
        expect(await page.locator("td.score", { hasText: "12345" }).count()).toBe(1);
        expect({ width, cut: await cut(page) }).toEqual({ width, cut: [] });
        await registerTeam(base, `Ospreys ${width}`);
        await adjust(`Ospreys ${width}`, wider[width]);
        await page.locator("td.score", { hasText: new RegExp(`^${wider[width]}$`) }).waitFor();
        expect({ width, cut: await cut(page) }).toEqual({ width, cut: [] });
        await page.locator(".board-table").first().screenshot({
          path: join(SHOTS, `board-wide-scores-${width}.png`),
        });
        await page.close();
      }
      expect(errors).toEqual([]);
    },
    60_000,
  );

  test(
    "a board of 100 teams and more gives its ranks room: 100 does not run into the name",
    async () => {
      const base = served.server.base;
      const board = await (await fetch(`${base}/api/scoreboard`)).json() as { teams: unknown[] };
      const count = board.teams.length;
      await Promise.all(
        Array.from({ length: Math.max(0, 105 - count) }, (_, i) => registerTeam(base, `Crew ${i}`)),
      );
      /** The ranks drawn wider than their cells (into the team's name). */
      const cut = (page: Page) =>
        page.locator("td.rank").evaluateAll((cells) =>
          cells.filter((cell) => cell.scrollWidth > cell.clientWidth).map((cell) =>
            cell.textContent
          )
        );
      const errors: string[] = [];
      // The page with rank 100: on the projector as its script lays it out; on a phone as the
      // server draws it (30 teams, then 27 a page below the top 3), its script kept out (it draws
      // the same pages on a phone: board_phone_browser_test.ts).
      for (const [width, height, script] of [[1280, 720, true], [390, 844, false]] as const) {
        const page = await served.browser.context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.setViewportSize({ width, height });
        if (!script) await page.route(/\/assets\/board\.[0-9a-f]+\.js$/, (route) => route.abort());
        await page.goto(`${base}/scoreboard?view=projector&page=4`);
        if (script) await page.locator("#live.live-on").waitFor();
        const ranks = await page.locator("td.rank").allTextContents();
        expect(ranks.some((rank) => Number(rank) >= 100)).toBe(true);
        expect({ width, cut: await cut(page) }).toEqual({ width, cut: [] });
        await page.screenshot({ path: join(SHOTS, `board-ranks-over-100-${width}.png`) });
        await page.close();
      }
      expect(errors).toEqual([]);
    },
    60_000,
  );
});

const DIVISION_HUNT = `
[hunt]
title = "The Lantern Trail"
divisions = ["kids", "adults"]

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = ["polaris"]
`;

const divided = {} as Served;

suite("one division's board on the projector", () => {
  serveForSuite(divided, DIVISION_HUNT, ["--admin-token", ADMIN_TOKEN]);

  test(
    "standings that come back late do not put those of before a change over newer ones",
    async () => {
      const base = divided.server.base;
      const res = await fetch(`${base}/api/teams`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Kid Gulls", password: "correct horse", division: "kids" }),
      });
      expect(res.status).toBe(201);
      const adjust = async (points: number) => {
        const res = await fetch(`${base}/api/admin/adjustments`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ team: 1, points, reason: "a test of the division board" }),
        });
        expect(res.status).toBe(201);
      };
      const errors: string[] = [];
      const page = await divided.browser.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      await page.setViewportSize({ width: 1280, height: 720 });
      const standings = "**/api/scoreboard?division=kids";
      // The division's standings the board asks for once its stream opens: then the next answer
      // is held (as over a slow Wi-Fi) once it has left the server.
      let holding = false;
      let held = false;
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        void page.route(standings, async (route) => {
          if (!holding) return route.continue();
          holding = false;
          const answer = await route.fetch();
          held = true;
          release = () => void route.fulfill({ response: answer }).then(resolve);
        });
      });
      const first = page.waitForResponse((r) => r.url().endsWith("/api/scoreboard?division=kids"));
      await page.goto(`${base}/scoreboard?division=kids&view=projector`);
      await page.locator("#live.live-on").waitFor();
      await first;
      const score = () => page.locator('tr[data-name="Kid Gulls"] td.score').textContent();
      expect(await score()).toBe("0");
      holding = true;
      await adjust(40);
      for (let i = 0; !held && i < 100; i++) await Bun.sleep(50);
      expect(held).toBe(true);
      // A second change: its standings come at once.
      await adjust(25);
      await until(
        page,
        `document.querySelector('tr[data-name="Kid Gulls"] td.score')
        ?.textContent === "65"`,
      );
      // The first answer (40) comes at last: the board stays at 65.
      release();
      await released;
      await page.evaluate("new Promise((resolve) => setTimeout(resolve, 300))");
      expect(await score()).toBe("65");
      await page.unroute(standings);
      await page.screenshot({ path: join(SHOTS, "projector-division-late-answer.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );
});
