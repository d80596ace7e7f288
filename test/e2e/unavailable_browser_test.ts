// The pages when the server cannot save, in a real browser: a form post whose commit fails gets
// a page that says nothing was saved and when to try again, without a script (the text) and
// with one (the countdown); a logout the script posts keeps its page; a login refused while the
// shared log cannot be read says when too.
// The app runs in process (test/http/_app.ts), so that its store can be made to fail.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { CommitError } from "../../src/store/writer.ts";
import { makeApp } from "../http/_app.ts";
import { chromiumAvailable, serveAppForSuite, SHOTS } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

suite("pages when the server cannot save", () => {
  const commit = { fail: false };
  const served = serveAppForSuite(() => {
    // A node on a shared log: a refused login is checked against the log (`sync`) first.
    const app = makeApp({ sync: () => Promise.resolve() });
    const commitNow = app.store.commit.bind(app.store);
    app.store.commit = (writes) =>
      commit.fail
        ? Promise.reject(new CommitError(new Error("disk I/O error")))
        : commitNow(writes);
    return app;
  });

  /** Registers a team through the API and gives the browser its session cookie. */
  async function loggedIn(name: string): Promise<void> {
    const res = await fetch(`${served.base}/api/teams`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, password: "correct horse", members: ["A"] }),
    });
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as { token: string };
    await served.browser.context.addCookies([{
      name: "cairn_session",
      value: token,
      url: served.base,
    }]);
  }

  test(
    "a guess form posted without a script: 'Not saved', try again in 5 s, back to the puzzle",
    async () => {
      await loggedIn("Gulls");
      const page = await served.browser.context.newPage();
      try {
        // No script: the form posts itself, as on a phone with JavaScript off.
        await page.route("**/*.js", (route) => route.abort());
        await page.goto(`${served.base}/puzzles/a`);
        commit.fail = true;
        await page.fill("input[name=answer]", "polaris");
        const [answer] = await Promise.all([
          page.waitForResponse((res) => res.url().endsWith("/puzzles/a/guess")),
          page.click("form[action='/puzzles/a/guess'] button[type=submit]"),
        ]);
        expect(answer.status()).toBe(503);
        expect(answer.headers()["retry-after"]).toBe("5");
        await page.waitForSelector("h1:text('Not saved')");
        expect(await page.textContent("main")).toContain(
          "The server cannot save right now: nothing was saved.Try again in 5 s.Back to the page",
        );
        expect(await page.getAttribute("main a", "href")).toBe("/puzzles/a");
        await page.screenshot({ path: join(SHOTS, "unavailable-guess-form.png"), fullPage: true });
        commit.fail = false;
        await page.click("text=Back to the page");
        await page.waitForURL(`${served.base}/puzzles/a`);
      } finally {
        commit.fail = false;
        await page.close();
      }
    },
    30_000,
  );

  test("with the page's script, the 'Not saved' page counts down", async () => {
    await loggedIn("Terns");
    const page = await served.browser.context.newPage();
    try {
      await page.goto(`${served.base}/puzzles`);
      commit.fail = true;
      // Logging out stores the session's end: its form posted as a page (the outbox's script
      // would post it itself, and keep the page, below).
      await page.evaluate(`document.querySelector("form[action='/logout']").submit()`);
      await page.waitForSelector("h1:text('Not saved')");
      // Nothing was saved: the team is still logged in, and its menu says so.
      expect(await page.textContent("nav .team-chip")).toBe("Terns");
      expect(await page.isVisible("nav button:text('Log out')")).toBe(true);
      expect(await page.textContent("[data-countdown]")).toMatch(/^[1-5] s$/);
      // The script counts it down, a second at a time.
      let shown = "";
      for (let i = 0; i < 40 && !/^[1-4] s$|^a moment$/.test(shown); i++) {
        await Bun.sleep(100);
        shown = (await page.textContent("[data-countdown]")) ?? "";
      }
      expect(shown).toMatch(/^[1-4] s$|^a moment$/);
      await page.screenshot({ path: join(SHOTS, "unavailable-countdown.png"), fullPage: true });
    } finally {
      commit.fail = false;
      await page.close();
    }
  }, 30_000);

  test("a logout the server cannot save keeps the page, and the team logged in", async () => {
    await loggedIn("Gannets");
    const page = await served.browser.context.newPage();
    try {
      await page.goto(`${served.base}/puzzles`);
      commit.fail = true;
      await page.click("nav button:text('Log out')");
      await page.waitForSelector(
        "#outbox-logout:text('The server could not log you out now: try again in a moment.')",
      );
      expect(new URL(page.url()).pathname).toBe("/puzzles");
      await page.screenshot({ path: join(SHOTS, "unavailable-logout.png"), fullPage: true });
      commit.fail = false;
      await page.click("nav button:text('Log out')");
      await page.waitForURL(`${served.base}/`);
    } finally {
      commit.fail = false;
      await page.close();
    }
  }, 30_000);

  test("a login refused while the shared log cannot be read says when to try again", async () => {
    const page = await served.browser.context.newPage();
    try {
      await served.browser.context.clearCookies();
      await page.goto(`${served.base}/`);
      served.app.store.writeProblem = () => "Cannot reach the database: connect ECONNREFUSED";
      await page.fill("#login input[name=name]", "Gulls");
      await page.fill("#login input[name=password]", "not the password");
      await page.click("#login button[type=submit]");
      await page.waitForSelector(".notice-bad");
      const notice = await page.textContent(".notice-bad");
      expect(notice).toMatch(/^The server cannot check logins right nowTry again in [1-5] s\.$/);
      expect(await page.textContent("body")).not.toContain("ECONNREFUSED");
      await page.screenshot({ path: join(SHOTS, "unavailable-login.png"), fullPage: true });
    } finally {
      served.app.store.writeProblem = () => undefined;
      await page.close();
    }
  }, 30_000);

  test("a hint take the server cannot save says what to do, not the database's error", async () => {
    await loggedIn("Puffins");
    const page = await served.browser.context.newPage();
    try {
      // A browser that keeps nothing (no IndexedDB): no outbox, the page takes the hint itself.
      await page.addInitScript("delete globalThis.indexedDB");
      await page.goto(`${served.base}/puzzles/a`);
      // A node that cannot read its shared log answers a session it does not know so (hot.ts).
      await page.route(`${served.base}/api/puzzles/a/hints/free`, (route) =>
        route.fulfill({
          status: 503,
          headers: { "content-type": "application/json", "retry-after": "5" },
          body: JSON.stringify({
            error: {
              code: "unavailable",
              message: "Cannot reach the database: connect ECONNREFUSED",
            },
          }),
        }));
      const box = page.locator("#hint-free");
      await box.getByText("Take this hint").click();
      await box.getByRole("button", { name: "Show the hint" }).click();
      await box.locator(".result-incorrect").waitFor();
      expect(await box.locator(".result-incorrect").textContent()).toBe(
        "The server cannot save right now: try again in a moment.",
      );
      expect(await page.textContent("body")).not.toContain("ECONNREFUSED");
      await page.screenshot({ path: join(SHOTS, "unavailable-hint.png"), fullPage: true });
    } finally {
      await page.close();
    }
  }, 30_000);

  /** Answers `pattern` on `page` as a node starting again in place answers every request. */
  async function starting(page: Page, pattern: string): Promise<void> {
    await page.route(pattern, (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        headers: { "retry-after": "5" },
        body: JSON.stringify({
          error: { code: "unavailable", message: "The server is starting again" },
        }),
      }));
  }

  test(
    "a login while the server answers it cannot take it now says so, not that there is no network",
    async () => {
      const page = await served.browser.context.newPage();
      try {
        await served.browser.context.clearCookies();
        await page.goto(`${served.base}/`);
        await loggedIn("Shags");
        await served.browser.context.clearCookies();
        await starting(page, "**/api/hunt");
        await page.fill("#login input[name=name]", "Shags");
        await page.fill("#login input[name=password]", "correct horse");
        await page.click("#login button[type=submit]");
        await page.locator("#login", {
          hasText: "The server cannot take this now: try again in a moment.",
        }).waitFor();
        expect(await page.locator("#login", { hasText: "No network" }).count()).toBe(0);
        await page.screenshot({ path: join(SHOTS, "unavailable-login-starting.png") });
        // The server is back: the same tap logs in.
        await page.unroute("**/api/hunt");
        await page.click("#login button[type=submit]");
        await page.waitForURL(`${served.base}/puzzles`);
      } finally {
        await page.close();
      }
    },
    30_000,
  );

  test(
    "a logout with an answer waiting while the server answers it cannot take it now says so",
    async () => {
      await loggedIn("Cormorants");
      const page = await served.browser.context.newPage();
      try {
        await page.goto(`${served.base}/puzzles/a`);
        await starting(page, "**/api/**");
        await page.getByRole("textbox", { name: "Answer" }).fill("sirius");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#outbox-status", {
          hasText: "1 answer waiting: the server cannot take it now",
        }).waitFor();
        await page.click("nav button:text('Log out')");
        await page.locator("#outbox-logout", {
          hasText: "The server could not log you out now: try again in a moment.",
        }).waitFor();
        expect(new URL(page.url()).pathname).toBe("/puzzles/a");
        await page.screenshot({ path: join(SHOTS, "unavailable-logout-waiting.png") });
        // Back: the answer goes, and the logout with it.
        await page.unroute("**/api/**");
        await page.click("nav button:text('Log out')");
        await page.waitForURL(`${served.base}/`);
      } finally {
        await page.close();
      }
    },
    30_000,
  );
});
