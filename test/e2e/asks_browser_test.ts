// Hints answered by people in a real browser against the compiled binary: a
// team asks from its phone, the organizers' /admin/hints shows the question
// live beside the team's guesses, the answer reaches the phone live.
// Screenshots go to test-results/screenshots/.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { axe, chromiumAvailable, launchChromium, registerTeam, startBinary } from "./_browser.ts";

const ADMIN_TOKEN = "asks-admin-token";
const SHOTS = join(import.meta.dir, "..", "..", "test-results", "screenshots");
const HUNT = `
[hunt]
title = "Harbor Hunt"
hint_tokens = { start = 2, every = "1h" }

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
points = 100
body = "Count the windows, then look up."
answer = ["polaris"]

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Stuck? Tell us what you tried."
`;

const run = chromiumAvailable || process.env.CI !== undefined ? test : test.skip;

let server: Awaited<ReturnType<typeof startBinary>>;
let organizer: Awaited<ReturnType<typeof launchChromium>>;
let phone: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  if (!chromiumAvailable && process.env.CI === undefined) return;
  mkdirSync(SHOTS, { recursive: true });
  server = await startBinary(HUNT, { args: ["--admin-token", ADMIN_TOKEN] });
  organizer = await launchChromium();
  phone = await launchChromium();
  await organizer.context.addCookies([
    { name: "cairn_admin", value: ADMIN_TOKEN, url: server.base },
  ]);
}, 180_000);

afterAll(async () => {
  await organizer?.close();
  await phone?.close();
  await server?.stop();
});

/** A new tab at `path`, watching for script errors. */
async function open(
  browser: typeof organizer,
  path: string,
  errors: string[],
): Promise<Page> {
  const page = await browser.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${server.base}${path}`);
  return page;
}

run(
  "a question asked on the phone appears live on /admin/hints with the team's guesses; the answer appears live on the phone",
  async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Gulls");
    await fetch(`${server.base}/api/puzzles/lighthouse/guesses`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ answer: "vega" }),
    });
    await phone.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);

    // The organizers' page is open, and empty, before the question is asked.
    const hints = await open(organizer, "/admin/hints", errors);
    await hints.setViewportSize({ width: 1366, height: 900 });
    await hints.waitForSelector("#asks-empty");

    const puzzle = await open(phone, "/puzzles/lighthouse", errors);
    expect(await puzzle.locator("#hint-tokens").textContent()).toContain("Hint tokens left: 2");
    await puzzle.getByLabel("Your question to the organizers").fill("Is it a star? We tried vega.");
    await puzzle.getByRole("button", { name: "Ask" }).click();
    await puzzle.waitForSelector("text=Waiting for an organizer");
    expect(await puzzle.locator("#hint-tokens").textContent()).toContain("Hint tokens left: 1");
    await puzzle.screenshot({ path: join(SHOTS, "asks-phone-waiting-390.png"), fullPage: true });

    // The organizers' page reloads itself on the live event: the question, beside the guesses.
    await hints.waitForSelector("text=Is it a star? We tried vega.");
    expect(await hints.locator(".ask-guesses").textContent()).toContain("vega");
    expect(await hints.locator("nav .count").textContent()).toBe("1");
    await hints.screenshot({ path: join(SHOTS, "admin-hints-1366.png"), fullPage: true });
    const adminAxe = await axe(hints);
    expect(adminAxe.serious).toEqual([]);
    expect(adminAxe.passes).toBeGreaterThan(10);
    await hints.getByLabel("Answer", { exact: true }).fill("Look north, at night.");
    await hints.getByRole("button", { name: "Send the answer" }).click();
    await hints.waitForSelector("text=Answered Gulls");
    await hints.waitForSelector("#asks-empty");

    // The phone shows the answer without anyone touching it.
    await puzzle.waitForSelector("text=Look north, at night.");
    expect(await puzzle.locator(".ask-item").getAttribute("data-status")).toBe("answered");
    await puzzle.screenshot({ path: join(SHOTS, "asks-phone-answered-390.png"), fullPage: true });
    const phoneAxe = await axe(puzzle);
    expect(phoneAxe.serious).toEqual([]);
    expect(phoneAxe.passes).toBeGreaterThan(10);
    const stored = server.query<{ status: string; answer: string }>(
      "SELECT status, answer FROM asks",
    );
    expect(stored).toEqual([{ status: "answered", answer: "Look north, at night." }]);
    expect(errors).toEqual([]);
  },
  60_000,
);

/** The question box of the lighthouse's ask hint, and how many of the team's asks are stored. */
const askForm = (page: Page) => page.locator("#hint-ask .ask-form");
const storedAsks = (team: string) =>
  server.query<{ question: string; status: string }>(
    "SELECT question, status FROM asks JOIN teams ON teams.id = asks.team_id WHERE teams.name = ?",
    team,
  );

run(
  "a question asked offline waits on the phone, then is sent once when the network is back",
  async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Terns");
    await phone.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    const puzzle = await open(phone, "/puzzles/lighthouse", errors);
    await puzzle.waitForFunction("globalThis.cairnOutbox !== undefined");
    try {
      await phone.context.setOffline(true);
      await puzzle.waitForFunction("!navigator.onLine");
      await puzzle.getByLabel("Your question to the organizers").fill("Is it a star up north?");
      await puzzle.getByRole("button", { name: "Ask" }).click();
      // Kept, and said so where it was asked: not the browser's error page.
      await askForm(puzzle).getByText("Saved on this phone").waitFor();
      expect(new URL(puzzle.url()).pathname).toBe("/puzzles/lighthouse");
      expect(await puzzle.locator("#outbox-status").textContent()).toBe(
        "1 question waiting for the network",
      );
      expect(await askForm(puzzle).getByRole("button", { name: "Ask" }).isDisabled()).toBe(true);
      await puzzle.screenshot({ path: join(SHOTS, "asks-phone-offline-390.png"), fullPage: true });
      expect(storedAsks("Terns")).toEqual([]);
    } finally {
      await phone.context.setOffline(false);
    }
    // Sent when the network is back: the page shows the question waiting for an organizer.
    await puzzle.locator(".ask-item[data-status=open]").getByText("Is it a star up north?")
      .waitFor();
    expect(await puzzle.locator("#outbox-status").isHidden()).toBe(true);
    await puzzle.screenshot({ path: join(SHOTS, "asks-phone-sent-390.png"), fullPage: true });
    expect(storedAsks("Terns")).toEqual([{ question: "Is it a star up north?", status: "open" }]);
    expect(errors).toEqual([]);
  },
  60_000,
);

run(
  "a question whose answer was lost on the way is shown as asked when sent again, stored once",
  async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Skuas");
    await phone.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    const puzzle = await open(phone, "/puzzles/lighthouse", errors);
    await puzzle.waitForFunction("globalThis.cairnOutbox !== undefined");
    // The request reaches the server, which stores the question; its answer never comes back.
    const path = "**/api/puzzles/lighthouse/hints/ask/asks";
    await puzzle.route(path, async (route) => {
      await route.fetch();
      await route.abort("internetdisconnected");
    }, { times: 1 });
    await puzzle.getByLabel("Your question to the organizers").fill("North star?");
    await puzzle.getByRole("button", { name: "Ask" }).click();
    await askForm(puzzle).getByText("Saved on this phone").waitFor();
    expect(storedAsks("Skuas")).toEqual([{ question: "North star?", status: "open" }]);
    // Sent again: the server says the team's question still waits, and it is this one.
    await puzzle.evaluate("globalThis.cairnOutbox.flush()");
    await puzzle.locator(".ask-item[data-status=open]").getByText("North star?").waitFor();
    expect(await puzzle.getByText("Not accepted").count()).toBe(0);
    expect(await puzzle.locator("#outbox-status").isHidden()).toBe(true);
    expect(storedAsks("Skuas")).toEqual([{ question: "North star?", status: "open" }]);
    await puzzle.screenshot({ path: join(SHOTS, "asks-phone-resent-390.png"), fullPage: true });
    expect(errors).toEqual([]);
  },
  60_000,
);

run(
  "withdrawing a question with no network leaves the page as it is and says so; online, it withdraws",
  async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Kittiwakes");
    const asked = await fetch(`${server.base}/api/puzzles/lighthouse/hints/ask/asks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ question: "Which window?" }),
    });
    expect(asked.status).toBe(201);
    await phone.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    const puzzle = await open(phone, "/puzzles/lighthouse", errors);
    const withdraw = puzzle.getByRole("button", { name: "Withdraw (its cost comes back)" });
    try {
      await phone.context.setOffline(true);
      await puzzle.waitForFunction("!navigator.onLine");
      await withdraw.click();
      await puzzle.locator(".ask-withdraw", { hasText: "No network" }).waitFor();
      expect(new URL(puzzle.url()).pathname).toBe("/puzzles/lighthouse");
      await puzzle.screenshot({
        path: join(SHOTS, "asks-phone-withdraw-offline-390.png"),
        fullPage: true,
      });
      expect(storedAsks("Kittiwakes")).toEqual([{ question: "Which window?", status: "open" }]);
    } finally {
      await phone.context.setOffline(false);
    }
    await withdraw.click();
    // (The flash may be missed: the live `ask` event can reload the page as the form's answer comes.)
    await puzzle.locator(".ask-item[data-status=withdrawn]").waitFor();
    expect(storedAsks("Kittiwakes")).toEqual([{ question: "Which window?", status: "withdrawn" }]);
    expect(errors).toEqual([]);
  },
  60_000,
);

run(
  "a teammate's question the page redraws after a guess is withdrawn offline as the others are: the page stays and says so",
  async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Razorbills");
    await phone.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    // The live stream does not get through (bad Wi-Fi): the `ask` event that would reload the
    // page never comes.
    const page = await phone.context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.route(/\/api\/events/, (route) => route.abort("internetdisconnected"));
    await page.goto(`${server.base}/puzzles/lighthouse`);
    await askForm(page).waitFor();
    // A teammate asks from another phone.
    const asked = await fetch(`${server.base}/api/puzzles/lighthouse/hints/ask/asks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ question: "Is it the lamp?" }),
    });
    expect(asked.status).toBe(201);
    // A wrong guess brings the hints up to date: the teammate's question, with its Withdraw.
    await page.getByRole("textbox", { name: "Answer" }).fill("vega");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator("#result", { hasText: "Not the answer" }).waitFor();
    const withdraw = page.getByRole("button", { name: "Withdraw (its cost comes back)" });
    await withdraw.waitFor();
    try {
      await phone.context.setOffline(true);
      await page.waitForFunction("!navigator.onLine");
      await withdraw.click();
      await page.locator(".ask-withdraw", { hasText: "No network" }).waitFor();
      expect(new URL(page.url()).pathname).toBe("/puzzles/lighthouse");
      await page.screenshot({
        path: join(SHOTS, "asks-phone-withdraw-redrawn-offline-390.png"),
        fullPage: true,
      });
      expect(storedAsks("Razorbills")).toEqual([{ question: "Is it the lamp?", status: "open" }]);
    } finally {
      await phone.context.setOffline(false);
    }
    await withdraw.click();
    await page.locator(".ask-item[data-status=withdrawn]").waitFor();
    expect(storedAsks("Razorbills")).toEqual([
      { question: "Is it the lamp?", status: "withdrawn" },
    ]);
    expect(errors).toEqual([]);
    await page.close();
  },
  60_000,
);

run(
  "an answer typed as another organizer answers the question is shown to copy, then Done shows the list",
  async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Puffins");
    const asked = await fetch(`${server.base}/api/puzzles/lighthouse/hints/ask/asks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ question: "Is it the red window?" }),
    });
    expect(asked.status).toBe(201);
    const { ask } = (await asked.json()) as { ask: { id: number } };
    const hints = await open(organizer, "/admin/hints", errors);
    await hints.setViewportSize({ width: 1366, height: 900 });
    await hints.locator(`#answer-${ask.id}`).fill("Count the blue ones instead.");
    // Another organizer answers first.
    const first = await fetch(`${server.base}/api/admin/asks/${ask.id}/reply`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ answer: "Yes." }),
    });
    expect(first.status).toBe(200);
    await hints.locator(`#ask-${ask.id} button`, { hasText: "Send the answer" }).click();
    await hints.locator("#result", { hasText: "This ask is already answered" }).waitFor();
    const unsent = hints.getByLabel("Your answer, not sent: copy it if you need it");
    expect(await unsent.inputValue()).toBe("Count the blue ones instead.");
    await hints.screenshot({ path: join(SHOTS, "admin-hints-unsent-1366.png"), fullPage: true });
    const found = await axe(hints);
    expect(found.serious).toEqual([]);
    await hints.getByRole("link", { name: "Done" }).click();
    await hints.locator("#unsent").waitFor({ state: "detached" });
    expect(await hints.locator(`#ask-${ask.id}`).count()).toBe(0);
    expect(errors).toEqual([]);
    await hints.close();
  },
  60_000,
);
