// The puzzle page's answers in a real browser, against the compiled binary:
// the outbox (outbox.js) sends each guess and hint take, and the page
// (player.js) shows what became of it in place, as a reload would: the guesses
// left, a hint a wrong guess opened, the guess limit's wait, a lost session,
// what a solve unlocked. Only a network failure or a lost session leaves a
// guess waiting.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { chromiumAvailable, launchChromium, registerTeam, startBinary } from "./_browser.ts";

const HUNT = `
[hunt]
title = "Answers Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
points = 100
answer = ["polaris"]
guess_limit = { count = 3, per = "10m" }

[[puzzle.hint]]
id = "stuck"
text = "It is in the Little Dipper."
unlock = "wrong_guesses() >= 2"
cost = 10

[[puzzle]]
id = "knots"
title = "Knots"
points = 50
answer = ["bowline"]

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Stuck? Tell us what you tried."

[[puzzle]]
id = "tides"
title = "Tide Table"
answer = ["ebb"]

[[puzzle.hint]]
id = "later"
text = "It goes out."
unlock = "minutes_since_unlock() >= 2"

[[puzzle]]
id = "meta"
title = "Harbor Meta"
unlock = 'solved("knots")'
answer = ["anchor"]

[[puzzle]]
id = "compass"
title = "The Compass"
answer = ["north"]
guess_limit = { count = 2, per = "hunt" }
`;

const SHOTS = join(import.meta.dir, "..", "..", "test-results", "screenshots");
const ADMIN_TOKEN = "answers-admin-token";
const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

let server: Awaited<ReturnType<typeof startBinary>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;

/** A page's live stream, as its requests are routed. */
const STREAM = /\/api\/events/;

/**
 * A tab logged in as `token` at `path`, collecting script errors, once its live stream is open;
 * with `live: false`, cut off from its live stream, so that it hears nothing of a teammate's doings.
 */
async function tab(
  token: string,
  path: string,
  errors: string[],
  { live = true } = {},
): Promise<Page> {
  await browser.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
  const page = await browser.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  if (!live) await page.route(STREAM, (route) => route.abort("internetdisconnected"));
  const stream = live ? page.waitForResponse((r) => STREAM.test(r.url())) : undefined;
  await page.goto(`${server.base}${path}`);
  if (stream) expect((await stream).status()).toBe(200);
  return page;
}

/** An organizer grants the team named `name` `count` extra guesses on `puzzle`. */
async function grantExtra(name: string, puzzle: string, count: number): Promise<void> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
  const { teams } = await (await fetch(`${server.base}/api/admin/teams`, { headers: admin }))
    .json() as { teams: { id: number; name: string }[] };
  const team = teams.find((t) => t.name === name)!;
  const given = await fetch(`${server.base}/api/admin/extra-guesses`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify({ team: team.id, puzzle, count }),
  });
  expect(given.status).toBe(201);
}

/** Submits `answer` with the page's form. */
async function guess(page: Page, answer: string): Promise<void> {
  await page.getByRole("textbox", { name: "Answer" }).fill(answer);
  await page.getByRole("button", { name: "Submit" }).click();
}

interface Outbox {
  cairnOutbox: { pending(): Promise<number> };
}
const pending = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as Outbox).cairnOutbox.pending());

const stored = (raw: string) =>
  server.query<{ n: number }>("SELECT count(*) AS n FROM guesses WHERE raw = ?", raw)[0]!.n;

suite("answers on the puzzle page", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startBinary(HUNT, { args: ["--admin-token", ADMIN_TOKEN] });
    browser = await launchChromium([], { serviceWorkers: "block" });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test(
    "a wrong guess counts down the guesses left, is listed and opens a hint in place",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Gulls");
      const page = await tab(token, "/puzzles/lighthouse", errors);
      const note = page.locator("#limit-note");
      expect(await note.textContent()).toStartWith("3 of 3 wrong guesses left per 10 minutes.");
      expect(await page.locator("#hint-stuck .hint-when").textContent()).toBe(
        "Available after 2 wrong guesses.",
      );

      await guess(page, "vega");
      await page.locator("#result.notice-bad", { hasText: "“vega” is not it." }).waitFor();
      await note.filter({ hasText: "2 of 3 wrong guesses left" }).waitFor();
      await guess(page, "deneb");
      await note.filter({ hasText: "1 of 3 wrong guesses left" }).waitFor();
      // Both are listed under the answer box, newest first, without a reload.
      const listed = page.getByRole("region", { name: "Your team's guesses" }).getByRole(
        "listitem",
      );
      await listed.filter({ hasText: "deneb" }).waitFor();
      const clockless = (texts: string[]) => texts.map((t) => t.replace(/\d\d:\d\d/, "hh:mm"));
      expect(clockless(await listed.allTextContents())).toEqual([
        "deneb Not it hh:mm",
        "vega Not it hh:mm",
      ]);
      // The second wrong guess opened the hint: it can be taken without a reload.
      await page.locator("#hint-stuck").getByText("Take this hint").click();
      await page.getByRole("button", { name: "Yes, spend 10 points" }).click();
      await page.locator("#hint-stuck .hint-text", { hasText: "It is in the Little Dipper." })
        .waitFor();
      expect(await page.locator("#hint-stuck .hint-head .badge").textContent()).toBe("Taken");
      // Seen where it was taken: no notice of it follows the player around.
      expect(await page.locator("#outbox li").count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "past the guess limit, the wait is counted down and nothing waits on the phone",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Terns");
      // Its live stream cut (bad Wi-Fi), this page hears nothing of a teammate's wrong guess.
      const page = await tab(token, "/puzzles/lighthouse", errors, { live: false });
      for (const [raw, left] of [["sirius", 2], ["vega", 1]] as const) {
        // After each wrong guess the page draws itself again in the background (its hints and
        // limit): that copy must be drawn before the teammate's guess, or it tells of it.
        const redrawn = page.waitForResponse((r) =>
          new URL(r.url()).pathname === "/puzzles/lighthouse" &&
          r.request().headers()["cairn-background"] === "1"
        );
        await guess(page, raw);
        await page.locator("#limit-note", { hasText: `${left} of 3 wrong guesses left` }).waitFor();
        await (await redrawn).finished();
      }
      // A teammate's phone makes the team's last wrong guess: this page does not know, and its
      // next guess is refused.
      const teammate = await fetch(`${server.base}/api/puzzles/lighthouse/guesses`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ answer: "altair" }),
      });
      expect(teammate.status).toBe(200);
      await guess(page, "rigel");
      const result = page.locator("#result.notice-warn", { hasText: "Too many wrong guesses" });
      await result.waitFor();
      expect(await result.textContent()).toMatch(/Try again in (10 min 0|9 min \d+) s\./);
      await page.screenshot({ path: join(SHOTS, "answers-limited-phone.png"), fullPage: true });
      expect(await page.getByRole("textbox", { name: "Answer" }).isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: "Submit" }).isDisabled()).toBe(true);
      // Refused, not offline: nothing is kept to send again, and nothing says so.
      expect(await pending(page)).toBe(0);
      expect(await page.locator("#outbox-status").isHidden()).toBe(true);
      expect(await page.getByText("Saved on this phone").count()).toBe(0);
      expect(stored("rigel")).toBe(0);
      // A reload says the same, with the form still off.
      await page.reload();
      await page.locator("#limit-note", { hasText: "Too many wrong guesses" }).waitFor();
      expect(await page.getByRole("textbox", { name: "Answer" }).isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: "Submit" }).isDisabled()).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "the wrong guess that reaches the limit shows the wait at once, the answer box off",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Fulmars");
      const page = await tab(token, "/puzzles/lighthouse", errors);
      for (const [raw, left] of [["sirius", 2], ["vega", 1]] as const) {
        await guess(page, raw);
        await page.locator("#limit-note", { hasText: `${left} of 3 wrong guesses left` }).waitFor();
      }
      // The third: no fourth answer is typed only to be told to wait.
      await guess(page, "altair");
      await page.locator("#result.notice-bad", { hasText: "“altair” is not it." }).waitFor();
      await page.locator("#limit-note", {
        hasText: "Too many wrong guesses. You can guess again in",
      }).waitFor();
      expect(await page.getByRole("textbox", { name: "Answer" }).isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: "Submit" }).isDisabled()).toBe(true);
      await page.screenshot({ path: join(SHOTS, "answers-limit-reached-phone.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "the wrong guess that uses up a cap on the whole hunt turns the answer box off, and an extra guess on",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Petrels");
      const page = await tab(token, "/puzzles/compass", errors);
      const answer = page.getByRole("textbox", { name: "Answer" });
      await guess(page, "south");
      await page.locator("#limit-note", { hasText: "1 of 2 wrong guesses left per hunt" })
        .waitFor();
      expect(await answer.isDisabled()).toBe(false);
      // The last one: no third answer is typed only to be refused.
      await guess(page, "east");
      await page.locator("#limit-note", { hasText: "No wrong guesses left on this puzzle" })
        .waitFor();
      expect(await answer.isDisabled()).toBe(true);
      expect(await page.getByRole("button", { name: "Submit" }).isDisabled()).toBe(true);
      await page.screenshot({ path: join(SHOTS, "answers-cap-reached-phone.png") });
      await page.evaluate(`window.stayed = true`);
      await grantExtra("Petrels", "compass", 1);
      await page.locator("#limit-note", { hasText: "plus 1 extra" }).waitFor();
      expect(await answer.isDisabled()).toBe(false);
      expect(await page.evaluate("window.stayed")).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "extra guesses an organizer gives past the limit turn the answer box on again, with no reload",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Jaegers");
      const page = await tab(token, "/puzzles/lighthouse", errors);
      for (const raw of ["sirius", "vega", "altair"]) {
        await guess(page, raw);
        await page.locator("#result.notice-bad", { hasText: `“${raw}” is not it.` }).waitFor();
      }
      await page.locator("#limit-note", { hasText: "Too many wrong guesses" }).waitFor();
      expect(await page.getByRole("textbox", { name: "Answer" }).isDisabled()).toBe(true);
      await page.evaluate(`window.stayed = true`);
      await grantExtra("Jaegers", "lighthouse", 2);
      await page.locator("#limit-note", { hasText: "plus 2 extra" }).waitFor();
      expect(await page.getByRole("textbox", { name: "Answer" }).isDisabled()).toBe(false);
      expect(await page.getByRole("button", { name: "Submit" }).isDisabled()).toBe(false);
      expect(await page.evaluate("window.stayed")).toBe(true);
      await page.screenshot({ path: join(SHOTS, "answers-extra-guesses-phone.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a teammate's wrong guesses count down this page's guesses left live, up to the wait, with no reload",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Kittiwakes");
      // Two phones of the team on the same puzzle: this one watches, the teammate's guesses. A
      // browser of its own: two tabs of one browser share their outbox, and each shows the
      // other's answers (outbox.js), which two phones do not.
      const mine = await tab(token, "/puzzles/lighthouse", errors);
      const phone = await launchChromium([], { serviceWorkers: "block" });
      try {
        await phone.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
        const theirs = await phone.context.newPage();
        theirs.on("pageerror", (error) => errors.push(error.message));
        await theirs.goto(`${server.base}/puzzles/lighthouse`);
        await mine.evaluate(`window.stayed = true`);
        const note = mine.locator("#limit-note");
        expect(await note.textContent()).toStartWith("3 of 3 wrong guesses left per 10 minutes.");

        await guess(theirs, "vega");
        await theirs.locator("#limit-note", { hasText: "2 of 3 wrong guesses left" }).waitFor();
        await note.filter({ hasText: "2 of 3 wrong guesses left" }).waitFor();
        await guess(theirs, "deneb");
        await theirs.locator("#limit-note", { hasText: "1 of 3 wrong guesses left" }).waitFor();
        await note.filter({ hasText: "1 of 3 wrong guesses left" }).waitFor();
        // The teammate's second wrong guess opened the hint here too, and both are listed.
        await mine.locator("#hint-stuck").getByText("Take this hint").waitFor();
        await mine.locator("#guesses li", { hasText: "deneb" }).waitFor();
        expect(await mine.locator("#guesses .guess-answer").allTextContents()).toEqual([
          "deneb",
          "vega",
        ]);
        await mine.screenshot({
          path: join(SHOTS, "answers-teammate-wrong-phone.png"),
          fullPage: true,
        });

        // The third reaches the limit: this phone shows the wait, its answer box off.
        await guess(theirs, "altair");
        await note.filter({ hasText: "Too many wrong guesses. You can guess again in" }).waitFor();
        expect(await note.textContent()).toMatch(/You can guess again in (10 min 0|9 min \d+) s\./);
        expect(await mine.getByRole("textbox", { name: "Answer" }).isDisabled()).toBe(true);
        expect(await mine.getByRole("button", { name: "Submit" }).isDisabled()).toBe(true);
        await mine.screenshot({
          path: join(SHOTS, "answers-teammate-limit-phone.png"),
          fullPage: true,
        });
        // All in place: the page was not reloaded, nor did it say anything in its result box.
        expect(await mine.evaluate(`window.stayed`)).toBe(true);
        expect(await mine.locator("#result").textContent()).toBe("");
        expect(errors).toEqual([]);
        await mine.close();
      } finally {
        await phone.close();
      }
    },
    60_000,
  );

  test("a lost session is said in place, with a way to log in, and the guess waits", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Skuas");
    const page = await tab(token, "/puzzles/knots", errors);
    const out = await fetch(`${server.base}/api/session`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBe(200);
    await guess(page, "reef");
    await page.locator("#result.notice-warn", { hasText: "This phone is logged out" }).waitFor();
    expect(await page.locator("#result").textContent()).toContain(
      "Your answer waits on this phone: it is sent when you log in again.",
    );
    expect(await page.locator("#result a").getAttribute("href")).toBe("/#login");
    await page.locator("#outbox-status", {
      hasText: "1 answer waiting for you to log in again",
    }).waitFor();
    await page.screenshot({ path: join(SHOTS, "answers-logged-out-phone.png") });
    // Kept to send after logging in (outbox_browser_test.ts), not sent meanwhile.
    expect([await pending(page), stored("reef")]).toEqual([1, 0]);
    // What was typed stays too.
    expect(await page.getByRole("textbox", { name: "Answer" }).inputValue()).toBe("reef");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("a question's Withdraw button reads as a link, like the page's links", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Gannets");
    const page = await tab(token, "/puzzles/knots", errors);
    await page.getByLabel("Your question to the organizers").fill("Is it a knot?");
    await page.getByRole("button", { name: "Ask" }).click();
    const withdraw = page.getByRole("button", { name: "Withdraw (its cost comes back)" });
    await withdraw.waitFor();
    const look = (selector: string) =>
      page.evaluate(`(() => {
        const style = getComputedStyle(document.querySelector(${JSON.stringify(selector)}));
        return [style.color, style.textDecorationLine, style.cursor];
      })()`);
    const [linkColor] = await look("main a[href='/puzzles']") as string[];
    expect(await look(".ask-withdraw .link-button")).toEqual([linkColor, "underline", "pointer"]);
    await page.screenshot({ path: join(SHOTS, "answers-withdraw-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("a solve shows what it unlocked, and the ask form goes as on a reload", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Herons");
    const page = await tab(token, "/puzzles/knots", errors);
    expect(await page.locator("#hint-ask .ask-form").count()).toBe(1);
    // The puzzle has no text: no empty box where it would be.
    expect(await page.locator("article.body").isHidden()).toBe(true);
    await guess(page, "Bowline");
    await page.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
    await page.locator("#result").getByRole("link", { name: "Harbor Meta" }).waitFor();
    expect(await page.locator("#result a").getAttribute("href")).toBe("/puzzles/meta");
    await page.locator("#hint-ask .hint-when", {
      hasText: "Not needed: your team solved this puzzle.",
    }).waitFor();
    expect(await page.locator(".ask-form").count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, "answers-solved-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("a solve in place stays on screen when a hint's countdown would have ended", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Puffins");
    await browser.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    const page = await browser.context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.clock.install();
    await page.goto(`${server.base}/puzzles/tides`);
    await page.locator("#hint-later [data-countdown]").waitFor();
    await guess(page, "ebb");
    await page.locator("#hint-later .hint-when", {
      hasText: "Not needed: your team solved this puzzle.",
    }).waitFor();
    await page.evaluate(`window.stayed = true`);
    // The hint's old countdown ends: nothing is left to wait for, so the page stays.
    await page.clock.runFor("03:00");
    await page.waitForTimeout(1_000);
    expect(await page.evaluate(`window.stayed`)).toBe(true);
    expect(await page.locator("#result").textContent()).toContain("Correct! Puzzle solved.");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("a double tap on Submit sends the guess once", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Shags");
    const page = await tab(token, "/puzzles/lighthouse", errors);
    // Its answer is a little slow, as on a phone network.
    await page.route("**/api/puzzles/lighthouse/guesses", async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.fulfill({ response });
    });
    await page.getByRole("textbox", { name: "Answer" }).fill("capella");
    await page.getByRole("button", { name: "Submit" }).dblclick();
    await page.locator("#result.notice-bad", { hasText: "“capella” is not it." }).waitFor();
    await page.waitForTimeout(800);
    expect(stored("capella")).toBe(1);
    expect(await page.locator("#limit-note").textContent()).toStartWith(
      "2 of 3 wrong guesses left",
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test(
    "a live stream refused with a 503 is opened again, and the page hears what comes next",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Grebes");
      await browser.context.addCookies([
        { name: "cairn_session", value: token, url: server.base },
      ]);
      // The stream's first answers are a proxy's 503: an EventSource gives up on those for good.
      let refused = 0;
      // The page asks for its team's row alone (`?scoreboard=team`).
      const stream = /\/api\/events(\?|$)/;
      const again = await browser.context.newPage();
      again.on("pageerror", (error) => errors.push(error.message));
      await again.route(stream, (route) => {
        refused += 1;
        return route.fulfill({ status: 503, body: "Service Unavailable" });
      });
      await again.goto(`${server.base}/puzzles/lighthouse`);
      for (let i = 0; refused < 2 && i < 100; i++) await Bun.sleep(100);
      expect(refused).toBe(2);
      await again.unroute(stream);
      await again.waitForResponse(
        (response) => stream.test(response.url()) && response.status() === 200,
        { timeout: 15_000 },
      );
      // A teammate's solve unlocks a puzzle: this page hears of it.
      const res = await fetch(`${server.base}/api/puzzles/knots/guesses`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ answer: "bowline" }),
      });
      expect(res.status).toBe(200);
      await again.locator(".toast", { hasText: "New puzzle unlocked: Harbor Meta" }).waitFor();
      expect(errors).toEqual([]);
      await again.close();
    },
    60_000,
  );
});
