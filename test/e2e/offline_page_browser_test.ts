// "You are offline", the page the service worker shows for a page it could neither fetch nor had
// kept, once the network is back: it loads the page it stands for by itself, so that what waits in
// the phone's outbox is sent and a QR link opened offline checks in, with no tap. The binary on
// 127.0.0.1, where the service worker runs as under HTTPS. Screenshots go to
// test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import {
  chromiumAvailable,
  launchChromium,
  registerTeam,
  SHOTS,
  startBinary,
  until,
} from "./_browser.ts";

const HUNT = `
[hunt]
title = "Offline Photo Hunt"

[[puzzle]]
id = "statue"
title = "Strike a pose"
points = 30
submit = "text"
body = "Tell us which statue you copied."

[[puzzle]]
id = "fountain"
title = "Wish"
points = 20
submit = "text"
body = "What did you wish for?"

[[puzzle]]
id = "bench"
title = "Rest"
points = 10
submit = "text"
body = "Whose name is on the bench?"

[[puzzle]]
id = "crane"
title = "The Crane"
checkpoint = { code = "crane-7f3a92c1" }
unlock = 'checked_in("crane")'
answer = ["hook"]
`;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

let server: Awaited<ReturnType<typeof startBinary>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;

/** A new team `name`'s phone on `path`, once the service worker controls it. */
async function teamPhone(name: string, path = "/puzzles"): Promise<Page> {
  const token = await registerTeam(server.base, name);
  await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
  const page = await context.newPage();
  await page.goto(`${server.base}${path}`);
  await until(page, "navigator.serviceWorker.controller !== null");
  return page;
}

const title = (page: Page) => page.evaluate("document.querySelector('h1')?.textContent ?? ''");

suite("the offline page, once the network is back", () => {
  beforeAll(async () => {
    server = await startBinary(HUNT);
    browser = await launchChromium();
    context = browser.context;
  }, 180_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
    }
  });

  test("loads the page it stands for, whose outbox sends what waited", async () => {
    // A phone that opened a mission from a link, not from the list, which would keep the others.
    const page = await teamPhone("Gulls", "/puzzles/statue");
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await context.setOffline(true);
    await page.fill("#mission-form textarea", "The one with the horse");
    await page.click("#mission-form button[type=submit]");
    await until(page, "document.body.innerText.includes('waiting for the network')");
    // Off to a mission never opened, so never kept: the offline page.
    await page.goto(`${server.base}/puzzles/fountain`).catch(() => {});
    await until(page, "document.querySelector('h1')?.textContent === 'You are offline'");
    await page.screenshot({ path: join(SHOTS, "offline-page-390.png") });
    expect(server.query("SELECT count(*) AS n FROM submissions")).toEqual([{ n: 0 }]);

    await context.setOffline(false);
    // No tap: the page comes back as the mission's, and its outbox sends the text.
    await until(page, "document.querySelector('h1')?.textContent === 'Wish'");
    expect(page.url()).toBe(`${server.base}/puzzles/fountain`);
    for (let i = 0; i < 150 && server.query("SELECT 1 FROM submissions").length === 0; i++) {
      await Bun.sleep(100);
    }
    expect(server.query<{ puzzle: string; text: string }>("SELECT puzzle, text FROM submissions"))
      .toEqual([{ puzzle: "statue", text: "The one with the horse" }]);
    // Its result is another mission's: this page sums it up in a line, and shows it on a tap.
    const more = page.locator("#outbox details.outbox-others");
    await more.locator("summary", { hasText: "1 more from another page" }).waitFor();
    const result = page.locator("#outbox li", { hasText: "your text for Strike a pose" });
    expect(await result.isVisible()).toBe(false);
    await page.screenshot({ path: join(SHOTS, "offline-page-back-390.png") });
    // Not opened, it stays on the phone: the next page sums it up again, until it is shown in full.
    await page.goto(`${server.base}/puzzles/bench`);
    await more.locator("summary", { hasText: "1 more from another page" }).waitFor();
    expect(await result.isVisible()).toBe(false);
    await more.locator("summary").click();
    expect(await result.isVisible()).toBe(true);
    expect(await result.textContent()).toContain("Sent: waiting for a judge");
    await page.screenshot({ path: join(SHOTS, "offline-page-back-opened-390.png") });
    // Opened, it was shown in full: its own page does not show it again.
    await page.goto(`${server.base}/puzzles/statue`);
    await until(page, "document.querySelector('h1')?.textContent === 'Strike a pose'");
    await until(page, "window.cairnOutbox !== undefined");
    await page.evaluate("window.cairnOutbox.render()");
    expect(await page.locator("#outbox li").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("a QR link opened offline checks in once the network is back", async () => {
    const page = await teamPhone("Terns");
    await context.setOffline(true);
    await page.goto(`${server.base}/c/crane-7f3a92c1`).catch(() => {});
    await until(page, "document.querySelector('h1')?.textContent === 'You are offline'");
    await context.setOffline(false);
    await until(page, "document.body.innerText.includes('Checked in at The Crane')");
    expect(await title(page)).toBe("Checkpoint");
    expect(server.query("SELECT puzzle FROM checkins")).toEqual([{ puzzle: "crane" }]);
    await page.close();
  }, 60_000);

  test(
    "with no online event (the server was down, the phone online), it looks every 10 s",
    async () => {
      const page = await teamPhone("Herons", "/puzzles/statue");
      await server.restart(async () => {
        // A mission no earlier test opened: this browser keeps the pages it was shown.
        await page.goto(`${server.base}/puzzles/bench`).catch(() => {});
        await until(page, "document.querySelector('h1')?.textContent === 'You are offline'");
        expect(await page.evaluate("navigator.onLine")).toBe(true);
      });
      await until(page, "document.querySelector('h1')?.textContent === 'Rest'", 25);
      await page.close();
    },
    60_000,
  );

  test("/offline itself goes to the puzzle list", async () => {
    const page = await teamPhone("Puffins");
    await context.setOffline(true);
    await page.goto(`${server.base}/offline`).catch(() => {});
    await until(page, "document.querySelector('h1')?.textContent === 'You are offline'");
    await context.setOffline(false);
    await until(page, "location.pathname === '/puzzles' && !!document.querySelector('#main')");
    expect(await title(page)).not.toBe("You are offline");
    await page.close();
  }, 60_000);
});
