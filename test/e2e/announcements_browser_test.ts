// The announcements page (/announcements) in a real browser: an announcement made while a team or
// a visitor reads it goes at the top of the list at once, as typed (no markup), once (the banner
// stays hidden), and the count line under the list follows. The app runs in process
// (test/http/_app.ts). Screenshots go to test-results/screenshots/ (announcements-*.png).
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ADMIN_TOKEN, makeApp } from "../http/_app.ts";
import { clock, clockZone } from "../../src/ui/charts.ts";
import {
  axe,
  chromiumAvailable,
  outboxCounts,
  registerTeam,
  serveAppForSuite,
  SHOTS,
} from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const HUNT = `
[hunt]
title = "Harbor Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = "x"
body = "Count the windows."
`;

/** What the page lists, its count line (when shown), its "none yet", and its banner. */
const SHOWN = `(() => {
  const count = document.getElementById("announcements-count");
  return {
    items: [...document.querySelectorAll("#announcement-list li")].map((li) => ({
      id: li.id,
      time: li.querySelector("time").textContent,
      text: li.querySelector("p").textContent,
      markup: li.querySelector("p").children.length,
    })),
    count: count.hidden ? null : count.textContent,
    none: !document.getElementById("announcements-none").hidden,
    banner: !document.getElementById("announcement").hidden,
  };
})()`;

interface Shown {
  items: { id: string; time: string; text: string; markup: number }[];
  count: string | null;
  none: boolean;
  banner: boolean;
}

suite("the announcements page", () => {
  const served = serveAppForSuite(() => makeApp({ toml: HUNT }));

  async function announce(text: string): Promise<number> {
    const res = await fetch(`${served.base}/api/admin/announcements`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ text }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { announcement: { id: number } }).announcement.id;
  }

  /** The page, once its live stream has answered: what is announced from then on reaches it. */
  async function open(errors: string[]): Promise<Page> {
    const page = await served.browser.context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.setViewportSize({ width: 390, height: 844 });
    const stream = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/events");
    await page.goto(`${served.base}/announcements`);
    expect((await stream).status()).toBe(200);
    return page;
  }

  test(
    "a visitor and a team see a new announcement at the top as it is made, as typed, once",
    async () => {
      const errors: string[] = [];
      await served.browser.context.clearCookies();
      const visitor = await open(errors);
      const token = await registerTeam(served.base, "Gulls");
      await served.browser.context.addCookies([
        { name: "cairn_session", value: token, url: served.base },
      ]);
      const team = await open(errors);
      for (const page of [visitor, team]) {
        const shown = await page.evaluate(SHOWN) as Shown;
        expect(shown).toEqual({ items: [], count: null, none: true, banner: false });
      }
      const text = 'Soup at <b>noon</b> & "tea" at five';
      const first = await announce(text);
      const second = await announce("Prizes in the hall\nat six");
      for (const page of [visitor, team]) {
        await page.locator(`#announcement-${second}`).waitFor();
        const shown = await page.evaluate(SHOWN) as Shown;
        expect(shown.items.map(({ id, text, markup }) => ({ id, text, markup }))).toEqual([
          { id: `announcement-${second}`, text: "Prizes in the hall\nat six", markup: 0 },
          { id: `announcement-${first}`, text, markup: 0 },
        ]);
        for (const item of shown.items) expect(item.time).toMatch(/^\d\d:\d\d$/);
        // All shown: no count line, no "none yet", and no banner saying it again.
        expect(shown.count).toBeNull();
        expect(shown.none).toBe(false);
        expect(shown.banner).toBe(false);
        expect(await page.getByText("Prizes in the hall").count()).toBe(1);
      }
      // Reloaded, the page lists the same.
      const live = await team.evaluate(SHOWN) as Shown;
      await team.reload();
      expect(await team.evaluate(SHOWN)).toEqual(live);
      expect((await axe(visitor)).serious).toEqual([]);
      await visitor.screenshot({ path: join(SHOTS, "announcements-live-visitor.png") });
      expect(errors).toEqual([]);
      await visitor.close();
      await team.close();
    },
    60_000,
  );

  test(
    "a team's page shows what waits, and its logout sends it first and leaves no outbox",
    async () => {
      const errors: string[] = [];
      // A visitor's page has no outbox.
      await served.browser.context.clearCookies();
      const visitor = await open(errors);
      expect(await visitor.locator("#outbox").count()).toBe(0);
      await visitor.close();
      const token = await registerTeam(served.base, "Terns");
      await served.browser.context.addCookies([
        { name: "cairn_session", value: token, url: served.base },
      ]);
      const page = await served.browser.context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      await page.setViewportSize({ width: 390, height: 844 });
      // The guess cannot get through (the network drops it), though the phone thinks it is online.
      const route = "**/api/puzzles/*/guesses";
      await page.route(route, (request) => request.abort("internetdisconnected"));
      await page.goto(`${served.base}/puzzles/lighthouse`);
      await page.getByRole("textbox", { name: "Answer" }).fill("seven");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
      // The team reads the announcements: what waits is said there too.
      await page.goto(`${served.base}/announcements`);
      await page.locator("#outbox-status", { hasText: "1 answer waiting" }).waitFor();
      await page.screenshot({ path: join(SHOTS, "announcements-outbox-waiting.png") });
      const stored = () =>
        (served.app.db.query("SELECT count(*) AS n FROM guesses WHERE raw = 'seven'").get() as {
          n: number;
        }).n;
      expect(stored()).toBe(0);
      // The network is back; logging out from here sends the guess first, as the list's does.
      await page.unroute(route);
      await page.getByRole("button", { name: "Log out" }).click();
      await page.waitForURL(`${served.base}/`);
      expect(stored()).toBe(1);
      expect(await outboxCounts(page)).toEqual({ outbox: 0, results: 0 });
      expect(await page.evaluate(`localStorage.getItem("cairn.team")`)).toBeNull();
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test("one made while the stream could not open is listed once it opens", async () => {
    const errors: string[] = [];
    const page = await served.browser.context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    // The stream's first answer is a proxy's 503: the page opens it anew, with nothing to resume.
    let refused = 0;
    await page.route("**/api/events*", (route) => {
      refused += 1;
      return route.fulfill({ status: 503, body: "Service Unavailable" });
    });
    await page.goto(`${served.base}/announcements`);
    for (let i = 0; refused === 0 && i < 100; i++) await Bun.sleep(50);
    expect(refused).toBe(1);
    const before = (await page.evaluate(SHOWN) as Shown).items.length;
    const id = await announce("The bridge is closed: take the ferry.");
    await page.unroute("**/api/events*");
    await page.locator(`#announcement-${id}`).waitFor({ timeout: 15_000 });
    const shown = await page.evaluate(SHOWN) as Shown;
    expect(shown.items.length).toBe(before + 1);
    expect(shown.items[0]!.text).toBe("The bridge is closed: take the ferry.");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("one made before the stream first opened is listed once it opens", async () => {
    const errors: string[] = [];
    const page = await served.browser.context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    // The page is drawn, then an announcement is made before its stream opens (a slow network):
    // the stream has nothing to resume from, and nothing of it fails.
    let release = () => {};
    const held = new Promise<void>((resolve) => release = resolve);
    let asked = 0;
    await page.route("**/api/events*", async (route) => {
      asked += 1;
      await held;
      await route.continue();
    });
    await page.goto(`${served.base}/announcements`);
    for (let i = 0; asked === 0 && i < 100; i++) await Bun.sleep(50);
    expect(asked).toBe(1);
    const before = (await page.evaluate(SHOWN) as Shown).items.length;
    const id = await announce("The tide is in: the causeway is closed.");
    release();
    await page.locator(`#announcement-${id}`).waitFor({ timeout: 15_000 });
    const shown = await page.evaluate(SHOWN) as Shown;
    expect(shown.items.length).toBe(before + 1);
    expect(shown.items[0]!.text).toBe("The tide is in: the causeway is closed.");
    expect(errors).toEqual([]);
    await page.unroute("**/api/events*");
    await page.close();
  }, 60_000);

  test("a new one's time is in the server's time zone, as the listed ones are", async () => {
    const errors: string[] = [];
    const page = await served.browser.context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    // A phone in another time zone than the server's (45 minutes off a whole hour, too).
    const phoneZone = clockZone() === "Asia/Kathmandu" ? "America/St_Johns" : "Asia/Kathmandu";
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Emulation.setTimezoneOverride", { timezoneId: phoneZone });
    const stream = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/events");
    await page.goto(`${served.base}/announcements`);
    expect((await stream).status()).toBe(200);
    expect(await page.evaluate("new Date().getTimezoneOffset()")).not.toBe(
      new Date().getTimezoneOffset(),
    );
    const id = await announce("Lunch is served in the boathouse.");
    await page.locator(`#announcement-${id}`).waitFor();
    const live = await page.evaluate(SHOWN) as Shown;
    const at = await page.locator(`#announcement-${id} time`).getAttribute("datetime");
    expect(live.items[0]!.time).toBe(clock(Date.parse(at!)));
    // As the server draws it on a reload.
    await page.reload();
    expect(await page.evaluate(SHOWN)).toEqual(live);
    expect(errors).toEqual([]);
    await cdp.detach();
    await page.close();
  }, 60_000);

  test(
    "past 50, a new announcement takes the oldest's place and the count line says so",
    async () => {
      const errors: string[] = [];
      for (let i = 1; i <= 50; i++) await announce(`Notice number ${i}.`);
      const page = await open(errors);
      // The five of the tests before and these 50: 55, the 50 latest listed.
      expect((await page.evaluate(SHOWN) as Shown).count).toBe("The 50 latest of 55.");
      const id = await announce("The last ferry leaves at seven.");
      await page.locator(`#announcement-${id}`).waitFor();
      const shown = await page.evaluate(SHOWN) as Shown;
      expect(shown.items.length).toBe(50);
      expect(shown.items[0]!.text).toBe("The last ferry leaves at seven.");
      expect(shown.items.at(-1)!.text).toBe("Notice number 2.");
      expect(shown.count).toBe("The 50 latest of 56.");
      await page.reload();
      expect(await page.evaluate(SHOWN)).toEqual(shown);
      await page.locator("#announcements-count").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "announcements-live-count.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );
});
